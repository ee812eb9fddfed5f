"""Writing a document's progress to its row, no more often than a person can see it.

Reading a one-page text PDF takes a few milliseconds; three rows written about it
(processing, reading page 1 of 1, done) would cost more than the reading, and each one
queues for the database's single write lock behind every upload. So the first write waits
until the document has taken `delay` seconds - only the slow ones (OCR, long PDFs) show
progress, and those show it within that delay - and later writes come at most once per
`interval`. The process's shared timer thread writes the latest state when no new progress
arrives (one OCR page can take seconds).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from appliance.timers import TimerHandle, call_later

log = logging.getLogger("appliance.documents")

WriteProgress = Callable[[dict[str, Any]], object]


class ProgressWriter:
    """Collects progress updates and writes the latest one, throttled, from a timer."""

    def __init__(self, write: WriteProgress, *, delay: float = 0.25, interval: float = 0.25):
        self._write = write
        self._delay = delay
        self._interval = interval
        self._lock = threading.Lock()
        self._pending: dict[str, Any] = {}
        self._timer: TimerHandle | None = None
        self._closed = False
        self._schedule(delay)

    def update(self, **values: Any) -> None:
        """Remember these column values; they reach the row with the next timed write."""
        with self._lock:
            if self._closed:
                return
            self._pending.update(values)
            if self._timer is None:
                self._schedule(self._interval)

    def close(self) -> None:
        """Stop writing. Returns after a write in progress has finished, so the caller's
        final write (completed, failed) cannot be overtaken by a late progress write."""
        with self._lock:
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

    def _schedule(self, after: float) -> None:
        self._timer = call_later(after, self._flush)

    def _flush(self) -> None:
        with self._lock:
            self._timer = None
            if self._closed or not self._pending:
                return
            values, self._pending = self._pending, {}
            # Under the lock: close() waits for this write to end.
            try:
                self._write(values)
            except Exception:
                # Progress is a courtesy; the task's own writes decide the outcome.
                log.warning("could not write a document's progress", exc_info=True)
