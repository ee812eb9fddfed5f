"""Monotonic counters per task name (finished, retried, durations), for /metrics.

Kept in the app database, so every worker process adds to the same numbers; written in
the same transaction as the transition they count.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, select, text

from appliance.db import Database
from appliance.tasking.states import TaskState
from appliance.tasking.tables import TaskStat

STATS = TaskStat.__table__  # type: ignore[attr-defined]
DURATION_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0)


def read_counters(db: Database) -> list[Row[Any]]:
    """Every counter: (name, key, value) rows."""
    with db.read() as conn:
        return list(conn.execute(select(STATS)).all())


def add(conn: Connection, name: str, amounts: dict[str, float]) -> None:
    """Add `amounts` (key -> amount) to task `name`'s counters, in `conn`'s transaction."""
    # One executemany: a finished task moves up to 15 counters, and 15 separate
    # statements cost ~5 ms of a 30 ms document task.
    conn.execute(
        text(
            "INSERT INTO task_stats (name, key, value) VALUES (:name, :key, :amount) "
            "ON CONFLICT (name, key) DO UPDATE SET value = task_stats.value + :amount"
        ),
        [{"name": name, "key": key, "amount": amount} for key, amount in amounts.items()],
    )


def count_finish(
    conn: Connection, name: str, state: TaskState, duration: float | None, times: int = 1
) -> None:
    """Count `times` tasks of `name` that ended in `state`, each after `duration`."""
    amounts: dict[str, float] = {state.value: times}
    if duration is not None:
        amounts["duration_sum"] = duration * times
        amounts["duration_count"] = times
        for bound in DURATION_BUCKETS:
            if duration <= bound:
                amounts[f"le_{bound}"] = times
    add(conn, name, amounts)
