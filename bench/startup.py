"""Section 5: start-up, from the launcher's process start to a usable appliance.

Three moments, measured from the moment the launcher process is spawned on a fresh data
folder: the UI answers (`GET /` 200), the appliance is healthy (`/api/v1/tasks/health`
200 with all 4 workers), and the first project (created as soon as the UI answers) is
indexed. Baselines, each a fresh process: a one-route FastAPI app under uvicorn (the
floor of any Python web server's start) and a process that loads the model and encodes
one text (the floor of a first embedding). The median of several starts is reported;
a full run discards one start first so every run sees a warm page cache.
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.core import BenchContext, Figure, SectionResult, Target
from bench.http import TimedClient
from bench.live import PROJECTS, production_env
from bench.raw import run_raw
from tests.support import RunningAppliance, bearer, free_port

POLL = 0.02
STAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}")
# Lines of the appliance log that mark a start-up step, by what they mean.
MOMENTS = {
    "launcher_logging": re.compile(r"HandwerkML Appliance \S+ starting"),
    "server_ready": re.compile(r"is ready at http"),
    "last_worker_ready": re.compile(r"huey@worker-\d+ ready \(pid"),
    "model_loading": re.compile(r"loading embedding model"),
}
MOMENT_NAMES = {
    "launcher_logging": "launcher imported and logging (first log line)",
    "server_ready": "databases open, start-up checks done, server listening",
    "last_worker_ready": "last of the 4 workers ready",
    "model_loading": "embedding worker has imported torch and sentence-transformers",
}
UI_TARGET = Target("<=", 3.0, "issue 8 (README measured 2.9 s)")


def _get(client: TimedClient, path: str) -> Any:
    try:
        return client.get(path)
    except OSError:
        client.close()
        return None


def _log_moments(log: Path, spawned: float) -> dict[str, float]:
    """Seconds from the spawn (epoch `spawned`) to the log lines in MOMENTS (last match)."""
    found: dict[str, float] = {}
    for line in log.read_text("utf-8", errors="replace").splitlines():
        # A worker's lines start with its name ("huey@worker-2 | "), the launcher's not.
        when = STAMP.search(line)
        for name, pattern in MOMENTS.items():
            if when and pattern.search(line):
                stamp = datetime.strptime(when.group(0), "%Y-%m-%d %H:%M:%S,%f").timestamp()
                found[name] = stamp - spawned
    return found


def _one_start(folder: Path, program: list[str] | None = None) -> dict[str, float]:
    """Spawn the launcher (of `program`: default from source) and time the three moments,
    plus the steps its log shows."""
    running = RunningAppliance(folder / "data", env=production_env(), program=program)
    TimedClient.authorize(running.port, bearer(running.data_dir))
    client = TimedClient(running.port, timeout=30)
    found: dict[str, float] = {}
    project_id: str | None = None
    started_at = time.perf_counter()
    spawned = time.time()
    running.start(wait=False)
    try:
        while len(found) < 3:
            if time.perf_counter() - started_at > 180:
                raise RuntimeError(f"the appliance did not start: {running.log_tail()}")
            now = time.perf_counter() - started_at
            if "ui_ready" not in found:
                answer = _get(client, "/")
                if answer is not None and answer.status == 200:
                    found["ui_ready"] = time.perf_counter() - started_at
                    created = client.post(PROJECTS, {"name": "Erster Auftrag", "trade": "Maler"})
                    project_id = created.body["id"]
            else:
                if "healthy" not in found:
                    answer = _get(client, "/api/v1/tasks/health")
                    if answer is not None and answer.status == 200 and answer.body["workers"] == 4:
                        found["healthy"] = now
                if "first_embedding" not in found:
                    answer = _get(client, f"{PROJECTS}{project_id}")
                    if answer is not None and answer.body["status"] == "indexed":
                        found["first_embedding"] = now
            time.sleep(POLL)
    finally:
        client.close()
        running.close()
    return {**found, **_log_moments(running.data_dir / "logs" / "appliance.log", spawned)}


def _bare_server() -> float:
    """Seconds from spawning a one-route FastAPI app to its first answer."""
    port = free_port()
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump({"port": port}, handle)
    client = TimedClient(port)
    started_at = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.raw", "bare-server", handle.name],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            answer = _get(client, "/")
            if answer is not None and answer.status == 200:
                return time.perf_counter() - started_at
            if time.perf_counter() - started_at > 60:
                raise RuntimeError("the bare server did not start")
            time.sleep(POLL)
    finally:
        client.close()
        process.terminate()
        process.wait(timeout=10)
        Path(handle.name).unlink(missing_ok=True)


def run(ctx: BenchContext) -> SectionResult:
    result = SectionResult("startup", "5. Start-up (fresh data folder, from source)")
    folder = ctx.folder("startup")
    runs = ctx.scale(3, 1)
    if not ctx.quick:
        _one_start(folder / "warm")
    starts = [_one_start(folder / f"run-{i}") for i in range(runs)]
    bare = [_bare_server() for _ in range(runs)]
    model = [run_raw("model-start", {"t0": time.time()})["seconds"] for _ in range(runs)]
    keys = set.intersection(*(set(s) for s in starts))
    median = {key: statistics.median(s[key] for s in starts) for key in keys}
    result.detail = {"starts": starts, "bare_server_s": bare, "model_start_s": model}
    bare_median, model_median = statistics.median(bare), statistics.median(model)
    result.add(
        Figure(
            "start → UI ready (GET / answers)",
            "s",
            median["ui_ready"],
            bare_median,
            "one-route FastAPI under uvicorn",
            UI_TARGET,
            f"median of {runs}: " + ", ".join(f"{s['ui_ready']:.2f}" for s in starts),
        )
    )
    result.add(
        Figure(
            "start → healthy (4 workers with heartbeats)",
            "s",
            median["healthy"],
            bare_median,
            "one-route FastAPI under uvicorn",
            notes=", ".join(f"{s['healthy']:.2f}" for s in starts),
        )
    )
    result.add(
        Figure(
            "start → first embedding done (project created at UI ready)",
            "s",
            median["first_embedding"],
            model_median,
            "fresh process: load model, encode one text",
            notes=", ".join(f"{s['first_embedding']:.2f}" for s in starts),
        )
    )
    lines = ["| Start-up step (from the appliance log) | median s after spawn |", "|---|---|"]
    for key, label in MOMENT_NAMES.items():
        if key in median:
            lines.append(f"| {label} | {median[key]:.2f} |")
    result.detail["markdown"] = lines
    return result
