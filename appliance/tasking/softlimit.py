"""The soft time limit: a catchable exception raised inside the running task's thread.

Huey enforces `timeout=` with SIGALRM, which exists only in forked workers on POSIX. The
appliance runs tasks in a thread of a plain worker process on Windows and Linux alike, so
it asks CPython to raise `SoftTimeLimitExceeded` in that thread instead. Like SIGALRM it
takes effect at the next Python bytecode, not inside a long C call; tasks that spend long
in C call `TaskContext.check_time_limit()` between steps, and the launcher's hard limit
covers the rest.
"""

from __future__ import annotations

import ctypes
import threading
from types import TracebackType

from appliance.tasking.context import SoftTimeLimitExceeded
from appliance.timers import TimerHandle, call_later


def _set_async_exc(thread_ident: int, exc: type[BaseException] | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_ident), ctypes.py_object(exc) if exc else None
    )


class SoftTimeLimit:
    """Context manager: raise SoftTimeLimitExceeded in this thread after `seconds`."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.fired = False
        self._lock = threading.Lock()
        self._armed = False
        self._thread_ident = threading.get_ident()
        self._timer: TimerHandle | None = None

    def _fire(self) -> None:
        with self._lock:
            if self._armed:
                self.fired = True
                _set_async_exc(self._thread_ident, SoftTimeLimitExceeded)

    def __enter__(self) -> SoftTimeLimit:
        self._armed = True
        self._timer = call_later(self.seconds, self._fire)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with self._lock:
            self._armed = False
        if self._timer is not None:
            self._timer.cancel()
        if self.fired and exc_type is None:
            # The task finished just as the timer fired: drop the exception still pending.
            _set_async_exc(self._thread_ident, None)
