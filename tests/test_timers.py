"""The shared timer thread: order, cancelling, and surviving a failing callback."""

from __future__ import annotations

import threading

from appliance.timers import TimerThread
from tests.support import wait_for


def test_callbacks_run_in_deadline_order_not_in_the_order_they_were_set() -> None:
    timers = TimerThread()
    ran: list[str] = []
    timers.call_later(0.2, lambda: ran.append("late"))
    timers.call_later(0.01, lambda: ran.append("early"))
    wait_for(lambda: len(ran) == 2, timeout=10, interval=0.01, what="both timers")
    assert ran == ["early", "late"]


def test_a_cancelled_timer_does_not_run() -> None:
    timers = TimerThread()
    ran: list[str] = []
    handle = timers.call_later(0.05, lambda: ran.append("cancelled"))
    handle.cancel()
    timers.call_later(0.1, lambda: ran.append("kept"))
    wait_for(lambda: ran, timeout=10, interval=0.01, what="the kept timer")
    assert ran == ["kept"]


def test_a_failing_callback_leaves_the_thread_running() -> None:
    timers = TimerThread()
    done = threading.Event()

    def fail() -> None:
        raise RuntimeError("boom")

    timers.call_later(0.01, fail)
    timers.call_later(0.02, done.set)
    assert done.wait(10)
