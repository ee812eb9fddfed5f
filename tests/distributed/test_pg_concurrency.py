"""Ledger transitions raced by several real processes on one PostgreSQL database.

On SQLite one writer lock serializes every transaction; PostgreSQL runs them in parallel
under READ COMMITTED. These tests start stand-in workers (`claimer.py`) that hit the same
rows at the same moment and check the rule the task engine rests on: a task is run by
exactly one worker, and of two competing transitions exactly one takes effect.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from appliance.runtime import Runtime
from appliance.tasking.counters import read_counters

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 4


def pending_tasks(runtime: Runtime, count: int) -> list[str]:
    ids = [str(uuid.uuid4()) for _ in range(count)]
    with runtime.db.write() as conn:
        for task_id in ids:
            runtime.ledger.insert_pending(
                conn,
                task_id=task_id,
                name="tasks.ping",
                args=[],
                kwargs={},
                priority=0,
                max_retries=3,
                now=time.time(),
            )
    return ids


def race(runtime: Runtime, jobs: list[tuple[str, str, bool]], ids: list[str]) -> list[Any]:
    """Run (mode, worker, reverse) jobs as processes starting at the same moment."""
    url = runtime.settings.database_url
    assert url is not None and url.startswith("postgresql")
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.distributed.claimer",
                mode,
                "--url",
                url,
                "--worker",
                worker,
                *(["--reverse"] if reverse else []),
                *ids,
            ],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for mode, worker, reverse in jobs
    ]
    for process in processes:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready", process.stderr
    for process in processes:  # all at once: each has connected and waits on its stdin
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    results = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        results.append(json.loads(out))
    return results


def states(runtime: Runtime, ids: list[str]) -> dict[str, Any]:
    return {task_id: runtime.ledger.get(task_id) for task_id in ids}


def test_each_task_is_claimed_by_exactly_one_process(runtime: Runtime) -> None:
    queued = pending_tasks(runtime, 60)
    # Ids the ledger has never seen, as Huey's scheduler sends periodic tasks: the first
    # claim creates the row, and only one process may create it.
    periodic = [f"periodic-{uuid.uuid4()}" for _ in range(60)]
    ids = [task_id for pair in zip(queued, periodic, strict=True) for task_id in pair]
    jobs = [("claim", f"w{n}", n % 2 == 1) for n in range(PROCESSES)]
    results = race(runtime, jobs, ids)
    wins = Counter(task_id for result in results for task_id in result["won"])
    assert set(wins) == set(ids) and set(wins.values()) == {1}
    # More than one process won some: the race was real, not one process doing it all.
    assert sum(1 for result in results if result["won"]) > 1
    winner = {task_id: r["worker"] for r in results for task_id in r["won"]}
    for task_id, row in states(runtime, ids).items():
        assert (row.state, row.attempts, row.worker) == ("SUCCESS", 1, winner[task_id])
    counted = {(s.name, s.key): s.value for s in read_counters(runtime.db)}
    assert counted[("tasks.ping", "SUCCESS")] == len(ids)


def test_finish_and_requeue_never_both_take_effect(runtime: Runtime) -> None:
    ids = pending_tasks(runtime, 80)
    for task_id in ids:
        runtime.ledger.claim(
            task_id=task_id,
            name="tasks.ping",
            worker="w1",
            now=time.time(),
            default_max_retries=3,
            create_missing=False,
        )
    # The worker finishes its tasks while the reaper hands the same ones back, in the
    # same order, so they collide on nearly every row. (With the requeue's old
    # read-then-update and no row lock, both won on dozens of rows here.)
    finished, requeued = race(runtime, [("finish", "w1", False), ("requeue", "w1", False)], ids)
    assert not set(finished["won"]) & set(requeued["won"])
    assert set(finished["won"]) | set(requeued["won"]) == set(ids)
    for task_id, row in states(runtime, ids).items():
        expected = "SUCCESS" if task_id in finished["won"] else "PENDING"
        assert row.state == expected, (task_id, row.state)
