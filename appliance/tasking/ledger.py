"""The task ledger: every state change of every task, as guarded single-row updates.

Huey deletes a message when a worker takes it, so the queue cannot tell what was lost
when a worker dies. The ledger can: each transition is an UPDATE guarded by the state it
expects (and the worker it expects), so a late writer - a worker that was declared dead,
a duplicate message - changes nothing. That is what makes re-queueing safe.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    update,
)

from appliance.db import Database, dialect_insert
from appliance.tasking.states import TaskState
from appliance.tasking.tables import TaskRecord, TaskStat, WorkerRecord
from appliance.tasking.workers import WorkerTable

TASKS = TaskRecord.__table__  # type: ignore[attr-defined]
_INSERT_PENDING = insert(TASKS)
WORKERS = WorkerRecord.__table__  # type: ignore[attr-defined]
STATS = TaskStat.__table__  # type: ignore[attr-defined]

DURATION_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0)
SUMMARY_LENGTH = 300
_WAITING = (TaskState.PENDING.value, TaskState.RETRY.value)


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


class Ledger(WorkerTable):
    """Reads and guarded writes on the task ledger, the worker table and the counters."""

    def __init__(self, db: Database) -> None:
        super().__init__(db)

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
        finished: list[str] = []
        finished_names: dict[str, int] = {}
        share = duration / len(results) if results else 0.0
        with self.db.write(durable=False) as conn:
            for task_id, result in results:
                row = conn.execute(
                    update(TASKS)
                    .where(
                        TASKS.c.id == task_id,
                        TASKS.c.state == TaskState.STARTED.value,
                        TASKS.c.worker == worker,
                    )
                    .values(
                        state=TaskState.SUCCESS.value,
                        result_json=json.dumps(result, default=str),
                        error=None,
                        finished_at=now,
                        updated_at=now,
                    )
                    .returning(TASKS.c.name)
                ).first()
                if row is not None:
                    finished_names[row.name] = finished_names.get(row.name, 0) + 1
                    finished.append(task_id)
            for name, times in finished_names.items():
                self._count_finish(conn, name, TaskState.SUCCESS, share, times)
        return finished

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
                self._count_finish(conn, row.name, TaskState.FAILURE, duration)
                return Outcome(gave_up=message_from_row(row))
            self._bump(conn, row.name, "retries", 1)
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
                self._count_finish(conn, row.name, TaskState.FAILURE, 0.0)
                return Outcome(gave_up=message_from_row(row))
            return Outcome(resend=message_from_row(row))

    # -- control -----------------------------------------------------------------------

    def revoke(self, task_id: str, *, allow_running: bool, now: float) -> Row[Any] | None:
        """Mark a waiting (or, if allowed, running) task REVOKED; returns the row before."""
        allowed = list(_WAITING)
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
            self._count_finish(conn, before.name, TaskState.REVOKED, None)
            return before

    def purge_waiting(
        self, *, names: Collection[str] | None, reason: str, now: float
    ) -> list[TaskMessage]:
        """Every waiting task (of `names`, when given) -> REVOKED with `reason`, in one
        guarded UPDATE; the tasks it revoked."""
        conditions = [TASKS.c.state.in_(_WAITING)]
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
                self._count_finish(conn, name, TaskState.REVOKED, None, times)
        return [message_from_row(row) for row in rows]

    def reset_for_retry(self, task_id: str, *, now: float) -> TaskMessage | None:
        """FAILURE or REVOKED -> PENDING with a fresh retry budget (the dead-letter retry)."""
        finished = (TaskState.FAILURE.value, TaskState.REVOKED.value)
        with self.db.write() as conn:
            row = conn.execute(
                update(TASKS)
                .where(TASKS.c.id == task_id, TASKS.c.state.in_(finished))
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

    # -- reads -------------------------------------------------------------------------

    def state_of(self, task_id: str) -> str | None:
        """The task's state alone (a cheaper read than `get` for polling)."""
        with self.db.read() as conn:
            state = conn.execute(select(TASKS.c.state).where(TASKS.c.id == task_id)).scalar()
        return None if state is None else str(state)

    def get(self, task_id: str) -> Row[Any] | None:
        with self.db.read() as conn:
            return conn.execute(select(TASKS).where(TASKS.c.id == task_id)).first()

    def history(
        self,
        *,
        states: Iterable[str] = (),
        name: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[Row[Any]], int]:
        """Tasks newest first, with the total that matches the filters."""
        conditions = []
        states = list(states)
        if states:
            conditions.append(TASKS.c.state.in_(states))
        if name:
            conditions.append(TASKS.c.name == name)
        where = and_(*conditions) if conditions else text("1=1")
        with self.db.read() as conn:
            total = conn.execute(select(func.count()).select_from(TASKS).where(where)).scalar()
            rows = conn.execute(
                select(TASKS)
                .where(where)
                .order_by(TASKS.c.enqueued_at.desc(), TASKS.c.id)
                .limit(limit)
                .offset(offset)
            ).all()
        return list(rows), int(total or 0)

    def started(self, *, worker: str | None = None) -> list[Row[Any]]:
        """Running tasks (of `worker` only, when given), oldest first."""
        conditions = [TASKS.c.state == TaskState.STARTED.value]
        if worker is not None:
            conditions.append(TASKS.c.worker == worker)
        with self.db.read() as conn:
            return list(
                conn.execute(select(TASKS).where(*conditions).order_by(TASKS.c.started_at)).all()
            )

    def overdue_waiting(self, *, older_than: float) -> list[Row[Any]]:
        """Waiting tasks whose message should have been picked up by `older_than`."""
        due = func.coalesce(TASKS.c.next_retry_at, TASKS.c.updated_at)
        with self.db.read() as conn:
            return list(
                conn.execute(
                    select(TASKS).where(TASKS.c.state.in_(_WAITING), due < older_than)
                ).all()
            )

    def count_by_state(self) -> dict[str, int]:
        with self.db.read() as conn:
            rows = conn.execute(select(TASKS.c.state, func.count()).group_by(TASKS.c.state)).all()
        return {state: int(count) for state, count in rows}

    def count_by_name_and_state(self) -> list[tuple[str, str, int]]:
        with self.db.read() as conn:
            rows = conn.execute(
                select(TASKS.c.name, TASKS.c.state, func.count()).group_by(
                    TASKS.c.name, TASKS.c.state
                )
            ).all()
        return [(name, state, int(count)) for name, state, count in rows]

    def stats(self) -> list[Row[Any]]:
        with self.db.read() as conn:
            return list(conn.execute(select(STATS)).all())

    # -- housekeeping ------------------------------------------------------------------

    def expire_results(self, *, finished_before: float) -> int:
        """Drop result payloads of tasks that finished before the cut-off; keep the rows."""
        with self.db.write() as conn:
            result = conn.execute(
                update(TASKS)
                .where(
                    TASKS.c.finished_at < finished_before,
                    TASKS.c.result_expired.is_(False),
                )
                .values(result_json=None, result_expired=True)
            )
            return int(result.rowcount or 0)

    def delete_history(self, *, finished_before: float) -> int:
        with self.db.write() as conn:
            result = conn.execute(delete(TASKS).where(TASKS.c.finished_at < finished_before))
            return int(result.rowcount or 0)

    def tasks_of_dead_workers(self, *, now: float, lease: float) -> list[Row[Any]]:
        """STARTED tasks whose worker stopped, or whose heartbeat is older than the lease."""
        dead = or_(
            WORKERS.c.name.is_(None),
            WORKERS.c.stopped_at.is_not(None),
            WORKERS.c.heartbeat_at < now - lease,
        )
        with self.db.read() as conn:
            return list(
                conn.execute(
                    select(TASKS)
                    .select_from(TASKS.outerjoin(WORKERS, TASKS.c.worker == WORKERS.c.name))
                    .where(TASKS.c.state == TaskState.STARTED.value, dead)
                ).all()
            )

    # -- counters ----------------------------------------------------------------------

    def _bump(self, conn: Connection, name: str, key: str, amount: float) -> None:
        self._bump_many(conn, name, {key: amount})

    def _bump_many(self, conn: Connection, name: str, amounts: dict[str, float]) -> None:
        # One executemany: a finished task moves up to 15 counters, and 15 separate
        # statements cost ~5 ms of a 30 ms document task.
        conn.execute(
            text(
                "INSERT INTO task_stats (name, key, value) VALUES (:name, :key, :amount) "
                "ON CONFLICT (name, key) DO UPDATE SET value = task_stats.value + :amount"
            ),
            [{"name": name, "key": key, "amount": amount} for key, amount in amounts.items()],
        )

    def _count_finish(
        self,
        conn: Connection,
        name: str,
        state: TaskState,
        duration: float | None,
        times: int = 1,
    ) -> None:
        """Count `times` tasks of `name` that ended in `state`, each after `duration`."""
        amounts: dict[str, float] = {state.value: times}
        if duration is not None:
            amounts["duration_sum"] = duration * times
            amounts["duration_count"] = times
            for bound in DURATION_BUCKETS:
                if duration <= bound:
                    amounts[f"le_{bound}"] = times
        self._bump_many(conn, name, amounts)
