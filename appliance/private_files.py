"""The data folder is the office's alone: folders, databases, uploads and secrets.

On a PC several people share (a terminal server, a second Windows account) the usual
umask leaves folders 0755 and files 0644: every other account could read every invoice.
The appliance therefore creates everything readable by its own user only (umask 077,
folders 0700), tightens what an earlier version left open, writes secrets so that no
other process can open them in between (O_EXCL at 0600, never through a symlink), and on
Windows gives the data folder an ACL of its own instead of its parent's.
"""

from __future__ import annotations

import contextlib
import getpass
import logging
import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path

log = logging.getLogger("appliance.files")

PRIVATE_UMASK = 0o077
ACCESS_TOKEN_FILE = "access.token"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def use_private_umask() -> None:
    """Everything this process (and its children) creates is readable by its user only."""
    if hasattr(os, "umask"):
        os.umask(PRIVATE_UMASK)


def make_private_dir(folder: Path) -> None:
    """Create `folder` (and parents) for this user only; tighten it if it exists."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if sys.platform == "win32":
        _restrict_windows_acl(folder)
        return
    if stat.S_IMODE(folder.stat().st_mode) & 0o077:
        folder.chmod(0o700)


def tighten_tree(folder: Path) -> int:
    """Take group and other access off everything below `folder`; how many were changed.

    For data folders written by earlier versions, which left files 0644.
    """
    if sys.platform == "win32" or not folder.exists():
        return 0
    changed = 0
    for path in [folder, *folder.rglob("*")]:
        with contextlib.suppress(OSError):  # a file removed meanwhile
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode) or not stat.S_IMODE(info.st_mode) & 0o077:
                continue
            path.chmod(stat.S_IMODE(info.st_mode) & 0o700)
            changed += 1
    return changed


def write_private(path: Path, text: str) -> None:
    """Write a secret: a new file at 0600 that nobody could open before it was private.

    An old file (or a symlink an attacker put there) is removed first, never followed.
    """
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def read_private(path: Path) -> str:
    """Read a secret written by `write_private`, refusing a symlink in its place."""
    descriptor = os.open(path, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_BINARY", 0))
    with os.fdopen(descriptor, encoding="utf-8") as handle:
        return handle.read().strip()


def installation_token(data_dir: Path) -> str:
    """The token that opens this installation's UI and API; made once, kept in the folder.

    It is to the appliance what Jupyter's token is to a notebook server: the program
    opens the browser with it, scripts send it as `Authorization: Bearer <token>`.
    """
    path = data_dir / ACCESS_TOKEN_FILE
    # Missing, unreadable or a symlink someone put there: a new token replaces it.
    with contextlib.suppress(OSError):
        token = read_private(path)
        if len(token) >= 32:
            return token
    token = secrets.token_urlsafe(32)
    write_private(path, token + "\n")
    return token


def _restrict_windows_acl(folder: Path) -> None:
    """An ACL of its own: full control for this user and SYSTEM, nothing inherited."""
    user = getpass.getuser()
    command = [
        "icacls",
        str(folder),
        "/inheritance:r",
        "/grant:r",
        f"{user}:(OI)(CI)F",
        "/grant:r",
        "*S-1-5-18:(OI)(CI)F",  # SYSTEM, by its well-known SID (its name is localized)
    ]
    try:
        subprocess.run(
            command,
            check=True,
            capture_output=True,
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        log.warning("could not make %s private to %s: %s", folder, user, exc)
