"""Putting a backup back: into an absent or empty data folder only, all or nothing.

The whole archive is checked (manifest, every file's size and sha256) before anything
is written; the files are unpacked beside the target and moved into place at the end,
so a restore that fails leaves the folder as it was. At the next start the appliance
upgrades the database if the archive is older, and rebuilds the vector store.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filelock import Timeout

from appliance.backups.archive import ArchiveError, extract, verify
from appliance.config import Settings
from appliance.instance import instance_lock
from appliance.private_files import make_private_dir, tighten_tree


class RestoreRefusedError(Exception):
    """The restore cannot be done; the message says why. Nothing was written.

    `exit_code` as the CLI's: 1 the archive cannot be used, 2 the data folder cannot be
    restored into, 3 the data folder is in use.
    """

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class Restored:
    data_dir: Path
    manifest: dict[str, Any]


def restore(archive: Path, settings: Settings) -> Restored:
    """Unpack `archive` into `settings.data_dir`, which must be absent or empty."""
    target = settings.data_dir
    if not archive.is_file():
        raise RestoreRefusedError(f"There is no backup file {archive}.")
    if target.exists() and not target.is_dir():
        raise RestoreRefusedError(f"{target} is a file, not a folder.", exit_code=2)
    if target.is_dir() and any(target.iterdir()):
        raise RestoreRefusedError(
            f"{target} already holds data; restore into an empty or new folder "
            "(nothing was changed).",
            exit_code=2,
        )
    try:
        manifest = verify(archive)
    except ArchiveError as exc:
        raise RestoreRefusedError(f"{exc} Nothing was restored.") from None
    make_private_dir(target)
    lock = instance_lock(settings)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise RestoreRefusedError(
            f"{target} is in use by a running appliance.", exit_code=3
        ) from None
    try:
        staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=target))
        try:
            extract(archive, staging)
            for entry in staging.iterdir():
                entry.rename(target / entry.name)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        (target / "uploads").mkdir(exist_ok=True)
        tighten_tree(target)
    finally:
        lock.release()
    return Restored(target, manifest)
