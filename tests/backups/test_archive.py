"""One backup archive: what it holds, and that any damage to it is found before a restore."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from appliance.backups.archive import MANIFEST, ArchiveError, verify, write_archive
from appliance.runtime import Runtime
from tests.backups.conftest import FILES, stored_documents

Installation = tuple[Runtime, TestClient]


def archive_of(runtime: Runtime, target: Path, **options: object) -> Path:
    settings = runtime.settings
    written = write_archive(
        settings.app_db_path, settings.queue_db_path, settings.uploads_dir, target, **options
    )
    return written.path


def rewrite(source: Path, target: Path, change: dict[str, bytes | None]) -> Path:
    """A copy of the archive with members replaced (bytes) or left out (None)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            if name in change:
                if change[name] is not None:
                    new.writestr(name, change[name])
            else:
                new.writestr(name, old.read(name))
        for name, content in change.items():
            if name not in old.namelist() and content is not None:
                new.writestr(name, content)
    return target


def test_the_archive_holds_databases_uploads_and_a_manifest(
    installation: Installation, tmp_path: Path
) -> None:
    runtime, _ = installation
    path = archive_of(runtime, tmp_path / "out")
    assert path.name.startswith("handwerkml-backup-") and path.suffix == ".zip"
    manifest = verify(path)
    assert manifest["counts"]["projects"] == 2
    assert manifest["counts"]["documents"] == len(FILES)
    assert manifest["schema_revision"] is not None
    assert manifest["problems"] == []
    with zipfile.ZipFile(path) as archive:
        for document in stored_documents(runtime).values():
            content = archive.read(f"uploads/{document.stored_name}")
            assert hashlib.sha256(content).hexdigest() == document.sha256
        # The database in the archive is a whole SQLite file with every row.
        extracted = tmp_path / "app.db"
        extracted.write_bytes(archive.read("app.db"))
    with sqlite3.connect(extracted) as conn:
        assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
        assert conn.execute("select count(*) from projects").fetchone() == (2,)


def test_a_missing_or_changed_upload_is_reported_and_the_rest_kept(
    installation: Installation, tmp_path: Path
) -> None:
    runtime, _ = installation
    documents = stored_documents(runtime)
    uploads = runtime.settings.uploads_dir
    (uploads / documents["Notiz Dach.txt"].stored_name).unlink()
    (uploads / documents["Skizze.png"].stored_name).write_bytes(b"overwritten")
    path = archive_of(runtime, tmp_path / "out")
    problems = verify(path)["problems"]
    assert len(problems) == 2
    assert any(documents["Notiz Dach.txt"].stored_name in problem for problem in problems)
    assert any("does not match the checksum" in problem for problem in problems)
    with zipfile.ZipFile(path) as archive:
        kept = archive.read(f"uploads/{documents['Angebot Bad.txt'].stored_name}")
    assert kept == FILES["Angebot Bad.txt"]


def test_a_document_deleted_during_the_backup_is_left_out(
    installation: Installation, tmp_path: Path
) -> None:
    runtime, _ = installation
    documents = list(stored_documents(runtime).values())
    gone = documents[0]
    (runtime.settings.uploads_dir / gone.stored_name).unlink()  # deleted after the snapshot
    path = archive_of(runtime, tmp_path / "out", still_exists=lambda doc_id: doc_id != gone.id)
    manifest = verify(path)
    assert manifest["problems"] == []
    with zipfile.ZipFile(path) as archive:
        (tmp_path / "app.db").write_bytes(archive.read("app.db"))
    with sqlite3.connect(tmp_path / "app.db") as conn:
        ids = {row[0] for row in conn.execute("select id from documents")}
    assert ids == {d.id for d in documents} - {gone.id}


def test_two_backups_in_one_second_keep_both(installation: Installation, tmp_path: Path) -> None:
    runtime, _ = installation
    first = archive_of(runtime, tmp_path / "out")
    stamp = datetime.strptime(first.stem.removeprefix("handwerkml-backup-"), "%Y-%m-%d_%H%M%S")
    second = archive_of(runtime, tmp_path / "out", now=stamp.replace(tzinfo=UTC))
    assert second != first and first.is_file() and second.is_file()


@pytest.fixture
def good_archive(installation: Installation, tmp_path: Path) -> Path:
    return archive_of(installation[0], tmp_path / "good")


def damage(archive: zipfile.ZipFile, kind: str) -> dict[str, bytes | None]:
    """The member changes that make `kind` of damage."""
    manifest = json.loads(archive.read(MANIFEST))
    upload = next(name for name in archive.namelist() if name.startswith("uploads/"))
    if kind == "a changed database":
        flipped = bytearray(archive.read("app.db"))
        flipped[len(flipped) // 2] ^= 0xFF
        return {"app.db": bytes(flipped)}
    if kind == "a missing upload":
        return {upload: None}
    if kind == "an added file":
        return {"uploads/extra.txt": b"x"}
    if kind == "no manifest":
        return {MANIFEST: None}
    if kind == "a foreign manifest":
        return {MANIFEST: json.dumps(dict(manifest, kind="something-else")).encode()}
    escaping = {**manifest["files"], "../evil": {"sha256": "", "size": 0}}
    return {MANIFEST: json.dumps(dict(manifest, files=escaping)).encode(), "../evil": b""}


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("a changed database", "damaged: app.db does not match"),
        ("a missing upload", "does not hold the files"),
        ("an added file", "does not hold the files"),
        ("no manifest", "not a HandwerkML backup"),
        ("a foreign manifest", "not a HandwerkML backup"),
        ("a path out of the folder", "outside its folders"),
    ],
)
def test_every_kind_of_damage_is_refused(
    good_archive: Path, tmp_path: Path, kind: str, message: str
) -> None:
    with zipfile.ZipFile(good_archive) as archive:
        change = damage(archive, kind)
    bad = rewrite(good_archive, tmp_path / "bad.zip", change)
    with pytest.raises(ArchiveError, match=message):
        verify(bad)


def test_a_file_that_is_no_archive_is_refused(good_archive: Path, tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(good_archive.read_bytes()[: good_archive.stat().st_size // 2])
    with pytest.raises(ArchiveError, match="cannot be read as a backup"):
        verify(truncated)
    text = tmp_path / "notes.zip"
    text.write_text("Einkaufsliste")
    with pytest.raises(ArchiveError, match="cannot be read as a backup"):
        verify(text)
    shutil.copy(good_archive, tmp_path / "copy.zip")
    assert verify(tmp_path / "copy.zip")["kind"] == "handwerkml-backup"


def test_a_document_in_the_papierkorb_keeps_its_file_in_the_archive(
    installation: Installation, tmp_path: Path
) -> None:
    runtime, client = installation
    trashed = stored_documents(runtime)["Notiz Dach.txt"]
    assert client.delete(f"/api/v1/documents/{trashed.id}").status_code == 200
    path = archive_of(runtime, tmp_path / "out")
    manifest = verify(path)
    assert manifest["problems"] == []
    assert manifest["counts"]["documents"] == len(FILES) - 1
    with zipfile.ZipFile(path) as archive:
        kept = archive.read(f"uploads/{trashed.stored_name}")
        (tmp_path / "app.db").write_bytes(archive.read("app.db"))
    assert kept == FILES["Notiz Dach.txt"]
    with sqlite3.connect(tmp_path / "app.db") as conn:
        rows = conn.execute("select kind, item_id from trash").fetchall()
    assert rows == [("DOCUMENT", trashed.id)]
