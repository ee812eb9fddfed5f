"""The Huey storage under each queue: the SQLite file (one PC) or a Redis server (several).

Both keep what the task engine relies on: priorities (higher first) and FIFO within one
priority. The ledger stays the source of truth either way; the queue only carries
messages, and a lost message is re-sent by the reaper.

The queue file carries the format of its messages (SQLite's `user_version`): 0.1.0 wrote
pickles, this version reads JSON only. A file of another format, or one that is not a
database at all, is set aside at start and an empty one made; the reaper then sends
every waiting task again from the ledger.
"""

from __future__ import annotations

import calendar
import datetime
import logging
import sqlite3
import time
from pathlib import Path
from typing import Any, Literal

from huey import Huey, SqliteHuey

# Re-exported: a worker imports Huey's consumer through the engine (see __init__.py).
from huey.consumer import Consumer as Consumer
from huey.consumer import ConsumerStopped as ConsumerStopped
from huey.storage import PriorityRedisStorage, SqliteStorage

from appliance.config import Settings
from appliance.db import WAL_SIZE_LIMIT
from appliance.errors import StartupError, require_part
from appliance.tasking.messages import JsonMessages

log = logging.getLogger("appliance.queue")

BrokerKind = Literal["sqlite", "redis"]
REDIS_CONNECT_TIMEOUT = 5.0
# Above the blocking read (1 s), so an idle BZPOPMIN is never taken for a dead server.
REDIS_SOCKET_TIMEOUT = 15.0
OUTAGE_LOG_INTERVAL = 30.0
OUTAGE_PAUSE = 1.0
# 1: JSON messages (0.1.0's file, at 0, held pickles).
QUEUE_FORMAT = 1


class BrokerUnavailableError(StartupError):
    """The queue server cannot be reached; the message says which and why."""

    exit_code = 4


class QueueStorage(SqliteStorage):
    """Huey's SQLite storage with `synchronous=NORMAL`.

    Huey offers only FULL or OFF; OFF can corrupt a WAL database on power loss, FULL costs
    an fsync per message. NORMAL cannot corrupt, and a message lost in a power cut is
    re-sent from the ledger by the reaper.
    """

    def _create_connection(self) -> Any:
        conn = super()._create_connection()
        conn.execute("pragma synchronous=NORMAL")
        conn.execute(f"pragma journal_size_limit={WAL_SIZE_LIMIT}")
        return conn


class RedisQueueStorage(PriorityRedisStorage):
    """Huey's priority storage on Redis (a sorted set per queue), made safe across machines.

    Priority: the score is minus the priority, BZPOPMIN takes the lowest score first.
    FIFO within a priority: Huey prefixes each member with the enqueue time in
    microseconds, so equal scores sort by time (across machines only as well as their
    clocks agree). Two changes:
    - Huey turns schedule times (naive UTC) into numbers with `time.mktime`, i.e. as
      *local* time. A retry scheduled on a machine in another time zone, or across a DST
      change, would come due hours off; `calendar.timegm` reads them as the UTC they are.
    - A lost connection makes Huey's worker log a traceback every 0.2 s; this logs one
      line per 30 s and waits, and the consumer carries on once Redis is back.
    """

    _last_outage_log = 0.0

    def convert_ts(self, ts: datetime.datetime) -> float:
        return calendar.timegm(ts.timetuple()) + ts.microsecond * 1e-6

    def dequeue(self) -> bytes | None:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        try:
            data: bytes | None = super().dequeue()
        except (RedisConnectionError, RedisTimeoutError) as exc:
            now = time.monotonic()
            if now - self._last_outage_log >= OUTAGE_LOG_INTERVAL:
                log.warning("queue server unreachable (%s); waiting for it", exc)
                self._last_outage_log = now
            time.sleep(OUTAGE_PAUSE)
            return None
        return data

    def close(self) -> None:
        self.pool.disconnect()


def broker_kind(settings: Settings) -> BrokerKind:
    return "redis" if settings.queue_url else "sqlite"


def redis_queue_name(queue: str) -> str:
    """The name under which a queue lives on a Redis server that others may share."""
    # Huey strips everything but letters, digits and '_' from Redis queue names.
    return f"handwerkml_{queue}"


def create_huey(settings: Settings, queue: str) -> Huey:
    """The Huey instance of one queue: on Redis when configured, else in the queue file."""
    # The ledger keeps results; Huey's own result store never expires them.
    common: dict[str, Any] = {
        "results": False,
        "store_none": False,
        "store_intermediate_errors": False,
        "serializer": JsonMessages(),
    }
    if settings.queue_url:
        require_part("redis", "APPLIANCE_QUEUE_URL")
        from redis import ConnectionPool

        # Huey takes a URL or connection options, not both; a pool carries both.
        pool = ConnectionPool.from_url(
            settings.queue_url,
            socket_connect_timeout=REDIS_CONNECT_TIMEOUT,
            socket_timeout=REDIS_SOCKET_TIMEOUT,
        )
        return Huey(
            redis_queue_name(queue),
            storage_class=RedisQueueStorage,
            connection_pool=pool,
            blocking=True,
            read_timeout=1,
            **common,
        )
    return SqliteHuey(
        queue,
        filename=str(settings.queue_db_path),
        # Rowids are never reused, so Huey stays FIFO within a priority.
        strict_fifo=True,
        storage_class=QueueStorage,
        **common,
    )


def prepare_queue_file(path: Path) -> None:
    """Make sure the queue file is of this version's format, before anyone opens it.

    Only the process that owns the data folder (the launcher) calls this.
    """
    found = _queue_format(path)
    if found == QUEUE_FORMAT:
        return
    if found is not None:
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
        aside = path.with_name(f"{path.stem}.unreadable-{stamp}{path.suffix}")
        for suffix in ("", "-wal", "-shm"):
            source = Path(f"{path}{suffix}")
            if source.exists():
                source.rename(f"{aside}{suffix}")
        log.warning(
            "the queue file was set aside as %s (%s); its waiting tasks are sent again "
            "from the task ledger",
            aside.name,
            "not readable" if found < 0 else f"message format {found}",
        )
    conn = sqlite3.connect(path)
    try:
        conn.execute(f"pragma user_version={QUEUE_FORMAT}")
    finally:
        conn.close()


def _queue_format(path: Path) -> int | None:
    """The queue file's format; None when there is none yet (or it holds no table),
    -1 when it is not a database."""
    if not path.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            version = int(conn.execute("pragma user_version").fetchone()[0])
            tables = conn.execute("select count(*) from sqlite_master").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return -1
    return None if version == 0 and tables == 0 else version


def check_reachable(huey: Huey, settings: Settings) -> None:
    """Raise `BrokerUnavailableError` (one readable line) when the queue cannot be used."""
    if not settings.queue_url:
        return
    from redis.exceptions import RedisError

    try:
        huey.storage.conn.ping()
    except RedisError as exc:
        raise BrokerUnavailableError(
            "start.queue_unreachable",
            url=redacted(settings.queue_url),
            reason=str(exc).rstrip("."),
        ) from None


def redacted(url: str) -> str:
    """The URL without a password, for messages and logs."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at:
        return url
    user = credentials.split(":", 1)[0]
    return f"{scheme}{sep}{user + ':' if user else ''}***@{host}"
