"""The Redis queue (tasking/broker.py) against a real redis-server, without workers."""

from __future__ import annotations

import datetime
import os
import pickle
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from appliance.bootstrap import start_runtime
from appliance.config import Settings
from appliance.runtime import Runtime
from appliance.tasking.broker import BrokerUnavailableError, RedisQueueStorage, redacted
from appliance.tasking.monitor import TaskMonitor
from appliance.tasking.reaper import ORPHAN_GRACE, Reaper
from appliance.tasking.records import TaskMessage
from appliance.tasking.states import Priority
from tests.distributed.redis_server import RedisServer
from tests.support import RecordingControl, free_port

DB = 1  # this module's database on the shared server


@pytest.fixture
def runtime(redis_server: RedisServer, tmp_path: Path) -> Iterator[Runtime]:
    redis.Redis.from_url(redis_server.url(DB)).flushdb()
    built = start_runtime(
        Settings(data_dir=tmp_path / "data", queue_url=redis_server.url(DB), workers=2),
    )
    yield built
    built.close()


def _send(runtime: Runtime, task_id: str, priority: int, delay: float = 0.0) -> None:
    runtime.queue.send(TaskMessage(task_id, "tasks.ping", (), {}, priority, delay))


def test_every_queue_is_on_redis_with_priorities_first_and_fifo_within_one(
    runtime: Runtime,
) -> None:
    assert runtime.queue.broker == "redis"
    assert set(runtime.queue.hueys) == {"default", "embeddings"}
    order = [
        ("bulk-1", Priority.BULK),
        ("interactive-1", Priority.INTERACTIVE),
        ("bulk-2", Priority.BULK),
        ("query-1", Priority.QUERY),
        ("interactive-2", Priority.INTERACTIVE),
        ("bulk-3", Priority.BULK),
    ]
    for task_id, priority in order:
        _send(runtime, task_id, priority)
    huey = runtime.queue.huey("default")
    assert runtime.queue.queue_depth() == len(order)
    # Peeking (the reaper's view) does not take anything away.
    assert runtime.queue.tasks.message_ids() == {task_id for task_id, _ in order}
    taken = [huey.dequeue().id for _ in order]
    assert taken == [
        "query-1",
        "interactive-1",
        "interactive-2",
        "bulk-1",
        "bulk-2",
        "bulk-3",
    ]
    assert huey.dequeue() is None


def test_a_delayed_message_waits_in_the_schedule_until_due(runtime: Runtime) -> None:
    _send(runtime, "later", Priority.INTERACTIVE, delay=30)
    huey = runtime.queue.huey("default")
    assert runtime.queue.scheduled_count() == 1
    assert runtime.queue.tasks.message_ids() == {"later"}
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    assert huey.read_schedule(now) == []
    due = huey.read_schedule(now + datetime.timedelta(seconds=31))
    assert [task.id for task in due] == ["later"]


def test_schedule_times_are_read_as_utc_whatever_the_local_time_zone() -> None:
    # Huey's own storage uses time.mktime (local time): machines in different zones, or a
    # DST change, would disagree about when a retry is due.
    moment = datetime.datetime(2026, 3, 29, 1, 30, 0, 250000)  # a DST change in Germany
    expected = (moment - datetime.datetime(1970, 1, 1)).total_seconds()
    old = os.environ.get("TZ")
    try:
        for zone in ("UTC", "Europe/Berlin", "America/New_York"):
            os.environ["TZ"] = zone
            time.tzset()
            assert RedisQueueStorage.convert_ts(None, moment) == pytest.approx(expected)  # type: ignore[arg-type]
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()


def test_the_reaper_resends_a_lost_message_once(runtime: Runtime) -> None:
    task_id = runtime.queue.enqueue("tasks.ping")
    runtime.queue.huey("default").flush()  # lost, as when Redis restarted without saving
    reaper = Reaper(runtime, RecordingControl())
    later = time.time() + ORPHAN_GRACE + 1
    assert reaper.resend_orphans(now=later) == 1
    assert runtime.queue.tasks.message_ids() == {task_id}
    assert reaper.resend_orphans(now=later) == 0


def test_health_names_the_broker_and_notices_when_redis_goes_away(tmp_path: Path) -> None:
    own = RedisServer(tmp_path / "redis").start()
    runtime = start_runtime(Settings(data_dir=tmp_path / "data", queue_url=own.url()))
    try:
        monitor = TaskMonitor(runtime)
        _healthy, body = monitor.health()
        assert (body["broker"], body["broker_connected"]) == ("redis", True)
        assert monitor.summary()["broker"] == {"connected": True, "type": "redis"}
        own.stop()
        healthy, body = monitor.health()
        assert not healthy and body["broker_connected"] is False
        assert "queue unreachable (redis)" in body["problems"]
    finally:
        own.stop()
        runtime.close()


def test_services_refuse_an_unreachable_redis_in_one_line(tmp_path: Path) -> None:
    url = f"redis://:secret@127.0.0.1:{free_port()}/0"
    with pytest.raises(BrokerUnavailableError) as caught:
        start_runtime(Settings(data_dir=tmp_path, queue_url=url))
    message = str(caught.value)
    assert "Cannot reach the queue server at redis://***@127.0.0.1" in message
    assert "refused. Start Redis" in message
    assert "secret" not in message and "\n" not in message


@pytest.mark.parametrize("command", [["run", "--no-browser"], ["node", "--workers", "1"]])
def test_commands_exit_4_with_one_line_when_redis_is_unreachable(
    tmp_path: Path, command: list[str]
) -> None:
    env = {
        **os.environ,
        "APPLIANCE_DATA_DIR": str(tmp_path / "data"),
        "APPLIANCE_PORT": str(free_port()),
        "APPLIANCE_QUEUE_URL": f"redis://127.0.0.1:{free_port()}/0",
        "APPLIANCE_DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
        "APPLIANCE_SERVER_URL": "http://127.0.0.1:1",
        "APPLIANCE_WORKER_TOKEN": "t" * 32,
    }
    done = subprocess.run(
        [sys.executable, "-m", "appliance", *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 4, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("Cannot reach the queue server at redis://127.0.0.1:")
    assert "Traceback" not in done.stderr


def test_a_node_without_the_shared_services_is_told_what_to_set(tmp_path: Path) -> None:
    env = {**os.environ, "APPLIANCE_DATA_DIR": str(tmp_path / "data")}
    env.pop("APPLIANCE_QUEUE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "appliance", "node"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "A worker node needs the shared queue: set APPLIANCE_QUEUE_URL (redis://...)."
    )


def test_redacted_hides_only_the_password() -> None:
    assert redacted("redis://user:pw@host:6379/0") == "redis://user:***@host:6379/0"
    assert redacted("redis://host:6379/0") == "redis://host:6379/0"


def test_work_accepted_while_redis_is_away_is_sent_when_it_is_back(tmp_path: Path) -> None:
    own = RedisServer(tmp_path / "redis").start()
    runtime = start_runtime(Settings(data_dir=tmp_path / "data", queue_url=own.url()))
    try:
        own.stop()
        task_id = runtime.queue.enqueue("tasks.ping", "später")  # no error for the caller
        assert runtime.ledger.get(task_id).state == "PENDING"
        own.start()
        reaper = Reaper(runtime, RecordingControl())
        assert reaper.resend_orphans(now=time.time() + ORPHAN_GRACE + 1) == 1
        assert runtime.queue.tasks.message_ids() == {task_id}
    finally:
        own.stop()
        runtime.close()


class _Exploit:
    """A message an attacker with access to Redis would push: unpickling creates a file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


def test_a_pickled_message_pushed_into_redis_runs_nothing(runtime: Runtime, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    huey = runtime.queue.huey("default")
    huey.storage.enqueue(pickle.dumps(_Exploit(marker)), 0)
    with pytest.raises(ValueError):
        huey.dequeue()
    assert not marker.exists()
    # Real messages still travel, as JSON.
    _send(runtime, "echt-1", Priority.INTERACTIVE)
    assert huey.dequeue().id == "echt-1"
