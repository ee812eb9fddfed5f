"""Who runs below the web server: on Linux the computing threads and processes only.

A worker holds the app database's write lock for a moment at every claim and result; if
the whole worker ran at low priority, the server would preempt it while it holds the lock
and then wait for it. So the workers' own threads run at normal priority, and what
computes (embedding lanes, the file-reader child and its tesseract) runs below it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import psutil
import pytest

from appliance.priority import BACKGROUND_NICENESS
from tests.e2e.test_documents import upload, wait_done
from tests.e2e.test_projects import wait_indexed
from tests.support import RunningAppliance, wait_for

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(sys.platform != "linux", reason="per-thread priorities exist on Linux"),
]


def thread_nice_levels(pid: int) -> dict[int, int]:
    """Nice level of every thread of `pid`, by thread id (from /proc)."""
    levels = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        stat = (task / "stat").read_text()
        # Fields after the command name in parentheses; nice is field 19 of the line.
        fields = stat[stat.rindex(")") + 2 :].split()
        levels[int(task.name)] = int(fields[16])
    return levels


def test_workers_write_at_normal_priority_and_compute_below_it(
    appliance: RunningAppliance, tmp_path: Path
) -> None:
    # Long enough for many windows, so the batch is spread over every lane (a short
    # text is encoded on one lane, and the pool starts its threads as they are needed).
    created = appliance.client.post(
        "/api/v1/projects/",
        json={"name": "Priorität", "description": "Heizung im Altbau tauschen. " * 600},
    ).json()
    wait_indexed(appliance, created["id"])
    note = tmp_path / "notiz.txt"
    note.write_text("Rückruf wegen Heizkörper im Bad", encoding="utf-8")
    wait_done(appliance, upload(appliance, note)["id"])

    workers = appliance.worker_pids()
    assert len(workers) == 4
    readers: list[psutil.Process] = []
    for name, pid in workers.items():
        levels = thread_nice_levels(pid)
        assert levels[pid] == 0, f"{name}'s main thread runs below normal"
        if name == "huey@worker-1":  # the embedding worker: its lanes compute
            lanes = [tid for tid, level in levels.items() if level == BACKGROUND_NICENESS]
            assert len(lanes) >= (os.cpu_count() or 1)
        else:
            # A document worker starts its reader with its first file and keeps it for
            # the next one (two idle minutes).
            readers += psutil.Process(pid).children()
    assert readers, "the worker that read the note has no file-reader child"
    # A reader lowers itself as it starts; one started a moment ago gets there shortly.
    wait_for(
        lambda: all(niceness(child) in (BACKGROUND_NICENESS, None) for child in readers),
        timeout=60,
        what="every file reader below normal priority",
    )


def niceness(process: psutil.Process) -> int | None:
    """The process's nice level, None once it has ended."""
    try:
        return int(process.nice())
    except psutil.NoSuchProcess:
        return None
