"""Messages for people in the request's language: German without a header, English on
request, the installation's language (APPLIANCE_LANGUAGE) when the header names neither;
the error codes the same in both."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from appliance.backups.models import Backup
from appliance.backups.service import BackupService
from appliance.bootstrap import start_runtime
from appliance.config import Settings
from appliance.documents import lifecycle
from appliance.documents.models import Document
from appliance.embedding import Embedder
from appliance.extract import ExtractionError
from appliance.extract.errors import corrupt
from appliance.projects import lifecycle as project_lifecycle
from appliance.wording import Language, say
from tests.support import api_client

GERMAN_BROWSER = "de-DE,de;q=0.9,en;q=0.8"
ENGLISH = "en"


@pytest.fixture
def make_client(tmp_path: Path, embedder: Embedder) -> Iterator[Any]:
    opened = []

    def make(**settings: Any) -> TestClient:
        runtime = start_runtime(
            Settings(data_dir=tmp_path / f"data{len(opened)}", **settings), own_vectors=True
        )
        runtime.embedder = embedder
        opened.append(runtime)
        return api_client(runtime)

    yield make
    for runtime in opened:
        runtime.close()


@pytest.fixture
def client(make_client: Any) -> TestClient:
    return make_client()


def answers(client: TestClient, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
    """The error body in German (no header), in a German browser's and in English."""
    found = {}
    for name, header in (("plain", None), ("browser", GERMAN_BROWSER), ("en", ENGLISH)):
        headers = {"accept-language": header} if header else {}
        response = client.request(method, url, headers=headers, **kwargs)
        assert 400 <= response.status_code < 500, response.text
        found[name] = response.json()
    return found


def test_a_missing_project_is_said_in_german_and_on_request_in_english(
    client: TestClient,
) -> None:
    found = answers(client, "GET", "/api/v1/projects/gibt-es-nicht")
    assert found["plain"]["detail"] == "Es gibt kein Projekt mit der Kennung 'gibt-es-nicht'."
    assert found["browser"] == found["plain"]
    assert found["en"]["detail"] == "No project with id 'gibt-es-nicht'."
    assert {body["error_code"] for body in found.values()} == {"project_not_found"}


@pytest.mark.parametrize(
    ("fields", "kind", "german", "english"),
    [
        (
            {"name": "Dach", "start_date": "2024-06-10", "end_date": "2024-06-01"},
            "date_order",
            "Das Enddatum darf nicht vor dem Beginn liegen.",
            "The end date must not be before the start date.",
        ),
        ({"name": "   "}, "not_blank", "Darf nicht leer sein.", "Must not be blank."),
        (
            {"name": "x" * 201},
            "string_too_long",
            "Höchstens 200 Zeichen sind erlaubt.",
            "At most 200 characters are allowed.",
        ),
        ({}, "missing", "Pflichtangabe: bitte ausfüllen.", "Required: please fill it in."),
        (
            {"name": "Dach", "estimated_cost": 10.005},
            "money_places",
            "Ein Betrag hat höchstens 2 Nachkommastellen.",
            "An amount has at most 2 decimal places.",
        ),
        (
            {"name": "Dach", "phase": "fertig"},
            "enum",
            "Bitte einen dieser Werte wählen: 'angefragt', 'angeboten', 'beauftragt' oder "
            "'abgeschlossen'.",
            "Please choose one of: 'angefragt', 'angeboten', 'beauftragt' or 'abgeschlossen'.",
        ),
    ],
)
def test_a_refused_project_field_is_named_in_the_request_language(
    client: TestClient, fields: dict[str, Any], kind: str, german: str, english: str
) -> None:
    found = answers(client, "POST", "/api/v1/projects/", json=fields)
    for body in found.values():
        assert [error["type"] for error in body["detail"]] == [kind]
    assert found["plain"]["detail"][0]["msg"] == german
    assert found["browser"]["detail"][0]["msg"] == german
    assert found["en"]["detail"][0]["msg"] == english


def test_a_retry_that_is_not_possible_is_a_409_in_both_languages(client: TestClient) -> None:
    uploaded = client.post(
        "/api/v1/documents/upload", files={"file": ("Notiz.txt", b"Kellerfenster abdichten")}
    ).json()
    found = answers(client, "POST", f"/api/v1/documents/{uploaded['id']}/retry")
    assert found["plain"]["detail"].startswith("Nur fehlgeschlagene Dokumente")
    assert found["en"]["detail"].startswith("Only failed documents can be retried")
    assert {body["error_code"] for body in found.values()} == {"retry_only_failed"}


def test_an_upload_refusal_names_its_real_reason(client: TestClient) -> None:
    empty = answers(client, "POST", "/api/v1/documents/upload", files={"file": ("leer.txt", b"")})
    assert empty["plain"]["detail"] == "Die Datei ist leer."
    assert empty["en"]["detail"] == "The file is empty."
    assert {body["code"] for body in empty.values()} == {"empty"}
    program = answers(
        client, "POST", "/api/v1/documents/upload", files={"file": ("a.pdf", b"MZ" + bytes(99))}
    )
    assert program["plain"]["detail"].startswith("Das ist ein Programm, kein Dokument.")
    assert program["en"]["detail"].startswith("This is a program, not a document.")


@pytest.mark.parametrize(
    ("error", "german"),
    [
        (corrupt("pdf"), "Die PDF-Datei ist beschädigt oder unvollständig"),
        (ExtractionError("encrypted", "extract.encrypted"), "Die PDF-Datei ist mit einem Passwort"),
    ],
)
def test_a_failed_documents_stored_error_is_read_in_the_request_language(
    client: TestClient, error: ExtractionError, german: str
) -> None:
    uploaded = client.post(
        "/api/v1/documents/upload", files={"file": ("Angebot.txt", b"Angebot Dachrinne")}
    ).json()
    runtime = client.app.state.api.documents.runtime  # type: ignore[attr-defined]
    # As the worker stores it: the English text and the stable code.
    lifecycle.fail(runtime.db, uploaded["id"], error.message, error.code)
    url = f"/api/v1/documents/{uploaded['id']}"
    in_german = client.get(url).json()
    in_english = client.get(url, headers={"accept-language": "en"}).json()
    assert in_german["error"].startswith(german)
    assert in_english["error"] == error.message
    assert in_german["error_code"] == in_english["error_code"] == error.code
    listed = client.get("/api/v1/documents/").json()["data"]
    assert [d["error"] for d in listed if d["id"] == uploaded["id"]] == [in_german["error"]]


def test_a_document_whose_reader_was_stopped_says_so_and_that_it_is_tried_again(
    client: TestClient,
) -> None:
    uploaded = client.post(
        "/api/v1/documents/upload", files={"file": ("Aufmass.txt", b"Aufmass Bad")}
    ).json()
    runtime = client.app.state.api.documents.runtime  # type: ignore[attr-defined]
    crashed = say("reader.crashed_on_file", Language.EN)
    lifecycle.back_in_queue(runtime.db, uploaded["id"], crashed, "parser_crashed")
    url = f"/api/v1/documents/{uploaded['id']}"
    assert client.get(url).json()["error"] == (
        "Die Datei hat das Leseprogramm abstürzen lassen; vielleicht ist sie beschädigt. "
        "Es wird erneut versucht."
    )
    english = client.get(url, headers={"accept-language": "en"}).json()["error"]
    assert english == f"{crashed} It will be tried again."
    # Linking it to no project answers the document as lists show it: in German too.
    linked = client.patch(url, json={"project_id": None}).json()
    assert linked["error"].endswith("Es wird erneut versucht.")


def test_a_task_stopped_by_the_engine_is_explained_in_the_request_language(
    client: TestClient,
) -> None:
    runtime = client.app.state.api.documents.runtime  # type: ignore[attr-defined]
    task_id = runtime.queue.enqueue("tasks.ping")
    runtime.ledger.claim(
        task_id=task_id,
        name="tasks.ping",
        worker="w1",
        now=time.time(),
        default_max_retries=0,
        create_missing=False,
    )
    runtime.ledger.finish_failure(
        task_id=task_id,
        worker="w1",
        error=say("task.soft_limit", Language.EN),
        duration=1.0,
        retry_delay=None,
        now=time.time(),
    )
    german = client.get(f"/api/v1/tasks/task/{task_id}").json()["error"]
    assert german == "Zeitlimit überschritten: die Aufgabe wurde angehalten."
    listed = client.get("/api/v1/tasks/tasks", params={"state": "FAILURE"}).json()["tasks"]
    assert [t["error"] for t in listed if t["task_id"] == task_id] == [german]
    english = client.get(f"/api/v1/tasks/task/{task_id}", headers={"accept-language": "en"})
    assert english.json()["error"] == "soft time limit exceeded"


def test_a_projects_failed_embedding_is_explained_in_the_request_language(
    client: TestClient,
) -> None:
    created = client.post("/api/v1/projects/", json={"name": "Carport Holz"}).json()
    runtime = client.app.state.api.documents.runtime  # type: ignore[attr-defined]
    reason = say("task.worker_died", Language.EN, worker="huey@worker-2")
    project_lifecycle.mark_failed(runtime.db, created["id"], created["task_id"], reason)
    url = f"/api/v1/projects/{created['id']}"
    german = "Der Worker huey@worker-2 ist während der Aufgabe abgestürzt."
    assert client.get(url).json()["embedding_error"] == german
    listed = client.get("/api/v1/projects/").json()["data"]
    assert [p["embedding_error"] for p in listed if p["id"] == created["id"]] == [german]
    english = client.get(url, headers={"accept-language": "en"}).json()["embedding_error"]
    assert english == "worker huey@worker-2 died while running the task"


def test_a_backups_problems_are_read_in_the_request_language(client: TestClient) -> None:
    runtime = client.app.state.api.documents.runtime  # type: ignore[attr-defined]
    changed, missing = (
        client.post("/api/v1/documents/upload", files={"file": (name, text)}).json()
        for name, text in (("Bad.txt", b"Fliesen Bad"), ("Dach.txt", b"Ziegel Dach"))
    )
    with runtime.db.session() as session:
        stored = {d["id"]: session.get(Document, d["id"]).stored_name for d in (changed, missing)}
    uploads = runtime.settings.uploads_dir
    (uploads / stored[changed["id"]]).write_bytes(b"changed on disk")
    (uploads / stored[missing["id"]]).unlink()
    BackupService(runtime).run("manual")
    german = client.get("/api/v1/backups/").json()["last"]["error"].split("\n")
    assert sorted(line.split(" ", 2)[1] for line in german) == ["Datei", "hochgeladene"]
    assert all(line.startswith("Die ") for line in german), german
    english = client.get("/api/v1/backups/", headers={"accept-language": "en"}).json()
    assert all(line.startswith("The ") for line in english["last"]["error"].split("\n"))

    with runtime.db.session(write=True) as session:
        session.add(Backup(started_at=datetime.now(UTC), target_dir="/nowhere"))
    BackupService(runtime).close_interrupted()
    last = client.get("/api/v1/backups/").json()["last"]
    assert last["error"] == "HandwerkML wurde beendet, während die Datensicherung lief."


def test_the_installation_language_answers_a_request_that_names_none_we_speak(
    make_client: Any,
) -> None:
    client = make_client(language="en")
    url = "/api/v1/projects/gibt-es-nicht"
    assert client.get(url).json()["detail"] == "No project with id 'gibt-es-nicht'."
    french = client.get(url, headers={"accept-language": "fr-FR"}).json()
    assert french["detail"] == "No project with id 'gibt-es-nicht'."
    german = client.get(url, headers={"accept-language": "de"}).json()
    assert german["detail"].startswith("Es gibt kein Projekt")


def test_the_guards_answer_in_the_request_language_too(client: TestClient) -> None:
    found = answers(client, "GET", "/api/v1/tasks/summary", params={"q": "a\x00b"})
    assert found["plain"]["error_code"] == "address_has_nul"
    assert found["plain"]["detail"].startswith("Die Adresse enthält ein NUL-Zeichen")
    assert found["en"]["detail"].startswith("The address contains a NUL character")
    foreign = client.get("/api/v1/tasks/summary", headers={"host": "evil.example"})
    assert foreign.json()["detail"].startswith("Unter dieser Adresse ist die Appliance")
    missing = answers(client, "GET", "/api/v1/gibt-es-nicht")
    assert missing["plain"]["detail"] == "Diese Adresse gibt es nicht."
    assert missing["en"]["detail"] == "There is no such address."
