"""A throwaway PostgreSQL cluster for the tests: initdb + pg_ctl on a temporary folder.

Debian's `postgresql` package installs the server binaries under
/usr/lib/postgresql/<version>/bin without putting them on the PATH; `scripts/test` installs
the package when it is missing. The cluster listens on 127.0.0.1 at a free port (and on a
unix socket in its own folder), trusts local connections and runs without fsync: it lives
for one test session and is deleted afterwards.

initdb and postgres refuse to run as root, and the tests run as root on the development
machines and in CI: the server then runs as the `postgres` system user (created by the
package) through `runuser`, on a folder handed over to that user.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg

SERVER_USER = "postgres"
START_TIMEOUT = 60


class PostgresUnavailableError(RuntimeError):
    """The PostgreSQL server binaries are not installed on this machine."""


def find_bindir() -> Path:
    """The folder of the newest installed `initdb` (Debian's layout, then the PATH)."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(re.sub(r"\D", "", p.parent.parent.name) or 0),
    )
    if candidates:
        return candidates[-1].parent
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    raise PostgresUnavailableError(
        "PostgreSQL server binaries (initdb, pg_ctl) are not installed: "
        "run scripts/test, which installs Debian's 'postgresql' package"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    """One private cluster; `url(name)` gives a SQLAlchemy-style URL to a database in it."""

    def __init__(self, bindir: Path | None = None) -> None:
        self.bindir = bindir or find_bindir()
        # /tmp where it exists: the server user must reach the folder (a TMPDIR under
        # /root would not do), and a unix socket path must stay under 108 bytes.
        base = "/tmp" if os.path.isdir("/tmp") else None
        self.folder = Path(tempfile.mkdtemp(prefix="appliance-pg-", dir=base))
        self.data = self.folder / "data"
        self.port = _free_port()
        self.user = SERVER_USER
        self._as_server_user: list[str] = []
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            self._as_server_user = ["runuser", "-u", SERVER_USER, "--"]
            shutil.chown(self.folder, SERVER_USER, SERVER_USER)

    def _run(self, *args: str) -> None:
        result = subprocess.run(
            [*self._as_server_user, *args],
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT,
            cwd=self.folder,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{Path(args[0]).name} failed ({result.returncode}): "
                f"{result.stderr.strip() or result.stdout.strip()}"
            )

    def start(self) -> PostgresServer:
        # Locale C on purpose: the worst case for lower() (ASCII only), so the tests prove
        # that the appliance's casefold() does not depend on the server's locale.
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            self.user,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        for attempt in range(3):
            try:
                self._start_server()
                return self
            except RuntimeError as exc:
                # Another program took the free port between the check and the start.
                if attempt == 2:
                    raise RuntimeError(f"{exc}\nserver log:\n{self.log_tail()}") from None
                self.port = _free_port()
        return self

    def _start_server(self) -> None:
        options = " ".join(
            [
                f"-p {self.port}",
                "-c listen_addresses=127.0.0.1",
                f"-c unix_socket_directories={self.folder}",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c max_connections=200",
                "-c shared_buffers=64MB",
            ]
        )
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            str(START_TIMEOUT),
            "start",
        )

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres", *, driver: str = "postgresql") -> str:
        return f"{driver}://{self.user}@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres") -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(self.url(database), autocommit=True)

    def create_database(self, prefix: str = "t") -> str:
        """A new empty database; returns its URL."""
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with self.connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = url.rsplit("/", 1)[-1]
        with self.connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = (self.folder / "server.log").read_text("utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])
