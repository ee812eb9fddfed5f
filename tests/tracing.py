"""Landing a soft time limit at an exact point of the code, through a trace function.

The soft limit is an exception one thread sets in another; it surfaces at the next
bytecode. Races around it (the limit going off just as a task returns) are a matter of
microseconds, so the tests do not wait for them: a trace function fires the limit, or
sets the exception directly, at the moment a named function is entered.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from appliance.tasking.context import SoftTimeLimitExceeded
from appliance.tasking.softlimit import _set_async_exc

Tracer = Callable[[FrameType, str, Any], Any]


@contextmanager
def on_call(function_name: str, owner: str, action: Callable[[FrameType], None]) -> Iterator[None]:
    """Run `action(frame)` once, in this thread, when `owner.function_name` is entered."""
    done = False

    def tracer(frame: FrameType, event: str, _arg: Any) -> Tracer | None:
        nonlocal done
        if done or event != "call" or frame.f_code.co_name != function_name:
            return None
        if type(frame.f_locals.get("self")).__name__ != owner:
            return None
        done = True
        action(frame)
        return None

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        yield
    finally:
        sys.settrace(previous)


def _fire_limit(frame: FrameType) -> None:
    frame.f_locals["self"].fire()  # what the limit's timer calls


@contextmanager
def fire_when_the_limit_ends() -> Iterator[None]:
    """The soft limit's timer goes off as the guarded block ends (entering `__exit__`)."""
    with on_call("__exit__", "SoftTimeLimit", _fire_limit):
        yield


@contextmanager
def soft_limit_inside(function_name: str, owner: str) -> Iterator[None]:
    """A soft-limit exception lands in this thread as `owner.function_name` is entered."""
    ident = threading.get_ident()
    with on_call(function_name, owner, lambda _frame: _set_async_exc(ident, SoftTimeLimitExceeded)):
        yield
