"""Body limits against the live server: a refused body never reaches the app's memory."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import psutil
import pytest

from tests.support import RunningAppliance

pytestmark = pytest.mark.e2e

MB = 1024 * 1024
BODY = 200 * MB


def chunks(size: int, chunk: int = MB) -> Iterator[bytes]:
    for _ in range(size // chunk):
        yield b" " * chunk


def grows_by(appliance: RunningAppliance, path: str, **headers: str) -> tuple[int | None, int]:
    """POST a 200 MB body; the answer's status (None: connection closed first) and how
    much the launcher's memory grew meanwhile."""
    assert appliance.process is not None
    launcher = psutil.Process(appliance.process.pid)
    before = launcher.memory_info().rss
    try:
        status: int | None = httpx.post(
            f"{appliance.url}{path}",
            content=chunks(BODY),
            headers={"content-type": "application/json", **headers},
            timeout=120,
        ).status_code
    except httpx.TransportError:
        status = None
    return status, launcher.memory_info().rss - before


def test_a_body_past_its_limit_never_fills_the_servers_memory(appliance: RunningAppliance) -> None:
    auth = {"authorization": f"Bearer {appliance.token}"}
    status, grown = grows_by(appliance, "/api/v1/projects/search", **auth)
    assert status in (413, None)
    assert grown < 64 * MB, f"the launcher grew by {grown / MB:.0f} MB for a refused body"
    assert appliance.client.get("/api/v1/tasks/health").status_code == 200


def test_a_stranger_on_the_workers_channel_costs_no_memory(appliance: RunningAppliance) -> None:
    status, grown = grows_by(appliance, "/internal/vectors/upsert", **{"x-appliance-token": "x"})
    assert status in (403, None)
    assert grown < 64 * MB, f"the launcher grew by {grown / MB:.0f} MB before refusing"
