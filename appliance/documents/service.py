"""Document use-cases on the API side: upload, list, read, download, link, delete, retry,
search."""

from __future__ import annotations

import logging
import os
import unicodedata
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select

from appliance.documents.failures import can_retry
from appliance.documents.finding import FoundDocument, find_documents
from appliance.documents.lifecycle import queue_processing
from appliance.documents.links import link
from appliance.documents.meaning import forget_chunks
from appliance.documents.models import Document, DocumentStatus
from appliance.documents.search import DocumentIndex
from appliance.documents.upload import ReceivedFile, UploadLimits, receive_upload, sync_to_disk
from appliance.errors import AppError, ConflictError, InvalidInputError, NotFoundError
from appliance.extract import ExtractionError, FileType, detect_file
from appliance.projects.models import Project
from appliance.runtime import Runtime
from appliance.search.fusion import SearchMode
from appliance.trash.bin import put_document
from appliance.wording import Language, say
from appliance.wording.catalog import CATALOG

log = logging.getLogger("appliance.documents")

MAX_NAME_LENGTH = 255
MEDIA_TYPES = {
    FileType.PDF: "application/pdf",
    FileType.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileType.JPEG: "image/jpeg",
    FileType.PNG: "image/png",
    FileType.TIFF: "image/tiff",
    FileType.HEIC: "image/heic",
    FileType.TXT: "text/plain; charset=utf-8",
}


# The endings a downloaded file may keep, per detected type; the first is added otherwise.
EXTENSIONS = {
    FileType.PDF: (".pdf",),
    FileType.DOCX: (".docx",),
    FileType.JPEG: (".jpg", ".jpeg", ".jpe", ".jfif"),
    FileType.PNG: (".png",),
    FileType.TIFF: (".tif", ".tiff"),
    FileType.HEIC: (".heic", ".heif"),
    FileType.TXT: (".txt",),
}


def download_name(original: str, file_type: FileType) -> str:
    """The name a download is offered under: ending as what the file really is.

    A text file uploaded as "rechnung.html" or "angebot.bat" is offered back as
    "rechnung.html.txt": opened from the download folder it is shown, never run.
    """
    allowed = EXTENSIONS[file_type]
    if original.lower().endswith(allowed):
        return original
    return original + allowed[0]


class UnsupportedTypeError(AppError):
    status = 415


class NotRetryableError(ConflictError):
    """409 for a retry that cannot help; the message says what to do instead, by the
    document's failure (`document_error_code` in the answer)."""

    def __init__(self, reason: str | None) -> None:
        self.reason = reason
        super().__init__("document_not_retryable", body={"document_error_code": reason})

    def say(self, language: Language) -> str:
        specific = f"document_not_retryable.{self.reason}"
        return say(specific if specific in CATALOG else self.code, language)


def safe_display_name(raw: str) -> str:
    """The client's file name as harmless metadata: no folders, controls or bidi tricks."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    # Cc: control characters such as NUL; Cf: format characters such as the right-to-left
    # override that makes "rechnung\u202efdp.exe" display as "rechnungexe.pdf".
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf"))
    name = name.strip().strip(".") or "unnamed"
    if len(name) > MAX_NAME_LENGTH:
        _stem, dot, ext = name.rpartition(".")
        keep = ext if dot and len(ext) <= 10 else ""
        name = name[: MAX_NAME_LENGTH - len(keep) - 2] + "…" + (f".{keep}" if keep else "")
    return name


@dataclass(frozen=True)
class UploadOutcome:
    document: Document
    duplicate: bool
    task_id: str | None


class DocumentService:
    """What the documents API does; routes only parse and serialize."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        settings = runtime.settings
        self.limits = UploadLimits(max_file_bytes=settings.max_upload_mb * 1024 * 1024)

    @property
    def write_dialect(self) -> str:
        """The database the writes go to ('sqlite' or 'postgresql'), for `api.writes`."""
        return self.runtime.db.dialect

    # -- upload ------------------------------------------------------------------------

    async def receive(
        self, content_type: str | None, content_length: str | None, body: AsyncIterator[bytes]
    ) -> tuple[ReceivedFile, dict[str, str]]:
        """Stream the request body to a temporary file in the uploads folder."""
        return await receive_upload(
            content_type, content_length, body, self.runtime.settings.uploads_dir, self.limits
        )

    def store(self, received: ReceivedFile, project_id: str | None) -> UploadOutcome:
        """Check the file, keep it under a generated name and queue its processing.

        The same content uploaded again answers with the existing document. Whatever is
        refused leaves nothing on disk.
        """
        try:
            sync_to_disk(received.temp_path)
            return self._store(received, project_id or None)
        finally:
            received.temp_path.unlink(missing_ok=True)

    def _store(self, received: ReceivedFile, project_id: str | None) -> UploadOutcome:
        if project_id is not None:
            if "\x00" in project_id:
                raise InvalidInputError("validation.no_nul", loc=("body", "project_id"))
            with self.runtime.db.session() as session:
                if session.get(Project, project_id) is None:
                    raise NotFoundError("project_not_found", id=project_id)
        try:
            file_type = detect_file(received.temp_path)
        except ExtractionError as exc:
            raise UnsupportedTypeError(exc.reason, body={"code": exc.code}, **exc.params) from None
        existing = self._by_sha256(received.sha256)
        if existing is not None:
            return UploadOutcome(existing, True, None)
        stored_name = f"{uuid.uuid4().hex}.{file_type.value}"
        final_path = self.runtime.settings.uploads_dir / stored_name
        os.replace(received.temp_path, final_path)
        now = datetime.now(UTC)
        try:
            with self.runtime.queue.transaction() as tx:
                document = Document(
                    original_name=safe_display_name(received.original_name),
                    stored_name=stored_name,
                    file_type=file_type.value,
                    size_bytes=received.size,
                    sha256=received.sha256,
                    project_id=project_id,
                    created_at=now,
                    updated_at=now,
                )
                # The id comes from the model, so the row is inserted once, task id included.
                task_id = queue_processing(tx, document)
        except IntegrityError:
            # The same file arrived twice at once and the other upload won.
            final_path.unlink(missing_ok=True)
            winner = self._by_sha256(received.sha256)
            if winner is None:
                raise
            return UploadOutcome(winner, True, None)
        except BaseException:
            final_path.unlink(missing_ok=True)
            raise
        log.info("Queued document %s (%s, %d bytes)", document.id, file_type.value, received.size)
        return UploadOutcome(document, False, task_id)

    def _by_sha256(self, sha256: str) -> Document | None:
        with self.runtime.db.session() as session:
            return session.exec(select(Document).where(Document.sha256 == sha256)).first()

    # -- reading -----------------------------------------------------------------------

    def find(
        self,
        *,
        status: DocumentStatus | None,
        project_id: str | None,
        file_type: str | None,
        limit: int,
        offset: int,
    ) -> tuple[list[Document], int]:
        conditions = []
        if status is not None:
            conditions.append(col(Document.status) == status)
        if project_id is not None:
            conditions.append(col(Document.project_id) == project_id)
        if file_type is not None:
            conditions.append(col(Document.file_type) == file_type)
        with self.runtime.db.session() as session:
            total = session.exec(
                select(func.count()).select_from(Document).where(*conditions)
            ).one()
            rows = session.exec(
                select(Document)
                .where(*conditions)
                .order_by(col(Document.created_at).desc(), col(Document.id))
                .offset(offset)
                .limit(limit)
            ).all()
        return list(rows), int(total)

    def get(self, document_id: str) -> Document:
        with self.runtime.db.session() as session:
            document = session.get(Document, document_id)
        if document is None:
            raise NotFoundError("document_not_found", id=document_id)
        return document

    def original(self, document_id: str) -> tuple[Path, str, str]:
        """(path, display name, media type) of the uploaded file."""
        document = self.get(document_id)
        path = self.runtime.settings.uploads_dir / document.stored_name
        if not path.is_file():
            raise NotFoundError("document_file_missing")
        file_type = FileType(document.file_type)
        return path, download_name(document.original_name, file_type), MEDIA_TYPES[file_type]

    def stored_file(self, stored_name: str) -> Path:
        """The uploaded file a document refers to by its stored name (for worker nodes)."""
        with self.runtime.db.session() as session:
            known = session.exec(
                select(Document.id).where(Document.stored_name == stored_name)
            ).first()
        path = self.runtime.settings.uploads_dir / stored_name
        if known is None or not path.is_file():
            raise NotFoundError("uploaded_file_not_found", name=stored_name)
        return path

    def search(
        self,
        query: str,
        *,
        project_id: str | None,
        limit: int,
        offset: int,
        mode: SearchMode = SearchMode.HYBRID,
    ) -> tuple[list[FoundDocument], int]:
        """Completed documents that match by words and meaning (or one of them), best
        first, with snippets; and how many were found in all."""
        # Read once: a model switch replaces it whole. Without a vector store or the
        # serving model, papers are found by their words.
        side = self.runtime.search
        vector = None
        if mode in (SearchMode.HYBRID, SearchMode.MEANING) and side and side.queries:
            vector = side.queries.embed(query)
        found = find_documents(self.runtime, side, query, vector, project_id=project_id, mode=mode)
        return found[offset : offset + limit], len(found)

    # -- changes -----------------------------------------------------------------------

    def link(self, document_id: str, project_id: str | None) -> Document:
        """Link the document to a project (None: to none); its state stays as it is.

        Safe to run again after `WriteLockBusyError` (nothing is written before BEGIN).
        """
        with self.runtime.db.session(write=True) as session:
            return link(session, document_id, project_id)

    def delete(self, document_id: str) -> None:
        """Move the document to the Papierkorb: its row and search entries go, its file
        stays until the trash is emptied."""
        with self.runtime.db.session(write=True) as session:
            # Locked: a worker completing it at this moment waits, then finds it gone.
            document = session.get(Document, document_id, with_for_update=True)
            if document is None:
                raise NotFoundError("document_not_found", id=document_id)
            put_document(session, document)
            DocumentIndex.remove(session.connection(), document_id)
            session.delete(document)
        forget_chunks(self.runtime, [document_id])

    def retry(self, document_id: str) -> tuple[Document, str]:
        """Process a failed document again, unless its failure lies in the file itself
        (409: it would fail the same way); its failed task runs again under its id."""
        with self.runtime.queue.transaction() as tx:
            # Locked, so two retries at once queue one task, not two.
            document = tx.session.get(Document, document_id, with_for_update=True)
            if document is None:
                raise NotFoundError("document_not_found", id=document_id)
            if document.status != DocumentStatus.FAILED:
                raise ConflictError(
                    "retry_only_failed",
                    body={"status": document.status.value},
                    status=document.status.value,
                )
            if not can_retry(document.status, document.error_code):
                raise NotRetryableError(document.error_code)
            task_id = queue_processing(tx, document, again=True)
        return document, task_id
