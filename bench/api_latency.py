"""Section 1: API latency over loopback HTTP, idle and while all 4 workers are busy.

The appliance answers at once and leaves the work to the queue; the baseline is the
synchronous path (`bench.baseline_app`: embedding or extraction inside the request), as
in the seed's before/after table. Both servers run side by side in this run, each op is
timed in a block on the appliance and then on the baseline, with a pause between
requests so "idle" means no backlog. "Task status" has no counterpart in a synchronous
design; its baseline is a one-row read on the baseline server (the floor of a read).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psutil

from bench import anatomy, samples
from bench.baseline_app import baseline_server
from bench.core import BenchContext, Figure, SectionResult, Target
from bench.http import Answer, TimedClient
from bench.live import DOCUMENTS, PROJECTS, launcher_pid, started, warm_up
from bench.stats import fmt_number, fmt_ratio, ratio, summary
from bench.workload import BusyWorkers

PAUSE = 0.04
OPS = {
    "create": "create project",
    "update": "update project (text changed: re-embed)",
    "task_status": "task status",
    "status_back_to_back": "task status, back to back on one connection",
    "delete": "delete project",
    "upload_1mb": "upload 1 MB PDF",
    "upload_50mb": "upload 50 MB PDF",
}
TARGETS = {
    ("create", "idle", "p50"): Target("<=", 4.5),
    ("create", "load", "p50"): Target("<=", 4.0),
    ("create", "load", "p99"): Target("<=", 12.0),
}
SEED = {
    ("create", "idle", "p50"): "seed (Celery) 4.5 ms",
    ("create", "load", "p50"): "seed (Celery) 8.2 ms",
    ("create", "load", "p99"): "seed (Celery) 11.6 ms",
}


@dataclass
class Side:
    """One server's client and the ids its creates returned."""

    client: TimedClient
    projects: str
    tasks: str | None
    uploads: str
    project_ids: list[str] = field(default_factory=list)
    task_ids: list[str] = field(default_factory=list)


def _timed(calls: list[Callable[[], Answer]], expect: int, pause: float = PAUSE) -> list[float]:
    times = []
    for call in calls:
        answer = call()
        if answer.status != expect:
            raise RuntimeError(f"unexpected answer {answer.status}: {str(answer.body)[:300]}")
        times.append(answer.ms)
        time.sleep(pause)
    return times


def _measure_side(side: Side, sizes: dict[str, int], offset: int) -> dict[str, list[float]]:
    """Every op on one server, in blocks; returns milliseconds per op."""
    client = side.client
    bodies = [samples.project_body(offset + i) for i in range(sizes["crud"])]
    times: dict[str, list[float]] = {"create": []}
    side.project_ids, side.task_ids = [], []
    for body in bodies:
        answer = client.post(side.projects, body)
        if answer.status != 201:
            raise RuntimeError(f"create failed: {answer.status} {answer.body}")
        times["create"].append(answer.ms)
        side.project_ids.append(answer.body["id"])
        side.task_ids.append(answer.body.get("task_id") or answer.body["id"])
        time.sleep(PAUSE)
    changed = [
        {"description": body["description"] + " Nachtrag: zweiter Termin."} for body in bodies
    ]
    times["update"] = _timed(
        [
            lambda pid=pid, change=change: client.request(
                "PATCH", f"{side.projects}{pid}", json_body=change
            )
            for pid, change in zip(side.project_ids, changed, strict=True)
        ],
        200,
    )
    status_path = side.tasks or side.projects
    status_ids = side.task_ids if side.tasks else side.project_ids
    times["task_status"] = _timed(
        [lambda i=i: client.get(f"{status_path}{i}") for i in status_ids], 200
    )
    # As a page does when it loads: one request right after the other on one connection.
    times["status_back_to_back"] = _timed(
        [lambda i=i: client.get(f"{status_path}{i}") for i in status_ids], 200, pause=0.0
    )
    times["delete"] = _timed(
        [
            lambda pid=pid: client.request("DELETE", f"{side.projects}{pid}")
            for pid in side.project_ids
        ],
        200,
    )
    for op, size, count in (
        ("upload_1mb", 1_000_000, sizes["small"]),
        ("upload_50mb", 50_000_000, sizes["large"]),
    ):
        times[op] = []
        for index in range(count):
            pdf = samples.padded_pdf(size, offset + size // 1000 + index)
            answer = client.upload(side.uploads, f"plan-{index}.pdf", pdf.content)
            if answer.status != 201:
                raise RuntimeError(f"upload failed: {answer.status} {answer.body}")
            times[op].append(answer.ms)
            time.sleep(PAUSE)
    return times


def _phase(
    appliance: Side, baseline: Side, sizes: dict[str, int], offset: int, pid: int
) -> dict[str, Any]:
    launcher = psutil.Process(pid)
    launcher.cpu_percent()
    started_at = time.perf_counter()
    measured = _measure_side(appliance, sizes, offset)
    launcher_cpu = launcher.cpu_percent()
    appliance_seconds = time.perf_counter() - started_at
    reference = _measure_side(baseline, sizes, offset)
    return {
        "appliance": {op: summary(v) for op, v in measured.items()},
        "baseline": {op: summary(v) for op, v in reference.items()},
        "appliance_seconds": appliance_seconds,
        "seconds": time.perf_counter() - started_at,
        "launcher_cpu_percent": launcher_cpu,
    }


def run(ctx: BenchContext) -> SectionResult:
    result = SectionResult("api_latency", "1. API latency over loopback HTTP")
    folder = ctx.folder("api_latency")
    sizes = {
        "crud": ctx.scale(150, 20),
        "small": ctx.scale(20, 3),
        "large": ctx.scale(6, 1),
    }
    anatomy_count = ctx.scale(100, 10)
    with (
        started(folder / "appliance") as running,
        baseline_server(folder / "baseline", ctx.cores) as base,
    ):
        warm_up(running)
        appliance = Side(
            TimedClient(running.port), PROJECTS, "/api/v1/tasks/task/", f"{DOCUMENTS}upload"
        )
        baseline = Side(TimedClient(base.port), "/projects/", None, "/documents/upload")
        pid = launcher_pid(running)
        phases: dict[str, Any] = {}
        idle_started = time.perf_counter()
        phases["idle"] = _phase(appliance, baseline, sizes, 0, pid)
        phases["idle"]["anatomy"] = anatomy.measure(
            running.runtime, running.port, anatomy_count, 500000, PAUSE
        )
        phases["idle"]["profile"] = anatomy.profile(running.runtime, anatomy_count, 550000)
        # The loaded phase repeats the idle one, slower: queue work for half as long again.
        load_seconds = (time.perf_counter() - idle_started) * 1.5 + 20
        busy = BusyWorkers(running, folder, load_seconds)
        busy.start()
        phases["load"] = _phase(appliance, baseline, sizes, 100000, pid)
        phases["load"]["anatomy"] = anatomy.measure(
            running.runtime, running.port, anatomy_count, 600000, PAUSE
        )
        phases["load"]["workload"] = busy.stop()
        appliance.client.close()
        baseline.client.close()
    result.detail = {"sizes": sizes, "pause_s": PAUSE, "phases": phases}
    _figures(result, phases)
    _tables(result, phases)
    _notes(result, phases)
    return result


def _figures(result: SectionResult, phases: dict[str, Any]) -> None:
    for op, label in OPS.items():
        for phase in ("idle", "load"):
            where = "idle" if phase == "idle" else "workers busy"
            stats = ("p50", "p99") if op == "create" else ("p50",)
            for stat in stats:
                key = (op, phase, stat)
                result.add(
                    Figure(
                        name=f"{label} {stat}, {where}",
                        unit="ms",
                        measured=phases[phase]["appliance"][op][stat],
                        baseline=phases[phase]["baseline"][op][stat],
                        baseline_name="row read" if "status" in op else "synchronous path",
                        target=TARGETS.get(key),
                        notes=SEED.get(key, ""),
                    )
                )


def _tables(result: SectionResult, phases: dict[str, Any]) -> None:
    lines = [
        "| Operation | Phase | Appliance p50 / p95 / p99 ms | Baseline p50 / p95 / p99 ms"
        " | Ratio p50 | n |",
        "|---|---|---|---|---|---|",
    ]
    for op, label in OPS.items():
        for phase in ("idle", "load"):
            a = phases[phase]["appliance"][op]
            b = phases[phase]["baseline"][op]
            lines.append(
                f"| {label} | {phase} | "
                + " / ".join(fmt_number(a[s]) for s in ("p50", "p95", "p99"))
                + " | "
                + " / ".join(fmt_number(b[s]) for s in ("p50", "p95", "p99"))
                + f" | {fmt_ratio(ratio(a['p50'], b['p50']))} | {a['n']} |"
            )
    lines += [
        "",
        "Where a create's time goes (in-process, on the live appliance's databases):",
        "",
        "| Step | idle p50 / p99 ms | workers busy p50 / p99 ms |",
        "|---|---|---|",
    ]
    for step, label in anatomy.STEPS.items():
        idle = phases["idle"]["anatomy"][step]
        load = phases["load"]["anatomy"][step]
        lines.append(
            f"| {label} | {fmt_number(idle['p50'])} / {fmt_number(idle['p99'])} | "
            f"{fmt_number(load['p50'])} / {fmt_number(load['p99'])} |"
        )
    lines += [
        "",
        "An in-process create under cProfile (idle; cumulative time, profiler overhead "
        "included, so read the shares):",
        "",
        "| Function | calls per create | ms per create | share |",
        "|---|---|---|---|",
    ]
    for row in phases["idle"]["profile"]:
        lines.append(
            f"| `{row['function']}` | {fmt_number(row['calls_per_create'])} | "
            f"{fmt_number(row['cumulative_ms'])} | {row['share']:.0%} |"
        )
    result.detail["markdown"] = lines


def _notes(result: SectionResult, phases: dict[str, Any]) -> None:
    load = phases["load"]
    work = load["workload"]
    busy = work["all_workers_busy_fraction"]
    result.notes.append(
        f"Under load all 4 workers were running a task in {busy:.0%} of the samples "
        f"(mean {work['busy_workers_mean']:.1f} busy), CPU {work['cpu_percent']['p50']:.0f} % "
        "median over both cores."
        if busy is not None
        else "No load samples were taken."
    )
    for phase in ("idle", "load"):
        waits = phases[phase]["anatomy"]["lock_waits_over_0_5_ms"]
        count = phases[phase]["anatomy"]["begin_immediate"]["n"]
        result.notes.append(
            f"Write-lock waits over 0.5 ms ({phase}): {len(waits)} of {count} creates; "
            f"the waits in ms: {', '.join(fmt_number(w) for w in waits) or 'none'}."
        )
    for phase in ("idle", "load"):
        result.notes.append(
            f"Launcher CPU while the appliance's requests ran ({phase}): "
            f"{phases[phase]['launcher_cpu_percent']:.0f} % of one core."
        )
