"""`appliance migrate`: move a single-PC installation to the servers.

What moves: every row of the app database (SQLite in the data folder) into an empty
PostgreSQL database, the vectors into the target vector store (a Qdrant server), and the
uploaded files into another folder. The order makes a failed run harmless to repeat:
vectors (upserts) and files (copied under a temporary name, then renamed) go first, both
idempotent; the rows go last, in one transaction, so the target database is either
complete or still empty. A target that already holds rows is refused, never merged.

Vectors are read from the rows (`project_vectors` keeps every vector with the hash of its
text), not from the embedded engine's folder: the engine may be any of the three, and the
rows are what the appliance itself rebuilds the store from.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from filelock import Timeout
from sqlalchemy import Connection, Engine, Table, insert, make_url, select, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel

from appliance.backups.upgrade import backup_before_upgrade
from appliance.config import Settings, normalize_database_url
from appliance.db import Database, create_db_engine, display_url
from appliance.documents.models import Document, DocumentStatus
from appliance.documents.search import DocumentIndex
from appliance.embedding.torch_engine import model_name_of
from appliance.instance import instance_lock, running_instance
from appliance.projects.models import Project, ProjectVector
from appliance.projects.texts import embedding_hash, project_point
from appliance.schema import open_database
from appliance.search import open_analyzer
from appliance.vectors.base import VectorStore

BATCH_SIZE = 200  # rows per insert; a document row may carry megabytes of text
SEARCH_INDEX = "documents_fts"
_COPY_SUFFIX = ".migrating"


class MigrationError(Exception):
    """The migration cannot run or did not finish; the message says why, for a person."""


class ApplianceRunningError(MigrationError):
    """The appliance runs on the data folder: its database must not change meanwhile."""


@dataclass
class MigrationReport:
    """What was moved: rows per table, search entries, vectors and files."""

    source: str
    target: str
    rows: dict[str, int] = field(default_factory=dict)
    search_entries: int = 0
    vectors_written: int | None = None
    vectors_stale: int = 0
    files_copied: int | None = None
    files_present: int = 0
    files_missing: list[str] = field(default_factory=list)
    files_damaged: list[str] = field(default_factory=list)
    values_escaped: int = 0

    def lines(self) -> list[str]:
        """The report as a person reads it at the end of the command."""
        out = [f"Migrated {self.source} -> {self.target}"]
        width = max(len(name) for name in [*self.rows, "search index"])
        for name, count in self.rows.items():
            out.append(f"  {name:<{width}}  {count:>8} rows")
        out.append(f"  {'search index':<{width}}  {self.search_entries:>8} documents")
        if self.values_escaped:
            out.append(
                f"  {self.values_escaped} text values held NUL characters, which PostgreSQL "
                "cannot store: written as \\0"
            )
        if self.vectors_written is not None:
            out.append(
                f"  {'vectors':<{width}}  {self.vectors_written:>8} points written "
                f"({self.vectors_stale} stale, embedded again at the next start)"
            )
        if self.files_copied is not None:
            out.append(
                f"  {'upload files':<{width}}  {self.files_copied:>8} copied "
                f"({self.files_present} already there, {len(self.files_missing)} missing)"
            )
        for name in self.files_missing:
            out.append(f"  missing upload file (its document stays, without file): {name}")
        for name in self.files_damaged:
            out.append(f"  upload file differs from its checksum (copied as it is): {name}")
        return out


def source_database_url(settings: Settings) -> str:
    """The installation's SQLite database: a configured SQLite URL, else data/app.db."""
    if settings.database_url and settings.database_url.startswith("sqlite"):
        return settings.database_url
    return f"sqlite:///{settings.app_db_path.resolve()}"


def app_tables() -> list[Table]:
    """Every table of the app database, parents before children."""
    return list(SQLModel.metadata.sorted_tables)


def migrate_installation(
    settings: Settings,
    target_url: str,
    *,
    vector_store: VectorStore | None = None,
    uploads_dir: Path | None = None,
    say: Callable[[str], None] = print,
    batch_size: int = BATCH_SIZE,
) -> MigrationReport:
    """Move the installation in `settings.data_dir` to `target_url` (and the given targets).

    Holds the launcher's lock meanwhile, so the appliance cannot start on the folder.
    Raises ApplianceRunningError when it runs, MigrationError for any other refusal, and
    DatabaseUnavailableError when the target cannot be opened.
    """
    if not settings.data_dir.is_dir():
        raise MigrationError(f"There is no installation at {settings.data_dir}.")
    lock = instance_lock(settings)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        info = running_instance(settings)
        where = f" at {info.get('url')} (pid {info.get('pid')})" if info else ""
        raise ApplianceRunningError(
            f"The appliance is running on {settings.data_dir}{where}. "
            "Stop it (Beenden) before migrating: its data must not change meanwhile."
        ) from None
    try:
        return _migrate(settings, target_url, vector_store, uploads_dir, say, batch_size)
    finally:
        lock.release()


def _migrate(
    settings: Settings,
    target_url: str,
    vector_store: VectorStore | None,
    uploads_dir: Path | None,
    say: Callable[[str], None],
    batch_size: int,
) -> MigrationReport:
    try:
        target_url = normalize_database_url(target_url) or ""
    except ValueError as exc:
        raise MigrationError(f"Invalid target database URL: {exc}") from None
    if not target_url:
        raise MigrationError("The target database URL is empty.")
    source_url = source_database_url(settings)
    source_file = Path(str(make_url(source_url).database))
    if not source_file.is_file():
        raise MigrationError(f"There is no app database at {source_file}: nothing to migrate.")
    if target_url.startswith("sqlite") and (
        Path(str(make_url(target_url).database)).resolve() == source_file.resolve()
    ):
        raise MigrationError("The target database is the source database.")
    report = MigrationReport(str(source_file), display_url(target_url))
    # An older source is first brought to this version's tables (backed up before).
    open_database(source_url, before_upgrade=backup_before_upgrade(settings)).dispose()
    source = create_db_engine(source_file)
    target = open_database(target_url)
    try:
        _refuse_filled_target(target)
        if vector_store is not None:
            say("Writing vectors ...")
            _write_vectors(source, vector_store, settings, report, batch_size)
        if uploads_dir is not None:
            say(f"Copying upload files to {uploads_dir} ...")
            _copy_uploads(source, settings.uploads_dir, uploads_dir, report)
        say("Copying rows ...")
        _copy_rows(source, target, report, batch_size)
    finally:
        source.dispose()
        target.dispose()
    for line in report.lines():
        say(line)
    return report


def _count(conn: Connection, table: str) -> int:
    return int(conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar() or 0)


def _refuse_filled_target(target: Database) -> None:
    with target.read() as conn:
        filled = {
            name: count
            for name in [t.name for t in app_tables()] + [SEARCH_INDEX]
            if (count := _count(conn, name))
        }
    if filled:
        listed = ", ".join(f"{name}: {count}" for name, count in filled.items())
        raise MigrationError(
            f"The target database already holds data ({listed}). Migrate into an empty "
            "database; nothing was changed."
        )


def _batches(conn: Connection, table: Table, size: int) -> Iterator[list[dict[str, Any]]]:
    """All rows of `table`, in primary-key order, `size` at a time."""
    result = conn.execution_options(stream_results=True).execute(
        select(table).order_by(*table.primary_key.columns)
    )
    for part in result.mappings().partitions(size):
        yield [dict(row) for row in part]


def _copy_rows(source: Engine, target: Database, report: MigrationReport, size: int) -> None:
    """Every table, then the search index, in one target transaction."""
    tables = app_tables()
    with source.connect() as src, src.begin(), target.write() as dst:
        # One read transaction: every table is read from the same snapshot.
        expected = {table.name: _count(src, table.name) for table in tables}
        for table in tables:
            copied = 0
            for rows in _batches(src, table, size):
                report.values_escaped += _escape_nul(rows)
                try:
                    dst.execute(insert(table), rows)
                except DBAPIError as exc:
                    # Raising rolls the whole copy back: the target stays empty.
                    reason = str(exc.orig or exc).strip().splitlines()[0]
                    raise MigrationError(
                        f"The target refused a row of {table.name}: {reason}. Nothing was copied."
                    ) from None
                copied += len(rows)
            report.rows[table.name] = copied
        report.search_entries = _rebuild_search_index(src, dst, size)
        found = {table.name: _count(dst, table.name) for table in tables}
        if found != expected:
            raise MigrationError(f"Row counts differ after copying: {expected} -> {found}")
    if target.dialect == "postgresql":
        # Fresh statistics, so the first searches use the text index (autovacuum would
        # gather them too, but only a while later).
        with target.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()


def _escape_nul(rows: list[dict[str, Any]]) -> int:
    """Write NUL characters as "\\0" (PostgreSQL refuses them); returns how many values."""
    changed = 0
    for row in rows:
        for key, value in row.items():
            if isinstance(value, str) and "\x00" in value:
                row[key] = value.replace("\x00", "\\0")
                changed += 1
    return changed


def _rebuild_search_index(src: Connection, dst: Connection, size: int) -> int:
    """Index every completed document's text in the target's own full-text engine."""
    table = Document.__table__  # type: ignore[attr-defined]
    result = src.execution_options(stream_results=True).execute(
        select(table.c.id, table.c.original_name, table.c.searchable_text)
        .where(table.c.status == DocumentStatus.COMPLETED)
        .order_by(table.c.id)
    )
    count = 0
    for part in result.partitions(size):
        for document_id, name, body in part:
            DocumentIndex.put(dst, document_id, name, body or "")
            count += 1
    return count


def _write_vectors(
    source: Engine,
    store: VectorStore,
    settings: Settings,
    report: MigrationReport,
    size: int,
) -> None:
    """Upsert the stored vectors that match their project's current text and the model."""
    model = model_name_of(settings.embedding_model)
    analyzer = open_analyzer(settings.data_dir)
    vectors = ProjectVector.__table__  # type: ignore[attr-defined]
    projects = Project.__table__  # type: ignore[attr-defined]
    written = stale = 0
    with source.connect() as conn:
        for rows in _batches(conn, vectors, size):
            found = conn.execute(
                select(projects).where(projects.c.id.in_([r["project_id"] for r in rows]))
            ).mappings()
            # A table model's constructor does not validate: the rows are the appliance's
            # own, read back as they are (a NUL from old data must not stop the move).
            by_id = {row["id"]: Project(**dict(row)) for row in found}
            points = []
            for row in rows:
                project = by_id.get(row["project_id"])
                current = (
                    project is not None
                    and row["model"] == model
                    and row["dimension"] == store.dimension
                    and row["text_hash"] == embedding_hash(project)
                )
                if not current or project is None:
                    stale += 1
                    continue
                vector = np.frombuffer(row["vector"], dtype=np.float32).tolist()
                points.append(project_point(project, vector, row["text_hash"], analyzer))
            store.upsert(points)
            written += len(points)
    store.flush()
    report.vectors_written, report.vectors_stale = written, stale


def _copy_uploads(source: Engine, from_dir: Path, to_dir: Path, report: MigrationReport) -> None:
    """Copy each document's file, checked against its sha256; files already there stay."""
    table = Document.__table__  # type: ignore[attr-defined]
    with source.connect() as conn:
        files = conn.execute(select(table.c.stored_name, table.c.sha256)).all()
    to_dir.mkdir(parents=True, exist_ok=True)
    copied = present = 0
    for stored_name, sha256 in files:
        origin, destination = from_dir / stored_name, to_dir / stored_name
        if destination.is_file() and file_sha256(destination) == sha256:
            present += 1
            continue
        if not origin.is_file():
            report.files_missing.append(stored_name)
            continue
        partial = destination.with_name(destination.name + _COPY_SUFFIX)
        shutil.copyfile(origin, partial)
        if file_sha256(partial) != sha256:
            # Damaged before the migration: the person decides, so it is named, not dropped.
            report.files_damaged.append(stored_name)
        partial.replace(destination)
        copied += 1
    report.files_copied, report.files_present = copied, present


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()
