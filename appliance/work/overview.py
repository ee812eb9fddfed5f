"""The task view for people: the office's documents and projects in three groups, "In
Arbeit", "Probleme" and "Erledigt heute", each problem with what to do about it.

It reads the documents and projects themselves, not the task ledger: a person asks
"Is my scan done, and if not, why?", and the answer is the document's state. So internal
work (cleanups, backups, the search texts an 0.1.0 version embedded as tasks) never shows
here; the ledger stays the technicians' view ("Technik").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, col, func, select

from appliance.db import Database
from appliance.documents.failures import can_retry
from appliance.documents.models import Document, DocumentStage, DocumentStatus
from appliance.projects.models import EmbeddingStatus, Project
from appliance.wording import Language, reword, say
from appliance.wording.catalog import CATALOG
from appliance.work.models import WorkCounts, WorkItem, WorkKind, WorkOverview


def day_start(now: datetime, utc_offset_minutes: int) -> datetime:
    """The UTC moment of the local midnight that began the day `now` (aware, UTC) is in,
    for a place whose clocks are `utc_offset_minutes` ahead of UTC (Berlin in summer: 120)."""
    offset = timedelta(minutes=utc_offset_minutes)
    local = now + offset
    return local.replace(hour=0, minute=0, second=0, microsecond=0) - offset


class WorkService:
    """Answers the task view for people from the documents and projects tables."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def overview(
        self, *, now: datetime, utc_offset_minutes: int, language: Language, limit: int = 50
    ) -> WorkOverview:
        """What is being worked on, what failed (with what to do) and what was finished
        since the local midnight of `now`; each group at most `limit` long, with counts."""
        start = day_start(now, utc_offset_minutes)
        doc_working = or_(
            col(Document.status).in_([DocumentStatus.PENDING, DocumentStatus.PROCESSING]),
            and_(
                col(Document.status) == DocumentStatus.COMPLETED,
                col(Document.stage) == DocumentStage.EMBEDDING,
            ),
        )
        doc_failed = col(Document.status) == DocumentStatus.FAILED
        doc_done = and_(
            col(Document.status) == DocumentStatus.COMPLETED,
            col(Document.stage) != DocumentStage.EMBEDDING,
            col(Document.processed_at) >= start,
        )
        project_working = col(Project.status) == EmbeddingStatus.PENDING
        project_failed = col(Project.status) == EmbeddingStatus.FAILED
        project_done = and_(
            col(Project.status) == EmbeddingStatus.INDEXED, col(Project.indexed_at) >= start
        )
        with self.db.session() as session:
            group = partial(_group, session, language, limit)
            working, working_count = group(
                (doc_working, col(Document.created_at), lambda d: d.created_at),
                (project_working, col(Project.updated_at), lambda p: p.updated_at),
                newest_first=False,
            )
            problems, problems_count = group(
                (doc_failed, col(Document.updated_at).desc(), lambda d: d.updated_at),
                (project_failed, col(Project.updated_at).desc(), lambda p: p.updated_at),
                newest_first=True,
            )
            done, done_count = group(
                (
                    doc_done,
                    col(Document.processed_at).desc(),
                    lambda d: d.processed_at or d.updated_at,
                ),
                (
                    project_done,
                    col(Project.indexed_at).desc(),
                    lambda p: p.indexed_at or p.updated_at,
                ),
                newest_first=True,
            )
        counts = WorkCounts(working=working_count, problems=problems_count, done_today=done_count)
        return WorkOverview(
            working=working, problems=problems, done_today=done, counts=counts, day_start=start
        )


DocumentRows = tuple[ColumnElement[bool], Any, Callable[[Document], datetime]]
ProjectRows = tuple[ColumnElement[bool], Any, Callable[[Project], datetime]]


def _group(
    session: Session,
    language: Language,
    limit: int,
    documents: DocumentRows,
    projects: ProjectRows,
    *,
    newest_first: bool,
) -> tuple[list[WorkItem], int]:
    """A group's first `limit` items, documents and projects merged, and its size; each
    side given as (which rows, their order, the moment an item shows)."""
    doc_where, doc_order, doc_at = documents
    project_where, project_order, project_at = projects
    items = [
        _document(d, doc_at(d), language)
        for d in _rows(session, Document, doc_where, doc_order, limit)
    ] + [
        _project(p, project_at(p), language)
        for p in _rows(session, Project, project_where, project_order, limit)
    ]
    items.sort(key=lambda item: item.at, reverse=newest_first)
    size = _count(session, Document, doc_where) + _count(session, Project, project_where)
    return items[:limit], size


def _rows(
    session: Session, table: Any, where: ColumnElement[bool], order: Any, limit: int
) -> list[Any]:
    return list(session.exec(select(table).where(where).order_by(order).limit(limit)).all())


def _count(session: Session, table: Any, where: ColumnElement[bool]) -> int:
    return int(session.exec(select(func.count()).select_from(table).where(where)).one())


def _document(doc: Document, at: datetime, language: Language) -> WorkItem:
    failed = doc.status == DocumentStatus.FAILED
    retryable = can_retry(doc.status, doc.error_code)
    todo = None
    if failed:
        code = "work.todo.retry" if retryable else f"work.todo.{doc.error_code}"
        todo = say(code, language) if code in CATALOG else None
    return WorkItem(
        kind=WorkKind.DOCUMENT,
        id=doc.id,
        name=doc.original_name,
        state=doc.status,
        stage=doc.stage,
        page_current=doc.page_current,
        page_total=doc.page_total,
        project_id=doc.project_id,
        error_code=doc.error_code if failed else None,
        reason=reword(doc.error, language) if failed else None,
        todo=todo,
        retryable=retryable,
        at=at,
    )


def _project(project: Project, at: datetime, language: Language) -> WorkItem:
    failed = project.status == EmbeddingStatus.FAILED
    return WorkItem(
        kind=WorkKind.PROJECT,
        id=project.id,
        name=project.name,
        state=project.status,
        stage=None,
        project_id=project.id,
        error_code=_project_code(project.embedding_error) if failed else None,
        reason=_project_reason(project.embedding_error, language) if failed else None,
        todo=say("work.todo.reindex", language) if failed else None,
        retryable=failed,
        at=at,
    )


def _project_code(error: str | None) -> str | None:
    # A project stores a code where a task was dropped ("purged", "revoked"), else a sentence.
    return error if error in ("purged", "revoked") else None


def _project_reason(error: str | None, language: Language) -> str:
    code = _project_code(error)
    if code is not None:
        return say(f"work.reason.{code}", language)
    return reword(error, language) or say("work.reason.project_failed", language)
