"""The app database's tables, and bringing a database to this version's schema.

The tables are declared beside what they hold (documents, projects, the task ledger);
this module gathers them, so the database layer itself knows no domain. Their history
is Alembic's (`appliance/alembic/versions/`): every change to a table is a revision,
the first being the schema of 0.1.0. At start every process opens the database here:
- an empty database gets every revision;
- a database of 0.1.0 (its tables, but no revision recorded) is recognised as the
  baseline; an older database is snapshotted (`before_upgrade`) and then upgraded;
- a database of a newer version (a revision this one does not know) is refused, and
  not touched.
Beside the tables, the derived full-text index and PostgreSQL's SQL helpers are made
where missing (idempotent, rebuilt from the tables when their shape changes).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import DBAPIError

from appliance import __version__, slots
from appliance.backups import models as backup_models
from appliance.db import Database
from appliance.documents import models as document_models
from appliance.documents.search import DocumentIndex
from appliance.errors import StartupError
from appliance.postgres import SCHEMA_LOCK_KEY, prepare_schema
from appliance.projects import models as project_models
from appliance.tasking import tables as task_tables
from appliance.trash import models as trash_models

log = logging.getLogger("appliance.schema")

# Importing the modules put their tables on SQLModel.metadata; named here for the reader.
TABLE_MODULES = (document_models, project_models, task_tables, backup_models, slots, trash_models)
SCRIPTS = Path(__file__).resolve().parent / "alembic"
BASELINE = "0001_baseline"
# What a database of 0.1.0 is recognised by, when it has no revision recorded.
BASELINE_TABLES = {"projects", "documents", "task_ledger"}

# Made beside the tables by `ensure_derived`, not by revisions: the full-text index
# (FTS5's shadow tables on SQLite, a table with a tsvector on PostgreSQL).
DERIVED_PREFIX = "documents_fts"

# Called with (revision found, revision to reach) before an older database is upgraded.
BeforeUpgrade = Callable[[str, str], None]


class NewerDatabaseError(StartupError):
    """The database was written by a newer version of the appliance."""

    exit_code = 2


def alembic_config(conn: Connection) -> Config:
    """Alembic's configuration, run on `conn` (no alembic.ini: all is set here)."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    config.attributes["connection"] = conn
    return config


def head_revision() -> str:
    head = ScriptDirectory(str(SCRIPTS)).get_current_head()
    assert head is not None, "appliance/alembic/versions holds no revision"
    return head


def known_revisions() -> set[str]:
    return {script.revision for script in ScriptDirectory(str(SCRIPTS)).walk_revisions()}


def recorded_revision(conn: Connection) -> str | None:
    """The revision the database is at: recorded, or the baseline for a 0.1.0 database
    (tables without a record), or None for an empty database."""
    current = MigrationContext.configure(conn).get_current_revision()
    if current is None and set(inspect(conn).get_table_names()) >= BASELINE_TABLES:
        return BASELINE
    return current


def open_database(
    url_or_path: str | Path, *, before_upgrade: BeforeUpgrade | None = None
) -> Database:
    """The app database at `url_or_path` (`Settings.app_database_url`), at this version's
    schema. Raises DatabaseUnavailableError with a one-line reason when it cannot be
    used, NewerDatabaseError when a newer version wrote it."""
    db = Database.open(url_or_path)
    try:
        upgrade(db, before_upgrade)
    except DBAPIError as exc:
        db.dispose()
        raise db.unavailable(exc) from exc
    except BaseException:
        db.dispose()
        raise
    return db


def upgrade(db: Database, before_upgrade: BeforeUpgrade | None = None) -> None:
    """Bring `db` to the head revision (see the module's docstring)."""
    head = head_revision()
    with db.read() as conn:
        found = recorded_revision(conn)
    refuse_if_newer(found)
    if found == head:
        with _locked(db) as conn:
            ensure_derived(conn)
        return
    if found is not None and before_upgrade is not None:
        before_upgrade(found, head)
    with _locked(db) as conn:
        found = recorded_revision(conn)  # another process may have upgraded meanwhile
        refuse_if_newer(found)
        if found == BASELINE and MigrationContext.configure(conn).get_current_revision() is None:
            command.stamp(alembic_config(conn), BASELINE)
        if found != head:
            log.info("upgrading the app database from %s to %s", found or "nothing", head)
            command.upgrade(alembic_config(conn), "head")
        ensure_derived(conn)


def refuse_if_newer(found: str | None) -> None:
    if found is not None and found not in known_revisions():
        raise NewerDatabaseError("start.newer_database", found=found, version=__version__)


def is_revisioned(name: str | None, kind: str) -> bool:
    """Whether a table (or its index) is Alembic's to compare and generate; the derived
    full-text index is not (`include_name` of Alembic's autogenerate)."""
    return not (kind in ("table", "index") and (name or "").startswith(DERIVED_PREFIX))


def ensure_derived(conn: Connection) -> None:
    """The full-text index and (PostgreSQL) the SQL helpers, where they are missing."""
    if conn.dialect.name == "postgresql":
        prepare_schema(conn)
    DocumentIndex.create(conn)


@contextmanager
def _locked(db: Database) -> Iterator[Connection]:
    # One process at a time changes the schema: SQLite's write lock, or on PostgreSQL
    # (no single writer) a transaction-scoped advisory lock.
    with db.write() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK_KEY})
        yield conn
