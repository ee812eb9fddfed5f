// Every text of the UI, German first and English second on the same line, so that a key
// cannot exist in one language only. Codes the API sends (states, stages, phases, error
// codes) are translated here too; tests/test_ui_i18n.py checks them against the enums.
const MESSAGES = {
  "app.title": ["HandwerkML – Büro", "HandwerkML – Office"],
  "app.skip": ["Zum Inhalt springen", "Skip to content"],
  "app.noscript": ["Diese Seite braucht JavaScript.", "This page needs JavaScript."],
  "nav.label": ["Hauptnavigation", "Main navigation"],
  "nav.documents": ["Dokumente", "Documents"],
  "nav.projects": ["Projekte", "Projects"],
  "nav.tasks": ["Aufgaben", "Tasks"],
  "lang.label": ["Sprache", "Language"],
  "conn.checking": ["Verbinde …", "Connecting …"],
  "conn.offline": ["Nicht verbunden", "Not connected"],
  "conn.banner": ["Die Appliance antwortet nicht – vielleicht wurde sie beendet. Die Seite verbindet sich automatisch wieder, sobald sie läuft.", "The appliance does not answer – it may have been stopped. The page reconnects by itself as soon as it runs again."],
  "conn.back": ["Wieder verbunden.", "Connected again."],
  "conn.status": ["{health} · {workers} Worker", "{health} · {workers} workers"],
  "health.healthy": ["Betriebsbereit", "Healthy"],
  "health.unhealthy": ["Gestört", "Unhealthy"],
  "common.close": ["Schließen", "Close"],
  "common.cancel": ["Abbrechen", "Cancel"],
  "common.save": ["Speichern", "Save"],
  "common.delete": ["Löschen", "Delete"],
  "common.retry": ["Erneut versuchen", "Try again"],
  "common.all": ["Alle", "All"],
  "common.search": ["Suchen", "Search"],
  "common.reset": ["Zurücksetzen", "Reset"],
  "common.actions": ["Aktionen", "Actions"],
  "common.empty": ["Keine Einträge.", "No entries."],
  "common.prev": ["Vorherige Seite", "Previous page"],
  "common.next": ["Nächste Seite", "Next page"],
  "common.range": ["{from}–{to} von {count}", "{from}–{to} of {count}"],
  "common.dismiss": ["Meldung schließen", "Dismiss message"],
  "common.details": ["Details", "Details"],
  "error.network": ["Keine Verbindung zur Appliance.", "No connection to the appliance."],
  "error.400": ["Die Anfrage wurde abgelehnt.", "The request was refused."],
  "error.404": ["Nicht gefunden – vielleicht wurde es gerade gelöscht.", "Not found – it may just have been deleted."],
  "error.409": ["Das ist gerade nicht möglich.", "This is not possible right now."],
  "error.413": ["Die Datei ist zu groß.", "The file is too large."],
  "error.415": ["Dieser Dateityp wird nicht unterstützt.", "This file type is not supported."],
  "error.422": ["Bitte die Eingaben prüfen.", "Please check the input."],
  "error.500": ["Interner Fehler in der Appliance. Das Protokoll enthält die Einzelheiten.", "Internal error in the appliance. The log has the details."],
  "error.503": ["Die Appliance ist gerade nicht bereit.", "The appliance is not ready right now."],
  "error.other": ["Unerwartete Antwort der Appliance (HTTP {status}).", "Unexpected answer from the appliance (HTTP {status})."],
  "error.script": ["Fehler in der Oberfläche: {message}", "Error in the user interface: {message}"],
  "docs.heading": ["Dokumente", "Documents"],
  "docs.drop": ["Dateien hierher ziehen oder klicken zum Auswählen", "Drop files here or click to choose"],
  "docs.dropHint": ["PDF, Word (DOCX), JPEG, PNG, TIFF, HEIC oder Text – auch mehrere auf einmal.", "PDF, Word (DOCX), JPEG, PNG, TIFF, HEIC or text – several at once, too."],
  "docs.uploadProject": ["Projekt für neue Dateien", "Project for new files"],
  "docs.noProject": ["Kein Projekt", "No project"],
  "docs.uploads": ["Hochladen", "Uploads"],
  "docs.clearDone": ["Erledigte ausblenden", "Hide finished"],
  "docs.uploading": ["Wird hochgeladen: {pct} %", "Uploading: {pct} %"],
  "docs.duplicate": ["Schon vorhanden – es wurde nichts doppelt gespeichert.", "Already there – nothing was stored twice."],
  "docs.filterStatus": ["Status", "Status"],
  "docs.filterProject": ["Projekt", "Project"],
  "docs.filterType": ["Dateityp", "File type"],
  "docs.searchLabel": ["Volltextsuche", "Full-text search"],
  "docs.searchPlaceholder": ["Wörter im Text, z. B. Rechnung Heizung", "Words in the text, e.g. invoice heating"],
  "docs.results": ["{count} Treffer für „{q}“", "{count} hits for “{q}”"],
  "docs.noResults": ["Keine Treffer für „{q}“.", "No hits for “{q}”."],
  "docs.listLabel": ["Dokumentliste", "Document list"],
  "docs.colName": ["Name", "Name"],
  "docs.colType": ["Typ", "Type"],
  "docs.colSize": ["Größe", "Size"],
  "docs.colProject": ["Projekt", "Project"],
  "docs.colStatus": ["Verarbeitung", "Processing"],
  "docs.colCreated": ["Hochgeladen", "Uploaded"],
  "docs.detailTitle": ["Dokument", "Document"],
  "docs.text": ["Erkannter Text", "Extracted text"],
  "docs.noText": ["Noch kein Text vorhanden.", "No text yet."],
  "docs.download": ["Original herunterladen", "Download original"],
  "docs.pages": ["Seiten", "Pages"],
  "docs.processed": ["Verarbeitet", "Processed"],
  "docs.checksum": ["Prüfsumme (SHA-256)", "Checksum (SHA-256)"],
  "docs.confirmDelete": ["Dokument „{name}“ endgültig löschen?", "Delete document “{name}” for good?"],
  "docs.deleted": ["Dokument gelöscht.", "Document deleted."],
  "docs.retried": ["Das Dokument wird erneut verarbeitet.", "The document is processed again."],
  "docs.page": ["Seite {n} von {m}", "page {n} of {m}"],
  "doc.status.pending": ["Wartet", "Waiting"],
  "doc.status.processing": ["In Arbeit", "Processing"],
  "doc.status.completed": ["Fertig", "Completed"],
  "doc.status.failed": ["Fehlgeschlagen", "Failed"],
  "doc.stage.queued": ["in der Warteschlange", "queued"],
  "doc.stage.reading": ["Text wird gelesen", "reading text"],
  "doc.stage.ocr": ["Texterkennung (OCR)", "recognising text (OCR)"],
  "doc.stage.indexing": ["wird für die Suche erfasst", "indexing for search"],
  "doc.stage.done": ["abgeschlossen", "done"],
  "doc.type.pdf": ["PDF", "PDF"],
  "doc.type.docx": ["Word", "Word"],
  "doc.type.jpeg": ["JPEG-Bild", "JPEG image"],
  "doc.type.png": ["PNG-Bild", "PNG image"],
  "doc.type.tiff": ["TIFF-Scan", "TIFF scan"],
  "doc.type.heic": ["HEIC-Foto", "HEIC photo"],
  "doc.type.txt": ["Text", "Text"],
  "doc.error.corrupt": ["Die Datei ist beschädigt oder unvollständig.", "The file is damaged or incomplete."],
  "doc.error.empty": ["In der Datei wurde kein Text gefunden.", "No text was found in the file."],
  "doc.error.encrypted": ["Die Datei ist mit einem Passwort geschützt.", "The file is protected by a password."],
  "doc.error.unsupported": ["Dieser Dateityp wird nicht unterstützt.", "This file type is not supported."],
  "doc.error.legacy_word": ["Alte Word-Dateien (.doc) gehen nicht – bitte als DOCX speichern.", "Old Word files (.doc) are not supported – please save as DOCX."],
  "doc.error.zip_bomb": ["Die Datei ist verdächtig stark gepackt und wurde nicht geöffnet.", "The file is suspiciously compressed and was not opened."],
  "doc.error.too_many_pixels": ["Das Bild ist zu groß.", "The picture is too large."],
  "doc.error.ocr_failed": ["Die Texterkennung ist fehlgeschlagen.", "Text recognition failed."],
  "doc.error.ocr_unavailable": ["Die Texterkennung ist nicht verfügbar.", "Text recognition is not available."],
  "doc.error.ocr_timeout": ["Die Texterkennung hat zu lange gedauert.", "Text recognition took too long."],
  "doc.error.timeout": ["Das Lesen der Datei hat zu lange gedauert.", "Reading the file took too long."],
  "doc.error.too_much_memory": ["Die Datei braucht zu viel Arbeitsspeicher.", "The file needs too much memory."],
  "doc.error.parser_crashed": ["Das Leseprogramm ist abgestürzt – die Datei ist vielleicht beschädigt.", "The reader crashed – the file may be damaged."],
  "doc.error.revoked": ["Die Verarbeitung wurde abgebrochen.", "Processing was cancelled."],
  "doc.error.gave_up": ["Die Verarbeitung ist mehrmals fehlgeschlagen.", "Processing failed several times."],
  "projects.heading": ["Projekte", "Projects"],
  "projects.new": ["Neues Projekt", "New project"],
  "projects.meaningLabel": ["Projekte nach Bedeutung finden", "Find projects by meaning"],
  "projects.meaningPlaceholder": ["z. B. Bad sanieren mit bodengleicher Dusche", "e.g. bathroom refit with a walk-in shower"],
  "projects.meaningButton": ["Ähnliche finden", "Find similar"],
  "projects.meaningResults": ["Passende Projekte für „{q}“", "Matching projects for “{q}”"],
  "projects.filterText": ["Suche in Name, Beschreibung, Kunde, Ort", "Search name, description, customer, city"],
  "projects.filterStatus": ["Suchindex", "Search index"],
  "projects.sort": ["Sortierung", "Sort by"],
  "projects.sort.-created_at": ["Neueste zuerst", "Newest first"],
  "projects.sort.created_at": ["Älteste zuerst", "Oldest first"],
  "projects.sort.name": ["Name A–Z", "Name A–Z"],
  "projects.sort.-estimated_cost": ["Höchste Kosten zuerst", "Highest cost first"],
  "projects.sort.-start_date": ["Späteste Beginne zuerst", "Latest start first"],
  "projects.listLabel": ["Projektliste", "Project list"],
  "projects.edit": ["Bearbeiten", "Edit"],
  "projects.similar": ["Ähnliche", "Similar"],
  "projects.score": ["Ähnlichkeit", "Similarity"],
  "projects.created": ["Projekt angelegt. Der Suchindex wird im Hintergrund erstellt.", "Project created. Its search index is built in the background."],
  "projects.saved": ["Projekt gespeichert.", "Project saved."],
  "projects.deleted": ["Projekt gelöscht.", "Project deleted."],
  "projects.confirmDelete": ["Projekt „{name}“ endgültig löschen?", "Delete project “{name}” for good?"],
  "projects.similarTitle": ["Ähnliche Projekte zu „{name}“", "Projects similar to “{name}”"],
  "projects.similarPending": ["Das Projekt wird gerade für die Suche erfasst. Die Liste erscheint, sobald das fertig ist.", "The project is being indexed. The list appears as soon as that is done."],
  "projects.noneFound": ["Keine passenden Projekte gefunden.", "No matching projects found."],
  "projects.formNew": ["Neues Projekt", "New project"],
  "projects.formEdit": ["Projekt bearbeiten", "Edit project"],
  "project.status.pending": ["Wird erfasst …", "Indexing …"],
  "project.status.indexed": ["Erfasst", "Indexed"],
  "project.status.failed": ["Fehler beim Erfassen", "Indexing failed"],
  "phase.angefragt": ["Angefragt", "Enquiry"],
  "phase.angeboten": ["Angeboten", "Quoted"],
  "phase.beauftragt": ["Beauftragt", "Ordered"],
  "phase.abgeschlossen": ["Abgeschlossen", "Finished"],
  "field.name": ["Name", "Name"],
  "field.description": ["Beschreibung", "Description"],
  "field.customer": ["Kunde", "Customer"],
  "field.trade": ["Gewerk", "Trade"],
  "field.address": ["Adresse", "Address"],
  "field.city": ["Ort", "City"],
  "field.phase": ["Phase", "Phase"],
  "field.estimated_cost": ["Geschätzte Kosten (€)", "Estimated cost (€)"],
  "field.final_cost": ["Endkosten (€)", "Final cost (€)"],
  "field.start_date": ["Beginn", "Start"],
  "field.end_date": ["Ende", "End"],
  "tasks.heading": ["Aufgaben", "Tasks"],
  "tasks.health": ["Zustand", "Health"],
  "tasks.stat.workers": ["Worker aktiv", "Workers up"],
  "tasks.stat.active": ["Laufend", "Running"],
  "tasks.stat.reserved": ["Wartend", "Waiting"],
  "tasks.stat.scheduled": ["Wiederholung geplant", "Retry scheduled"],
  "tasks.stat.depth": ["In der Warteschlange", "In the queue"],
  "tasks.stat.succeeded": ["Erfolgreich", "Succeeded"],
  "tasks.stat.failed": ["Fehlgeschlagen", "Failed"],
  "tasks.stat.revoked": ["Widerrufen", "Revoked"],
  "tasks.workers": ["Worker", "Workers"],
  "tasks.active": ["Laufende Aufgaben", "Running tasks"],
  "tasks.waiting": ["Wartende Aufgaben", "Waiting tasks"],
  "tasks.failedHeading": ["Fehlgeschlagene Aufgaben", "Failed tasks"],
  "tasks.history": ["Verlauf", "History"],
  "tasks.colWorker": ["Worker", "Worker"],
  "tasks.colQueue": ["Warteschlange", "Queue"],
  "tasks.colState": ["Status", "State"],
  "tasks.colCurrent": ["Aktuelle Aufgabe", "Current task"],
  "tasks.colDone": ["Erledigt", "Done"],
  "tasks.colHeartbeat": ["Letztes Lebenszeichen", "Last heartbeat"],
  "tasks.colTask": ["Aufgabe", "Task"],
  "tasks.colId": ["ID", "ID"],
  "tasks.colStarted": ["Gestartet", "Started"],
  "tasks.colRuntime": ["Laufzeit", "Run time"],
  "tasks.colAttempts": ["Versuche", "Attempts"],
  "tasks.colEnqueued": ["Eingereiht", "Queued"],
  "tasks.colFinished": ["Beendet", "Finished"],
  "tasks.colError": ["Fehler", "Error"],
  "tasks.idle": ["frei", "idle"],
  "tasks.online": ["online", "online"],
  "tasks.offline": ["offline", "offline"],
  "tasks.revoke": ["Widerrufen", "Revoke"],
  "tasks.stop": ["Abbrechen", "Stop"],
  "tasks.retry": ["Neu starten", "Retry"],
  "tasks.confirmStop": ["Die laufende Aufgabe „{name}“ abbrechen? Ihr Worker wird dafür neu gestartet.", "Stop the running task “{name}”? Its worker is restarted for that."],
  "tasks.revoked": ["Aufgabe widerrufen.", "Task revoked."],
  "tasks.retried": ["Aufgabe neu eingereiht.", "Task queued again."],
  "tasks.nextRetry": ["nächster Versuch {time}", "next try {time}"],
  "task.state.PENDING": ["Wartet", "Waiting"],
  "task.state.STARTED": ["Läuft", "Running"],
  "task.state.RETRY": ["Wiederholung geplant", "Retry scheduled"],
  "task.state.SUCCESS": ["Erfolgreich", "Succeeded"],
  "task.state.FAILURE": ["Fehlgeschlagen", "Failed"],
  "task.state.REVOKED": ["Widerrufen", "Revoked"],
  "task.name.tasks.process_document": ["Dokument verarbeiten", "Process document"],
  "task.name.tasks.generate_project_embedding": ["Projekt erfassen", "Index project"],
  "task.name.tasks.regenerate_project_embedding": ["Projekt neu erfassen", "Re-index project"],
  "task.name.tasks.delete_project_embedding": ["Projekt aus dem Index löschen", "Remove project from index"],
  "task.name.tasks.batch_generate_embeddings": ["Projekte stapelweise erfassen", "Index projects in bulk"],
  "task.name.tasks.embed_query": ["Suchtext erfassen", "Embed search text"],
  "task.name.tasks.cleanup_task_results": ["Alte Ergebnisse aufräumen", "Clean up old results"],
  "task.name.tasks.cleanup_old_documents": ["Alte Uploads aufräumen", "Clean up old uploads"],
  "task.name.tasks.ping": ["Testaufgabe (Ping)", "Test task (ping)"],
  "task.name.tasks.sleep": ["Testaufgabe (Warten)", "Test task (sleep)"],
  "task.name.tasks.fail": ["Testaufgabe (Fehler)", "Test task (fail)"],
};

export const LANGUAGES = ["de", "en"];
const STORE_KEY = "handwerkml.lang";
const LOCALES = { de: "de-DE", en: "en-GB" };
let current = LANGUAGES.includes(localStorage.getItem(STORE_KEY))
  ? localStorage.getItem(STORE_KEY)
  : "de";

/** Keys asked for but not defined; the browser test expects this to stay empty. */
export const missing = new Set();

export const lang = () => current;
export const locale = () => LOCALES[current];
export const has = (key) => key in MESSAGES;

/** The text for `key` in the current language, with {name} placeholders filled in. */
export function t(key, params = {}) {
  const entry = MESSAGES[key];
  if (!entry) missing.add(key);
  const text = entry ? entry[LANGUAGES.indexOf(current)] : key;
  return text.replace(/\{(\w+)\}/g, (all, name) => (name in params ? String(params[name]) : all));
}

/** Like `t`, but an unknown code shows as itself (e.g. a task name added later). */
export const tOr = (key, fallback) => (has(key) ? t(key) : fallback);

/** Switch language, remember it, relabel the static page and tell the views. */
export function setLang(code) {
  if (!LANGUAGES.includes(code)) return;
  current = code;
  localStorage.setItem(STORE_KEY, code);
  translatePage();
  document.dispatchEvent(new CustomEvent("langchange"));
}

const ATTRIBUTES = ["placeholder", "aria-label", "title"];

/** Fill elements marked data-i18n (text) and data-i18n-<attribute> (attributes). */
export function translatePage(root = document) {
  document.documentElement.lang = current;
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const attribute of ATTRIBUTES) {
    for (const el of root.querySelectorAll(`[data-i18n-${attribute}]`)) {
      el.setAttribute(attribute, t(el.getAttribute(`data-i18n-${attribute}`)));
    }
  }
}
