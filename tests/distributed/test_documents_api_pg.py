"""The documents API's tests again, with the app database on PostgreSQL.

Same functions as tests/test_documents_api.py, among them the duplicate upload whose
unique-key conflict PostgreSQL reports differently from SQLite.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from appliance.bootstrap import start_runtime
from appliance.config import Settings
from appliance.runtime import Runtime
from tests.test_documents_api import *  # noqa: F403


@pytest.fixture
def app_runtime(tmp_path: Path, pg_url: str) -> Iterator[Runtime]:
    settings = Settings(data_dir=tmp_path / "data", max_upload_mb=1, database_url=pg_url)
    built = start_runtime(settings)
    assert built.db.dialect == "postgresql"
    yield built
    built.close()
