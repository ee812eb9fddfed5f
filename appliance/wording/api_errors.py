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
    # Projects
    "project_not_found": (
        "Es gibt kein Projekt mit der Kennung '{id}'.",
        "No project with id '{id}'.",
    ),
    "projects_not_found": (
        "Diese Projekte gibt es nicht: {ids}.",
        "No projects with ids {ids}.",
    ),
    "project_sort_unknown": (
        "Nach '{field}' kann nicht sortiert werden; möglich ist: {allowed}.",
        "Cannot sort by '{field}'; use one of {allowed}.",
    ),
    "similar_during_model_change": (
        "Das Projekt wurde angelegt, während das Suchmodell wechselt: ähnliche Aufträge "
        "erscheinen, sobald das neue Modell die Suche übernimmt.",
        "Project {id} was added while the search model changes; similar projects are "
        "available once the new model answers searches.",
    ),
    "similar_not_indexed": (
        "Das Projekt ist noch nicht für die Suche erfasst: ähnliche Aufträge erscheinen, "
        "sobald es erfasst ist.",
        "Project {id} has no embedding yet (status {status}); similar projects are "
        "available once it is indexed.",
    ),
    "price_hint_during_model_change": (
        "Das Projekt wurde angelegt, während das Suchmodell wechselt: die Kalkulationshilfe "
        "erscheint, sobald das neue Modell die Suche übernimmt.",
        "Project {id} was added while the search model changes; its price hint is "
        "available once the new model answers searches.",
    ),
    "price_hint_not_indexed": (
        "Das Projekt ist noch nicht für die Suche erfasst: die Kalkulationshilfe erscheint, "
        "sobald es erfasst ist.",
        "Project {id} has no embedding yet (status {status}); its price hint is "
        "available once it is indexed.",
    ),
    "no_vector_store_to_rebuild": (
        "Dieser Prozess hat keinen Suchindex, der neu aufgebaut werden könnte.",
        "This process has no vector store to rebuild.",
    ),
    "search_runs_in_app": (
        "Dieser Prozess hat keinen Suchindex; die Suche läuft im Programm selbst.",
        "This process has no vector store; search runs in the app.",
    ),
    "search_unavailable": (
        "Die Suche ist gerade nicht verfügbar: {reason}",
        "The search is not available right now: {reason}",
    ),
    "no_vector_store_here": (
        "Dieser Prozess verwaltet keinen Suchindex.",
        "This process does not own a vector store.",
    ),
    "vector_points_invalid": (
        "Die Suchvektoren passen nicht: {reason}",
        "The vectors are not valid: {reason}",
    ),
    # Documents
    "document_not_found": (
        "Es gibt kein Dokument mit der Kennung '{id}'.",
        "No document with id '{id}'.",
    ),
    "document_file_missing": (
        "Die Originaldatei dieses Dokuments fehlt.",
        "The original file of this document is missing.",
    ),
    "uploaded_file_not_found": (
        "Es gibt keine hochgeladene Datei '{name}'.",
        "No uploaded file '{name}'.",
    ),
    "retry_only_failed": (
        "Nur fehlgeschlagene Dokumente können erneut verarbeitet werden; dieses ist {status}.",
        "Only failed documents can be retried; this one is {status}.",
    ),
    # Uploads
    "upload_too_large": (
        "Die Datei ist größer als die erlaubten {megabytes} MB.",
        "The file is larger than the limit of {megabytes} MB.",
    ),
    "upload_too_many_parts": (
        "Das Hochgeladene konnte nicht gelesen werden: mehr als {parts} Formularteile.",
        "The upload could not be read: more than {parts} form parts.",
    ),
    "upload_header_too_long": (
        "Das Hochgeladene konnte nicht gelesen werden: ein Kopf ist zu lang.",
        "The upload could not be read: a part header is too long.",
    ),
    "upload_part_unnamed": (
        "Das Hochgeladene konnte nicht gelesen werden: einem Teil fehlt sein Name "
        "(Content-Disposition).",
        "The upload could not be read: a part has no Content-Disposition header.",
    ),
    "upload_one_file": (
        "Bitte jede Datei einzeln hochladen.",
        "The upload could not be read: only one file per upload.",
    ),
    "upload_field_too_long": (
        "Das Hochgeladene konnte nicht gelesen werden: das Feld '{field}' ist zu lang.",
        "The upload could not be read: the field '{field}' is too long.",
    ),
    "upload_not_multipart": (
        "Bitte die Datei als multipart/form-data senden.",
        "The upload could not be read: send the file as multipart/form-data.",
    ),
    "upload_unreadable": (
        "Das Hochgeladene konnte nicht gelesen werden: {reason}.",
        "The upload could not be read: {reason}.",
    ),
    "upload_no_file": (
        "Es wurde keine Datei gesendet: bitte die Datei als Formularfeld 'file' anhängen.",
        "No file was sent: add the file as form field 'file'.",
    ),
    # Tasks
    "task_not_found": (
        "Es gibt keine Aufgabe mit der Kennung '{id}'.",
        "No task with id '{id}' is known.",
    ),
    "task_state_unknown": (
        "Den Zustand '{state}' gibt es nicht; möglich ist: {allowed}.",
        "Unknown state '{state}'; use one of {allowed}.",
    ),
    "queue_unknown": (
        "Die Warteschlange '{queue}' gibt es nicht; diese Installation hat: {known}.",
        "Unknown queue '{queue}'; this installation has: {known}.",
    ),
    "revoke_finished": (
        "Die Aufgabe ist schon beendet ({state}); es gibt nichts zu widerrufen.",
        "Task {id} has already finished ({state}); nothing to revoke.",
    ),
    "revoke_running": (
        "Die Aufgabe läuft gerade; zum Anhalten mit ?terminate=true widerrufen.",
        "Task {id} is running; revoke it with ?terminate=true to stop it.",
    ),
    "retry_task_not_failed": (
        "Die Aufgabe ist {state}; nur fehlgeschlagene oder widerrufene Aufgaben können "
        "wiederholt werden.",
        "Task {id} is {state}; only FAILURE or REVOKED tasks can be retried.",
    ),
    # Backups
    "backup_not_found": (
        "Es gibt keine Datensicherung '{id}'.",
        "No backup '{id}'.",
    ),
    "backup_none_yet": (
        "Es gibt noch keine Datensicherung.",
        "There is no backup archive yet.",
    ),
    "backup_on_postgres": (
        "Die Datenbank liegt auf einem PostgreSQL-Server: bitte dort sichern (pg_dump), "
        "zusammen mit dem Ordner der hochgeladenen Dateien. Diese Datensicherung gilt nur "
        "für eine Installation auf einem PC.",
        "The app database is on a PostgreSQL server: back it up there (pg_dump), and the "
        "uploads folder with it. This backup covers a single-PC installation only.",
    ),
    # The server and its guards
    "not_started_by_launcher": (
        "Dieser Server wurde nicht vom Programm gestartet und kann hier nicht beendet werden.",
        "This server was not started by the launcher.",
    ),
    "wrong_password": ("Das Passwort stimmt nicht.", "Wrong password."),
    "too_many_passwords": (
        "Zu viele falsche Passwörter. Bitte {seconds} Sekunden warten und erneut versuchen.",
        "Too many wrong passwords. Please wait {seconds} seconds and try again.",
    ),
    "unknown_host": (
        "Unter dieser Adresse ist die Appliance nicht erreichbar (unbekannter Rechnername).",
        "This address is not allowed to reach the appliance (unknown host name).",
    ),
    "internal_only": (
        "Diese Adresse ist nur für die Arbeitsprozesse der Appliance.",
        "This endpoint is for the appliance's own worker processes.",
    ),
    "login_needed": (
        "Bitte anmelden, um die Appliance zu benutzen.",
        "Please log in to use the appliance.",
    ),
    "cross_site": (
        "Anfragen von anderen Webseiten sind nicht erlaubt.",
        "Requests from other web sites are not allowed.",
    ),
    "token_invalid": (
        "Der Zugangsschlüssel dieses Links gehört nicht zu dieser Appliance.",
        "This link's access token is not valid for this appliance.",
    ),
    "address_has_nul": (
        "Die Adresse enthält ein NUL-Zeichen (%00); so kann nichts gespeichert oder gesucht "
        "werden.",
        "The address contains a NUL character (%00); it cannot be stored or searched.",
    ),
    "body_too_large": (
        "Die Anfrage ist zu groß (hier sind höchstens {kilobytes} kB erlaubt).",
        "The request is too large (at most {kilobytes} kB are accepted here).",
    ),
    # links of documents to projects (PATCH /api/v1/documents/{id})
    "trash_item_not_found": (
        "Das ist nicht (mehr) im Papierkorb – vielleicht wurde es schon wiederhergestellt "
        "oder endgültig gelöscht.",
        "Item {id} is not (or no longer) in the trash; it may have been restored or removed.",
    ),
    "trash_restore_exists": (
        "„{name}“ ist schon wieder da und wird nicht ein zweites Mal angelegt.",
        "'{name}' exists again; it is not restored a second time.",
    ),
    "trash_restore_duplicate": (
        "„{name}“ kann nicht wiederhergestellt werden: dieselbe Datei ist als „{other}“ "
        "schon wieder hochgeladen.",
        "'{name}' cannot be restored: the same file was uploaded again as '{other}'.",
    ),
    "trash_file_missing": (
        "„{name}“ kann nicht wiederhergestellt werden: die Datei fehlt im Ablageordner.",
        "'{name}' cannot be restored: its file is missing from the uploads folder.",
    ),
    "suggestions_not_read": (
        "Das Dokument wird noch gelesen: passende Projekte lassen sich vorschlagen, sobald "
        "sein Text erkannt ist.",
        "The document is still being read (status {status}); projects can be suggested once "
        "its text is extracted.",
    ),
    "suggestions_no_text": (
        "Vom Dokument konnte kein Text gelesen werden: ohne Text lässt sich kein Projekt "
        "vorschlagen. Bitte selbst zuordnen.",
        "No text could be read from the document; without text no project can be suggested. "
        "Please link it yourself.",
    ),
    "link_document_not_found": (
        "Dieses Dokument gibt es nicht (mehr) – vielleicht wurde es gelöscht.",
        "This document does not exist (any more) – it may have been deleted.",
    ),
    "link_project_not_found": (
        "Dieses Projekt gibt es nicht (mehr) – vielleicht wurde es gelöscht.",
        "This project does not exist (any more) – it may have been deleted.",
    ),
    # end of links
}
