"""PDF: the text layer where there is one, OCR where there is none, errors with codes."""

from __future__ import annotations

import math
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from appliance.extract import (
    ExtractionError,
    ExtractLimits,
    FileType,
    Progress,
    Stage,
    extract,
)
from appliance.extract.pdf import render_scale
from tests.fixtures import documents as docs


class Cancelled(Exception):
    """What a caller's check_cancel raises; deliberately an ordinary Exception."""


def test_text_layer_pages_come_out_exact_with_umlauts(tmp_path: Path) -> None:
    path = docs.text_pdf(tmp_path / "rechnung.pdf", [docs.INVOICE, docs.QUOTE])
    reports: list[Progress] = []

    pages = list(extract(path, FileType.PDF, report=reports.append))

    assert [(page.number, page.ocr) for page in pages] == [(1, False), (2, False)]
    assert "Überprüfung der" in pages[0].text
    assert "Größe 12 m², Betrag 1.250,00 €" in pages[0].text
    assert docs.QUOTE in pages[1].text
    assert reports == [Progress(Stage.READING, 1, 2), Progress(Stage.READING, 2, 2)]


def test_a_scanned_pdf_is_ocrd(tmp_path: Path) -> None:
    path = docs.scanned_pdf(tmp_path / "scan.pdf", docs.INVOICE)

    [page] = extract(path, FileType.PDF)

    assert page.ocr is True
    assert not docs.missing_words(page.text, docs.INVOICE_WORDS), page.text


def test_a_mixed_pdf_reads_page_one_and_ocrs_page_two(tmp_path: Path) -> None:
    path = docs.mixed_pdf(tmp_path / "gemischt.pdf", docs.QUOTE, docs.INVOICE)
    reports: list[Progress] = []

    first, second = extract(path, FileType.PDF, report=reports.append)

    assert (first.number, first.ocr, first.text.strip()) == (1, False, docs.QUOTE)
    assert second.ocr is True
    assert not docs.missing_words(second.text, docs.INVOICE_WORDS), second.text
    assert reports == [
        Progress(Stage.READING, 1, 2),
        Progress(Stage.READING, 2, 2),
        Progress(Stage.OCR, 2, 2),
    ]


def test_a_page_pypdf_cannot_read_is_rendered_and_ocrd(tmp_path: Path) -> None:
    path = docs.unreadable_text_layer_pdf(tmp_path / "seltsam.pdf", docs.INVOICE)

    [page] = extract(path, FileType.PDF)

    assert page.ocr is True
    assert not docs.missing_words(page.text, docs.INVOICE_WORDS), page.text


def test_encrypted_only_against_printing_opens_with_the_empty_password(tmp_path: Path) -> None:
    path = docs.encrypted_pdf(tmp_path / "gesperrt.pdf", docs.INVOICE, user_password="")

    [page] = extract(path, FileType.PDF)

    assert "Überprüfung" in page.text


def test_a_password_protected_pdf_is_encrypted(tmp_path: Path) -> None:
    path = docs.encrypted_pdf(tmp_path / "geheim.pdf", docs.INVOICE, user_password="geheim")

    with pytest.raises(ExtractionError) as caught:
        list(extract(path, FileType.PDF))

    assert caught.value.code == "encrypted"
    assert "password" in str(caught.value)


def test_a_truncated_pdf_is_corrupt(tmp_path: Path) -> None:
    path = docs.truncated_pdf(tmp_path / "abgebrochen.pdf")

    with pytest.raises(ExtractionError) as caught:
        list(extract(path, FileType.PDF))

    assert caught.value.code == "corrupt"
    assert str(tmp_path) not in caught.value.message
    assert "Traceback" not in caught.value.message


def test_garbage_behind_a_pdf_header_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "kaputt.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)

    with pytest.raises(ExtractionError) as caught:
        list(extract(path, FileType.PDF))

    assert caught.value.code == "corrupt"


def test_check_cancel_stops_between_pages_and_its_exception_comes_out(tmp_path: Path) -> None:
    path = docs.text_pdf(tmp_path / "lang.pdf", [docs.INVOICE, docs.QUOTE, docs.INVOICE])
    calls = 0

    def check_cancel() -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise Cancelled

    seen: list[int] = []
    with pytest.raises(Cancelled):
        for page in extract(path, FileType.PDF, check_cancel=check_cancel):
            seen.append(page.number)

    assert seen == [1]


def test_a_failing_report_callback_is_not_blamed_on_the_file(tmp_path: Path) -> None:
    path = docs.text_pdf(tmp_path / "rechnung.pdf", [docs.INVOICE])

    def report(progress: Progress) -> None:
        raise KeyError("the caller's own bug")

    with pytest.raises(KeyError):
        list(extract(path, FileType.PDF, report=report))


def test_render_scale_is_the_ocr_dpi_for_a_normal_page() -> None:
    assert render_scale(595, 842, ExtractLimits(ocr_dpi=300)) == pytest.approx(300 / 72)


@pytest.mark.parametrize("points", [35000.0, 14400.0, 1440.1, 7200.37, 20000.0 / 3])
@pytest.mark.parametrize("cap", [6000, 4999, 1000])
def test_render_scale_never_lets_pdfium_exceed_the_cap(points: float, cap: int) -> None:
    limits = ExtractLimits(max_render_pixels=cap)

    scale = render_scale(points, points / 2, limits)

    # PDFium sizes the bitmap as ceil(points * scale).
    assert cap - 1 <= math.ceil(points * scale) <= cap


def test_a_huge_page_renders_within_the_cap(tmp_path: Path) -> None:
    path = docs.blank_pdf(tmp_path / "plan.pdf", 35000, 35000)
    limits = ExtractLimits()
    document = pdfium.PdfDocument(path)
    try:
        page = document[0]
        width, height = page.get_size()
        image = page.render(scale=render_scale(width, height, limits), grayscale=True).to_pil()
        assert max(image.size) <= limits.max_render_pixels
        assert max(image.size) >= limits.max_render_pixels - 1
    finally:
        document.close()
