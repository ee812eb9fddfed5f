"""Errors of the HTTP API (`AppError` codes), by code."""

from __future__ import annotations

API_ERRORS: dict[str, tuple[str, str]] = {
    # Failed documents and tasks: a retry that cannot help says why and what to do instead.
    "document_not_retryable": (
        "Ein neuer Versuch hilft bei diesem Dokument nicht: die Datei selbst kann nicht "
        "gelesen werden. Bitte eine lesbare Fassung hochladen.",
        "Trying again cannot help with this document: the file itself cannot be read. "
        "Please upload a readable version.",
    ),
    "document_not_retryable.corrupt": (
        "Ein neuer Versuch hilft nicht: die Datei ist beschädigt. Bitte neu speichern oder "
        "scannen und erneut hochladen.",
        "Trying again cannot help: the file is damaged. Please save or scan it again and "
        "upload the new file.",
    ),
    "document_not_retryable.encrypted": (
        "Ein neuer Versuch hilft nicht: die Datei ist mit einem Passwort geschützt. Bitte "
        "eine Kopie ohne Passwort hochladen.",
        "Trying again cannot help: the file is protected with a password. Please upload a "
        "copy without the password.",
    ),
    "document_not_retryable.unsupported": (
        "Ein neuer Versuch hilft nicht: dieser Dateityp wird nicht unterstützt. Bitte als "
        "PDF speichern und diese Datei hochladen.",
        "Trying again cannot help: this file type is not supported. Please save it as PDF "
        "and upload that file.",
    ),
    "document_not_retryable.legacy_word": (
        "Ein neuer Versuch hilft nicht: alte Word-Dateien (.doc) werden nicht gelesen. "
        "Bitte in Word als .docx speichern und diese Datei hochladen.",
        "Trying again cannot help: old Word files (.doc) are not read. Please save it as "
        ".docx in Word and upload that file.",
    ),
    "document_not_retryable.zip_bomb": (
        "Ein neuer Versuch hilft nicht: die Datei ist verdächtig stark gepackt. Bitte in "
        "Word öffnen, neu speichern und erneut hochladen.",
        "Trying again cannot help: the file is suspiciously compressed. Please open it in "
        "Word, save it again and upload the new file.",
    ),
    "document_not_retryable.too_many_pixels": (
        "Ein neuer Versuch hilft nicht: das Bild ist zu groß. Bitte verkleinern oder mit "
        "geringerer Auflösung scannen und erneut hochladen.",
        "Trying again cannot help: the picture is too large. Please make it smaller or "
        "scan it at a lower resolution and upload it again.",
    ),
    "document_not_retryable.empty": (
        "Ein neuer Versuch hilft nicht: die Datei ist leer. Bitte die richtige Datei hochladen.",
        "Trying again cannot help: the file is empty. Please upload the right file.",
    ),
    "document_not_retryable.missing": (
        "Ein neuer Versuch hilft nicht: die hochgeladene Datei ist nicht mehr vorhanden. "
        "Bitte das Dokument löschen und die Datei erneut hochladen.",
        "Trying again cannot help: the uploaded file is no longer there. Please delete the "
        "document and upload the file again.",
    ),
    "task_not_retryable": (
        "Ein Neustart hilft hier nicht: „{subject}“ scheitert jedes Mal gleich. Der Grund "
        "steht bei der Aufgabe.",
        "Running it again cannot help: “{subject}” fails the same way every time. The "
        "reason is shown with the task.",
    ),
    "internal_error": (
        "Interner Fehler. Das Protokoll der Appliance enthält die Einzelheiten.",
        "Internal error. The appliance log has the details.",
    ),
    "no_such_address": ("Diese Adresse gibt es nicht.", "There is no such address."),
    "method_not_allowed": (
        "Diese Aktion ist unter dieser Adresse nicht möglich.",
        "This method is not allowed at this address.",
    ),
    "request_invalid": (
        "Diese Angaben passen nicht: {fields}.",
        "These fields are not valid: {fields}.",
    ),
}
