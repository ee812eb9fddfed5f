"""PDF: the text layer with pypdf, page by page; pages without one are rendered and OCR'd.

A scanned page has no text layer, so pypdf returns nothing for it. Such a page is
rendered with pypdfium2 (PDFium renders any page, where pypdf's `page.images` would need
the external jbig2dec binary for the JBIG2 and CCITT images scanners like to write) and
handed to OCR.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image
from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError

from .errors import ExtractionError, corrupt, parser_errors
from .ocr import recognize
from .types import CancelCheck, ExtractLimits, PageText, Progress, Reporter, Stage

log = logging.getLogger(__name__)

WHAT = "pdf"


def extract_pdf(
    path: Path, limits: ExtractLimits, report: Reporter, check_cancel: CancelCheck
) -> Iterator[PageText]:
    """Yield each page's text; pages without a text layer are OCR'd (`ocr=True`)."""
    reader = _open(path)
    with parser_errors(WHAT):
        pages = len(reader.pages)
    renderer = _Renderer(path, limits)
    try:
        for index in range(pages):
            check_cancel()
            report(Progress(Stage.READING, index + 1, pages))
            text = _page_text(reader, index)
            if text.strip():
                yield PageText(index + 1, text, ocr=False)
                continue
            report(Progress(Stage.OCR, index + 1, pages))
            yield PageText(index + 1, recognize(renderer.render(index), limits), ocr=True)
    finally:
        renderer.close()


def render_scale(width: float, height: float, limits: ExtractLimits) -> float:
    """The render scale for a page of `width` x `height` points: `ocr_dpi`, capped so that
    the rendered image's longest side is at most `max_render_pixels`."""
    longest = max(width, height)
    if not longest > 0:  # also false for NaN
        raise corrupt(WHAT)
    scale = limits.ocr_dpi / 72
    # PDFium sizes the bitmap as ceil(points * scale); aim half a pixel below the cap so
    # float rounding can never push it one pixel over.
    if math.ceil(longest * scale) > limits.max_render_pixels:
        scale = (limits.max_render_pixels - 0.5) / longest
    return scale


def _open(path: Path) -> PdfReader:
    with parser_errors(WHAT):
        reader = PdfReader(path)
        encrypted = reader.is_encrypted
    if encrypted:
        _decrypt(reader)
    return reader


def _decrypt(reader: PdfReader) -> None:
    # Many PDFs are encrypted only to restrict printing or copying: they open with the
    # empty user password, like in any viewer.
    try:
        result = reader.decrypt("")
    except DependencyError as exc:
        # pypdf needs the `cryptography` package for AES; RC4 it does itself.
        raise _encrypted() from exc
    except MemoryError:
        raise
    except Exception as exc:
        raise corrupt(WHAT) from exc
    if result == PasswordType.NOT_DECRYPTED:
        raise _encrypted()


def _encrypted() -> ExtractionError:
    return ExtractionError("encrypted", "extract.encrypted")


def _page_text(reader: PdfReader, index: int) -> str:
    try:
        return reader.pages[index].extract_text()
    except MemoryError:
        raise
    except Exception as exc:
        # A page pypdf cannot read (a broken font, a hostile content stream) can still be
        # rendered by PDFium: returning no text sends the page to OCR instead of failing
        # the whole document; if PDFium cannot render it either, that is the error.
        log.warning("page %d: text layer unreadable (%r); trying OCR", index + 1, exc)
        return ""


class _Renderer:
    """PDFium, opened only when the first page needs OCR, closed by the caller."""

    def __init__(self, path: Path, limits: ExtractLimits) -> None:
        self._path = path
        self._limits = limits
        self._document: pdfium.PdfDocument | None = None

    def render(self, index: int) -> Image.Image:
        with parser_errors(WHAT):
            if self._document is None:
                self._document = pdfium.PdfDocument(self._path)
            page = self._document[index]
            try:
                width, height = page.get_size()
                scale = render_scale(width, height, self._limits)
                bitmap = page.render(scale=scale, grayscale=True)
                # to_pil() shares the bitmap's buffer; copy before the bitmap goes away.
                image = bitmap.to_pil().copy()
                bitmap.close()
                return image
            finally:
                page.close()

    def close(self) -> None:
        if self._document is not None:
            self._document.close()
            self._document = None
