"""Section 6: memory of the launcher and every worker, idle and under load.

RSS of every process of the appliance (launcher, 4 workers, each document worker's
parser child, and tesseract while it runs), sampled once a second. RSS counts shared
pages (Python, the libraries) in every process, so the sum overstates what the machine
really spends; PSS shares them out and is given beside it. Baseline: the synchronous
server (one process with the model, the parsers and the vector store), idle and while it
embeds and OCRs inside its requests.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import psutil

from bench import samples
from bench.baseline_app import baseline_server
from bench.core import BenchContext, Figure, SectionResult, Target
from bench.http import TimedClient
from bench.live import DOCUMENTS, PROJECTS, launcher_pid, process_tree, started, warm_up
from bench.stats import fmt_number
from bench.workload import BusyWorkers

MIB = 2**20
TARGET = Target("<=", 1536.0, "issue 8: 1.5 GB with 4 workers")


def _label(process: psutil.Process, root: int, names: dict[int, str]) -> str:
    if process.pid == root:
        return "launcher"
    if process.pid in names:
        return names[process.pid]
    cmdline = process.cmdline()
    if "--name" in cmdline:
        return cmdline[cmdline.index("--name") + 1]
    parent = process.ppid()
    if "extractor" in cmdline:
        owner = names.get(parent) or _label(psutil.Process(parent), root, names)
        return f"parser child of {owner}"
    if "tesseract" in process.name():
        return "tesseract (while OCR runs)"
    return process.name()


def snapshot(root: int, *, pss: bool) -> dict[str, dict[str, float]]:
    """MiB per labelled process (processes with the same label are added up)."""
    names: dict[int, str] = {}
    found: dict[str, dict[str, float]] = defaultdict(lambda: {"rss": 0.0, "pss": 0.0})
    for process in process_tree(root):
        try:
            label = _label(process, root, names)
            names[process.pid] = label
            if pss:
                info = process.memory_full_info()
                found[label]["pss"] += info.pss / MIB
                found[label]["rss"] += info.rss / MIB
            else:
                found[label]["rss"] += process.memory_info().rss / MIB
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return dict(found)


class Sampler:
    """Samples a process tree once a second in a thread."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.samples: list[dict[str, dict[str, float]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(snapshot(self.root, pss=True))
            self._stop.wait(1.0)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def peak(self) -> dict[str, Any]:
        """Highest total RSS (and its sample), plus each process's own highest RSS."""
        totals = [sum(p["rss"] for p in s.values()) for s in self.samples]
        worst = max(range(len(totals)), key=totals.__getitem__)
        per_process: dict[str, float] = {}
        for sample in self.samples:
            for label, values in sample.items():
                per_process[label] = max(per_process.get(label, 0.0), values["rss"])
        return {
            "total_rss": totals[worst],
            "total_pss": sum(p["pss"] for p in self.samples[worst].values()),
            "at_peak": self.samples[worst],
            "per_process_max_rss": per_process,
            "samples": len(self.samples),
        }


def _drive(port: int, folder: Path, seconds: float, projects: str, uploads: str) -> None:
    """Creates every 50 ms and a scanned letter every 2 s, for `seconds`."""
    client = TimedClient(port)
    deadline = time.monotonic() + seconds
    index = 0
    next_scan = 0.0
    while time.monotonic() < deadline:
        client.post(projects, samples.project_body(700000 + index))
        if time.monotonic() >= next_scan:
            path = samples.scanned_letter(folder, 700000 + index)
            client.upload(uploads, path.name, path.read_bytes())
            next_scan = time.monotonic() + 2.0
        index += 1
        time.sleep(0.05)
    client.close()


def run(ctx: BenchContext) -> SectionResult:
    result = SectionResult("memory", "6. Memory (RSS, MiB)")
    folder = ctx.folder("memory")
    seconds = ctx.scale(40, 8)
    settle = ctx.scale(5, 2)
    scans = folder / "scans"
    scans.mkdir(parents=True, exist_ok=True)
    with started(folder / "appliance") as running:
        warm_up(running)
        client = TimedClient(running.port)
        for index in range(6):  # every document worker starts its parser child
            path = samples.txt(scans, 710000 + index)
            client.upload(f"{DOCUMENTS}upload", path.name, path.read_bytes())
        client.close()
        time.sleep(settle)
        root = launcher_pid(running)
        with Sampler(root) as idle:
            time.sleep(settle)
        busy = BusyWorkers(running, folder, seconds + 30)
        busy.start(scans_offset=720000)
        with Sampler(root) as loaded:
            _drive(running.port, scans, seconds, PROJECTS, f"{DOCUMENTS}upload")
        workload = busy.stop()
    with baseline_server(folder / "baseline", ctx.cores) as base:
        with Sampler(base.pid) as base_idle:
            time.sleep(settle)
        with Sampler(base.pid) as base_loaded:
            _drive(base.port, scans, seconds, "/projects/", "/documents/upload")
    appliance = {"idle": idle.peak(), "load": loaded.peak(), "workload": workload}
    baseline = {"idle": base_idle.peak(), "load": base_loaded.peak()}
    result.detail = {"appliance": appliance, "baseline": baseline}
    for phase, target in (("idle", None), ("load", TARGET)):
        result.add(
            Figure(
                f"total RSS, {'idle' if phase == 'idle' else 'under load'} (peak sample)",
                "MiB",
                appliance[phase]["total_rss"],
                baseline[phase]["total_rss"],
                "synchronous server, one process",
                target,
                f"PSS {fmt_number(appliance[phase]['total_pss'])} MiB "
                f"(baseline {fmt_number(baseline[phase]['total_pss'])})",
            )
        )
    lines = ["| Process | idle RSS | under load, max RSS |", "|---|---|---|"]
    labels = sorted(
        set(appliance["idle"]["per_process_max_rss"])
        | set(appliance["load"]["per_process_max_rss"])
    )
    for label in labels:
        lines.append(
            f"| {label} | {fmt_number(appliance['idle']['per_process_max_rss'].get(label))} | "
            f"{fmt_number(appliance['load']['per_process_max_rss'].get(label))} |"
        )
    result.detail["markdown"] = lines
    result.notes.append(
        f"Load: all workers busy in {workload['all_workers_busy_fraction'] or 0:.0%} of the "
        f"samples, plus a create every 50 ms and a scanned letter every 2 s for {seconds} s."
    )
    return result
