"""Section 7: the seed's load test, 100 embeddings queued at once.

Ten clients create 100 projects as fast as the server answers (each create queues one
embedding), while the queue depth is sampled every 50 ms. Reported: how the queue grew
and drained, the completion rate, and each task's latency from enqueue to indexed (from
the ledger). Baseline: the same 100 creates, ten clients at once, against the
synchronous server, where an answer means the embedding is done.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench import ledger_view, samples
from bench.baseline_app import baseline_server
from bench.core import BenchContext, Figure, SectionResult
from bench.http import Answer, TimedClient
from bench.live import PROJECTS, started, warm_up
from bench.stats import fmt_number, summary
from tests.support import RunningAppliance, wait_for

CLIENTS = 10


def _burst(port: int, path: str, bodies: list[dict[str, Any]]) -> tuple[list[Answer], float]:
    """POST every body, CLIENTS at a time; returns the answers and the wall time."""
    local = threading.local()

    def post(body: dict[str, Any]) -> Answer:
        if not hasattr(local, "client"):
            local.client = TimedClient(port)
        answer = local.client.post(path, body)
        if answer.status != 201:
            raise RuntimeError(f"create failed: {answer.status} {answer.body}")
        return answer

    started_at = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        answers = list(pool.map(post, bodies))
    return answers, time.perf_counter() - started_at


class DepthSampler:
    """Queue depth and indexed projects every 50 ms, from the benchmark's own view."""

    def __init__(self, running: RunningAppliance) -> None:
        self.runtime = running.runtime
        self.samples: list[tuple[float, int, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.started = time.perf_counter()

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            depth = self.runtime.queue.queue_depth()
            indexed = ledger_view.indexed_count(self.runtime)
            self.samples.append((time.perf_counter() - self.started, depth, indexed))

    def start(self) -> None:
        self.started = time.perf_counter()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def run(ctx: BenchContext) -> SectionResult:
    result = SectionResult("load", "7. The seed's load test: 100 embeddings queued at once")
    count = ctx.scale(100, 50)
    bodies = [samples.project_body(400000 + i) for i in range(count)]
    with started(ctx.folder("load")) as running:
        warm_up(running)
        before = ledger_view.indexed_count(running.runtime)
        sampler = DepthSampler(running)
        sampler.start()
        answers, posted = _burst(running.port, PROJECTS, bodies)
        task_ids = [a.body["task_id"] for a in answers]
        # A project is marked indexed inside its task, just before the task records SUCCESS.
        wait_for(
            lambda: ledger_view.states(running.runtime, task_ids).get("SUCCESS") == count,
            timeout=600,
            interval=0.05,
            what="the burst indexed",
        )
        sampler.stop()
        rows = ledger_view.timings(running.runtime, task_ids)
    with baseline_server(ctx.folder("load") / "baseline", ctx.cores) as base:
        sync_answers, sync_seconds = _burst(base.port, "/projects/", bodies)
    first = min(r["enqueued_at"] for r in rows)
    last = max(r["finished_at"] for r in rows)
    latency = ledger_view.latency_summary(rows)
    request_ms = summary([a.ms for a in answers])
    sync_ms = summary([a.ms for a in sync_answers])
    depths = [depth for _t, depth, _i in sampler.samples]
    peak_at = next(t for t, depth, _i in sampler.samples if depth == max(depths))
    result.detail = {
        "appliance": {
            "post_seconds": posted,
            "completion_s": last - first,
            "latency_ms": latency,
            "request_ms": request_ms,
            "depth_timeline": [(round(t, 2), d, i - before) for t, d, i in sampler.samples],
        },
        "baseline": {"seconds": sync_seconds, "request_ms": sync_ms},
    }
    result.add(
        Figure(
            f"completion rate, {count} queued at once",
            "/s",
            count / (last - first),
            count / sync_seconds,
            f"synchronous, {CLIENTS} clients",
            notes=f"all done {fmt_number(last - first)} s after the first enqueue",
        )
    )
    for stat in ("p50", "p95", "p99"):
        result.add(
            Figure(
                f"latency enqueue → indexed {stat}",
                "ms",
                latency["total_ms"][stat],
                sync_ms[stat],
                "synchronous request (answer = embedded)",
                notes=(
                    f"queue wait {fmt_number(latency['wait_ms'][stat])} ms, "
                    f"run {fmt_number(latency['run_ms'][stat])} ms"
                ),
            )
        )
    result.add(
        Figure(
            "create request p50 during the burst",
            "ms",
            request_ms["p50"],
            sync_ms["p50"],
            "synchronous request",
            notes=f"p99 {fmt_number(request_ms['p99'])} ms (baseline {fmt_number(sync_ms['p99'])})",
        )
    )
    result.add(
        Figure(
            "queue depth, peak",
            "tasks",
            float(max(depths)),
            notes=(
                f"peak {fmt_number(peak_at)} s after the burst began; the {count} creates "
                f"took {fmt_number(posted)} s"
            ),
        )
    )
    timeline = [
        f"{t:.1f} s: {d}" for t, d, _i in sampler.samples[:: max(1, len(sampler.samples) // 12)]
    ]
    result.notes.append("Queue depth over time: " + ", ".join(timeline) + ".")
    return result
