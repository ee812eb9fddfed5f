"""Inputs for the benchmarks, made on the fly: project texts and documents of every kind.

Every generator is deterministic for a given index, and every document carries a unique
token so uploads are never deduplicated and each can be found by full-text search.
"""

from __future__ import annotations

import random
import textwrap
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from appliance import samples

TRADES: dict[str, tuple[list[str], list[str]]] = {
    "Sanitär": (
        ["Badsanierung", "Gäste-WC erneuern", "Wasserleitung tauschen", "Dusche bodengleich"],
        [
            "alte Wanne ausbauen und bodengleiche Dusche mit Glasabtrennung einbauen",
            "Hänge-WC mit Vorwandelement und neuer Waschtisch mit Unterschrank",
            "verzinkte Steigleitungen gegen Edelstahl-Pressrohr tauschen",
            "Rückstauklappe im Keller nachrüsten und Abwasserleitung spülen",
        ],
    ),
    "Heizung": (
        ["Wärmepumpe einbauen", "Gastherme tauschen", "Heizkörper erneuern", "Fußbodenheizung"],
        [
            "Luft-Wasser-Wärmepumpe mit Pufferspeicher und hydraulischem Abgleich",
            "alte Gastherme durch Brennwertgerät ersetzen, Abgasleitung im Schacht",
            "sieben Heizkörper mit neuen Thermostatventilen, Rohrleitungen gedämmt",
            "Fußbodenheizung im Erdgeschoss im Trockenbausystem nachrüsten",
        ],
    ),
    "Elektro": (
        ["Zählerschrank erneuern", "Wallbox installieren", "Altbau neu verkabeln", "PV-Anlage"],
        [
            "Zählerschrank nach TAB mit Überspannungsschutz und FI-Schutzschaltern",
            "Wallbox 11 kW in der Garage mit eigener Zuleitung und Lastmanagement",
            "komplette Neuverkabelung der Altbauwohnung, Schlitze stemmen und verputzen",
            "Photovoltaik 9,8 kWp auf dem Süddach mit Batteriespeicher",
        ],
    ),
    "Dach": (
        ["Dach neu eindecken", "Gaube einbauen", "Dachrinne erneuern", "Flachdach abdichten"],
        [
            "Tondachziegel neu eindecken mit Aufsparrendämmung und neuer Lattung",
            "Schleppgaube mit Holzfenster, Verkleidung in Zinkblech",
            "Dachrinnen und Fallrohre aus Kupfer tauschen, Traufe ausbessern",
            "Flachdach der Garage mit Bitumenbahnen zweilagig abdichten",
        ],
    ),
    "Maler": (
        ["Fassade streichen", "Treppenhaus renovieren", "Tapezieren", "Holzfenster lackieren"],
        [
            "Fassade reinigen, Risse verpressen und mit Silikatfarbe zweimal streichen",
            "Treppenhaus über vier Etagen spachteln und in hellem Grau streichen",
            "Raufaser in drei Zimmern entfernen, Vlies tapezieren und streichen",
            "Holzfenster abschleifen, grundieren und mit Dickschichtlasur lackieren",
        ],
    ),
    "Tischler": (
        ["Einbauschrank", "Küche montieren", "Haustür erneuern", "Treppe renovieren"],
        [
            "Einbauschrank unter der Dachschräge aus Eiche mit Schiebetüren",
            "Einbauküche aufmessen, liefern und montieren, Arbeitsplatte aus Stein",
            "Haustür aus Holz mit Dreifachverglasung und Mehrfachverriegelung",
            "Holztreppe abschleifen, Stufen ölen und neues Geländer anbringen",
        ],
    ),
}
CITIES = ["Köln", "Bonn", "Düsseldorf", "Leverkusen", "Brühl", "Hürth", "Bergisch Gladbach"]
CUSTOMERS = ["Schneider", "Müller", "Weber", "Fischer", "Becker", "Hoffmann", "Schäfer", "Koch"]
PHASES = ["angefragt", "angeboten", "beauftragt", "abgeschlossen"]
EXTRAS = [
    "Gerüst wird gestellt.",
    "Altmaterial wird entsorgt.",
    "Arbeiten nur vormittags wegen Homeoffice des Kunden.",
    "Schlüssel beim Nachbarn.",
    "Material bauseits teilweise vorhanden.",
    "Termin nach Absprache im Frühjahr.",
]


def _sentence(words: str) -> str:
    return words[0].upper() + words[1:] + "."


def project_body(index: int) -> dict[str, Any]:
    """A plausible German project for the API, different for every `index`."""
    rng = random.Random(index)
    trade = rng.choice(sorted(TRADES))
    names, works = TRADES[trade]
    customer = rng.choice(CUSTOMERS)
    # As long as the seed's fixture projects (10-20 words): one job, sometimes a remark.
    parts = [_sentence(rng.choice(works))]
    if rng.random() < 0.5:
        parts.append(rng.choice(EXTRAS))
    description = " ".join(parts)
    start = date(2022, 1, 1) + timedelta(days=rng.randrange(1200))
    return {
        "name": f"{rng.choice(names)} {customer} {index}",
        "trade": trade,
        "customer": f"Familie {customer}",
        "city": rng.choice(CITIES),
        "phase": rng.choice(PHASES),
        "description": description,
        "estimated_cost": rng.randrange(800, 60000),
        "start_date": start.isoformat(),
    }


def embedding_text(body: dict[str, Any]) -> str:
    """What the appliance embeds for this project (name, trade, description)."""
    return "\n".join(str(body[key]).strip() for key in ("name", "trade", "description"))


def token(kind: str, index: int) -> str:
    """A word that occurs in exactly one generated document."""
    return f"bench{kind}{index:05d}x"


def letter_text(index: int, kind: str) -> str:
    """A page of a German business letter with the document's unique token."""
    rng = random.Random(f"{kind}{index}")
    _names, works = TRADES[rng.choice(sorted(TRADES))]
    lines = [
        f"Rechnung {token(kind, index)} für {rng.choice(CUSTOMERS)} in {rng.choice(CITIES)}",
        "Sehr geehrte Damen und Herren,",
        "wir danken für Ihren Auftrag und berechnen unsere Leistungen wie folgt:",
    ]
    lines += [f"Position {n}: {rng.choice(works)}, {rng.randrange(90, 4000)} €" for n in range(8)]
    lines += ["Zahlbar innerhalb von 14 Tagen ohne Abzug.", "Mit freundlichen Grüßen"]
    return "\n".join(lines)


def text_pdf(folder: Path, index: int) -> Path:
    """A two-page PDF with a text layer."""
    pages = [letter_text(index, "pdf"), letter_text(index + 100000, "pdf")]
    return samples.text_pdf(folder / f"rechnung-{index}.pdf", pages)


def docx(folder: Path, index: int) -> Path:
    """A Word file with paragraphs, a table and a header."""
    return samples.docx_file(
        folder / f"angebot-{index}.docx",
        letter_text(index, "docx").splitlines(),
        table=[["Position", "Preis"], ["Material", "1.200 €"], ["Arbeit", "2.300 €"]],
        header="Müller Haustechnik GmbH",
    )


def txt(folder: Path, index: int) -> Path:
    """A UTF-8 text note."""
    return samples.utf8_txt(folder / f"notiz-{index}.txt", letter_text(index, "txt"))


SCAN_DPI = 200
A4_INCHES = (8.27, 11.69)


def scanned_letter(folder: Path, index: int) -> Path:
    """A one-page image-only PDF: an A4 letter scanned at 200 dpi, bilevel, as offices do."""
    width, height = (round(side * SCAN_DPI) for side in A4_INCHES)
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    face = samples.font(30)  # about 11 pt at 200 dpi
    y = 160
    for line in letter_text(index, "scan").splitlines():
        for part in textwrap.wrap(line, 70) or [""]:
            draw.text((150, y), part, font=face, fill=0)
            y += 52
        y += 20
    path = folder / f"scan-{index}.pdf"
    page.convert("1").save(path, format="PDF", resolution=float(SCAN_DPI))
    return path


@dataclass(frozen=True)
class PaddedPdf:
    """A text PDF of about `size` bytes: one text page plus an embedded photo-like image."""

    content: bytes
    word: str


def padded_pdf(size: int, index: int) -> PaddedPdf:
    """A PDF of `size` bytes (±1 KB) whose bulk is an incompressible image XObject.

    The page has a text layer, so the appliance reads it without OCR; the image stands
    for the photos that make real PDFs large, and is unique per `index` so uploads are
    never duplicates.
    """
    word = token("big", index)
    text = f"(Bauplan {word} mit Fotos der Baustelle)".encode("ascii")
    content = b"BT /F1 12 Tf 50 780 Td " + text + b" Tj ET"
    pixels = max(1, size - 1200)
    side = int(pixels**0.5) or 1
    rows = -(-pixels // side)
    image = random.Random(index).randbytes(side * rows)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 3 0 R >> /XObject << /Im1 6 0 R >> >> >>",
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray"
        b" /BitsPerComponent 8 /Length %d >>\nstream\n"
        % (side, rows, len(image))
        + image
        + b"\nendstream",
    ]
    return PaddedPdf(samples.assemble_pdf(objects), word)
