"""Which project a document belongs to: its link is written here only.

A link is the document's `project_id` and nothing else: the full-text index and the
chunks' vectors do not copy it; the searches filter by the documents table when they
run (`fts_sqlite.py`, `fts_postgres.py`, `finding.py`), so a search by project follows a
new link at once. Linking never touches the document's processing state.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update
from sqlmodel import Session, col

from appliance.documents.models import Document
from appliance.errors import InvalidInputError, NotFoundError
from appliance.projects.models import Project

DOCUMENTS = Document.__table__  # type: ignore[attr-defined]


def link(session: Session, document_id: str, project_id: str | None) -> Document:
    """Link the document to `project_id` (replacing any other link), or unlink it (None).

    Raises NotFoundError for an unknown document, InvalidInputError (field `project_id`)
    for an unknown project. `session` must be a write session; the change is in it.
    """
    document = session.get(Document, document_id, with_for_update=True)
    if document is None:
        raise NotFoundError("link_document_not_found")
    if project_id is not None:
        # Key-share locked (PostgreSQL): the project cannot be deleted before this commits,
        # so its deletion then finds and unlinks this document too.
        project = session.get(Project, project_id, with_for_update={"key_share": True})
        if project is None:
            raise InvalidInputError("link_project_not_found", loc=("body", "project_id"))
    if document.project_id != project_id:
        document.sqlmodel_update({"project_id": project_id, "updated_at": datetime.now(UTC)})
        session.add(document)
    return document


def unlink_all(session: Session, project_id: str) -> int:
    """Unlink every document of the project (before it is deleted); how many there were.

    The documents stay, without a project. The foreign key's ON DELETE SET NULL would do
    the same silently; done here, the deletion can say how many lost their link.
    """
    result = session.connection().execute(
        update(DOCUMENTS)
        .where(col(Document.project_id) == project_id)
        .values(project_id=None, updated_at=datetime.now(UTC))
    )
    return int(result.rowcount)
