"""/api/v1/tasks: the seed's task monitoring API, plus history and retry."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from appliance.api.deps import LanguageDep, MonitorDep
from appliance.api.errors import ERROR_RESPONSES, MAX_OFFSET
from appliance.api.task_models import (
    ActiveTasks,
    Health,
    Purged,
    Queued,
    QueueStats,
    Revoked,
    Summary,
    TaskHistory,
    TaskResult,
    TaskView,
    WorkersStats,
)
from appliance.tasking.states import TaskState
from appliance.wording import Language, reword

_STATE = "(" + "|".join(TaskState) + ")"
STATES_PATTERN = f"^{_STATE}(,{_STATE})*$"

router = APIRouter(prefix="/api/v1/tasks", tags=["tasks"], responses=ERROR_RESPONSES)


def worded(task: dict[str, Any], language: Language) -> dict[str, Any]:
    """A task's answer with its error in the reader's language (stored in English)."""
    return {**task, "error": reword(task.get("error"), language)}


@router.get("/task/{task_id}", summary="State of one task", response_model=TaskView)
def get_task(task_id: str, monitor: MonitorDep, language: LanguageDep) -> dict[str, Any]:
    return worded(monitor.task(task_id), language)


@router.get(
    "/task/{task_id}/result",
    summary="Result of a finished task (202 while it is not finished)",
    response_model=TaskResult,
    responses={
        202: {"model": TaskResult, "description": "Not finished yet; the body has the state."}
    },
)
def get_task_result(task_id: str, monitor: MonitorDep, language: LanguageDep) -> JSONResponse:
    ready, body = monitor.result(task_id)
    return JSONResponse(worded(body, language), status_code=200 if ready else 202)


@router.post(
    "/task/{task_id}/revoke",
    summary="Revoke a waiting task, or stop a running one",
    response_model=Revoked,
)
def revoke_task(
    task_id: str,
    monitor: MonitorDep,
    terminate: Annotated[bool, Query(description="Also stop the task if it is running.")] = False,
) -> dict[str, Any]:
    return monitor.revoke(task_id, terminate=terminate)


@router.post("/task/{task_id}/retry", summary="Queue a failed task again", response_model=Queued)
def retry_task(task_id: str, monitor: MonitorDep) -> dict[str, Any]:
    return monitor.retry(task_id)


@router.post("/purge", summary="Drop every waiting task (of one queue)", response_model=Purged)
def purge_tasks(
    monitor: MonitorDep,
    queue: Annotated[
        Literal["default", "embeddings"] | None,
        Query(description="Only this queue (embeddings exists with 2 or more workers)."),
    ] = None,
) -> dict[str, Any]:
    return monitor.purge(queue)


@router.get("/tasks", summary="Task history, newest first", response_model=TaskHistory)
def list_tasks(
    monitor: MonitorDep,
    language: LanguageDep,
    state: Annotated[
        str | None,
        Query(description="Comma-separated states, e.g. FAILURE,RETRY.", pattern=STATES_PATTERN),
    ] = None,
    name: Annotated[str | None, Query(description="Task name, e.g. tasks.ping.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, Any]:
    found = monitor.history(state=state, name=name, limit=limit, offset=offset)
    return {**found, "tasks": [worded(task, language) for task in found["tasks"]]}


@router.get("/tasks/active", summary="Tasks running now", response_model=ActiveTasks)
def active_tasks(monitor: MonitorDep) -> dict[str, Any]:
    return monitor.active()


@router.get("/queue/stats", summary="Queue statistics", response_model=QueueStats)
def queue_stats(monitor: MonitorDep) -> dict[str, Any]:
    return monitor.queue_stats()


@router.get(
    "/workers/stats", summary="Workers and their registered tasks", response_model=WorkersStats
)
def workers_stats(monitor: MonitorDep) -> dict[str, Any]:
    return monitor.workers_stats()


@router.get(
    "/health",
    summary="Health of queue and workers (503 when unhealthy)",
    response_model=Health,
    responses={503: {"model": Health, "description": "Queue unreachable or no live worker."}},
)
def health(monitor: MonitorDep) -> JSONResponse:
    healthy, body = monitor.health()
    return JSONResponse(body, status_code=200 if healthy else 503)


@router.get("/summary", summary="Overall system status", response_model=Summary)
def summary(monitor: MonitorDep) -> dict[str, Any]:
    return monitor.summary()
