"""Prometheus metrics, read from the ledger at scrape time.

Workers run in other processes (and on other machines), so in-process counters
would each see a slice. The counters live in the app database instead (`task_stats`,
updated in the same transaction as the state change they count), and this collector
turns them into metric families on each scrape.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from appliance.tasking.counters import DURATION_BUCKETS, read_counters
from appliance.tasking.monitor import TaskMonitor
from appliance.tasking.states import FINAL_STATES, TaskState

PREFIX = "appliance"


class TaskMetricsCollector(Collector):
    """Task counts, durations, retries, queue depth and workers for /metrics."""

    def __init__(self, monitor: TaskMonitor) -> None:
        self.monitor = monitor

    def describe(self) -> list[Metric]:
        # Without this, registering the collector would run a full scrape at start-up.
        return []

    def collect(self) -> Iterator[Metric]:
        runtime = self.monitor.runtime
        stats: dict[str, dict[str, float]] = defaultdict(dict)
        for row in read_counters(runtime.queue.db):
            stats[row.name][row.key] = row.value

        finished = CounterMetricFamily(
            f"{PREFIX}_tasks",
            "Tasks that reached a final state, by task name and state.",
            labels=["task_name", "state"],
        )
        retries = CounterMetricFamily(
            f"{PREFIX}_task_retries",
            "Failed attempts that were scheduled for a retry.",
            labels=["task_name"],
        )
        durations = HistogramMetricFamily(
            f"{PREFIX}_task_duration_seconds",
            "Run time of finished task attempts.",
            labels=["task_name"],
        )
        for name, values in sorted(stats.items()):
            for state in sorted(FINAL_STATES):
                finished.add_metric([name, state.value], values.get(state.value, 0.0))
            retries.add_metric([name], values.get("retries", 0.0))
            count = values.get("duration_count", 0.0)
            buckets = [(str(b), values.get(f"le_{b}", 0.0)) for b in DURATION_BUCKETS]
            buckets.append(("+Inf", count))
            durations.add_metric([name], buckets, values.get("duration_sum", 0.0))
        yield finished
        yield retries
        yield durations

        current = GaugeMetricFamily(
            f"{PREFIX}_tasks_current",
            "Tasks now waiting or running, by task name and state.",
            labels=["task_name", "state"],
        )
        # Every task name and open state appears, at 0 when idle, so queries never go blank.
        open_counts = {
            (name, state.value): 0
            for name in self.monitor.runtime.queue.registry.names()
            for state in TaskState
            if state not in FINAL_STATES
        }
        for name, state_code, count in runtime.history.count_by_name_and_state():
            if TaskState(state_code) not in FINAL_STATES:
                open_counts[(name, state_code)] = count
        for (name, state_code), count in sorted(open_counts.items()):
            current.add_metric([name, state_code], count)
        yield current

        active = GaugeMetricFamily(
            f"{PREFIX}_active_tasks", "Tasks running per worker.", labels=["worker"]
        )
        workers_up = GaugeMetricFamily(
            f"{PREFIX}_workers_up",
            "Workers with a heartbeat in the last 30 seconds (or the shorter worker lease).",
        )
        worker_up = GaugeMetricFamily(
            f"{PREFIX}_worker_up",
            "1 for each live worker, with its machine and queue (every machine's workers).",
            labels=["worker", "host", "queue"],
        )
        now = time.time()
        window = self.monitor.live_window
        live = 0
        running: dict[str, int] = defaultdict(int)
        for row in runtime.history.started():
            if row.worker:
                running[row.worker] += 1
        for worker in runtime.workers.workers():
            if worker.stopped_at is None and now - worker.heartbeat_at <= window:
                live += 1
                active.add_metric([worker.name], running.get(worker.name, 0))
                worker_up.add_metric([worker.name, worker.hostname or "", worker.queue], 1)
        workers_up.add_metric([], live)
        yield active
        yield workers_up
        yield worker_up

        depth = GaugeMetricFamily(
            f"{PREFIX}_queue_depth", "Messages waiting in the queue for a worker."
        )
        queued = self.monitor.queue_depth()
        if queued is not None:
            depth.add_metric([], queued)
        yield depth
