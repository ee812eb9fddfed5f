"""The task engine end to end: real launcher, 4 real worker processes, scaled timings."""

from __future__ import annotations

import os
import re
import signal
from collections.abc import Iterator
from datetime import datetime

import pytest

from appliance.holds import HoldPoints
from appliance.tasking.retry import RetryPolicy
from tests.support import SHORT_LIMITS, RunningAppliance, wait_for

pytestmark = pytest.mark.e2e


def test_enqueue_to_success(appliance: RunningAppliance) -> None:
    task_id = appliance.enqueue("tasks.ping", "hallo")
    row = appliance.wait_state(task_id, {"SUCCESS"})
    assert row.attempts == 1
    assert row.worker.startswith("huey@worker-")
    body = appliance.client.get(f"/api/v1/tasks/task/{task_id}").json()
    assert body["status"] == "SUCCESS"
    assert body["ready"] is True and body["successful"] is True
    assert body["result"] == {"status": "success", "pong": "hallo", "attempt": 1}
    # Reading a result never consumes it.
    for _ in range(2):
        result = appliance.client.get(f"/api/v1/tasks/task/{task_id}/result")
        assert result.status_code == 200
        assert result.json()["result"]["pong"] == "hallo"


def attempt_times(log: str, task_id: str) -> tuple[list[float], list[tuple[float, float]]]:
    """From the log: when each attempt started, and (failed at, planned delay) per retry."""
    starts, retries = [], []
    for forwarded in log.splitlines():
        if f"[Task {task_id}]" not in forwarded:
            continue
        _worker, _bar, line = forwarded.partition(" | ")  # the launcher's prefix
        at = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()
        if " started (attempt " in line:
            starts.append(at)
        elif planned := re.search(r"\(retry \d+/\d+ in ([0-9.]+) s\)", line):
            retries.append((at, float(planned.group(1))))
    return starts, retries


def test_retry_schedule_order_spacing_and_final_failure(appliance: RunningAppliance) -> None:
    """tasks.fail runs 4 times: delays >= 1, 2, 4 s (base scaled to 1 s), then FAILURE."""
    task_id = appliance.enqueue("tasks.fail")
    row = appliance.wait_state(task_id, {"FAILURE"}, timeout=120)
    assert row.attempts == 4
    assert row.error == "DiagnosticFailure: failing on purpose (attempt 4)"

    # Every attempt's start and every retry's plan, as the workers logged them.
    starts, retries = attempt_times(appliance.log_text(), task_id)
    assert len(starts) == 4 and len(retries) == 3
    policy = RetryPolicy(max_retries=3, base_delay=1.0)
    for retry, (failed_at, planned) in enumerate(retries, start=1):
        nominal = policy.nominal_delay(retry)
        assert nominal <= planned <= nominal * 1.25 + 0.05  # the log rounds to 0.1 s
        # Never earlier than planned (the log's times are to the millisecond, and the
        # failure is logged just after it was written).
        assert starts[retry] - failed_at >= planned - 0.1


@pytest.fixture(scope="module")
def short_limits(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningAppliance]:
    """An appliance whose soft/hard time limits are 2 s and 4 s."""
    running = RunningAppliance(tmp_path_factory.mktemp("limits") / "data", env=SHORT_LIMITS)
    yield running.start()
    running.close()


def replaced(appliance: RunningAppliance, worker: str, old_pid: int) -> int:
    def new_pid() -> int | None:
        pid = appliance.worker_pids().get(worker)
        return pid if pid and pid != old_pid else None

    found: int = wait_for(new_pid, timeout=30, what=f"a fresh process for {worker}")
    return found


def test_soft_time_limit_fails_the_attempt_and_renews_the_worker(
    short_limits: RunningAppliance,
) -> None:
    pids = short_limits.worker_pids()
    task_id = short_limits.enqueue("tasks.sleep", 30)
    row = short_limits.wait_state(task_id, {"RETRY"}, timeout=60)
    pid = pids[row.worker]
    assert row.error == "soft time limit exceeded"
    assert row.attempts == 1
    assert row.finished_at is None  # not final: it follows the retry rules
    short_limits.client.post(f"/api/v1/tasks/task/{task_id}/revoke")
    replaced(short_limits, row.worker, pid)
    short_limits.wait_healthy()


def test_hard_time_limit_kills_the_worker_and_starts_a_fresh_one(
    short_limits: RunningAppliance,
) -> None:
    pids = short_limits.worker_pids()
    task_id = short_limits.enqueue("tasks.sleep", 60, ignore_soft_limit=True)
    row = short_limits.wait_state(task_id, {"RETRY"}, timeout=60)
    assert row.error == "hard time limit exceeded"
    short_limits.client.post(f"/api/v1/tasks/task/{task_id}/revoke")
    replaced(short_limits, row.worker, pids[row.worker])
    short_limits.wait_healthy()


def test_revoke_pending_task_never_runs(appliance: RunningAppliance) -> None:
    # Worker 1 serves the embeddings queue; the other three take these held sleeps.
    with appliance.hold(HoldPoints.task("tasks.sleep")):
        blockers = [appliance.enqueue("tasks.sleep", 0.1) for _ in range(3)]
        for blocker in blockers:
            appliance.wait_state(blocker, {"STARTED"})
        task_id = appliance.enqueue("tasks.ping")
        response = appliance.client.post(f"/api/v1/tasks/task/{task_id}/revoke")
        assert response.status_code == 200
        assert response.json() == {
            "status": "revoked",
            "task_id": task_id,
            "message": f"Task {task_id} has been revoked",
        }
    for blocker in blockers:
        appliance.wait_state(blocker, {"SUCCESS"})
    # The free workers take the revoked message off the queue and run nothing.
    wait_for(
        lambda: task_id not in appliance.runtime.queue.tasks.message_ids(),
        timeout=30,
        what="the revoked message taken",
    )
    row = appliance.task(task_id)
    assert (row.state, row.attempts, row.started_at) == ("REVOKED", 0, None)
    assert task_id not in appliance.runtime.queue.tasks.message_ids()


def test_revoke_running_task_with_terminate(appliance: RunningAppliance) -> None:
    with appliance.hold(HoldPoints.task("tasks.sleep")):
        task_id = appliance.enqueue("tasks.sleep", 0.1)
        running = appliance.wait_state(task_id, {"STARTED"})
        pid = appliance.worker_pids()[running.worker]
        refused = appliance.client.post(f"/api/v1/tasks/task/{task_id}/revoke")
        assert refused.status_code == 409
        assert "terminate=true" in refused.json()["detail"]
        response = appliance.client.post(f"/api/v1/tasks/task/{task_id}/revoke?terminate=true")
        assert response.status_code == 200
        with pytest.raises(ProcessLookupError):
            wait_for(lambda: os.kill(pid, 0), timeout=10, what="never")  # type: ignore[func-returns-value]
    replaced(appliance, running.worker, pid)
    appliance.wait_healthy()
    row = appliance.task(task_id)
    assert (row.state, row.attempts) == ("REVOKED", 1)


def test_revoke_errors(appliance: RunningAppliance) -> None:
    unknown = appliance.client.post("/api/v1/tasks/task/no-such-task/revoke")
    assert unknown.status_code == 404
    assert "no-such-task" in unknown.json()["detail"]
    task_id = appliance.enqueue("tasks.ping")
    appliance.wait_state(task_id, {"SUCCESS"})
    finished = appliance.client.post(f"/api/v1/tasks/task/{task_id}/revoke")
    assert finished.status_code == 409
    assert finished.json()["state"] == "SUCCESS"


def test_kill_9_of_a_worker_mid_task_reruns_it(appliance: RunningAppliance) -> None:
    with appliance.hold(HoldPoints.task("tasks.sleep")):
        task_id = appliance.enqueue("tasks.sleep", 0.1)
        running = appliance.wait_state(task_id, {"STARTED"})
        os.kill(appliance.worker_pids()[running.worker], signal.SIGKILL)
    row = appliance.wait_state(task_id, {"SUCCESS"}, timeout=30)
    assert row.attempts == 2
    assert task_id not in [r.id for r in appliance.runtime.history.started()]
    appliance.wait_healthy()


def test_failed_task_can_be_retried_from_the_dead_letter_list(
    appliance: RunningAppliance,
) -> None:
    task_id = appliance.enqueue("tasks.fail")
    appliance.wait_state(task_id, {"RETRY"}, timeout=20)
    appliance.client.post(f"/api/v1/tasks/task/{task_id}/revoke")
    response = appliance.client.post(f"/api/v1/tasks/task/{task_id}/retry")
    assert response.status_code == 200
    assert response.json()["status"] == "queued"
    row = appliance.wait_state(task_id, {"RETRY"}, timeout=20)
    assert row.attempts == 1  # a fresh budget
    appliance.client.post(f"/api/v1/tasks/task/{task_id}/revoke")
    again = appliance.client.post(f"/api/v1/tasks/task/{task_id}/revoke")
    assert again.status_code == 409
    ping = appliance.enqueue("tasks.ping")
    appliance.wait_state(ping, {"SUCCESS"})
    assert appliance.client.post(f"/api/v1/tasks/task/{ping}/retry").status_code == 409
