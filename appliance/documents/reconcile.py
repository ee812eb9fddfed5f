"""At start: no document stays pending or processing without a task, no file is orphaned."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlmodel import col, select

from appliance.container import Services
from appliance.documents.models import Document, DocumentStage, DocumentStatus
from appliance.documents.upload import TEMP_SUFFIX
from appliance.tasking.states import TaskState

log = logging.getLogger("appliance.documents")

_OPEN = {TaskState.PENDING.value, TaskState.RETRY.value, TaskState.STARTED.value}
_UNFINISHED = (DocumentStatus.PENDING, DocumentStatus.PROCESSING)


@dataclass
class DocumentRepair:
    requeued: int = 0
    failed: int = 0
    files_removed: int = 0


def reconcile_documents(services: Services) -> DocumentRepair:
    """Re-queue or fail unfinished documents whose task is over; remove orphaned files."""
    repair = DocumentRepair()
    with services.db.session() as session:
        unfinished = session.exec(
            select(Document).where(col(Document.status).in_(_UNFINISHED))
        ).all()
        known = set(session.exec(select(Document.stored_name)))
    for document in unfinished:
        task = services.ledger.get(document.task_id) if document.task_id else None
        if task is not None and task.state in _OPEN:
            continue  # the task engine brings it to an end
        if task is not None and task.state == TaskState.FAILURE.value:
            _set(services, document.id, DocumentStatus.FAILED, task.error or "Processing failed.")
            repair.failed += 1
            continue
        with services.queue.transaction() as tx:
            task_id = tx.enqueue(
                "tasks.process_document", document.id, document.stored_name, document.file_type
            )
            fresh = tx.session.get(Document, document.id, with_for_update=True)
            if fresh is not None:
                fresh.sqlmodel_update(
                    {
                        "status": DocumentStatus.PENDING,
                        "stage": DocumentStage.QUEUED,
                        "task_id": task_id,
                    }
                )
                tx.session.add(fresh)
        repair.requeued += 1
    for path in services.settings.uploads_dir.iterdir():
        if path.is_file() and (path.name.endswith(TEMP_SUFFIX) or path.name not in known):
            path.unlink(missing_ok=True)
            repair.files_removed += 1
    if repair.requeued or repair.failed or repair.files_removed:
        log.info(
            "document check: %d re-queued, %d marked failed, %d orphaned files removed",
            repair.requeued,
            repair.failed,
            repair.files_removed,
        )
    return repair


def _set(services: Services, document_id: str, status: DocumentStatus, error: str) -> None:
    with services.db.session(write=True) as session:
        document = session.get(Document, document_id, with_for_update=True)
        if document is not None:
            document.status = status
            document.stage = DocumentStage.DONE
            document.error = error
            session.add(document)
