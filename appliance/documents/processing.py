"""Processing one document in a worker: read it in the sandbox, store text, index it.

Progress (stage, page n of m) is written to the document row as it happens, so a person
who reloads the page sees where it is. The task is idempotent: a document that is
already completed is left alone, a deleted one is skipped.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from appliance.config import Settings
from appliance.documents.fulltext import clean_text
from appliance.documents.lifecycle import back_in_queue, complete, fail, record_progress
from appliance.documents.models import Document, DocumentStage, DocumentStatus
from appliance.documents.progress import ProgressWriter
from appliance.documents.source import UploadMissingError, uploaded_file
from appliance.extract import ExtractLimits, FileType, PageText, Progress, Stage
from appliance.processes import program_command
from appliance.reader.sandbox import ExtractionFailedError, ExtractionSandbox, SandboxError
from appliance.runtime import Runtime

log = logging.getLogger("appliance.documents")

_STAGES = {Stage.READING: DocumentStage.READING, Stage.OCR: DocumentStage.OCR}


def new_reader(settings: Settings) -> ExtractionSandbox:
    """A document worker's file reader (its child process starts on first use)."""
    return ExtractionSandbox(
        [*program_command(), "extractor"],
        timeout=settings.extraction_timeout,
        memory_mb=settings.extraction_memory_mb,
        hold_dir=settings.hold_dir,
        idle_seconds=settings.reader_idle_seconds,
    )


def extract_limits(settings: Settings) -> ExtractLimits:
    return ExtractLimits(
        max_image_pixels=settings.max_image_megapixels * 1_000_000,
        ocr_languages=settings.ocr_languages,
        tesseract_cmd=str(settings.tesseract_cmd) if settings.tesseract_cmd else None,
    )


def process(
    runtime: Runtime, task_id: str, document_id: str, stored_name: str, file_type: str
) -> dict[str, Any]:
    """Extract, store and index one document; the seed's `process_document`."""
    started = time.perf_counter()
    with runtime.db.session() as session:
        document = session.get(Document, document_id)
    if document is None:
        return {"status": "skipped", "document_id": document_id, "reason": "deleted"}
    if document.status == DocumentStatus.COMPLETED:
        return {"status": "success", "document_id": document_id, "pages": document.page_count}
    try:
        with uploaded_file(runtime.settings, stored_name, document.sha256) as path:
            pages, texts = _extract(runtime, document_id, path, FileType(file_type))
    except UploadMissingError as exc:
        fail(runtime.db, document_id, str(exc), "missing")
        raise
    body = clean_text("\n\n".join(page.text.strip() for page in texts)).strip()
    complete(runtime.queue, document_id, body, pages)
    ocr_pages = sum(page.ocr for page in texts)
    log.info(
        "[Task %s] ✓ Document %s processed: %d pages (%d by OCR), %d characters",
        task_id,
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
    runtime: Runtime, document_id: str, path: Path, file_type: FileType
) -> tuple[int, list[PageText]]:
    """Read the file in the sandbox, writing progress to the document as it goes."""
    if runtime.reader is None:
        raise RuntimeError("documents are read by document workers, which own a reader")
    progress = ProgressWriter(lambda values: record_progress(runtime.db, document_id, values))
    progress.update(
        stage=DocumentStage.READING, page_current=0, page_total=0, error=None, error_code=None
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
            pages = runtime.reader.extract(
                path, file_type, extract_limits(runtime.settings), on_progress, texts.append
            )
        finally:
            progress.close()  # no progress write may land after the final state below
    except ExtractionFailedError as exc:
        fail(runtime.db, document_id, str(exc), exc.code)
        raise
    except SandboxError as exc:
        # Retried by the task engine; the person sees why and that it is tried again.
        back_in_queue(runtime.db, document_id, str(exc), exc.code)
        raise
    return pages, texts
