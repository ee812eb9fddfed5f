"""Document table and API models."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel
from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel


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


class DocumentHit(DocumentPublic):
    score: float
    snippet: str
    snippet_parts: list[SnippetPart]


class SearchAnswer(BaseModel):
    query: str
    data: list[DocumentHit]
    count: int
