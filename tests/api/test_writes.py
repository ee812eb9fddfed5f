"""Writes from async routes: on the event loop while the lock is free, else in a thread."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from appliance.api.writes import run_write
from appliance.db import Database, WriteLockBusyError, without_lock_wait
from appliance.runtime import Runtime
from appliance.schema import open_database
from tests.support import wait_for


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    opened = open_database(tmp_path / "app.db")
    with opened.write() as conn:
        conn.execute(text("CREATE TABLE notes (body TEXT, thread TEXT)"))
    yield opened
    opened.dispose()


def add_note(db: Database, body: str) -> str:
    with db.write() as conn:
        conn.execute(
            text("INSERT INTO notes VALUES (:body, :thread)"),
            {"body": body, "thread": threading.current_thread().name},
        )
    return body


def notes(db: Database) -> list[tuple[str, str]]:
    with db.read() as conn:
        return [tuple(row) for row in conn.execute(text("SELECT * FROM notes ORDER BY rowid"))]


def test_a_write_runs_on_the_event_loop_when_nobody_holds_the_lock(db: Database) -> None:
    async def route() -> str:
        return await run_write(db.dialect, add_note, db, "free")

    assert asyncio.run(route()) == "free"
    assert notes(db) == [("free", threading.current_thread().name)]


def test_a_write_goes_to_a_thread_and_waits_there_while_another_writer_holds_the_lock(
    db: Database, tmp_path: Path
) -> None:
    holder = sqlite3.connect(tmp_path / "app.db", isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO notes VALUES ('holder', 'other process')")

    async def other_request() -> None:
        # Runs on the same loop and only then releases the lock: had the write blocked
        # the loop waiting for it, it would wait out the busy timeout and fail.
        await asyncio.sleep(0.1)
        holder.execute("COMMIT")

    async def route() -> str:
        pending = asyncio.create_task(other_request())
        written = await run_write(db.dialect, add_note, db, "waited")
        await pending
        return written

    try:
        assert asyncio.run(route()) == "waited"
    finally:
        holder.close()
    rows = notes(db)
    assert [body for body, _ in rows] == ["holder", "waited"]
    assert rows[1][1] != threading.current_thread().name  # written from the thread pool


def test_without_lock_wait_refuses_at_once_and_writes_nothing(db: Database, tmp_path: Path) -> None:
    holder = sqlite3.connect(tmp_path / "app.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with without_lock_wait(), pytest.raises(WriteLockBusyError):
            add_note(db, "refused")
        # Outside the block, writes wait for the lock again.
        holder.execute("COMMIT")
        add_note(db, "later")
    finally:
        holder.close()
    assert [body for body, _ in notes(db)] == ["later"]


def test_a_write_on_the_loop_does_not_wait_for_the_queues_lock(runtime: Runtime) -> None:
    """A worker may hold the queue database's lock; the message is sent once it is free."""
    holder = sqlite3.connect(runtime.settings.queue_db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")

    async def route() -> str:
        return await run_write(runtime.db.dialect, runtime.queue.enqueue, "tasks.ping", "hallo")

    try:
        started = time.monotonic()
        task_id = asyncio.run(route())
        # Answered while the queue was locked (a wait for it would take Huey's 5 s timeout).
        assert time.monotonic() - started < 2.5
        assert runtime.ledger.get(task_id).state == "PENDING"  # committed before sending
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    wait_for(lambda: task_id in runtime.queue.tasks.message_ids(), timeout=10, what="message")
