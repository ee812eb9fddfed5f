"""Section 2: embedding throughput through the queue, enqueue until searchable.

Two ways in: every project created through the API (one `generate_project_embedding`
task each, the interactive path), and `POST /projects/reindex` (batches of 10, the bulk
path). Baseline: raw sentence-transformers `encode` in one fresh process on the same
texts, one at a time and in batches of 32, with torch's default threads (all cores) and
with one thread (what the appliance's embedding worker is given).
"""

from __future__ import annotations

import time
from typing import Any

from bench import ledger_view, samples
from bench.core import BenchContext, Figure, SectionResult, Target
from bench.http import TimedClient
from bench.live import PROJECTS, create_project, launcher_pid, started, warm_up
from bench.raw import run_raw
from bench.stats import fmt_number
from tests.support import RunningAppliance, wait_for

TARGET = Target(">=", 105.0)


def _pids(running: RunningAppliance) -> dict[str, int]:
    return {"launcher": launcher_pid(running), **running.worker_pids()}


def _one_task_each(running: RunningAppliance, bodies: list[dict[str, Any]]) -> dict[str, Any]:
    """Create every project through the API; wait until all are indexed."""
    client = TimedClient(running.port)
    runtime = running.runtime
    before = ledger_view.indexed_count(runtime)
    meter = ledger_view.CpuMeter(_pids(running))
    started_at = time.perf_counter()
    created = [create_project(client, body) for body in bodies]
    posted = time.perf_counter() - started_at
    target = before + len(bodies)
    wait_for(
        lambda: ledger_view.indexed_count(runtime) >= target,
        timeout=600,
        interval=0.05,
        what="all projects indexed",
    )
    seconds = time.perf_counter() - started_at
    cpu = meter.read()
    client.close()
    rows = ledger_view.timings(runtime, [c["task_id"] for c in created])
    return {
        "projects": len(bodies),
        "seconds": seconds,
        "post_seconds": posted,
        "per_s": len(bodies) / seconds,
        "cpu_percent": cpu,
        "tasks": ledger_view.latency_summary(rows),
        "ids": [c["id"] for c in created],
    }


def _reindex(running: RunningAppliance, ids: list[str]) -> dict[str, Any]:
    """Re-embed the projects through `POST /projects/reindex`; wait for every batch."""
    client = TimedClient(running.port)
    runtime = running.runtime
    meter = ledger_view.CpuMeter(_pids(running))
    started_at = time.perf_counter()
    answer = client.post(f"{PROJECTS}reindex", {"project_ids": ids})
    task_ids: list[str] = answer.body["task_ids"]

    def finished() -> bool:
        counts = ledger_view.states(runtime, task_ids)
        if counts.get("FAILURE"):
            raise RuntimeError(f"reindex batches failed: {counts}")
        return counts.get("SUCCESS", 0) == len(task_ids)

    wait_for(finished, timeout=600, interval=0.05, what="reindex finished")
    seconds = time.perf_counter() - started_at
    cpu = meter.read()
    client.close()
    rows = ledger_view.timings(runtime, task_ids)
    return {
        "projects": len(ids),
        "batches": len(task_ids),
        "seconds": seconds,
        "per_s": len(ids) / seconds,
        "cpu_percent": cpu,
        "tasks": ledger_view.latency_summary(rows),
    }


def run(ctx: BenchContext) -> SectionResult:
    result = SectionResult("embeddings", "2. Embedding throughput through the queue")
    count = ctx.scale(1000, 100)
    bodies = [samples.project_body(i) for i in range(count)]
    texts = [samples.embedding_text(body) for body in bodies]
    raw = run_raw("encode", {"texts": texts, "threads": sorted({ctx.cores, 1}, reverse=True)})
    with started(ctx.folder("embeddings")) as running:
        warm_seconds = warm_up(running)
        single = _one_task_each(running, bodies)
        bulk = _reindex(running, single.pop("ids"))
    all_cores = raw["runs"][str(ctx.cores)]
    one_thread = raw["runs"]["1"]
    result.detail = {"raw": raw, "one_task_each": single, "reindex": bulk, "warm_s": warm_seconds}
    result.add(
        Figure(
            f"{count} projects created, one task each (create → indexed)",
            "/s",
            single["per_s"],
            all_cores["batched_per_s"],
            f"raw encode, batches of 32, {ctx.cores} threads",
            TARGET,
            "seed (Celery) 84/s warm",
        )
    )
    result.add(
        Figure(
            f"{count} projects reindexed, batches of 10 (request → all done)",
            "/s",
            bulk["per_s"],
            all_cores["batched_per_s"],
            f"raw encode, batches of 32, {ctx.cores} threads",
            TARGET,
        )
    )
    result.add(
        Figure(
            "one task each, against what its worker can do",
            "/s",
            single["per_s"],
            one_thread["single_per_s"],
            "raw encode, one at a time, 1 thread",
        )
    )
    result.add(
        Figure(
            "reindex, against what its worker can do",
            "/s",
            bulk["per_s"],
            one_thread["batched_per_s"],
            "raw encode, batches of 32, 1 thread",
        )
    )
    lines = [
        "| Raw encode (fresh process, same texts) | one at a time | batches of 32 |",
        "|---|---|---|",
    ]
    for threads, run_ in raw["runs"].items():
        lines.append(
            f"| {threads} thread(s) | {fmt_number(run_['single_per_s'])}/s | "
            f"{fmt_number(run_['batched_per_s'])}/s |"
        )
    result.detail["markdown"] = lines
    for name, path, per_task in (("one task each", single, 1), ("reindex", bulk, 10)):
        cpu = path["cpu_percent"]
        tasks = path["tasks"]
        wall_ms = path["seconds"] * 1000 / path["projects"] * per_task
        result.notes.append(
            f"{name}: {fmt_number(path['seconds'])} s, {fmt_number(wall_ms)} ms of wall time "
            f"per task: the task ran {fmt_number(tasks['run_ms'].get('p50'))} ms, the worker "
            f"took {fmt_number(tasks['gap_ms'].get('p50'))} ms to take the next (p50; "
            f"raw encode of one text, 1 thread: {fmt_number(one_thread['single_ms']['p50'])} ms)"
            "; CPU: machine "
            f"{cpu['machine']:.0f} % of {ctx.cores} cores, embedding worker "
            f"{cpu.get('huey@worker-1', 0):.0f} %, launcher {cpu.get('launcher', 0):.0f} % "
            "of one core."
        )
    result.notes.append(
        f"Texts: name, trade and description as the appliance embeds them, "
        f"{raw['tokens_mean']:.0f} word pieces on average (the seed's fixture projects are "
        "as long); encode cost grows with the length."
    )
    result.notes.append(
        f"Creating the {count} projects took {fmt_number(single['post_seconds'])} s of the "
        f"{fmt_number(single['seconds'])} s; model load in the raw process "
        f"{fmt_number(raw['load_s'])} s."
    )
    return result
