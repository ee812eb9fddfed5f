"""The real appliance (launcher, 4 workers, model, vector store) with its app database on
a real PostgreSQL server: projects, their filters and similar jobs, documents and their
full-text search, through the HTTP API.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.distributed.pg_server import PostgresServer
from tests.fixtures import documents as make
from tests.support import RunningAppliance, document_settled, wait_for

pytestmark = pytest.mark.e2e

PROJECTS = "/api/v1/projects/"
DOCUMENTS = "/api/v1/documents/"


@pytest.fixture(scope="module")
def pg_appliance(
    postgres: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningAppliance]:
    url = postgres.create_database("e2e")
    data = tmp_path_factory.mktemp("pg-appliance") / "data"
    running = RunningAppliance(data, env={"APPLIANCE_DATABASE_URL": url}).start()
    yield running
    running.close()
    postgres.drop_database(url)


def create(appliance: RunningAppliance, **fields: Any) -> dict[str, Any]:
    response = appliance.client.post(PROJECTS, json=fields)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def names(appliance: RunningAppliance, **params: Any) -> list[str]:
    response = appliance.client.get(PROJECTS, params={"limit": 100, **params})
    assert response.status_code == 200, response.text
    return [p["name"] for p in response.json()["data"]]


def wait_indexed(appliance: RunningAppliance, project_id: str) -> None:
    def indexed() -> bool:
        body = appliance.client.get(f"{PROJECTS}{project_id}").json()
        assert body["status"] != "failed", body
        return bool(body["status"] == "indexed")

    wait_for(indexed, timeout=180, interval=0.2, what=f"project {project_id} indexed")


def upload(appliance: RunningAppliance, path: Path, **fields: str) -> dict[str, Any]:
    with path.open("rb") as handle:
        response = appliance.client.post(
            f"{DOCUMENTS}upload", files={"file": (path.name, handle)}, data=fields
        )
    assert response.status_code in (200, 201), response.text
    body: dict[str, Any] = response.json()
    return body


def wait_done(appliance: RunningAppliance, document_id: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        body: dict[str, Any] = appliance.client.get(f"{DOCUMENTS}{document_id}").json()
        return body if document_settled(body) else None

    result: dict[str, Any] = wait_for(done, timeout=120, interval=0.1, what="document done")
    return result


def search(appliance: RunningAppliance, query: str, **params: Any) -> dict[str, Any]:
    response = appliance.client.get(f"{DOCUMENTS}search", params={"q": query, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def found(appliance: RunningAppliance, query: str, **params: Any) -> list[str]:
    return [hit["id"] for hit in search(appliance, query, **params)["data"]]


def test_the_app_database_is_on_postgresql(pg_appliance: RunningAppliance) -> None:
    assert pg_appliance.runtime.db.dialect == "postgresql"
    assert not (pg_appliance.data_dir / "app.db").exists()
    health = pg_appliance.client.get("/api/v1/tasks/health").json()
    assert health["status"] == "healthy" and health["workers"] == 4
    metrics = pg_appliance.client.get("/metrics")
    assert metrics.status_code == 200 and "appliance_workers_up 4.0" in metrics.text


def test_projects_crud_filters_and_similar(pg_appliance: RunningAppliance) -> None:
    app = pg_appliance
    bad = create(
        app,
        name="Badsanierung Familie Köhler",
        description="Bodengleiche Dusche, Wand-WC, großformatige Fliesen.",
        trade="Sanitär",
        city="Gießen",
        phase="beauftragt",
        customer="Köhler_GmbH",
    )
    bad_zwei = create(
        app,
        name="Bad im Obergeschoss modernisieren",
        description="Badewanne raus, ebenerdige Dusche rein, neue Fliesen. Rabatt 10%.",
        trade="SANITÄR",
        city="Überlingen",
        phase="abgeschlossen",
    )
    dach = create(
        app,
        name="Dachsanierung Mehrfamilienhaus",
        description="Tondachziegel, Aufsparrendämmung, Dachrinnen aus Titanzink.",
        trade="Straßenbau",
        city="Ulm",
        phase="angeboten",
    )
    # Filters ignore case for umlauts and ß as on SQLite (casefold() in SQL).
    assert names(app, trade="sanitär", sort="name") == [bad_zwei["name"], bad["name"]]
    assert names(app, city="GIESSEN") == [bad["name"]]
    assert names(app, city="überlingen") == [bad_zwei["name"]]
    assert names(app, trade="STRASSENBAU") == [dach["name"]]
    assert names(app, q="GROSSFORMATIGE") == [bad["name"]]
    # LIKE wildcards typed by a person match themselves.
    assert names(app, q="%") == [bad_zwei["name"]]
    assert names(app, q="_") == [bad["name"]]
    assert names(app, phase="angeboten") == [dach["name"]]
    assert names(app, sort="-name") == [dach["name"], bad["name"], bad_zwei["name"]]

    changed = app.client.patch(f"{PROJECTS}{dach['id']}", json={"city": "Neu-Ulm"})
    assert changed.status_code == 200 and changed.json()["task_id"] is None
    assert names(app, city="neu-ulm") == [dach["name"]]

    for project in (bad, bad_zwei, dach):
        wait_indexed(app, project["id"])
    similar = app.client.get(f"{PROJECTS}{bad['id']}/similar").json()["data"]
    assert [p["id"] for p in similar] == [bad_zwei["id"], dach["id"]]
    assert similar[0]["score"] > similar[1]["score"]

    assert app.client.delete(f"{PROJECTS}{dach['id']}").status_code == 200
    assert app.client.get(f"{PROJECTS}{dach['id']}").status_code == 404
    assert app.client.get(f"{PROJECTS}{dach['id']}/similar").status_code == 404


def test_documents_are_found_by_postgresql_text_search(
    pg_appliance: RunningAppliance, tmp_path: Path
) -> None:
    app = pg_appliance
    project = create(app, name="Heizung Müller")
    invoice = upload(
        app,
        make.cp1252_txt(
            tmp_path / "Rechnung Müller.txt",
            "Rechnung für Familie Müller, Hauptstraße 5: Überprüfung der Heizungsanlage "
            "und Größe der Fläche 12 m².",
        ),
        project_id=project["id"],
    )
    quote = upload(
        app,
        make.cp1252_txt(tmp_path / "angebot.txt", "Angebot Dachrinne aus Kupfer, Straße gesperrt"),
    )
    again = upload(app, tmp_path / "angebot.txt")
    assert again["duplicate"] is True and again["id"] == quote["id"]
    for document in (invoice, quote):
        assert wait_done(app, document["id"])["status"] == "completed"

    # The full-text index alone first (hybrid search adds partial and semantic matches).
    body = search(app, "Heizungsanlage", mode="fulltext")
    assert body["query"] == "Heizungsanlage" and body["count"] == 1
    hit = body["data"][0]
    assert hit["id"] == invoice["id"] and hit["score"] > 0
    assert "Heizungsanlage" in hit["snippet"]
    assert {"text": "Heizungsanlage", "hit": True} in hit["snippet_parts"]
    # Spellings without umlauts or ß, case, and prefixes find the same words.
    assert found(app, "mueller", mode="fulltext") == [invoice["id"]]
    assert found(app, "UEBERPRUEFUNG", mode="fulltext") == [invoice["id"]]
    assert found(app, "groesse flae", mode="fulltext") == [invoice["id"]]
    assert found(app, "Strasse", mode="fulltext") == [quote["id"]]
    assert found(app, "Rechn", mode="fulltext") == [invoice["id"]]
    # Every word must occur; the file name counts.
    assert found(app, "Rechnung Dachrinne", mode="fulltext") == []
    assert found(app, "Müller Rechnung", mode="fulltext") == [invoice["id"]]
    assert set(found(app, "der", mode="fulltext")) == {invoice["id"]}
    assert found(app, "Heizung", project_id=project["id"], mode="fulltext") == [invoice["id"]]
    assert found(app, "Dachrinne", project_id=project["id"], mode="fulltext") == []
    assert search(app, "   ", mode="fulltext")["data"] == []

    # Hybrid: a word of the same meaning finds the quote, as a partial match.
    [hit] = [h for h in search(app, "Regenrinne Kupfer")["data"] if h["id"] == quote["id"]]
    assert hit["match"]["words"] and hit["match"]["level"] in ("high", "medium")
    assert app.client.delete(f"{DOCUMENTS}{quote['id']}").status_code == 200
    assert quote["id"] not in found(app, "Dachrinne")
