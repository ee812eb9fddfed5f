"""Backups as the office sees them: records, the newest kept, when one is due, what to warn."""

from __future__ import annotations

import sqlite3
import zipfile
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from appliance.backups.archive import verify
from appliance.backups.models import Backup, BackupState
from appliance.backups.service import BackupService
from appliance.bootstrap import start_runtime
from appliance.config import Settings
from appliance.runtime import Runtime
from tests.backups.conftest import stored_documents

Installation = tuple[Runtime, TestClient]
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def test_a_backup_is_recorded_and_only_the_newest_are_kept(
    installation: Installation, tmp_path: Path
) -> None:
    runtime, _ = installation
    runtime.settings.backup_keep = 2
    service = BackupService(runtime)
    made = [service.run("scheduled", now=NOW + timedelta(hours=hour)) for hour in range(3)]
    assert [record.state for record in made] == [BackupState.DONE] * 3
    kept = sorted(p.name for p in (tmp_path / "backups").glob("*.zip"))
    assert kept == sorted(Path(str(record.path)).name for record in made[1:])
    assert all(record.size_bytes == Path(str(record.path)).stat().st_size for record in made[1:])
    assert service.latest_archive() == Path(str(made[2].path))


def test_the_archive_says_its_own_backup_finished(
    installation: Installation, tmp_path: Path
) -> None:
    # Restored from this archive, the backup that wrote it must not look "running" forever.
    runtime, _ = installation
    record = BackupService(runtime).run("manual")
    with zipfile.ZipFile(str(record.path)) as archive:
        (tmp_path / "inside.db").write_bytes(archive.read("app.db"))
    with closing(sqlite3.connect(tmp_path / "inside.db")) as conn:
        row = conn.execute("select state, path from backups where id = ?", (record.id,))
        assert row.fetchone() == ("DONE", record.path)


def test_a_backup_is_due_after_a_day_and_warned_about_after_three(
    installation: Installation,
) -> None:
    runtime, _ = installation
    service = BackupService(runtime)
    assert service.due(NOW) is True
    assert service.status(NOW)["warning"] == "stale"  # none yet
    service.run("scheduled", now=NOW)
    assert service.due(NOW + timedelta(hours=23)) is False
    assert service.due(NOW + timedelta(hours=25)) is True
    assert service.status(NOW + timedelta(days=2))["warning"] is None
    assert service.status(NOW + timedelta(days=3, minutes=1))["warning"] == "stale"


def test_a_failed_backup_is_recorded_and_warned_about(
    installation: Installation, tmp_path: Path
) -> None:
    runtime, _ = installation
    service = BackupService(runtime)
    service.run("scheduled", now=NOW)
    (tmp_path / "backups").rename(tmp_path / "moved")
    (tmp_path / "backups").write_text("a file where the folder was")
    with pytest.raises(OSError):
        service.run("scheduled", now=NOW + timedelta(hours=1))
    status = service.status(NOW + timedelta(hours=2))
    assert status["warning"] == "failed"
    assert status["last"]["state"] == "failed" and status["last"]["error"]
    assert status["last_good"]["started_at"] == NOW.isoformat()


def test_a_damaged_upload_is_a_warning_not_a_failed_backup(installation: Installation) -> None:
    runtime, _ = installation
    document = stored_documents(runtime)["Angebot Bad.txt"]
    (runtime.settings.uploads_dir / document.stored_name).write_bytes(b"changed on disk")
    service = BackupService(runtime)
    record = service.run("manual", now=NOW)
    assert record.state == BackupState.DONE
    assert document.stored_name in str(record.error)
    assert service.status(NOW)["warning"] == "problems"
    assert verify(Path(str(record.path)))["problems"]


def test_backups_interrupted_by_a_stop_are_closed_at_start(installation: Installation) -> None:
    runtime, _ = installation
    with runtime.db.session(write=True) as session:
        session.add(Backup(started_at=NOW, target_dir="/nowhere"))
    service = BackupService(runtime)
    assert service.close_interrupted() == 1
    last = service.status(NOW)["last"]
    assert last["state"] == "failed" and "stopped" in last["error"]


def test_the_status_names_the_folder_and_the_same_disk_risk(tmp_path: Path) -> None:
    runtime = start_runtime(Settings(data_dir=tmp_path / "data"))
    try:
        status = BackupService(runtime).status(NOW)
    finally:
        runtime.close()
    assert status["target_dir"] == str(tmp_path / "data" / "backups")
    assert status["same_disk"] is True and status["keep"] == 7
    assert status["last"] is None and status["history"] == []
