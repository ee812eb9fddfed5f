"""Sample documents of every supported kind, written on the fly.

Used by `appliance selftest` (which uploads one file of each type) and by the tests.
Texts with a text layer come back exactly; texts drawn into pixels are meant for OCR.
The font is DejaVu Sans where the system has it, else Pillow's built-in scalable font.
"""

from __future__ import annotations

import textwrap
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from PIL import Image, ImageDraw, ImageFont

INVOICE = (
    "Rechnung Nr. 2024-117 für Badsanierung, Fliesenarbeiten und Überprüfung "
    "der Heizungsanlage, Größe 12 m², Betrag 1.250,00 €"
)


QUOTE = "Angebot für Dachdeckerarbeiten: Schäden an der Traufe, Gerüst und Entsorgung"


# Words OCR must find in a picture of INVOICE / QUOTE (see `missing_words`).
INVOICE_WORDS = ("Rechnung", "2024-117", "Badsanierung", "Fliesenarbeiten", "Überprüfung")


QUOTE_WORDS = ("Angebot", "Dachdeckerarbeiten", "Schäden", "Traufe", "Entsorgung")


_DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


EXIF_ORIENTATION = 0x0112


# Clockwise display rotation -> (EXIF orientation tag, how the upright picture is stored).
TURNED = {
    90: (6, Image.Transpose.ROTATE_90),  # stored turned counter-clockwise
    180: (3, Image.Transpose.ROTATE_180),
    270: (8, Image.Transpose.ROTATE_270),
}


def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans if installed (Linux), else Pillow's built-in scalable font."""
    if _DEJAVU.is_file():
        return ImageFont.truetype(str(_DEJAVU), size)
    return ImageFont.load_default(size=size)


def render_text(text: str, *, size: int = 48, width: int = 36, mode: str = "L") -> Image.Image:
    """Black text on white, wrapped at `width` characters, `size` px high letters."""
    lines = textwrap.wrap(text, width) or [""]
    face = font(size)
    margin, leading = size, int(size * 1.5)
    line_width = max(int(face.getlength(line)) for line in lines)
    image = Image.new("L", (line_width + 2 * margin, len(lines) * leading + 2 * margin), 255)
    draw = ImageDraw.Draw(image)
    for number, line in enumerate(lines):
        draw.text((margin, margin + number * leading), line, font=face, fill=0)
    return image.convert(mode)


def text_image(
    path: Path,
    text: str,
    format: str = "PNG",
    rotate: int = 0,
    size: tuple[int, int] | None = None,
) -> Path:
    """A photo or scan of `text`.

    `rotate` (0, 90, 180 or 270) makes it a phone photo taken turned: the pixels are
    stored turned, and the EXIF orientation tag says to turn them `rotate` degrees
    clockwise for display (90 is tag 6, 180 tag 3, 270 tag 8). `size` puts the text on a
    white canvas of that many pixels (width, height).
    """
    image = render_text(text, mode="RGB")
    if size is not None:
        canvas = Image.new("RGB", size, "white")
        canvas.paste(image, (0, 0))
        image = canvas
    options: dict[str, object] = {"quality": 90} if format == "JPEG" else {}
    if rotate:
        orientation, stored_as = TURNED[rotate]
        image = image.transpose(stored_as)
        exif = Image.Exif()
        exif[EXIF_ORIENTATION] = orientation
        options["exif"] = exif.tobytes()
    image.save(path, format=format, **options)
    return path


def tiff_pages(path: Path, texts: Sequence[str]) -> Path:
    """A multi-page bilevel TIFF with CCITT Group 4 compression, like an office scanner's."""
    frames = [render_text(text, mode="1") for text in texts]
    frames[0].save(
        path, format="TIFF", save_all=True, append_images=frames[1:], compression="group4"
    )
    return path


def heic_image(path: Path, text: str) -> Path:
    """An iPhone-style HEIC photo of `text`."""
    from pillow_heif import register_heif_opener

    register_heif_opener()
    render_text(text, mode="RGB").save(path, format="HEIF", quality=90)
    return path


@dataclass(frozen=True)
class PdfPage:
    text: str = ""
    scan: Image.Image | None = None
    size: tuple[float, float] = (595.0, 842.0)  # A4 in points
    # A second content stream in a filter no reader knows: pypdf raises on the page.
    broken: bool = False


def text_pdf(path: Path, pages: Sequence[str]) -> Path:
    """A PDF with a real text layer (Helvetica, WinAnsiEncoding), one string per page."""
    return write_pdf(path, [PdfPage(text=text) for text in pages])


def scanned_pdf(path: Path, text: str | Sequence[str]) -> Path:
    """An image-only PDF, one bilevel CCITT-compressed page per text, as Pillow writes it."""
    texts = [text] if isinstance(text, str) else list(text)
    frames = [render_text(one, mode="1") for one in texts]
    frames[0].save(path, format="PDF", resolution=200.0, save_all=True, append_images=frames[1:])
    return path


def scan_page(image: Image.Image, dpi: float = 200.0) -> PdfPage:
    return PdfPage(scan=image.convert("L"), size=(image.width * 72 / dpi, image.height * 72 / dpi))


def _pdf_string(text: str) -> bytes:
    escaped = bytearray(b"(")
    for byte in text.encode("cp1252"):
        if byte in b"()\\":
            escaped += b"\\" + bytes([byte])
        elif 32 <= byte < 127:
            escaped.append(byte)
        else:
            escaped += b"\\%03o" % byte
    return bytes(escaped + b")")


def _content(page: PdfPage) -> bytes:
    if page.scan is not None:
        width, height = page.size
        return b"q %.2f 0 0 %.2f 0 0 cm /Im1 Do Q" % (width, height)
    lines = [b"BT /F1 12 Tf 14 TL 50 %.2f Td" % (page.size[1] - 60)]
    for line in page.text.splitlines() or [""]:
        for part in textwrap.wrap(line, 85) or [""]:
            lines.append(_pdf_string(part) + b" Tj T*")
    return b"\n".join([*lines, b"ET"])


def _stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (dictionary, len(data), data)


def write_pdf(path: Path, pages: Sequence[PdfPage]) -> Path:
    path.write_bytes(pdf_bytes(pages))
    return path


def pdf_bytes(pages: Sequence[PdfPage]) -> bytes:
    # Object numbers: 1 catalog, 2 page tree, 3 font, then per page: its content stream(s),
    # its image if scanned, the page itself.
    objects: list[bytes] = [
        b"",
        b"",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    kids = []
    for page in pages:
        objects.append(_stream(b"", _content(page)))
        content = b"%d 0 R" % len(objects)
        if page.broken:
            objects.append(_stream(b"/Filter /NoSuchDecode", b"BT ET"))
            content = b"[%s %d 0 R]" % (content, len(objects))
        resources = b"/Font << /F1 3 0 R >>"
        if page.scan is not None:
            image = page.scan
            objects.append(
                _stream(
                    b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray"
                    b" /BitsPerComponent 8 /Filter /FlateDecode" % image.size,
                    zlib.compress(image.tobytes()),
                )
            )
            resources += b" /XObject << /Im1 %d 0 R >>" % len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Contents %s"
            b" /Resources << %s >> >>" % (*page.size, content, resources)
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))

    return assemble_pdf(objects)


def assemble_pdf(objects: list[bytes]) -> bytes:
    """A PDF file of numbered objects (object 1 the catalog) with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def docx_file(
    path: Path,
    paragraphs: Sequence[str],
    table: Sequence[Sequence[str]] | None = None,
    header: str | None = None,
    footer: str | None = None,
) -> Path:
    """A Word document: paragraphs, then an optional table (rows of cell texts), with an
    optional header and footer."""
    word_document(paragraphs, table, header, footer).save(str(path))
    return path


def word_document(
    paragraphs: Sequence[str],
    table: Sequence[Sequence[str]] | None,
    header: str | None,
    footer: str | None,
) -> DocxDocument:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=max(len(row) for row in table))
        for cells, row in zip(grid.rows, table, strict=False):
            for cell, text in zip(cells.cells, row, strict=False):
                cell.text = text
    section = document.sections[0]
    if header is not None:
        section.header.paragraphs[0].text = header
    if footer is not None:
        section.footer.paragraphs[0].text = footer
    return document


def cp1252_txt(path: Path, text: str) -> Path:
    """Text as Windows Notepad wrote it before 2019: Windows-1252, CRLF line ends."""
    path.write_bytes(text.replace("\n", "\r\n").encode("cp1252"))
    return path


def utf8_txt(path: Path, text: str, *, bom: bool = False) -> Path:
    """UTF-8 text, with the byte-order mark Windows tools like to write if `bom`."""
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode())
    return path
