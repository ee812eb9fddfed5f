"""Why a file could not be read (the reasons of `ExtractionError`s and of the file
reader's sandbox), by code. The English texts are the ones stored in the databases."""

from __future__ import annotations

_SUPPORTED_DE = (
    "Bitte eine PDF-Datei, eine Word-Datei (.docx), ein Foto (JPEG, PNG, TIFF, HEIC) oder "
    "eine Textdatei hochladen."
)
_SUPPORTED_EN = (
    "Please upload a PDF, a Word file (.docx), a photo (JPEG, PNG, TIFF, HEIC) or a text file."
)

EXTRACTION: dict[str, tuple[str, str]] = {
    "extract.empty": ("Die Datei ist leer.", "The file is empty."),
    "extract.program": (
        f"Das ist ein Programm, kein Dokument. {_SUPPORTED_DE}",
        f"This is a program, not a document. {_SUPPORTED_EN}",
    ),
    "extract.unknown_type": (
        f"Dieser Dateityp wird nicht unterstützt. {_SUPPORTED_DE}",
        f"This file type is not supported. {_SUPPORTED_EN}",
    ),
    "extract.zip": (
        f"ZIP-Archive werden nicht unterstützt: bitte die Dateien darin einzeln hochladen. "
        f"{_SUPPORTED_DE}",
        f"ZIP archives are not supported: please upload the files in it. {_SUPPORTED_EN}",
    ),
    "extract.xls": (
        "Das alte Excel-Format (.xls) wird nicht unterstützt. Bitte als PDF speichern.",
        "Old Excel format (.xls) is not supported. Please save it as PDF.",
    ),
    "extract.ppt": (
        "Das alte PowerPoint-Format (.ppt) wird nicht unterstützt. Bitte als PDF speichern.",
        "Old PowerPoint format (.ppt) is not supported. Please save it as PDF.",
    ),
    "extract.xlsx": (
        "Excel-Dateien (.xlsx) werden nicht unterstützt. Bitte als PDF speichern.",
        "Excel files (.xlsx) are not supported. Please save it as PDF.",
    ),
    "extract.pptx": (
        "PowerPoint-Dateien (.pptx) werden nicht unterstützt. Bitte als PDF speichern.",
        "PowerPoint files (.pptx) are not supported. Please save it as PDF.",
    ),
    "extract.legacy_word": (
        "Altes Word-Format (.doc): bitte als .docx speichern und erneut hochladen.",
        "Old Word format (.doc): please save it as .docx and upload again.",
    ),
    "extract.zip_damaged": (
        "Das ZIP-Archiv ist beschädigt und kann nicht gelesen werden.",
        "The ZIP archive is damaged and cannot be read.",
    ),
    "extract.corrupt_pdf": (
        "Die PDF-Datei ist beschädigt oder unvollständig und kann nicht gelesen werden.",
        "The PDF file is damaged or incomplete and cannot be read.",
    ),
    "extract.corrupt_docx": (
        "Die Word-Datei ist beschädigt oder unvollständig und kann nicht gelesen werden.",
        "The Word file is damaged or incomplete and cannot be read.",
    ),
    "extract.corrupt_text": (
        "Die Textdatei ist beschädigt oder unvollständig und kann nicht gelesen werden.",
        "The text file is damaged or incomplete and cannot be read.",
    ),
    "extract.corrupt_image": (
        "Das Bild ist beschädigt oder unvollständig und kann nicht gelesen werden.",
        "The image is damaged or incomplete and cannot be read.",
    ),
    "extract.docx_no_body": (
        "Die Word-Datei ist beschädigt: ihr Hauptdokument fehlt.",
        "The Word file is damaged: its main document is missing.",
    ),
    "extract.docx_many_files": (
        "Die Word-Datei wurde abgelehnt, weil sie {count} Dateien enthält; echte Dokumente "
        "tun das nie.",
        "The Word file was rejected because it holds {count} files; real documents never do.",
    ),
    "extract.docx_expands_to": (
        "Die Word-Datei wurde abgelehnt, weil sie entpackt {megabytes} MB groß würde; echte "
        "Dokumente tun das nie.",
        "The Word file was rejected because it would expand to {megabytes} MB; real "
        "documents never do.",
    ),
    "extract.docx_expands_times": (
        "Die Word-Datei wurde abgelehnt, weil sie entpackt {times}-mal so groß würde; echte "
        "Dokumente tun das nie.",
        "The Word file was rejected because it would expand {times} times; real documents "
        "never do.",
    ),
    "extract.encrypted": (
        "Die PDF-Datei ist mit einem Passwort geschützt. Bitte eine Kopie ohne Passwort hochladen.",
        "The PDF is protected with a password. Please upload a copy without the password.",
    ),
    "extract.image_too_large": (
        "Das Bild ist zu groß ({width} x {height} Pixel); höchstens {limit} Pixel sind erlaubt.",
        "The image is too large ({width} x {height} pixels); at most {limit} pixels are allowed.",
    ),
    "extract.image_too_many_pixels": (
        "Das Bild ist zu groß; höchstens {limit} Pixel sind erlaubt.",
        "The image is too large; at most {limit} pixels are allowed.",
    ),
    "extract.ocr_missing": (
        "Die Texterkennung (OCR) ist auf diesem Computer nicht installiert.",
        "Text recognition (OCR) is not installed on this computer.",
    ),
    "extract.ocr_language": (
        "Der Texterkennung fehlen die Daten für die Sprache(n) {languages}.",
        "Text recognition has no data for the language(s) {languages}.",
    ),
    "extract.ocr_failed": (
        "Die Texterkennung ist auf dieser Seite gescheitert.",
        "Text recognition failed on this page.",
    ),
    "extract.ocr_timeout": (
        "Die Texterkennung hat auf dieser Seite zu lange gebraucht und wurde abgebrochen.",
        "Text recognition took too long on this page and was stopped.",
    ),
    # The file reader's sandbox (appliance/reader/sandbox.py)
    "reader.crashed": (
        "Das Leseprogramm für Dateien wurde unerwartet beendet.",
        "The file reader stopped unexpectedly.",
    ),
    "reader.crashed_on_file": (
        "Die Datei hat das Leseprogramm abstürzen lassen; vielleicht ist sie beschädigt.",
        "The file made the reader crash; it may be damaged.",
    ),
    "reader.memory_unmeasured": (
        "Das Lesen der Datei brauchte zu viel Arbeitsspeicher.",
        "Reading the file needed too much memory.",
    ),
    "reader.unreadable": (
        "Die Datei konnte nicht gelesen werden.",
        "The file could not be read.",
    ),
    "reader.not_started": (
        "Das Leseprogramm für Dateien konnte nicht gestartet werden.",
        "The file reader could not be started.",
    ),
    "reader.timeout": (
        "Das Lesen der Datei dauerte länger als {seconds} Sekunden und wurde abgebrochen.",
        "Reading the file took longer than {seconds} seconds and was stopped.",
    ),
    "reader.memory": (
        "Das Lesen der Datei brauchte mehr als {megabytes} MB Arbeitsspeicher und wurde "
        "abgebrochen.",
        "Reading the file needed more than {megabytes} MB of memory and was stopped.",
    ),
    "document.bad_file_name": (
        "Der Dateiname des Dokuments ist ungültig.",
        "The document's file name is not valid.",
    ),
    "document.upload_missing": (
        "Die hochgeladene Datei ist nicht mehr da. Bitte erneut hochladen.",
        "The uploaded file is missing. Please upload it again.",
    ),
}
