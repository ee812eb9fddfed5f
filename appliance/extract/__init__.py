"""Text extraction: one function turns a detected file into pages of text.

Pure in-process code with no side effects on import. It parses hostile files, so the
caller runs it in a sandboxed child process with a timeout and a memory cap (pypdf and
Pillow have had hang and memory-blowup CVEs; catching them is the caller's job). Every
error a person may see is an `ExtractionError` with a short code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ParamSpec

from .detect import detect_file, detect_type
from .errors import ExtractionError, corrupt
from .types import (
    CancelCheck,
    ExtractLimits,
    FileType,
    PageText,
    Progress,
    Reporter,
    Stage,
)

__all__ = [
    "ExtractLimits",
    "ExtractionError",
    "FileType",
    "PageText",
    "Progress",
    "Stage",
    "detect_file",
    "detect_type",
    "extract",
]

DEFAULT_LIMITS = ExtractLimits()
_KINDS = {FileType.PDF: "pdf", FileType.DOCX: "docx", FileType.TXT: "text"}
P = ParamSpec("P")


def _no_report(progress: Progress) -> None:
    pass


def _no_cancel() -> None:
    pass


def extract(
    path: Path,
    file_type: FileType,
    *,
    limits: ExtractLimits = DEFAULT_LIMITS,
    report: Callable[[Progress], None] = _no_report,
    check_cancel: Callable[[], None] = _no_cancel,
) -> Iterator[PageText]:
    """Yield the text of `path`, read as `file_type`, one PageText per page, in order.

    Pages: PDF pages, TIFF frames; DOCX, TXT and the other images are one page. Before
    each page `check_cancel()` is called (it may raise to stop; its exception comes out
    unchanged) and `report()` gets the page number; a PDF page that needs OCR is reported
    a second time with Stage.OCR. The work is lazy: nothing is read until iteration.
    Raises ExtractionError for anything wrong with the file, including errors no parser
    documented ("corrupt"); MemoryError and BaseExceptions pass through.
    """
    file_type = FileType(file_type)
    # Exceptions raised by the caller's callbacks, so they can pass the boundary unchanged.
    from_callbacks: list[BaseException] = []
    report = _remembering(report, from_callbacks)
    check_cancel = _remembering(check_cancel, from_callbacks)
    try:
        yield from _pages(path, file_type, limits, report, check_cancel)
    except (ExtractionError, MemoryError):
        raise
    except Exception as exc:
        # The module boundary: a parser error that slipped past the format modules is
        # still the file's fault. The callers' own exceptions are theirs to see.
        if any(exc is raised for raised in from_callbacks):
            raise
        raise corrupt(_KINDS.get(file_type, "image")) from exc


def _remembering(callback: Callable[P, None], raised: list[BaseException]) -> Callable[P, None]:
    def call(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            callback(*args, **kwargs)
        except BaseException as exc:
            raised.append(exc)
            raise

    return call


def _pages(
    path: Path,
    file_type: FileType,
    limits: ExtractLimits,
    report: Reporter,
    check_cancel: CancelCheck,
) -> Iterator[PageText]:
    # The parsers are imported here, not at the top: only the sandboxed child parses, and
    # pypdf, PDFium, python-docx and Pillow would add ~27 MB to every worker and the
    # launcher, which only need the types and the file detection above.
    if file_type is FileType.PDF:
        from .pdf import extract_pdf

        return extract_pdf(path, limits, report, check_cancel)
    if file_type is FileType.DOCX:
        from .office import extract_docx

        return extract_docx(path, limits, report, check_cancel)
    if file_type is FileType.TXT:
        from .text import extract_text

        return extract_text(path, report, check_cancel)
    from .images import extract_image

    return extract_image(path, file_type, limits, report, check_cancel)
