"""Shared fixtures: databases (SQLite, or PostgreSQL where a test asks for both), one
started appliance for the end-to-end tests that can share it, and the test servers."""

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
from tests.support import RunningAppliance

__all__ = ["redis_server"]


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


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A private PostgreSQL cluster for the whole test session (started on first use)."""
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


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A module with `ON_BOTH_DATABASES = True`: each of its tests that uses a database
    runs on SQLite and on a real PostgreSQL server."""
    if getattr(metafunc.module, "ON_BOTH_DATABASES", False) and "database" in metafunc.fixturenames:
        metafunc.parametrize("database", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def database(request: pytest.FixtureRequest) -> str:
    """Which app database a test runs on: 'sqlite' unless it is parametrized (a module's
    ON_BOTH_DATABASES, or `tests.support.on_both_databases` on one test)."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def database_url(database: str, request: pytest.FixtureRequest) -> str | None:
    """The `APPLIANCE_DATABASE_URL` of that database (None: app.db in the data folder)."""
    if database == "postgresql":
        return str(request.getfixturevalue("pg_url"))
    return None


@pytest.fixture
def runtime(tmp_path: Path, database_url: str | None) -> Iterator[Runtime]:
    """Real databases on a temporary data directory, without any process running."""
    settings = Settings(data_dir=tmp_path / "data", retry_base_delay=1.0, database_url=database_url)
    built = start_runtime(settings)
    yield built
    built.close()
