"""One backup archive: a zip file with the databases, the uploads and a manifest.

Taken while the appliance runs and works: the databases are copied with SQLite's online
backup API (a consistent snapshot of a live WAL database, which a file copy is not),
and the uploads that snapshot refers to are copied and checked against the sha256 taken
at upload. The vectors are not in the archive: every vector is kept in the app database
too (`project_vectors`), and the appliance rebuilds its vector store from there at the
first start after a restore.

The manifest names every file with its size and sha256, the format of the archive, the
version that wrote it and the schema revision of its database; `verify` checks all of
it before anything is restored.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from appliance import __version__
from appliance.search.vocabulary import OWN_FILE_NAME
from appliance.wording import Language, say

FORMAT = 1
KIND = "handwerkml-backup"
MANIFEST = "manifest.json"
APP_DB = "app.db"
QUEUE_DB = "queue.db"
UPLOADS = "uploads/"
# The files an archive may hold beside the uploads: the databases and the business's own
# search vocabulary.
TOP_LEVEL = (APP_DB, QUEUE_DB, OWN_FILE_NAME)
NAME_PREFIX = "handwerkml-backup-"
CHUNK = 1024 * 1024


class ArchiveError(Exception):
    """The archive cannot be written, or is damaged or not a backup: a sentence why."""


@dataclass(frozen=True)
class Written:
    path: Path
    size: int
    manifest: dict[str, Any]

    @property
    def problems(self) -> list[str]:
        """Uploads that were missing or did not match their checksum (see write_archive)."""
        return list(self.manifest["problems"])


def archive_name(now: datetime, label: str = "") -> str:
    """Names sort by time: the newest is last."""
    return f"{NAME_PREFIX}{now.strftime('%Y-%m-%d_%H%M%S')}{'-' + label if label else ''}.zip"


def snapshot_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (WAL included), via the backup API."""
    reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    try:
        writer = sqlite3.connect(target)
        try:
            reader.backup(writer)
            # The copy is one self-contained file: what is changed in it from here on
            # goes into it, not into a WAL beside it that the archive would not hold.
            writer.execute("pragma journal_mode=DELETE")
        finally:
            writer.close()
    finally:
        reader.close()


def write_archive(
    app_db: Path,
    queue_db: Path,
    uploads: Path,
    target_dir: Path,
    *,
    still_exists: Callable[[str], bool] | None = None,
    now: datetime | None = None,
    label: str = "",
    adjust_snapshot: Callable[[sqlite3.Connection, Path], None] | None = None,
    after_snapshot: Callable[[], None] | None = None,
    own_files: tuple[Path, ...] = (),
) -> Written:
    """Snapshot the databases, add the uploads they refer to, write one archive file.

    `still_exists(document_id) -> bool` tells whether a document whose file is gone was
    deleted after the snapshot (it is then left out of the archive, as it is out of the
    office's data). A file missing for a document that still exists, or one that does not
    match the checksum taken at upload, does not stop the backup (everything else is
    worth keeping): it is listed under "problems" in the manifest, for the person to see.
    `adjust_snapshot(connection, archive path)` may change the snapshot of the app
    database before it is packed (the backup's own record says "done" in it), and
    `after_snapshot()` is called once the databases are copied (a hold point for tests).
    Each of `own_files` that exists (the business's own search vocabulary, one of
    `TOP_LEVEL`) is packed under its name, and a restore puts it back into the data folder.
    """
    now = now or datetime.now(UTC)
    target_dir.mkdir(parents=True, exist_ok=True)
    final = _unused(target_dir / archive_name(now, label))
    partial = target_dir / f".{final.name}.partial"
    with tempfile.TemporaryDirectory(prefix="handwerkml-backup-", dir=target_dir) as work:
        staged_app, staged_queue = Path(work) / APP_DB, Path(work) / QUEUE_DB
        snapshot_sqlite(app_db, staged_app)
        if adjust_snapshot is not None:
            with _connected(staged_app) as conn:
                adjust_snapshot(conn, final)
        if queue_db.exists():
            snapshot_sqlite(queue_db, staged_queue)
        if after_snapshot is not None:
            after_snapshot()
        files: dict[str, dict[str, Any]] = {}
        try:
            with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as out:
                documents, problems = _uploads_of(staged_app, uploads, still_exists)
                counts = _counts(staged_app)
                revision = _revision(staged_app)
                for name, source in ((APP_DB, staged_app), (QUEUE_DB, staged_queue)):
                    if source.exists():
                        files[name] = _add(out, name, source, zipfile.ZIP_DEFLATED)
                for own in own_files:
                    if own.is_file():
                        files[own.name] = _add(out, own.name, own, zipfile.ZIP_DEFLATED)
                for stored_name, sha256 in documents:
                    # Already compressed (PDF, JPEG, DOCX): stored as they are.
                    entry = _add(
                        out, UPLOADS + stored_name, uploads / stored_name, zipfile.ZIP_STORED
                    )
                    if entry["sha256"] != sha256:
                        problems.append(say("backup.upload_changed", Language.EN, name=stored_name))
                    files[UPLOADS + stored_name] = entry
                manifest = {
                    "kind": KIND,
                    "format": FORMAT,
                    "version": __version__,
                    "schema_revision": revision,
                    "database": "sqlite",
                    "created_at": now.isoformat(),
                    "counts": counts,
                    "vectors": "rebuilt from project_vectors in app.db at the first start",
                    "problems": problems,
                    "files": files,
                }
                out.writestr(MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False))
            with partial.open("rb") as handle:
                os.fsync(handle.fileno())
            os.replace(partial, final)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return Written(final, final.stat().st_size, manifest)


def verify(path: Path) -> dict[str, Any]:
    """The archive's manifest, once every file in it matches; ArchiveError otherwise."""
    try:
        with zipfile.ZipFile(path) as archive:
            try:
                manifest = json.loads(archive.read(MANIFEST))
            except KeyError:
                raise ArchiveError(
                    f"{path.name} is not a HandwerkML backup (no manifest)."
                ) from None
            if not isinstance(manifest, dict) or manifest.get("kind") != KIND:
                raise ArchiveError(f"{path.name} is not a HandwerkML backup.")
            if manifest.get("format") != FORMAT:
                raise ArchiveError(
                    f"{path.name} has backup format {manifest.get('format')}; this version "
                    f"reads format {FORMAT}."
                )
            files = manifest.get("files")
            if not isinstance(files, dict) or APP_DB not in files:
                raise ArchiveError(f"{path.name} holds no app database.")
            present = set(archive.namelist()) - {MANIFEST}
            if present != set(files):
                raise ArchiveError(f"{path.name} does not hold the files its manifest lists.")
            for name, expected in files.items():
                if not _safe_member(name):
                    raise ArchiveError(f"{path.name} holds a file outside its folders: {name}")
                digest, size = _digest_member(archive, name)
                if digest != expected.get("sha256") or size != expected.get("size"):
                    raise ArchiveError(f"{path.name} is damaged: {name} does not match.")
    except (zipfile.BadZipFile, OSError, ValueError, zipfile.LargeZipFile) as exc:
        raise ArchiveError(f"{path.name} cannot be read as a backup: {exc}") from None
    return manifest


def extract(path: Path, target: Path) -> None:
    """Write a verified archive's files into `target` (which must be empty)."""
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name == MANIFEST:
                continue
            destination = target / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(name) as source, destination.open("wb") as out:
                shutil.copyfileobj(source, out, CHUNK)
                out.flush()
                os.fsync(out.fileno())


@contextmanager
def _connected(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection that commits and is closed at the end (sqlite3's own `with` only
    commits)."""
    conn = sqlite3.connect(path)
    try:
        with conn:
            yield conn
    finally:
        conn.close()


def _unused(path: Path) -> Path:
    # Two backups in one second (a manual one beside the scheduled one) keep both.
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate


def _add(out: zipfile.ZipFile, name: str, source: Path, compression: int) -> dict[str, Any]:
    digest = hashlib.sha256()
    size = 0
    info = zipfile.ZipInfo.from_file(source, name)
    info.compress_type = compression
    with source.open("rb") as handle, out.open(info, "w", force_zip64=True) as member:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            member.write(chunk)
    return {"sha256": digest.hexdigest(), "size": size}


def _digest_member(archive: zipfile.ZipFile, name: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with archive.open(name) as member:
        while chunk := member.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _safe_member(name: str) -> bool:
    parts = Path(name).parts
    return (
        not Path(name).is_absolute()
        and ".." not in parts
        and (name in TOP_LEVEL or (name.startswith(UPLOADS) and len(parts) == 2))
    )


def _uploads_of(
    app_db: Path, uploads: Path, still_exists: Callable[[str], bool] | None
) -> tuple[list[tuple[str, str]], list[str]]:
    """(stored name, sha256) of every document in the snapshot whose file is there, and
    a sentence for each whose file is missing.

    A document deleted after the snapshot was taken may have lost its file already: it
    is taken out of the snapshot too, so the archive holds what the office had a moment
    later, consistently.
    """
    found, problems = [], []
    with _connected(app_db) as conn:
        found.extend(_trashed_uploads(conn, uploads))
        rows = conn.execute("SELECT id, stored_name, sha256 FROM documents").fetchall()
        for document_id, stored_name, sha256 in rows:
            if (uploads / stored_name).is_file():
                found.append((stored_name, sha256))
            elif still_exists is not None and not still_exists(document_id):
                conn.execute("DELETE FROM documents WHERE id = ?", (document_id,))
                conn.execute("DELETE FROM documents_fts WHERE document_id = ?", (document_id,))
            else:
                problems.append(
                    say(
                        "backup.upload_missing",
                        Language.EN,
                        document=document_id,
                        name=stored_name,
                    )
                )
    return found, problems


def _trashed_uploads(conn: sqlite3.Connection, uploads: Path) -> list[tuple[str, str]]:
    """(stored name, sha256) of the files of deleted documents still in the Papierkorb:
    restorable from the backup as they are from the office PC. None before schema 0006."""
    try:
        rows = conn.execute(
            "SELECT stored_name, snapshot FROM trash WHERE stored_name IS NOT NULL"
        ).fetchall()
    except sqlite3.OperationalError:
        return []
    return [
        (stored_name, json.loads(snapshot)["sha256"])
        for stored_name, snapshot in rows
        if (uploads / stored_name).is_file()
    ]


def _counts(app_db: Path) -> dict[str, int]:
    with _connected(app_db) as conn:
        return {
            table: int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            for table in ("projects", "documents", "project_vectors", "task_ledger")
        }


def _revision(app_db: Path) -> str | None:
    with _connected(app_db) as conn:
        try:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.OperationalError:
            return None
    return str(row[0]) if row else None
