"""The shapes of /api/v1/tasks answers, for the OpenAPI schema and its checks.

They follow the seed's Celery monitoring API (names and nesting), plus what Flower users
expect; the monitor (`tasking/monitor.py`) builds them as plain dicts.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class TaskView(BaseModel):
    task_id: str
    task_name: str
    subject: str | None = Field(
        description="What the task is about, as a person knows it: a document's file name, "
        "a project's name; null for other tasks, or when the thing is gone."
    )
    status: str
    result: Any = None
    error: str | None
    ready: bool
    successful: bool
    retryable: bool = Field(
        description="FAILURE or REVOKED, and running it again may help (false for the "
        "processing of a file that cannot be read: it would fail the same way)."
    )
    args: str
    attempts: int
    max_retries: int
    worker: str | None
    priority: int
    enqueued_at: str | None
    started_at: str | None
    finished_at: str | None
    next_retry_at: str | None
    result_expired: bool


class TaskResult(BaseModel):
    task_id: str
    status: str
    result: Any = None
    error: str | None
    result_expired: bool


class TaskHistory(BaseModel):
    tasks: list[TaskView]
    total_count: int
    limit: int
    offset: int


class ActiveTask(BaseModel):
    task_id: str
    task_name: str
    subject: str | None = Field(description="What the task is about (see TaskView).")
    worker: str | None
    time_start: float | None
    runtime: float | None
    args: str
    attempt: int


class ActiveTasks(BaseModel):
    active_tasks: list[ActiveTask]
    total_count: int


class WorkerQueueStats(BaseModel):
    hostname: str
    queue: str
    pool: str
    max_concurrency: int
    processes: int
    active_tasks: int
    reserved_tasks: int


class QueueStats(BaseModel):
    active_tasks: int
    reserved_tasks: int
    scheduled_tasks: int
    queue_depth: int | None
    workers: int
    workers_active: list[str]
    queue_stats: dict[str, WorkerQueueStats]


class WorkerPool(BaseModel):
    implementation: str
    max_concurrency: int
    processes: list[int]


class WorkerStats(BaseModel):
    status: str
    pool: WorkerPool
    pid: int
    hostname: str
    active_tasks: int
    current_task: str | None
    tasks_done: int
    periodic: bool
    queue: str
    started_at: str | None
    last_heartbeat: str | None
    registered_tasks: list[str]


class WorkersStats(BaseModel):
    workers: dict[str, WorkerStats]
    total_workers: int


class Health(BaseModel):
    status: str
    broker: str
    broker_connected: bool
    workers: int
    active_tasks: int
    problems: list[str]
    timestamp: str


class SummaryWorkers(BaseModel):
    total: int
    active: int


class SummaryTasks(BaseModel):
    active: int
    reserved: int
    scheduled: int
    total: int
    succeeded: int
    failed: int
    revoked: int


class SummaryBroker(BaseModel):
    connected: bool
    type: str


class Summary(BaseModel):
    status: str
    workers: SummaryWorkers
    tasks: SummaryTasks
    broker: SummaryBroker


class Revoked(BaseModel):
    status: str
    task_id: str
    message: str


class Queued(BaseModel):
    status: str
    task_id: str
    message: str


class Purged(BaseModel):
    status: str
    purged: int
    queues: list[str]
    task_ids: list[str]
