"""Tables of the task engine in the app database.

Times are UTC seconds since the epoch (REAL): comparable across processes and machines,
cheap to index, and converted to ISO 8601 only at the API edge.
"""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class TaskRecord(SQLModel, table=True):
    """The ledger: one row per task, the source of truth about its state."""

    __tablename__ = "task_ledger"

    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(index=True, max_length=128)
    args_json: str = Field(default="[]", description="Positional arguments as JSON.")
    kwargs_json: str = Field(default="{}", description="Keyword arguments as JSON.")
    args_summary: str = Field(default="", max_length=300)
    priority: int = 0
    state: str = Field(index=True, max_length=16)
    attempts: int = 0
    max_retries: int = 3
    worker: str | None = Field(default=None, index=True, max_length=128)
    enqueued_at: float = Field(index=True)
    started_at: float | None = None
    finished_at: float | None = Field(default=None, index=True)
    next_retry_at: float | None = None
    result_json: str | None = None
    result_expired: bool = False
    error: str | None = None
    updated_at: float = 0.0


class WorkerRecord(SQLModel, table=True):
    """A worker process that has announced itself; its heartbeat proves it is alive."""

    __tablename__ = "task_workers"

    name: str = Field(primary_key=True, max_length=128)
    pid: int
    hostname: str = Field(max_length=255)
    started_at: float
    heartbeat_at: float
    stopped_at: float | None = None
    current_task_id: str | None = Field(default=None, max_length=64)
    tasks_done: int = 0
    periodic: bool = False
    queue: str = Field(default="default", max_length=64)
    registered_json: str = "[]"


class TaskStat(SQLModel, table=True):
    """Monotonic counters per task name for /metrics, kept here so every process adds up."""

    __tablename__ = "task_stats"

    name: str = Field(primary_key=True, max_length=128)
    key: str = Field(primary_key=True, max_length=32)
    value: float = 0.0
