"""The task ledger: every state change of every task, as guarded single-row updates.

Huey deletes a message when a worker takes it, so the queue cannot tell what was lost
when a worker dies. The ledger can: each transition is an UPDATE guarded by the state it
expects (and the worker it expects), so a late writer - a worker that was declared dead,
a duplicate message - changes nothing. That is what makes re-queueing safe.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    and_,
    bindparam,
    insert,
    or_,
    select,
    update,
)

from appliance.db import Database, dialect_insert
from appliance.tasking.counters import add, count_finish
from appliance.tasking.records import (
    Claim,
    Outcome,
    TaskMessage,
    message_from_row,
    storable,
    summarize_args,
)
from appliance.tasking.states import TaskState
from appliance.tasking.tables import TaskRecord

TASKS = TaskRecord.__table__  # type: ignore[attr-defined]
_INSERT_PENDING = insert(TASKS)
WAITING = (TaskState.PENDING.value, TaskState.RETRY.value)


def _due(now: float) -> ColumnElement[bool]:
    """Waiting rows a worker may take at `now`: PENDING, or RETRY whose time has come.

    A retry's scheduled message is timed after its row is written, so on one PC it never
    arrives before `next_retry_at`; an earlier message is a second copy and runs nothing.
    Across machines (Redis) a clock running behind may see the scheduled message early
    too: then the reaper sends it again once it is overdue.
    """
    return or_(
        TASKS.c.state == TaskState.PENDING.value,
        and_(
            TASKS.c.state == TaskState.RETRY.value,
            or_(TASKS.c.next_retry_at.is_(None), TASKS.c.next_retry_at <= now),
        ),
    )


class Ledger:
    """The guarded transitions of single tasks, and reading one task's row."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- enqueue -----------------------------------------------------------------------

    def insert_pending(
        self,
        conn: Connection,
        *,
        task_id: str,
        name: str,
        args: Sequence[Any],
        kwargs: dict[str, Any],
        priority: int,
        max_retries: int,
        now: float,
    ) -> None:
        """Record a new task as PENDING inside the caller's transaction."""
        # Values as parameters, not `.values(...)`: the statement is then the same object
        # every time and SQLAlchemy reuses its compiled form (0.3 ms less per enqueue).
        conn.execute(
            _INSERT_PENDING,
            {
                "id": task_id,
                "name": name,
                "args_json": json.dumps(list(args)),
                "kwargs_json": json.dumps(kwargs),
                "args_summary": summarize_args(args, kwargs),
                "priority": priority,
                "state": TaskState.PENDING.value,
                "attempts": 0,
                "max_retries": max_retries,
                "enqueued_at": now,
                "updated_at": now,
            },
        )

    # -- worker side -------------------------------------------------------------------

    def claim(
        self,
        *,
        task_id: str,
        name: str,
        worker: str,
        now: float,
        default_max_retries: int,
        create_missing: bool,
    ) -> Claim | None:
        """Mark a due task STARTED by `worker`; None if it is not this worker's to run.

        A task scheduled for a retry is not due before its `next_retry_at`: a message
        that arrives earlier (a second copy: a batch companion's original message, a
        re-send by the reaper, a dead-letter retry beside a scheduled one) runs nothing.
        `create_missing` admits tasks the ledger has never seen (Huey's periodic tasks
        are enqueued by its scheduler, not through the ledger). A light write: a claim
        lost in a power cut leaves the task waiting, and the reaper sends it again.
        """
        with self.db.write(durable=False) as conn:
            row = conn.execute(
                update(TASKS)
                .where(TASKS.c.id == task_id, _due(now))
                .values(
                    state=TaskState.STARTED.value,
                    attempts=TASKS.c.attempts + 1,
                    worker=worker,
                    started_at=now,
                    next_retry_at=None,
                    updated_at=now,
                )
                .returning(TASKS.c.attempts, TASKS.c.max_retries)
            ).first()
            if row is not None:
                return Claim(task_id, row.attempts, row.max_retries)
            if not create_missing:
                return None
            # One statement: two workers given the same unknown id at once (possible on
            # PostgreSQL, where nothing serializes the writers) cannot both insert it.
            created = conn.execute(
                dialect_insert(conn, TASKS)
                .values(
                    id=task_id,
                    name=name,
                    state=TaskState.STARTED.value,
                    attempts=1,
                    max_retries=default_max_retries,
                    worker=worker,
                    enqueued_at=now,
                    started_at=now,
                    updated_at=now,
                )
                .on_conflict_do_nothing(index_elements=[TASKS.c.id])
                .returning(TASKS.c.id)
            ).first()
            return None if created is None else Claim(task_id, 1, default_max_retries)

    def claim_companions(
        self, *, names: Sequence[str], worker: str, now: float, limit: int
    ) -> list[tuple[Claim, TaskMessage]]:
        """Claim up to `limit` more waiting tasks of `names` for one batch, most urgent first.

        Their queue messages stay behind; whoever takes one later finds the task no longer
        waiting and skips it, as with any duplicate message.
        """
        if limit <= 0 or not names:
            return []
        candidates = (
            select(TASKS.c.id)
            .where(TASKS.c.name.in_(names), _due(now))
            .order_by(TASKS.c.priority.desc(), TASKS.c.enqueued_at)
            .limit(limit)
        )
        with self.db.write(durable=False) as conn:
            rows = conn.execute(
                update(TASKS)
                # The state is checked again on the row itself: on a database without a
                # single writer lock another worker may have claimed it since the select.
                .where(TASKS.c.id.in_(candidates.scalar_subquery()), _due(now))
                .values(
                    state=TaskState.STARTED.value,
                    attempts=TASKS.c.attempts + 1,
                    worker=worker,
                    started_at=now,
                    next_retry_at=None,
                    updated_at=now,
                )
                .returning(*TASKS.c)
            ).all()
        rows = sorted(rows, key=lambda row: (-row.priority, row.enqueued_at))
        return [
            (Claim(row.id, row.attempts, row.max_retries), message_from_row(row)) for row in rows
        ]

    def finish_success(
        self, *, task_id: str, worker: str, result: Any, duration: float, now: float
    ) -> bool:
        """STARTED -> SUCCESS, unless the task was taken away from this worker meanwhile."""
        finished = self.finish_success_many(
            worker=worker, results=[(task_id, result)], duration=duration, now=now
        )
        return bool(finished)

    def finish_success_many(
        self, *, worker: str, results: Sequence[tuple[str, Any]], duration: float, now: float
    ) -> list[str]:
        """STARTED -> SUCCESS for the tasks of one batch, in one transaction; the ids it moved.

        A light write, as the results tasks store are: tasks are idempotent, so one whose
        success a power cut took back is run again and finds its work done. Each task is
        counted with the batch's duration divided among them, so the duration
        metrics still add up to the time the worker spent.
        """
        share = duration / len(results) if results else 0.0
        # Serialised before the transaction, and two statements for the whole batch: this
        # runs while the write lock, which the web server's creates wait for, is held.
        stored = {task_id: json.dumps(result, default=str) for task_id, result in results}
        with self.db.write(durable=False) as conn:
            rows = conn.execute(
                update(TASKS)
                .where(
                    TASKS.c.id.in_(list(stored)),
                    TASKS.c.state == TaskState.STARTED.value,
                    TASKS.c.worker == worker,
                )
                .values(state=TaskState.SUCCESS.value, error=None, finished_at=now, updated_at=now)
                .returning(TASKS.c.id, TASKS.c.name)
            ).all()
            if not rows:
                return []
            conn.execute(
                update(TASKS)
                .where(TASKS.c.id == bindparam("finished_id"))
                .values(result_json=bindparam("result")),
                [{"finished_id": row.id, "result": stored[row.id]} for row in rows],
            )
            for name, times in Counter(row.name for row in rows).items():
                count_finish(conn, name, TaskState.SUCCESS, share, times)
        moved = {row.id for row in rows}
        return [task_id for task_id, _result in results if task_id in moved]

    def finish_failure(
        self,
        *,
        task_id: str,
        worker: str | None,
        error: str,
        duration: float,
        retry_delay: float | None,
        now: float,
    ) -> Outcome:
        """STARTED -> RETRY (when `retry_delay` is given) or FAILURE.

        Nothing happens (an empty Outcome) when the task was no longer this worker's.
        """
        conditions = [TASKS.c.id == task_id, TASKS.c.state == TaskState.STARTED.value]
        if worker is not None:
            conditions.append(TASKS.c.worker == worker)
        if retry_delay is None:
            values: dict[str, Any] = {"state": TaskState.FAILURE.value, "finished_at": now}
        else:
            values = {"state": TaskState.RETRY.value, "next_retry_at": now + retry_delay}
        with self.db.write() as conn:
            row = conn.execute(
                update(TASKS)
                .where(*conditions)
                .values(error=storable(error), updated_at=now, **values)
                .returning(*TASKS.c)
            ).first()
            if row is None:
                return Outcome()
            if retry_delay is None:
                count_finish(conn, row.name, TaskState.FAILURE, duration)
                return Outcome(gave_up=message_from_row(row))
            add(conn, row.name, {"retries": 1})
            return Outcome(resend=message_from_row(row, delay=retry_delay))

    def requeue_started(
        self, *, task_id: str, worker: str, reason: str, count_attempt: bool, now: float
    ) -> Outcome:
        """Give a task whose worker stopped or died back to the queue, or fail it for good.

        A crash counts as an attempt, so a task that kills its worker every time ends in
        FAILURE after the retry budget; a graceful shutdown does not count.
        """
        guard = (
            TASKS.c.id == task_id,
            TASKS.c.state == TaskState.STARTED.value,
            TASKS.c.worker == worker,
        )
        with self.db.write() as conn:
            # FOR UPDATE: on PostgreSQL the worker may finish the task between this read
            # and the write below; the row lock makes it wait (SQLite's write lock does
            # the same), and the guard on the UPDATE states the rule once more.
            row = conn.execute(select(TASKS).where(*guard).with_for_update()).first()
            if row is None:
                return Outcome()
            attempts = row.attempts if count_attempt else max(row.attempts - 1, 0)
            exhausted = attempts > row.max_retries
            state = TaskState.FAILURE if exhausted else TaskState.PENDING
            conn.execute(
                update(TASKS)
                .where(*guard)
                .values(
                    state=state.value,
                    attempts=attempts,
                    error=storable(reason),
                    finished_at=now if exhausted else None,
                    updated_at=now,
                )
            )
            if exhausted:
                count_finish(conn, row.name, TaskState.FAILURE, 0.0)
                return Outcome(gave_up=message_from_row(row))
            return Outcome(resend=message_from_row(row))

    # -- reads -------------------------------------------------------------------------

    def state_of(self, task_id: str) -> str | None:
        """The task's state alone (a cheaper read than `get` for polling)."""
        with self.db.read() as conn:
            state = conn.execute(select(TASKS.c.state).where(TASKS.c.id == task_id)).scalar()
        return None if state is None else str(state)

    def get(self, task_id: str) -> Row[Any] | None:
        with self.db.read() as conn:
            return conn.execute(select(TASKS).where(TASKS.c.id == task_id)).first()
