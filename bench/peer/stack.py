"""Start the seed's whole stack for one benchmark: redis-server, 4 Celery workers, the API.

Everything runs on this machine beside the appliance, started fresh on free ports in a
folder of the run, and is stopped afterwards. redis-server comes from the system
(`apt install redis-server`, which `scripts/test` installs too); Celery from pip.
"""

from __future__ import annotations

import http.client
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil

from bench.http import TimedClient
from tests.support import free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class PeerStack:
    """The running peer: its API port and the processes that make it up."""

    port: int
    processes: tuple[subprocess.Popen[bytes], ...]

    def pids(self) -> list[int]:
        """Every process of the peer now (Celery's pool children included)."""
        found = []
        for process in self.processes:
            try:
                root = psutil.Process(process.pid)
                found += [root.pid, *(child.pid for child in root.children(recursive=True))]
            except psutil.NoSuchProcess:
                continue
        return found


def ensure_installed() -> None:
    """A clear message instead of a trace when the peer's programs are missing."""
    missing = [name for name in ("redis-server",) if shutil.which(name) is None]
    try:
        import celery  # noqa: F401
    except ImportError:
        missing.append("celery (pip install 'celery[redis]')")
    if missing:
        raise RuntimeError(f"the peer (Celery + Redis) needs: {', '.join(missing)}")


@contextmanager
def peer_stack(folder: Path, workers: int = 4) -> Iterator[PeerStack]:
    """The seed's design, running and warm (every worker process has its model loaded)."""
    ensure_installed()
    folder.mkdir(parents=True, exist_ok=True)
    redis_port, api_port = free_port(), free_port()
    env = {
        **os.environ,
        "PEER_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "PEER_DATABASE": str(folder / "peer.db"),
        "HF_HUB_OFFLINE": "1",
        # One torch thread per worker process: the seed leaves torch's default (a thread
        # per core in each of 4 processes), which oversubscribed 2 cores down to 9.9
        # embeddings/s here. The appliance is measured against the stronger peer.
        "PEER_TORCH_THREADS": os.environ.get("PEER_TORCH_THREADS", "1"),
    }
    log = (folder / "peer.log").open("ab")
    started: list[subprocess.Popen[bytes]] = []

    def spawn(*command: str) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        started.append(process)
        return process

    try:
        # No snapshots and no append-only file: Redis as the seed's compose file runs it.
        spawn("redis-server", "--port", str(redis_port), "--save", "", "--appendonly", "no")
        spawn(sys.executable, "-m", "bench.peer.server", str(api_port))
        spawn(
            sys.executable, "-m", "celery", "-A", "bench.peer.worker", "worker",
            "-c", str(workers), "-P", "prefork", "-l", "warning", "-n", f"peer-{api_port}@%h",
        )  # fmt: skip
        stack = PeerStack(api_port, tuple(started))
        _wait_until_warm(stack, workers)
        yield stack
    finally:
        # Workers and API first, Redis last: they talk to it until they are gone.
        for process in reversed(started):
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()


def _wait_until_warm(stack: PeerStack, workers: int) -> None:
    """Until one project per worker process went through: every model is loaded."""
    client = TimedClient(stack.port)
    wait_for(lambda: _answers(client), timeout=60, interval=0.2, what="the peer's API")
    ids = []
    for index in range(workers * 2):
        answer = client.post(
            "/api/v1/projects/", {"name": f"Aufwärmen {index}", "description": "Erster Auftrag"}
        )
        ids.append(answer.body["id"])
    for project_id in ids:
        wait_for(
            lambda pid=project_id: (
                client.get(f"/api/v1/projects/{pid}").body["status"] == "indexed"
            ),
            timeout=180,
            interval=0.05,
            what="the peer's workers warm",
        )
    client.close()
    time.sleep(0.5)


def _answers(client: TimedClient) -> bool:
    try:
        return client.get("/api/v1/projects/none").status == 404
    except (OSError, http.client.HTTPException):
        client.close()  # a refused connection leaves it unusable
        return False
