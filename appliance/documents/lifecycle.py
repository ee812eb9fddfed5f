"""A document's status and stage, and the processing queued for it: written here only.

pending (queued) -> processing (reading, ocr; page n of m) -> completed or failed; a
failed document may be queued again. A change reads the document's row locked (a
delete or retry at the same moment waits) and leaves a deleted document alone.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from appliance.db import Database
from appliance.documents.models import Document, DocumentStage, DocumentStatus
from appliance.documents.search import DocumentIndex
from appliance.tasking.queue import QueueTransaction, TaskQueue
from appliance.tasking.records import storable
from appliance.tasking.states import PURGED_REASON, REVOKED_REASON
from appliance.wording import Language, say

PROCESS_TASK = "tasks.process_document"
EMBED_TASK = "tasks.embed_document"

log = logging.getLogger("appliance.documents")

HARD_LIMIT_REASON = say("task.hard_limit", Language.EN)
# What a person reads when the task engine gave up, by the reason it gave.
GAVE_UP_MESSAGES = {
    REVOKED_REASON: say("document.cancelled", Language.EN),
    PURGED_REASON: say("document.purged", Language.EN),
    HARD_LIMIT_REASON: say("document.too_long", Language.EN),
}


def queue_processing(tx: QueueTransaction, document: Document, *, again: bool = False) -> str:
    """Queue `document`'s processing in `tx` and mark it waiting: a new upload, a retry
    (`again`), or an unfinished one found at start. Returns the task id.

    A retry runs the document's finished processing task again under its own id, so the
    task monitor shows one task for the file: a retry that fails again replaces the
    failure instead of counting a second one. A new task is queued only when that one is
    gone from the history (or was not a processing task).
    """
    old = document.task_id if again else None
    if old is not None and tx.run_again(old, PROCESS_TASK):
        task_id = old
    else:
        task_id = tx.enqueue(PROCESS_TASK, document.id, document.stored_name, document.file_type)
    document.sqlmodel_update(
        {
            "status": DocumentStatus.PENDING,
            "stage": DocumentStage.QUEUED,
            "error": None,
            "error_code": None,
            "page_current": 0,
            "page_total": 0,
            "task_id": task_id,
            "updated_at": datetime.now(UTC),
        }
    )
    tx.session.add(document)
    return task_id


def queue_meaning(tx: QueueTransaction, document: Document, first: int = 0) -> str:
    """Queue the embedding of `document`'s chunks from number `first` on (stage
    `embedding`); returns the task id."""
    task_id = tx.enqueue(EMBED_TASK, document.id, first)
    document.sqlmodel_update(
        {"stage": DocumentStage.EMBEDDING, "task_id": task_id, "updated_at": datetime.now(UTC)}
    )
    tx.session.add(document)
    return task_id


def record_meaning_run(tx: QueueTransaction, document: Document, done: int, total: int) -> None:
    """`done` of `total` chunks are embedded: queue the rest, or mark the document done."""
    if done < total:
        document.sqlmodel_update({"page_current": done, "page_total": total})
        queue_meaning(tx, document, done)
        return
    # Done: the counters show the pages again.
    pages = document.page_count or 0
    document.sqlmodel_update(
        {
            "stage": DocumentStage.DONE,
            "page_current": pages,
            "page_total": pages,
            "updated_at": datetime.now(UTC),
        }
    )
    tx.session.add(document)


def meaning_given_up(db: Database, document_id: str, reason: str) -> None:
    """Its chunks could not be embedded: it stays found by its words alone."""
    log.warning("document %s is not searchable by meaning: %s", document_id, reason)
    _change(db, document_id, {"stage": DocumentStage.DONE})


def record_progress(db: Database, document_id: str, values: dict[str, Any]) -> bool:
    """Stage and page count while it is read (status processing); False if it is gone.

    A light write: after a power cut the start-up check queues a document that was
    mid-way again, whatever its row said.
    """
    return _change(db, document_id, {"status": DocumentStatus.PROCESSING, **values})


def back_in_queue(db: Database, document_id: str, message: str, code: str) -> None:
    """The reader had to be stopped (timeout, memory, crash); the task engine retries."""
    _change(
        db,
        document_id,
        {
            "status": DocumentStatus.PENDING,
            "stage": DocumentStage.QUEUED,
            "error": storable(say("document.tried_again", Language.EN, reason=message)),
            "error_code": code,
        },
    )


def complete(queue: TaskQueue, document_id: str, body: str, pages: int) -> None:
    """The text is read: store it, make it searchable by its words, mark the document
    completed, and queue the embedding of its chunks (in the same transaction)."""
    now = datetime.now(UTC)
    with queue.transaction() as tx:
        document = tx.session.get(Document, document_id, with_for_update=True)
        if document is None:
            return  # deleted while it was read
        document.sqlmodel_update(
            {
                "status": DocumentStatus.COMPLETED,
                "stage": DocumentStage.DONE,
                "searchable_text": body,
                "page_count": pages,
                "page_current": pages,
                "page_total": pages,
                "processed_at": now,
                "updated_at": now,
                "error": None,
                "error_code": None,
            }
        )
        tx.session.add(document)
        DocumentIndex.put(tx.session.connection(), document_id, document.original_name, body)
        if body.strip():
            queue_meaning(tx, document)


def fail(db: Database, document_id: str, message: str, code: str | None) -> None:
    """The document cannot be read (or its task is over): failed, with a readable reason."""
    _change(
        db,
        document_id,
        {
            "status": DocumentStatus.FAILED,
            "stage": DocumentStage.DONE,
            "error": storable(message),
            "error_code": code,
        },
        durable=True,
    )
    log.warning("document %s failed: %s", document_id, message)


def gave_up(db: Database, document_id: str, task_id: str, reason: str) -> None:
    """The task gave up (after retries, a hard limit, crashes, a revoke or a purge)."""
    with db.session() as session:
        document = session.get(Document, document_id)
    if document is None or document.task_id != task_id:
        return
    if document.status == DocumentStatus.FAILED:
        return  # already marked, with the more precise reason
    own_code = reason in (REVOKED_REASON, PURGED_REASON)
    code = reason if own_code else (document.error_code or "gave_up")
    fail(db, document_id, GAVE_UP_MESSAGES.get(reason, reason), code)


def _change(
    db: Database, document_id: str, values: dict[str, Any], *, durable: bool = False
) -> bool:
    with db.session(write=True, durable=durable) as session:
        document = session.get(Document, document_id, with_for_update=True)
        if document is None:
            return False
        document.sqlmodel_update({**values, "updated_at": datetime.now(UTC)})
        session.add(document)
        return True
