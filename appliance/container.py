"""The services one process works with, built once at start and handed around."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.config import Settings
from appliance.db import Database
from appliance.tasking.ledger import Ledger
from appliance.tasking.queue import Executor, TaskQueue


@dataclass
class Services:
    """Settings, the app database and the task queue of this process."""

    settings: Settings
    db: Database
    queue: TaskQueue

    @property
    def ledger(self) -> Ledger:
        return self.queue.ledger

    @classmethod
    def build(cls, settings: Settings, executor: Executor | None = None) -> Services:
        """Open the databases under `settings.data_dir` (creating them on first use)."""
        from appliance.tasks import build_registry

        settings.ensure_dirs()
        db = Database.open(settings.app_db_path)
        queue = TaskQueue(settings, db, build_registry(), executor=executor)
        return cls(settings=settings, db=db, queue=queue)

    def close(self) -> None:
        self.queue.close()
        self.db.dispose()
