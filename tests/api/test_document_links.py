"""Linking documents to projects after upload (PATCH /api/v1/documents/{id}), and what a
project's deletion does to its documents' links."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from appliance.documents.lifecycle import complete
from appliance.documents.meaning import embed_next_chunks
from appliance.runtime import Runtime
from tests.api.projects_support import BAD, DACH

# Each test with a database runs on SQLite and on a real PostgreSQL server (conftest.py).
ON_BOTH_DATABASES = True

DOCS = "/api/v1/documents/"
PROJECTS = "/api/v1/projects/"
HEIZUNG = (
    "Rechnung Nr. 2024-117: Wartung der Gasheizung, Brenner gereinigt, Abgaswerte gemessen, "
    "Ausdehnungsgefäß geprüft und Heizkörper entlüftet."
)


def upload(client: TestClient, name: str, text: str, **fields: str) -> dict[str, Any]:
    response = client.post(f"{DOCS}upload", files={"file": (name, text.encode())}, data=fields)
    assert response.status_code == 201, response.text
    return dict(response.json())


def project(client: TestClient, fields: dict[str, Any]) -> str:
    response = client.post(PROJECTS, json=fields)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def link(client: TestClient, document_id: str, body: Any, **kwargs: Any) -> httpx.Response:
    return client.patch(f"{DOCS}{document_id}", json=body, **kwargs)


def listed(client: TestClient, project_id: str) -> list[str]:
    page = client.get(DOCS, params={"project_id": project_id}).json()
    return [row["id"] for row in page["data"]]


def test_a_document_is_linked_relinked_and_unlinked(client: TestClient) -> None:
    bad, dach = project(client, BAD), project(client, DACH)
    document = upload(client, "rechnung.txt", HEIZUNG)

    linked = link(client, document["id"], {"project_id": bad})
    assert linked.status_code == 200, linked.text
    body = linked.json()
    # The answer is the document as lists show it: without its text.
    assert body["id"] == document["id"] and body["project_id"] == bad
    assert "searchable_text" not in body
    assert listed(client, bad) == [document["id"]]

    relinked = link(client, document["id"], {"project_id": dach}).json()
    assert relinked["project_id"] == dach
    assert listed(client, bad) == [] and listed(client, dach) == [document["id"]]

    unlinked = link(client, document["id"], {"project_id": None}).json()
    assert unlinked["project_id"] is None
    assert client.get(f"{DOCS}{document['id']}").json()["project_id"] is None
    assert listed(client, dach) == []


def test_linking_leaves_the_processing_state_alone(client: TestClient) -> None:
    bad = project(client, BAD)
    document = upload(client, "angebot.txt", HEIZUNG)
    body = link(client, document["id"], {"project_id": bad}).json()
    assert body["status"] == "pending" and body["stage"] == "queued"
    assert body["task_id"] == document["task_id"]


def test_an_unknown_project_is_a_422_on_its_field_and_changes_nothing(
    client: TestClient,
) -> None:
    bad = project(client, BAD)
    document = upload(client, "rechnung.txt", HEIZUNG, project_id=bad)
    response = link(client, document["id"], {"project_id": "no-such-project"})
    assert response.status_code == 422
    body = response.json()
    assert body["detail"][0]["loc"] == ["body", "project_id"]
    assert body["detail"][0]["type"] == "link_project_not_found"
    assert body["detail"][0]["msg"].startswith("Dieses Projekt gibt es nicht")
    english = link(
        client,
        document["id"],
        {"project_id": "no-such-project"},
        headers={"Accept-Language": "en"},
    ).json()
    assert english["detail"][0]["msg"].startswith("This project does not exist")
    assert client.get(f"{DOCS}{document['id']}").json()["project_id"] == bad


def test_an_unknown_document_is_404(client: TestClient) -> None:
    bad = project(client, BAD)
    response = link(client, "no-such-document", {"project_id": bad})
    assert response.status_code == 404
    assert response.json()["error_code"] == "link_document_not_found"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"status": "completed"},
        {"project_id": None, "original_name": "umbenannt.txt"},
        {"project_id": 5},
        {"project_id": "a\x00b"},
        [],
        None,
    ],
    ids=["empty", "other-field", "extra-field", "number", "nul", "list", "no-body"],
)
def test_other_bodies_are_422(client: TestClient, body: Any) -> None:
    document = upload(client, "rechnung.txt", HEIZUNG)
    response = link(client, document["id"], body)
    assert response.status_code == 422, response.text
    after = client.get(f"{DOCS}{document['id']}").json()
    assert after["project_id"] is None and after["original_name"] == "rechnung.txt"


def searched(client: TestClient, query: str, project_id: str, mode: str) -> list[str]:
    params = {"q": query, "project_id": project_id, "mode": mode}
    response = client.get(f"{DOCS}search", params=params)
    assert response.status_code == 200, response.text
    return [hit["id"] for hit in response.json()["data"]]


def test_the_search_by_project_follows_the_link_at_once(
    client: TestClient, app_runtime: Runtime
) -> None:
    bad, dach = project(client, BAD), project(client, DACH)
    document = upload(client, "wartung.txt", HEIZUNG, project_id=bad)
    complete(app_runtime.queue, document["id"], HEIZUNG, 1)
    run = embed_next_chunks(app_runtime, document["id"], 0)
    assert run is not None and run.finished
    # fulltext: the full-text index; words: German BM25 over the chunks; meaning: the
    # chunks' vectors ("Therme" is not in the text).
    queries = {"fulltext": "Gasheizung", "words": "Heizkörper", "meaning": "Therme warten"}
    for mode, query in queries.items():
        assert searched(client, query, bad, mode) == [document["id"]], mode
        assert searched(client, query, dach, mode) == [], mode

    link(client, document["id"], {"project_id": dach})
    for mode, query in queries.items():
        assert searched(client, query, dach, mode) == [document["id"]], mode
        assert searched(client, query, bad, mode) == [], mode

    link(client, document["id"], {"project_id": None})
    for mode, query in queries.items():
        assert searched(client, query, dach, mode) == [], mode
    hits = client.get(f"{DOCS}search", params={"q": "Gasheizung"}).json()["data"]
    assert [hit["id"] for hit in hits] == [document["id"]]
    assert hits[0]["project_id"] is None


def test_deleting_a_project_says_how_many_documents_lost_their_link(
    client: TestClient,
) -> None:
    bad, dach = project(client, BAD), project(client, DACH)
    first = upload(client, "rechnung.txt", HEIZUNG, project_id=bad)
    second = upload(client, "angebot.txt", HEIZUNG + " Angebot.", project_id=bad)
    other = upload(client, "dach.txt", "Angebot Dachfenster", project_id=dach)
    # What the UI asks before it confirms: the count of the project's documents.
    assert client.get(DOCS, params={"project_id": bad, "limit": 1}).json()["count"] == 2

    response = client.delete(f"{PROJECTS}{bad}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "deleted" and body["id"] == bad
    assert body["documents_unlinked"] == 2 and body["task_id"]
    for document in (first, second):
        kept = client.get(f"{DOCS}{document['id']}").json()
        assert kept["project_id"] is None and kept["status"] == "pending"
    assert client.get(f"{DOCS}{other['id']}").json()["project_id"] == dach

    empty = project(client, BAD)
    assert client.delete(f"{PROJECTS}{empty}").json()["documents_unlinked"] == 0
