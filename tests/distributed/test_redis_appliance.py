"""The whole appliance (launcher + 2 local workers) with its queue on a real Redis."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.distributed.redis_server import RedisServer
from tests.e2e.test_documents import search as search_documents
from tests.e2e.test_documents import upload, wait_done
from tests.e2e.test_projects import search as search_projects
from tests.e2e.test_projects import wait_indexed
from tests.fixtures import documents as make
from tests.support import RunningAppliance, wait_for

pytestmark = pytest.mark.e2e

DB = 2


@pytest.fixture(scope="module")
def on_redis(
    redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningAppliance]:
    redis.Redis.from_url(redis_server.url(DB)).flushdb()
    running = RunningAppliance(
        tmp_path_factory.mktemp("on-redis") / "data",
        env={"APPLIANCE_QUEUE_URL": redis_server.url(DB), "APPLIANCE_WORKERS": "2"},
    ).start()
    yield running
    running.close()


def test_embeddings_and_documents_run_end_to_end_on_redis(
    on_redis: RunningAppliance, tmp_path: Path
) -> None:
    bath = on_redis.client.post(
        "/api/v1/projects/",
        json={"name": "Bad sanieren", "trade": "Sanitär", "description": "Bodengleiche Dusche"},
    ).json()
    roof = on_redis.client.post(
        "/api/v1/projects/",
        json={"name": "Dach decken", "trade": "Dachdecker", "description": "Ziegel erneuert"},
    ).json()
    pdf = make.text_pdf(tmp_path / "rechnung.pdf", ["Rechnung Estrich Kellerraum"])
    scan = make.scanned_pdf(tmp_path / "scan.pdf", "Angebot Fliesen Badezimmer")
    documents = [upload(on_redis, pdf), upload(on_redis, scan)]
    wait_indexed(on_redis, bath["id"])
    wait_indexed(on_redis, roof["id"])
    hits = search_projects(on_redis, "Dusche im Badezimmer")
    assert hits[0]["id"] == bath["id"]
    for document in documents:
        assert wait_done(on_redis, document["id"])["status"] == "completed"
    assert [d["id"] for d in search_documents(on_redis, "Estrich")] == [documents[0]["id"]]
    assert [d["id"] for d in search_documents(on_redis, "Fliesen")] == [documents[1]["id"]]
    # The messages went through Redis: nothing is left in a SQLite queue file.
    assert not (on_redis.data_dir / "queue.db").exists()


def test_monitoring_reports_the_redis_broker(on_redis: RunningAppliance) -> None:
    health = on_redis.client.get("/api/v1/tasks/health").json()
    assert (health["broker"], health["broker_connected"]) == ("redis", True)
    summary = on_redis.client.get("/api/v1/tasks/summary").json()
    assert summary["broker"] == {"connected": True, "type": "redis"}
    workers = on_redis.client.get("/api/v1/tasks/workers/stats").json()["workers"]
    # With a shared queue every worker name says which machine it is on.
    assert all(name.startswith("huey@") and "/worker-" in name for name in workers)
    assert sorted(w["queue"] for w in workers.values()) == ["default", "embeddings"]
    assert [name for name, w in workers.items() if w["periodic"]] == [
        next(name for name, w in workers.items() if w["queue"] == "default")
    ]


def test_retries_wait_in_the_redis_schedule_and_come_due(on_redis: RunningAppliance) -> None:
    task_id = on_redis.enqueue("tasks.fail", "kaputt")
    row = on_redis.wait_state(task_id, {"FAILURE"}, timeout=60)
    # 1 + 3 retries (1 s, 2 s, 4 s with APPLIANCE_RETRY_BASE_DELAY=1), all through Redis.
    assert row.attempts == 4


def test_a_waiting_task_revoked_on_redis_never_runs(on_redis: RunningAppliance) -> None:
    blocker = on_redis.enqueue("tasks.sleep", 3)
    on_redis.wait_state(blocker, {"STARTED"})
    waiting = on_redis.enqueue("tasks.ping", "nie")
    answer = on_redis.client.post(f"/api/v1/tasks/task/{waiting}/revoke")
    assert answer.status_code == 200, answer.text
    on_redis.wait_state(blocker, {"SUCCESS"})
    # The message was taken from Redis and dropped: the ledger said REVOKED.
    wait_for(lambda: on_redis.runtime.queue.queue_depth() == 0, timeout=10, what="empty queue")
    assert on_redis.task(waiting).state == "REVOKED"
    assert on_redis.task(waiting).attempts == 0
