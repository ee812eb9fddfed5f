"""The backups made, as the UI and the schedule see them."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel


class BackupState(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Backup(SQLModel, table=True):
    """One backup run: where it went, how big it was, or why it failed."""

    __tablename__ = "backups"

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    started_at: datetime = Field(index=True)
    finished_at: datetime | None = None
    state: BackupState = Field(default=BackupState.RUNNING)
    reason: str = Field(default="scheduled", max_length=16)  # scheduled, manual, command
    target_dir: str = Field(max_length=1000)
    path: str | None = Field(default=None, max_length=1000)
    size_bytes: int | None = Field(default=None, sa_type=BigInteger)
    error: str | None = None
