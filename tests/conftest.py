"""Shared fixtures: one started appliance for the end-to-end tests that can share it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from appliance.bootstrap import start_runtime
from appliance.config import Settings
from appliance.runtime import Runtime
from tests.support import RunningAppliance


@pytest.fixture(scope="session")
def appliance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningAppliance]:
    """The real launcher with 4 real worker processes, shared by the e2e tests."""
    running = RunningAppliance(tmp_path_factory.mktemp("shared") / "data").start()
    yield running
    running.close()


@pytest.fixture
def fresh_appliance(tmp_path: Path) -> Iterator[RunningAppliance]:
    """A launcher of the test's own (not started yet), for tests that stop or kill it."""
    running = RunningAppliance(tmp_path / "data")
    yield running
    running.close()


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    """Real databases on a temporary data directory, without any process running."""
    built = start_runtime(Settings(data_dir=tmp_path / "data", retry_base_delay=1.0))
    yield built
    built.close()
