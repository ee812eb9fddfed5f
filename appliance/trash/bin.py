"""Putting deleted rows into the trash, inside the deleting transaction."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from appliance.documents.models import Document
from appliance.projects.models import Project
from appliance.trash.models import TrashedItem, TrashKind


def linked_document_ids(session: Session, project_id: str) -> list[str]:
    """The documents linked to a project (to link them again if it is restored)."""
    return list(session.exec(select(Document.id).where(col(Document.project_id) == project_id)))


def put_project(session: Session, project: Project, linked: list[str]) -> None:
    """Keep a copy of `project` (about to be deleted in `session`) and its documents' ids."""
    _put(
        session,
        TrashedItem(
            kind=TrashKind.PROJECT,
            item_id=project.id,
            name=project.name,
            deleted_at=datetime.now(UTC),
            snapshot=project.model_dump_json(),
            linked_documents=json.dumps(linked),
        ),
    )


def put_document(session: Session, document: Document) -> None:
    """Keep a copy of `document` (about to be deleted in `session`); its file stays."""
    _put(
        session,
        TrashedItem(
            kind=TrashKind.DOCUMENT,
            item_id=document.id,
            name=document.original_name,
            deleted_at=datetime.now(UTC),
            snapshot=document.model_dump_json(),
            stored_name=document.stored_name,
        ),
    )


def kept_files(session: Session) -> list[str]:
    """The files of the documents in the trash (in the uploads folder, not orphans)."""
    query = select(TrashedItem.stored_name).where(col(TrashedItem.stored_name).is_not(None))
    return [name for name in session.exec(query) if name]


def _put(session: Session, item: TrashedItem) -> None:
    # The same item deleted again (restored, then deleted): the newer copy counts.
    earlier = session.get(TrashedItem, (item.kind, item.item_id))
    if earlier is not None:
        session.delete(earlier)
        session.flush()
    session.add(item)
