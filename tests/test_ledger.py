"""The ledger's guarded transitions on a real SQLite file."""

from __future__ import annotations

import time

import pytest

from appliance.container import Services
from appliance.tasking.states import TaskState


def claim(services: Services, task_id: str, worker: str = "w1", now: float | None = None) -> object:
    return services.ledger.claim(
        task_id=task_id,
        name="tasks.ping",
        worker=worker,
        now=time.time() if now is None else now,
        default_max_retries=3,
        create_missing=False,
    )


def test_enqueue_records_pending_and_sends_a_message(services: Services) -> None:
    task_id = services.queue.enqueue("tasks.ping", "hello")
    row = services.ledger.get(task_id)
    assert row.state == TaskState.PENDING
    assert row.args_summary == "'hello'"
    assert services.queue.tasks.message_ids() == {task_id}


def test_a_failed_transaction_enqueues_nothing(services: Services) -> None:
    with pytest.raises(RuntimeError), services.queue.transaction() as tx:
        task_id = tx.enqueue("tasks.ping")
        raise RuntimeError("boom")
    assert services.ledger.get(task_id) is None
    assert services.queue.queue_depth() == 0


def test_unknown_task_names_are_refused(services: Services) -> None:
    with pytest.raises(KeyError):
        services.queue.enqueue("tasks.does_not_exist")


def test_a_task_is_claimed_once(services: Services) -> None:
    task_id = services.queue.enqueue("tasks.ping")
    first = claim(services, task_id, "w1")
    second = claim(services, task_id, "w2")
    assert first is not None and first.attempt == 1  # type: ignore[attr-defined]
    assert second is None
    assert services.ledger.get(task_id).worker == "w1"


def test_a_worker_that_lost_its_task_cannot_finish_it(services: Services) -> None:
    task_id = services.queue.enqueue("tasks.ping")
    claim(services, task_id, "w1")
    outcome = services.ledger.requeue_started(
        task_id=task_id, worker="w1", reason="died", count_attempt=True, now=time.time()
    )
    assert outcome.resend is not None
    claim(services, task_id, "w2")
    assert not services.ledger.finish_success(
        task_id=task_id, worker="w1", result=1, duration=0.1, now=time.time()
    )
    assert services.ledger.finish_success(
        task_id=task_id, worker="w2", result=2, duration=0.1, now=time.time()
    )
    row = services.ledger.get(task_id)
    assert (row.state, row.result_json, row.attempts) == ("SUCCESS", "2", 2)


def test_crashes_use_up_the_retry_budget(services: Services) -> None:
    task_id = services.queue.enqueue("tasks.ping")
    outcomes = []
    for _ in range(4):
        claim(services, task_id)
        outcomes.append(
            services.ledger.requeue_started(
                task_id=task_id, worker="w1", reason="died", count_attempt=True, now=time.time()
            )
        )
    assert [o.resend is not None for o in outcomes] == [True, True, True, False]
    assert outcomes[-1].gave_up is not None and outcomes[-1].gave_up.task_id == task_id
    row = services.ledger.get(task_id)
    assert (row.state, row.attempts, row.error) == ("FAILURE", 4, "died")


def test_a_graceful_stop_does_not_use_up_an_attempt(services: Services) -> None:
    task_id = services.queue.enqueue("tasks.ping")
    claim(services, task_id)
    services.ledger.requeue_started(
        task_id=task_id, worker="w1", reason="stop", count_attempt=False, now=time.time()
    )
    row = services.ledger.get(task_id)
    assert (row.state, row.attempts) == ("PENDING", 0)


def test_failure_schedules_a_retry_then_fails_for_good(services: Services) -> None:
    task_id = services.queue.enqueue("tasks.ping")
    claim(services, task_id)
    now = time.time()
    retry = services.ledger.finish_failure(
        task_id=task_id, worker="w1", error="E: x", duration=0.1, retry_delay=60, now=now
    ).resend
    assert retry is not None and retry.delay == 60
    row = services.ledger.get(task_id)
    assert row.state == "RETRY" and row.next_retry_at == pytest.approx(now + 60)
    assert claim(services, task_id, now=now + 60) is not None
    final = services.ledger.finish_failure(
        task_id=task_id, worker="w1", error="E: y", duration=0.1, retry_delay=None, now=now
    )
    assert final.resend is None and final.gave_up is not None
    row = services.ledger.get(task_id)
    assert (row.state, row.error, row.finished_at) == ("FAILURE", "E: y", now)


def test_revoke_only_waiting_tasks_unless_running_is_allowed(services: Services) -> None:
    waiting = services.queue.enqueue("tasks.ping")
    running = services.queue.enqueue("tasks.ping")
    claim(services, running)
    services.ledger.revoke(waiting, allow_running=False, now=time.time())
    services.ledger.revoke(running, allow_running=False, now=time.time())
    assert services.ledger.get(waiting).state == "REVOKED"
    assert services.ledger.get(running).state == "STARTED"
    services.ledger.revoke(running, allow_running=True, now=time.time())
    assert services.ledger.get(running).state == "REVOKED"
    assert claim(services, waiting) is None


def test_dead_letter_retry_resets_the_budget(services: Services) -> None:
    task_id = services.queue.enqueue("tasks.ping")
    claim(services, task_id)
    services.ledger.finish_failure(
        task_id=task_id, worker="w1", error="E", duration=0, retry_delay=None, now=time.time()
    )
    message = services.ledger.reset_for_retry(task_id, now=time.time())
    assert message is not None and message.task_id == task_id
    row = services.ledger.get(task_id)
    assert (row.state, row.attempts, row.error) == ("PENDING", 0, None)
    assert services.ledger.reset_for_retry(task_id, now=time.time()) is None


def test_workers_without_heartbeat_are_dead(services: Services) -> None:
    now = time.time()
    for name in ("alive", "silent"):
        services.ledger.register_worker(
            name=name, pid=1, hostname="h", periodic=False, registered=[], now=now - 100
        )
    services.ledger.heartbeat(name="alive", pid=1, current_task_id=None, tasks_done=0, now=now)
    first = services.queue.enqueue("tasks.ping")
    second = services.queue.enqueue("tasks.ping")
    claim(services, first, "alive")
    claim(services, second, "silent")
    dead = services.ledger.tasks_of_dead_workers(now=now, lease=30)
    assert [row.id for row in dead] == [second]


def test_results_expire_but_the_history_stays(services: Services) -> None:
    task_id = services.queue.enqueue("tasks.ping")
    claim(services, task_id)
    services.ledger.finish_success(
        task_id=task_id, worker="w1", result={"a": 1}, duration=0.1, now=time.time() - 7200
    )
    assert services.ledger.expire_results(finished_before=time.time() - 3600) == 1
    row = services.ledger.get(task_id)
    assert (row.state, row.result_json, row.result_expired) == ("SUCCESS", None, True)
    assert services.ledger.delete_history(finished_before=time.time()) == 1
    assert services.ledger.get(task_id) is None


def test_companions_are_the_most_urgent_waiting_tasks_of_the_batch(services: Services) -> None:
    first = services.queue.enqueue("tasks.ping", "first")
    bulk = services.queue.enqueue("tasks.ping", "bulk", priority=0)
    urgent = services.queue.enqueue("tasks.ping", "urgent", priority=20)
    other_name = services.queue.enqueue("tasks.fail", "x")
    taken = services.queue.enqueue("tasks.ping", "taken")
    claim(services, first, "w1")
    claim(services, taken, "w2")
    now = time.time()
    not_due = services.queue.enqueue("tasks.ping", "later")
    claim(services, not_due, "w2")
    services.ledger.finish_failure(
        task_id=not_due, worker="w2", error="x", duration=0.1, retry_delay=60, now=now
    )

    companions = services.ledger.claim_companions(
        names=["tasks.ping"], worker="w1", now=now, limit=5
    )

    assert [message.task_id for _claim, message in companions] == [urgent, bulk]
    assert [message.args for _claim, message in companions] == [("urgent",), ("bulk",)]
    assert all(c.attempt == 1 for c, _message in companions)
    for task_id in (urgent, bulk):
        row = services.ledger.get(task_id)
        assert (row.state, row.worker) == (TaskState.STARTED, "w1")
    assert services.ledger.get(other_name).state == TaskState.PENDING
    assert services.ledger.get(not_due).state == TaskState.RETRY
    # A companion already taken is not taken again (its queue message will be skipped).
    assert claim(services, urgent, "w3") is None
    assert (
        services.ledger.claim_companions(names=["tasks.ping"], worker="w3", now=now, limit=5) == []
    )


def test_a_batch_finishes_only_the_tasks_still_its_own(services: Services) -> None:
    ids = [services.queue.enqueue("tasks.ping", str(n)) for n in range(3)]
    for task_id in ids:
        claim(services, task_id, "w1")
    services.ledger.requeue_started(
        task_id=ids[1], worker="w1", reason="lease lost", count_attempt=True, now=time.time()
    )

    finished = services.ledger.finish_success_many(
        worker="w1", results=[(t, {"n": n}) for n, t in enumerate(ids)], duration=0.3, now=1.0
    )

    assert finished == [ids[0], ids[2]]
    assert services.ledger.get(ids[1]).state == TaskState.PENDING
    assert services.ledger.get(ids[2]).result_json == '{"n": 2}'
    counted = {(row.name, row.key): row.value for row in services.ledger.stats()}
    assert counted[("tasks.ping", "SUCCESS")] == 2
    assert counted[("tasks.ping", "duration_sum")] == pytest.approx(0.2)


def test_a_retry_is_not_taken_before_its_time(services: Services) -> None:
    task_id = services.queue.enqueue("tasks.ping")
    claim(services, task_id)
    now = time.time()
    services.ledger.finish_failure(
        task_id=task_id, worker="w1", error="E: x", duration=0.1, retry_delay=60, now=now
    )

    # A second copy of the message (a batch companion's original, a re-send) arrives early.
    assert claim(services, task_id, "w2", now=now + 1) is None
    assert claim(services, task_id, "w2", now=now + 58) is None
    assert (
        services.ledger.claim_companions(names=["tasks.ping"], worker="w2", now=now + 58, limit=5)
        == []
    )
    row = services.ledger.get(task_id)
    assert (row.state, row.attempts, row.worker) == ("RETRY", 1, "w1")

    # The scheduled message, at its time, runs attempt 2.
    taken = claim(services, task_id, "w2", now=now + 60)
    assert taken is not None and taken.attempt == 2  # type: ignore[attr-defined]


def test_a_dead_letter_retry_is_due_at_once_and_forgets_the_old_schedule(
    services: Services,
) -> None:
    task_id = services.queue.enqueue("tasks.ping")
    claim(services, task_id)
    now = time.time()
    services.ledger.finish_failure(
        task_id=task_id, worker="w1", error="E", duration=0, retry_delay=600, now=now
    )
    services.ledger.revoke(task_id, allow_running=False, now=now)
    assert services.ledger.reset_for_retry(task_id, now=now) is not None
    assert services.ledger.get(task_id).next_retry_at is None
    assert claim(services, task_id, now=now + 1) is not None
