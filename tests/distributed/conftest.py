"""Fixtures for the distributed set-up: real servers started by the tests themselves."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from appliance.bootstrap import start_runtime
from appliance.config import Settings
from appliance.runtime import Runtime
from tests.distributed.pg_server import PostgresServer, PostgresUnavailableError
from tests.distributed.redis_server import redis_server

__all__ = ["redis_server"]


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A private PostgreSQL cluster for the whole test session."""
    if sys.platform == "win32":
        pytest.skip("the throwaway cluster is set up the Debian way; CI runs these on Linux")
    try:
        server = PostgresServer()
    except PostgresUnavailableError as exc:
        pytest.skip(str(exc))
    try:
        server.start()
    except Exception:
        server.stop()
        raise
    yield server
    server.stop()


@pytest.fixture
def pg_url(postgres: PostgresServer) -> Iterator[str]:
    """A new, empty database of the test's own."""
    url = postgres.create_database()
    yield url
    postgres.drop_database(url)


@pytest.fixture
def runtime(tmp_path: Path, pg_url: str) -> Iterator[Runtime]:
    """Like the top-level fixture of this name, with the app database on PostgreSQL."""
    settings = Settings(data_dir=tmp_path / "data", retry_base_delay=1.0, database_url=pg_url)
    built = start_runtime(settings)
    yield built
    built.close()
