"""Documents as the task monitor names them: by file name, and whether their tasks may
run again (not for a file that cannot be read)."""

from __future__ import annotations

from collections.abc import Collection

from sqlmodel import col, select

from appliance.db import Database
from appliance.documents.failures import may_run_again
from appliance.documents.models import Document
from appliance.tasking.subjects import Subject

DOCUMENT = "document"  # the subject of tasks whose first argument is a document id


def document_subjects(db: Database, ids: Collection[str]) -> dict[str, Subject]:
    """The documents with these ids (one query), by id."""
    if not ids:
        return {}
    query = select(Document.id, Document.original_name, Document.status, Document.error_code)
    with db.session() as session:
        rows = session.exec(query.where(col(Document.id).in_(list(ids)))).all()
    return {
        document_id: Subject(name, may_run_again(status, error_code))
        for document_id, name, status, error_code in rows
    }
