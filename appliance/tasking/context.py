"""What a running task sees: its id, its attempt, its deadline and the worker's runtime."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Generic, TypeVar

R = TypeVar("R")


class UserFacingError(Exception):
    """An error whose message is written for a person; shown without the class name."""


class PermanentTaskError(UserFacingError):
    """Retrying cannot help (a corrupt file stays corrupt): the task fails at once."""


class SoftTimeLimitExceeded(Exception):
    """Raised inside a task that ran past the soft time limit; it may clean up and re-raise."""


@dataclass
class TaskContext(Generic[R]):
    """Handed to every task function as its first argument."""

    task_id: str
    name: str
    attempt: int
    # The process's runtime. The engine only hands it on (to the engine it is an
    # EngineHost); a task declares what it is (`TaskContext[Runtime]`).
    runtime: R
    soft_deadline: float  # time.monotonic() value

    def check_time_limit(self) -> None:
        """Raise SoftTimeLimitExceeded when past the soft limit (for long loops in C code)."""
        if time.monotonic() >= self.soft_deadline:
            raise SoftTimeLimitExceeded(f"soft time limit exceeded in {self.name}")
