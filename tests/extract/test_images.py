"""Photos and scans are OCR'd upright; oversized and broken images are refused; tesseract
runs with the environment it needs and leaves none of it behind."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytesseract
import pytest
from PIL import Image

from appliance.extract import (
    ExtractionError,
    ExtractLimits,
    FileType,
    Progress,
    Stage,
    extract,
)
from appliance.extract.ocr import prepare_for_ocr, tesseract_environment
from tests.fixtures import documents as docs


def test_a_png_scan_is_read(tmp_path: Path) -> None:
    path = docs.text_image(tmp_path / "scan.png", docs.INVOICE)
    reports: list[Progress] = []

    [page] = extract(path, FileType.PNG, report=reports.append)

    assert (page.number, page.ocr) == (1, True)
    assert not docs.missing_words(page.text, docs.INVOICE_WORDS), page.text
    assert reports == [Progress(Stage.OCR, 1, 1)]


@pytest.mark.parametrize(("degrees", "orientation"), [(90, 6), (270, 8)])
def test_a_phone_photo_taken_sideways_is_read_upright(
    tmp_path: Path, degrees: int, orientation: int
) -> None:
    path = docs.text_image(tmp_path / "foto.jpg", docs.INVOICE, "JPEG", rotate=degrees)
    with Image.open(path) as stored:
        assert stored.height > stored.width  # the pixels really are sideways
        assert stored.getexif()[0x0112] == orientation

    [page] = extract(path, FileType.JPEG)

    assert not docs.missing_words(page.text, docs.INVOICE_WORDS), page.text


def test_each_tiff_frame_is_a_page(tmp_path: Path) -> None:
    path = docs.tiff_pages(tmp_path / "fax.tif", [docs.INVOICE, docs.QUOTE])
    reports: list[Progress] = []

    first, second = extract(path, FileType.TIFF, report=reports.append)

    assert (first.number, second.number) == (1, 2)
    assert not docs.missing_words(first.text, docs.INVOICE_WORDS), first.text
    assert not docs.missing_words(second.text, docs.QUOTE_WORDS), second.text
    assert reports == [Progress(Stage.OCR, 1, 2), Progress(Stage.OCR, 2, 2)]


def test_an_iphone_heic_photo_is_read(tmp_path: Path) -> None:
    path = docs.heic_image(tmp_path / "IMG_0001.HEIC", docs.QUOTE)

    [page] = extract(path, FileType.HEIC)

    assert not docs.missing_words(page.text, docs.QUOTE_WORDS), page.text


def test_a_30000_pixel_square_is_refused_before_decoding(tmp_path: Path) -> None:
    path = docs.huge_png(tmp_path / "riesig.png", 30000, 30000)
    assert path.stat().st_size < 1024 * 1024
    peak_before = _peak_rss_mb()
    started = time.perf_counter()

    with pytest.raises(ExtractionError) as caught:
        list(extract(path, FileType.PNG))

    assert caught.value.code == "too_many_pixels"
    assert time.perf_counter() - started < 1
    # Decoding would need 900 MB; the peak may not have moved by more than noise.
    assert _peak_rss_mb() - peak_before < 100


def test_between_one_and_two_times_the_limit_is_an_error_not_a_warning(tmp_path: Path) -> None:
    # Pillow itself only warns here (it raises above twice MAX_IMAGE_PIXELS).
    path = docs.huge_png(tmp_path / "etwas_zu_gross.png", 40, 40)

    with pytest.raises(ExtractionError) as caught:
        list(extract(path, FileType.PNG, limits=ExtractLimits(max_image_pixels=1000)))

    assert caught.value.code == "too_many_pixels"
    assert Image.MAX_IMAGE_PIXELS != 1000  # the global was put back


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_truncated_image_is_corrupt(tmp_path: Path, fmt: str) -> None:
    path = docs.truncated_image(tmp_path / "halb", docs.INVOICE, format=fmt)

    with pytest.raises(ExtractionError) as caught:
        list(extract(path, FileType(fmt.lower())))

    assert caught.value.code == "corrupt"
    assert str(tmp_path) not in caught.value.message


def test_an_image_is_only_opened_as_the_detected_format(tmp_path: Path) -> None:
    path = docs.text_image(tmp_path / "bild.png", "Rechnung", format="PNG")

    with pytest.raises(ExtractionError) as caught:
        list(extract(path, FileType.JPEG))

    assert caught.value.code == "corrupt"


def test_transparent_background_becomes_white_for_ocr() -> None:
    image = Image.new("RGBA", (10, 10), (0, 0, 0, 0))  # black, but fully transparent
    image.putpixel((5, 5), (0, 0, 0, 255))

    prepared = prepare_for_ocr(image, 6000)

    assert prepared.mode == "L"
    assert prepared.getpixel((0, 0)) == 255
    assert prepared.getpixel((5, 5)) == 0


def test_16_bit_scans_are_stretched_not_clipped() -> None:
    image = Image.new("I;16", (3, 1))
    for x, value in enumerate((0, 30000, 60000)):
        image.putpixel((x, 0), value)

    prepared = prepare_for_ocr(image, 6000)

    assert [prepared.getpixel((x, 0)) for x in range(3)] == [0, 127, 255]


def test_large_photos_are_scaled_to_the_render_cap() -> None:
    prepared = prepare_for_ocr(Image.new("RGB", (1600, 1200), "white"), 1000)

    assert prepared.size == (1000, 750)


def test_missing_tesseract_is_ocr_unavailable(tmp_path: Path) -> None:
    path = docs.text_image(tmp_path / "scan.png", "Rechnung")
    limits = ExtractLimits(tesseract_cmd=str(tmp_path / "no-tesseract"))

    with pytest.raises(ExtractionError) as caught:
        list(extract(path, FileType.PNG, limits=limits))

    assert caught.value.code == "ocr_unavailable"


def test_tessdata_dir_reaches_tesseract(tmp_path: Path) -> None:
    # An empty tessdata folder has no "deu": tesseract fails, so the setting arrived.
    path = docs.text_image(tmp_path / "scan.png", "Rechnung")
    (tmp_path / "tessdata").mkdir()
    limits = ExtractLimits(tessdata_dir=str(tmp_path / "tessdata"))

    with pytest.raises(ExtractionError) as caught:
        list(extract(path, FileType.PNG, limits=limits))

    assert caught.value.code == "ocr_unavailable"
    assert "language" in caught.value.message


def test_ocr_leaves_the_environment_as_it_found_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = docs.text_image(tmp_path / "scan.png", "Rechnung")
    monkeypatch.setenv("OMP_THREAD_LIMIT", "7")
    monkeypatch.delenv("TESSDATA_PREFIX", raising=False)
    command_before = pytesseract.pytesseract.tesseract_cmd

    [page] = extract(path, FileType.PNG)

    assert "Rechnung" in page.text
    assert os.environ["OMP_THREAD_LIMIT"] == "7"
    assert "TESSDATA_PREFIX" not in os.environ
    assert pytesseract.pytesseract.tesseract_cmd == command_before


def test_tesseract_gets_one_thread_and_its_data_folder() -> None:
    changes = tesseract_environment({}, "/data/tessdata", frozen=False, platform="linux")

    assert changes == {"OMP_THREAD_LIMIT": "1", "TESSDATA_PREFIX": "/data/tessdata"}


def test_a_frozen_build_gives_tesseract_the_users_library_path() -> None:
    bundle = {"LD_LIBRARY_PATH": "/tmp/_MEI123", "LD_LIBRARY_PATH_ORIG": "/opt/lib"}

    restored = tesseract_environment(bundle, None, frozen=True, platform="linux")
    unset = tesseract_environment(
        {"LD_LIBRARY_PATH": "/tmp/_MEI1"}, None, frozen=True, platform="linux"
    )
    windows = tesseract_environment(bundle, None, frozen=True, platform="win32")

    assert restored["LD_LIBRARY_PATH"] == "/opt/lib"
    assert unset["LD_LIBRARY_PATH"] is None  # None: removed for the child
    assert "LD_LIBRARY_PATH" not in windows


def _peak_rss_mb() -> float:
    try:
        import resource
    except ImportError:  # Windows
        return 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
