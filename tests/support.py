"""Starting the real appliance for end-to-end tests, and waiting on what it does."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from appliance.api.app import create_app
from appliance.bootstrap import start_runtime
from appliance.config import Settings
from appliance.private_files import installation_token
from appliance.runtime import Runtime

# A paper's chunks are embedded this many per run in the tests: a few thousand words take
# several runs, at a fraction of a second of work each, even on a busy machine.
CHUNKS_PER_RUN_IN_TESTS = 8
# Scaled so the retry schedule and leases play out in seconds. The time limits stay above
# the model's load time (the embedding worker loads it in its first seconds).
FAST_ENGINE = {
    "APPLIANCE_EMBED_CHUNKS_PER_RUN": str(CHUNKS_PER_RUN_IN_TESTS),
    "APPLIANCE_RETRY_BASE_DELAY": "1",
    "APPLIANCE_TASK_SOFT_TIME_LIMIT": "60",
    "APPLIANCE_TASK_HARD_TIME_LIMIT": "90",
    "APPLIANCE_WORKER_LEASE": "5",
    "APPLIANCE_HEARTBEAT_INTERVAL": "0.5",
    "APPLIANCE_REAPER_INTERVAL": "1",
    "APPLIANCE_SHUTDOWN_GRACE": "3",
}
# Time limits scaled to seconds, for the tests of the limits themselves.
SHORT_LIMITS = {
    "APPLIANCE_TASK_SOFT_TIME_LIMIT": "2",
    "APPLIANCE_TASK_HARD_TIME_LIMIT": "4",
    "APPLIANCE_WORKERS": "2",
}


# The address in-process test clients use: the Host header the app accepts by default.
LOCAL = "http://127.0.0.1:8001"


def bearer(data_dir: Path) -> dict[str, str]:
    """The header that opens an installation's API: its access token, as scripts send it."""
    return {"Authorization": f"Bearer {installation_token(data_dir)}"}


def api_client(
    runtime: Runtime, *, base_url: str = LOCAL, raise_server_exceptions: bool = True
) -> TestClient:
    """The real app in-process, with the installation's access token on every request."""
    return TestClient(
        create_app(runtime),
        base_url=base_url,
        headers=bearer(runtime.settings.data_dir),
        raise_server_exceptions=raise_server_exceptions,
    )


def document_settled(body: dict[str, Any]) -> bool:
    """A document processed to the end: failed, or completed with its chunks embedded."""
    status = body["status"]
    return status == "failed" or (status == "completed" and body["stage"] == "done")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(
    condition: Callable[[], Any], *, timeout: float, interval: float = 0.05, what: str = ""
) -> Any:
    """Poll until `condition()` is truthy; return its value or fail with `what`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")
        time.sleep(interval)


class RunningAppliance:
    """`appliance run` as a child process on its own data directory and port.

    `program` is the command that stands for `appliance` (default: this interpreter's
    `python -m appliance`); a built program gets an environment without this Python's
    variables, as on a PC where it is installed.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        env: dict[str, str] | None = None,
        program: Sequence[str] | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.program = list(program or [sys.executable, "-m", "appliance"])
        outer = {
            key: value
            for key, value in os.environ.items()
            if program is None or not key.startswith(("PYTHON", "VIRTUAL_ENV"))
        }
        self.env = {**outer, **FAST_ENGINE, **(env or {})}
        self.env["APPLIANCE_DATA_DIR"] = str(data_dir)
        self.env["APPLIANCE_PORT"] = str(self.port)
        self.env["APPLIANCE_OPEN_BROWSER"] = "false"
        self.holds = data_dir.parent / f"{data_dir.name}-holds"
        self.holds.mkdir(parents=True, exist_ok=True)
        self.env["APPLIANCE_HOLD_DIR"] = str(self.holds)
        self.process: subprocess.Popen[bytes] | None = None
        self.url = f"http://127.0.0.1:{self.port}"
        # The access token is made once per data folder; the launcher finds this one.
        data_dir.mkdir(parents=True, exist_ok=True)
        self.token = installation_token(data_dir)
        self.client = httpx.Client(base_url=self.url, timeout=10, headers=bearer(data_dir))
        self._runtime: Runtime | None = None
        self.log_path = data_dir.parent / f"{data_dir.name}-launcher.out"

    @property
    def settings(self) -> Settings:
        scaled = {k[len("APPLIANCE_") :].lower(): v for k, v in self.env.items()}
        return Settings(**{k: v for k, v in scaled.items() if k in Settings.model_fields})

    @property
    def runtime(self) -> Runtime:
        """The test's own view of the same databases (as `appliance reindex` would open them)."""
        if self._runtime is None:
            self._runtime = start_runtime(self.settings)
        return self._runtime

    def start(self, *, wait: bool = True) -> RunningAppliance:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [*self.program, "run"],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        if wait:
            self.wait_healthy()
        return self

    def wait_healthy(self, timeout: float = 90) -> dict[str, Any]:
        def healthy() -> dict[str, Any] | None:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"launcher exited: {self.log_tail()}")
            try:
                response = self.client.get("/api/v1/tasks/health")
            except httpx.TransportError:
                return None
            body: dict[str, Any] = response.json()
            if response.status_code == 200 and body["workers"] == self.settings.workers:
                return body
            return None

        return wait_for(healthy, timeout=timeout, interval=0.2, what="a healthy appliance")  # type: ignore[no-any-return]

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=timeout)

    def kill9(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.stop()
        if self._runtime is not None:
            self._runtime.close()
            self._runtime = None
        self.client.close()

    def log_text(self) -> str:
        """The appliance's log file (the launcher's and every worker's lines)."""
        return (self.data_dir / "logs" / "appliance.log").read_text("utf-8", errors="replace")

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text("utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    # -- hold points: in-between states the test releases (appliance/holds.py) ------------

    @contextmanager
    def hold(self, point: str) -> Iterator[Path]:
        """Work reaching `point` waits until the block ends (or the yielded file is removed)."""
        path = self.holds / point
        path.touch()
        try:
            yield path
        finally:
            path.unlink(missing_ok=True)

    # -- the ledger, seen from the test ---------------------------------------------------

    def enqueue(self, name: str, *args: Any, **kwargs: Any) -> str:
        return self.runtime.queue.enqueue(name, *args, **kwargs)

    def task(self, task_id: str) -> Any:
        return self.runtime.ledger.get(task_id)

    def wait_state(self, task_id: str, states: Iterable[str], timeout: float = 30) -> Any:
        wanted = set(states)

        def reached() -> Any:
            row = self.task(task_id)
            return row if row is not None and row.state in wanted else None

        return wait_for(reached, timeout=timeout, what=f"task {task_id} in {sorted(wanted)}")

    def worker_pids(self) -> dict[str, int]:
        return {
            row.name: row.pid for row in self.runtime.workers.workers() if row.stopped_at is None
        }


class RecordingControl:
    """A WorkerControl that kills nothing and records what it was asked to kill."""

    def __init__(self) -> None:
        self.kills: list[tuple[str, int | None]] = []

    def kill(self, name: str, *, pid: int | None = None) -> bool:
        self.kills.append((name, pid))
        return True

    @property
    def killed(self) -> list[str]:
        return [name for name, _pid in self.kills]


# Runs a test (or, as `pytestmark`, a module) on SQLite and on a real PostgreSQL server.
on_both_databases = pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
