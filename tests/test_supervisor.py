"""The supervisor with real worker processes: hand-back before restart, kills, retirement.

The test plays the launcher's loop: it calls `check()` until what it waits for happened.
Workers are single `appliance worker` processes on the default queue (no model loads).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from appliance.bootstrap import start_runtime
from appliance.config import Settings
from appliance.runtime import Runtime
from appliance.supervisor import WorkerSupervisor
from appliance.tasking.layout import WorkerPlan
from tests.support import FAST_ENGINE, wait_for

NAME = "huey@worker-7"


def engine_settings(data_dir: Path, **extra: object) -> Settings:
    fast = {k[len("APPLIANCE_") :].lower(): v for k, v in FAST_ENGINE.items()}
    return Settings(data_dir=data_dir, workers=1, **{**fast, **extra})  # type: ignore[arg-type]


class HandBacks:
    """The launcher's on_exit, refusing the first `refusals` calls as a busy database would."""

    def __init__(self, runtime: Runtime, refusals: int = 0) -> None:
        self.runtime = runtime
        self.refusals = refusals
        self.calls: list[tuple[str, bool]] = []

    def __call__(self, name: str, count_attempt: bool) -> None:
        self.calls.append((name, count_attempt))
        if self.refusals > 0:
            self.refusals -= 1
            raise RuntimeError("database is locked")
        for row in self.runtime.history.started(worker=name):
            self.runtime.ledger.requeue_started(
                task_id=row.id,
                worker=name,
                reason="test hand-back",
                count_attempt=count_attempt,
                now=time.time(),
            )


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Runtime]:
    runtime = start_runtime(engine_settings(tmp_path / "data"))
    yield runtime
    runtime.close()


def supervise(engine: Runtime, on_exit: HandBacks, **extra: object) -> WorkerSupervisor:
    settings = engine_settings(engine.settings.data_dir, **extra)
    supervisor = WorkerSupervisor(settings, on_exit, plans=[WorkerPlan(NAME, "default", False)])
    supervisor.start_all()
    return supervisor


def until(supervisor: WorkerSupervisor, condition: object, what: str) -> None:
    def checked() -> bool:
        supervisor.check()
        return bool(condition())  # type: ignore[operator]

    wait_for(checked, timeout=120, interval=0.1, what=what)


def registered_pid(engine: Runtime) -> int | None:
    row = engine.workers.worker(NAME)
    return None if row is None or row.stopped_at is not None else int(row.pid)


def test_a_dead_worker_is_restarted_only_after_its_tasks_are_handed_back(
    engine: Runtime,
) -> None:
    hand_backs = HandBacks(engine, refusals=2)
    supervisor = supervise(engine, hand_backs)
    try:
        first = supervisor.pid_of(NAME)
        assert first is not None
        until(supervisor, lambda: registered_pid(engine) == first, "the worker registered")
        os.kill(first, signal.SIGKILL)

        until(supervisor, lambda: len(hand_backs.calls) == 2, "two refused hand-backs")
        assert supervisor.pid_of(NAME) is None  # no new process while the old tasks hang
        until(supervisor, lambda: supervisor.pid_of(NAME) not in (None, first), "a restart")
        assert hand_backs.calls == [(NAME, True)] * 3  # a crash counts an attempt
    finally:
        supervisor.stop_all(timeout=10)


def test_a_worker_killed_on_purpose_costs_its_other_tasks_no_attempt(engine: Runtime) -> None:
    hand_backs = HandBacks(engine)
    supervisor = supervise(engine, hand_backs)
    try:
        pid = supervisor.pid_of(NAME)
        assert pid is not None
        assert supervisor.kill(NAME, pid=pid + 1) is False  # another process: left alone
        assert supervisor.pid_of(NAME) == pid
        assert supervisor.kill(NAME, pid=pid) is True
        until(supervisor, lambda: hand_backs.calls, "the hand-back")
        assert hand_backs.calls == [(NAME, False)]
    finally:
        supervisor.stop_all(timeout=10)


def test_a_worker_retires_after_its_task_runs_and_a_fresh_one_takes_over(
    engine: Runtime,
) -> None:
    hand_backs = HandBacks(engine)
    supervisor = supervise(engine, hand_backs, max_tasks_per_child=2)
    try:
        first = supervisor.pid_of(NAME)
        until(supervisor, lambda: registered_pid(engine) == first, "the worker registered")
        ids = [engine.queue.enqueue("tasks.ping", n) for n in range(5)]
        until(
            supervisor,
            lambda: all(engine.ledger.get(i).state == "SUCCESS" for i in ids),
            "five pings done",
        )
        rows = [engine.ledger.get(i) for i in ids]
        assert [row.attempts for row in rows] == [1] * 5  # nothing ran twice
        assert all(count_attempt is False for _name, count_attempt in hand_backs.calls)
        # Two runs per process: the five pings took three processes, two of them retired.
        assert len(hand_backs.calls) == 2
        assert supervisor.pid_of(NAME) not in (None, first)
    finally:
        supervisor.stop_all(timeout=10)


def test_a_worker_hands_back_what_an_earlier_process_under_its_name_left_started(
    engine: Runtime,
) -> None:
    # The earlier process died and nobody could hand its task back (the supervisor could
    # not reach the database, or the worker was started by hand).
    task_id = engine.queue.enqueue("tasks.ping", "verwaist")
    engine.queue.huey("default").flush()
    engine.workers.register_worker(
        name=NAME, pid=1, hostname="old", periodic=False, registered=[], now=time.time() - 999
    )
    engine.ledger.claim(
        task_id=task_id,
        name="tasks.ping",
        worker=NAME,
        now=time.time(),
        default_max_retries=3,
        create_missing=False,
    )
    supervisor = supervise(engine, HandBacks(engine))
    try:
        until(supervisor, lambda: engine.ledger.get(task_id).state == "SUCCESS", "the re-run")
        assert engine.ledger.get(task_id).attempts == 2
    finally:
        supervisor.stop_all(timeout=10)
