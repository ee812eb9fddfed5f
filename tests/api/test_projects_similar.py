"""Similar jobs and the vector store behind them, with the real model (in-process)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from appliance.runtime import Runtime
from tests.api.projects_support import (
    ALL,
    BAD,
    BAD_ZWEI,
    DACH,
    ELEKTRO,
    URL,
    create,
    indexed,
)


def test_similar_before_indexing_is_409_naming_the_status(client: TestClient) -> None:
    project_id = create(client, BAD)["id"]
    response = client.get(f"{URL}{project_id}/similar")
    assert response.status_code == 409
    body = response.json()
    assert body["status"] == "pending"
    assert body["error_code"] == "similar_not_indexed" and body["status"] == "pending"


def test_indexing_marks_the_projects_indexed(client: TestClient, app_runtime: Runtime) -> None:
    ids = indexed(app_runtime, client, ALL)
    projects = [client.get(f"{URL}{pid}").json() for pid in ids]
    assert {p["status"] for p in projects} == {"indexed"}
    assert all(p["indexed_at"] is not None for p in projects)
    assert client.get(URL, params={"status": "indexed"}).json()["count"] == len(ALL)


def test_similar_returns_the_other_projects_best_first(
    client: TestClient, app_runtime: Runtime
) -> None:
    bad, bad_zwei, *_ = ids = indexed(app_runtime, client, ALL)
    response = client.get(f"{URL}{bad}/similar")
    assert response.status_code == 200
    body = response.json()
    found = [p["id"] for p in body["data"]]
    assert sorted(found) == sorted(set(ids) - {bad})
    assert body["count"] == len(ALL) - 1
    scores = [p["score"] for p in body["data"]]
    assert scores == sorted(scores, reverse=True)
    assert all(-1 <= score <= 1 for score in scores)
    # Two bathrooms are more alike than a bathroom and a roof.
    by_name = {p["name"]: p["score"] for p in body["data"]}
    assert by_name[BAD_ZWEI["name"]] > by_name[DACH["name"]]
    assert found[0] == bad_zwei


def test_similar_with_a_trade_filter_keeps_only_that_trade(
    client: TestClient, app_runtime: Runtime
) -> None:
    [bad, *_] = indexed(app_runtime, client, ALL)
    body = client.get(f"{URL}{bad}/similar", params={"trade": "Sanitär"}).json()
    assert [p["name"] for p in body["data"]] == [BAD_ZWEI["name"]]
    body = client.get(f"{URL}{bad}/similar", params={"trade": "ELEKTRO"}).json()
    assert [p["name"] for p in body["data"]] == [ELEKTRO["name"]]


def test_reindex_from_stored_rebuilds_the_store_without_the_model(
    client: TestClient, app_runtime: Runtime
) -> None:
    [bad, *_] = indexed(app_runtime, client, ALL)
    response = client.post(f"{URL}reindex", json={"from_stored": True})
    assert response.status_code == 200
    assert response.json() == {"status": "rebuilt", "points": len(ALL)}
    assert client.get(f"{URL}{bad}/similar").json()["count"] == len(ALL) - 1


def test_similar_filters_on_the_phase_after_it_changed(
    client: TestClient, app_runtime: Runtime
) -> None:
    [bad, bad_zwei, *_] = indexed(app_runtime, client, ALL)
    assert client.patch(f"{URL}{bad_zwei}", json={"phase": "beauftragt"}).status_code == 200
    now = client.get(f"{URL}{bad}/similar", params={"phase": "beauftragt"}).json()
    assert [p["id"] for p in now["data"]] == [bad_zwei]
    before = client.get(f"{URL}{bad}/similar", params={"phase": "abgeschlossen"}).json()
    assert before["data"] == []


# -- German letters in the list filters --------------------------------------------------
