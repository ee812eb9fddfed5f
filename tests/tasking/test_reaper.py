"""The reaper against real databases and a real Huey queue (no worker processes).

Time is passed in: the reaper's awake clock is ticked through the seconds a test says
went by, in steps like the supervise loop's, or across a jump like a night's sleep.
"""

from __future__ import annotations

import time

from appliance.runtime import Runtime
from appliance.tasking.reaper import ORPHAN_GRACE, Reaper
from tests.support import RecordingControl
from tests.tracing import on_call

# Each test with a database runs on SQLite and on a real PostgreSQL server (conftest.py).
ON_BOTH_DATABASES = True

STEP = 1.0  # seconds between two turns of the supervise loop, as the tests tell it


def awake_until(reaper: Reaper, start: float, end: float) -> None:
    """Tick the reaper through [start, end] as a loop turning every STEP seconds would."""
    now = start
    while now < end:
        now = min(now + STEP, end)
        reaper.tick(now)


def _started(runtime: Runtime, worker: str, started: float) -> str:
    task_id = runtime.queue.enqueue("tasks.ping")
    runtime.queue.huey("default").flush()
    runtime.ledger.claim(
        task_id=task_id,
        name="tasks.ping",
        worker=worker,
        now=started,
        default_max_retries=3,
        create_missing=False,
    )
    return task_id


def _register(runtime: Runtime, name: str, pid: int, now: float) -> None:
    runtime.workers.register_worker(
        name=name, pid=pid, hostname="h", periodic=False, registered=[], now=now
    )


def test_a_waiting_task_whose_message_vanished_is_sent_again(runtime: Runtime) -> None:
    task_id = runtime.queue.enqueue("tasks.ping")
    # The message is lost, as in a crash right after Huey's dequeue.
    runtime.queue.huey("default").flush()
    reaper = Reaper(runtime, RecordingControl())
    assert reaper.resend_orphans(now=time.time()) == 0  # still within the grace period
    assert reaper.resend_orphans(now=time.time() + ORPHAN_GRACE + 1) == 1
    assert runtime.queue.tasks.message_ids() == {task_id}
    # Its message is there now: nothing is sent twice.
    assert reaper.resend_orphans(now=time.time() + ORPHAN_GRACE + 1) == 0


def test_tasks_of_a_worker_that_died_go_back_to_the_queue(runtime: Runtime) -> None:
    task_id = _started(runtime, "huey@worker-1", time.time())
    reaper = Reaper(runtime, RecordingControl())
    reaper.startup(["huey@worker-1"])
    row = runtime.ledger.get(task_id)
    assert (row.state, row.attempts) == ("PENDING", 1)
    assert runtime.queue.tasks.message_ids() == {task_id}


def test_hard_limit_fails_the_attempt_and_kills_the_process_that_ran_it(
    runtime: Runtime,
) -> None:
    started = time.time()
    _register(runtime, "huey@worker-2", 4321, started)
    task_id = _started(runtime, "huey@worker-2", started)
    control = RecordingControl()
    reaper = Reaper(runtime, control, now=started)
    limit = runtime.settings.task_hard_time_limit
    awake_until(reaper, started, started + limit - 1)
    assert reaper.enforce_hard_limit(now=started + limit - 1) == 0
    awake_until(reaper, started + limit - 1, started + limit + 1)
    assert reaper.enforce_hard_limit(now=started + limit + 1) == 1
    assert control.kills == [("huey@worker-2", 4321)]
    row = runtime.ledger.get(task_id)
    assert (row.state, row.error) == ("RETRY", "hard time limit exceeded")
    assert runtime.queue.scheduled_count() == 1


def test_a_task_that_finishes_as_the_hard_limit_strikes_costs_its_worker_nothing(
    runtime: Runtime,
) -> None:
    started = time.time()
    task_id = _started(runtime, "huey@worker-2", started)
    control = RecordingControl()
    reaper = Reaper(runtime, control, now=started)
    limit = runtime.settings.task_hard_time_limit
    awake_until(reaper, started, started + limit + 1)

    def the_worker_finishes_first(_frame: object) -> None:
        runtime.ledger.finish_success(
            task_id=task_id, worker="huey@worker-2", result=1, duration=limit, now=time.time()
        )

    # Between the reaper's read of the running tasks and its failure transition.
    with on_call("finish_failure", "Ledger", the_worker_finishes_first):
        assert reaper.enforce_hard_limit(now=started + limit + 1) == 0

    assert control.kills == []  # the worker may be running another task by now
    assert runtime.ledger.get(task_id).state == "SUCCESS"


def test_a_pc_that_slept_with_a_task_running_does_not_count_the_sleep(
    runtime: Runtime,
) -> None:
    started = time.time()
    _register(runtime, "huey@worker-2", 4321, started)
    task_id = _started(runtime, "huey@worker-2", started)
    control = RecordingControl()
    reaper = Reaper(runtime, control, now=started)
    limit = runtime.settings.task_hard_time_limit
    awake_until(reaper, started, started + 60)
    night = started + 60 + 35 * 60 + limit  # asleep longer than the whole hard limit

    reaper.tick(night)
    assert reaper.enforce_hard_limit(now=night) == 0
    assert reaper.reap_dead_workers(now=night) == 0  # the heartbeats stopped in the sleep
    assert runtime.ledger.get(task_id).state == "STARTED"
    assert control.kills == []

    # Awake again, the task has its remaining time and no more.
    awake_until(reaper, night, night + limit - 60 - 2)
    assert reaper.enforce_hard_limit(now=night + limit - 62) == 0
    awake_until(reaper, night + limit - 62, night + limit + 2)
    assert reaper.enforce_hard_limit(now=night + limit + 2) == 1
    assert control.killed == ["huey@worker-2"]


def test_after_a_sleep_the_leases_start_fresh(runtime: Runtime) -> None:
    started = time.time()
    lease = runtime.settings.worker_lease
    _register(runtime, "huey@worker-3", 99, started)
    task_id = _started(runtime, "huey@worker-3", started)
    reaper = Reaper(runtime, RecordingControl(), now=started)
    awake_until(reaper, started, started + 5)
    woke = started + 8 * 3600

    reaper.tick(woke)
    assert reaper.reap_dead_workers(now=woke) == 0
    awake_until(reaper, woke, woke + lease - 1)
    assert reaper.reap_dead_workers(now=woke + lease - 1) == 0
    assert runtime.ledger.get(task_id).state == "STARTED"

    # A worker that stays silent a whole lease after the wake-up is dead after all.
    awake_until(reaper, woke + lease - 1, woke + lease + 1)
    assert reaper.reap_dead_workers(now=woke + lease + 1) == 1
    assert runtime.ledger.get(task_id).state == "PENDING"


def test_a_worker_that_answers_after_the_wake_up_keeps_its_task(runtime: Runtime) -> None:
    started = time.time()
    lease = runtime.settings.worker_lease
    _register(runtime, "huey@worker-3", 99, started)
    task_id = _started(runtime, "huey@worker-3", started)
    reaper = Reaper(runtime, RecordingControl(), now=started)
    woke = started + 3600
    reaper.tick(woke)
    runtime.workers.heartbeat(
        name="huey@worker-3", pid=99, current_task_id=task_id, tasks_done=0, now=woke + 2
    )
    awake_until(reaper, woke, woke + lease + 1)
    assert reaper.reap_dead_workers(now=woke + lease + 1) == 0
    assert runtime.ledger.get(task_id).state == "STARTED"


def test_another_machine_s_worker_is_never_killed_and_gets_a_lease_of_grace(
    runtime: Runtime,
) -> None:
    started = time.time()
    task_id = _started(runtime, "huey@node-a/worker-2", started)
    control = RecordingControl()
    reaper = Reaper(runtime, control, local_workers=lambda: ["huey@server/worker-1"], now=started)
    settings = runtime.settings
    limit = settings.task_hard_time_limit
    # Its own node should act at the hard limit; the server steps in a lease later.
    awake_until(reaper, started, started + limit + 1)
    assert reaper.enforce_hard_limit(now=started + limit + 1) == 0
    later = started + limit + settings.worker_lease + 1
    awake_until(reaper, started + limit + 1, later)
    assert reaper.enforce_hard_limit(now=later) == 1
    assert control.kills == []
    assert runtime.ledger.get(task_id).state == "RETRY"


def test_a_node_s_reaper_leaves_other_machines_alone(runtime: Runtime) -> None:
    started = time.time()
    foreign = _started(runtime, "huey@node-a/worker-2", started)
    own = _started(runtime, "huey@node-b/worker-1", started)
    control = RecordingControl()
    reaper = Reaper(
        runtime,
        control,
        local_workers=lambda: ["huey@node-b/worker-1"],
        foreign=False,
        now=started,
    )
    end = started + runtime.settings.task_hard_time_limit * 3
    awake_until(reaper, started, end)
    assert reaper.enforce_hard_limit(now=end) == 1
    assert control.killed == ["huey@node-b/worker-1"]
    assert runtime.ledger.get(own).state == "RETRY"
    assert runtime.ledger.get(foreign).state == "STARTED"
