"""The loop a launcher and a worker node run on their main thread until asked to stop.

Both watch their worker processes the same way: every half second they keep the awake
clock and restart what died, and at their own pace they enforce the hard limit and do
their upkeep. A step that fails (the database away for a moment) is logged and tried
again at the next turn; the loop never ends by itself.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import FrameType

log = logging.getLogger("appliance.supervision")

TURN = 0.5  # seconds between two turns


@dataclass
class Every:
    """`action` at most every `interval` seconds; the first time `first` seconds in."""

    interval: float
    action: Callable[[], object]
    first: float = 0.0

    def __post_init__(self) -> None:
        self._due = time.monotonic() + self.first

    def run_if_due(self, now: float) -> None:
        if now >= self._due:
            self._due = now + self.interval
            self.action()


def supervise(stop: threading.Event, each_turn: Callable[[], None], jobs: Sequence[Every]) -> None:
    """Turn until `stop` is set: `each_turn()`, then every job that is due."""
    while not stop.wait(TURN):
        try:
            each_turn()
            now = time.monotonic()
            for job in jobs:
                job.run_if_due(now)
        except Exception:
            log.exception("supervision step failed; trying again")


def stop_on_signals(stop: threading.Event) -> None:
    """Ctrl-C, SIGTERM (and Windows' console close) set `stop` (main thread only)."""

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        if stop.is_set():
            return
        log.info("received %s", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    if hasattr(signal, "SIGBREAK"):  # Windows: console closed or Ctrl-Break
        signal.signal(signal.SIGBREAK, request_stop)
