"""The task ledger read as a whole: history, what runs, what is overdue, how many.

Queries over many rows, for the monitor, the reaper and the housekeeping task; the
transitions of single tasks are `ledger.py`'s.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Row, and_, delete, func, or_, select, text, update

from appliance.db import Database
from appliance.tasking.ledger import TASKS, WAITING
from appliance.tasking.states import TaskState
from appliance.tasking.tables import WorkerRecord

WORKERS = WorkerRecord.__table__  # type: ignore[attr-defined]


class TaskHistory:
    """Reads over the ledger, and dropping what has grown old."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def recent(
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
                    select(TASKS).where(TASKS.c.state.in_(WAITING), due < older_than)
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
