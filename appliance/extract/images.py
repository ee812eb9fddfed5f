"""Photos and scans (JPEG, PNG, TIFF, HEIC): every frame is OCR'd.

Pillow guards against decompression bombs only half: above `Image.MAX_IMAGE_PIXELS` it
merely warns, and it raises only above twice that. The size is in the header, so it is
checked right after `Image.open`, before a single pixel is decoded. `Image.open` is told
the one format detection found, so a file cannot slip into a different, less-tested
Pillow plugin than the one its magic bytes announced.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import ExifTags, Image

from .errors import ExtractionError, corrupt
from .ocr import prepare_for_ocr, recognize
from .types import CancelCheck, ExtractLimits, FileType, PageText, Progress, Reporter, Stage

# EXIF orientation -> the transposition that shows the picture upright (as ImageOps uses).
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_PILLOW_FORMATS = {
    FileType.JPEG: "JPEG",
    FileType.PNG: "PNG",
    FileType.TIFF: "TIFF",
    FileType.HEIC: "HEIF",
}


def extract_image(
    path: Path,
    file_type: FileType,
    limits: ExtractLimits,
    report: Reporter,
    check_cancel: CancelCheck,
) -> Iterator[PageText]:
    """Yield the OCR text of each frame (one page per TIFF frame, else one page)."""
    with _open(path, file_type, limits) as image:
        # Only TIFF frames are pages: the second frame of a phone's JPEG (MPO) or HEIC is
        # a depth map or a burst shot, and an animated PNG's frames are not pages either.
        frames = _frame_count(image) if file_type is FileType.TIFF else 1
        for index in range(frames):
            check_cancel()
            report(Progress(Stage.OCR, index + 1, frames))
            upright = _load_frame(image, index, limits)
            yield PageText(index + 1, recognize(upright, limits), ocr=True)


def check_pixels(size: tuple[int, int], limits: ExtractLimits) -> None:
    """Raise ExtractionError("too_many_pixels") when an image is larger than allowed."""
    width, height = size
    if width * height > limits.max_image_pixels:
        raise ExtractionError(
            "too_many_pixels",
            "extract.image_too_large",
            width=str(width),
            height=str(height),
            limit=f"{limits.max_image_pixels:,}",
        )


@contextmanager
def _open(path: Path, file_type: FileType, limits: ExtractLimits) -> Iterator[Image.Image]:
    if file_type is FileType.HEIC:
        _register_heif()
    try:
        with _pixel_limit(limits.max_image_pixels):
            image = Image.open(path, formats=[_PILLOW_FORMATS[file_type]])
    except Image.DecompressionBombError as exc:
        raise ExtractionError(
            "too_many_pixels", "extract.image_too_many_pixels", limit=f"{limits.max_image_pixels:,}"
        ) from exc
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        # Pillow's UnidentifiedImageError is an OSError; old plugins raise SyntaxError.
        raise corrupt("image") from exc
    with image:
        check_pixels(image.size, limits)
        yield image


def _frame_count(image: Image.Image) -> int:
    try:
        return int(getattr(image, "n_frames", 1))
    except (OSError, ValueError, EOFError) as exc:
        raise corrupt("image") from exc


def _load_frame(image: Image.Image, index: int, limits: ExtractLimits) -> Image.Image:
    try:
        if index:
            image.seek(index)
        # Every TIFF frame has its own size in its own header.
        check_pixels(image.size, limits)
        # A colour JPEG decodes straight to grayscale (a third of the memory); a no-op for
        # the other formats.
        image.draft("L", None)
        image.load()
        orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
        # Convert (and shrink) before turning: ImageOps.exif_transpose would copy the
        # full-colour image once more, doubling the peak memory of a large photo.
        gray = prepare_for_ocr(image, limits.max_render_pixels)
    except ExtractionError:
        raise
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise corrupt("image") from exc
    # A phone stores a photo as the sensor saw it, plus an EXIF tag saying how to turn it.
    turn = _UPRIGHT.get(orientation)
    return gray.transpose(turn) if turn is not None else gray


@contextmanager
def _pixel_limit(limit: int) -> Iterator[None]:
    # MAX_IMAGE_PIXELS is a Pillow module global: set it only around `open`, put it back.
    # Pillow warns between 1x and 2x the limit; check_pixels turns that case into an
    # error, so the warning would only be noise.
    saved = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = limit
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            yield
    finally:
        Image.MAX_IMAGE_PIXELS = saved


def _register_heif() -> None:
    # Registering a Pillow plugin is process-wide and idempotent; done on first use only,
    # so importing this package has no side effects.
    from pillow_heif import register_heif_opener

    register_heif_opener()
