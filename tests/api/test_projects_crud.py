"""The projects API: create, read, change, delete, re-index; what each queues."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from appliance.runtime import Runtime
from tests.api.projects_support import (
    BAD,
    DACH,
    ELEKTRO,
    URL,
    create,
    create_all,
    indexed,
    queued,
    tasks_named,
)
from tests.support import api_client, on_both_databases


@on_both_databases
def test_create_answers_201_pending_and_queues_the_embedding(
    client: TestClient, app_runtime: Runtime
) -> None:
    body = create(client, BAD)
    assert body["status"] == "pending"
    assert body["task_id"] == body["embedding_task_id"]
    assert queued(app_runtime, body["task_id"]) == (
        "tasks.generate_project_embedding",
        "PENDING",
        [body["id"]],
    )


@on_both_databases
def test_create_returns_the_fields_as_sent(client: TestClient) -> None:
    body = create(client, BAD)
    assert {key: body[key] for key in BAD} == BAD
    assert client.get(f"{URL}{body['id']}").json()["estimated_cost"] == 18500.0


def test_create_strips_the_name(client: TestClient) -> None:
    assert create(client, {"name": "  Carport Familie Huber "})["name"] == "Carport Familie Huber"


@pytest.mark.parametrize(
    ("fields", "location"),
    [
        ({"description": "Bad ohne Namen"}, ["body", "name"]),
        ({"name": "   "}, ["body", "name"]),
        ({"name": "Dachrinne", "estimated_cost": -120.0}, ["body", "estimated_cost"]),
        ({"name": "Dachrinne", "phase": "fertig"}, ["body", "phase"]),
        ({"name": "Dachrinne", "final_cost": "99,99"}, ["body", "final_cost"]),
    ],
    ids=["missing-name", "blank-name", "negative-cost", "unknown-phase", "amount-in-german"],
)
def test_invalid_project_is_422_at_the_field(
    client: TestClient, fields: dict[str, Any], location: list[str]
) -> None:
    response = client.post(URL, json=fields)
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [location]


def test_end_date_before_start_date_is_422(client: TestClient) -> None:
    fields = {"name": "Fassade streichen", "start_date": "2024-06-10", "end_date": "2024-06-01"}
    response = client.post(URL, json=fields)
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "date_order"
    assert "Enddatum" in response.json()["detail"][0]["msg"]


def test_end_date_before_start_date_is_located_at_end_date(client: TestClient) -> None:
    fields = {"name": "Fassade streichen", "start_date": "2024-06-10", "end_date": "2024-06-01"}
    response = client.post(URL, json=fields)
    assert response.json()["detail"][0]["loc"] == ["body", "end_date"]


def test_rejected_project_is_not_stored_and_queues_nothing(
    client: TestClient, app_runtime: Runtime
) -> None:
    assert client.post(URL, json={"name": "Dachrinne", "phase": "fertig"}).status_code == 422
    assert client.get(URL).json()["count"] == 0
    assert app_runtime.history.recent()[1] == 0


# -- unknown ids -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("GET", "", None),
        ("PUT", "", {"name": "Badsanierung"}),
        ("PATCH", "", {"phase": "beauftragt"}),
        ("DELETE", "", None),
        ("GET", "/similar", None),
    ],
    ids=["get", "put", "patch", "delete", "similar"],
)
def test_unknown_project_is_404_with_a_readable_detail(
    client: TestClient, method: str, path: str, payload: dict[str, Any] | None
) -> None:
    response = client.request(method, f"{URL}gibt-es-nicht{path}", json=payload)
    assert response.status_code == 404
    assert response.json()["detail"] == "Es gibt kein Projekt mit der Kennung 'gibt-es-nicht'."
    assert response.json()["error_code"] == "project_not_found"


# -- list --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"phase": "abgeschlossen"},
        {"customer": "Familie Köhler-Brandt"},
        {"estimated_cost": 19250.5, "final_cost": 20110.0},
        {"description": BAD["description"]},  # sent, but the same text
    ],
    ids=["phase", "customer", "costs", "same-description"],
)
def test_patch_outside_the_embedded_text_queues_no_task(
    client: TestClient, app_runtime: Runtime, changes: dict[str, Any]
) -> None:
    [project_id] = indexed(app_runtime, client, [BAD])
    before = client.get(f"{URL}{project_id}").json()
    response = client.patch(f"{URL}{project_id}", json=changes)
    assert response.status_code == 200
    body = response.json()
    assert body["task_id"] is None
    assert body["status"] == "indexed"
    assert body["embedding_task_id"] == before["embedding_task_id"]
    assert {key: body[key] for key in changes} == changes
    assert tasks_named(app_runtime, "tasks.regenerate_project_embedding") == 0


@pytest.mark.parametrize(
    "changes",
    [
        {"description": "Bad entkernen, Badewanne statt Dusche, Fliesen im Holzdekor."},
        {"name": "Badsanierung Köhler, zweiter Bauabschnitt"},
        {"trade": "Fliesen"},
    ],
    ids=["description", "name", "trade"],
)
def test_patch_of_the_embedded_text_queues_a_regeneration(
    client: TestClient, app_runtime: Runtime, changes: dict[str, Any]
) -> None:
    [project_id] = indexed(app_runtime, client, [BAD])
    body = client.patch(f"{URL}{project_id}", json=changes).json()
    assert body["status"] == "pending"
    assert body["embedding_task_id"] == body["task_id"]
    assert queued(app_runtime, body["task_id"]) == (
        "tasks.regenerate_project_embedding",
        "PENDING",
        [project_id],
    )


@on_both_databases
def test_put_replaces_every_field_and_defaults_the_ones_left_out(
    client: TestClient, app_runtime: Runtime
) -> None:
    project_id = create(client, BAD)["id"]
    response = client.put(f"{URL}{project_id}", json={"name": "Badsanierung Köhler"})
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Badsanierung Köhler"
    assert body["description"] == ""
    assert body["phase"] == "angefragt"
    for key in ("customer", "trade", "address", "city", "estimated_cost", "start_date"):
        assert body[key] is None, key
    assert client.get(f"{URL}{project_id}").json() == {
        key: value for key, value in body.items() if key != "task_id"
    }
    assert queued(app_runtime, body["task_id"])[0] == "tasks.regenerate_project_embedding"


@pytest.mark.parametrize(
    "changes",
    [{"name": "   "}, {"description": None}, {"phase": None}, {"end_date": "2024-03-01"}],
    ids=["blank-name", "null-description", "null-phase", "end-before-start"],
)
@on_both_databases
def test_patch_that_makes_the_project_invalid_is_422(
    app_runtime: Runtime, changes: dict[str, Any]
) -> None:
    client = api_client(app_runtime, raise_server_exceptions=False)
    project_id = create(client, BAD)["id"]
    assert client.patch(f"{URL}{project_id}", json=changes).status_code == 422


# -- delete ------------------------------------------------------------------------------


@on_both_databases
def test_delete_queues_the_vector_removal_and_the_project_is_gone(
    client: TestClient, app_runtime: Runtime
) -> None:
    project_id = create(client, DACH)["id"]
    response = client.delete(f"{URL}{project_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "deleted"
    assert body["id"] == project_id
    assert queued(app_runtime, body["task_id"]) == (
        "tasks.delete_project_embedding",
        "PENDING",
        [project_id],
    )
    assert client.get(f"{URL}{project_id}").status_code == 404


# -- reindex -----------------------------------------------------------------------------


@on_both_databases
def test_reindex_queues_batches_of_ten(client: TestClient, app_runtime: Runtime) -> None:
    ids = create_all(client, [{**DACH, "name": f"Dachsanierung Nr. {n}"} for n in range(25)])
    response = client.post(f"{URL}reindex", json={})
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["projects"], body["batches"]) == ("queued", 25, 3)
    batches = [queued(app_runtime, task_id) for task_id in body["task_ids"]]
    assert {(name, state) for name, state, _ in batches} == {
        ("tasks.batch_generate_embeddings", "PENDING")
    }
    assert [len(args[0]) for _, _, args in batches] == [10, 10, 5]
    assert [pid for _, _, args in batches for pid in args[0]] == ids


def test_reindex_of_chosen_projects_queues_only_them(
    client: TestClient, app_runtime: Runtime
) -> None:
    bad, _, elektro = create_all(client, [BAD, DACH, ELEKTRO])
    body = client.post(f"{URL}reindex", json={"project_ids": [elektro, bad]}).json()
    assert body["projects"] == 2
    [task_id] = body["task_ids"]
    assert queued(app_runtime, task_id)[2] == [[bad, elektro]]


def test_reindex_of_an_unknown_project_is_404_and_queues_nothing(
    client: TestClient, app_runtime: Runtime
) -> None:
    known = create(client, BAD)["id"]
    response = client.post(f"{URL}reindex", json={"project_ids": [known, "gibt-es-nicht"]})
    assert response.status_code == 404
    assert "gibt-es-nicht" in response.json()["detail"]
    assert tasks_named(app_runtime, "tasks.batch_generate_embeddings") == 0


# -- similar and the real index ----------------------------------------------------------
