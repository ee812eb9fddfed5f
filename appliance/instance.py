"""The running appliance of a data folder: its lock, and what it says about itself.

The launcher holds `appliance.lock` while it runs and writes `appliance.json` (pid,
address, version) once it serves. Commands that must not run beside it (migrate,
backup's restore) take the same lock; those that may use it (reindex, open) read the
address from the file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from filelock import FileLock

from appliance import __version__
from appliance.config import Settings
from appliance.private_files import installation_token

LOCK_FILE = "appliance.lock"
INFO_FILE = "appliance.json"


def instance_lock(settings: Settings) -> FileLock:
    """The lock the launcher holds on its data folder while it runs."""
    return FileLock(str(settings.data_dir / LOCK_FILE))


def running_instance(settings: Settings) -> dict[str, object] | None:
    """What the launcher that owns `settings.data_dir` wrote about itself, if any."""
    try:
        info: dict[str, object] = json.loads((settings.data_dir / INFO_FILE).read_text("utf-8"))
        return info
    except (OSError, ValueError):
        return None


def announce(data_dir: Path, url: str) -> None:
    """Say where this (now serving) launcher answers."""
    info = {"pid": os.getpid(), "url": url, "version": __version__}
    (data_dir / INFO_FILE).write_text(json.dumps(info), "utf-8")


def withdraw(data_dir: Path) -> None:
    """The launcher stops: nobody serves this folder any more."""
    (data_dir / INFO_FILE).unlink(missing_ok=True)


def opening_url(settings: Settings) -> str | None:
    """The address that opens the running appliance's UI, its access token included."""
    info = running_instance(settings)
    if not info or not info.get("url"):
        return None
    return f"{info['url']}?token={installation_token(settings.data_dir)}"
