"""The data folder is its user's alone: modes, umask, secrets that never pass a symlink."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from appliance.config import Settings
from appliance.private_files import (
    installation_token,
    read_private,
    tighten_tree,
    write_private,
)

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_the_data_folders_are_private_even_under_an_open_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        settings = Settings(data_dir=tmp_path / "data")
        settings.ensure_dirs()
    finally:
        os.umask(old)
    for folder in (settings.data_dir, settings.uploads_dir, settings.vectors_dir):
        assert mode(folder) == 0o700


def test_what_the_program_writes_is_private(tmp_path: Path) -> None:
    # `appliance version` runs the command's start, which sets the umask; the child then
    # creates a file the way every part of the program does.
    probe = (
        "import os, sys\n"
        "from appliance.cli import main\n"
        "main(['version'])\n"
        f"open({str(tmp_path / 'neu.db')!r}, 'w').close()\n"
    )
    env = {**os.environ}
    done = subprocess.run([sys.executable, "-c", probe], env=env, timeout=60, check=True)
    assert done.returncode == 0
    assert mode(tmp_path / "neu.db") == 0o600


def test_files_an_earlier_version_left_open_are_tightened(tmp_path: Path) -> None:
    (tmp_path / "uploads").mkdir(mode=0o755)
    (tmp_path / "uploads").chmod(0o755)
    for name in ("app.db", "uploads/rechnung.pdf"):
        (tmp_path / name).write_text("x")
        (tmp_path / name).chmod(0o644)
    assert tighten_tree(tmp_path) >= 3
    assert mode(tmp_path / "app.db") == 0o600
    assert mode(tmp_path / "uploads/rechnung.pdf") == 0o600
    assert mode(tmp_path / "uploads") == 0o700


def test_a_secret_is_never_written_through_a_symlink(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("unberührt")
    secret = tmp_path / "access.token"
    secret.symlink_to(elsewhere)  # planted by someone who hoped to read the token there

    token = installation_token(tmp_path)

    assert elsewhere.read_text() == "unberührt"
    assert not secret.is_symlink() and mode(secret) == 0o600
    assert read_private(secret) == token


def test_a_secret_behind_a_symlink_is_not_read(tmp_path: Path) -> None:
    target = tmp_path / "target"
    write_private(target, "x" * 40)
    link = tmp_path / "link"
    link.symlink_to(target)
    with pytest.raises(OSError):
        read_private(link)
