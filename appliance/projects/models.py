"""Project tables and API models (SQLModel: Base -> Create / Update / table / Public)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import ValidationInfo, field_validator
from sqlmodel import Column as SAColumn
from sqlmodel import Field, LargeBinary, SQLModel


class Phase(StrEnum):
    """The job's business state."""

    ANGEFRAGT = "angefragt"  # enquiry received
    ANGEBOTEN = "angeboten"  # quote sent
    BEAUFTRAGT = "beauftragt"  # order placed
    ABGESCHLOSSEN = "abgeschlossen"  # finished


class EmbeddingStatus(StrEnum):
    """State of the project's embedding, as the seed uses the word `status`."""

    PENDING = "pending"
    INDEXED = "indexed"
    FAILED = "failed"


Money = Decimal


class ProjectBase(SQLModel):
    """Fields a person edits."""

    name: str = Field(min_length=1, max_length=200, description="Short title of the job.")
    description: str = Field(default="", max_length=20000, description="What the job is.")
    customer: str | None = Field(default=None, max_length=200)
    trade: str | None = Field(
        default=None, max_length=60, description="Gewerk, e.g. Sanitär, Elektro, Dach."
    )
    address: str | None = Field(default=None, max_length=300)
    city: str | None = Field(default=None, max_length=100)
    phase: Phase = Field(default=Phase.ANGEFRAGT)
    estimated_cost: Money | None = Field(
        default=None, ge=0, max_digits=12, decimal_places=2, description="EUR"
    )
    final_cost: Money | None = Field(
        default=None, ge=0, max_digits=12, decimal_places=2, description="EUR"
    )
    start_date: date | None = None
    end_date: date | None = None

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()

    @field_validator("end_date")
    @classmethod
    def _dates_in_order(cls, end: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("start_date")
        if start and end and end < start:
            raise ValueError("end_date must not be before start_date")
        return end


class ProjectCreate(ProjectBase):
    pass


class ProjectUpdate(SQLModel):
    """PATCH body: every field optional; only the fields sent change."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=20000)
    customer: str | None = Field(default=None, max_length=200)
    trade: str | None = Field(default=None, max_length=60)
    address: str | None = Field(default=None, max_length=300)
    city: str | None = Field(default=None, max_length=100)
    phase: Phase | None = None
    estimated_cost: Money | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)
    final_cost: Money | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)
    start_date: date | None = None
    end_date: date | None = None


class Project(ProjectBase, table=True):
    """A project row in the app database."""

    __tablename__ = "projects"

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    trade: str | None = Field(default=None, max_length=60, index=True)
    phase: Phase = Field(default=Phase.ANGEFRAGT, index=True)
    created_at: datetime = Field(index=True)
    updated_at: datetime
    status: EmbeddingStatus = Field(default=EmbeddingStatus.PENDING, index=True)
    embedding_task_id: str | None = Field(default=None, max_length=64)
    embedding_error: str | None = None
    indexed_at: datetime | None = None


class ProjectPublic(ProjectBase):
    """A project as the API returns it."""

    id: str
    created_at: datetime
    updated_at: datetime
    status: EmbeddingStatus
    embedding_task_id: str | None
    embedding_error: str | None
    indexed_at: datetime | None


class ProjectVector(SQLModel, table=True):
    """The durable copy of a project's vector: reindexing from it needs no model."""

    __tablename__ = "project_vectors"

    project_id: str = Field(primary_key=True, max_length=36)
    model: str = Field(max_length=300)
    dimension: int
    text_hash: str = Field(max_length=64)
    vector: bytes = Field(sa_column=SAColumn(LargeBinary, nullable=False))
    updated_at: datetime
