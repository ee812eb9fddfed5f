"""The monitoring API in-process, on real databases with no worker running."""

from __future__ import annotations

import time

from appliance.documents.lifecycle import fail
from appliance.runtime import Runtime
from tests.support import api_client


def test_health_is_503_without_a_worker_heartbeat(runtime: Runtime) -> None:
    client = api_client(runtime)
    response = client.get("/api/v1/tasks/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["broker_connected"] is True
    assert any("heartbeat" in problem for problem in body["problems"])


def test_health_is_503_when_the_queue_database_is_unreachable(runtime: Runtime) -> None:
    runtime.workers.register_worker(
        name="huey@worker-1", pid=1, hostname="h", periodic=True, registered=[], now=9e12
    )
    runtime.queue.close()
    runtime.settings.queue_db_path.unlink()
    runtime.settings.queue_db_path.mkdir()  # a folder where the file was: cannot open
    client = api_client(runtime)
    body = client.get("/api/v1/tasks/health").json()
    assert body["broker_connected"] is False
    assert body["status"] == "unhealthy"


def test_waiting_task_result_is_202(runtime: Runtime) -> None:
    task_id = runtime.queue.enqueue("tasks.ping")
    client = api_client(runtime)
    response = client.get(f"/api/v1/tasks/task/{task_id}/result")
    assert response.status_code == 202
    assert response.json()["status"] == "PENDING"


def test_revoke_pending_then_retry(runtime: Runtime) -> None:
    task_id = runtime.queue.enqueue("tasks.ping")
    client = api_client(runtime)
    assert client.post(f"/api/v1/tasks/task/{task_id}/revoke").status_code == 200
    assert client.get(f"/api/v1/tasks/task/{task_id}").json()["status"] == "REVOKED"
    assert client.post(f"/api/v1/tasks/task/{task_id}/retry").status_code == 200
    assert client.get(f"/api/v1/tasks/task/{task_id}").json()["status"] == "PENDING"


def test_a_result_past_its_expiry_is_not_returned_even_before_the_cleanup_ran(
    runtime: Runtime,
) -> None:
    # Results expire after an hour. The fresh one is a minute old, not a second short of the
    # hour: a slow machine must not let it expire between this line and the request.
    now = time.time()
    old, fresh = runtime.queue.enqueue("tasks.ping"), runtime.queue.enqueue("tasks.ping")
    for task_id, finished in ((old, now - 3601), (fresh, now - 60)):
        runtime.ledger.claim(
            task_id=task_id,
            name="tasks.ping",
            worker="w1",
            now=finished - 1,
            default_max_retries=3,
            create_missing=False,
        )
        runtime.ledger.finish_success(
            task_id=task_id, worker="w1", result={"pong": task_id}, duration=0.1, now=finished
        )
    client = api_client(runtime)

    gone = client.get(f"/api/v1/tasks/task/{old}/result")
    kept = client.get(f"/api/v1/tasks/task/{fresh}/result")

    assert gone.status_code == 200
    assert (gone.json()["result"], gone.json()["result_expired"]) == (None, True)
    assert kept.json()["result"] == {"pong": fresh} and kept.json()["result_expired"] is False
    listed = {t["task_id"]: t for t in client.get("/api/v1/tasks/tasks").json()["tasks"]}
    assert listed[old]["result"] is None and listed[fresh]["result"] == {"pong": fresh}
    assert client.get(f"/api/v1/tasks/task/{old}").json()["result"] is None


def test_a_task_about_a_document_or_project_is_named_by_it(runtime: Runtime) -> None:
    client = api_client(runtime)
    files = {"file": ("Angebot Keller.pdf", b"%PDF-1.4\n%%EOF\n")}
    document = client.post("/api/v1/documents/upload", files=files).json()
    project = client.post("/api/v1/projects/", json={"name": "Bad Familie Krüger"}).json()
    ping = runtime.queue.enqueue("tasks.ping")

    listed = {t["task_id"]: t for t in client.get("/api/v1/tasks/tasks").json()["tasks"]}
    assert listed[document["task_id"]]["subject"] == "Angebot Keller.pdf"
    assert listed[project["task_id"]]["subject"] == "Bad Familie Krüger"
    assert listed[ping]["subject"] is None
    one = client.get(f"/api/v1/tasks/task/{document['task_id']}").json()
    assert one["subject"] == "Angebot Keller.pdf" and one["retryable"] is False  # waiting
    runtime.ledger.claim(
        task_id=document["task_id"],
        name="tasks.process_document",
        worker="w1",
        now=time.time(),
        default_max_retries=3,
        create_missing=False,
    )
    [running] = client.get("/api/v1/tasks/tasks/active").json()["active_tasks"]
    assert running["subject"] == "Angebot Keller.pdf"

    # A document deleted meanwhile leaves its task without a subject, not without a row.
    client.delete(f"/api/v1/documents/{document['id']}")
    assert client.get(f"/api/v1/tasks/task/{document['task_id']}").json()["subject"] is None


def test_the_task_of_a_file_that_cannot_be_read_is_not_run_again(runtime: Runtime) -> None:
    client = api_client(runtime)
    files = {"file": ("kaputt.pdf", b"%PDF-1.4\n%%EOF\n")}
    document = client.post("/api/v1/documents/upload", files=files).json()
    task_id = document["task_id"]
    runtime.ledger.claim(
        task_id=task_id,
        name="tasks.process_document",
        worker="w1",
        now=time.time(),
        default_max_retries=3,
        create_missing=False,
    )
    fail(runtime.db, document["id"], "The PDF is damaged.", "corrupt")
    runtime.ledger.finish_failure(
        task_id=task_id, worker="w1", error="damaged", duration=0.1, retry_delay=None, now=1.0
    )

    view = client.get(f"/api/v1/tasks/task/{task_id}").json()
    assert (view["status"], view["retryable"]) == ("FAILURE", False)
    refused = client.post(f"/api/v1/tasks/task/{task_id}/retry")
    assert refused.status_code == 409
    assert refused.json()["error_code"] == "task_not_retryable"
    assert "„kaputt.pdf“ scheitert jedes Mal gleich" in refused.json()["detail"]
    assert runtime.ledger.get(task_id).state == "FAILURE"

    # A failure another try may help (the reader ran out of memory) stays retryable.
    fail(runtime.db, document["id"], "Too much memory.", "too_much_memory")
    assert client.get(f"/api/v1/tasks/task/{task_id}").json()["retryable"] is True
    assert client.post(f"/api/v1/tasks/task/{task_id}/retry").status_code == 200
