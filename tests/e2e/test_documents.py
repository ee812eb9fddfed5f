"""Documents end to end: real uploads, real workers, the real sandbox, tesseract and FTS5."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from appliance.holds import HoldPoints
from tests.fixtures import documents as make
from tests.support import RunningAppliance, document_settled, wait_for

pytestmark = pytest.mark.e2e

URL = "/api/v1/documents/"


def upload(appliance: RunningAppliance, path: Path, **fields: str) -> dict[str, Any]:
    with path.open("rb") as handle:
        response = appliance.client.post(
            f"{URL}upload", files={"file": (path.name, handle)}, data=fields
        )
    assert response.status_code in (200, 201), response.text
    body: dict[str, Any] = response.json()
    return body


# Where a task stands once its body has run. A document turns `failed` inside the task
# body; the task's own outcome is written just after, so a test waits for it.
FINISHED = ("RETRY", "SUCCESS", "FAILURE", "REVOKED")


def wait_done(appliance: RunningAppliance, document_id: str, timeout: float = 120) -> Any:
    def done() -> Any:
        body = appliance.client.get(f"{URL}{document_id}").json()
        return body if document_settled(body) else None

    return wait_for(done, timeout=timeout, interval=0.1, what=f"document {document_id} done")


def search(appliance: RunningAppliance, query: str, **params: Any) -> list[dict[str, Any]]:
    response = appliance.client.get(f"{URL}search", params={"q": query, **params})
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    folder = tmp_path_factory.mktemp("documents")
    made = {
        "pdf": make.text_pdf(
            folder / "Rechnung 2024-117.pdf",
            ["Rechnung Nr. 2024-117 für Badsanierung", "Überprüfung der Heizungsanlage"],
        ),
        "scan": make.scanned_pdf(folder / "scan.pdf", "Lieferschein 4711 Fliesen Anthrazit"),
        "docx": make.docx_file(
            folder / "Angebot.docx",
            ["Angebot für Dachsanierung mit Tondachziegeln"],
            table=[["Position", "Preis"], ["Dämmung", "4.200 €"]],
            header="Müller Bedachungen GmbH",
            footer="Seite 1",
        ),
        "png": make.text_image(folder / "notiz.png", "Kunde Schmidt Wasserhahn tropft"),
        "jpeg": make.text_image(
            folder / "foto.jpg", "Zählerschrank Keller erneuern", format="JPEG", rotate=90
        ),
        "tiff": make.tiff_pages(
            folder / "scan.tiff", ["Seite eins Heizkörper", "Seite zwei Thermostat"]
        ),
        "txt": make.cp1252_txt(folder / "notiz.txt", "Größe der Fläche: 12 m², Preis 99 €"),
    }
    yield made


def test_every_supported_format_becomes_searchable(
    appliance: RunningAppliance, files: dict[str, Path]
) -> None:
    uploaded = {kind: upload(appliance, path) for kind, path in files.items()}
    for body in uploaded.values():
        assert body["status"] == "pending" and body["task_id"]
    done = {kind: wait_done(appliance, body["id"]) for kind, body in uploaded.items()}
    for kind, body in done.items():
        assert body["status"] == "completed", (kind, body["error"])
        assert body["processed_at"] and body["stage"] == "done"
    text = {kind: body["searchable_text"].lower() for kind, body in done.items()}
    assert "überprüfung der heizungsanlage" in text["pdf"]
    assert done["pdf"]["page_count"] == 2
    assert "lieferschein" in text["scan"] and "4711" in text["scan"]
    assert "dachsanierung" in text["docx"] and "dämmung" in text["docx"]
    assert "müller bedachungen" in text["docx"]
    assert "wasserhahn" in text["png"]
    assert "keller" in text["jpeg"]
    assert done["tiff"]["page_count"] == 2 and "thermostat" in text["tiff"]
    assert "größe der fläche" in text["txt"] and "€" in text["txt"]

    hits = search(appliance, "Heizungsanlage")
    assert hits[0]["id"] == uploaded["pdf"]["id"]
    assert any(part["hit"] for part in hits[0]["snippet_parts"])
    assert "Heizungsanlage" in hits[0]["snippet"]
    # Umlaut spellings and prefixes find the same words.
    assert uploaded["pdf"]["id"] in [h["id"] for h in search(appliance, "ueberpruefung")]
    assert uploaded["txt"]["id"] in [h["id"] for h in search(appliance, "groesse flae")]
    assert uploaded["scan"]["id"] in [h["id"] for h in search(appliance, "Lieferschein")]


def test_the_same_file_twice_is_processed_once(appliance: RunningAppliance, tmp_path: Path) -> None:
    path = make.cp1252_txt(tmp_path / "einmal.txt", "Einmalige Notiz Zaunbau Lärche")
    first = upload(appliance, path)
    second = upload(appliance, path)
    assert second["duplicate"] is True and second["id"] == first["id"]
    wait_done(appliance, first["id"])
    tasks = appliance.client.get(
        "/api/v1/tasks/tasks", params={"name": "tasks.process_document", "limit": 500}
    ).json()["tasks"]
    assert sum(first["id"] in t["args"] for t in tasks) == 1


@pytest.mark.parametrize(
    ("maker", "code"),
    [
        (make.truncated_pdf, "corrupt"),
        (make.zip_bomb_docx, "zip_bomb"),
        (make.huge_png, "too_many_pixels"),
    ],
)
def test_hostile_files_fail_with_a_reason_and_no_retry(
    appliance: RunningAppliance, tmp_path: Path, maker: Any, code: str
) -> None:
    path = maker(tmp_path / f"hostile-{code}")
    body = upload(appliance, path)
    done = wait_done(appliance, body["id"])
    assert done["status"] == "failed" and done["error_code"] == code
    assert done["error"] and "Traceback" not in done["error"] and "/" not in done["error"]
    task = appliance.wait_state(body["task_id"], FINISHED)
    assert task.state == "FAILURE" and task.attempts == 1  # retrying a bad file cannot help


def test_a_damaged_file_is_not_retried_is_named_in_the_monitor_and_can_be_deleted(
    appliance: RunningAppliance, tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:8]
    damaged = make.truncated_pdf(
        tmp_path / f"Angebot {tag}.pdf", [f"{make.INVOICE} {tag}", make.QUOTE, make.INVOICE]
    )
    body = upload(appliance, damaged)
    done = wait_done(appliance, body["id"])
    assert (done["status"], done["error_code"], done["retryable"]) == ("failed", "corrupt", False)

    refused = appliance.client.post(f"{URL}{body['id']}/retry")
    assert refused.status_code == 409
    assert refused.json()["error_code"] == "document_not_retryable"
    assert "Bitte neu speichern oder scannen" in refused.json()["detail"]
    english = appliance.client.post(
        f"{URL}{body['id']}/retry", headers={"Accept-Language": "en"}
    ).json()
    assert "Please save or scan it again" in english["detail"]

    # The monitor names the file, and shows one failed task for it, not to be run again.
    appliance.wait_state(body["task_id"], FINISHED)
    failures = appliance.client.get("/api/v1/tasks/tasks", params={"state": "FAILURE"}).json()
    [task] = [t for t in failures["tasks"] if t["subject"] == damaged.name]
    assert (task["task_id"], task["attempts"], task["retryable"]) == (body["task_id"], 1, False)
    restart = appliance.client.post(f"/api/v1/tasks/task/{body['task_id']}/retry")
    assert restart.status_code == 409

    assert appliance.client.delete(f"{URL}{body['id']}").status_code == 200
    assert appliance.client.get(f"{URL}{body['id']}").status_code == 404


def test_deleting_a_document_removes_it_from_search(
    appliance: RunningAppliance, tmp_path: Path
) -> None:
    path = make.cp1252_txt(tmp_path / "weg.txt", "Einzigartiges Wort Kupferdachrinnenreinigung")
    body = upload(appliance, path)
    wait_done(appliance, body["id"])
    first = search(appliance, "Kupferdachrinnenreinigung")[0]
    assert first["id"] == body["id"] and first["match"]["all_words"]
    appliance.client.delete(f"{URL}{body['id']}")
    assert body["id"] not in [h["id"] for h in search(appliance, "Kupferdachrinnenreinigung")]


def test_search_within_a_project(appliance: RunningAppliance, tmp_path: Path) -> None:
    project = appliance.client.post("/api/v1/projects/", json={"name": "Projekt Search"}).json()
    inside = upload(
        appliance,
        make.cp1252_txt(tmp_path / "a.txt", "Projektnotiz Gartenhaus Dachpappe"),
        project_id=project["id"],
    )
    outside = upload(appliance, make.cp1252_txt(tmp_path / "b.txt", "Andere Notiz Gartenhaus"))
    wait_done(appliance, inside["id"])
    wait_done(appliance, outside["id"])
    both = {h["id"] for h in search(appliance, "Gartenhaus")}
    assert {inside["id"], outside["id"]} <= both
    scoped = search(appliance, "Gartenhaus", project_id=project["id"])
    assert [h["id"] for h in scoped] == [inside["id"]]
    listed = appliance.client.get(URL, params={"project_id": project["id"]}).json()
    assert [d["id"] for d in listed["data"]] == [inside["id"]]


def test_progress_is_visible_while_a_multi_page_scan_is_read(
    appliance: RunningAppliance, tmp_path: Path
) -> None:
    path = make.tiff_pages(tmp_path / "lang.tiff", [f"Seite {i} Estrich" for i in range(1, 5)])
    body = upload(appliance, path)
    seen: set[tuple[str, int, int]] = set()

    def finished() -> bool:
        state = appliance.client.get(f"{URL}{body['id']}").json()
        seen.add((state["stage"], state["page_current"], state["page_total"]))
        return document_settled(state)

    wait_for(finished, timeout=120, interval=0.05, what="the scan to be read")
    assert ("ocr", 2, 4) in seen or ("ocr", 3, 4) in seen
    assert ("done", 4, 4) in seen


def test_a_parse_that_never_ends_fails_after_the_retries_and_the_queue_moves_on(
    fresh_appliance: RunningAppliance, tmp_path: Path
) -> None:
    fresh_appliance.env.update(
        {
            "APPLIANCE_EXTRACTION_TIMEOUT": "0.5",
            "APPLIANCE_FAILED_DOCUMENT_RETENTION_HOURS": "0.0003",
        }
    )
    fresh_appliance.start()
    slow = make.tiff_pages(tmp_path / "endlos.tiff", ["Seite eins", "Seite zwei", "Seite drei"])
    # Every attempt is held before the scan's second page and never let go: the parse
    # outlasts its timeout however fast this machine reads.
    with fresh_appliance.hold(HoldPoints.document_of(3)):
        stuck = upload(fresh_appliance, slow)
        quick = upload(fresh_appliance, make.cp1252_txt(tmp_path / "kurz.txt", "kurze Notiz"))
        assert wait_done(fresh_appliance, quick["id"])["status"] == "completed"
        failed = wait_done(fresh_appliance, stuck["id"], timeout=180)
    assert failed["status"] == "failed" and failed["error_code"] == "timeout"
    assert "länger als 0.5 Sekunden" in failed["error"]
    task = fresh_appliance.wait_state(stuck["task_id"], FINISHED)
    assert task.state == "FAILURE" and task.attempts == 4

    # The daily cleanup removes failed documents past the retention time, file and row.
    stored = fresh_appliance.data_dir / "uploads"
    assert len(list(stored.iterdir())) == 2
    time.sleep(1.5)  # past the retention of ~1 s
    cleanup = fresh_appliance.enqueue("tasks.cleanup_old_documents")
    row = fresh_appliance.wait_state(cleanup, {"SUCCESS"})
    assert '"documents_removed": 1' in row.result_json
    assert fresh_appliance.client.get(f"{URL}{stuck['id']}").status_code == 404
    assert fresh_appliance.client.get(f"{URL}{quick['id']}").status_code == 200
    assert len(list(stored.iterdir())) == 1
