"""At start: no document stays pending or processing without a task, no file is orphaned."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlmodel import col, func, select

from appliance.documents.lifecycle import fail, queue_meaning, queue_processing
from appliance.documents.models import Document, DocumentChunk, DocumentStage, DocumentStatus
from appliance.documents.upload import TEMP_SUFFIX
from appliance.runtime import Runtime
from appliance.tasking.states import TaskState
from appliance.trash.bin import kept_files
from appliance.wording import Language, say

log = logging.getLogger("appliance.documents")

_UNFINISHED = (DocumentStatus.PENDING, DocumentStatus.PROCESSING)


@dataclass
class DocumentRepair:
    requeued: int = 0
    meaning_requeued: int = 0
    failed: int = 0
    files_removed: int = 0


def reconcile_documents(runtime: Runtime) -> DocumentRepair:
    """Re-queue or fail unfinished documents whose task is over; remove orphaned files."""
    repair = DocumentRepair()
    with runtime.db.session() as session:
        unfinished = session.exec(
            select(Document).where(col(Document.status).in_(_UNFINISHED))
        ).all()
        known = set(session.exec(select(Document.stored_name)))
        # A deleted document's file waits in the Papierkorb until it is emptied.
        known |= set(kept_files(session))
    for document in unfinished:
        task = runtime.ledger.get(document.task_id) if document.task_id else None
        if task is not None and not TaskState(task.state).is_final:
            continue  # the task engine brings it to an end
        if task is not None and task.state == TaskState.FAILURE.value:
            fail(
                runtime.db,
                document.id,
                task.error or say("document.failed", Language.EN),
                document.error_code,
            )
            repair.failed += 1
            continue
        with runtime.queue.transaction() as tx:
            fresh = tx.session.get(Document, document.id, with_for_update=True)
            if fresh is not None:
                queue_processing(tx, fresh)
        repair.requeued += 1
    repair.meaning_requeued = _requeue_meaning(runtime)
    for path in runtime.settings.uploads_dir.iterdir():
        if path.is_file() and (path.name.endswith(TEMP_SUFFIX) or path.name not in known):
            path.unlink(missing_ok=True)
            repair.files_removed += 1
    if repair.requeued or repair.failed or repair.files_removed or repair.meaning_requeued:
        log.info(
            "document check: %d re-queued, %d embeddings re-queued, %d marked failed, "
            "%d orphaned files removed",
            repair.requeued,
            repair.meaning_requeued,
            repair.failed,
            repair.files_removed,
        )
    return repair


def _requeue_meaning(runtime: Runtime) -> int:
    """Papers whose chunks were being embedded when the program stopped go on from the
    chunks already stored; papers read by a version without search by meaning, or
    embedded by another model (text, but no chunks of the configured model), are queued
    from the start."""
    model = runtime.embedder.model_name
    has_chunks = select(DocumentChunk.document_id).where(DocumentChunk.model == model).distinct()
    with runtime.db.session() as session:
        embedding = session.exec(
            select(Document).where(
                col(Document.status) == DocumentStatus.COMPLETED,
                col(Document.stage) == DocumentStage.EMBEDDING,
            )
        ).all()
        never = session.exec(
            select(Document).where(
                col(Document.status) == DocumentStatus.COMPLETED,
                col(Document.stage) == DocumentStage.DONE,
                func.length(col(Document.searchable_text)) > 0,
                col(Document.id).not_in(has_chunks),
            )
        ).all()
    requeued = 0
    for document in [*embedding, *never]:
        task = runtime.ledger.get(document.task_id) if document.task_id else None
        running = task is not None and not TaskState(task.state).is_final
        if document.stage == DocumentStage.EMBEDDING and running:
            continue  # the task engine brings it to an end
        with runtime.queue.transaction() as tx:
            fresh = tx.session.get(Document, document.id, with_for_update=True)
            if fresh is None:
                continue
            done = tx.session.exec(
                select(func.count())
                .select_from(DocumentChunk)
                .where(DocumentChunk.document_id == fresh.id, DocumentChunk.model == model)
            ).one()
            queue_meaning(tx, fresh, int(done))
        requeued += 1
    return requeued
