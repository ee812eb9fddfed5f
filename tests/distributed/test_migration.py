"""`appliance migrate` on a real installation: nothing is lost on the way to the servers.

The source is built by the real appliance (launcher, workers, model, Qdrant Edge, SQLite):
projects with embeddings, documents with extracted text (one failed), and the task
history all that left. It is moved to a real PostgreSQL; the vectors go to a Qdrant
collection through qdrant-client (its local mode stands in for the server, which cannot
run here: the calls are the same), the files to a new uploads folder. Then every row,
vector and file is compared, and an appliance started on the migrated data must answer
the API (project list, document search, similar projects) as the original did.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine, select, text

from appliance.config import Settings
from appliance.db import create_db_engine
from appliance.embedding import model_dimension
from appliance.migration import MigrationReport, app_tables, file_sha256, migrate_installation
from appliance.projects.models import Project
from appliance.projects.texts import point_fingerprint
from appliance.search import open_analyzer
from appliance.vectors.client import QdrantClientVectorStore
from tests.distributed.pg_server import PostgresServer
from tests.distributed.test_pg_appliance import (
    DOCUMENTS,
    PROJECTS,
    create,
    search,
    upload,
    wait_done,
    wait_indexed,
)
from tests.fixtures import documents as make
from tests.support import RunningAppliance

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
JOBS = [
    ("Badsanierung Familie Köhler", "Sanitär", "Gießen", "Bodengleiche Dusche, Wand-WC."),
    ("Bad im Obergeschoss", "Sanitär", "Überlingen", "Badewanne raus, Dusche rein."),
    ("Dachsanierung Mehrfamilienhaus", "Dach", "Ulm", "Tondachziegel und Dämmung."),
    ("Wallbox Garage", "Elektro", "Augsburg", "Wallbox für das Elektroauto installiert."),
    ("Heizungstausch", "Heizung", "Augsburg", "Gasheizung gegen Wärmepumpe getauscht."),
]
QUERIES = ["Heizungsanlage", "mueller", "Strasse", "Angebot", "Rechn", "groesse flae"]


def run_cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "appliance", *args, "--data-dir", str(data_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def rows(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every row of every app table, in primary-key order."""
    with engine.connect() as conn:
        return {
            table.name: [
                dict(row)
                for row in conn.execute(
                    select(table).order_by(*table.primary_key.columns)
                ).mappings()
            ]
            for table in app_tables()
        }


def answers(app: RunningAppliance, project_ids: list[str]) -> dict[str, Any]:
    """What the API says about the installation: the comparison's yardstick."""
    listed = app.client.get(PROJECTS, params={"limit": 100, "sort": "name"}).json()
    documents = app.client.get(DOCUMENTS, params={"limit": 100}).json()
    similar = {
        pid: [
            (p["id"], round(p["score"], 4))
            for p in app.client.get(f"{PROJECTS}{pid}/similar").json()["data"]
        ]
        for pid in project_ids
    }
    hits = {}
    for query in QUERIES:
        found = search(app, query)["data"]
        # Scores and snippet cuts are each engine's own; a marked hit is in every snippet.
        assert all(any(part["hit"] for part in h["snippet_parts"]) for h in found), found
        hits[query] = sorted(h["id"] for h in found)
    files = {
        d["id"]: app.client.get(f"{DOCUMENTS}{d['id']}/download").content
        for d in documents["data"]
        if d["status"] == "completed"
    }
    return {
        "projects": listed,
        "documents": documents,
        "similar": similar,
        "hits": hits,
        "files": files,
    }


@pytest.fixture(scope="module")
def installation(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[RunningAppliance, list[str]]]:
    """A running single-PC appliance (SQLite, Qdrant Edge) with real data in it."""
    folder = tmp_path_factory.mktemp("single-pc")
    app = RunningAppliance(folder / "data").start()
    project_ids = []
    for name, trade, city, description in JOBS:
        project_ids.append(
            create(app, name=name, trade=trade, city=city, description=description)["id"]
        )
    uploaded = [
        upload(
            app,
            make.cp1252_txt(
                folder / "Rechnung Müller.txt",
                "Rechnung für Familie Müller: Überprüfung der Heizungsanlage, Größe der "
                "Fläche 12 m².",
            ),
            project_id=project_ids[4],
        ),
        upload(app, make.cp1252_txt(folder / "angebot.txt", "Angebot Dachrinne, Straße zu")),
        upload(app, make.docx_file(folder / "Angebot Bad.docx", ["Angebot Badsanierung"])),
        upload(app, make.truncated_pdf(folder / "kaputt.pdf")),
    ]
    for project_id in project_ids:
        wait_indexed(app, project_id)
    done = [wait_done(app, document["id"])["status"] for document in uploaded]
    assert done == ["completed", "completed", "completed", "failed"]
    yield app, project_ids
    app.close()


@dataclass
class Migrated:
    """The installation moved to PostgreSQL and a local vector store, once per module."""

    source_dir: Path
    target_dir: Path
    target_url: str
    project_ids: list[str]
    before: dict[str, Any]
    report: MigrationReport
    lines: list[str]
    source_rows: dict[str, list[dict[str, Any]]]
    target_rows: dict[str, list[dict[str, Any]]]
    indexed: set[str]
    moved: set[str]


def test_the_command_refuses_while_the_appliance_runs(
    installation: tuple[RunningAppliance, list[str]], postgres: PostgresServer
) -> None:
    source_app, _ids = installation
    # While the appliance runs its data may change: the command refuses.
    running = run_cli(
        "migrate", "--database-url", postgres.url("nowhere"), data_dir=source_app.data_dir
    )
    assert running.returncode == 3, running.stderr
    assert "is running" in running.stderr and "Traceback" not in running.stderr


@pytest.fixture(scope="module")
def migrated(
    installation: tuple[RunningAppliance, list[str]],
    postgres: PostgresServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Migrated:
    source_app, project_ids = installation
    before = answers(source_app, project_ids)
    assert all(before["similar"].values()) and all(before["hits"].values())
    source_app.stop()
    settings = Settings(data_dir=source_app.data_dir)
    target_url = postgres.create_database("migrated")
    target_dir = tmp_path_factory.mktemp("server") / "server-data"
    store = QdrantClientVectorStore.local(target_dir / "vectors" / "local", model_dimension(None))
    lines: list[str] = []
    try:
        report = migrate_installation(
            settings,
            target_url,
            vector_store=store,
            uploads_dir=target_dir / "uploads",
            say=lines.append,
            batch_size=7,  # several batches even for these few rows
        )
    finally:
        store.close()
    source_engine = create_db_engine(settings.app_db_path)
    target_engine = create_db_engine(Settings(database_url=target_url).app_database_url)
    try:
        source_rows, target_rows = rows(source_engine), rows(target_engine)
        with source_engine.connect() as conn:
            indexed = {r[0] for r in conn.execute(text("SELECT document_id FROM documents_fts"))}
        with target_engine.connect() as conn:
            moved = {r[0] for r in conn.execute(text("SELECT document_id FROM documents_fts"))}
    finally:
        source_engine.dispose()
        target_engine.dispose()
    return Migrated(
        source_app.data_dir,
        target_dir,
        target_url,
        project_ids,
        before,
        report,
        lines,
        source_rows,
        target_rows,
        indexed,
        moved,
    )


def test_every_row_of_every_table_arrives_value_for_value(migrated: Migrated) -> None:
    source_rows = migrated.source_rows
    assert migrated.target_rows == source_rows
    assert migrated.report.rows == {name: len(found) for name, found in source_rows.items()}
    assert len(source_rows["projects"]) == 5 and len(source_rows["documents"]) == 4
    assert len(source_rows["project_vectors"]) == 5 and len(source_rows["task_ledger"]) >= 9
    assert migrated.moved == migrated.indexed and len(migrated.indexed) == 3
    assert migrated.report.search_entries == 3
    assert any(line.strip().startswith("task_ledger") for line in migrated.lines)


def test_every_vector_arrives_under_its_project_with_a_current_fingerprint(
    migrated: Migrated,
) -> None:
    dimension = model_dimension(None)
    store = QdrantClientVectorStore.local(migrated.target_dir / "vectors" / "local", dimension)
    try:
        projects = {
            row["id"]: Project.model_validate(row) for row in migrated.source_rows["projects"]
        }
        analyzer = open_analyzer(migrated.target_dir)
        assert store.fingerprints() == {
            pid: point_fingerprint(project, analyzer) for pid, project in projects.items()
        }
        for stored in migrated.source_rows["project_vectors"]:
            vector = np.frombuffer(stored["vector"], dtype=np.float32).tolist()
            best = store.search(vector, limit=1)[0]
            assert best.id == stored["project_id"] and best.score == pytest.approx(1.0, abs=1e-5)
    finally:
        store.close()
    assert migrated.report.vectors_written == 5 and migrated.report.vectors_stale == 0


def test_every_file_arrives_byte_for_byte(migrated: Migrated) -> None:
    for document in migrated.source_rows["documents"]:
        copied = migrated.target_dir / "uploads" / document["stored_name"]
        assert file_sha256(copied) == document["sha256"]
    assert migrated.report.files_copied == 4 and not migrated.report.files_missing


def test_the_migrated_installation_answers_as_the_original_did(migrated: Migrated) -> None:
    target_app = RunningAppliance(
        migrated.target_dir,
        env={"APPLIANCE_DATABASE_URL": migrated.target_url, "APPLIANCE_VECTOR_ENGINE": "local"},
    ).start()
    try:
        after = answers(target_app, migrated.project_ids)
        stats = target_app.client.get(f"{PROJECTS}stats").json()
    finally:
        target_app.close()
    for part in ("projects", "documents", "similar", "hits", "files"):
        assert after[part] == migrated.before[part], part
    # Nothing needed embedding again: the vectors arrived with the migration.
    assert stats["indexed"] == 5 and stats["vectors"] == 5


def test_a_target_that_holds_data_is_refused_and_the_command_prints_its_counts(
    migrated: Migrated, postgres: PostgresServer, tmp_path: Path
) -> None:
    again = run_cli("migrate", "--database-url", migrated.target_url, data_dir=migrated.source_dir)
    assert again.returncode == 1 and "already holds data" in again.stderr
    fresh = postgres.create_database("cli")
    done = run_cli(
        "migrate",
        "--database-url",
        fresh,
        "--uploads-dir",
        str(tmp_path / "cli-uploads"),
        data_dir=migrated.source_dir,
    )
    assert done.returncode == 0, done.stderr
    for name, found in migrated.source_rows.items():
        assert f"{name} " in done.stdout and f" {len(found)} rows" in done.stdout
    assert "4 copied" in done.stdout
