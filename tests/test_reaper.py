"""The reaper against real databases and a real Huey queue (no worker processes)."""

from __future__ import annotations

import time

from appliance.container import Services
from appliance.tasking.reaper import ORPHAN_GRACE, Reaper


def test_a_waiting_task_whose_message_vanished_is_sent_again(services: Services) -> None:
    task_id = services.queue.enqueue("tasks.ping")
    # The message is lost, as in a crash right after Huey's dequeue.
    services.queue.huey("default").flush()
    reaper = Reaper(services, kill_worker=lambda name: False)
    assert reaper.resend_orphans(now=time.time()) == 0  # still within the grace period
    assert reaper.resend_orphans(now=time.time() + ORPHAN_GRACE + 1) == 1
    assert services.queue.tasks.message_ids() == {task_id}
    # Its message is there now: nothing is sent twice.
    assert reaper.resend_orphans(now=time.time() + ORPHAN_GRACE + 1) == 0


def test_tasks_of_a_worker_that_died_go_back_to_the_queue(services: Services) -> None:
    task_id = services.queue.enqueue("tasks.ping")
    services.queue.huey("default").flush()
    services.ledger.claim(
        task_id=task_id,
        name="tasks.ping",
        worker="huey@worker-1",
        now=time.time(),
        default_max_retries=3,
        create_missing=False,
    )
    reaper = Reaper(services, kill_worker=lambda name: False)
    reaper.startup(["huey@worker-1"])
    row = services.ledger.get(task_id)
    assert (row.state, row.attempts) == ("PENDING", 1)
    assert services.queue.tasks.message_ids() == {task_id}


def test_hard_limit_fails_the_attempt_and_kills_the_worker(services: Services) -> None:
    task_id = services.queue.enqueue("tasks.ping")
    services.queue.huey("default").flush()
    started = time.time()
    services.ledger.claim(
        task_id=task_id,
        name="tasks.ping",
        worker="huey@worker-2",
        now=started,
        default_max_retries=3,
        create_missing=False,
    )
    killed: list[str] = []
    reaper = Reaper(services, kill_worker=lambda name: killed.append(name) or True)
    limit = services.settings.task_hard_time_limit
    assert reaper.enforce_hard_limit(now=started + limit - 1) == 0
    assert reaper.enforce_hard_limit(now=started + limit + 1) == 1
    assert killed == ["huey@worker-2"]
    row = services.ledger.get(task_id)
    assert (row.state, row.error) == ("RETRY", "hard time limit exceeded")
    assert services.queue.scheduled_count() == 1


def _started(services: Services, worker: str, started: float) -> str:
    task_id = services.queue.enqueue("tasks.ping")
    services.queue.huey("default").flush()
    services.ledger.claim(
        task_id=task_id,
        name="tasks.ping",
        worker=worker,
        now=started,
        default_max_retries=3,
        create_missing=False,
    )
    return task_id


def test_another_machine_s_worker_is_never_killed_and_gets_a_lease_of_grace(
    services: Services,
) -> None:
    started = time.time()
    task_id = _started(services, "huey@node-a/worker-2", started)
    killed: list[str] = []
    reaper = Reaper(
        services,
        kill_worker=lambda name: killed.append(name) or True,
        local_workers=lambda: ["huey@server/worker-1"],
    )
    settings = services.settings
    limit = settings.task_hard_time_limit
    # Its own node should act at the hard limit; the server steps in a lease later.
    assert reaper.enforce_hard_limit(now=started + limit + 1) == 0
    assert reaper.enforce_hard_limit(now=started + limit + settings.worker_lease + 1) == 1
    assert killed == []
    assert services.ledger.get(task_id).state == "RETRY"


def test_a_node_s_reaper_leaves_other_machines_alone(services: Services) -> None:
    started = time.time()
    foreign = _started(services, "huey@node-a/worker-2", started)
    own = _started(services, "huey@node-b/worker-1", started)
    killed: list[str] = []
    reaper = Reaper(
        services,
        kill_worker=lambda name: killed.append(name) or True,
        local_workers=lambda: ["huey@node-b/worker-1"],
        foreign=False,
    )
    assert reaper.enforce_hard_limit(now=started + 10**6) == 1
    assert killed == ["huey@node-b/worker-1"]
    assert services.ledger.get(own).state == "RETRY"
    assert services.ledger.get(foreign).state == "STARTED"
