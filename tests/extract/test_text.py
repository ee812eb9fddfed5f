"""Plain text in the encodings German Windows PCs write."""

from __future__ import annotations

from pathlib import Path

from appliance.extract import FileType, PageText, Progress, Stage, extract
from appliance.extract.text import decode_text
from tests.fixtures import documents as docs

LETTER = "Sehr geehrte Frau Müller,\nanbei das Angebot über 1.250,00 €.\nGrüße aus Köln"


def test_windows_1252_with_crlf_comes_out_exact(tmp_path: Path) -> None:
    path = docs.cp1252_txt(tmp_path / "brief.txt", LETTER)
    reports: list[Progress] = []

    pages = list(extract(path, FileType.TXT, report=reports.append))

    assert pages == [PageText(1, LETTER, ocr=False)]
    assert reports == [Progress(Stage.READING, 1, 1)]


def test_utf8_with_bom_loses_the_bom(tmp_path: Path) -> None:
    path = docs.utf8_txt(tmp_path / "brief.txt", LETTER, bom=True)

    [page] = extract(path, FileType.TXT)

    assert page.text == LETTER


def test_utf8_and_utf16_come_out_exact(tmp_path: Path) -> None:
    utf8 = docs.utf8_txt(tmp_path / "a.txt", LETTER)
    utf16 = docs.utf16_txt(tmp_path / "b.txt", LETTER)

    assert [page.text for page in extract(utf8, FileType.TXT)] == [LETTER]
    assert [page.text for page in extract(utf16, FileType.TXT)] == [LETTER]


def test_old_mac_and_windows_newlines_become_unix() -> None:
    assert decode_text(b"a\r\nb\rc\n") == "a\nb\nc\n"


def test_bytes_windows_1252_does_not_define_do_not_fail() -> None:
    assert decode_text(b"Gr\xfc\xdfe \x81 \x80") == "Grüße \ufffd €"
