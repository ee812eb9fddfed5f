"""Backup tasks: one now (the UI's "Jetzt sichern"), and the hourly check whether one is due."""

from __future__ import annotations

import logging
from typing import Any

from appliance.backups.service import BackupService
from appliance.runtime import Runtime
from appliance.tasking.context import TaskContext
from appliance.tasking.layout import DEFAULT_QUEUE
from appliance.tasking.registry import Periodic, TaskRegistry
from appliance.tasking.states import Priority

registry = TaskRegistry()
log = logging.getLogger("appliance.tasks")


def _answer(service: BackupService, backup_id: str) -> dict[str, Any]:
    record = service.record(backup_id)
    return {"status": "success", "path": record.path, "size_bytes": record.size_bytes}


# No retries: a failed backup is recorded and shown; the next hourly check tries again.
@registry.task("tasks.backup", priority=Priority.BULK, queue=DEFAULT_QUEUE, max_retries=0)
def backup(context: TaskContext[Runtime], reason: str = "manual") -> dict[str, Any]:
    """Write a backup archive now."""
    service = BackupService(context.runtime)
    return _answer(service, service.run(reason).id)


@registry.task(
    "tasks.backup_if_due",
    priority=Priority.BULK,
    queue=DEFAULT_QUEUE,
    periodic=Periodic(minute="17", hour="*"),
    max_retries=0,
)
def backup_if_due(context: TaskContext[Runtime]) -> dict[str, Any]:
    """Write a backup when the last good one is older than a day (or there is none)."""
    service = BackupService(context.runtime)
    if not service.due():
        return {"status": "skipped", "reason": "the last backup is recent"}
    return _answer(service, service.run("scheduled").id)
