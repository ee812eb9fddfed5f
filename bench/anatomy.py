"""Where the time of a project create goes, step by step, on the live appliance's files.

The steps are the ones `ProjectService.create` takes inside `TaskQueue.transaction()`,
timed one by one from the benchmark process on the same app and queue databases, so
lock waits caused by the workers show up as they would in the server.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from appliance.db import create_db_engine
from appliance.projects.models import ProjectCreate
from appliance.projects.service import INSERT_PROJECT, ProjectService, new_project_row
from appliance.runtime import Runtime
from appliance.tasking.records import TaskMessage
from bench import samples
from bench.http import TimedClient
from bench.stats import summary

TASK = "tasks.generate_project_embedding"
# appliance.db issues BEGIN <mode> from this execution option (its `_BEGIN_OPTION`).
BEGIN_OPTION = "sqlite_begin"

STEPS = {
    "http_floor": "GET /api/v1/system/info over HTTP (no database write)",
    "begin_immediate": "BEGIN IMMEDIATE: waiting for the app database's write lock",
    "insert_project": "INSERT of the project row (Core, with its task id)",
    "ledger_insert": "INSERT of the PENDING ledger row",
    "commit_full": "COMMIT with synchronous=FULL (fsync of the WAL)",
    "huey_enqueue": "Huey enqueue into queue.db (synchronous=NORMAL)",
    "steps_total": "sum of the five steps above",
    "service_create": "ProjectService.create in-process (what the route calls)",
    "commit_normal": "the same COMMIT with synchronous=NORMAL (what-if)",
    "fsync_4k": "write 4 KB + fsync on the data folder's disk",
}


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000


def _timed_create(runtime: Runtime, body: dict[str, Any], into: dict[str, list[float]]) -> None:
    started = time.perf_counter()
    row = new_project_row(ProjectCreate.model_validate(body))
    with runtime.db.engine.connect().execution_options(**{BEGIN_OPTION: "IMMEDIATE"}) as conn:
        mark = time.perf_counter()
        transaction = conn.begin()
        into["begin_immediate"].append(_ms(mark))
        mark = time.perf_counter()
        task_id = str(uuid.uuid4())
        runtime.ledger.insert_pending(
            conn,
            task_id=task_id,
            name=TASK,
            args=(row["id"],),
            kwargs={},
            priority=10,
            max_retries=runtime.settings.max_retries,
            now=time.time(),
        )
        into["ledger_insert"].append(_ms(mark))
        mark = time.perf_counter()
        row["embedding_task_id"] = task_id
        conn.execute(INSERT_PROJECT, row)
        into["insert_project"].append(_ms(mark))
        mark = time.perf_counter()
        transaction.commit()
        into["commit_full"].append(_ms(mark))
    mark = time.perf_counter()
    runtime.queue.send(TaskMessage(task_id, TASK, (row["id"],), {}, 10))
    into["huey_enqueue"].append(_ms(mark))
    into["steps_total"].append(_ms(started))


def _commit_normal(engine: Engine, body: dict[str, Any], into: dict[str, list[float]]) -> None:
    with engine.connect().execution_options(**{BEGIN_OPTION: "IMMEDIATE"}) as conn:
        transaction = conn.begin()
        conn.execute(INSERT_PROJECT, new_project_row(ProjectCreate.model_validate(body)))
        mark = time.perf_counter()
        transaction.commit()
        into["commit_normal"].append(_ms(mark))


def _fsync(runtime: Runtime, into: dict[str, list[float]]) -> None:
    path = runtime.settings.data_dir / "bench-fsync.tmp"
    with path.open("ab") as handle:
        handle.write(os.urandom(4096))
        handle.flush()
        mark = time.perf_counter()
        os.fsync(handle.fileno())
        into["fsync_4k"].append(_ms(mark))


def measure(runtime: Runtime, port: int, count: int, offset: int, pause: float) -> dict[str, Any]:
    """Time each step of `count` creates; returns a summary per step (milliseconds)."""
    into: dict[str, list[float]] = defaultdict(list)
    service = ProjectService(runtime)
    normal = create_db_engine(runtime.settings.app_db_path, synchronous="NORMAL")
    client = TimedClient(port)
    try:
        for index in range(count):
            body = samples.project_body(offset + index)
            into["http_floor"].append(client.get("/api/v1/system/info").ms)
            _timed_create(runtime, body, into)
            time.sleep(pause)
            mark = time.perf_counter()
            service.create(ProjectCreate.model_validate(body))
            into["service_create"].append(_ms(mark))
            _commit_normal(normal, body, into)
            _fsync(runtime, into)
            time.sleep(pause)
    finally:
        client.close()
        normal.dispose()
    found: dict[str, Any] = {step: summary(into[step]) for step in STEPS}
    # The lock waits themselves: SQLite's busy handler sleeps 1, 2, 5, 10, 15, 20, 25 ...
    # ms between tries, so waits bunch at 1, 3, 8, 18, 33, 53 ... ms.
    found["lock_waits_over_0_5_ms"] = sorted(
        round(ms, 2) for ms in into["begin_immediate"] if ms > 0.5
    )
    return found


# Library functions worth showing beside the appliance's own (by name).
KEY_FUNCTIONS = {"execute", "commit", "model_dump", "enqueue", "model_construct"}


def profile(runtime: Runtime, count: int, offset: int, top: int = 14) -> list[dict[str, Any]]:
    """cProfile of `count` in-process creates: cumulative time of the appliance's functions
    and of the key library calls beneath them, per create, in milliseconds.

    cProfile slows Python code down (roughly doubles it), so read the times as shares of
    the total rather than as absolute figures.
    """
    service = ProjectService(runtime)
    bodies = [ProjectCreate.model_validate(samples.project_body(offset + i)) for i in range(count)]
    profiler = cProfile.Profile()
    profiler.enable()
    for body in bodies:
        service.create(body)
    profiler.disable()
    entries = pstats.Stats(profiler).stats  # type: ignore[attr-defined] - pstats keeps it here
    total = max(cumulative for (_cc, _n, _own, cumulative, _callers) in entries.values())
    rows = []
    for (path, line, function), (_cc, calls, _own, cumulative, _callers) in entries.items():
        own_code = "/appliance/" in path
        key = function in KEY_FUNCTIONS or "sqlite3" in function
        if not (own_code or key):
            continue
        parts = Path(path).parts
        where = f"{'/'.join(parts[-2:])}:{line}({function})" if line else function
        rows.append(
            {
                "function": where,
                "calls_per_create": calls / count,
                "cumulative_ms": cumulative * 1000 / count,
                "share": cumulative / total,
            }
        )
    rows.sort(key=lambda row: row["cumulative_ms"], reverse=True)
    return rows[:top]
