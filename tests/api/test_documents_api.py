"""The documents API in-process: uploads are checked and stored, nothing runs them here."""

from __future__ import annotations

import hashlib
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from appliance.bootstrap import start_runtime
from appliance.config import Settings
from appliance.documents import lifecycle
from appliance.documents.service import safe_display_name
from appliance.runtime import Runtime
from appliance.tasking.outcomes import settle
from tests.support import api_client

# Each test with a database runs on SQLite and on a real PostgreSQL server (conftest.py).
ON_BOTH_DATABASES = True

URL = "/api/v1/documents/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TEXT = "Rechnung für die Überprüfung der Heizungsanlage, Größe 12 m²\n".encode()


@pytest.fixture
def app_runtime(tmp_path: Path, database_url: str | None) -> Iterator[Runtime]:
    settings = Settings(data_dir=tmp_path / "data", max_upload_mb=1, database_url=database_url)
    built = start_runtime(settings)
    yield built
    built.close()


@pytest.fixture
def client(app_runtime: Runtime) -> TestClient:
    return api_client(app_runtime)


def upload(client: TestClient, name: str, content: bytes, **fields: str) -> httpx.Response:
    return client.post(f"{URL}upload", files={"file": (name, content)}, data=fields)


def stored_files(runtime: Runtime) -> list[str]:
    return sorted(p.name for p in runtime.settings.uploads_dir.iterdir())


def test_upload_answers_pending_and_queues_processing(
    client: TestClient, app_runtime: Runtime
) -> None:
    response = upload(client, "rechnung.txt", TEXT)
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "pending" and body["duplicate"] is False
    assert body["file_type"] == "txt" and body["size_bytes"] == len(TEXT)
    assert body["sha256"] == hashlib.sha256(TEXT).hexdigest()
    task = app_runtime.ledger.get(body["task_id"])
    assert task.name == "tasks.process_document" and task.state == "PENDING"
    stored = stored_files(app_runtime)
    assert len(stored) == 1 and stored[0].endswith(".txt") and stored[0] != "rechnung.txt"
    assert (app_runtime.settings.uploads_dir / stored[0]).read_bytes() == TEXT


def test_the_same_content_again_is_a_duplicate(client: TestClient, app_runtime: Runtime) -> None:
    first = upload(client, "a.txt", TEXT).json()
    again = upload(client, "b.txt", TEXT)
    assert again.status_code == 200
    body = again.json()
    assert body["duplicate"] is True and body["id"] == first["id"] and body["task_id"] is None
    assert len(stored_files(app_runtime)) == 1
    assert app_runtime.history.recent(name="tasks.process_document")[1] == 1


def test_type_comes_from_the_content_not_the_name(client: TestClient) -> None:
    body = upload(client, "plan.jpg", PDF).json()
    assert body["file_type"] == "pdf"


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("programm.pdf", b"MZ\x90\x00" + bytes(200), "PDF"),
        ("alt.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), ".docx"),
        ("leer.pdf", b"", "leer"),
        ("bild.bin", bytes(range(256)) * 4, "PDF"),
    ],
)
def test_unsupported_content_is_415_and_nothing_is_kept(
    client: TestClient, app_runtime: Runtime, name: str, content: bytes, words: str
) -> None:
    response = upload(client, name, content)
    assert response.status_code == 415
    assert words.casefold() in response.json()["detail"].casefold()
    assert stored_files(app_runtime) == []


def test_too_large_is_413_and_nothing_is_kept(client: TestClient, app_runtime: Runtime) -> None:
    response = upload(client, "gross.txt", b"a" * (1024 * 1024 + 1))
    assert response.status_code == 413
    assert "1 MB" in response.json()["detail"]
    assert stored_files(app_runtime) == []


def test_upload_without_a_file_is_422(client: TestClient) -> None:
    response = client.post(f"{URL}upload", data={"project_id": "x"}, files={"other": ("", b"")})
    assert response.status_code in (404, 422)
    response = client.post(
        f"{URL}upload",
        content=b'--b\r\nContent-Disposition: form-data; name="note"\r\n\r\nhi\r\n--b--\r\n',
        headers={"content-type": "multipart/form-data; boundary=b"},
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "file"] and "keine Datei" in error["msg"]


def test_not_multipart_is_400(client: TestClient) -> None:
    response = client.post(f"{URL}upload", content=b"hello", headers={"content-type": "text/plain"})
    assert response.status_code == 400
    assert "multipart/form-data" in response.json()["detail"]


def test_unknown_project_is_404(client: TestClient, app_runtime: Runtime) -> None:
    response = upload(client, "a.txt", TEXT, project_id="no-such-project")
    assert response.status_code == 404
    assert stored_files(app_runtime) == []


def test_list_get_download_delete(client: TestClient, app_runtime: Runtime) -> None:
    created = upload(client, "Angebot Müller.txt", TEXT).json()
    listed = client.get(URL, params={"status": "pending", "type": "txt"}).json()
    assert listed["count"] == 1 and listed["data"][0]["id"] == created["id"]
    assert client.get(URL, params={"status": "completed"}).json()["count"] == 0
    detail = client.get(f"{URL}{created['id']}").json()
    assert detail["original_name"] == "Angebot Müller.txt" and detail["searchable_text"] is None
    download = client.get(f"{URL}{created['id']}/download")
    assert download.status_code == 200 and download.content == TEXT
    assert "Angebot" in download.headers["content-disposition"]
    assert download.headers["x-content-type-options"] == "nosniff"
    kept = stored_files(app_runtime)
    assert client.delete(f"{URL}{created['id']}").status_code == 200
    assert client.get(f"{URL}{created['id']}").status_code == 404
    # The file waits in the Papierkorb until it is removed for good.
    assert stored_files(app_runtime) == kept != []
    assert client.delete(f"/api/v1/trash/document/{created['id']}").status_code == 200
    assert stored_files(app_runtime) == []


def test_retry_only_failed_documents(client: TestClient) -> None:
    created = upload(client, "a.txt", TEXT).json()
    response = client.post(f"{URL}{created['id']}/retry")
    assert response.status_code == 409
    assert "pending" in response.json()["detail"]
    assert client.post(f"{URL}nope/retry").status_code == 404


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\rechnung.pdf", "rechnung.pdf"),
        ("rech\x00nung.pdf", "rechnung.pdf"),
        ("rechnung\u202efdp.exe", "rechnungfdp.exe"),
        ("", "unnamed"),
        ("..", "unnamed"),
    ],
)
def test_display_names_are_harmless(raw: str, shown: str) -> None:
    assert safe_display_name(raw) == shown


def test_very_long_names_are_shortened_keeping_the_extension() -> None:
    shown = safe_display_name("a" * 300 + ".pdf")
    assert len(shown) <= 255 and shown.endswith("….pdf")


@pytest.mark.parametrize(
    ("uploaded", "offered"),
    [
        ("rechnung.html", "rechnung.html.txt"),
        ("angebot.bat", "angebot.bat.txt"),
        ("notiz.hta", "notiz.hta.txt"),
        ("ohne-endung", "ohne-endung.txt"),
        ("Aufmaß.TXT", "Aufmaß.TXT"),
    ],
)
def test_a_download_ends_as_what_the_file_really_is(
    client: TestClient, uploaded: str, offered: str
) -> None:
    body = upload(client, uploaded, TEXT).json()
    response = client.get(f"{URL}{body['id']}/download")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    disposition = response.headers["content-disposition"]
    assert offered in urllib.parse.unquote(disposition)
    assert response.content == TEXT


# -- failed documents: another try only where it can help ---------------------------------


def fail_like_a_worker(runtime: Runtime, body: dict[str, Any], code: str, message: str) -> None:
    """What a worker does with a file it cannot read: the document fails with its code,
    then its task, at once (retrying cannot help)."""
    task_id = body["task_id"]
    claimed = runtime.ledger.claim(
        task_id=task_id,
        name="tasks.process_document",
        worker="w1",
        now=time.time(),
        default_max_retries=3,
        create_missing=False,
    )
    assert claimed is not None
    lifecycle.fail(runtime.db, body["id"], message, code)
    outcome = runtime.ledger.finish_failure(
        task_id=task_id, worker="w1", error=message, duration=0.1, retry_delay=None, now=time.time()
    )
    settle(runtime, outcome, message)


@pytest.mark.parametrize(
    ("code", "german", "english"),
    [
        ("corrupt", "Bitte neu speichern oder scannen", "Please save or scan it again"),
        ("encrypted", "Bitte eine Kopie ohne Passwort", "Please upload a copy without the"),
    ],
)
def test_a_file_that_cannot_be_read_is_not_retried_and_the_answer_says_what_to_do(
    client: TestClient, app_runtime: Runtime, code: str, german: str, english: str
) -> None:
    body = upload(client, "Angebot Keller.pdf", PDF).json()
    assert body["retryable"] is False  # pending: nothing to retry
    fail_like_a_worker(app_runtime, body, code, "The PDF cannot be read.")

    shown = client.get(f"{URL}{body['id']}").json()
    assert (shown["status"], shown["error_code"], shown["retryable"]) == ("failed", code, False)
    assert client.get(URL).json()["data"][0]["retryable"] is False

    refused = client.post(f"{URL}{body['id']}/retry")
    assert refused.status_code == 409
    answer = refused.json()
    assert answer["error_code"] == "document_not_retryable"
    assert answer["document_error_code"] == code
    assert german in answer["detail"]
    in_english = client.post(f"{URL}{body['id']}/retry", headers={"Accept-Language": "en"})
    assert english in in_english.json()["detail"]
    # Nothing was queued: the one task stays failed.
    assert app_runtime.ledger.get(body["task_id"]).state == "FAILURE"
    assert app_runtime.history.recent(name="tasks.process_document")[1] == 1


def test_a_retry_runs_the_failed_task_again_so_one_file_is_one_failure(
    client: TestClient, app_runtime: Runtime
) -> None:
    body = upload(client, "Aufmaß Keller.pdf", PDF).json()
    task_id = body["task_id"]
    # A cancelled document (its waiting task revoked in the monitor) may be tried again.
    assert client.post(f"/api/v1/tasks/task/{task_id}/revoke").status_code == 200
    cancelled = client.get(f"{URL}{body['id']}").json()
    assert (cancelled["error_code"], cancelled["retryable"]) == ("revoked", True)

    retried = client.post(f"{URL}{body['id']}/retry")
    assert retried.status_code == 200, retried.text
    assert retried.json()["task_id"] == task_id and retried.json()["status"] == "pending"
    assert app_runtime.ledger.get(task_id).state == "PENDING"

    # Read past its time limit on every attempt: it fails, and may still be tried again.
    fail_like_a_worker(app_runtime, body, "timeout", "Reading the file took too long.")
    failed = client.get(f"{URL}{body['id']}").json()
    assert (failed["status"], failed["retryable"]) == ("failed", True)
    assert client.post(f"{URL}{body['id']}/retry").json()["task_id"] == task_id
    fail_like_a_worker(app_runtime, body, "timeout", "Reading the file took too long.")

    # Two failed runs, one task: the monitor counts the file's failure once.
    assert app_runtime.history.recent(name="tasks.process_document")[1] == 1
    assert client.get("/api/v1/tasks/summary").json()["tasks"]["failed"] == 1
    [listed] = client.get("/api/v1/tasks/tasks", params={"state": "FAILURE"}).json()["tasks"]
    assert listed["task_id"] == task_id and listed["subject"] == "Aufmaß Keller.pdf"
