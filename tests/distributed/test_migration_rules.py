"""The migration's refusals and repairs, on installations built with the runtime directly
(no appliance running; the full journey is in test_migration.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import insert, select, update

from appliance.bootstrap import start_runtime
from appliance.config import Settings
from appliance.db import create_db_engine
from appliance.instance import instance_lock
from appliance.migration import ApplianceRunningError, MigrationError, migrate_installation
from appliance.projects.models import Project
from appliance.schema import open_database

PROJECTS = Project.__table__  # type: ignore[attr-defined]


def installation(data_dir: Path, *names: str) -> Settings:
    """A single-PC app.db with the given project names (written as stored, unchecked)."""
    settings = Settings(data_dir=data_dir)
    runtime = start_runtime(settings)
    now = datetime.now(UTC)
    try:
        with runtime.db.write() as conn:
            for index, name in enumerate(names):
                conn.execute(
                    insert(PROJECTS).values(
                        id=f"00000000-0000-0000-0000-{index:012d}",
                        name=name,
                        description="",
                        created_at=now,
                        updated_at=now,
                    )
                )
    finally:
        runtime.close()
    return settings


def test_a_target_with_rows_is_refused_and_left_alone(pg_url: str, tmp_path: Path) -> None:
    first = installation(tmp_path / "a", "Bad")
    migrate_installation(first, pg_url, say=lambda _line: None)
    second = installation(tmp_path / "b", "Dach", "Keller")
    with pytest.raises(MigrationError, match=r"already holds data \(projects: 1"):
        migrate_installation(second, pg_url, say=lambda _line: None)
    db = open_database(pg_url)
    with db.read() as conn:
        assert conn.execute(select(PROJECTS.c.name)).scalars().all() == ["Bad"]
    db.dispose()


def test_amounts_arrive_exactly_as_numeric(pg_url: str, tmp_path: Path) -> None:
    settings = installation(tmp_path / "a", "Bad", "Dach", "Keller")
    amounts = [Decimal("14200.50"), Decimal("0.10"), Decimal("10000000000.00")]
    source = create_db_engine(settings.app_db_path)
    with source.begin() as conn:
        for index, amount in enumerate(amounts):
            conn.execute(
                update(PROJECTS)
                .where(PROJECTS.c.id == f"00000000-0000-0000-0000-{index:012d}")
                .values(estimated_cost=amount, final_cost=amount)
            )
    source.dispose()
    migrate_installation(settings, pg_url, say=lambda _line: None)
    db = open_database(pg_url)
    with db.read() as conn:
        # Whole cents on SQLite, NUMERIC(13, 2) here: the same amounts.
        moved = conn.exec_driver_sql("SELECT estimated_cost, final_cost FROM projects ORDER BY id")
        assert [tuple(row) for row in moved] == [(amount, amount) for amount in amounts]
    db.dispose()


def test_the_launchers_lock_stops_the_migration(pg_url: str, tmp_path: Path) -> None:
    settings = installation(tmp_path / "a", "Bad")
    lock = instance_lock(settings)
    with lock, pytest.raises(ApplianceRunningError, match="Stop it"):
        migrate_installation(settings, pg_url, say=lambda _line: None)


def test_nul_characters_are_written_escaped_and_counted(pg_url: str, tmp_path: Path) -> None:
    settings = installation(tmp_path / "a", "Bad\x00Keller", "Dach")
    lines: list[str] = []
    report = migrate_installation(settings, pg_url, say=lines.append)
    assert report.values_escaped == 1 and report.rows["projects"] == 2
    assert any("NUL" in line for line in lines)
    db = open_database(pg_url)
    with db.read() as conn:
        names = conn.execute(select(PROJECTS.c.name).order_by(PROJECTS.c.id)).scalars().all()
    db.dispose()
    assert names == ["Bad\\0Keller", "Dach"]


def test_nothing_to_migrate_is_said_plainly(pg_url: str, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(MigrationError, match="no app database"):
        migrate_installation(Settings(data_dir=empty), pg_url)
    with pytest.raises(MigrationError, match="no installation"):
        migrate_installation(Settings(data_dir=tmp_path / "missing"), pg_url)
    with pytest.raises(MigrationError, match="'mysql://' is not supported"):
        migrate_installation(Settings(data_dir=empty), "mysql://x@y/z")
