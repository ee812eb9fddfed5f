"""The Papierkorb (/api/v1/trash): deleted projects and documents wait there, restorable,
until the daily cleanup removes them; with the real database, queue and uploads folder."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from appliance.documents.lifecycle import complete
from appliance.documents.reconcile import reconcile_documents
from appliance.projects.indexing import index_projects, stored_vector
from appliance.runtime import Runtime
from appliance.tasking.context import TaskContext
from appliance.tasks.embeddings import delete_project_embedding
from appliance.trash.service import TrashService
from appliance.wording import Language, say
from tests.api.projects_support import BAD, DACH, create, indexed, queued

# Each test with a database runs on SQLite and on a real PostgreSQL server (conftest.py).
ON_BOTH_DATABASES = True

DOCS = "/api/v1/documents/"
PROJECTS = "/api/v1/projects/"
TRASH = "/api/v1/trash"


def upload(client: TestClient, name: str, text: str, **fields: str) -> dict[str, Any]:
    response = client.post(f"{DOCS}upload", files={"file": (name, text.encode())}, data=fields)
    assert response.status_code == 201, response.text
    return dict(response.json())


def trash(client: TestClient) -> list[dict[str, Any]]:
    response = client.get(TRASH)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == len(body["data"])
    assert body["keep_days"] == 30
    return list(body["data"])


def files(runtime: Runtime) -> set[str]:
    return {path.name for path in runtime.settings.uploads_dir.iterdir()}


def test_a_deleted_project_waits_in_the_trash_and_comes_back_with_its_documents(
    client: TestClient, app_runtime: Runtime
) -> None:
    project = create(client, {**BAD, "final_cost": "18250.50"})
    kept = upload(client, "angebot.txt", "Angebot Bad", project_id=project["id"])
    moved = upload(client, "skizze.txt", "Skizze Bad", project_id=project["id"])
    answer = client.delete(f"{PROJECTS}{project['id']}").json()
    assert (answer["status"], answer["documents_unlinked"]) == ("deleted", 2)
    assert client.get(f"{PROJECTS}{project['id']}").status_code == 404

    [entry] = trash(client)
    assert (entry["kind"], entry["id"], entry["name"]) == ("project", project["id"], BAD["name"])
    deleted = datetime.fromisoformat(entry["deleted_at"])
    assert datetime.fromisoformat(entry["expires_at"]) - deleted == timedelta(days=30)

    # Meanwhile one of its papers went to another job: that choice stands.
    other = create(client, DACH)
    client.patch(f"{DOCS}{moved['id']}", json={"project_id": other["id"]})
    restored = client.post(f"{TRASH}/project/{project['id']}/restore")
    assert restored.status_code == 200, restored.text
    back = client.get(f"{PROJECTS}{project['id']}").json()
    assert back["name"] == BAD["name"] and back["final_cost"] == 18250.5
    assert back["status"] == "pending"
    assert queued(app_runtime, restored.json()["task_id"])[:2] == (
        "tasks.generate_project_embedding",
        "PENDING",
    )
    assert client.get(f"{DOCS}{kept['id']}").json()["project_id"] == project["id"]
    assert client.get(f"{DOCS}{moved['id']}").json()["project_id"] == other["id"]
    assert trash(client) == []


def test_a_deleted_document_keeps_its_file_and_is_read_again_when_restored(
    client: TestClient, app_runtime: Runtime
) -> None:
    document = upload(client, "rechnung.txt", "Rechnung Dachrinne")
    complete(app_runtime.queue, document["id"], "Rechnung Dachrinne", 1)
    before = files(app_runtime)
    assert client.delete(f"{DOCS}{document['id']}").status_code == 200
    assert client.get(f"{DOCS}{document['id']}").status_code == 404
    hits = client.get(f"{DOCS}search", params={"q": "Dachrinne", "mode": "fulltext"}).json()
    assert hits["count"] == 0
    assert files(app_runtime) == before
    # The start-up sweep of orphaned files leaves a trashed document's file alone.
    assert reconcile_documents(app_runtime).files_removed == 0
    assert files(app_runtime) == before

    [entry] = trash(client)
    assert (entry["kind"], entry["name"]) == ("document", "rechnung.txt")
    restored = client.post(f"{TRASH}/document/{document['id']}/restore").json()
    back = client.get(f"{DOCS}{document['id']}").json()
    assert (back["status"], back["original_name"]) == ("pending", "rechnung.txt")
    assert back["task_id"] == restored["task_id"]
    assert queued(app_runtime, restored["task_id"])[0] == "tasks.process_document"


def test_a_document_whose_file_came_back_meanwhile_is_not_restored_twice(
    client: TestClient,
) -> None:
    document = upload(client, "plan.txt", "Grundriss EG")
    client.delete(f"{DOCS}{document['id']}")
    again = upload(client, "plan-neu.txt", "Grundriss EG")
    response = client.post(f"{TRASH}/document/{document['id']}/restore")
    assert response.status_code == 409
    body = response.json()
    assert body["error_code"] == "trash_restore_duplicate"
    assert body["detail"] == say(
        "trash_restore_duplicate", Language.DE, name="plan.txt", other="plan-neu.txt"
    )
    assert client.get(f"{DOCS}{again['id']}").status_code == 200
    assert [e["id"] for e in trash(client)] == [document["id"]]


def test_removing_for_good_takes_the_file_and_cannot_be_undone(
    client: TestClient, app_runtime: Runtime
) -> None:
    document = upload(client, "notiz.txt", "Notiz")
    before = files(app_runtime)
    client.delete(f"{DOCS}{document['id']}")
    response = client.delete(f"{TRASH}/document/{document['id']}")
    assert response.json() == {"status": "removed", "kind": "document", "id": document["id"]}
    assert len(files(app_runtime)) == len(before) - 1
    again = client.post(f"{TRASH}/document/{document['id']}/restore")
    assert again.status_code == 404
    assert again.json()["error_code"] == "trash_item_not_found"
    assert client.delete(f"{TRASH}/document/{document['id']}").status_code == 404
    assert client.post(f"{TRASH}/folder/x/restore").status_code == 422


def test_the_daily_cleanup_removes_what_is_older_than_30_days(
    client: TestClient, app_runtime: Runtime
) -> None:
    old = create(client, DACH)
    document = upload(client, "alt.txt", "Alter Lieferschein")
    client.delete(f"{PROJECTS}{old['id']}")
    client.delete(f"{DOCS}{document['id']}")
    before = files(app_runtime)
    service = TrashService(app_runtime)
    now = datetime.now(UTC)
    assert service.empty_expired(now + timedelta(days=29)) == 0
    assert len(trash(client)) == 2
    assert service.empty_expired(now + timedelta(days=31)) == 2
    assert trash(client) == []
    assert len(files(app_runtime)) == len(before) - 1


def test_a_project_restored_before_its_deletion_task_ran_keeps_its_new_vector(
    client: TestClient, app_runtime: Runtime
) -> None:
    [project_id] = indexed(app_runtime, client, [DACH])
    client.delete(f"{PROJECTS}{project_id}")  # queues tasks.delete_project_embedding
    client.post(f"{TRASH}/project/{project_id}/restore")  # queues its embedding
    assert index_projects(app_runtime, [project_id]).indexed == [project_id]
    # The deletion's task runs late, after the restore: it leaves the vector alone.
    late = TaskContext("late", "tasks.delete_project_embedding", 1, app_runtime, math.inf)
    assert delete_project_embedding(late, project_id)["status"] == "skipped"
    model = app_runtime.embedder.model_name
    assert stored_vector(app_runtime, project_id, model) is not None
    similar = client.get(f"{PROJECTS}{project_id}/similar")
    assert similar.status_code == 200
