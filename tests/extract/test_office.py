"""Word documents: the text in reading order, and archives that would explode refused."""

from __future__ import annotations

import time
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from appliance.extract import (
    ExtractionError,
    ExtractLimits,
    FileType,
    Progress,
    Stage,
    extract,
)
from tests.fixtures import documents as docs


def test_paragraphs_table_header_and_footer_in_reading_order(tmp_path: Path) -> None:
    path = docs.docx_file(
        tmp_path / "angebot.docx",
        [docs.QUOTE, "Zahlbar innerhalb von 14 Tagen."],
        table=[["Position", "Menge"], ["Fliesen verlegen", "12 m²"]],
        header="Müller Bad & Heizung GmbH",
        footer="Bankverbindung: Sparkasse Köln",
    )
    reports: list[Progress] = []

    [page] = extract(path, FileType.DOCX, report=reports.append)

    assert page.number == 1 and page.ocr is False
    assert page.text.splitlines() == [
        "Müller Bad & Heizung GmbH",
        docs.QUOTE,
        "Zahlbar innerhalb von 14 Tagen.",
        "Position\tMenge",
        "Fliesen verlegen\t12 m²",
        "Bankverbindung: Sparkasse Köln",
    ]
    assert reports == [Progress(Stage.READING, 1, 1)]


def test_merged_cells_are_read_once(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "Überschrift über drei Spalten"
    table.cell(1, 0).merge(table.cell(1, 1))  # leaves no content of its own
    table.cell(1, 2).text = "Größe"
    path = tmp_path / "tabelle.docx"
    document.save(str(path))

    [page] = extract(path, FileType.DOCX)

    assert page.text.count("Überschrift über drei Spalten") == 1
    assert "Größe" in page.text


def test_text_in_content_controls_is_read(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Vorher")
    control = parse_xml(
        f"<w:sdt {nsdecls('w')}><w:sdtContent><w:p><w:r><w:t>Kunde: Bäckerei Schütz</w:t>"
        "</w:r></w:p></w:sdtContent></w:sdt>"
    )
    document.element.body.insert(1, control)
    path = tmp_path / "vorlage.docx"
    document.save(str(path))

    [page] = extract(path, FileType.DOCX)

    assert page.text.splitlines() == ["Vorher", "Kunde: Bäckerei Schütz"]


def test_a_hostile_grid_span_does_not_multiply_cells(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=1, cols=1)
    table.cell(0, 0).text = "Zelle"
    tc = table.cell(0, 0)._tc
    tc.get_or_add_tcPr().append(parse_xml(f'<w:gridSpan {nsdecls("w")} w:val="1000000000"/>'))
    path = tmp_path / "span.docx"
    document.save(str(path))
    started = time.perf_counter()

    [page] = extract(path, FileType.DOCX)

    assert page.text == "Zelle"
    assert time.perf_counter() - started < 2


def test_a_zip_bomb_is_rejected_quickly_without_inflating(tmp_path: Path) -> None:
    path = docs.zip_bomb_docx(tmp_path / "bombe.docx", expanded_mb=64)
    assert path.stat().st_size < 1024 * 1024
    started = time.perf_counter()

    with pytest.raises(ExtractionError) as caught:
        list(extract(path, FileType.DOCX))

    assert caught.value.code == "zip_bomb"
    assert time.perf_counter() - started < 0.5  # inflating 64 MB would take longer


def test_too_many_entries_is_a_zip_bomb(tmp_path: Path) -> None:
    path = docs.docx_with_media(tmp_path / "viele.docx", files=50, size=10)

    with pytest.raises(ExtractionError) as caught:
        list(extract(path, FileType.DOCX, limits=ExtractLimits(docx_max_entries=40)))

    assert caught.value.code == "zip_bomb"
    assert "files" in caught.value.message


def test_too_much_even_incompressible_data_is_a_zip_bomb(tmp_path: Path) -> None:
    path = docs.docx_with_media(tmp_path / "gross.docx", size=3 * 1024 * 1024, compressible=False)
    limits = ExtractLimits(docx_max_uncompressed=2 * 1024 * 1024)

    with pytest.raises(ExtractionError) as caught:
        list(extract(path, FileType.DOCX, limits=limits))

    assert caught.value.code == "zip_bomb"


def test_the_same_files_within_the_limits_are_read(tmp_path: Path) -> None:
    path = docs.docx_with_media(tmp_path / "fotos.docx", files=50, size=10 * 1024)

    [page] = extract(path, FileType.DOCX)

    assert "Überprüfung" in page.text


def test_a_zip_without_the_main_document_is_corrupt(tmp_path: Path) -> None:
    path = docs.zip_without_document(tmp_path / "leer.docx")

    with pytest.raises(ExtractionError) as caught:
        list(extract(path, FileType.DOCX))

    assert caught.value.code == "corrupt"


def test_something_that_is_no_zip_at_all_is_corrupt(tmp_path: Path) -> None:
    path = docs.cp1252_txt(tmp_path / "brief.docx", docs.INVOICE)

    with pytest.raises(ExtractionError) as caught:
        list(extract(path, FileType.DOCX))

    assert caught.value.code == "corrupt"
    assert str(tmp_path) not in caught.value.message
