"""Throttled progress writes, with real timer threads."""

from __future__ import annotations

import threading
from typing import Any

from appliance.documents.progress import ProgressWriter
from tests.support import wait_for


def test_a_document_done_before_the_delay_writes_no_progress() -> None:
    written: list[dict[str, Any]] = []
    progress = ProgressWriter(written.append, delay=30)
    progress.update(status="processing", page_current=0)
    progress.update(page_current=1, page_total=1)
    progress.close()
    assert written == []


def test_a_slow_document_shows_its_latest_progress_in_one_write() -> None:
    written: list[dict[str, Any]] = []
    progress = ProgressWriter(written.append, delay=0.05, interval=30)
    progress.update(status="processing", stage="reading", page_current=0)
    progress.update(stage="ocr", page_current=1, page_total=3)
    wait_for(lambda: written, timeout=10, interval=0.01, what="the first progress write")
    progress.update(page_current=2)  # within the interval: held back
    progress.close()
    assert written == [{"status": "processing", "stage": "ocr", "page_current": 1, "page_total": 3}]


def test_close_waits_for_a_write_in_progress() -> None:
    entered, release = threading.Event(), threading.Event()
    finished: list[str] = []

    def slow_write(_values: dict[str, Any]) -> None:
        entered.set()
        release.wait(10)
        finished.append("progress")

    progress = ProgressWriter(slow_write, delay=0.01)
    progress.update(page_current=1)
    assert entered.wait(10)
    closer = threading.Thread(target=lambda: (progress.close(), finished.append("closed")))
    closer.start()
    closer.join(0.2)
    assert closer.is_alive()  # still waiting for the write
    release.set()
    closer.join(10)
    assert finished == ["progress", "closed"]


def test_a_failing_write_does_not_stop_later_ones() -> None:
    written: list[dict[str, Any]] = []

    def flaky(values: dict[str, Any]) -> None:
        if not written and "first" in values:
            written.append({"failed": True})
            raise RuntimeError("database is locked")
        written.append(values)

    progress = ProgressWriter(flaky, delay=0.01, interval=0.01)
    progress.update(first=True)
    wait_for(lambda: written, timeout=10, interval=0.01, what="the failed write")
    progress.update(second=True)
    wait_for(lambda: len(written) == 2, timeout=10, interval=0.01, what="the next write")
    progress.close()
    assert written == [{"failed": True}, {"second": True}]
