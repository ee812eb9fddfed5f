"""One timer thread per process for the many short timers a worker sets.

Every task sets a soft time limit and every document a progress timer; a
`threading.Timer` each means starting and ending two threads per task, which costs more
than a small task's own database work on a busy two-core machine. Here one daemon thread
waits for the earliest deadline and runs the callbacks in turn; they must be short.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger("appliance.timers")


class TimerHandle:
    """A scheduled callback; `cancel()` keeps it from running if it has not yet."""

    def __init__(self, callback: Callable[[], None]) -> None:
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class TimerThread:
    """Runs callbacks at their time, one after the other, in one lazily started thread."""

    def __init__(self, name: str = "timers") -> None:
        self._name = name
        self._heap: list[tuple[float, int, TimerHandle]] = []
        self._order = itertools.count()
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    def call_later(self, delay: float, callback: Callable[[], None]) -> TimerHandle:
        """Run `callback()` in the timer thread after `delay` seconds."""
        handle = TimerHandle(callback)
        with self._changed:
            heapq.heappush(self._heap, (time.monotonic() + delay, next(self._order), handle))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            self._changed.notify()
        return handle

    def _run(self) -> None:
        while True:
            with self._changed:
                while not self._heap or self._heap[0][0] > time.monotonic():
                    timeout = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._changed.wait(timeout)
                _when, _order, handle = heapq.heappop(self._heap)
            if handle.cancelled:
                continue
            try:
                handle.callback()
            except Exception:
                log.exception("a timer callback failed")


_shared = TimerThread()


def call_later(delay: float, callback: Callable[[], None]) -> TimerHandle:
    """Schedule on this process's shared timer thread."""
    return _shared.call_later(delay, callback)
