"""Processing one document in a worker: read it in the sandbox, store text, index it.

Progress (stage, page n of m) is written to the document row as it happens, so a person
who reloads the page sees where it is. The task is idempotent: a document that is
already completed is left alone, a deleted one is skipped.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from appliance.config import Settings
from appliance.container import Services
from appliance.documents.extract import ExtractLimits, FileType, PageText, Progress, Stage
from appliance.documents.models import Document, DocumentStage, DocumentStatus
from appliance.documents.progress import ProgressWriter
from appliance.documents.sandbox import ExtractionFailedError, ExtractionSandbox, SandboxError
from appliance.documents.search import DocumentIndex, clean_text
from appliance.documents.source import UploadMissingError, uploaded_file
from appliance.tasking.context import TaskContext
from appliance.tasking.ledger import storable
from appliance.tasking.states import PURGED_REASON, REVOKED_REASON

log = logging.getLogger("appliance.documents")

_STAGES = {Stage.READING: DocumentStage.READING, Stage.OCR: DocumentStage.OCR}
_sandboxes: dict[int, ExtractionSandbox] = {}


def sandbox_for(services: Services) -> ExtractionSandbox:
    """This worker's sandbox (one child process, started on first use)."""
    from appliance.processes import program_command

    key = id(services)
    if key not in _sandboxes:
        settings = services.settings
        _sandboxes[key] = ExtractionSandbox(
            [*program_command(), "extractor"],
            timeout=settings.extraction_timeout,
            memory_mb=settings.extraction_memory_mb,
            hold_dir=settings.hold_dir,
        )
    return _sandboxes[key]


def extract_limits(settings: Settings) -> ExtractLimits:
    return ExtractLimits(
        max_image_pixels=settings.max_image_megapixels * 1_000_000,
        ocr_languages=settings.ocr_languages,
        tesseract_cmd=str(settings.tesseract_cmd) if settings.tesseract_cmd else None,
    )


def _update(services: Services, document_id: str, *, durable: bool = False, **values: Any) -> bool:
    # Progress is a light write (no fsync of its own): after a power cut the start-up
    # repair puts a document that was mid-way back in the queue whatever its row says.
    with services.db.session(write=True, durable=durable) as session:
        document = session.get(Document, document_id, with_for_update=True)
        if document is None:
            return False
        document.sqlmodel_update({**values, "updated_at": datetime.now(UTC)})
        session.add(document)
        return True


def process(
    context: TaskContext, document_id: str, stored_name: str, file_type: str
) -> dict[str, Any]:
    """Extract, store and index one document; the seed's `process_document`."""
    services = context.services
    started = time.perf_counter()
    with services.db.session() as session:
        document = session.get(Document, document_id)
    if document is None:
        return {"status": "skipped", "document_id": document_id, "reason": "deleted"}
    if document.status == DocumentStatus.COMPLETED:
        return {"status": "success", "document_id": document_id, "pages": document.page_count}
    try:
        with uploaded_file(services.settings, stored_name, document.sha256) as path:
            pages, texts = _extract(services, document_id, path, FileType(file_type))
    except UploadMissingError as exc:
        _fail(services, document_id, str(exc), "missing")
        raise
    body = clean_text("\n\n".join(page.text.strip() for page in texts)).strip()
    _complete(services, document_id, body, pages)
    ocr_pages = sum(page.ocr for page in texts)
    log.info(
        "[Task %s] ✓ Document %s processed: %d pages (%d by OCR), %d characters",
        context.task_id,
        document_id,
        pages,
        ocr_pages,
        len(body),
    )
    return {
        "status": "success",
        "document_id": document_id,
        "pages": pages,
        "ocr_pages": ocr_pages,
        "characters": len(body),
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
    }


def _extract(
    services: Services, document_id: str, path: Path, file_type: FileType
) -> tuple[int, list[PageText]]:
    """Read the file in the sandbox, writing progress to the document as it goes."""
    progress = ProgressWriter(lambda values: _update(services, document_id, **values))
    progress.update(
        status=DocumentStatus.PROCESSING,
        stage=DocumentStage.READING,
        page_current=0,
        page_total=0,
        error=None,
        error_code=None,
    )
    texts: list[PageText] = []

    def on_progress(step: Progress) -> None:
        progress.update(
            stage=_STAGES.get(step.stage, DocumentStage.READING),
            page_current=step.page,
            page_total=step.pages,
        )

    try:
        try:
            pages = sandbox_for(services).extract(
                path, file_type, extract_limits(services.settings), on_progress, texts.append
            )
        finally:
            progress.close()  # no progress write may land after the final state below
    except ExtractionFailedError as exc:
        _fail(services, document_id, str(exc), exc.code)
        raise
    except SandboxError as exc:
        # Retried by the task engine; the person sees why and that it is tried again.
        _update(
            services,
            document_id,
            status=DocumentStatus.PENDING,
            stage=DocumentStage.QUEUED,
            error=storable(f"{exc} It will be tried again."),
            error_code=exc.code,
        )
        raise
    return pages, texts


def _complete(services: Services, document_id: str, body: str, pages: int) -> None:
    now = datetime.now(UTC)
    # Light too: the text is derived from the file, which is durable; a power cut before
    # the next durable commit leaves the document unfinished, and it is read again.
    with services.db.session(write=True, durable=False) as session:
        document = session.get(Document, document_id, with_for_update=True)
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
        session.add(document)
        DocumentIndex.put(session.connection(), document_id, document.original_name, body)


def _fail(services: Services, document_id: str, message: str, code: str | None) -> None:
    _update(
        services,
        document_id,
        durable=True,
        status=DocumentStatus.FAILED,
        stage=DocumentStage.DONE,
        error=storable(message),
        error_code=code,
    )
    log.warning("document %s failed: %s", document_id, message)


def mark_failed(services: Services, document_id: str, task_id: str, reason: str) -> None:
    """The task gave up (after retries, a hard limit, crashes or a revoke)."""
    with services.db.session() as session:
        document = session.get(Document, document_id)
    if document is None or document.task_id != task_id:
        return
    if document.status == DocumentStatus.FAILED:
        return  # already marked, with the more precise reason
    code = (
        reason if reason in (REVOKED_REASON, PURGED_REASON) else (document.error_code or "gave_up")
    )
    _fail(services, document_id, _readable(reason), code)


def _readable(reason: str) -> str:
    if reason == REVOKED_REASON:
        return "Processing was cancelled."
    if reason == PURGED_REASON:
        return "Processing was cancelled: the waiting queue was emptied. Start it again."
    if reason == "hard time limit exceeded":
        return "Processing took too long and was stopped."
    return reason
