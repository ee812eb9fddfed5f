import threading
import time

import pytest

from appliance.tasking.context import SoftTimeLimitExceeded
from appliance.tasking.softlimit import SoftTimeLimit


def test_raises_inside_the_running_thread() -> None:
    started = time.monotonic()
    with pytest.raises(SoftTimeLimitExceeded), SoftTimeLimit(0.2):
        while time.monotonic() - started < 5:
            time.sleep(0.01)
    assert time.monotonic() - started < 5


def test_task_can_clean_up_after_the_soft_limit() -> None:
    cleaned = []
    with SoftTimeLimit(0.1):
        try:
            while True:
                time.sleep(0.01)
        except SoftTimeLimitExceeded:
            cleaned.append(True)
    assert cleaned == [True]


def test_finished_work_is_not_interrupted_later() -> None:
    with SoftTimeLimit(0.1):
        pass
    time.sleep(0.3)  # the cancelled timer must not fire into this thread


def test_only_the_guarded_thread_is_interrupted() -> None:
    other_ran = threading.Event()

    def other() -> None:
        time.sleep(0.4)
        other_ran.set()

    thread = threading.Thread(target=other)
    thread.start()
    with pytest.raises(SoftTimeLimitExceeded), SoftTimeLimit(0.1):
        time.sleep(0.05)
        while True:
            time.sleep(0.01)
    thread.join()
    assert other_ran.is_set()
