"""API shapes of the task view for people (`GET /api/v1/work`)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field


class WorkKind(StrEnum):
    DOCUMENT = "document"
    PROJECT = "project"


class WorkItem(BaseModel):
    """One document or project, as the office knows it: by file or job name."""

    kind: WorkKind
    id: str
    name: str = Field(description="The file name of a document, the name of a project.")
    state: str = Field(description="The document's or project's status code.")
    stage: str | None = Field(description="Where a document's processing is (its stage code).")
    page_current: int = 0
    page_total: int = 0
    project_id: str | None = Field(description="The project a document belongs to.")
    error_code: str | None = Field(description="Why it failed, as a code the UI translates.")
    reason: str | None = Field(description="Why it failed, in the reader's language.")
    todo: str | None = Field(description="What a person can do about the problem.")
    retryable: bool = Field(description="Another try may help: the UI offers a retry button.")
    at: datetime = Field(description="When it was uploaded / finished / failed, by group.")


class WorkCounts(BaseModel):
    working: int
    problems: int
    done_today: int


class WorkOverview(BaseModel):
    """The three groups of the task view for people, each at most `limit` entries long."""

    working: list[WorkItem] = Field(
        description="Documents being read or waiting, projects being indexed; oldest first."
    )
    problems: list[WorkItem] = Field(description="Failed documents and projects; newest first.")
    done_today: list[WorkItem] = Field(
        description="Finished since the local midnight; newest first."
    )
    counts: WorkCounts = Field(description="How many there are in each group in all.")
    day_start: datetime = Field(description="The local midnight 'today' starts at, in UTC.")
