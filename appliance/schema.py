"""The app database's tables: which there are, and making them where they are missing.

The tables are declared beside what they hold (documents, projects, the task ledger);
this module gathers them, so the database layer itself knows no domain. Every process
opens the app database through `open_database`, which makes what is missing (on
PostgreSQL under an advisory lock, so processes starting at once do not collide).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel

from appliance.db import Database
from appliance.documents import models as document_models
from appliance.documents.search import DocumentIndex
from appliance.postgres import prepare_schema
from appliance.projects import models as project_models
from appliance.tasking import tables as task_tables

# Importing the modules put their tables on SQLModel.metadata; named here for the reader.
TABLE_MODULES = (document_models, project_models, task_tables)


def create_missing(db: Database) -> None:
    """Create missing tables, the full-text index and (PostgreSQL) the SQL helpers."""
    with db.write() as conn:
        if db.dialect == "postgresql":
            prepare_schema(conn)
        SQLModel.metadata.create_all(conn)
        DocumentIndex.create(conn)


def open_database(url_or_path: str | Path) -> Database:
    """The app database at `url_or_path` (`Settings.app_database_url`), with every table
    in place. Raises DatabaseUnavailableError with a one-line reason when it cannot be used.
    """
    db = Database.open(url_or_path)
    try:
        create_missing(db)
    except DBAPIError as exc:
        db.dispose()
        raise db.unavailable(exc) from exc
    return db
