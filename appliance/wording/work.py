"""What a person can do about a problem in the task view for people ("Aufgaben"), by code.

A document's failure code (`ExtractionError` and the lifecycle's) picks its advice; a
failure another try may help gets the retry advice, a project whose indexing failed the
advice to index it again.
"""

from __future__ import annotations

WORK: dict[str, tuple[str, str]] = {
    # What to do about a document that cannot be read: the file itself must change.
    "work.todo.encrypted": (
        "Bitte eine Kopie ohne Passwort hochladen.",
        "Please upload a copy without the password.",
    ),
    "work.todo.corrupt": (
        "Bitte neu speichern oder scannen und erneut hochladen.",
        "Please save or scan it again and upload the new file.",
    ),
    "work.todo.unsupported": (
        "Bitte als PDF speichern und diese Datei hochladen.",
        "Please save it as PDF and upload that file.",
    ),
    "work.todo.legacy_word": (
        "Bitte in Word als DOCX speichern und die DOCX-Datei hochladen.",
        "Please save it as DOCX in Word and upload the DOCX file.",
    ),
    "work.todo.zip_bomb": (
        "Bitte in Word öffnen, neu speichern und erneut hochladen.",
        "Please open it in Word, save it again and upload the new file.",
    ),
    "work.todo.too_many_pixels": (
        "Bitte verkleinern oder mit geringerer Auflösung scannen und erneut hochladen.",
        "Please make it smaller or scan it at a lower resolution and upload it again.",
    ),
    "work.todo.empty": (
        "Bitte die richtige Datei hochladen.",
        "Please upload the right file.",
    ),
    "work.todo.missing": (
        "Bitte das Dokument löschen und die Datei erneut hochladen.",
        "Please delete the document and upload the file again.",
    ),
    # Another try may help.
    "work.todo.retry": (
        "Bitte „Erneut versuchen“ wählen. Scheitert es wieder, die Datei neu speichern oder "
        "scannen und erneut hochladen.",
        "Please choose “Try again”. If it fails again, save or scan the file anew and upload "
        "it again.",
    ),
    "work.todo.reindex": (
        "Bitte „Neu erfassen“ wählen.",
        "Please choose “Index again”.",
    ),
    # Why a project's indexing stopped, where the project stores a code, not a sentence.
    "work.reason.purged": (
        "Abgebrochen: die Warteschlange wurde geleert.",
        "Cancelled: the waiting queue was emptied.",
    ),
    "work.reason.revoked": (
        "Das Erfassen wurde abgebrochen.",
        "Indexing was cancelled.",
    ),
    "work.reason.project_failed": (
        "Das Projekt konnte nicht für die Suche erfasst werden.",
        "The project could not be indexed for search.",
    ),
}
