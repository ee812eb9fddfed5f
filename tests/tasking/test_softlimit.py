"""The soft time limit, fired by the test itself: no bet on a timer's timing."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from appliance.tasking.context import SoftTimeLimitExceeded
from appliance.tasking.softlimit import SoftTimeLimit
from appliance.timers import TimerHandle
from tests.tracing import fire_when_the_limit_ends

SAFETY = 30.0  # seconds a loop below may spin before the test gives up


class ManualTimer:
    """A `schedule` for SoftTimeLimit that the test fires when it wants."""

    def __init__(self) -> None:
        self.handle: TimerHandle | None = None

    def __call__(self, _delay: float, callback: Callable[[], None]) -> TimerHandle:
        self.handle = TimerHandle(callback)
        return self.handle

    def fire(self) -> None:
        assert self.handle is not None
        if not self.handle.cancelled:
            self.handle.callback()

    def fire_from_another_thread(self) -> None:
        thread = threading.Thread(target=self.fire)
        thread.start()
        thread.join()


def spin_until_interrupted() -> None:
    stop = threading.Event()
    while not stop.wait(0.005):
        pass


@pytest.fixture
def timer() -> ManualTimer:
    return ManualTimer()


def test_the_exception_is_raised_inside_the_guarded_thread(timer: ManualTimer) -> None:
    with pytest.raises(SoftTimeLimitExceeded), SoftTimeLimit(60, schedule=timer):
        timer.fire_from_another_thread()
        spin_until_interrupted()


def test_a_task_can_clean_up_after_the_soft_limit(timer: ManualTimer) -> None:
    cleaned = []
    with SoftTimeLimit(60, schedule=timer):
        try:
            timer.fire_from_another_thread()
            spin_until_interrupted()
        except SoftTimeLimitExceeded:
            cleaned.append(True)
    assert cleaned == [True]


def test_a_limit_that_has_ended_never_fires(timer: ManualTimer) -> None:
    limit = SoftTimeLimit(60, schedule=timer)
    with limit:
        pass
    assert timer.handle is not None and timer.handle.cancelled
    limit.fire()  # a timer that went off anyway, after the block
    for _ in range(10_000):  # plenty of bytecodes where a stray exception would land
        len("x")
    assert limit.fired is False


def test_only_the_guarded_thread_is_interrupted(timer: ManualTimer) -> None:
    other_done = threading.Event()
    release = threading.Event()

    def other() -> None:
        release.wait(SAFETY)
        for _ in range(10_000):
            len("x")
        other_done.set()

    thread = threading.Thread(target=other)
    thread.start()
    with pytest.raises(SoftTimeLimitExceeded), SoftTimeLimit(60, schedule=timer):
        release.set()
        timer.fire_from_another_thread()
        spin_until_interrupted()
    thread.join()
    assert other_done.is_set()


def test_the_real_timer_fires_after_its_seconds() -> None:
    with pytest.raises(SoftTimeLimitExceeded), SoftTimeLimit(0.05):
        spin_until_interrupted()


def test_a_limit_that_fires_as_the_body_returns_leaves_the_result_alone(
    timer: ManualTimer,
) -> None:
    limit = SoftTimeLimit(60, schedule=timer)
    with fire_when_the_limit_ends():
        result = limit.run(lambda: 42)
    assert (result, limit.fired) == (42, True)
    for _ in range(10_000):
        len("x")  # nothing pending lands here
    # The exception surfaced as __exit__ began: the timer is disarmed all the same. (It
    # used not to be, and went off a minute later in whatever test ran then.)
    assert timer.handle is not None and timer.handle.cancelled
    limit.fire()  # the timer, going off anyway: nothing lands
    for _ in range(10_000):
        len("x")


def test_a_limit_that_fires_as_the_body_raises_leaves_nothing_pending(
    timer: ManualTimer,
) -> None:
    limit = SoftTimeLimit(60, schedule=timer)

    def broken() -> None:
        raise ValueError("broken")

    with pytest.raises((ValueError, SoftTimeLimitExceeded)), fire_when_the_limit_ends():
        limit.run(broken)
    assert limit.fired
    for _ in range(10_000):
        len("x")
    assert timer.handle is not None and timer.handle.cancelled
