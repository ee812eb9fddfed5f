"""The task executor on a real ledger: single tasks, batches, and a batch that fails."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from appliance.db import without_lock_wait
from appliance.runtime import Runtime
from appliance.tasking.context import TaskContext
from appliance.tasking.execution import TaskExecutor
from appliance.tasking.queue import TaskQueue
from appliance.tasking.registry import Batch, BatchCall, TaskRegistry
from appliance.tasking.states import TaskState
from tests.tracing import fire_when_the_limit_ends, on_call, soft_limit_inside


def _shout(_context: TaskContext, word: str) -> str:
    if word == "bad":
        raise ValueError("cannot shout 'bad'")
    return word.upper()


def _shout_together(_context: TaskContext, calls: list[BatchCall]) -> list[str]:
    batch_runs.append([args[0] for args, _kwargs in calls])
    if any(args[0] == "bad" for args, _kwargs in calls):
        raise ValueError("one of the words is bad")
    return [str(args[0]).upper() for args, _kwargs in calls]


batch_runs: list[list[str]] = []
SHOUTS = Batch("shouts", size=3, run=_shout_together)


@pytest.fixture
def batching(runtime: Runtime) -> Iterator[Runtime]:
    """The real databases with a registry of two batched tasks and one plain one."""
    registry = TaskRegistry()
    registry.task("t.shout", batch=SHOUTS)(_shout)
    registry.task("t.yell", batch=SHOUTS)(_shout)
    registry.task("t.alone")(_shout)
    queue = TaskQueue(runtime.settings, runtime.db, registry)
    batch_runs.clear()
    yield dataclasses.replace(runtime, queue=queue)
    queue.close()


def run(runtime: Runtime, task_id: str) -> None:
    executor = TaskExecutor("w1", runtime)
    deliver(executor, runtime, task_id)


def deliver(executor: TaskExecutor, runtime: Runtime, task_id: str) -> None:
    """Hand the task's queue message to `executor`, as Huey's consumer does."""
    row = runtime.ledger.get(task_id)
    spec = runtime.queue.registry.get(row.name)
    executor(spec, task_id, tuple(json.loads(row.args_json)), json.loads(row.kwargs_json))


def result(runtime: Runtime, task_id: str) -> Any:
    row = runtime.ledger.get(task_id)
    return row.state, json.loads(row.result_json) if row.result_json else row.error


def test_waiting_tasks_of_one_batch_run_together_up_to_its_size(batching: Runtime) -> None:
    ids = [
        batching.queue.enqueue("t.shout", "a"),
        batching.queue.enqueue("t.alone", "x"),
        batching.queue.enqueue("t.yell", "b"),
        batching.queue.enqueue("t.shout", "c"),
        batching.queue.enqueue("t.shout", "d"),
    ]

    run(batching, ids[0])

    assert batch_runs == [["a", "b", "c"]]
    assert [result(batching, i) for i in (ids[0], ids[2], ids[3])] == [
        (TaskState.SUCCESS, "A"),
        (TaskState.SUCCESS, "B"),
        (TaskState.SUCCESS, "C"),
    ]
    assert batching.ledger.get(ids[1]).state == TaskState.PENDING  # not of the batch
    assert batching.ledger.get(ids[4]).state == TaskState.PENDING  # the batch was full
    # The companions' own messages come later and are skipped: nothing runs twice.
    run(batching, ids[2])
    assert batch_runs == [["a", "b", "c"]]


def test_a_companions_own_message_is_dropped_without_waiting_for_the_write_lock(
    batching: Runtime,
) -> None:
    ids = [batching.queue.enqueue("t.shout", word) for word in ("a", "b")]
    executor = TaskExecutor("w1", batching)
    deliver(executor, batching, ids[0])  # runs "a" with "b" as its companion
    holder = sqlite3.connect(batching.settings.app_db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock meanwhile
    try:
        with without_lock_wait():
            # A claim would need the lock (and raise here); the executor knows "b" is done.
            deliver(executor, batching, ids[1])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert batch_runs == [["a", "b"]]
    assert result(batching, ids[1]) == (TaskState.SUCCESS, "B")
    # Only once: a second copy of the message goes through the ledger, which refuses it.
    deliver(executor, batching, ids[1])
    assert batch_runs == [["a", "b"]]


def test_a_lone_task_of_a_batch_runs_by_itself(batching: Runtime) -> None:
    task_id = batching.queue.enqueue("t.shout", "solo")
    run(batching, task_id)
    assert batch_runs == []
    assert result(batching, task_id) == (TaskState.SUCCESS, "SOLO")


def test_when_a_batch_fails_each_task_gets_its_own_outcome(batching: Runtime) -> None:
    ids = [batching.queue.enqueue("t.shout", word) for word in ("good", "bad", "fine")]

    run(batching, ids[0])

    assert batch_runs == [["good", "bad", "fine"]]
    assert result(batching, ids[0]) == (TaskState.SUCCESS, "GOOD")
    assert result(batching, ids[2]) == (TaskState.SUCCESS, "FINE")
    state, error = result(batching, ids[1])
    assert state == TaskState.RETRY
    assert error == "ValueError: cannot shout 'bad'"


def test_companions_scheduled_for_a_retry_do_not_run_again_when_their_own_message_comes(
    batching: Runtime,
) -> None:
    # The scenario of an embedding batch while the vector owner is down: every task of the
    # batch fails and is scheduled a minute ahead; the companions' original messages are
    # still in the queue and come next. They must not spend the retry budget early.
    slow_retries = batching.settings.model_copy(update={"retry_base_delay": 60.0})
    runtime = dataclasses.replace(batching, settings=slow_retries)
    ids = [runtime.queue.enqueue("t.shout", "bad") for _ in range(3)]
    executor = TaskExecutor("w1", runtime)

    deliver(executor, runtime, ids[0])
    for task_id in ids[1:]:
        deliver(executor, runtime, task_id)  # the original messages, seconds later

    assert batch_runs == [["bad", "bad", "bad"]]
    for task_id in ids:
        row = runtime.ledger.get(task_id)
        assert (row.state, row.attempts) == (TaskState.RETRY, 1)
        assert row.next_retry_at - row.updated_at >= 60.0


def _answer(_context: TaskContext) -> int:
    return 42


def _broken(_context: TaskContext) -> None:
    raise ValueError("broken")


@pytest.fixture
def plain(runtime: Runtime) -> Iterator[Runtime]:
    registry = TaskRegistry()
    registry.task("t.answer")(_answer)
    registry.task("t.broken")(_broken)
    queue = TaskQueue(runtime.settings, runtime.db, registry)
    yield dataclasses.replace(runtime, queue=queue)
    queue.close()


def test_a_soft_limit_firing_as_the_task_returns_does_not_fail_it(plain: Runtime) -> None:
    task_id = plain.queue.enqueue("t.answer")
    with fire_when_the_limit_ends():
        run(plain, task_id)
    assert result(plain, task_id) == (TaskState.SUCCESS, 42)


@pytest.mark.parametrize(
    ("task", "written_by"),
    [("t.broken", "finish_failure"), ("t.answer", "finish_success_many")],
)
def test_an_outcome_interrupted_while_it_is_written_is_written_all_the_same(
    plain: Runtime, task: str, written_by: str
) -> None:
    # A soft-limit exception landing in the ledger write used to abort it: the row
    # stayed STARTED under a live worker, and nothing ever freed it.
    task_id = plain.queue.enqueue(task)
    with soft_limit_inside(written_by, "Ledger"):
        run(plain, task_id)
    state, _ = result(plain, task_id)
    assert state == (TaskState.RETRY if task == "t.broken" else TaskState.SUCCESS)
    assert plain.ledger.get(task_id).worker == "w1"


def test_an_outcome_the_database_refuses_for_a_while_is_written_when_it_answers(
    plain: Runtime,
) -> None:
    task_id = plain.queue.enqueue("t.answer")
    holder = sqlite3.connect(
        plain.settings.app_db_path, isolation_level=None, check_same_thread=False
    )
    release = threading.Timer(0.3, lambda: holder.execute("ROLLBACK"))

    def another_writer_takes_the_lock(_frame: object) -> None:
        holder.execute("BEGIN IMMEDIATE")
        release.start()  # the executor cannot know when: it tries until it can

    try:
        with (
            without_lock_wait(),
            on_call("finish_success_many", "Ledger", another_writer_takes_the_lock),
        ):
            run(plain, task_id)
    finally:
        release.join()
        holder.close()
    assert result(plain, task_id) == (TaskState.SUCCESS, 42)
