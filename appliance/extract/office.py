"""Word documents (.docx): the ZIP is checked first, then python-docx reads the text.

python-docx parses its XML with lxml's `huge_tree=True` and inflates whatever parts the
document references, so a small upload can expand to gigabytes. The ZIP's central
directory states every entry's size without inflating anything; those numbers are
checked before python-docx sees the file. They cannot lie to us: Python's zipfile
never returns more bytes than an entry declares (and a CRC mismatch is an error).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.oxml.text.paragraph import CT_P
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.section import _Footer, _Header

from .errors import ExtractionError, parser_errors
from .types import CancelCheck, ExtractLimits, PageText, Progress, Reporter, Stage

WHAT = "docx"
# Tables nested deeper than this are hostile, not business documents.
_MAX_TABLE_DEPTH = 8
# Paragraphs and tables, also inside block-level content controls, in document order.
_IN_SDT = "./w:sdt/w:sdtContent/"
_BLOCKS = f"./w:p | ./w:tbl | {_IN_SDT}w:p | {_IN_SDT}w:tbl"
_ROWS = f"./w:tr | {_IN_SDT}w:tr"
_CELLS = f"./w:tc | {_IN_SDT}w:tc"


def extract_docx(
    path: Path, limits: ExtractLimits, report: Reporter, check_cancel: CancelCheck
) -> Iterator[PageText]:
    """Yield the document as one page: headers, body (paragraphs and table cells in order),
    footers."""
    check_cancel()
    report(Progress(Stage.READING, 1, 1))
    check_zip(path, limits)
    with parser_errors(WHAT):
        text = "\n".join(_document_lines(docx.Document(str(path))))
    yield PageText(1, text, ocr=False)


def check_zip(path: Path, limits: ExtractLimits) -> None:
    """Raise ExtractionError "zip_bomb" if the archive would expand beyond `limits`, and
    "corrupt" if it is not a ZIP holding `word/document.xml`. Nothing is decompressed."""
    with parser_errors(WHAT):
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
        compressed = path.stat().st_size
    if len(entries) > limits.docx_max_entries:
        raise _bomb("extract.docx_many_files", count=f"{len(entries):,}")
    expanded = sum(entry.file_size for entry in entries)
    if expanded > limits.docx_max_uncompressed:
        raise _bomb("extract.docx_expands_to", megabytes=f"{expanded // (1024 * 1024):,}")
    if expanded > limits.docx_max_ratio * max(compressed, 1):
        raise _bomb("extract.docx_expands_times", times=f"{expanded / max(compressed, 1):,.0f}")
    if not any(entry.filename == "word/document.xml" for entry in entries):
        raise ExtractionError("corrupt", "extract.docx_no_body")


def _bomb(reason: str, **params: str) -> ExtractionError:
    return ExtractionError("zip_bomb", reason, **params)


def _document_lines(document: DocxDocument) -> Iterator[str]:
    headers: list[_Header | _Footer] = []
    footers: list[_Header | _Footer] = []
    for section in document.sections:
        headers += [section.first_page_header, section.header, section.even_page_header]
        footers += [section.first_page_footer, section.footer, section.even_page_footer]
    yield from _header_footer_lines(headers)
    yield from _block_lines(document.element.body, depth=0)
    yield from _header_footer_lines(footers)


def _header_footer_lines(parts: list[_Header | _Footer]) -> Iterator[str]:
    seen: set[str] = set()
    for part in parts:
        # A linked header has no content of its own (python-docx would show the previous
        # section's again, or add an empty definition). Identical text is given once.
        if part.is_linked_to_previous:
            continue
        text = "\n".join(_block_lines(part.part.element, depth=0)).strip()
        if text and text not in seen:
            seen.add(text)
            yield text


def _block_lines(container: BaseOxmlElement, depth: int) -> Iterator[str]:
    # The XML is walked directly instead of through Document.iter_inner_content() and
    # Row.cells: those skip content controls (w:sdt, common in invoice templates), and
    # Row.cells repeats a cell once per grid column it spans, so a hostile
    # gridSpan="1000000000" would build a tuple of a billion cells.
    for block in container.xpath(_BLOCKS):
        if isinstance(block, CT_P):
            yield block.text
        elif depth < _MAX_TABLE_DEPTH:
            yield from _table_lines(block, depth)


def _table_lines(table: BaseOxmlElement, depth: int) -> Iterator[str]:
    # One line per row, cells separated by tabs, so "Fliesen<TAB>12 m²" stays together.
    for row in table.xpath(_ROWS):
        cells = []
        for cell in row.xpath(_CELLS):
            # A vertically merged cell keeps its text in the first row of the merge.
            merge = cell.xpath("./w:tcPr/w:vMerge")
            if merge and merge[0].get(qn("w:val"), "continue") == "continue":
                continue
            cells.append(" ".join(_block_lines(cell, depth + 1)))
        yield "\t".join(cells)
