"""Document tasks: the seed's `process_document`, the embedding of a document's chunks,
and the daily cleanup."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import col, select

from appliance.documents import lifecycle, meaning, processing
from appliance.documents.models import Document, DocumentStatus
from appliance.documents.search import DocumentIndex
from appliance.documents.subjects import DOCUMENT
from appliance.runtime import Runtime
from appliance.tasking.context import TaskContext
from appliance.tasking.layout import DEFAULT_QUEUE, EMBEDDING_QUEUE
from appliance.tasking.records import TaskMessage
from appliance.tasking.registry import Periodic, TaskRegistry
from appliance.tasking.states import Priority
from appliance.trash.service import TrashService

registry = TaskRegistry()
log = logging.getLogger("appliance.tasks")


def _give_up(runtime: Any, task: TaskMessage, reason: str) -> None:
    lifecycle.gave_up(runtime.db, str(task.args[0]), task.task_id, reason)


@registry.task(
    lifecycle.PROCESS_TASK,
    priority=Priority.INTERACTIVE,
    queue=DEFAULT_QUEUE,
    on_give_up=_give_up,
    subject=DOCUMENT,
)
def process_document(
    context: TaskContext[Runtime], document_id: str, file_path: str, file_type: str
) -> dict[str, Any]:
    """Extract the text of an uploaded document and make it searchable.

    `file_path` is the generated name of the file in the uploads folder.
    """
    return processing.process(context.runtime, context.task_id, document_id, file_path, file_type)


def _meaning_given_up(runtime: Any, task: TaskMessage, reason: str) -> None:
    lifecycle.meaning_given_up(runtime.db, str(task.args[0]), reason)


@registry.task(
    lifecycle.EMBED_TASK,
    priority=Priority.BULK,
    queue=EMBEDDING_QUEUE,
    on_give_up=_meaning_given_up,
    subject=DOCUMENT,
)
def embed_document(
    context: TaskContext[Runtime], document_id: str, first: int = 0
) -> dict[str, Any]:
    """Embed the next chunks of a document's text (from number `first`); queues the rest."""
    run = meaning.embed_next_chunks(context.runtime, document_id, first)
    if run is None:
        return {"status": "skipped", "document_id": document_id}
    log.info(
        "[Task %s] ✓ %d chunks of document %s embedded (%d of %d)",
        context.task_id,
        run.embedded,
        document_id,
        run.done,
        run.total,
    )
    return {
        "status": "success",
        "document_id": document_id,
        "chunks_embedded": run.embedded,
        "chunks_done": run.done,
        "chunks_total": run.total,
    }


@registry.task(
    "tasks.cleanup_old_documents",
    priority=Priority.BULK,
    queue=DEFAULT_QUEUE,
    periodic=Periodic(minute="30", hour="3"),
)
def cleanup_old_documents(context: TaskContext[Runtime]) -> dict[str, Any]:
    """Remove failed documents older than the retention period: files and rows."""
    runtime = context.runtime
    hours = runtime.settings.failed_document_retention_hours
    cutoff = datetime.now(UTC) - timedelta(hours=hours)
    removed_files = 0
    with runtime.db.session(write=True) as session:
        old = session.exec(
            select(Document)
            .where(
                col(Document.status) == DocumentStatus.FAILED,
                col(Document.updated_at) < cutoff,
            )
            # Locked: a delete through the API at the same moment waits for this one.
            .with_for_update()
        ).all()
        names = [document.stored_name for document in old]
        for document in old:
            DocumentIndex.remove(session.connection(), document.id)
            session.delete(document)
    for name in names:
        path = runtime.settings.uploads_dir / name
        if path.exists():
            path.unlink()
            removed_files += 1
    log.info(
        "Document cleanup: %d failed documents older than %.0f h removed (%d files)",
        len(names),
        hours,
        removed_files,
    )
    return {"status": "success", "documents_removed": len(names), "files_removed": removed_files}


@registry.task(
    "tasks.empty_trash",
    priority=Priority.BULK,
    queue=DEFAULT_QUEUE,
    periodic=Periodic(minute="45", hour="3"),
)
def empty_trash(context: TaskContext[Runtime]) -> dict[str, Any]:
    """Remove for good what lies in the Papierkorb longer than `trash_days`."""
    removed = TrashService(context.runtime).empty_expired(datetime.now(UTC))
    if removed:
        log.info(
            "Papierkorb: %d items older than %d days removed",
            removed,
            context.runtime.settings.trash_days,
        )
    return {"status": "success", "removed": removed}
