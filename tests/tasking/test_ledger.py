"""The ledger's guarded transitions on a real SQLite file."""

from __future__ import annotations

import time

import pytest

from appliance.runtime import Runtime
from appliance.tasking.counters import read_counters
from appliance.tasking.states import TaskState

# Each test with a database runs on SQLite and on a real PostgreSQL server (conftest.py).
ON_BOTH_DATABASES = True


def claim(runtime: Runtime, task_id: str, worker: str = "w1", now: float | None = None) -> object:
    return runtime.ledger.claim(
        task_id=task_id,
        name="tasks.ping",
        worker=worker,
        now=time.time() if now is None else now,
        default_max_retries=3,
        create_missing=False,
    )


def test_enqueue_records_pending_and_sends_a_message(runtime: Runtime) -> None:
    task_id = runtime.queue.enqueue("tasks.ping", "hello")
    row = runtime.ledger.get(task_id)
    assert row.state == TaskState.PENDING
    assert row.args_summary == "'hello'"
    assert runtime.queue.tasks.message_ids() == {task_id}


def test_a_failed_transaction_enqueues_nothing(runtime: Runtime) -> None:
    with pytest.raises(RuntimeError), runtime.queue.transaction() as tx:
        task_id = tx.enqueue("tasks.ping")
        raise RuntimeError("boom")
    assert runtime.ledger.get(task_id) is None
    assert runtime.queue.queue_depth() == 0


def test_unknown_task_names_are_refused(runtime: Runtime) -> None:
    with pytest.raises(KeyError):
        runtime.queue.enqueue("tasks.does_not_exist")


def test_a_task_is_claimed_once(runtime: Runtime) -> None:
    task_id = runtime.queue.enqueue("tasks.ping")
    first = claim(runtime, task_id, "w1")
    second = claim(runtime, task_id, "w2")
    assert first is not None and first.attempt == 1  # type: ignore[attr-defined]
    assert second is None
    assert runtime.ledger.get(task_id).worker == "w1"


def test_a_worker_that_lost_its_task_cannot_finish_it(runtime: Runtime) -> None:
    task_id = runtime.queue.enqueue("tasks.ping")
    claim(runtime, task_id, "w1")
    outcome = runtime.ledger.requeue_started(
        task_id=task_id, worker="w1", reason="died", count_attempt=True, now=time.time()
    )
    assert outcome.resend is not None
    claim(runtime, task_id, "w2")
    assert not runtime.ledger.finish_success(
        task_id=task_id, worker="w1", result=1, duration=0.1, now=time.time()
    )
    assert runtime.ledger.finish_success(
        task_id=task_id, worker="w2", result=2, duration=0.1, now=time.time()
    )
    row = runtime.ledger.get(task_id)
    assert (row.state, row.result_json, row.attempts) == ("SUCCESS", "2", 2)


def test_crashes_use_up_the_retry_budget(runtime: Runtime) -> None:
    task_id = runtime.queue.enqueue("tasks.ping")
    outcomes = []
    for _ in range(4):
        claim(runtime, task_id)
        outcomes.append(
            runtime.ledger.requeue_started(
                task_id=task_id, worker="w1", reason="died", count_attempt=True, now=time.time()
            )
        )
    assert [o.resend is not None for o in outcomes] == [True, True, True, False]
    assert outcomes[-1].gave_up is not None and outcomes[-1].gave_up.task_id == task_id
    row = runtime.ledger.get(task_id)
    assert (row.state, row.attempts, row.error) == ("FAILURE", 4, "died")


def test_a_graceful_stop_does_not_use_up_an_attempt(runtime: Runtime) -> None:
    task_id = runtime.queue.enqueue("tasks.ping")
    claim(runtime, task_id)
    runtime.ledger.requeue_started(
        task_id=task_id, worker="w1", reason="stop", count_attempt=False, now=time.time()
    )
    row = runtime.ledger.get(task_id)
    assert (row.state, row.attempts) == ("PENDING", 0)


def test_failure_schedules_a_retry_then_fails_for_good(runtime: Runtime) -> None:
    task_id = runtime.queue.enqueue("tasks.ping")
    claim(runtime, task_id)
    now = time.time()
    retry = runtime.ledger.finish_failure(
        task_id=task_id, worker="w1", error="E: x", duration=0.1, retry_delay=60, now=now
    ).resend
    assert retry is not None and retry.delay == 60
    row = runtime.ledger.get(task_id)
    assert row.state == "RETRY" and row.next_retry_at == pytest.approx(now + 60)
    assert claim(runtime, task_id, now=now + 60) is not None
    final = runtime.ledger.finish_failure(
        task_id=task_id, worker="w1", error="E: y", duration=0.1, retry_delay=None, now=now
    )
    assert final.resend is None and final.gave_up is not None
    row = runtime.ledger.get(task_id)
    assert (row.state, row.error, row.finished_at) == ("FAILURE", "E: y", now)


def test_revoke_only_waiting_tasks_unless_running_is_allowed(runtime: Runtime) -> None:
    waiting = runtime.queue.enqueue("tasks.ping")
    running = runtime.queue.enqueue("tasks.ping")
    claim(runtime, running)
    runtime.queue.interventions.revoke(waiting, allow_running=False, now=time.time())
    runtime.queue.interventions.revoke(running, allow_running=False, now=time.time())
    assert runtime.ledger.get(waiting).state == "REVOKED"
    assert runtime.ledger.get(running).state == "STARTED"
    runtime.queue.interventions.revoke(running, allow_running=True, now=time.time())
    assert runtime.ledger.get(running).state == "REVOKED"
    assert claim(runtime, waiting) is None


def test_dead_letter_retry_resets_the_budget(runtime: Runtime) -> None:
    task_id = runtime.queue.enqueue("tasks.ping")
    claim(runtime, task_id)
    runtime.ledger.finish_failure(
        task_id=task_id, worker="w1", error="E", duration=0, retry_delay=None, now=time.time()
    )
    message = runtime.queue.interventions.reset_for_retry(task_id, now=time.time())
    assert message is not None and message.task_id == task_id
    row = runtime.ledger.get(task_id)
    assert (row.state, row.attempts, row.error) == ("PENDING", 0, None)
    assert runtime.queue.interventions.reset_for_retry(task_id, now=time.time()) is None


def test_workers_without_heartbeat_are_dead(runtime: Runtime) -> None:
    now = time.time()
    for name in ("alive", "silent"):
        runtime.workers.register_worker(
            name=name, pid=1, hostname="h", periodic=False, registered=[], now=now - 100
        )
    runtime.workers.heartbeat(name="alive", pid=1, current_task_id=None, tasks_done=0, now=now)
    first = runtime.queue.enqueue("tasks.ping")
    second = runtime.queue.enqueue("tasks.ping")
    claim(runtime, first, "alive")
    claim(runtime, second, "silent")
    dead = runtime.history.tasks_of_dead_workers(now=now, lease=30)
    assert [row.id for row in dead] == [second]


def test_results_expire_but_the_history_stays(runtime: Runtime) -> None:
    task_id = runtime.queue.enqueue("tasks.ping")
    claim(runtime, task_id)
    runtime.ledger.finish_success(
        task_id=task_id, worker="w1", result={"a": 1}, duration=0.1, now=time.time() - 7200
    )
    assert runtime.history.expire_results(finished_before=time.time() - 3600) == 1
    row = runtime.ledger.get(task_id)
    assert (row.state, row.result_json, row.result_expired) == ("SUCCESS", None, True)
    assert runtime.history.delete_history(finished_before=time.time()) == 1
    assert runtime.ledger.get(task_id) is None


def test_companions_are_the_most_urgent_waiting_tasks_of_the_batch(runtime: Runtime) -> None:
    first = runtime.queue.enqueue("tasks.ping", "first")
    bulk = runtime.queue.enqueue("tasks.ping", "bulk", priority=0)
    urgent = runtime.queue.enqueue("tasks.ping", "urgent", priority=20)
    other_name = runtime.queue.enqueue("tasks.fail", "x")
    taken = runtime.queue.enqueue("tasks.ping", "taken")
    claim(runtime, first, "w1")
    claim(runtime, taken, "w2")
    now = time.time()
    not_due = runtime.queue.enqueue("tasks.ping", "later")
    claim(runtime, not_due, "w2")
    runtime.ledger.finish_failure(
        task_id=not_due, worker="w2", error="x", duration=0.1, retry_delay=60, now=now
    )

    companions = runtime.ledger.claim_companions(
        names=["tasks.ping"], worker="w1", now=now, limit=5
    )

    assert [message.task_id for _claim, message in companions] == [urgent, bulk]
    assert [message.args for _claim, message in companions] == [("urgent",), ("bulk",)]
    assert all(c.attempt == 1 for c, _message in companions)
    for task_id in (urgent, bulk):
        row = runtime.ledger.get(task_id)
        assert (row.state, row.worker) == (TaskState.STARTED, "w1")
    assert runtime.ledger.get(other_name).state == TaskState.PENDING
    assert runtime.ledger.get(not_due).state == TaskState.RETRY
    # A companion already taken is not taken again (its queue message will be skipped).
    assert claim(runtime, urgent, "w3") is None
    assert (
        runtime.ledger.claim_companions(names=["tasks.ping"], worker="w3", now=now, limit=5) == []
    )


def test_a_batch_finishes_only_the_tasks_still_its_own(runtime: Runtime) -> None:
    ids = [runtime.queue.enqueue("tasks.ping", str(n)) for n in range(3)]
    for task_id in ids:
        claim(runtime, task_id, "w1")
    runtime.ledger.requeue_started(
        task_id=ids[1], worker="w1", reason="lease lost", count_attempt=True, now=time.time()
    )

    finished = runtime.ledger.finish_success_many(
        worker="w1", results=[(t, {"n": n}) for n, t in enumerate(ids)], duration=0.3, now=1.0
    )

    assert finished == [ids[0], ids[2]]
    assert runtime.ledger.get(ids[1]).state == TaskState.PENDING
    assert runtime.ledger.get(ids[2]).result_json == '{"n": 2}'
    counted = {(row.name, row.key): row.value for row in read_counters(runtime.db)}
    assert counted[("tasks.ping", "SUCCESS")] == 2
    assert counted[("tasks.ping", "duration_sum")] == pytest.approx(0.2)


def test_a_retry_is_not_taken_before_its_time(runtime: Runtime) -> None:
    task_id = runtime.queue.enqueue("tasks.ping")
    claim(runtime, task_id)
    now = time.time()
    runtime.ledger.finish_failure(
        task_id=task_id, worker="w1", error="E: x", duration=0.1, retry_delay=60, now=now
    )

    # A second copy of the message (a batch companion's original, a re-send) arrives early.
    assert claim(runtime, task_id, "w2", now=now + 1) is None
    assert claim(runtime, task_id, "w2", now=now + 58) is None
    assert (
        runtime.ledger.claim_companions(names=["tasks.ping"], worker="w2", now=now + 58, limit=5)
        == []
    )
    row = runtime.ledger.get(task_id)
    assert (row.state, row.attempts, row.worker) == ("RETRY", 1, "w1")

    # The scheduled message, at its time, runs attempt 2.
    taken = claim(runtime, task_id, "w2", now=now + 60)
    assert taken is not None and taken.attempt == 2  # type: ignore[attr-defined]


def test_a_dead_letter_retry_is_due_at_once_and_forgets_the_old_schedule(
    runtime: Runtime,
) -> None:
    task_id = runtime.queue.enqueue("tasks.ping")
    claim(runtime, task_id)
    now = time.time()
    runtime.ledger.finish_failure(
        task_id=task_id, worker="w1", error="E", duration=0, retry_delay=600, now=now
    )
    runtime.queue.interventions.revoke(task_id, allow_running=False, now=now)
    assert runtime.queue.interventions.reset_for_retry(task_id, now=now) is not None
    assert runtime.ledger.get(task_id).next_retry_at is None
    assert claim(runtime, task_id, now=now + 1) is not None


def test_a_finished_task_runs_again_under_its_own_id_when_it_is_the_one_named(
    runtime: Runtime,
) -> None:
    task_id = runtime.queue.enqueue("tasks.ping")
    with runtime.queue.transaction() as tx:
        assert not tx.run_again(task_id, "tasks.ping")  # still waiting: nothing to redo
    runtime.queue.interventions.revoke(task_id, allow_running=False, now=time.time())
    runtime.queue.drop_messages(runtime.queue.layout.queues)
    with runtime.queue.transaction() as tx:
        assert not tx.run_again(task_id, "tasks.sleep")
        assert not tx.run_again("no-such-task", "tasks.ping")
    assert runtime.ledger.get(task_id).state == TaskState.REVOKED

    with runtime.queue.transaction() as tx:
        assert tx.run_again(task_id, "tasks.ping")
    row = runtime.ledger.get(task_id)
    assert (row.state, row.attempts, row.error) == (TaskState.PENDING, 0, None)
    assert runtime.queue.tasks.message_ids() == {task_id}
