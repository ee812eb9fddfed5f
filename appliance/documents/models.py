"""Document table and API models."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, computed_field
from sqlalchemy import BigInteger
from sqlmodel import Column as SAColumn
from sqlmodel import Field, LargeBinary, SQLModel

from appliance.documents.failures import can_retry
from appliance.search.explain import Level


class DocumentStatus(StrEnum):
    """The seed's status flow: pending -> processing -> completed | failed."""

    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


class DocumentStage(StrEnum):
    """Where processing is, as short codes the UI translates."""

    QUEUED = "queued"
    READING = "reading"
    OCR = "ocr"
    INDEXING = "indexing"
    # The text is stored and found by its words; its chunks are being embedded, so it is
    # also found by meaning once this is done (page_current/page_total count chunks here).
    EMBEDDING = "embedding"
    DONE = "done"


class DocumentBase(SQLModel):
    original_name: str = Field(max_length=255, description="The file name as uploaded.")
    file_type: str = Field(max_length=16, index=True, description="pdf, docx, jpeg, ...")
    # BIGINT: uploads may reach APPLIANCE_MAX_UPLOAD_MB (10 GB), past PostgreSQL's INTEGER.
    size_bytes: int = Field(sa_type=BigInteger)
    sha256: str = Field(max_length=64, unique=True, index=True)
    project_id: str | None = Field(
        default=None, foreign_key="projects.id", ondelete="SET NULL", index=True
    )
    status: DocumentStatus = Field(default=DocumentStatus.PENDING, index=True)
    stage: DocumentStage = Field(default=DocumentStage.QUEUED)
    page_current: int = 0
    page_total: int = 0
    page_count: int | None = None
    error: str | None = None
    error_code: str | None = Field(default=None, max_length=40)
    task_id: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(index=True)
    updated_at: datetime
    processed_at: datetime | None = None


class Document(DocumentBase, table=True):
    """An uploaded file; the file itself lives in the uploads folder under `stored_name`."""

    __tablename__ = "documents"

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    stored_name: str = Field(max_length=80, description="Generated name in the uploads folder.")
    searchable_text: str | None = None


class DocumentPublic(DocumentBase):
    """A document as lists show it (without its text)."""

    id: str

    @computed_field(  # type: ignore[prop-decorator]
        description="Failed, and another try may help (false for a damaged, locked or "
        "unsupported file: it fails the same way again)."
    )
    @property
    def retryable(self) -> bool:
        return can_retry(self.status, self.error_code)


class DocumentDetail(DocumentPublic):
    """One document with its extracted text."""

    searchable_text: str | None


class UploadAnswer(DocumentPublic):
    duplicate: bool
    task_id: str | None


class DocumentList(BaseModel):
    data: list[DocumentPublic]
    count: int


class SnippetPart(BaseModel):
    text: str
    hit: bool


class DocumentMatch(BaseModel):
    """Why a paper was found."""

    level: Level = Field(description="How well it fits: high, medium or low")
    words: list[str] = Field(description="Words of its best passage that matched")
    meaning_only: bool = Field(description="Found by meaning alone: no word in common")
    all_words: bool = Field(description="Every word typed occurs in it")


class DocumentHit(DocumentPublic):
    score: float = Field(description="Relevance in [0, 1]: words and meaning, fused")
    snippet: str
    snippet_parts: list[SnippetPart]
    match: DocumentMatch


class SearchAnswer(BaseModel):
    query: str
    data: list[DocumentHit]
    count: int


class DocumentChunk(SQLModel, table=True):
    """One chunk of a document's text with its vector: the durable copy from which the
    chunk store is rebuilt without the model (like `project_vectors`)."""

    __tablename__ = "document_chunks"

    document_id: str = Field(primary_key=True, max_length=36)
    number: int = Field(primary_key=True)
    start: int
    end: int
    # Two models' chunks live side by side while a new model's are built (slots.py).
    model: str = Field(primary_key=True, max_length=300)
    vector: bytes = Field(sa_column=SAColumn(LargeBinary, nullable=False))
