"""The app database's schema under Alembic: made, recognised, upgraded, or refused."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, Engine, MetaData, create_engine, inspect, select
from sqlmodel import SQLModel

from appliance.projects.models import Project
from appliance.schema import (
    BASELINE,
    DERIVED_PREFIX,
    NewerDatabaseError,
    alembic_config,
    head_revision,
    is_revisioned,
    open_database,
)

ON_BOTH_DATABASES = True
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "upgrade" / "0.1.0"
EXPECTED = json.loads((FIXTURE / "expected.json").read_text("utf-8"))


def drift(conn: Connection) -> list[Any]:
    """What differs between the database and the tables the code declares."""
    context = MigrationContext.configure(
        conn,
        opts={"include_name": lambda name, kind, _parents: is_revisioned(name, kind)},
    )
    return list(compare_metadata(context, SQLModel.metadata))


def url_of(database_url: str | None, tmp_path: Path) -> str:
    return database_url or f"sqlite:///{tmp_path / 'app.db'}"


def engine_of(url: str) -> Engine:
    """A plain engine on the database, without the appliance's own setup."""
    return create_engine(url.replace("postgresql://", "postgresql+psycopg://"))


def test_a_new_database_gets_every_revision_and_matches_the_code(
    database_url: str | None, tmp_path: Path
) -> None:
    db = open_database(url_of(database_url, tmp_path))
    try:
        with db.read() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == head_revision()
            assert drift(conn) == []
    finally:
        db.dispose()


def test_a_database_from_a_newer_version_is_refused_and_not_touched(
    database_url: str | None, tmp_path: Path
) -> None:
    url = url_of(database_url, tmp_path)
    open_database(url).dispose()
    engine = engine_of(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0099_from_the_future'")
        before = inspect(conn).get_table_names()
    with pytest.raises(NewerDatabaseError, match="newer version of HandwerkML") as refused:
        open_database(url)
    assert refused.value.exit_code == 2
    with engine.connect() as conn:
        revision = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        assert (revision, inspect(conn).get_table_names()) == ("0099_from_the_future", before)
    engine.dispose()


def columns_and_indexes(path: Path) -> dict[str, Any]:
    """A SQLite file's tables as they are declared: columns (type, null, key) and indexes."""
    with closing(sqlite3.connect(path)) as conn:
        tables = [
            name
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if is_revisioned(name, "table") and name != "alembic_version"
        ]
        shape: dict[str, Any] = {}
        for table in sorted(tables):
            columns = conn.execute(f"PRAGMA table_info('{table}')").fetchall()
            indexes = conn.execute(f"PRAGMA index_list('{table}')").fetchall()
            shape[table] = {
                "columns": sorted((c[1], c[2], c[3], c[5]) for c in columns),
                "indexes": sorted(
                    (i[1], i[2], tuple(r[2] for r in conn.execute(f"PRAGMA index_info('{i[1]}')")))
                    for i in indexes
                ),
            }
    return shape


def test_the_baseline_is_the_schema_0_1_0_wrote(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'baseline.db'}")
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), BASELINE)
    engine.dispose()
    shutil.copy(FIXTURE / "data" / "app.db", tmp_path / "old.db")
    assert columns_and_indexes(tmp_path / "baseline.db") == columns_and_indexes(tmp_path / "old.db")


def test_a_0_1_0_database_is_backed_up_then_upgraded_with_every_row(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    shutil.copy(FIXTURE / "data" / "app.db", path)
    calls: list[tuple[str, str]] = []

    def snapshot(found: str, head: str) -> None:
        # Called before any change: the file is still the one 0.1.0 wrote.
        assert hashlib.sha256(path.read_bytes()).digest() == original
        calls.append((found, head))

    original = hashlib.sha256(path.read_bytes()).digest()
    db = open_database(path, before_upgrade=snapshot)
    try:
        with db.read() as conn:
            assert drift(conn) == []
            assert MigrationContext.configure(conn).get_current_revision() == head_revision()
    finally:
        db.dispose()
    assert calls == [(BASELINE, head_revision())]
    with closing(sqlite3.connect(path)) as conn:
        for table in ("projects", "documents", "project_vectors", "task_ledger", "documents_fts"):
            count = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            assert count == EXPECTED["table_rows"][table], table
    # Opened again, it is current: no second backup, no second upgrade.
    open_database(path, before_upgrade=snapshot).dispose()
    assert len(calls) == 1


def test_the_command_refuses_a_newer_database_with_exit_code_2(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    open_database(data / "app.db").dispose()
    with closing(sqlite3.connect(data / "app.db")) as conn, conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    before = hashlib.sha256((data / "app.db").read_bytes()).hexdigest()
    done = subprocess.run(
        [sys.executable, "-m", "appliance", "purge", "--yes", "--data-dir", str(data)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "written by a newer version" in done.stderr
    assert hashlib.sha256((data / "app.db").read_bytes()).hexdigest() == before


# -- 0005_exact_money ---------------------------------------------------------------------

BEFORE_EXACT_MONEY = "0004_search_slots"
COSTS = ("estimated_cost", "final_cost")
# Floats as version 0004 stored them, and the amounts they stood for.
FLOAT_AMOUNTS = [
    (14200.499999999, Decimal("14200.50")),
    (2.35, Decimal("2.35")),
    (0.1 + 0.2, Decimal("0.30")),
    (19240.75, Decimal("19240.75")),
    (1e10, Decimal("10000000000.00")),  # the largest amount 0004 took
    (None, None),
]
WHEN = datetime(2024, 5, 31, 8, 30, tzinfo=UTC)


def fill_0004(conn: Connection) -> None:
    """Projects with float costs, a document of the first project, a stored vector."""
    tables = MetaData()
    tables.reflect(conn)
    projects = tables.tables["projects"]
    for number, (cost, _) in enumerate(FLOAT_AMOUNTS):
        final = FLOAT_AMOUNTS[-1 - number][0]
        conn.execute(
            projects.insert().values(
                id=f"p{number}",
                name=f"Badsanierung Nr. {number}",
                description="Fliesen, Dusche, Hänge-WC",
                phase="ANGEBOTEN",
                estimated_cost=cost,
                final_cost=final,
                start_date=WHEN.date(),
                created_at=WHEN,
                updated_at=WHEN,
                status="INDEXED",
            )
        )
    conn.execute(
        tables.tables["documents"]
        .insert()
        .values(
            id="d0",
            original_name="Angebot.pdf",
            file_type="pdf",
            size_bytes=1234,
            sha256="ab" * 32,
            project_id="p0",
            status="COMPLETED",
            stage="DONE",
            page_current=1,
            page_total=1,
            created_at=WHEN,
            updated_at=WHEN,
            stored_name="d0.pdf",
        )
    )
    conn.execute(
        tables.tables["project_vectors"]
        .insert()
        .values(
            project_id="p0",
            model="m",
            dimension=2,
            text_hash="h",
            vector=b"\x00\x01\xfe\xff",
            updated_at=WHEN,
        )
    )


def every_value(conn: Connection) -> dict[str, list[dict[str, Any]]]:
    """Every row of every revisioned table, without the costs, in primary-key order."""
    tables = MetaData()
    tables.reflect(conn)
    return {
        name: [
            {key: value for key, value in row.items() if key not in COSTS}
            for row in conn.execute(select(table).order_by(*table.primary_key.columns)).mappings()
        ]
        for name, table in sorted(tables.tables.items())
        if is_revisioned(name, "table")
        and not name.startswith(DERIVED_PREFIX)
        and name != "alembic_version"
    }


def costs(conn: Connection) -> list[tuple[Any, Any]]:
    table = Project.__table__  # type: ignore[attr-defined]
    query = select(table.c.estimated_cost, table.c.final_cost).order_by(table.c.id)
    return [tuple(row) for row in conn.execute(query)]


def raw_costs(conn: Connection) -> list[tuple[Any, Any]]:
    return [
        tuple(r)
        for r in conn.exec_driver_sql("SELECT estimated_cost, final_cost FROM projects ORDER BY id")
    ]


def test_an_upgrade_from_0004_makes_float_costs_exact_and_keeps_every_other_value(
    database_url: str | None, tmp_path: Path
) -> None:
    url = url_of(database_url, tmp_path)
    engine = engine_of(url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), BEFORE_EXACT_MONEY)
        fill_0004(conn)
    with engine.connect() as conn:
        before = every_value(conn)
    open_database(url).dispose()
    amounts = [amount for _, amount in FLOAT_AMOUNTS]
    exact = list(zip(amounts, amounts[::-1], strict=True))
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head_revision()
        assert drift(conn) == []
        after = every_value(conn)
        assert costs(conn) == exact
        stored = raw_costs(conn)
    # As stored: NUMERIC on PostgreSQL, whole cents on SQLite; never a float.
    if database_url:
        assert stored == exact
    else:
        assert stored == [(a and int(a * 100), b and int(b * 100)) for a, b in exact]
    assert {type(value) for row in stored for value in row} == {
        Decimal if database_url else int,
        type(None),
    }
    # Later revisions add tables of their own, empty (0006: the Papierkorb).
    assert after == {**before, "trash": []}
    # SQLite's table was not copied: that would have unlinked the document (SET NULL).
    assert after["documents"][0]["project_id"] == "p0"
    engine.dispose()


def test_the_exact_money_revision_can_be_undone_to_floats(
    database_url: str | None, tmp_path: Path
) -> None:
    url = url_of(database_url, tmp_path)
    open_database(url).dispose()
    engine = engine_of(url)
    with engine.begin() as conn:
        table = Project.__table__  # type: ignore[attr-defined]
        conn.execute(
            table.insert().values(
                id="p1",
                name="Dachrinne",
                description="",
                phase="ANGEFRAGT",
                estimated_cost=Decimal("14200.50"),
                created_at=WHEN,
                updated_at=WHEN,
                status="PENDING",
            )
        )
        command.downgrade(alembic_config(conn), BEFORE_EXACT_MONEY)
    with engine.connect() as conn:
        assert raw_costs(conn) == [(14200.5, None)]
        assert MigrationContext.configure(conn).get_current_revision() == BEFORE_EXACT_MONEY
    engine.dispose()
