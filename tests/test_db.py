"""The app database's two kinds of write, on a real SQLite file."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from appliance.db import Database


def test_durable_writes_sync_to_disk_and_light_ones_only_keep_it_consistent(
    tmp_path: Path,
) -> None:
    db = Database.open(tmp_path / "app.db")
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
    reopened = Database.open(tmp_path / "app.db")
    try:
        with reopened.read() as conn:
            assert conn.execute(text("SELECT count(*) FROM notes")).scalar() == 2
    finally:
        reopened.dispose()
