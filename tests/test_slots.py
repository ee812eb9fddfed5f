"""Which model serves the search: recorded once, inferred for an older installation, and
a configured model that differs from it is built beside it (slots.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from appliance.db import Database
from appliance.schema import open_database
from appliance.slots import Slot, folder_for, plan_slots, read_serving, record_serving

ON_BOTH_DATABASES = True


@pytest.fixture
def db(tmp_path: Path, database_url: str | None) -> Iterator[Database]:
    opened = open_database(database_url or f"sqlite:///{tmp_path / 'app.db'}")
    yield opened
    opened.dispose()


def store_vector(db: Database, project_id: str, model: str, dimension: int) -> None:
    with db.write() as conn:
        conn.exec_driver_sql(
            "INSERT INTO project_vectors (project_id, model, dimension, text_hash, vector, "
            "updated_at) VALUES (%s, %s, %s, 'h', %s, %s)"
            if db.dialect == "postgresql"
            else "INSERT INTO project_vectors VALUES (?, ?, ?, 'h', ?, ?)",
            (project_id, model, dimension, b"\0" * 4 * dimension, datetime.now(UTC)),
        )


def test_a_new_installation_serves_its_configured_model_from_the_vectors_folder(
    db: Database,
) -> None:
    plan = plan_slots(db, "multilingual", 768)
    assert plan.serving == Slot("multilingual", 768, "") and plan.building is None
    assert read_serving(db) == plan.serving
    assert plan_slots(db, "multilingual", 768) == plan  # the same at every start


def test_an_older_installation_serves_the_model_its_vectors_are_of(db: Database) -> None:
    for number in range(3):
        store_vector(db, f"p{number}", "all-MiniLM-L6-v2", 384)
    store_vector(db, "p9", "an-abandoned-model", 16)
    plan = plan_slots(db, "multilingual", 768)
    assert plan.serving == Slot("all-MiniLM-L6-v2", 384, "")
    assert plan.building == Slot("multilingual", 768, folder_for("multilingual"))
    assert plan.target == plan.building


def test_after_a_switch_the_new_model_serves_from_its_own_folder(db: Database) -> None:
    plan_slots(db, "all-MiniLM-L6-v2", 384)
    building = plan_slots(db, "multilingual", 768).building
    assert building is not None and building.folder.startswith("model-")
    with db.write() as conn:
        record_serving(conn, building)
    plan = plan_slots(db, "multilingual", 768)
    assert plan.serving == building and plan.building is None
    # Back to the old model: it is built anew, in a folder of its own.
    again = plan_slots(db, "all-MiniLM-L6-v2", 384)
    assert again.building == Slot("all-MiniLM-L6-v2", 384, folder_for("all-MiniLM-L6-v2"))
