"""The projects API in-process, on real SQLite files and a real vector store.

No worker runs, so the embedding tasks a change queues stay PENDING in the ledger, where
the tests read them. Tests that need vectors index their projects in this process with
the real bundled model, which the module loads once and every test's runtime share.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from appliance.bootstrap import start_runtime
from appliance.config import Settings
from appliance.embedding import SentenceTransformerEmbedder
from appliance.projects.indexing import index_projects
from appliance.projects.lifecycle import mark_failed
from appliance.runtime import Runtime
from tests.support import api_client

URL = "/api/v1/projects/"

BAD = {
    "name": "Badsanierung Familie Köhler",
    "description": "Altes Bad entkernen, bodengleiche Dusche mit Ablaufrinne, Wand-WC mit "
    "Vorwandinstallation, großformatige Fliesen 60x120 an Wand und Boden.",
    "customer": "Familie Köhler",
    "trade": "Sanitär",
    "address": "Lindenstraße 12",
    "city": "Augsburg",
    "phase": "beauftragt",
    "estimated_cost": 18500.0,
    "start_date": "2024-03-04",
    "end_date": "2024-03-22",
}
BAD_ZWEI = {
    "name": "Bad im Obergeschoss modernisieren",
    "description": "Badewanne raus, ebenerdige Dusche rein, neue Fliesen, Waschtisch mit "
    "Unterschrank und Heizkörper für Handtücher.",
    "customer": "Herr Yilmaz",
    "trade": "Sanitär",
    "city": "Friedberg",
    "phase": "abgeschlossen",
    "estimated_cost": 12900.0,
}
GAESTE_WC = {
    "name": "Gäste-WC fliesen",
    "description": "Gäste-WC neu fliesen, Spülkasten tauschen, kleines Handwaschbecken.",
    "customer": "Praxis Dr. Lang",
    "trade": "Fliesen",
    "city": "Augsburg",
    "phase": "angeboten",
}
DACH = {
    "name": "Dachsanierung Mehrfamilienhaus",
    "description": "Eindeckung mit Tondachziegeln erneuern, Aufsparrendämmung, Dachrinnen "
    "aus Titanzink und zwei Dachfenster einbauen.",
    "customer": "Hausverwaltung Berger GmbH",
    "trade": "Dach",
    "city": "Ulm",
    "phase": "angeboten",
    "estimated_cost": 64200.0,
}
ELEKTRO = {
    "name": "Elektroinstallation Neubau",
    "description": "Zählerschrank, Unterverteilung, KNX-Steuerung und eine Wallbox in der "
    "Garage für ein Einfamilienhaus.",
    "customer": "Schreiner Bau GmbH",
    "trade": "Elektro",
    "city": "Augsburg",
    "phase": "angefragt",
}
ALL = [BAD, BAD_ZWEI, GAESTE_WC, DACH, ELEKTRO]


@pytest.fixture(scope="module")
def embedder() -> SentenceTransformerEmbedder:
    """The bundled model, loaded on first use and then shared by the whole module."""
    return SentenceTransformerEmbedder()


@pytest.fixture
def app_runtime(tmp_path: Path, embedder: SentenceTransformerEmbedder) -> Iterator[Runtime]:
    """Fresh databases plus the vector store, as the launcher's own process has them."""
    built = start_runtime(Settings(data_dir=tmp_path / "data"), own_vectors=True)
    built.embedder = embedder  # its own would load the model again, for seconds
    yield built
    built.close()


@pytest.fixture
def client(app_runtime: Runtime) -> TestClient:
    return api_client(app_runtime)


def create(client: TestClient, fields: dict[str, Any]) -> dict[str, Any]:
    response = client.post(URL, json=fields)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def create_all(client: TestClient, bodies: list[dict[str, Any]]) -> list[str]:
    return [create(client, body)["id"] for body in bodies]


def indexed(runtime: Runtime, client: TestClient, bodies: list[dict[str, Any]]) -> list[str]:
    """Create the projects and embed them for real, as the embedding worker would."""
    ids = create_all(client, bodies)
    assert index_projects(runtime, ids).indexed == ids
    return ids


def queued(runtime: Runtime, task_id: str) -> tuple[str, str, list[Any]]:
    """Name, state and positional arguments of a task in the ledger."""
    row = runtime.ledger.get(task_id)
    assert row is not None, f"no ledger row for task {task_id}"
    return row.name, row.state, json.loads(row.args_json)


def tasks_named(runtime: Runtime, name: str) -> int:
    return runtime.history.recent(name=name)[1]


def listed(client: TestClient, **params: Any) -> list[str]:
    """Names of the projects the list returns for `params`."""
    response = client.get(URL, params=params)
    assert response.status_code == 200, response.text
    return [p["name"] for p in response.json()["data"]]


# -- create ------------------------------------------------------------------------------


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
        ({"name": "Dachrinne", "final_cost": "99.99"}, ["body", "final_cost"]),
    ],
    ids=["missing-name", "blank-name", "negative-cost", "unknown-phase", "amount-as-text"],
)
def test_invalid_project_is_422_at_the_field(
    client: TestClient, fields: dict[str, Any], location: list[str]
) -> None:
    response = client.post(URL, json=fields)
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [location]


def test_amounts_are_kept_in_cents(client: TestClient) -> None:
    body = create(client, {"name": "Rinne", "estimated_cost": 99.999, "final_cost": 12})
    assert (body["estimated_cost"], body["final_cost"]) == (100.0, 12.0)


def test_end_date_before_start_date_is_422(client: TestClient) -> None:
    fields = {"name": "Fassade streichen", "start_date": "2024-06-10", "end_date": "2024-06-01"}
    response = client.post(URL, json=fields)
    assert response.status_code == 422
    assert "end_date must not be before start_date" in response.json()["detail"][0]["msg"]


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
    assert response.json()["detail"] == "No project with id 'gibt-es-nicht'."


# -- list --------------------------------------------------------------------------------


def test_list_pages_with_the_total_count(client: TestClient) -> None:
    ids = create_all(client, ALL)
    pages = [client.get(URL, params={"limit": 2, "offset": n}).json() for n in (0, 2, 4)]
    assert [page["count"] for page in pages] == [5, 5, 5]
    assert [len(page["data"]) for page in pages] == [2, 2, 1]
    # Newest first by default; the pages neither overlap nor leave a project out.
    assert [p["id"] for page in pages for p in page["data"]] == ids[::-1]


def test_list_filters_by_trade_ignoring_case(client: TestClient) -> None:
    create_all(client, ALL)
    assert listed(client, trade="SANITÄR", sort="name") == [
        "Bad im Obergeschoss modernisieren",
        "Badsanierung Familie Köhler",
    ]
    assert listed(client, trade="elektro") == ["Elektroinstallation Neubau"]


def test_list_filters_by_phase(client: TestClient) -> None:
    create_all(client, ALL)
    assert listed(client, phase="angeboten", sort="name") == [
        "Dachsanierung Mehrfamilienhaus",
        "Gäste-WC fliesen",
    ]


def test_list_filters_by_city(client: TestClient) -> None:
    create_all(client, ALL)
    assert listed(client, city="augsburg", sort="name") == [
        "Badsanierung Familie Köhler",
        "Elektroinstallation Neubau",
        "Gäste-WC fliesen",
    ]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("dachsanierung", "Dachsanierung Mehrfamilienhaus"),  # in the name
        ("Wallbox", "Elektroinstallation Neubau"),  # in the description
        ("berger", "Dachsanierung Mehrfamilienhaus"),  # in the customer
    ],
)
def test_list_finds_text_in_name_description_or_customer(
    client: TestClient, text: str, name: str
) -> None:
    create_all(client, ALL)
    assert listed(client, q=text) == [name]


def test_list_text_search_treats_wildcards_literally(client: TestClient) -> None:
    discount = create(client, {"name": "Rabatt 10% auf Fliesen", "customer": "Maier_Bau"})
    create(client, {"name": "Fassade", "customer": "Lehmann"})
    assert listed(client, q="%") == [discount["name"]]
    assert listed(client, q="_") == [discount["name"]]
    assert listed(client, q="FLIESEN") == [discount["name"]]


def test_list_filters_by_embedding_status(client: TestClient, app_runtime: Runtime) -> None:
    elektro = create(client, ELEKTRO)
    create(client, DACH)
    mark_failed(app_runtime.db, elektro["id"], elektro["task_id"], "model folder unreadable")
    assert listed(client, status="failed") == ["Elektroinstallation Neubau"]
    assert listed(client, status="pending") == ["Dachsanierung Mehrfamilienhaus"]
    assert listed(client, status="indexed") == []


def test_list_sorts_by_name_both_ways(client: TestClient) -> None:
    create_all(client, [DACH, BAD, ELEKTRO])
    names = ["Badsanierung Familie Köhler", "Dachsanierung Mehrfamilienhaus"]
    names.append("Elektroinstallation Neubau")
    assert listed(client, sort="name") == names
    assert listed(client, sort="-name") == names[::-1]


def test_list_by_an_unknown_sort_field_is_422_naming_the_allowed(client: TestClient) -> None:
    response = client.get(URL, params={"sort": "-preis"})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["query", "sort"]
    # The allowed fields are in the message (the schema's pattern lists them).
    assert error["input"] == "-preis" and "estimated_cost" in error["msg"]


# -- patch and put -----------------------------------------------------------------------


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
def test_patch_that_makes_the_project_invalid_is_422(
    app_runtime: Runtime, changes: dict[str, Any]
) -> None:
    client = api_client(app_runtime, raise_server_exceptions=False)
    project_id = create(client, BAD)["id"]
    assert client.patch(f"{URL}{project_id}", json=changes).status_code == 422


# -- delete ------------------------------------------------------------------------------


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


def test_similar_before_indexing_is_409_naming_the_status(client: TestClient) -> None:
    project_id = create(client, BAD)["id"]
    response = client.get(f"{URL}{project_id}/similar")
    assert response.status_code == 409
    body = response.json()
    assert body["status"] == "pending"
    assert "status pending" in body["detail"]


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


@pytest.mark.parametrize(
    ("field", "stored", "asked"),
    [
        ("city", "Gießen", "Gießen"),
        ("city", "Überlingen", "überlingen"),
        ("trade", "Straßenbau", "Straßenbau"),
        ("trade", "Ölfeuerung", "ölfeuerung"),
    ],
)
def test_list_filter_matches_german_letters(
    client: TestClient, field: str, stored: str, asked: str
) -> None:
    create(client, {**DACH, field: stored})
    assert client.get(URL, params={field: asked}).json()["count"] == 1
