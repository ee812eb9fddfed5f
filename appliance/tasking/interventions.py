"""What a person does to tasks: revoke one, drop every waiting one, retry a dead letter.

Guarded like the ledger's own transitions: each names the states it may change, and
reads the row locked where it must know what it was (a worker claiming or finishing it
meanwhile waits for the change).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, Row, select, update

from appliance.db import Database
from appliance.tasking.counters import count_finish
from appliance.tasking.ledger import TASKS, WAITING
from appliance.tasking.records import TaskMessage, message_from_row
from appliance.tasking.states import TaskState


class Interventions:
    """Revoke, purge and dead-letter retry on the task ledger."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def revoke(self, task_id: str, *, allow_running: bool, now: float) -> Row[Any] | None:
        """Mark a waiting (or, if allowed, running) task REVOKED; returns the row before."""
        allowed = list(WAITING)
        if allow_running:
            allowed.append(TaskState.STARTED.value)
        with self.db.write() as conn:
            # Locked, so a worker claiming or finishing it meanwhile waits for the revoke.
            before = conn.execute(
                select(TASKS).where(TASKS.c.id == task_id).with_for_update()
            ).first()
            if before is None or before.state not in allowed:
                return before
            conn.execute(
                update(TASKS)
                .where(TASKS.c.id == task_id, TASKS.c.state.in_(allowed))
                .values(
                    state=TaskState.REVOKED.value,
                    error="revoked",
                    finished_at=now,
                    next_retry_at=None,
                    updated_at=now,
                )
            )
            count_finish(conn, before.name, TaskState.REVOKED, None)
            return before

    def purge_waiting(
        self, *, names: Collection[str] | None, reason: str, now: float
    ) -> list[TaskMessage]:
        """Every waiting task (of `names`, when given) -> REVOKED with `reason`, in one
        guarded UPDATE; the tasks it revoked."""
        conditions = [TASKS.c.state.in_(WAITING)]
        if names is not None:
            conditions.append(TASKS.c.name.in_(list(names)))
        with self.db.write() as conn:
            rows = conn.execute(
                update(TASKS)
                .where(*conditions)
                .values(
                    state=TaskState.REVOKED.value,
                    error=reason,
                    finished_at=now,
                    next_retry_at=None,
                    updated_at=now,
                )
                .returning(*TASKS.c)
            ).all()
            per_name: dict[str, int] = {}
            for row in rows:
                per_name[row.name] = per_name.get(row.name, 0) + 1
            for name, times in per_name.items():
                count_finish(conn, name, TaskState.REVOKED, None, times)
        return [message_from_row(row) for row in rows]

    def reset_for_retry(self, task_id: str, *, now: float) -> TaskMessage | None:
        """FAILURE or REVOKED -> PENDING with a fresh retry budget (the dead-letter retry)."""
        with self.db.write() as conn:
            return reset_finished(conn, task_id, now=now)


def reset_finished(
    conn: Connection, task_id: str, *, now: float, name: str | None = None
) -> TaskMessage | None:
    """FAILURE or REVOKED -> PENDING with a fresh retry budget, in `conn`'s transaction;
    the message to send, or None when the task is not finished that way (or not `name`).

    The same row runs again, so what a person reads stays one task: a retry that fails
    again is one failure, not a second one beside the first.
    """
    conditions = [
        TASKS.c.id == task_id,
        TASKS.c.state.in_((TaskState.FAILURE.value, TaskState.REVOKED.value)),
    ]
    if name is not None:
        conditions.append(TASKS.c.name == name)
    row = conn.execute(
        update(TASKS)
        .where(*conditions)
        .values(
            state=TaskState.PENDING.value,
            attempts=0,
            error=None,
            result_json=None,
            result_expired=False,
            worker=None,
            started_at=None,
            finished_at=None,
            next_retry_at=None,
            enqueued_at=now,
            updated_at=now,
        )
        .returning(*TASKS.c)
    ).first()
    return None if row is None else message_from_row(row)
