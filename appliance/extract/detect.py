"""Decide what a file is from its bytes, never from its name.

An upload called `rechnung.pdf` may be a photo, a Word file or a program; the name is
whatever the sender typed. Only the magic bytes at the start (and, for ZIP containers,
the central directory) say which parser may look at it.
"""

from __future__ import annotations

import codecs
import unicodedata
import zipfile
from pathlib import Path

from .errors import ExtractionError
from .types import FileType

HEAD_SIZE = 8192

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")  # a normal archive, an empty one
_EXECUTABLES = (
    b"MZ",  # Windows .exe/.dll
    b"\x7fELF",  # Linux
    b"\xfe\xed\xfa\xce",  # Mach-O 32/64, both byte orders, and universal binaries
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
)
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"}
# Control characters that plain text does contain.
_TEXT_CONTROLS = set("\t\n\r\f\v\x1a")


def detect_type(head: bytes) -> FileType:
    """Return the type of a file from its first bytes (up to `HEAD_SIZE`).

    Raises ExtractionError with code "empty", "legacy_word" or "unsupported". A ZIP is
    taken for DOCX when its first entries look like a Word document; `detect_file`
    confirms that from the central directory.
    """
    if not head:
        raise ExtractionError("empty", "extract.empty")
    # The PDF header may follow some junk; readers accept it within the first 1024 bytes.
    if b"%PDF-" in head[:1024]:
        return FileType.PDF
    if head.startswith(b"\xff\xd8\xff"):
        return FileType.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileType.PNG
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return FileType.TIFF
    if _is_heif(head):
        return FileType.HEIC
    if head.startswith(_OLE2):
        raise _legacy_office(head)
    if head.startswith(_ZIP):
        return _zip_from_head(head)
    if head.startswith(_EXECUTABLES):
        raise ExtractionError("unsupported", "extract.program")
    if looks_like_text(head):
        return FileType.TXT
    raise ExtractionError("unsupported", "extract.unknown_type")


def detect_file(path: Path) -> FileType:
    """Return the type of the file at `path`; like `detect_type`, but sure about ZIPs.

    For a ZIP it reads the central directory (no entry is decompressed): only an archive
    holding `word/document.xml` is DOCX. Raises ExtractionError like `detect_type`.
    """
    with path.open("rb") as file:
        head = file.read(HEAD_SIZE)
    found = detect_type(head)
    if not head.startswith(_ZIP):
        return found
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ExtractionError("corrupt", "extract.zip_damaged") from exc
    return _zip_from_names(names)


def looks_like_text(head: bytes) -> bool:
    """True for bytes that read as text: UTF-8 (BOM or not), UTF-16 with BOM, or Windows-1252."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        decoded = _decode_head(head, "utf-16")
        return decoded is not None and _mostly_printable(decoded)
    if b"\x00" in head:
        return False
    decoded = _decode_head(head, "utf-8-sig")
    if decoded is None:
        # Windows-1252 decodes almost any byte; the control-character test decides.
        decoded = head.decode("cp1252", errors="replace")
    return _mostly_printable(decoded)


def _decode_head(head: bytes, encoding: str) -> str | None:
    # The head may end inside a multi-byte character: an incremental decoder that is not
    # told the input is final keeps such a tail back instead of failing on it.
    try:
        return codecs.getincrementaldecoder(encoding)().decode(head, final=False)
    except UnicodeDecodeError:
        return None


def _mostly_printable(text: str) -> bool:
    if not text:
        return False
    bad = sum(
        1
        for char in text
        if char == "\ufffd" or (unicodedata.category(char) == "Cc" and char not in _TEXT_CONTROLS)
    )
    # A stray control byte in a long text file is tolerated; binary data has many.
    return bad <= len(text) // 100


def _is_heif(head: bytes) -> bool:
    # ISO base media file: box size (4 bytes), "ftyp", major brand, minor version, then
    # the compatible brands up to the end of the box.
    if len(head) < 16 or head[4:8] != b"ftyp":
        return False
    if head[8:12] in (b"avif", b"avis"):  # AVIF lists mif1 too, but pillow-heif 1.x dropped it
        return False
    size = min(int.from_bytes(head[:4], "big"), len(head))
    brands = {head[8:12]} | {head[i : i + 4] for i in range(16, size - 3, 4)}
    return bool(brands & _HEIF_BRANDS)


def _legacy_office(head: bytes) -> ExtractionError:
    # The stream names sit in the OLE2 directory as UTF-16; in small files it is inside
    # the head. Word is tested first: a .doc may embed an Excel "Workbook" object.
    # Without any hint the file is most likely a Word .doc.
    def has(stream: str) -> bool:
        return stream.encode("utf-16-le") in head

    if not has("WordDocument") and has("Workbook"):
        return ExtractionError("unsupported", "extract.xls")
    if not has("WordDocument") and has("PowerPoint Document"):
        return ExtractionError("unsupported", "extract.ppt")
    return ExtractionError("legacy_word", "extract.legacy_word")


def _zip_from_head(head: bytes) -> FileType:
    # Each entry's name follows its local header, so the first entries' names are in the
    # head. Word writes [Content_Types].xml first and the word/ parts soon after.
    others = [prefix for prefix in ("xl/", "ppt/") if prefix.encode() in head]
    if b"word/" in head or (b"[Content_Types].xml" in head and not others):
        return FileType.DOCX
    return _zip_from_names(others)


def _zip_from_names(names: list[str]) -> FileType:
    if "word/document.xml" in names:
        return FileType.DOCX
    if any(name.startswith("xl/") for name in names):
        raise ExtractionError("unsupported", "extract.xlsx")
    if any(name.startswith("ppt/") for name in names):
        raise ExtractionError("unsupported", "extract.pptx")
    raise ExtractionError("unsupported", "extract.zip")
