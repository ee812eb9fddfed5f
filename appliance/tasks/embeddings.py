"""Embedding tasks: the seed's names and result shapes, on the embeddings queue.

The tasks take only the project id and read the project's current text when they run:
a task that waited in the queue while the description was edited embeds the new text,
never the one from the moment it was queued.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from sqlmodel import col, select

from appliance.projects.indexing import drop_vectors_of_deleted, index_projects
from appliance.projects.lifecycle import BATCH_SIZE, mark_failed, queue_reindex
from appliance.projects.models import Project
from appliance.projects.subjects import PROJECT
from appliance.runtime import Runtime
from appliance.tasking.context import TaskContext
from appliance.tasking.layout import DEFAULT_QUEUE, EMBEDDING_QUEUE
from appliance.tasking.records import TaskMessage
from appliance.tasking.registry import Batch, BatchCall, TaskRegistry
from appliance.tasking.states import Priority

registry = TaskRegistry()
log = logging.getLogger("appliance.tasks")


def _give_up(runtime: Any, task: TaskMessage, reason: str) -> None:
    mark_failed(runtime.db, str(task.args[0]), task.task_id, reason)


def _embed_one(context: TaskContext[Runtime], project_id: str) -> dict[str, Any]:
    report = index_projects(context.runtime, [project_id])
    if report.missing:
        log.info("[Task %s] project %s is gone; nothing to embed", context.task_id, project_id)
        return {"status": "skipped", "project_id": project_id, "duration_ms": report.duration_ms}
    log.info("[Task %s] ✓ Embedding generated for project %s", context.task_id, project_id)
    return {
        "status": "success",
        "project_id": project_id,
        "duration_ms": round(report.duration_ms, 1),
    }


def _embed_together(context: TaskContext[Runtime], calls: list[BatchCall]) -> list[dict[str, Any]]:
    """Several generate/regenerate tasks in one encode and one set of commits."""
    project_ids = [str(args[0]) if args else str(kwargs["project_id"]) for args, kwargs in calls]
    # The same project may be queued twice (created, then edited): embed it once.
    report = index_projects(context.runtime, list(dict.fromkeys(project_ids)))
    duration_ms = round(report.duration_ms, 1)
    log.info(
        "[Task %s] ✓ %d embeddings generated in one batch (%.1f ms)",
        context.task_id,
        len(report.indexed),
        report.duration_ms,
    )
    return [
        {
            "status": "skipped" if pid in report.missing else "success",
            "project_id": pid,
            "duration_ms": duration_ms,
            "batch_size": len(calls),
        }
        for pid in project_ids
    ]


# 32 texts per encode: the model's throughput has levelled off there (NOTES: 115/s in
# batches of 32 against 68/s one at a time on 2 cores), and a batch stays well under a second.
PROJECT_EMBEDDINGS = Batch("project-embeddings", size=32, run=_embed_together)


@registry.task(
    "tasks.generate_project_embedding",
    priority=Priority.INTERACTIVE,
    queue=EMBEDDING_QUEUE,
    on_give_up=_give_up,
    batch=PROJECT_EMBEDDINGS,
    subject=PROJECT,
)
def generate_project_embedding(
    context: TaskContext[Runtime],
    project_id: str,
    description: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Embed a new project and put its vector into the store.

    `description` and `metadata` are the seed's arguments, accepted so its callers keep
    working; the text embedded is the project's row as it is when the task runs.
    """
    return _embed_one(context, project_id)


@registry.task(
    "tasks.regenerate_project_embedding",
    priority=Priority.INTERACTIVE,
    queue=EMBEDDING_QUEUE,
    on_give_up=_give_up,
    batch=PROJECT_EMBEDDINGS,
    subject=PROJECT,
)
def regenerate_project_embedding(
    context: TaskContext[Runtime],
    project_id: str,
    description: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Embed an edited project again; the upsert replaces the old vector.

    The seed's `description` and `metadata` are accepted and ignored, as above.
    """
    return _embed_one(context, project_id)


@registry.task("tasks.delete_project_embedding", priority=Priority.INTERACTIVE, queue=DEFAULT_QUEUE)
def delete_project_embedding(context: TaskContext[Runtime], project_id: str) -> dict[str, Any]:
    """Remove a deleted project's vector; a vector that is already gone is no error, and a
    project restored from the Papierkorb meanwhile keeps its vector."""
    started = time.perf_counter()
    if not drop_vectors_of_deleted(context.runtime, [project_id]):
        return {"status": "skipped", "project_id": project_id, "reason": "restored"}
    log.info("[Task %s] ✓ Embedding deleted for project %s", context.task_id, project_id)
    return {
        "status": "success",
        "project_id": project_id,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
    }


def _batch_give_up(runtime: Any, task: TaskMessage, reason: str) -> None:
    project_ids = task.args[0] if task.args else task.kwargs.get("project_ids")
    for project_id in project_ids or []:
        mark_failed(runtime.db, project_id, task.task_id, reason)


@registry.task(
    "tasks.batch_generate_embeddings",
    priority=Priority.BULK,
    queue=EMBEDDING_QUEUE,
    on_give_up=_batch_give_up,
)
def batch_generate_embeddings(
    context: TaskContext[Runtime], project_ids: list[str] | None = None
) -> dict[str, Any]:
    """Embed up to 10 projects in one go; without ids, queue batches for all projects."""
    if project_ids is None or len(project_ids) > BATCH_SIZE:
        with context.runtime.queue.transaction() as tx:
            if project_ids is None:
                query = select(Project.id).order_by(col(Project.created_at))
                project_ids = list(tx.session.exec(query))
            task_ids = queue_reindex(tx, project_ids)
        return {"status": "success", "total": len(project_ids), "batches": len(task_ids)}
    report = index_projects(context.runtime, project_ids)
    failed = [pid for pid in project_ids if pid not in report.indexed]
    seconds = report.duration_ms / 1000
    return {
        "status": "success",
        "total": len(project_ids),
        "succeeded": len(report.indexed),
        "failed": len(failed),
        "failed_ids": failed,
        "duration_ms": round(report.duration_ms, 1),
        "embeddings_per_second": round(len(report.indexed) / seconds, 1) if seconds else None,
    }
