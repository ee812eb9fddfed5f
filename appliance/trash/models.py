"""The trash table and its API shapes.

A deleted project or document leaves the live tables at once (every list, search and
count reads only those) and waits here as a snapshot of its row; a document's file stays
in the uploads folder under its stored name until the trash is emptied.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel
from pydantic import Field as PydanticField
from sqlmodel import Field, SQLModel


class TrashKind(StrEnum):
    PROJECT = "project"
    DOCUMENT = "document"


class TrashedItem(SQLModel, table=True):
    """One deleted project or document, as it was when it was deleted."""

    __tablename__ = "trash"

    kind: TrashKind = Field(primary_key=True, max_length=16)
    item_id: str = Field(primary_key=True, max_length=36)
    name: str = Field(description="The project's name or the document's file name.")
    deleted_at: datetime = Field(index=True)
    snapshot: str = Field(description="The row as JSON.")
    stored_name: str | None = Field(
        default=None, max_length=80, description="A document's file in the uploads folder."
    )
    linked_documents: str = Field(
        default="[]", description="A project's documents when it was deleted (JSON ids)."
    )


class TrashEntry(BaseModel):
    id: str
    kind: TrashKind
    name: str
    deleted_at: datetime
    expires_at: datetime


class TrashList(BaseModel):
    data: list[TrashEntry]
    count: int
    keep_days: int = PydanticField(
        description="Days an item stays restorable (APPLIANCE_TRASH_DAYS)."
    )
