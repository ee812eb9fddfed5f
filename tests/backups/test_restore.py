"""Restoring an archive: into an absent or empty folder, all or nothing."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from appliance.backups.restore import RestoreRefusedError, restore
from appliance.backups.service import BackupService
from appliance.bootstrap import start_runtime
from appliance.config import Settings
from appliance.runtime import Runtime
from appliance.search import OWN_FILE_NAME
from tests.backups.conftest import FILES, stored_documents

Installation = tuple[Runtime, TestClient]


def tree(folder: Path) -> dict[str, str]:
    """Every file below `folder` with its sha256: to see that nothing changed."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def archive(installation: Installation) -> Path:
    return Path(str(BackupService(installation[0]).run("manual").path))


def test_a_restore_brings_back_every_row_and_file(
    installation: Installation, archive: Path, tmp_path: Path
) -> None:
    source, _ = installation
    target = Settings(data_dir=tmp_path / "restored")
    restored = restore(archive, target)
    assert restored.manifest["counts"]["documents"] == len(FILES)
    runtime = start_runtime(target)
    try:
        documents = stored_documents(runtime)
        assert set(documents) == set(FILES)
        for name, document in documents.items():
            assert (target.uploads_dir / document.stored_name).read_bytes() == FILES[name]
        assert {d.id for d in documents.values()} == {
            d.id for d in stored_documents(source).values()
        }
    finally:
        runtime.close()
    assert oct(target.data_dir.stat().st_mode & 0o777) == "0o700"


def test_a_folder_with_data_is_refused_and_left_alone(archive: Path, tmp_path: Path) -> None:
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "app.db").write_bytes(b"the office's real data")
    before = tree(occupied)
    with pytest.raises(RestoreRefusedError, match="already holds data") as refused:
        restore(archive, Settings(data_dir=occupied))
    assert refused.value.exit_code == 2
    assert tree(occupied) == before


def test_a_damaged_archive_is_refused_before_anything_is_written(
    archive: Path, tmp_path: Path
) -> None:
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(archive) as good, zipfile.ZipFile(damaged, "w") as bad:
        for name in good.namelist():
            content = good.read(name)
            bad.writestr(name, content[:-1] + b"?" if name.startswith("uploads/") else content)
    target = tmp_path / "new"
    with pytest.raises(RestoreRefusedError, match=r"is damaged.*Nothing was restored") as refused:
        restore(damaged, Settings(data_dir=target))
    assert refused.value.exit_code == 1
    assert not target.exists()


def test_a_missing_archive_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RestoreRefusedError, match="no backup file"):
        restore(tmp_path / "nowhere.zip", Settings(data_dir=tmp_path / "new"))
    assert not (tmp_path / "new").exists()


def test_the_business_s_own_vocabulary_travels_with_the_backup(
    installation: Installation, tmp_path: Path
) -> None:
    source, _ = installation
    own = "[gleichbedeutend]\nKlempner, Spengler\n"
    (source.settings.data_dir / OWN_FILE_NAME).write_text(own, encoding="utf-8")
    archive = Path(str(BackupService(source).run("manual").path))
    target = Settings(data_dir=tmp_path / "restored")
    restore(archive, target)
    assert (target.data_dir / OWN_FILE_NAME).read_text(encoding="utf-8") == own
    runtime = start_runtime(target)
    try:
        terms = runtime.analyzer.terms
        assert set(terms("Spengler")) & set(terms("Klempner"))
    finally:
        runtime.close()
