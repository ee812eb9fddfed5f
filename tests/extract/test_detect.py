"""File types come from the bytes, never from the name."""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path

import pytest

from appliance.extract import ExtractionError, FileType, detect_file, detect_type
from tests.fixtures import documents as docs


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: docs.text_pdf(p, [docs.INVOICE]), FileType.PDF),
        (lambda p: docs.scanned_pdf(p, docs.INVOICE), FileType.PDF),
        (lambda p: docs.docx_file(p, [docs.INVOICE]), FileType.DOCX),
        (lambda p: docs.text_image(p, "Rechnung", format="JPEG"), FileType.JPEG),
        (lambda p: docs.text_image(p, "Rechnung", format="PNG"), FileType.PNG),
        (lambda p: docs.tiff_pages(p, ["Rechnung", "Angebot"]), FileType.TIFF),
        (lambda p: docs.heic_image(p, "Rechnung"), FileType.HEIC),
        (lambda p: docs.cp1252_txt(p, docs.INVOICE), FileType.TXT),
        (lambda p: docs.utf8_txt(p, docs.INVOICE, bom=True), FileType.TXT),
        (lambda p: docs.utf8_txt(p, docs.INVOICE), FileType.TXT),
        (lambda p: docs.utf16_txt(p, docs.INVOICE), FileType.TXT),
    ],
)
def test_each_supported_format_is_recognised_under_a_misleading_name(
    tmp_path: Path, make: Callable[[Path], Path], expected: FileType
) -> None:
    path = make(tmp_path / "upload.exe")

    assert detect_file(path) is expected
    assert detect_type(path.read_bytes()[:8192]) is expected


def test_a_program_renamed_to_pdf_is_unsupported(tmp_path: Path) -> None:
    path = docs.fake_exe_pdf(tmp_path / "rechnung.pdf")

    with pytest.raises(ExtractionError) as caught:
        detect_file(path)

    assert caught.value.code == "unsupported"
    assert "program" in caught.value.message
    assert str(tmp_path) not in str(caught.value)


@pytest.mark.parametrize(
    "head",
    [
        b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56,
        b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\x00" * 56,
        b"\xca\xfe\xba\xbe\x00\x00\x00\x02" + b"\x00" * 56,
    ],
    ids=["elf", "mach-o", "universal-binary"],
)
def test_executables_of_other_systems_are_unsupported(head: bytes) -> None:
    with pytest.raises(ExtractionError) as caught:
        detect_type(head)

    assert caught.value.code == "unsupported"


def test_a_legacy_word_file_asks_for_docx(tmp_path: Path) -> None:
    with pytest.raises(ExtractionError) as caught:
        detect_file(docs.legacy_doc(tmp_path / "angebot.doc"))

    assert caught.value.code == "legacy_word"
    assert str(caught.value) == (
        "Old Word format (.doc): please save it as .docx and upload again."
    )


def test_a_legacy_excel_file_is_not_called_word(tmp_path: Path) -> None:
    with pytest.raises(ExtractionError) as caught:
        detect_file(docs.legacy_xls(tmp_path / "liste.xls"))

    assert caught.value.code == "unsupported"
    assert "Excel" in caught.value.message


def test_an_empty_file_is_empty(tmp_path: Path) -> None:
    with pytest.raises(ExtractionError) as caught:
        detect_file(docs.empty_file(tmp_path / "leer.pdf"))

    assert caught.value.code == "empty"


def test_random_binary_data_is_unsupported() -> None:
    noise = bytes(range(256)) * 32

    with pytest.raises(ExtractionError) as caught:
        detect_type(noise)

    assert caught.value.code == "unsupported"
    assert "PDF" in caught.value.message  # it says what would be accepted


def test_a_pdf_header_after_some_junk_is_still_a_pdf() -> None:
    assert detect_type(b"\r\n\x00junk from a mail gateway\n%PDF-1.4\n%...") is FileType.PDF


def test_a_text_head_cut_inside_a_character_is_still_utf8_text() -> None:
    head = ("Größe " * 2000).encode()[:8191]  # ends in the middle of "ö"

    assert detect_type(head) is FileType.TXT


@pytest.mark.parametrize("brand", [b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"])
def test_heif_is_recognised_by_any_of_its_brands(brand: bytes) -> None:
    as_major = struct.pack(">I", 24) + b"ftyp" + brand + b"\x00\x00\x00\x00" + b"isomiso2"
    as_compatible = struct.pack(">I", 24) + b"ftyp" + b"isom\x00\x00\x00\x00" + b"iso2" + brand

    assert detect_type(as_major + b"\x00" * 64) is FileType.HEIC
    assert detect_type(as_compatible + b"\x00" * 64) is FileType.HEIC


def test_an_mp4_video_is_not_heif() -> None:
    head = struct.pack(">I", 24) + b"ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 64

    with pytest.raises(ExtractionError) as caught:
        detect_type(head)

    assert caught.value.code == "unsupported"


def test_a_zip_without_a_word_document_is_unsupported(tmp_path: Path) -> None:
    with pytest.raises(ExtractionError) as caught:
        detect_file(docs.zip_without_document(tmp_path / "fotos.docx"))

    assert caught.value.code == "unsupported"
    assert "ZIP" in caught.value.message


def test_a_truncated_word_file_is_corrupt(tmp_path: Path) -> None:
    path = docs.docx_file(tmp_path / "angebot.docx", [docs.QUOTE])
    path.write_bytes(path.read_bytes()[:-200])  # the central directory is at the end

    assert detect_type(path.read_bytes()[:8192]) is FileType.DOCX  # the head looks fine
    with pytest.raises(ExtractionError) as caught:
        detect_file(path)

    assert caught.value.code == "corrupt"
