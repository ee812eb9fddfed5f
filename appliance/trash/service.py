"""What the Papierkorb does: list, restore, remove for good, and empty what has expired.

A restored project gets its row back under its id, pending, and its embedding queued
again; the documents linked to it when it was deleted are linked again unless they were
linked elsewhere meanwhile. A restored document gets its row back under its id and is
read again from its kept file: its text, index entries and chunks were removed with it,
and reading it anew rebuilds them the way they are always built.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from appliance.documents.lifecycle import queue_processing
from appliance.documents.models import Document
from appliance.errors import ConflictError, NotFoundError
from appliance.projects.lifecycle import queue_embedding
from appliance.projects.models import EmbeddingStatus, Project
from appliance.runtime import Runtime
from appliance.tasking.queue import QueueTransaction
from appliance.trash.models import TrashedItem, TrashEntry, TrashKind

log = logging.getLogger("appliance.trash")
DOCUMENTS = Document.__table__  # type: ignore[attr-defined]


class TrashService:
    """The Papierkorb's use cases; items stay `trash_days` (a setting)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    @property
    def keep(self) -> timedelta:
        return timedelta(days=self.runtime.settings.trash_days)

    def entries(self) -> list[TrashEntry]:
        """Everything in the trash, most recently deleted first, with when it expires."""
        with self.runtime.db.session() as session:
            items = session.exec(
                select(TrashedItem).order_by(col(TrashedItem.deleted_at).desc())
            ).all()
        return [
            TrashEntry(
                id=item.item_id,
                kind=item.kind,
                name=item.name,
                deleted_at=item.deleted_at,
                expires_at=item.deleted_at + self.keep,
            )
            for item in items
        ]

    def restore(self, kind: TrashKind, item_id: str) -> str:
        """Put the item back where it was; returns the task id of its background work.
        409 when something of the same identity is back already."""
        with self.runtime.queue.transaction() as tx:
            item = _get(tx.session, kind, item_id)
            if kind is TrashKind.PROJECT:
                task_id = _restore_project(tx, item)
            else:
                task_id = self._restore_document(tx, item)
            tx.session.delete(item)
        return task_id

    def _restore_document(self, tx: QueueTransaction, item: TrashedItem) -> str:
        document = Document.model_validate(json.loads(item.snapshot))
        if tx.session.get(Document, document.id) is not None:
            raise ConflictError("trash_restore_exists", name=item.name)
        same_file = tx.session.exec(
            select(Document.original_name).where(col(Document.sha256) == document.sha256)
        ).first()
        if same_file is not None:
            raise ConflictError("trash_restore_duplicate", name=item.name, other=same_file)
        if not (self.runtime.settings.uploads_dir / document.stored_name).is_file():
            raise ConflictError("trash_file_missing", name=item.name)
        if document.project_id is not None and tx.session.get(Project, document.project_id) is None:
            document.project_id = None  # its project is gone (or in the trash itself)
        document.searchable_text = None
        document.page_count = None
        document.processed_at = None
        tx.session.add(document)
        return queue_processing(tx, document)

    def remove(self, kind: TrashKind, item_id: str) -> None:
        """Remove the item for good, now (its file too)."""
        with self.runtime.db.session(write=True) as session:
            item = _get(session, kind, item_id)
            stored_name = item.stored_name
            session.delete(item)
        self._remove_file(stored_name)

    def empty_expired(self, now: datetime) -> int:
        """Remove for good what was deleted more than `trash_days` before `now`; how many."""
        with self.runtime.db.session(write=True) as session:
            expired = session.exec(
                select(TrashedItem)
                .where(col(TrashedItem.deleted_at) < now - self.keep)
                .with_for_update()
            ).all()
            names = [item.stored_name for item in expired]
            for item in expired:
                session.delete(item)
        for name in names:
            self._remove_file(name)
        return len(names)

    def _remove_file(self, stored_name: str | None) -> None:
        if stored_name is None:
            return
        with self.runtime.db.session() as session:
            # A file restored meanwhile under the same name belongs to a document again.
            if session.exec(
                select(Document.id).where(col(Document.stored_name) == stored_name)
            ).first():
                return
        try:
            (self.runtime.settings.uploads_dir / stored_name).unlink(missing_ok=True)
        except OSError:
            # Windows keeps a file that is being read; the start-up sweep removes it later.
            log.warning("could not remove %s now; it is removed at the next start", stored_name)


def _get(session: Session, kind: TrashKind, item_id: str) -> TrashedItem:
    item = session.get(TrashedItem, (kind, item_id), with_for_update=True)
    if item is None:
        raise NotFoundError("trash_item_not_found", id=item_id)
    return item


def _restore_project(tx: QueueTransaction, item: TrashedItem) -> str:
    if tx.session.get(Project, item.item_id) is not None:
        raise ConflictError("trash_restore_exists", name=item.name)
    project = Project.model_validate(json.loads(item.snapshot))
    task_id = queue_embedding(tx, project.id)
    project.sqlmodel_update(
        {
            "status": EmbeddingStatus.PENDING,
            "embedding_task_id": task_id,
            "embedding_error": None,
            "indexed_at": None,
            "updated_at": datetime.now(UTC),
        }
    )
    tx.session.add(project)
    tx.session.flush()
    linked = json.loads(item.linked_documents)
    if linked:
        # Linked again unless linked elsewhere meanwhile: that later choice stands.
        tx.session.connection().execute(
            update(DOCUMENTS)
            .where(col(Document.id).in_(linked), col(Document.project_id).is_(None))
            .values(project_id=project.id)
        )
    return task_id
