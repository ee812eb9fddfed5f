"""The app database's two kinds of write, on a real SQLite file."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from sqlalchemy import text

from appliance.db import BUSY_TIMEOUT_MS
from appliance.schema import open_database


def test_durable_writes_sync_to_disk_and_light_ones_only_keep_it_consistent(
    tmp_path: Path,
) -> None:
    db = open_database(tmp_path / "app.db")
    try:
        with db.write() as conn:
            durable = conn.exec_driver_sql("PRAGMA synchronous").scalar()
            conn.execute(text("CREATE TABLE notes (body TEXT)"))
        with db.write(durable=False) as conn:
            light = conn.exec_driver_sql("PRAGMA synchronous").scalar()
            conn.execute(text("INSERT INTO notes VALUES ('light')"))
        with db.session(write=True, durable=False) as session:
            session.execute(text("INSERT INTO notes VALUES ('light session')"))
        # 2 = FULL: fsync at every commit; 1 = NORMAL: WAL stays consistent, fsync later.
        assert (durable, light) == (2, 1)
        with db.read() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            rows = conn.execute(text("SELECT body FROM notes ORDER BY rowid")).scalars().all()
        assert rows == ["light", "light session"]
    finally:
        db.dispose()
    # Everything committed is there for the next process, light writes included.
    reopened = open_database(tmp_path / "app.db")
    try:
        with reopened.read() as conn:
            assert conn.execute(text("SELECT count(*) FROM notes")).scalar() == 2
    finally:
        reopened.dispose()


def test_a_writer_waits_for_a_lock_another_process_holds_then_writes(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    db = open_database(path)
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        with db.write() as conn:
            conn.execute(text("CREATE TABLE notes (body TEXT)"))
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("INSERT INTO notes VALUES ('holder')")
        release = threading.Timer(0.3, holder.execute, args=("COMMIT",))
        release.start()
        # The lock is taken now; the write polls for it instead of failing at once.
        with db.write() as conn:
            conn.execute(text("INSERT INTO notes VALUES ('waiter')"))
            timeout = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
        release.join()
        with db.read() as conn:
            rows = conn.execute(text("SELECT body FROM notes ORDER BY rowid")).scalars().all()
        assert rows == ["holder", "waiter"]
        assert timeout == BUSY_TIMEOUT_MS  # restored for the statements inside
    finally:
        holder.close()
        db.dispose()
