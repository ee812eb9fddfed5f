"""Why a task, a document's processing or a backup stopped, as the task engine, the
document lifecycle and the backups write it into the databases, by code.

The English texts are the stored ones (the ledger's `error`, a document's `error`, a
project's `embedding_error`, a backup's `error`); `reword` shows them in the reader's
language. A task that failed on an error of the program itself ("ValueError: ...") is no
catalog message and stays as it was written; so do the codes written where a message
could be ("revoked", "purged" as a project's `embedding_error`: the UI translates them).
"""

from __future__ import annotations

PROCESSING: dict[str, tuple[str, str]] = {
    # The task engine (appliance/tasking, the launcher, the workers, the worker node)
    "task.soft_limit": (
        "Zeitlimit überschritten: die Aufgabe wurde angehalten.",
        "soft time limit exceeded",
    ),
    "task.hard_limit": (
        "Zeitlimit deutlich überschritten: die Aufgabe wurde abgebrochen.",
        "hard time limit exceeded",
    ),
    "task.worker_died": (
        "Der Worker {worker} ist während der Aufgabe abgestürzt.",
        "worker {worker} died while running the task",
    ),
    "task.worker_replaced": (
        "Der Worker {worker} wurde für eine andere Aufgabe beendet.",
        "worker {worker} was stopped for another task",
    ),
    "task.worker_silent": (
        "Der Worker {worker} hat nicht mehr geantwortet.",
        "worker {worker} stopped answering",
    ),
    "task.worker_restarted": (
        "Der Worker {worker} wurde während der Aufgabe neu gestartet.",
        "worker {worker} restarted while the task ran",
    ),
    "task.launcher_gone": (
        "Das Hauptprogramm wurde während der Aufgabe beendet.",
        "launcher exited while the task ran",
    ),
    "task.appliance_stopped": (
        "HandwerkML wurde während der Aufgabe beendet.",
        "the appliance stopped while the task ran",
    ),
    "task.node_stopped": (
        "Der Worker-Knoten wurde während der Aufgabe beendet.",
        "the worker node stopped while the task ran",
    ),
    # A document's processing (appliance/documents/lifecycle.py, reconcile.py)
    "document.tried_again": (
        "{reason} Es wird erneut versucht.",
        "{reason} It will be tried again.",
    ),
    "document.cancelled": ("Die Verarbeitung wurde abgebrochen.", "Processing was cancelled."),
    "document.purged": (
        "Die Verarbeitung wurde abgebrochen: die Warteschlange wurde geleert. Bitte erneut "
        "starten.",
        "Processing was cancelled: the waiting queue was emptied. Start it again.",
    ),
    "document.too_long": (
        "Die Verarbeitung hat zu lange gedauert und wurde abgebrochen.",
        "Processing took too long and was stopped.",
    ),
    "document.failed": ("Die Verarbeitung ist fehlgeschlagen.", "Processing failed."),
    # A backup's record (appliance/backups): one problem per line
    "backup.interrupted": (
        "HandwerkML wurde beendet, während die Datensicherung lief.",
        "The appliance stopped while the backup ran.",
    ),
    "backup.upload_changed": (
        "Die hochgeladene Datei {name} passt nicht mehr zur Prüfsumme vom Hochladen: sie "
        "wurde auf der Festplatte verändert oder beschädigt.",
        "The uploaded file {name} does not match the checksum taken at upload: it was "
        "changed or damaged on disk.",
    ),
    "backup.upload_missing": (
        "Die Datei des Dokuments {document} ({name}) fehlt im Ordner der hochgeladenen Dateien.",
        "The file of document {document} ({name}) is missing from the uploads folder.",
    ),
}
