"""The project a paper most likely belongs to (GET /api/v1/documents/{id}/suggested-projects),
with the real model in-process, the real vector store and the real database."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from appliance.documents.lifecycle import complete, fail
from appliance.runtime import Runtime
from appliance.wording import Language, say
from tests.api.projects_support import ALL, BAD, DACH, indexed

# Each test with a database runs on SQLite and on a real PostgreSQL server (conftest.py).
ON_BOTH_DATABASES = True

DOCS = "/api/v1/documents/"


def read_paper(client: TestClient, runtime: Runtime, name: str, text: str) -> str:
    """A paper uploaded and read (as the worker would have read it); its id."""
    response = client.post(f"{DOCS}upload", files={"file": (name, text.encode())})
    assert response.status_code == 201, response.text
    document_id = str(response.json()["id"])
    complete(runtime.queue, document_id, text, 1)
    return document_id


def suggested(client: TestClient, document_id: str) -> list[dict[str, Any]]:
    response = client.get(f"{DOCS}{document_id}/suggested-projects")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == len(body["data"])
    return list(body["data"])


def test_a_paper_about_a_job_suggests_that_job_first(
    client: TestClient, app_runtime: Runtime
) -> None:
    ids = dict(zip([p["name"] for p in ALL], indexed(app_runtime, client, ALL), strict=True))
    paper = read_paper(
        client,
        app_runtime,
        "angebot-dach.txt",
        "Angebot Nr. 311: Dach neu eindecken mit Tondachziegeln, Dämmung auf den Sparren, "
        "neue Dachrinnen und Fallrohre aus Titanzink, Einbau von zwei Dachfenstern.",
    )
    found = suggested(client, paper)
    assert found[0]["id"] == ids[DACH["name"]]
    assert set(found[0]) == {"id", "name", "score"}
    assert found[0]["name"] == DACH["name"]
    assert len(found) <= 3
    assert [s["score"] for s in found] == sorted((s["score"] for s in found), reverse=True)


def test_a_paper_naming_a_jobs_address_suggests_it_whatever_its_words(
    client: TestClient, app_runtime: Runtime
) -> None:
    ids = dict(zip([p["name"] for p in ALL], indexed(app_runtime, client, ALL), strict=True))
    # Says nothing of bathrooms; BAD's address is what ties it to the job.
    paper = read_paper(
        client,
        app_runtime,
        "lieferschein.txt",
        "Lieferschein 88812\nLieferadresse: LINDENSTRASSE 12, Augsburg\n"
        "3 Paletten Material, Anlieferung Dienstag früh.",
    )
    found = suggested(client, paper)
    assert found[0]["id"] == ids[BAD["name"]]
    assert found[0]["score"] > 0.5


def test_a_paper_about_nothing_on_file_gets_no_suggestion(
    client: TestClient, app_runtime: Runtime
) -> None:
    indexed(app_runtime, client, ALL)
    paper = read_paper(
        client,
        app_runtime,
        "sommerfest.txt",
        "Einladung zum Sommerfest des Sportvereins: Grillen, Musik und Kinderschminken am "
        "Samstag auf dem Vereinsgelände.",
    )
    assert suggested(client, paper) == []


def test_a_paper_not_read_yet_or_unreadable_is_409_and_an_unknown_one_404(
    client: TestClient, app_runtime: Runtime
) -> None:
    response = client.post(f"{DOCS}upload", files={"file": ("neu.txt", b"Noch nicht gelesen")})
    waiting = response.json()["id"]
    answer = client.get(f"{DOCS}{waiting}/suggested-projects")
    assert answer.status_code == 409
    assert answer.json()["error_code"] == "suggestions_not_read"
    assert answer.json()["detail"] == say("suggestions_not_read", Language.DE, status="pending")

    fail(app_runtime.db, waiting, "PDF is damaged", "corrupt")
    answer = client.get(f"{DOCS}{waiting}/suggested-projects")
    assert answer.status_code == 409
    assert answer.json()["error_code"] == "suggestions_no_text"

    answer = client.get(f"{DOCS}no-such-document/suggested-projects")
    assert answer.status_code == 404
    assert answer.json()["error_code"] == "document_not_found"
