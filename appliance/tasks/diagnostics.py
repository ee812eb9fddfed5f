"""Tasks that exercise the engine itself: used by the selftest, the tests and support."""

from __future__ import annotations

import time
from typing import Any

from appliance.runtime import Runtime
from appliance.tasking.context import SoftTimeLimitExceeded, TaskContext
from appliance.tasking.registry import TaskRegistry
from appliance.tasking.states import Priority

registry = TaskRegistry()


class DiagnosticFailure(RuntimeError):
    """Raised on purpose by `tasks.fail`."""


@registry.task("tasks.ping", priority=Priority.INTERACTIVE)
def ping(context: TaskContext[Runtime], payload: Any = None) -> dict[str, Any]:
    """Answer at once; proves the queue and a worker are alive."""
    return {"status": "success", "pong": payload, "attempt": context.attempt}


@registry.task("tasks.fail", priority=Priority.INTERACTIVE)
def fail(context: TaskContext[Runtime], message: str = "failing on purpose") -> None:
    """Always raise, to show the retry schedule."""
    raise DiagnosticFailure(f"{message} (attempt {context.attempt})")


@registry.task("tasks.sleep", priority=Priority.INTERACTIVE)
def sleep(
    context: TaskContext[Runtime], seconds: float, ignore_soft_limit: bool = False
) -> dict[str, Any]:
    """Sleep in small steps; with `ignore_soft_limit` it swallows the soft limit."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            time.sleep(0.05)
        except SoftTimeLimitExceeded:
            if not ignore_soft_limit:
                raise
    return {"status": "success", "slept": seconds}
