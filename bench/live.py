"""The real appliance for the benchmarks: `tests.support.RunningAppliance` with production
timings (the tests scale retries, leases and heartbeats down; a benchmark must not)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil

from appliance.config import Settings
from bench.http import TimedClient
from tests.support import FAST_ENGINE, RunningAppliance, bearer, wait_for

PROJECTS = "/api/v1/projects/"
DOCUMENTS = "/api/v1/documents/"


def production_env() -> dict[str, str]:
    """The defaults of every timing the test support scales down, as environment variables."""
    env = {}
    for variable in FAST_ENGINE:
        field = Settings.model_fields[variable.removeprefix("APPLIANCE_").lower()]
        env[variable] = str(field.default)
    return env


@contextmanager
def started(folder: Path, env: dict[str, str] | None = None) -> Iterator[RunningAppliance]:
    """A freshly started appliance on `folder/data`, healthy, with production timings."""
    running = RunningAppliance(folder / "data", env={**production_env(), **(env or {})})
    TimedClient.authorize(running.port, bearer(running.data_dir))
    try:
        running.start()
        yield running
    finally:
        running.close()


def create_project(client: TimedClient, body: dict[str, Any]) -> dict[str, Any]:
    answer = client.post(PROJECTS, body)
    if answer.status != 201:
        raise RuntimeError(f"creating a project failed: {answer.status} {answer.body}")
    created: dict[str, Any] = answer.body
    return created


def wait_indexed(client: TimedClient, project_id: str, timeout: float = 180) -> float:
    """Wait until the project is indexed; returns when that was seen (perf_counter)."""

    def indexed() -> float | None:
        body = client.get(f"{PROJECTS}{project_id}").body
        if body["status"] == "failed":
            raise RuntimeError(f"embedding failed: {body}")
        return time.perf_counter() if body["status"] == "indexed" else None

    return float(wait_for(indexed, timeout=timeout, interval=0.02, what="project indexed"))


def warm_up(running: RunningAppliance) -> float:
    """Create one project and wait until it is indexed (the model is loaded then)."""
    client = TimedClient(running.port)
    started_at = time.perf_counter()
    created = create_project(client, {"name": "Aufwärmen", "description": "Erster Auftrag"})
    done = wait_indexed(client, created["id"])
    client.close()
    return done - started_at


def project_stats(client: TimedClient) -> dict[str, Any]:
    stats: dict[str, Any] = client.get(f"{PROJECTS}stats").body
    return stats


def document_count(client: TimedClient, status: str, file_type: str | None = None) -> int:
    query = f"{DOCUMENTS}?status={status}&limit=1" + (f"&type={file_type}" if file_type else "")
    return int(client.get(query).body["count"])


def process_tree(pid: int) -> list[psutil.Process]:
    """The process and all its descendants that are alive now."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def launcher_pid(running: RunningAppliance) -> int:
    assert running.process is not None
    return running.process.pid
