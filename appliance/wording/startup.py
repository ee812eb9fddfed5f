"""Why a command could not start (`StartupError` codes), by code.

The English text is the terminal's one line; the language of the installation
(APPLIANCE_LANGUAGE) is what a person who double-clicked the program is shown.
"""

from __future__ import annotations

STARTUP: dict[str, tuple[str, str]] = {
    "start.title": ("HandwerkML konnte nicht starten", "HandwerkML could not start"),
    "start.lan_needs_password": (
        "Für die Freigabe im Netzwerk (--host {host}) braucht HandwerkML ein Passwort: "
        "bitte APPLIANCE_ACCESS_TOKEN setzen (mindestens 12 Zeichen).",
        "Sharing the appliance on the network (--host {host}) needs a password: set "
        "APPLIANCE_ACCESS_TOKEN (at least 12 characters).",
    ),
    "start.already_running": (
        "HandwerkML läuft schon für diesen Datenordner. Beenden Sie es zuerst "
        "(„Beenden“ in der Kopfzeile), oder öffnen Sie es im Browser.",
        "HandwerkML Appliance is already running on {data_dir}{where}. Stop it first, or "
        "start this copy with another --data-dir.",
    ),
    "start.port_in_use": (
        "Port {port} wird schon von einem anderen Programm benutzt. Beenden Sie es, oder "
        "starten Sie HandwerkML mit einem anderen Port (--port).",
        "Port {port} on {host} is in use ({reason}). Start with --port to choose another one.",
    ),
    "start.upgrade_backup_failed": (
        "Vor dem Aktualisieren sichert HandwerkML seine Daten nach {target}, und das ist "
        "misslungen: {reason}. Es wurde nichts verändert; bitte dort Platz schaffen oder "
        "APPLIANCE_BACKUP_DIR auf einen anderen Ordner setzen und erneut starten.",
        "Before upgrading its data HandwerkML backs it up to {target}, and that failed: "
        "{reason}. Nothing was changed; free some space there or set APPLIANCE_BACKUP_DIR "
        "to another folder, and start again.",
    ),
    "start.newer_database": (
        "Diese Daten stammen von einer neueren Version von HandwerkML (Datenbankstand "
        "{found}); Version {version} kann sie nicht lesen und hat nichts verändert. Bitte "
        "die neuere Version wieder installieren oder eine mit dieser Version gemachte "
        "Datensicherung zurückspielen.",
        "This data was written by a newer version of HandwerkML (database revision "
        "{found}); version {version} cannot read it and has not changed it. Install the "
        "newer version again, or restore a backup made with this one.",
    ),
    "start.model_folder": (
        "Die Einstellung APPLIANCE_EMBEDDING_MODEL ist ungültig: {reason}. Es wurde nichts "
        "verändert; die Suche behält ihr bisheriges Modell.",
        "Invalid setting APPLIANCE_EMBEDDING_MODEL: {reason}. Nothing was changed; the "
        "search keeps the model it has.",
    ),
    "start.model_not_prepared": (
        "Das Sprachmodell {model} ist nicht für ONNX Runtime vorbereitet, und dieses "
        "Programm kann das nicht nachholen (torch fehlt). Bitte `appliance prepare-model` "
        "in einer Installation aus dem Quelltext ausführen oder "
        "APPLIANCE_EMBEDDING_ENGINE=torch setzen.",
        "The embedding model {model} has not been prepared for ONNX Runtime, and this "
        "program cannot do it (torch is not installed). Run `appliance prepare-model` in an "
        "installation from source, or set APPLIANCE_EMBEDDING_ENGINE=torch.",
    ),
    "start.missing_part": (
        "{setting} braucht das Python-Paket '{module}', das dieses Programm nicht enthält: "
        "bitte die Appliance aus dem Quelltext mit ihrem Extra {extra} installieren "
        "(pip install 'handwerkml-appliance[{extra}]').",
        "{setting} needs the Python package '{module}', which this program does not "
        "include: install the appliance from source with its {extra} extra "
        "(pip install 'handwerkml-appliance[{extra}]').",
    ),
    "start.queue_unreachable": (
        "Der Warteschlangen-Server unter {url} ist nicht erreichbar: {reason}. Bitte Redis "
        "starten oder APPLIANCE_QUEUE_URL berichtigen.",
        "Cannot reach the queue server at {url}: {reason}. Start Redis or correct "
        "APPLIANCE_QUEUE_URL.",
    ),
    "start.duplicate_worker": (
        "Ein laufender Worker namens {name} arbeitet schon auf {host} (pid {pid}). Bitte "
        "diesem Rechner einen anderen APPLIANCE_NODE_NAME geben.",
        "A live worker named {name} already runs on {host} (pid {pid}). Give this machine "
        "another APPLIANCE_NODE_NAME.",
    ),
    "node.no_workers": (
        "Ein Worker-Knoten braucht mindestens einen Worker (--workers).",
        "A worker node needs at least one worker (--workers).",
    ),
    "node.no_queue": (
        "Ein Worker-Knoten braucht die gemeinsame Warteschlange: bitte APPLIANCE_QUEUE_URL "
        "setzen (redis://...).",
        "A worker node needs the shared queue: set APPLIANCE_QUEUE_URL (redis://...).",
    ),
    "node.no_database": (
        "Ein Worker-Knoten braucht die gemeinsame Datenbank: bitte APPLIANCE_DATABASE_URL setzen.",
        "A worker node needs the shared app database: set APPLIANCE_DATABASE_URL.",
    ),
    "node.no_worker_token": (
        "APPLIANCE_SERVER_URL braucht APPLIANCE_WORKER_TOKEN, das Geheimnis, das auch der "
        "Server kennt.",
        "APPLIANCE_SERVER_URL needs APPLIANCE_WORKER_TOKEN, the secret the server knows too.",
    ),
    "node.no_server": (
        "Bitte APPLIANCE_SERVER_URL setzen (der Rechner, auf dem `appliance run` läuft): "
        "Suchvektoren und hochgeladene Dateien kommen von dort.",
        "Set APPLIANCE_SERVER_URL (the machine running `appliance run`): vector writes and "
        "uploaded files come from there.",
    ),
    "node.already_running": (
        "Auf {data_dir} läuft schon ein Worker-Knoten; bitte diesem einen anderen "
        "--data-dir geben.",
        "A worker node already runs on {data_dir}; give this one another --data-dir.",
    ),
}
