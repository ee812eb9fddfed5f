"""Starting a process's runtime: the app database with its tables, the tasks, the rest.

What every entry point (launcher, worker, node, the commands) does first; it gathers
the pieces that the layers below must not import themselves: the table declarations of
the use cases (`schema.py`) and the task functions (`tasks/`).
"""

from __future__ import annotations

from appliance.backups.upgrade import backup_before_upgrade
from appliance.config import Settings
from appliance.reader.sandbox import ExtractionSandbox
from appliance.runtime import Role, Runtime
from appliance.schema import open_database
from appliance.tasking.broker import prepare_queue_file
from appliance.tasking.registry import TaskRegistry
from appliance.tasks import build_registry


def start_runtime(
    settings: Settings,
    *,
    role: Role = Role.TOOL,
    own_vectors: bool = False,
    embedding_threads: int = 1,
    reader: ExtractionSandbox | None = None,
    registry: TaskRegistry | None = None,
) -> Runtime:
    """Open the app database (at this version's schema) and build the runtime around it.

    An older database is backed up, then upgraded. The server, which owns the data
    folder, also sets aside a queue file of another format. Raises
    DatabaseUnavailableError when the app database cannot be used, NewerDatabaseError
    when a newer version wrote it, and BrokerUnavailableError when the queue server
    cannot be reached.
    """
    settings.ensure_dirs()
    if role is Role.SERVER and not settings.queue_url:
        prepare_queue_file(settings.queue_db_path)
    db = open_database(settings.app_database_url, before_upgrade=backup_before_upgrade(settings))
    try:
        return Runtime.build(
            settings,
            registry or build_registry(),
            db,
            role=role,
            own_vectors=own_vectors,
            embedding_threads=embedding_threads,
            reader=reader,
        )
    except Exception:
        db.dispose()
        raise
