"""`appliance backup` and `appliance restore` where they must say no."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def appliance(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "appliance", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_backup_of_a_database_server_is_refused_with_what_to_use_instead(
    tmp_path: Path,
) -> None:
    done = appliance(
        "backup",
        "--data-dir",
        str(tmp_path / "data"),
        "--to",
        str(tmp_path / "out"),
        APPLIANCE_DATABASE_URL="postgresql://buero:geheim@192.0.2.1:5432/handwerkml",
    )
    assert done.returncode == 2
    assert "pg_dump" in done.stderr and "No backup written" in done.stderr
    assert not (tmp_path / "out").exists()


def test_a_backup_of_a_folder_without_data_is_refused(tmp_path: Path) -> None:
    done = appliance("backup", "--data-dir", str(tmp_path / "empty"))
    assert done.returncode == 1
    assert "There is no appliance data" in done.stderr
    assert not (tmp_path / "empty").exists()


def test_a_restore_of_something_else_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "urlaub.zip"
    other.write_bytes(b"PK\x05\x06" + bytes(18))  # an empty zip file
    done = appliance("restore", str(other), "--data-dir", str(tmp_path / "new"))
    assert done.returncode == 1
    assert "not a HandwerkML backup" in done.stderr
    assert not (tmp_path / "new").exists()
