"""Queue messages are JSON: a pickled message is dropped unread, never run."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path

import pytest
from huey.registry import Message

from appliance.runtime import Runtime
from appliance.tasking.messages import JsonMessages


class Exploit:
    """What an attacker would put on the queue: unpickling it creates a file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


def test_a_task_message_travels_as_json() -> None:
    eta = dt.datetime(2026, 12, 2, 6, 30, tzinfo=dt.UTC)
    message = Message("id-1", "tasks.ping", eta, 0, None, 10, ("hallo", 3), {"a": [1]})
    data = JsonMessages().serialize(message)
    assert data.startswith(b"{") and b"hallo" in data
    back = JsonMessages().deserialize(data)
    assert back == message._replace(args=("hallo", 3))


def test_a_pickled_message_on_the_queue_runs_nothing(runtime: Runtime, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    huey = runtime.queue.huey("default")
    huey.storage.enqueue(pickle.dumps(Exploit(marker)), 0)  # straight into the queue file

    with pytest.raises(ValueError):
        huey.dequeue()

    assert not marker.exists()
    assert runtime.queue.queue_depth() == 0  # dropped; the ledger knows nothing of it
