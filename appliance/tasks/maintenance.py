"""Housekeeping of the task engine: expire results, trim old history."""

from __future__ import annotations

import logging
import time
from typing import Any

from appliance.runtime import Runtime
from appliance.tasking.context import TaskContext
from appliance.tasking.registry import Periodic, TaskRegistry
from appliance.tasking.states import Priority

registry = TaskRegistry()
log = logging.getLogger("appliance.tasks")

DAY = 86400.0


@registry.task(
    "tasks.cleanup_task_results",
    priority=Priority.BULK,
    periodic=Periodic(minute="*/5", hour="*"),
)
def cleanup_task_results(context: TaskContext[Runtime]) -> dict[str, Any]:
    """Drop results older than `result_expires` and history older than `task_history_days`."""
    runtime = context.runtime
    settings = runtime.settings
    now = time.time()
    expired = runtime.history.expire_results(finished_before=now - settings.result_expires)
    removed = runtime.history.delete_history(finished_before=now - settings.task_history_days * DAY)
    if expired or removed:
        log.info("Task cleanup: %d results expired, %d old tasks removed", expired, removed)
    return {"status": "success", "results_expired": expired, "tasks_removed": removed}
