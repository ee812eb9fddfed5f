"""Every monitoring endpoint's shape, and /metrics, against the running appliance."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support import RunningAppliance

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]


def test_task_and_result_shapes(appliance: RunningAppliance) -> None:
    task_id = appliance.enqueue("tasks.ping", 1)
    appliance.wait_state(task_id, {"SUCCESS"})
    task = appliance.client.get(f"/api/v1/tasks/task/{task_id}").json()
    assert {"task_id", "status", "result", "error", "ready", "successful"} <= task.keys()
    result = appliance.client.get(f"/api/v1/tasks/task/{task_id}/result").json()
    assert result["task_id"] == task_id and result["status"] == "SUCCESS"
    assert result["result"]["status"] == "success"


def test_result_of_an_unfinished_task_is_202(appliance: RunningAppliance) -> None:
    task_id = appliance.enqueue("tasks.sleep", 1)
    response = appliance.client.get(f"/api/v1/tasks/task/{task_id}/result")
    assert response.status_code == 202
    assert response.json()["status"] in ("PENDING", "STARTED")
    appliance.wait_state(task_id, {"SUCCESS"})
    assert appliance.client.get(f"/api/v1/tasks/task/{task_id}/result").status_code == 200


def test_unknown_task_is_404(appliance: RunningAppliance) -> None:
    for path in ("/api/v1/tasks/task/nope", "/api/v1/tasks/task/nope/result"):
        response = appliance.client.get(path)
        assert response.status_code == 404
        assert response.json()["detail"]


def test_queue_stats_shape(appliance: RunningAppliance) -> None:
    body = appliance.client.get("/api/v1/tasks/queue/stats").json()
    assert {"active_tasks", "reserved_tasks", "workers", "workers_active", "queue_stats"} <= (
        body.keys()
    )
    assert body["workers"] == 4
    assert body["workers_active"] == [f"huey@worker-{i}" for i in range(1, 5)]
    stats = body["queue_stats"]["huey@worker-1"]
    assert {"pool", "max_concurrency", "processes", "active_tasks", "reserved_tasks"} <= (
        stats.keys()
    )


def test_workers_stats_lists_registered_tasks(appliance: RunningAppliance) -> None:
    body = appliance.client.get("/api/v1/tasks/workers/stats").json()
    assert body["total_workers"] == 4
    worker = body["workers"]["huey@worker-2"]
    assert {"pool", "active_tasks", "registered_tasks"} <= worker.keys()
    assert "tasks.ping" in worker["registered_tasks"]
    assert worker["status"] == "online"
    periodic = [name for name, w in body["workers"].items() if w["periodic"]]
    assert periodic == ["huey@worker-2"]
    assert body["workers"]["huey@worker-1"]["queue"] == "embeddings"


def test_active_tasks_lists_running_work(appliance: RunningAppliance) -> None:
    task_id = appliance.enqueue("tasks.sleep", 1.5)
    appliance.wait_state(task_id, {"STARTED"})
    body = appliance.client.get("/api/v1/tasks/tasks/active").json()
    entry = next(t for t in body["active_tasks"] if t["task_id"] == task_id)
    assert entry["task_name"] == "tasks.sleep"
    assert entry["worker"].startswith("huey@worker-")
    assert isinstance(entry["time_start"], float)
    assert body["total_count"] >= 1
    appliance.wait_state(task_id, {"SUCCESS"})


def test_health_and_summary(appliance: RunningAppliance) -> None:
    health = appliance.client.get("/api/v1/tasks/health")
    assert health.status_code == 200
    body = health.json()
    assert body["status"] == "healthy" and body["broker_connected"] is True
    assert body["workers"] == 4 and "timestamp" in body
    summary = appliance.client.get("/api/v1/tasks/summary").json()
    assert summary["status"] == "healthy"
    assert summary["workers"] == {"total": 4, "active": 4}
    assert {"active", "reserved", "total"} <= summary["tasks"].keys()
    assert summary["broker"] == {"connected": True, "type": "sqlite"}


def test_history_filters_and_paging(appliance: RunningAppliance) -> None:
    ids = [appliance.enqueue("tasks.ping", i) for i in range(3)]
    for task_id in ids:
        appliance.wait_state(task_id, {"SUCCESS"})
    body = appliance.client.get(
        "/api/v1/tasks/tasks", params={"name": "tasks.ping", "state": "SUCCESS", "limit": 2}
    ).json()
    assert len(body["tasks"]) == 2
    assert body["total_count"] >= 3
    assert all(t["task_name"] == "tasks.ping" for t in body["tasks"])
    assert [t["task_id"] for t in body["tasks"]] == [ids[2], ids[1]]  # newest first
    page2 = appliance.client.get(
        "/api/v1/tasks/tasks", params={"name": "tasks.ping", "limit": 2, "offset": 2}
    ).json()
    assert page2["tasks"][0]["task_id"] != ids[2]
    bad = appliance.client.get("/api/v1/tasks/tasks", params={"state": "DONE"})
    assert bad.status_code == 422
    [error] = bad.json()["detail"]
    assert error["loc"] == ["query", "state"] and error["input"] == "DONE"


def test_metrics_parse_with_prometheus_parser(appliance: RunningAppliance) -> None:
    task_id = appliance.enqueue("tasks.ping")
    appliance.wait_state(task_id, {"SUCCESS"})
    response = appliance.client.get("/metrics")
    assert response.status_code == 200
    families = {f.name: f for f in text_string_to_metric_families(response.text)}
    for name in (
        "appliance_tasks",
        "appliance_task_retries",
        "appliance_task_duration_seconds",
        "appliance_active_tasks",
        "appliance_queue_depth",
        "appliance_workers_up",
        "appliance_tasks_current",
    ):
        assert name in families, name
    successes = [
        s.value
        for s in families["appliance_tasks"].samples
        if s.labels == {"task_name": "tasks.ping", "state": "SUCCESS"}
    ]
    assert successes and successes[0] >= 1
    assert families["appliance_workers_up"].samples[0].value == 4
    durations = [
        s
        for s in families["appliance_task_duration_seconds"].samples
        if s.name.endswith("_count") and s.labels["task_name"] == "tasks.ping"
    ]
    assert durations and durations[0].value >= 1


def test_openapi_docs_are_served(appliance: RunningAppliance) -> None:
    assert appliance.client.get("/docs").status_code == 200
    paths = appliance.client.get("/openapi.json").json()["paths"]
    assert "/api/v1/tasks/task/{task_id}/revoke" in paths


def test_grafana_dashboard_queries_metrics_that_exist(appliance: RunningAppliance) -> None:
    dashboard = json.loads((REPO / "build" / "grafana-dashboard.json").read_text("utf-8"))
    titles = [panel["title"] for panel in dashboard["panels"]]
    assert titles == ["Task throughput", "Task duration p95", "Workers up", "Failure rate"]
    exposed = {
        sample.name
        for family in text_string_to_metric_families(appliance.client.get("/metrics").text)
        for sample in family.samples
    }
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            for metric in re.findall(r"appliance_[a-z_]+", target["expr"]):
                assert metric in exposed, f"{panel['title']}: {metric} is not exposed"
