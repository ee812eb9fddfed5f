"""Projects end to end: real model, real embedding worker, real Qdrant Edge in the launcher."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from appliance.projects.models import Project
from tests.support import RunningAppliance, wait_for

pytestmark = pytest.mark.e2e

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "projects.json"
BATHROOM_QUERY = "Bad sanieren, bodengleiche Dusche"


def wait_indexed(appliance: RunningAppliance, project_id: str, timeout: float = 120) -> Any:
    def indexed() -> Any:
        body = appliance.client.get(f"/api/v1/projects/{project_id}").json()
        assert body["status"] != "failed", body
        return body if body["status"] == "indexed" else None

    return wait_for(indexed, timeout=timeout, interval=0.1, what=f"project {project_id} indexed")


def search(appliance: RunningAppliance, query: str, **filters: Any) -> list[dict[str, Any]]:
    response = appliance.client.post(
        "/api/v1/projects/search", json={"query": query, **filters}, timeout=120
    )
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


@pytest.fixture(scope="module")
def catalogue(appliance: RunningAppliance) -> Iterator[dict[str, dict[str, Any]]]:
    """The 33 German fixture projects, created through the API and indexed."""
    kinds = {}
    for entry in json.loads(FIXTURE.read_text("utf-8")):
        kind = entry.pop("kind")
        response = appliance.client.post("/api/v1/projects/", json=entry)
        assert response.status_code == 201, response.text
        body = response.json()
        kinds[body["id"]] = {**body, "kind": kind}
    for project_id in kinds:
        wait_indexed(appliance, project_id)
    yield kinds


def test_create_answers_pending_and_the_task_indexes_it(appliance: RunningAppliance) -> None:
    response = appliance.client.post(
        "/api/v1/projects/",
        json={"name": "Zaun streichen", "trade": "Maler", "description": "Holzzaun lasiert"},
    )
    assert response.status_code == 201
    created = response.json()
    assert created["status"] == "pending" and created["task_id"]
    indexed = wait_indexed(appliance, created["id"])
    assert indexed["indexed_at"] is not None
    result = appliance.client.get(f"/api/v1/tasks/task/{created['task_id']}/result").json()
    assert result["status"] == "SUCCESS"
    assert result["result"]["status"] == "success"
    assert result["result"]["project_id"] == created["id"]
    assert result["result"]["duration_ms"] > 0
    appliance.client.delete(f"/api/v1/projects/{created['id']}")


def test_bathroom_query_ranks_bathroom_jobs_above_roofing(
    appliance: RunningAppliance, catalogue: dict[str, dict[str, Any]]
) -> None:
    results = [r for r in search(appliance, BATHROOM_QUERY, limit=100) if r["id"] in catalogue]
    kinds = [catalogue[r["id"]]["kind"] for r in results]
    assert kinds[:5] == ["bad"] * 5
    bathroom_ranks = [i for i, kind in enumerate(kinds) if kind == "bad"]
    roofing_ranks = [i for i, kind in enumerate(kinds) if kind == "dach"]
    assert len(bathroom_ranks) == 8 and len(roofing_ranks) == 7
    assert min(roofing_ranks) > sorted(bathroom_ranks)[4]
    assert sum(bathroom_ranks) / 8 < sum(roofing_ranks) / 7
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True)
    # Responses carry the project fields, not only ids.
    assert {"name", "trade", "description", "city", "phase", "score"} <= results[0].keys()


def test_similar_excludes_itself_and_finds_the_same_kind_of_job(
    appliance: RunningAppliance, catalogue: dict[str, dict[str, Any]]
) -> None:
    source = next(p for p in catalogue.values() if p["name"] == "Badsanierung Familie Schneider")
    response = appliance.client.get(f"/api/v1/projects/{source['id']}/similar", params={"limit": 5})
    assert response.status_code == 200
    data = response.json()["data"]
    assert len(data) == 5
    assert source["id"] not in [r["id"] for r in data]
    assert catalogue[data[0]["id"]]["kind"] == "bad"
    assert sum(catalogue[r["id"]]["kind"] == "bad" for r in data if r["id"] in catalogue) >= 4
    scores = [r["score"] for r in data]
    assert scores == sorted(scores, reverse=True) and all(-1 <= s <= 1 for s in scores)


def test_filters_narrow_search_and_similar(
    appliance: RunningAppliance, catalogue: dict[str, dict[str, Any]]
) -> None:
    roofing = search(appliance, BATHROOM_QUERY, trade="Dach", limit=50)
    assert roofing and all(r["trade"] == "Dach" for r in roofing)
    asked = search(appliance, BATHROOM_QUERY, phase="angefragt", limit=50)
    assert asked and all(r["phase"] == "angefragt" for r in asked)
    in_bonn = search(appliance, "Heizung", city="Bonn", limit=50)
    assert in_bonn and all(r["city"] == "Bonn" for r in in_bonn)
    source = next(iter(catalogue))
    similar = appliance.client.get(
        f"/api/v1/projects/{source}/similar", params={"trade": "Elektro", "limit": 50}
    ).json()["data"]
    assert similar and all(r["trade"] == "Elektro" for r in similar)
    strict = appliance.client.get(
        f"/api/v1/projects/{source}/similar", params={"min_score": 0.99}
    ).json()["data"]
    assert all(r["score"] >= 0.99 for r in strict)


def test_update_re_embeds_only_when_the_text_changes(appliance: RunningAppliance) -> None:
    created = appliance.client.post(
        "/api/v1/projects/",
        json={"name": "Carport bauen", "trade": "Tischler", "description": "Carport aus Lärche"},
    ).json()
    wait_indexed(appliance, created["id"])
    untouched = appliance.client.patch(
        f"/api/v1/projects/{created['id']}", json={"phase": "beauftragt", "customer": "Wolf"}
    ).json()
    assert untouched["task_id"] is None and untouched["status"] == "indexed"

    changed = appliance.client.patch(
        f"/api/v1/projects/{created['id']}",
        json={"description": "Photovoltaik auf dem Carportdach montiert und angeschlossen"},
    ).json()
    assert changed["task_id"] and changed["status"] == "pending"
    row = appliance.wait_state(changed["task_id"], {"SUCCESS"}, timeout=120)
    assert row.name == "tasks.regenerate_project_embedding"
    wait_indexed(appliance, created["id"])
    top = search(appliance, "Photovoltaik Carportdach montiert", limit=1)
    assert top[0]["id"] == created["id"]
    appliance.client.delete(f"/api/v1/projects/{created['id']}")


def test_delete_removes_the_project_from_every_search(
    appliance: RunningAppliance, catalogue: dict[str, dict[str, Any]]
) -> None:
    text = "Sauna im Keller eingebaut mit Holzverkleidung aus Zirbe"
    created = appliance.client.post(
        "/api/v1/projects/", json={"name": "Kellersauna", "trade": "Tischler", "description": text}
    ).json()
    wait_indexed(appliance, created["id"])
    assert search(appliance, text, limit=1)[0]["id"] == created["id"]
    deleted = appliance.client.delete(f"/api/v1/projects/{created['id']}")
    assert deleted.status_code == 200
    appliance.wait_state(deleted.json()["task_id"], {"SUCCESS"})
    assert created["id"] not in [r["id"] for r in search(appliance, text, limit=100)]
    for source in list(catalogue)[:3]:
        similar = appliance.client.get(
            f"/api/v1/projects/{source}/similar", params={"limit": 100}
        ).json()["data"]
        assert created["id"] not in [r["id"] for r in similar]
    assert appliance.client.get(f"/api/v1/projects/{created['id']}").status_code == 404
    # Deleting a vector that is already gone is no error.
    again = appliance.enqueue("tasks.delete_project_embedding", created["id"])
    appliance.wait_state(again, {"SUCCESS"})


def test_reindex_from_stored_vectors_gives_the_same_results(
    appliance: RunningAppliance, catalogue: dict[str, dict[str, Any]]
) -> None:
    # By meaning: the stored vectors come back exactly. (The words side is made again from
    # the texts; BM25's IDF counts every point in the store, so its scores depend on which
    # other tests left projects behind.)
    query = {"limit": 20, "mode": "meaning"}
    before = [(r["id"], r["score"]) for r in search(appliance, "Dachrinne undicht", **query)]
    response = appliance.client.post("/api/v1/projects/reindex", json={"from_stored": True})
    assert response.status_code == 200
    assert response.json()["status"] == "rebuilt"
    assert response.json()["points"] >= len(catalogue)
    after = [(r["id"], r["score"]) for r in search(appliance, "Dachrinne undicht", **query)]
    assert [i for i, _ in after] == [i for i, _ in before]
    assert all(abs(a - b) < 1e-4 for (_, a), (_, b) in zip(after, before, strict=True))


def test_batch_reindex_queues_batches_of_ten(
    appliance: RunningAppliance, catalogue: dict[str, dict[str, Any]]
) -> None:
    total = appliance.client.get("/api/v1/projects/", params={"limit": 1}).json()["count"]
    response = appliance.client.post("/api/v1/projects/reindex")
    body = response.json()
    assert body["projects"] == total
    assert body["batches"] == len(body["task_ids"]) == -(-total // 10)
    succeeded = 0
    for task_id in body["task_ids"]:
        row = appliance.wait_state(task_id, {"SUCCESS"}, timeout=120)
        result = json.loads(row.result_json)
        assert result["total"] <= 10 and result["failed"] == 0
        succeeded += result["succeeded"]
    assert succeeded == total
    for project_id in catalogue:
        assert appliance.client.get(f"/api/v1/projects/{project_id}").json()["status"] == (
            "indexed"
        )


def test_reindex_command_goes_through_the_running_appliance(
    appliance: RunningAppliance, catalogue: dict[str, dict[str, Any]]
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "appliance", "reindex", "--from-stored"],
        env=appliance.env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["status"] == "rebuilt" and answer["points"] >= len(catalogue)
    assert search(appliance, BATHROOM_QUERY, limit=1)[0]["id"] in catalogue


def test_projects_queued_together_are_embedded_in_one_batch(appliance: RunningAppliance) -> None:
    # One transaction queues all twelve before the embedding worker sees the first, as an
    # import or a busy morning does; the worker then takes them together.
    now = datetime.now(UTC)
    created = []
    with appliance.runtime.queue.transaction() as tx:
        for n in range(12):
            project = Project(
                name=f"Wartung Heizung {n}",
                trade="Heizung",
                description=f"Jährliche Wartung der Gastherme, Haus Nummer {n}",
                created_at=now,
                updated_at=now,
            )
            tx.session.add(project)
            tx.session.flush()
            project.embedding_task_id = tx.enqueue("tasks.generate_project_embedding", project.id)
            tx.session.add(project)
            created.append((project.id, project.embedding_task_id))

    for project_id, _task_id in created:
        wait_indexed(appliance, project_id)

    results = []
    for project_id, task_id in created:
        response = appliance.client.get(f"/api/v1/tasks/task/{task_id}")
        body = response.json()
        assert body["status"] == "SUCCESS", body
        assert body["result"]["project_id"] == project_id
        results.append(body["result"])
    assert max(r["batch_size"] for r in results) > 1, results
    # Each got its own vector: the first project's nearest neighbours are its siblings.
    similar = appliance.client.get(f"/api/v1/projects/{created[0][0]}/similar?limit=5").json()
    siblings = {project_id for project_id, _task_id in created}
    assert {hit["id"] for hit in similar["data"]} <= siblings, similar


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/<pid>/maps")
def test_the_processes_load_what_they_use_and_not_torch_or_postgresql(
    appliance: RunningAppliance, catalogue: dict[str, dict[str, Any]]
) -> None:
    """ONNX Runtime embeds and torch is never loaded (the shipped program can omit it);
    on SQLite no process loads PostgreSQL's driver (20 MB each, Huey imported it)."""
    assert search(appliance, BATHROOM_QUERY, limit=1)[0]["id"] in catalogue  # server embeds
    workers = appliance.client.get("/api/v1/tasks/workers/stats").json()["workers"]
    assert workers["huey@worker-1"]["queue"] == "embeddings"
    assert appliance.process is not None
    embedding = (workers["huey@worker-1"]["pid"], appliance.process.pid)
    for name, worker in workers.items():
        libraries = Path(f"/proc/{worker['pid']}/maps").read_text()
        assert "libtorch" not in libraries, name
        assert "psycopg" not in libraries, name
    for pid in embedding:
        libraries = Path(f"/proc/{pid}/maps").read_text()
        assert "onnxruntime" in libraries
        assert "libtorch" not in libraries
        assert "psycopg" not in libraries
