"""The queue file's format: a file that cannot be read is set aside, and the waiting tasks
are sent again from the ledger (which the app database holds)."""

from __future__ import annotations

import pickle
import shutil
import sqlite3
import time
from contextlib import closing
from pathlib import Path

from appliance.bootstrap import start_runtime
from appliance.config import Settings
from appliance.runtime import Role
from appliance.tasking.broker import QUEUE_FORMAT, prepare_queue_file
from appliance.tasking.reaper import ORPHAN_GRACE, Reaper
from tests.support import RecordingControl

FIXTURE_QUEUE = Path(__file__).resolve().parents[1] / "fixtures/upgrade/0.1.0/data/queue.db"


def user_version(path: Path) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return int(conn.execute("pragma user_version").fetchone()[0])


def set_aside(folder: Path) -> list[Path]:
    return sorted(folder.glob("queue.unreadable-*.db"))


def test_a_new_queue_file_carries_the_format(tmp_path: Path) -> None:
    prepare_queue_file(tmp_path / "queue.db")
    assert user_version(tmp_path / "queue.db") == QUEUE_FORMAT
    prepare_queue_file(tmp_path / "queue.db")  # current: left as it is
    assert set_aside(tmp_path) == []


def test_the_queue_of_0_1_0_is_set_aside(tmp_path: Path) -> None:
    # 0.1.0's queue held pickled messages, which this version never unpickles.
    shutil.copy(FIXTURE_QUEUE, tmp_path / "queue.db")
    prepare_queue_file(tmp_path / "queue.db")
    assert user_version(tmp_path / "queue.db") == QUEUE_FORMAT
    [aside] = set_aside(tmp_path)
    assert aside.read_bytes() == FIXTURE_QUEUE.read_bytes()


def test_a_damaged_queue_file_is_set_aside_and_its_tasks_sent_again(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    runtime = start_runtime(settings, role=Role.SERVER)
    task_id = runtime.queue.enqueue("tasks.ping")
    runtime.close()
    settings.queue_db_path.write_bytes(b"\x00" * 4096)  # e.g. a disk error
    for suffix in ("-wal", "-shm"):
        Path(f"{settings.queue_db_path}{suffix}").unlink(missing_ok=True)

    runtime = start_runtime(settings, role=Role.SERVER)
    try:
        assert len(set_aside(settings.data_dir)) == 1
        assert runtime.queue.tasks.message_ids() == set()
        reaper = Reaper(runtime, RecordingControl())
        assert reaper.resend_orphans(now=time.time() + ORPHAN_GRACE + 1) == 1
        assert runtime.queue.tasks.message_ids() == {task_id}
    finally:
        runtime.close()


def test_an_unreadable_message_does_not_hide_the_others(tmp_path: Path) -> None:
    runtime = start_runtime(Settings(data_dir=tmp_path / "data"))
    try:
        task_id = runtime.queue.enqueue("tasks.ping")
        storage = runtime.queue.huey("default").storage
        storage.enqueue(pickle.dumps(("a pickle", "from an old version")), priority=0)
        assert runtime.queue.tasks.message_ids() == {task_id}
    finally:
        runtime.close()
