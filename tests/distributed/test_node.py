"""Worker nodes (`appliance node`) standing in for other machines.

Each node runs as its own processes on its OWN empty data folder: it shares only what a
machine on the network would: the Redis queue, the app database on PostgreSQL (both
real servers, started by the tests), and the launcher's URL and worker token. It cannot
see the launcher's uploads folder, so files must come through the API.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from prometheus_client.parser import text_string_to_metric_families

from appliance.bootstrap import start_runtime
from appliance.config import Settings
from appliance.runtime import Runtime
from tests.distributed.pg_server import PostgresServer
from tests.distributed.redis_server import RedisServer
from tests.e2e.test_documents import upload, wait_done
from tests.e2e.test_projects import search, wait_indexed
from tests.fixtures import documents as make
from tests.support import FAST_ENGINE, RunningAppliance, wait_for

pytestmark = pytest.mark.e2e

DB = 3
LONE_DB = 4
TOKEN = "node-test-token-0123456789"
HOST = socket.gethostname()


class Node:
    """`appliance node` as a process group of its own (killable like a whole machine)."""

    def __init__(self, data_dir: Path, name: str, env: dict[str, str], *args: str) -> None:
        self.data_dir = data_dir
        self.name = name
        self.env = {
            **os.environ,
            **FAST_ENGINE,
            **env,
            "APPLIANCE_DATA_DIR": str(data_dir),
            "APPLIANCE_NODE_NAME": name,
        }
        self.args = args
        self.log_path = data_dir.parent / f"{name}.out"
        self.process: subprocess.Popen[bytes] | None = None

    def worker(self, index: int) -> str:
        return f"huey@{self.name}/worker-{index}"

    def start(self) -> Node:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "appliance", "node", *self.args],
            env=self.env,
            stdout=self.log_path.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def kill9(self) -> None:
        """The machine vanishes: supervisor, workers and parser children at once."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill9()

    def log(self) -> str:
        return self.log_path.read_text("utf-8", errors="replace")


def live_worker(runtime: Runtime, name: str) -> Any:
    row = runtime.workers.worker(name)
    if row is None or row.stopped_at is not None or time.time() - row.heartbeat_at > 3:
        return None
    return row


@pytest.fixture(scope="module")
def cluster(
    redis_server: RedisServer, postgres: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """A launcher without workers (the server) and node A with 2 workers."""
    root = tmp_path_factory.mktemp("cluster")
    redis.Redis.from_url(redis_server.url(DB)).flushdb()
    database_url = postgres.create_database()
    shared = {
        "APPLIANCE_QUEUE_URL": redis_server.url(DB),
        "APPLIANCE_DATABASE_URL": database_url,
        "APPLIANCE_WORKER_TOKEN": TOKEN,
    }
    (root / "shared").mkdir()
    server = RunningAppliance(root / "server", env={**shared, "APPLIANCE_WORKERS": "0"})
    server.start(wait=False)
    wait_for(lambda: _serving(server), timeout=60, interval=0.2, what="the server")
    node_env = {**shared, "APPLIANCE_SERVER_URL": server.url}
    node_a = Node(root / "node-a", "node-a", node_env, "--workers", "2", "--periodic").start()
    nodes = [node_a]
    try:
        for index in (1, 2):
            wait_for(
                lambda i=index: live_worker(server.runtime, node_a.worker(i)),
                timeout=90,
                interval=0.2,
                what=f"{node_a.worker(index)}: {node_a.log()[-2000:]}",
            )
        yield {"server": server, "node_a": node_a, "node_env": node_env, "nodes": nodes}
    finally:
        for node in nodes:
            node.stop()
        server.close()
        postgres.drop_database(database_url)


def _serving(server: RunningAppliance) -> bool:
    assert server.process is not None
    if server.process.poll() is not None:
        raise AssertionError(f"server exited: {server.log_tail()}")
    try:
        return server.client.get("/api/v1/system/info").status_code == 200
    except httpx.TransportError:
        return False


def test_node_workers_show_up_in_monitoring_with_their_machine(cluster: dict[str, Any]) -> None:
    server, node_a = cluster["server"], cluster["node_a"]
    workers = server.client.get("/api/v1/tasks/workers/stats").json()["workers"]
    first, second = workers[node_a.worker(1)], workers[node_a.worker(2)]
    assert (first["hostname"], first["queue"], first["status"]) == (HOST, "embeddings", "online")
    assert (second["queue"], second["periodic"]) == ("default", True)
    stats = server.client.get("/api/v1/tasks/queue/stats").json()
    assert stats["queue_stats"][node_a.worker(2)]["hostname"] == HOST
    health = server.client.get("/api/v1/tasks/health")
    assert health.status_code == 200 and health.json()["broker"] == "redis", health.text
    families = {
        family.name: family
        for family in text_string_to_metric_families(server.client.get("/metrics").text)
    }
    up = {
        sample.labels["worker"]: sample.labels for sample in families["appliance_worker_up"].samples
    }
    assert up[node_a.worker(1)] == {"worker": node_a.worker(1), "host": HOST, "queue": "embeddings"}


def test_the_node_reads_uploads_it_fetches_through_the_api(
    cluster: dict[str, Any], tmp_path: Path
) -> None:
    server, node_a = cluster["server"], cluster["node_a"]
    pdf = make.text_pdf(tmp_path / "aufmass.pdf", ["Aufmass Trockenbau Dachgeschoss"])
    scan = make.scanned_pdf(tmp_path / "lieferschein.pdf", "Lieferschein Gipskarton")
    uploaded = [upload(server, pdf), upload(server, scan)]
    for document in uploaded:
        done = wait_done(server, document["id"])
        assert done["status"] == "completed", done
        assert server.task(document["task_id"]).worker == node_a.worker(2)
    assert "Trockenbau" in wait_done(server, uploaded[0]["id"])["searchable_text"]
    assert "fetched" in node_a.log()
    # The node kept no copy; the server still has both files.
    assert list((node_a.data_dir / "uploads").iterdir()) == []
    assert len(list((server.data_dir / "uploads").iterdir())) == 2


def test_projects_are_embedded_on_the_node_and_searchable(cluster: dict[str, Any]) -> None:
    server, node_a = cluster["server"], cluster["node_a"]
    created = server.client.post(
        "/api/v1/projects/",
        json={"name": "Heizung tauschen", "trade": "Heizung", "description": "Gastherme ersetzt"},
    ).json()
    wait_indexed(server, created["id"])
    assert server.task(created["task_id"]).worker == node_a.worker(1)
    assert search(server, "neue Gastherme")[0]["id"] == created["id"]


def test_the_internal_api_wants_the_worker_token(cluster: dict[str, Any]) -> None:
    client = cluster["server"].client
    assert client.get("/internal/files/abc.pdf").status_code == 403
    wrong = {"X-Appliance-Token": "x" * len(TOKEN)}
    assert client.get("/internal/files/abc.pdf", headers=wrong).status_code == 403
    right = {"X-Appliance-Token": TOKEN}
    assert client.get("/internal/files/abc.pdf", headers=right).status_code == 404
    assert client.get("/internal/files/..%2Fapp.db", headers=right).status_code in (404, 422)


def test_a_vanished_node_s_task_is_requeued_by_lease_and_finished_elsewhere(
    cluster: dict[str, Any],
) -> None:
    server, node_a = cluster["server"], cluster["node_a"]
    root = node_a.data_dir.parent
    node_b = Node(root / "node-b", "node-b", cluster["node_env"], "--workers", "1").start()
    cluster["nodes"].append(node_b)
    row = wait_for(
        lambda: live_worker(server.runtime, node_b.worker(1)),
        timeout=60,
        what=f"node B: {node_b.log()[-2000:]}",
    )
    assert not row.periodic  # only node A (asked first) runs periodic tasks
    task_ids = [server.enqueue("tasks.sleep", 3) for _ in range(3)]

    def on_node_b() -> Any:
        rows = [server.task(task_id) for task_id in task_ids]
        return next(
            (r for r in rows if r.state == "STARTED" and r.worker == node_b.worker(1)), None
        )

    victim = wait_for(on_node_b, timeout=60, what="a task on node B")
    node_b.kill9()
    # No supervisor is left to hand it back: only the launcher's lease check can.
    done = server.wait_state(victim.id, {"SUCCESS"}, timeout=60)
    assert done.worker == node_a.worker(2) and done.attempts == 2
    for task_id in task_ids:
        server.wait_state(task_id, {"SUCCESS"}, timeout=30)
    workers = server.client.get("/api/v1/tasks/workers/stats").json()["workers"]
    assert workers[node_b.worker(1)]["status"] == "offline"


def test_revoke_with_terminate_stops_a_task_running_on_a_node(cluster: dict[str, Any]) -> None:
    server, node_a = cluster["server"], cluster["node_a"]
    before = wait_for(
        lambda: live_worker(server.runtime, node_a.worker(2)), timeout=30, what="worker 2"
    ).pid
    task_id = server.enqueue("tasks.sleep", 60)
    server.wait_state(task_id, {"STARTED"}, timeout=30)
    answer = server.client.post(f"/api/v1/tasks/task/{task_id}/revoke?terminate=true")
    assert answer.status_code == 200, answer.text
    # The launcher cannot kill it; the worker sees the revoke and exits, its node restarts it.
    restarted = wait_for(
        lambda: (row := live_worker(server.runtime, node_a.worker(2))) and row.pid != before,
        timeout=30,
        what="node A's worker 2 restarted",
    )
    assert restarted
    assert server.task(task_id).state == "REVOKED"
    assert "no longer ours" in node_a.log()
    ping = server.enqueue("tasks.ping", "weiter")
    server.wait_state(ping, {"SUCCESS"}, timeout=30)


def test_a_node_enforces_the_hard_time_limit_by_itself(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    """No launcher anywhere: the node's own supervisor kills a task past the hard limit."""
    redis.Redis.from_url(redis_server.url(LONE_DB)).flushdb()
    env = {
        "APPLIANCE_QUEUE_URL": redis_server.url(LONE_DB),
        "APPLIANCE_DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
        "APPLIANCE_SERVER_URL": "http://127.0.0.1:9",  # never needed by tasks.sleep
        "APPLIANCE_WORKER_TOKEN": TOKEN,
        "APPLIANCE_TASK_SOFT_TIME_LIMIT": "1",
        "APPLIANCE_TASK_HARD_TIME_LIMIT": "2",
        "APPLIANCE_MAX_RETRIES": "0",
    }
    settings = Settings(
        data_dir=tmp_path / "client",
        queue_url=env["APPLIANCE_QUEUE_URL"],
        database_url=env["APPLIANCE_DATABASE_URL"],
        workers=1,
    )
    runtime = start_runtime(settings)
    node = Node(tmp_path / "node-c", "node-c", env, "--workers", "1").start()
    try:
        first = wait_for(
            lambda: live_worker(runtime, node.worker(1)), timeout=60, what="node C"
        ).pid
        task_id = runtime.queue.enqueue("tasks.sleep", 60, ignore_soft_limit=True)
        wait_for(lambda: runtime.ledger.get(task_id).state == "FAILURE", timeout=30, what="failure")
        assert runtime.ledger.get(task_id).error == "hard time limit exceeded"
        wait_for(
            lambda: (row := live_worker(runtime, node.worker(1))) and row.pid != first,
            timeout=30,
            what="a fresh worker on node C",
        )
        assert f"killed {node.worker(1)}" in node.log()
    finally:
        node.stop()
        runtime.close()
