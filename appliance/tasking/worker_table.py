"""The worker table: who is alive, where, running what; and who runs periodic tasks.

Workers on every machine write their row here (the app database is shared), so the
monitor and the reaper see all of them. Liveness is a heartbeat lease, never a process
id alone: a process id means nothing on another machine.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Row, select, text, update

from appliance.db import Database, dialect_insert
from appliance.tasking.tables import WorkerRecord

WORKERS = WorkerRecord.__table__  # type: ignore[attr-defined]
# Any fixed number: the key of the PostgreSQL lock that serializes worker registrations.
_REGISTRATION_LOCK = 7_300_401


class WorkerTable:
    """Reads and writes on the `workers` table."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def register_worker(
        self,
        *,
        name: str,
        pid: int,
        hostname: str,
        periodic: bool,
        registered: list[str],
        now: float,
        queue: str = "default",
        lease: float | None = None,
    ) -> bool:
        """Record a starting worker; returns whether it may run the periodic tasks.

        With `lease`, a worker that asks for the periodic tasks gets them only when no
        other live worker holds them: two schedulers would run every job twice.
        """
        values: dict[str, Any] = {
            "queue": queue,
            "pid": pid,
            "hostname": hostname,
            "started_at": now,
            "heartbeat_at": now,
            "stopped_at": None,
            "current_task_id": None,
            "tasks_done": 0,
            "periodic": periodic,
            "registered_json": json.dumps(registered),
        }
        with self.db.write() as conn:
            if conn.dialect.name == "postgresql":
                # The periodic check reads, then writes: on PostgreSQL (no single writer
                # lock) two workers starting at once could both take the periodic tasks.
                conn.execute(text(f"SELECT pg_advisory_xact_lock({_REGISTRATION_LOCK})"))
            if periodic and lease is not None:
                holder = conn.execute(
                    select(WORKERS.c.name).where(
                        WORKERS.c.periodic.is_(True),
                        WORKERS.c.name != name,
                        WORKERS.c.stopped_at.is_(None),
                        WORKERS.c.heartbeat_at >= now - lease,
                    )
                ).first()
                values["periodic"] = holder is None
            conn.execute(
                dialect_insert(conn, WORKERS)
                .values(name=name, **values)
                .on_conflict_do_update(index_elements=[WORKERS.c.name], set_=values)
            )
        return bool(values["periodic"])

    def worker(self, name: str) -> Row[Any] | None:
        with self.db.read() as conn:
            return conn.execute(select(WORKERS).where(WORKERS.c.name == name)).first()

    def heartbeat(
        self, *, name: str, pid: int, current_task_id: str | None, tasks_done: int, now: float
    ) -> None:
        # A light write: a heartbeat lost in a power cut is replaced by the next one.
        with self.db.write(durable=False) as conn:
            conn.execute(
                update(WORKERS)
                .where(WORKERS.c.name == name, WORKERS.c.pid == pid)
                .values(heartbeat_at=now, current_task_id=current_task_id, tasks_done=tasks_done)
            )

    def mark_worker_stopped(self, *, name: str, pid: int | None, now: float) -> None:
        conditions = [WORKERS.c.name == name]
        if pid is not None:
            conditions.append(WORKERS.c.pid == pid)
        with self.db.write() as conn:
            conn.execute(
                update(WORKERS).where(*conditions).values(stopped_at=now, current_task_id=None)
            )

    def workers(self) -> list[Row[Any]]:
        with self.db.read() as conn:
            return list(conn.execute(select(WORKERS).order_by(WORKERS.c.name)).all())

    def live_workers(self, *, now: float, lease: float) -> list[Row[Any]]:
        with self.db.read() as conn:
            return list(
                conn.execute(
                    select(WORKERS)
                    .where(
                        WORKERS.c.stopped_at.is_(None),
                        WORKERS.c.heartbeat_at >= now - lease,
                    )
                    .order_by(WORKERS.c.name)
                ).all()
            )
