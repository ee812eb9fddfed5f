"""Fixtures of the API tests: the projects' runtime with the real model and vector store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from appliance.bootstrap import start_runtime
from appliance.config import Settings
from appliance.embedding import Embedder, open_embedder
from appliance.runtime import Runtime
from tests.support import api_client


@pytest.fixture(scope="session")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> Embedder:
    """The bundled model on the default engine, loaded once and shared by every test."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("model"))
    return open_embedder(settings, threads=1, background=False)


@pytest.fixture
def app_runtime(tmp_path: Path, embedder: Embedder, database_url: str | None) -> Iterator[Runtime]:
    """Fresh databases plus the vector store, as the launcher's own process has them."""
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url)
    built = start_runtime(settings, own_vectors=True)
    built.embedder = embedder  # its own would load the model again, for seconds
    yield built
    built.close()


@pytest.fixture
def client(app_runtime: Runtime) -> TestClient:
    return api_client(app_runtime)
