"""The task view for people (`GET /api/v1/work`) in-process on real databases, no worker
running: documents and projects by name in "working", "problems" (with what to do) and
"done today" (the browser's local day); searches leave no task in the history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from appliance.documents.lifecycle import complete, fail
from appliance.runtime import Runtime
from appliance.wording import Language
from appliance.work.overview import WorkService, day_start
from tests.support import api_client

ON_BOTH_DATABASES = True
WORK = "/api/v1/work"


def upload(client: TestClient, name: str) -> dict[str, Any]:
    files = {"file": (name, f"Notiz {name}".encode())}  # bytes of its own: no duplicate
    response = client.post("/api/v1/documents/upload", files=files)
    assert response.status_code in (200, 201, 202), response.text
    body: dict[str, Any] = response.json()
    return body


def by_name(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in items}


def test_the_day_starts_at_the_local_midnight_of_the_browser() -> None:
    late = datetime(2026, 12, 3, 23, 30, tzinfo=UTC)
    assert day_start(late, 0) == datetime(2026, 12, 3, tzinfo=UTC)
    # In Berlin (UTC+1) it is already 00:30 on the 4th.
    assert day_start(late, 60) == datetime(2026, 12, 3, 23, 0, tzinfo=UTC)
    # In New York (UTC-5) it is 18:30 on the 3rd.
    assert day_start(late, -300) == datetime(2026, 12, 3, 5, 0, tzinfo=UTC)


def test_work_is_grouped_by_file_and_job_name_with_what_to_do(runtime: Runtime) -> None:
    client = api_client(runtime)
    waiting = upload(client, "Aufmass Keller.txt")
    locked = upload(client, "Rechnung gesperrt.pdf")
    heavy = upload(client, "Plan riesig.pdf")
    done = upload(client, "Angebot fertig.txt")
    project = client.post("/api/v1/projects/", json={"name": "Bad Familie Krüger"}).json()
    fail(runtime.db, locked["id"], "The PDF is protected by a password.", "encrypted")
    fail(runtime.db, heavy["id"], "Too much memory.", "too_much_memory")
    complete(runtime.queue, done["id"], "", 1)  # no text: nothing to embed, done at once

    body = client.get(WORK, params={"utc_offset": 60}).json()

    working = by_name(body["working"])
    assert working.keys() == {"Aufmass Keller.txt", "Bad Familie Krüger"}
    assert working["Aufmass Keller.txt"]["kind"] == "document"
    assert working["Aufmass Keller.txt"]["id"] == waiting["id"]
    assert working["Aufmass Keller.txt"]["state"] == "pending"
    assert working["Bad Familie Krüger"] | {"at": None} == working["Bad Familie Krüger"] | {
        "kind": "project",
        "id": project["id"],
        "state": "pending",
        "retryable": False,
        "todo": None,
        "at": None,
    }
    problems = by_name(body["problems"])
    assert problems.keys() == {"Rechnung gesperrt.pdf", "Plan riesig.pdf"}
    assert problems["Rechnung gesperrt.pdf"]["error_code"] == "encrypted"
    assert problems["Rechnung gesperrt.pdf"]["retryable"] is False
    assert problems["Rechnung gesperrt.pdf"]["todo"] == "Bitte eine Kopie ohne Passwort hochladen."
    assert problems["Plan riesig.pdf"]["retryable"] is True
    assert problems["Plan riesig.pdf"]["todo"].startswith("Bitte „Erneut versuchen“ wählen.")
    assert [item["name"] for item in body["done_today"]] == ["Angebot fertig.txt"]
    assert body["counts"] == {"working": 2, "problems": 2, "done_today": 1}

    # In English when the browser asks for it.
    english = client.get(WORK, headers={"Accept-Language": "en"}).json()
    assert by_name(english["problems"])["Rechnung gesperrt.pdf"]["todo"] == (
        "Please upload a copy without the password."
    )


def test_a_failed_project_says_to_index_it_again(runtime: Runtime) -> None:
    client = api_client(runtime)
    project = client.post("/api/v1/projects/", json={"name": "Dach Schulz"}).json()
    assert client.post("/api/v1/tasks/purge").status_code == 200

    [problem] = client.get(WORK).json()["problems"]

    assert (problem["id"], problem["state"], problem["retryable"]) == (
        project["id"],
        "failed",
        True,
    )
    assert problem["reason"] == "Abgebrochen: die Warteschlange wurde geleert."
    assert problem["todo"] == "Bitte „Neu erfassen“ wählen."


def test_done_today_is_the_local_day_of_the_clock_handed_in(runtime: Runtime) -> None:
    client = api_client(runtime)
    done = upload(client, "Gestern fertig.txt")
    complete(runtime.queue, done["id"], "", 1)
    work = WorkService(runtime.db)
    now = datetime.now(UTC)

    today = work.overview(now=now, utc_offset_minutes=0, language=Language.DE)
    tomorrow = work.overview(
        now=now + timedelta(days=1), utc_offset_minutes=0, language=Language.DE
    )

    assert [item.name for item in today.done_today] == ["Gestern fertig.txt"]
    assert tomorrow.done_today == [] and tomorrow.counts.done_today == 0


def test_an_offset_past_any_time_zone_is_refused(runtime: Runtime) -> None:
    client = api_client(runtime)
    assert client.get(WORK, params={"utc_offset": 15 * 60}).status_code == 422


def test_searches_add_no_task_to_the_history(client: TestClient) -> None:
    client.post("/api/v1/projects/", json={"name": "Bad saniert", "description": "Dusche neu"})
    upload(client, "Angebot Dusche.txt")
    before = client.get("/api/v1/tasks/tasks", params={"limit": 500}).json()

    projects = client.post("/api/v1/projects/search", json={"query": "Dusche im Bad"})
    documents = client.get("/api/v1/documents/search", params={"q": "Dusche"})

    assert projects.status_code == 200, projects.text
    assert documents.status_code == 200, documents.text
    after = client.get("/api/v1/tasks/tasks", params={"limit": 500}).json()
    assert after["total_count"] == before["total_count"]
    assert [t["task_id"] for t in after["tasks"]] == [t["task_id"] for t in before["tasks"]]
    assert not any(t["task_name"] == "tasks.embed_query" for t in after["tasks"])
    # Nor does the people's view show a search: only the project and the document.
    work = client.get(WORK).json()
    names = {
        item["name"] for group in ("working", "problems", "done_today") for item in work[group]
    }
    assert names == {"Bad saniert", "Angebot Dusche.txt"}
