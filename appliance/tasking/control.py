"""What the task engine may do to worker processes; the process that started them does it."""

from __future__ import annotations

from typing import Protocol


class WorkerControl(Protocol):
    """Kills a local worker process (the launcher's or a node's supervisor)."""

    def kill(self, name: str, *, pid: int | None = None) -> bool:
        """Kill worker `name` (only if its process is `pid`, when given); True if killed."""
        ...
