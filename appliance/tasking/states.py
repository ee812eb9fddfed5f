"""Task states and priorities, with the short codes the API and UI use."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class TaskState(StrEnum):
    """Where a task is in its life; the names are Celery's, as the seed uses them."""

    PENDING = "PENDING"
    STARTED = "STARTED"
    RETRY = "RETRY"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    REVOKED = "REVOKED"

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATES

    @property
    def is_waiting(self) -> bool:
        """Queued or scheduled, not yet picked up by a worker."""
        return self in (TaskState.PENDING, TaskState.RETRY)


FINAL_STATES = frozenset({TaskState.SUCCESS, TaskState.FAILURE, TaskState.REVOKED})

# Why a task was revoked, as its `error` says and its owner's give-up hook is told.
REVOKED_REASON = "revoked"
PURGED_REASON = "purged"  # `appliance purge`: every waiting task of a queue dropped


class Priority(IntEnum):
    """Huey dequeues higher numbers first and is FIFO within one number."""

    BULK = 0
    INTERACTIVE = 10
    QUERY = 20  # a person waits for the answer right now (a search)
