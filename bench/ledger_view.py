"""Reading the live appliance's ledger and project table from the benchmark process.

Polling the database directly keeps the launcher free of the benchmark's own requests
while it is being measured.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import psutil
from sqlalchemy import func, select
from sqlmodel import col

from appliance.projects.models import EmbeddingStatus, Project
from appliance.runtime import Runtime
from appliance.tasking.tables import TaskRecord
from bench.stats import summary

TASKS = TaskRecord.__table__  # type: ignore[attr-defined]


def indexed_count(runtime: Runtime) -> int:
    """Projects whose vector is in the store (status `indexed`)."""
    query = select(func.count()).select_from(Project)
    query = query.where(col(Project.status) == EmbeddingStatus.INDEXED)
    with runtime.db.read() as conn:
        return int(conn.execute(query).scalar_one())


def states(runtime: Runtime, task_ids: Sequence[str]) -> dict[str, int]:
    """How many of `task_ids` are in each state."""
    counts: dict[str, int] = {}
    with runtime.db.read() as conn:
        for start in range(0, len(task_ids), 500):
            chunk = list(task_ids[start : start + 500])
            rows = conn.execute(
                select(TASKS.c.state, func.count())
                .where(TASKS.c.id.in_(chunk))
                .group_by(TASKS.c.state)
            )
            for state, count in rows:
                counts[state] = counts.get(state, 0) + int(count)
    return counts


def timings(runtime: Runtime, task_ids: Sequence[str]) -> list[dict[str, Any]]:
    """enqueued/started/finished times (epoch seconds) of the tasks, where known."""
    found = []
    with runtime.db.read() as conn:
        for start in range(0, len(task_ids), 500):
            chunk = list(task_ids[start : start + 500])
            rows = conn.execute(
                select(
                    TASKS.c.id,
                    TASKS.c.name,
                    TASKS.c.state,
                    TASKS.c.worker,
                    TASKS.c.enqueued_at,
                    TASKS.c.started_at,
                    TASKS.c.finished_at,
                ).where(TASKS.c.id.in_(chunk))
            )
            found += [dict(row._mapping) for row in rows]
    return found


def handoff_gaps(rows: list[dict[str, Any]]) -> list[float]:
    """Milliseconds each worker spent between finishing one task and starting its next.

    Only gaps shorter than a second count: longer ones are a worker waiting for work,
    not the cost of taking the next task (dequeue, claim, lock waits).
    """
    gaps = []
    by_worker: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if row["started_at"] and row["finished_at"] and row["worker"]:
            by_worker.setdefault(row["worker"], []).append(row)
    for tasks in by_worker.values():
        tasks.sort(key=lambda r: r["started_at"])
        for before, after in itertools.pairwise(tasks):
            gap = (after["started_at"] - before["finished_at"]) * 1000
            if 0 <= gap < 1000:
                gaps.append(gap)
    return gaps


def latency_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Queue wait, run time, total latency and worker hand-off gaps, in milliseconds."""
    done = [r for r in rows if r["finished_at"] and r["started_at"]]
    return {
        "wait_ms": summary([(r["started_at"] - r["enqueued_at"]) * 1000 for r in done]),
        "run_ms": summary([(r["finished_at"] - r["started_at"]) * 1000 for r in done]),
        "total_ms": summary([(r["finished_at"] - r["enqueued_at"]) * 1000 for r in done]),
        "gap_ms": summary(handoff_gaps(done)),
    }


class CpuMeter:
    """CPU use of the whole machine and of named processes over one interval."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.processes = {}
        for name, pid in pids.items():
            try:
                self.processes[name] = psutil.Process(pid)
            except psutil.NoSuchProcess:
                continue
        for process in self.processes.values():
            process.cpu_percent()
        psutil.cpu_percent()

    def read(self) -> dict[str, float]:
        """Percent of one core per process (machine: percent of all cores) since creation."""
        found = {"machine": psutil.cpu_percent()}
        for name, process in self.processes.items():
            try:
                found[name] = process.cpu_percent()
            except psutil.NoSuchProcess:
                continue
        return found
