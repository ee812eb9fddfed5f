"""Plain text files, in whatever encoding a Windows office PC wrote them."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path

from .types import CancelCheck, PageText, Progress, Reporter, Stage


def decode_text(raw: bytes) -> str:
    """Decode text bytes and normalise newlines to "\\n".

    UTF-8 with or without BOM and UTF-16 with BOM are recognised; anything else is read
    as Windows-1252, the encoding of German Windows (a superset of Latin-1 for the
    printable range, and it has €). Bytes undefined there become U+FFFD, never an error.
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = raw.decode("utf-16", errors="replace")
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def extract_text(path: Path, report: Reporter, check_cancel: CancelCheck) -> Iterator[PageText]:
    """Yield the whole file as one page."""
    check_cancel()
    report(Progress(Stage.READING, 1, 1))
    yield PageText(1, decode_text(path.read_bytes()), ocr=False)
