"""`appliance purge` and POST /api/v1/tasks/purge: waiting tasks dropped, their owners told."""

from __future__ import annotations

import os
import subprocess
import sys

from fastapi.testclient import TestClient

from appliance.runtime import Runtime
from tests.support import api_client

TEXT = "Aufmaß Küche, Fliesen 30 x 60, Fugenfarbe grau\n".encode()


def waiting_work(client: TestClient) -> dict[str, str]:
    """A document, a project and a ping, all waiting for a worker that does not come."""
    document = client.post("/api/v1/documents/upload", files={"file": ("aufmass.txt", TEXT)}).json()
    project = client.post(
        "/api/v1/projects/", json={"name": "Küche fliesen", "description": "Fliesen legen"}
    ).json()
    return {"document": document["id"], "project": project["id"]}


def test_purge_drops_every_waiting_task_and_tells_documents_and_projects(
    runtime: Runtime,
) -> None:
    client = api_client(runtime)
    work = waiting_work(client)
    ping = runtime.queue.enqueue("tasks.ping")

    answer = client.post("/api/v1/tasks/purge")

    assert answer.status_code == 200
    body = answer.json()
    assert (body["status"], body["purged"]) == ("purged", 3)
    assert ping in body["task_ids"]
    assert runtime.queue.queue_depth() == 0 and runtime.queue.scheduled_count() == 0
    assert {runtime.ledger.get(t).state for t in body["task_ids"]} == {"REVOKED"}
    assert runtime.ledger.get(ping).error == "purged"
    document = client.get(f"/api/v1/documents/{work['document']}").json()
    assert (document["status"], document["error_code"]) == ("failed", "purged")
    project = client.get(f"/api/v1/projects/{work['project']}").json()
    assert (project["status"], project["embedding_error"]) == ("failed", "purged")

    # Both can be started again, as their retry actions do.
    again = client.post(f"/api/v1/documents/{work['document']}/retry").json()
    assert again["status"] == "pending"
    reindex = client.post("/api/v1/projects/reindex", json={"project_ids": [work["project"]]})
    assert reindex.status_code == 200
    assert runtime.queue.queue_depth() == 2


def test_purge_of_one_queue_leaves_the_other_alone(runtime: Runtime) -> None:
    client = api_client(runtime)
    work = waiting_work(client)

    body = client.post("/api/v1/tasks/purge", params={"queue": "embeddings"}).json()

    assert (body["purged"], body["queues"]) == (1, ["embeddings"])
    assert client.get(f"/api/v1/projects/{work['project']}").json()["status"] == "failed"
    assert client.get(f"/api/v1/documents/{work['document']}").json()["status"] == "pending"
    unknown = client.post("/api/v1/tasks/purge", params={"queue": "nirgends"})
    assert unknown.status_code == 422
    assert "'default' oder 'embeddings'" in unknown.json()["detail"][0]["msg"]


def test_the_purge_command_asks_first_and_says_how_many(runtime: Runtime) -> None:
    for n in range(3):
        runtime.queue.enqueue("tasks.ping", n)
    env = {**os.environ, "APPLIANCE_DATA_DIR": str(runtime.settings.data_dir)}
    command = [sys.executable, "-m", "appliance", "purge"]

    unasked = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert unasked.returncode == 1
    assert "add --yes" in unasked.stderr and "Nothing was dropped." in unasked.stdout
    assert runtime.queue.queue_depth() == 3

    done = subprocess.run([*command, "--yes"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == (
        "Dropped 3 waiting tasks from default, embeddings."
    )
    assert runtime.queue.queue_depth() == 0
    nothing = subprocess.run(
        [*command, "--yes"], env=env, capture_output=True, text=True, timeout=120
    )
    assert nothing.stdout.strip() == "No task is waiting; nothing to drop."
