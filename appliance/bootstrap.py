"""Starting a process's runtime: the app database with its tables, the tasks, the rest.

What every entry point (launcher, worker, node, the commands) does first; it gathers
the pieces that the layers below must not import themselves: the table declarations of
the use cases (`schema.py`) and the task functions (`tasks/`).
"""

from __future__ import annotations

from appliance.config import Settings
from appliance.reader.sandbox import ExtractionSandbox
from appliance.runtime import Role, Runtime
from appliance.schema import open_database
from appliance.tasking.registry import TaskRegistry
from appliance.tasks import build_registry


def start_runtime(
    settings: Settings,
    *,
    role: Role = Role.TOOL,
    own_vectors: bool = False,
    torch_threads: int = 1,
    reader: ExtractionSandbox | None = None,
    registry: TaskRegistry | None = None,
) -> Runtime:
    """Open the app database (making missing tables) and build the runtime around it.

    Raises DatabaseUnavailableError when the app database cannot be used, and
    BrokerUnavailableError when the queue server cannot be reached.
    """
    settings.ensure_dirs()
    db = open_database(settings.app_database_url)
    try:
        return Runtime.build(
            settings,
            registry or build_registry(),
            db,
            role=role,
            own_vectors=own_vectors,
            torch_threads=torch_threads,
            reader=reader,
        )
    except Exception:
        db.dispose()
        raise
