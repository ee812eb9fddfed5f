"""Project tables and API models (SQLModel: Base -> Create / Update / table / Public)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ValidationInfo, field_validator
from pydantic import Field as PydanticField
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError
from sqlmodel import Column as SAColumn
from sqlmodel import Field, LargeBinary, SQLModel

from appliance.projects.money import ExactMoney, Money
from appliance.search.explain import Level


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


def _date_text(value: object) -> object:
    # Pydantic's lax mode would read 0 as 1970-01-01; the API documents ISO dates.
    if value is None or isinstance(value, str | date):
        return value
    raise PydanticCustomError("date_text", "a date like 2024-05-31 is expected")


def no_nul(value: str | None) -> str | None:
    """`value` unchanged; a NUL character in it is a validation error."""
    # PostgreSQL cannot store NUL in text; SQLite would, invisibly. Refused on both.
    if value is not None and "\x00" in value:
        raise PydanticCustomError("no_nul", "must not contain a NUL character")
    return value


def new_project_id() -> str:
    return str(uuid.uuid4())


_TEXT_FIELDS = ("name", "description", "customer", "trade", "address", "city")


IsoDate = Annotated[date, BeforeValidator(_date_text)]
AMOUNT = "EUR, exact to the cent: a number (14200.5) or a decimal string ('14200.50')."


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
    estimated_cost: Money | None = Field(default=None, description=AMOUNT)
    final_cost: Money | None = Field(default=None, description=AMOUNT)
    start_date: IsoDate | None = None
    end_date: IsoDate | None = None

    @field_validator(*_TEXT_FIELDS)
    @classmethod
    def _text_without_nul(cls, value: str | None) -> str | None:
        return no_nul(value)

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise PydanticCustomError("not_blank", "must not be blank")
        return value.strip()

    @field_validator("end_date")
    @classmethod
    def _dates_in_order(cls, end: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("start_date")
        if start and end and end < start:
            raise PydanticCustomError("date_order", "end_date must not be before start_date")
        return end


class ProjectCreate(ProjectBase):
    pass


class ProjectUpdate(SQLModel):
    """PATCH body: every field optional; only the fields sent change.

    Name, description and phase cannot be emptied, so their schema does not offer null
    (None is only the "not sent" default).
    """

    name: Annotated[str, PydanticField(min_length=1, max_length=200)] | SkipJsonSchema[None] = None
    description: Annotated[str, PydanticField(max_length=20000)] | SkipJsonSchema[None] = None
    customer: str | None = Field(default=None, max_length=200)
    trade: str | None = Field(default=None, max_length=60)
    address: str | None = Field(default=None, max_length=300)
    city: str | None = Field(default=None, max_length=100)
    phase: Phase | SkipJsonSchema[None] = None
    estimated_cost: Money | None = None
    final_cost: Money | None = None
    start_date: IsoDate | None = None
    end_date: IsoDate | None = None

    @field_validator(*_TEXT_FIELDS)
    @classmethod
    def _text_without_nul(cls, value: str | None) -> str | None:
        return no_nul(value)


class Project(ProjectBase, table=True):
    """A project row in the app database."""

    __tablename__ = "projects"

    id: str = Field(default_factory=new_project_id, primary_key=True, max_length=36)
    trade: str | None = Field(default=None, max_length=60, index=True)
    phase: Phase = Field(default=Phase.ANGEFRAGT, index=True)
    estimated_cost: Money | None = Field(default=None, sa_type=ExactMoney)
    final_cost: Money | None = Field(default=None, sa_type=ExactMoney)
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


class ProjectWithTask(ProjectPublic):
    """A project plus the id of the embedding task its change queued (if any)."""

    task_id: str | None


class ProjectList(BaseModel):
    data: list[ProjectPublic]
    count: int


class MatchPublic(BaseModel):
    """Why a project was found."""

    level: Level = PydanticField(description="How well it fits: high, medium or low")
    words: list[str] = PydanticField(description="Words of the project's text that matched")
    meaning_only: bool = PydanticField(description="Found by meaning alone: no word in common")


class ScoredProjectPublic(ProjectPublic):
    score: float = PydanticField(description="Relevance in [0, 1]: words and meaning, fused")
    similarity: float = PydanticField(description="Cosine similarity of the embeddings")
    match: MatchPublic


class ScoredList(BaseModel):
    data: list[ScoredProjectPublic]
    count: int


class PriceHintJob(BaseModel):
    """A completed job a price hint rests on."""

    id: str
    name: str
    final_cost: Money
    score: float


class PriceHintPublic(BaseModel):
    """What the completed jobs most like a job cost (all null when `based_on` is 0)."""

    based_on: int = PydanticField(description="How many completed, similar jobs it rests on")
    median: Money | None
    low: Money | None = PydanticField(description="25th percentile (lowest below 4 jobs)")
    high: Money | None = PydanticField(description="75th percentile (highest below 4 jobs)")
    similar: list[PriceHintJob]


class PriceHintDraft(BaseModel):
    """A job not saved yet, as far as the form has it."""

    name: str = PydanticField(default="", max_length=200)
    trade: str | None = PydanticField(default=None, max_length=60)
    description: str = PydanticField(default="", max_length=20000)
    project_id: str | None = PydanticField(
        default=None, max_length=36, description="The job being edited: left out of its hint."
    )


class ProjectVector(SQLModel, table=True):
    """The durable copy of a project's vector: reindexing from it needs no model."""

    __tablename__ = "project_vectors"

    project_id: str = Field(primary_key=True, max_length=36)
    # Two models' vectors live side by side while a new model's are built (slots.py).
    model: str = Field(primary_key=True, max_length=300)
    dimension: int
    text_hash: str = Field(max_length=64)
    vector: bytes = Field(sa_column=SAColumn(LargeBinary, nullable=False))
    updated_at: datetime
