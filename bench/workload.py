"""Background load: the embedding worker and the three document workers kept busy.

The embedding worker gets bulk re-embedding batches (`tasks.batch_generate_embeddings`,
10 projects each); the document workers get scanned letters to OCR. Both are queued far
beyond what the measurement takes, so the workers stay busy until the appliance stops.
A sampler records how many workers were really running a task, and the CPU use.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import psutil

from bench import samples
from bench.http import TimedClient
from bench.live import DOCUMENTS, create_project
from bench.stats import summary
from tests.support import RunningAppliance, wait_for


class BusyWorkers:
    """Keeps every worker of `running` busy for about `seconds` (more is fine)."""

    def __init__(self, running: RunningAppliance, folder: Path, seconds: float) -> None:
        self.running = running
        self.folder = folder
        self.seconds = seconds
        self._samples: list[tuple[float, int, float]] = []
        self._stop = threading.Event()
        self._sampler: threading.Thread | None = None

    def start(self, scans_offset: int = 0) -> None:
        """Queue the work and wait until every worker runs a task."""
        client = TimedClient(self.running.port)
        project_ids = [
            create_project(client, samples.project_body(900000 + i))["id"] for i in range(40)
        ]
        # A batch of 10 takes about a quarter of a second; queue twice what is needed.
        for round_ in range(int(self.seconds * 8) + 10):
            start = (round_ * 10) % len(project_ids)
            batch = (project_ids + project_ids)[start : start + 10]
            self.running.enqueue("tasks.batch_generate_embeddings", batch)
        # A scanned letter takes 2-6 s of OCR on a busy machine; 3 workers.
        folder = self.folder / "scans"
        folder.mkdir(parents=True, exist_ok=True)
        for index in range(int(self.seconds) + 6):
            path = samples.scanned_letter(folder, scans_offset + index)
            answer = client.upload(f"{DOCUMENTS}upload", path.name, path.read_bytes())
            if answer.status not in (200, 201):
                raise RuntimeError(f"upload failed: {answer.status} {answer.body}")
        client.close()
        wait_for(lambda: self.busy_workers() >= self.running.settings.workers, timeout=120)
        psutil.cpu_percent()  # start the interval of the first sample
        self._sampler = threading.Thread(target=self._sample, name="load-sampler", daemon=True)
        self._sampler.start()

    def busy_workers(self) -> int:
        """Workers running a task now, from the ledger."""
        return len(self.running.runtime.history.started())

    def _sample(self) -> None:
        while not self._stop.wait(0.5):
            self._samples.append((time.time(), self.busy_workers(), psutil.cpu_percent()))

    def stop(self) -> dict[str, Any]:
        """Stop sampling; returns how busy the workers and the CPU were meanwhile."""
        self._stop.set()
        if self._sampler is not None:
            self._sampler.join()
        workers = self.running.settings.workers
        busy = [count for _t, count, _cpu in self._samples]
        cpu = [percent for _t, _count, percent in self._samples]
        return {
            "samples": len(self._samples),
            "all_workers_busy_fraction": (
                sum(count >= workers for count in busy) / len(busy) if busy else None
            ),
            "busy_workers_mean": sum(busy) / len(busy) if busy else None,
            "cpu_percent": summary(cpu),
        }
