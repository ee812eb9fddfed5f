"""The app database: one engine, on a SQLite file (the default) or a PostgreSQL server.

SQLite, tuned for several processes writing at once: WAL lets readers run beside the
single writer; `busy_timeout` makes a writer wait for the lock instead of failing at once;
`synchronous=FULL` keeps committed rows across a power cut on an office PC without UPS.
`BEGIN IMMEDIATE` for writes: a deferred transaction that reads first and then writes
upgrades its lock late and gets SQLITE_BUSY without waiting; taking the write lock up
front makes it queue politely.

PostgreSQL runs READ COMMITTED with row locks instead of one writer lock: every write in
the appliance is either one guarded statement (`UPDATE ... WHERE state = ... RETURNING`,
`INSERT ... ON CONFLICT`) or reads its rows `FOR UPDATE` first (`with_for_update`), so
it stays correct when writers really run in parallel.
"""

from __future__ import annotations

import itertools
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, String, Table, create_engine, event, make_url
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import GenericFunction
from sqlmodel import Session

from appliance.errors import require_part

BUSY_TIMEOUT_MS = 5000
WAL_SIZE_LIMIT = 64 * 1024 * 1024
CONNECT_TIMEOUT = 10  # seconds; an unreachable server is reported, not waited on forever
_BEGIN_OPTION = "sqlite_begin"
# Pauses between tries for the write lock. SQLite's own busy handler sleeps 1, 2, 5, 10,
# 15, 20, 25 ms ... between tries, so a request that finds the lock taken for 3 ms (one
# fsync of another process's commit) waited 8 ms, and 50-100 ms behind a few commits in
# a row (measured under load); polling at most 2 ms apart keeps the wait near the real one.
_LOCK_POLL_STEPS = (0.0002, 0.0005, 0.001, 0.002)


class DatabaseUnavailableError(RuntimeError):
    """The app database cannot be opened: server unreachable, login refused, no rights."""


class WriteLockBusyError(RuntimeError):
    """The write lock was taken and this code asked not to wait (`without_lock_wait`)."""


# False inside `without_lock_wait()`: BEGIN IMMEDIATE tries once instead of waiting.
_wait_for_write_lock: ContextVar[bool] = ContextVar("wait_for_write_lock", default=True)


@contextmanager
def without_lock_wait() -> Iterator[None]:
    """SQLite writes in this block raise `WriteLockBusyError` rather than wait for the lock.

    For code that must not block, such as the web server's event loop: it can run a write
    at once when the lock is free, and hand it to a thread when another writer has it.
    """
    token = _wait_for_write_lock.set(False)
    try:
        yield
    finally:
        _wait_for_write_lock.reset(token)


def _casefold(value: object) -> object:
    return value.casefold() if isinstance(value, str) else value


class casefold(GenericFunction[str]):  # lower case: `func.casefold` finds it by this name
    """`func.casefold(x)`: Unicode case folding in SQL, on either database.

    SQLite calls the Python function registered on each connection; PostgreSQL the SQL
    function `appliance_casefold` (postgres.py).
    """

    type = String()
    inherit_cache = True


@compiles(casefold, "postgresql")
def _casefold_on_postgresql(element: casefold, compiler: SQLCompiler, **kw: Any) -> str:
    return f"appliance_casefold({compiler.process(element.clauses, **kw)})"


def _configure_sqlite(engine: Engine, synchronous: str) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let us issue BEGIN ourselves (pysqlite's implicit BEGIN is always DEFERRED).
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        # After a checkpoint the WAL file is cut back to this size instead of staying at
        # its high-water mark.
        cursor.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        # Unicode-aware case folding for filters (SQLite's lower() folds ASCII only).
        dbapi_conn.create_function("casefold", 1, _casefold, deterministic=True)

    @event.listens_for(engine, "begin")
    def on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
        if mode == "IMMEDIATE":
            _begin_immediate(conn.connection.dbapi_connection)
        else:
            conn.exec_driver_sql(f"BEGIN {mode}")


def _begin_immediate(raw: Any) -> None:
    """BEGIN IMMEDIATE, polling for the write lock in short steps until the busy timeout."""
    raw.execute("PRAGMA busy_timeout=0")
    try:
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        for attempt in itertools.count():
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                busy = "locked" in str(exc) or "busy" in str(exc)
                if busy and not _wait_for_write_lock.get():
                    raise WriteLockBusyError("another process is writing") from exc
                if not busy or time.monotonic() >= deadline:
                    raise
            time.sleep(_LOCK_POLL_STEPS[min(attempt, len(_LOCK_POLL_STEPS) - 1)])
    finally:
        raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def create_db_engine(url_or_path: str | Path, *, synchronous: str = "FULL") -> Engine:
    """An engine for a SQLite file path or a `sqlite:` / `postgresql+psycopg:` URL."""
    url = str(url_or_path)
    if "://" not in url:
        url = f"sqlite:///{Path(url).resolve()}"
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
            pool_size=8,
            max_overflow=16,
        )
        _configure_sqlite(engine, synchronous)
        return engine
    require_part("psycopg", "APPLIANCE_DATABASE_URL")
    return create_engine(
        url,
        pool_pre_ping=True,
        # Several processes per machine share the server's connection limit (100 by
        # default): a small pool each, waiting briefly for a free connection when busy.
        pool_size=4,
        max_overflow=8,
        connect_args={
            "connect_timeout": CONNECT_TIMEOUT,
            # Timestamps are stored without zone and meant as UTC, as on SQLite.
            "options": "-c timezone=UTC",
        },
    )


def display_url(url: str) -> str:
    """The URL as it may appear in messages and logs: without the password."""
    return make_url(url).render_as_string(hide_password=True)


def dialect_insert(conn: Connection, table: Table) -> Any:
    """An INSERT of the connection's dialect, offering `on_conflict_do_nothing/_update`."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


class Database:
    """Hands out read and write transactions on the app database.

    Two kinds of write: durable ones (the default) are on disk when they commit, because
    losing them would lose what a person entered (a project, an edit, an upload, a
    delete). Light ones skip that fsync: what the machine derives and would derive again
    after a power cut (a task claimed or finished, a document's progress and extracted
    text, a vector, a heartbeat). Tasks are idempotent and the start-up repair re-queues
    unfinished work, so a lost light write costs a re-run, never data. In WAL mode both
    keep the database consistent, and the next durable commit syncs the light ones too.
    """

    def __init__(self, engine: Engine, light_engine: Engine | None = None) -> None:
        self.engine = engine
        self.light_engine = light_engine or engine

    @property
    def dialect(self) -> str:
        """'sqlite' or 'postgresql'."""
        return str(self.engine.dialect.name)

    @classmethod
    def open(cls, url_or_path: str | Path) -> Database:
        """Open the app database (its tables are made by `appliance.schema`).

        Raises DatabaseUnavailableError with a one-line reason when it cannot be used.
        """
        url = str(url_or_path)
        engine = create_db_engine(url)
        light = None
        if engine.dialect.name == "sqlite":
            light = create_db_engine(url, synchronous="NORMAL")
        db = cls(engine, light)
        try:
            with db.read() as conn:
                conn.exec_driver_sql("SELECT 1")
        except DBAPIError as exc:
            db.dispose()
            raise db.unavailable(exc) from exc
        return db

    def unavailable(self, exc: DBAPIError) -> DatabaseUnavailableError:
        """The one-line error for a database that refused (unreachable, no rights)."""
        url = self.engine.url.render_as_string(hide_password=True)
        return DatabaseUnavailableError(f"Cannot use the app database {url}: {_first_line(exc)}")

    @contextmanager
    def write(self, *, durable: bool = True) -> Iterator[Connection]:
        """A Core connection in a write transaction (`BEGIN IMMEDIATE` on SQLite)."""
        engine = self.engine if durable else self.light_engine
        with (
            engine.connect().execution_options(**{_BEGIN_OPTION: "IMMEDIATE"}) as conn,
            conn.begin(),
        ):
            if not durable:
                self._make_light(conn)
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A Core connection in a deferred (read) transaction."""
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def session(self, *, write: bool = False, durable: bool = True) -> Iterator[Session]:
        """An ORM session; with `write=True` it holds SQLite's write lock from the start.

        On PostgreSQL a write session takes row locks only: read the rows it changes
        `with_for_update` (or change them with one guarded statement).
        """
        options = {_BEGIN_OPTION: "IMMEDIATE"} if write else {}
        engine = self.engine if durable else self.light_engine
        with (
            engine.connect().execution_options(**options) as conn,
            conn.begin(),
            Session(bind=conn, expire_on_commit=False) as session,
        ):
            if write and not durable:
                self._make_light(conn)
            yield session
            session.flush()

    def _make_light(self, conn: Connection) -> None:
        # SQLite's light engine has synchronous=NORMAL for all its connections; PostgreSQL
        # says the same per transaction: commit without waiting for the WAL flush (a crash
        # may lose the last moments of such commits, never consistency).
        if self.dialect == "postgresql":
            conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")

    def checkpoint(self) -> None:
        """Copy SQLite's WAL into the database and truncate it (PostgreSQL: nothing to do)."""
        if self.dialect == "sqlite":
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    def dispose(self) -> None:
        self.engine.dispose()
        self.light_engine.dispose()


def _first_line(exc: DBAPIError) -> str:
    text = str(exc.orig or exc).strip()
    return text.splitlines()[0] if text else type(exc.orig or exc).__name__
