"""The values that travel between the ledger, the queue and the executor."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row

SUMMARY_LENGTH = 300


@dataclass(frozen=True)
class Claim:
    """A task a worker now owns: which attempt this is and how many retries it may use."""

    task_id: str
    attempt: int
    max_retries: int


@dataclass(frozen=True)
class TaskMessage:
    """What it takes to put a ledger row back on the queue."""

    task_id: str
    name: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    priority: int
    delay: float = 0.0


@dataclass(frozen=True)
class Outcome:
    """What a guarded failure transition did.

    `resend` is the message to put on the queue (a retry, or a re-queue after a crash);
    `gave_up` is set when the task ended in FAILURE, so its owner can be told.
    """

    resend: TaskMessage | None = None
    gave_up: TaskMessage | None = None

    @property
    def applied(self) -> bool:
        """Whether the transition took place (False: the task was not in the expected state)."""
        return self.resend is not None or self.gave_up is not None


def summarize_args(args: Sequence[Any], kwargs: dict[str, Any]) -> str:
    """A short, human-readable rendering of a task's arguments for lists and logs."""
    parts = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    summary = ", ".join(parts)
    if len(summary) > SUMMARY_LENGTH:
        summary = summary[: SUMMARY_LENGTH - 3] + "..."
    return summary


def storable(message: str) -> str:
    """An error message as text any database keeps (PostgreSQL refuses NUL characters)."""
    # Exception texts may quote file contents; a NUL there must not fail the transition.
    return message.replace("\x00", "\\0")


def message_from_row(row: Row[Any], delay: float = 0.0) -> TaskMessage:
    return TaskMessage(
        task_id=row.id,
        name=row.name,
        args=tuple(json.loads(row.args_json)),
        kwargs=json.loads(row.kwargs_json),
        priority=row.priority,
        delay=delay,
    )
