"""The data folder of version 0.1.0 (tests/fixtures/upgrade), opened by this version.

Started on a copy, the appliance backs the old data up, upgrades the database, sets
the old queue file aside, and then answers as 0.1.0 did (expected.json): every project
and document, every file byte for byte, the searches, similar jobs and the task history.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from appliance.backups.archive import verify
from appliance.documents.models import DocumentChunk
from tests.fixtures.upgrade.make_fixture import unpack_data
from tests.support import RunningAppliance, document_settled, wait_for

pytestmark = pytest.mark.e2e

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "upgrade" / "0.1.0"
EXPECTED: dict[str, Any] = json.loads((FIXTURE / "expected.json").read_text("utf-8"))
PROJECT_FIELDS = (
    "name",
    "description",
    "customer",
    "trade",
    "address",
    "city",
    "phase",
    "estimated_cost",
    "final_cost",
    "start_date",
    "end_date",
    "created_at",
    "status",
)
DOCUMENT_FIELDS = (
    "original_name",
    "file_type",
    "size_bytes",
    "sha256",
    "project_id",
    "status",
    "page_count",
    "error_code",
    "created_at",
)


@pytest.fixture(scope="module")
def upgraded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningAppliance]:
    data = tmp_path_factory.mktemp("upgrade") / "data"
    unpack_data(FIXTURE, data)
    running = RunningAppliance(data, env=EXPECTED["open_with_env"]).start()
    yield running
    running.close()


def test_the_old_data_is_backed_up_before_the_upgrade(upgraded: RunningAppliance) -> None:
    [archive] = (upgraded.data_dir / "backups").glob("*-before-upgrade-0001_baseline.zip")
    manifest = verify(archive)
    assert manifest["schema_revision"] is None  # 0.1.0 recorded none
    rows = EXPECTED["table_rows"]
    assert manifest["counts"] == {
        table: rows[table] for table in ("projects", "documents", "project_vectors", "task_ledger")
    }
    assert "Backing it up" in upgraded.log_text()
    # The old queue held pickled messages, which this version never reads: set aside.
    assert len(list(upgraded.data_dir.glob("queue.unreadable-*.db"))) == 1


def test_every_project_is_there_as_0_1_0_left_it(upgraded: RunningAppliance) -> None:
    answer = upgraded.client.get("/api/v1/projects/", params={"limit": 100}).json()
    found = {project["id"]: project for project in answer["data"]}
    expected = {project["id"]: project for project in EXPECTED["projects"]}
    assert set(found) == set(expected)
    for project_id, project in expected.items():
        assert {k: found[project_id][k] for k in PROJECT_FIELDS} == {
            k: project[k] for k in PROJECT_FIELDS
        }
    gone = EXPECTED["deleted_projects"][0]["id"]
    assert upgraded.client.get(f"/api/v1/projects/{gone}").status_code == 404


def test_every_document_and_file_is_there(upgraded: RunningAppliance) -> None:
    for document in EXPECTED["documents"]:
        answer = upgraded.client.get(f"/api/v1/documents/{document['id']}")
        assert answer.status_code == 200, document["original_name"]
        body = answer.json()
        assert {k: body[k] for k in DOCUMENT_FIELDS} == {
            k: document["api"][k] for k in DOCUMENT_FIELDS
        }
        assert body["searchable_text"] == document["api"]["searchable_text"]
        content = upgraded.client.get(f"/api/v1/documents/{document['id']}/download").content
        assert hashlib.sha256(content).hexdigest() == document["sha256"]


def test_document_search_finds_what_it_found(upgraded: RunningAppliance) -> None:
    # 0.1.0 searched the full text alone; `mode: fulltext` still does.
    for search in EXPECTED["document_search"]:
        params = {"q": search["q"], "mode": "fulltext"}
        answer = upgraded.client.get("/api/v1/documents/search", params=params)
        assert [hit["id"] for hit in answer.json()["data"]] == search["ids"], search["q"]


def test_papers_read_by_0_1_0_are_embedded_after_the_upgrade(upgraded: RunningAppliance) -> None:
    read = [d for d in EXPECTED["documents"] if d["api"]["searchable_text"]]
    assert read

    def all_embedded() -> bool:
        states = [upgraded.client.get(f"/api/v1/documents/{d['id']}").json() for d in read]
        return all(document_settled(state) for state in states)

    wait_for(all_embedded, timeout=180, interval=0.2, what="the old papers embedded")
    with upgraded.runtime.db.session() as session:
        embedded = set(session.exec(select(DocumentChunk.document_id).distinct()))
    assert {d["id"] for d in read} <= embedded


def test_meaning_search_and_similar_jobs_answer_as_before(upgraded: RunningAppliance) -> None:
    # 0.1.0 searched by meaning alone; so does `mode: meaning` (the default adds words).
    for search in EXPECTED["semantic_search"]:
        answer = upgraded.client.post(
            "/api/v1/projects/search", json={**search["request"], "mode": "meaning"}, timeout=120
        ).json()["data"]
        assert [hit["id"] for hit in answer] == search["ids"]
        assert [hit["score"] for hit in answer] == pytest.approx(search["scores"], abs=1e-3)
    similar = EXPECTED["similar"]
    answer = upgraded.client.get(
        f"/api/v1/projects/{similar['project_id']}/similar",
        params={"limit": similar["limit"], "mode": "meaning"},
    ).json()["data"]
    assert [hit["id"] for hit in answer] == similar["ids"]


def test_the_task_history_is_kept(upgraded: RunningAppliance) -> None:
    for row in EXPECTED["tasks"]["rows"]:
        task = upgraded.client.get(f"/api/v1/tasks/task/{row['id']}").json()
        assert (task["task_name"], task["status"], task["attempts"]) == (
            row["name"],
            row["state"],
            row["attempts"],
        )
    ping = EXPECTED["diagnostics"]["ping"]
    assert (
        upgraded.client.get(f"/api/v1/tasks/task/{ping['task_id']}").json()["result"]
        == (ping["result"])
    )
    # The vectors were read from the old store: no project had to be embedded again.
    counts = EXPECTED["tasks"]["counts"]
    for name in ("tasks.generate_project_embedding", "tasks.regenerate_project_embedding"):
        answer = upgraded.client.get("/api/v1/tasks/tasks", params={"name": name, "limit": 1})
        assert answer.json()["total_count"] == sum(counts.get(name, {}).values()), name
