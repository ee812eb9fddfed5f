"""The soft time limit: a catchable exception raised inside the running task's thread.

Huey enforces `timeout=` with SIGALRM, which exists only in forked workers on POSIX. The
appliance runs tasks in a thread of a plain worker process on Windows and Linux alike, so
it asks CPython to raise `SoftTimeLimitExceeded` in that thread instead. Like SIGALRM it
takes effect at the next Python bytecode, not inside a long C call; tasks that spend long
in C call `TaskContext.check_time_limit()` between steps, and the launcher's hard limit
covers the rest.

An exception set from another thread lands at the next bytecode, wherever that is: the
timer may fire just as the task returns, and its exception then surfaces after the task's
work is done. `run()` treats a task whose result it holds as finished, whatever arrives
later, and leaves no exception pending and no timer armed behind it (the exception may
surface at the very start of `__exit__`, before that has disarmed anything).
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable
from types import TracebackType
from typing import TypeVar

from appliance.tasking.context import SoftTimeLimitExceeded
from appliance.timers import TimerHandle, call_later

T = TypeVar("T")
Schedule = Callable[[float, Callable[[], None]], TimerHandle]


def _set_async_exc(thread_ident: int, exc: type[BaseException]) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_ident), ctypes.py_object(exc))


def _surface_pending() -> None:
    """Nothing: calling a Python function is where a pending async exception is raised."""


class SoftTimeLimit:
    """Raise SoftTimeLimitExceeded in this thread after `seconds` (a context manager, or
    `run(body)`). `schedule` starts the timer; tests pass one they fire themselves."""

    def __init__(self, seconds: float, *, schedule: Schedule = call_later) -> None:
        self.seconds = seconds
        self.fired = False
        self._schedule = schedule
        self._lock = threading.Lock()
        self._armed = False
        self._thread_ident = threading.get_ident()
        self._timer: TimerHandle | None = None

    def fire(self) -> None:
        """What the timer does: raise the exception in the guarded thread, if still armed."""
        with self._lock:
            if self._armed:
                self.fired = True
                _set_async_exc(self._thread_ident, SoftTimeLimitExceeded)

    def run(self, body: Callable[[], T]) -> T:
        """`body()` under the limit; its result once it has returned, whatever fires later."""
        returned = False
        try:
            with self:
                result = body()
                returned = True
        except SoftTimeLimitExceeded:
            if not returned:
                raise
        finally:
            # Again: an exception that surfaced as `__exit__` began cut it short.
            self._disarm()
        return result

    def __enter__(self) -> SoftTimeLimit:
        self._thread_ident = threading.get_ident()
        self._armed = True
        self._timer = self._schedule(self.seconds, self.fire)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._disarm()
        if self.fired:
            # Whatever ended the block - a result, or another exception - an exception the
            # timer set and that has not surfaced yet must not land in the code after it
            # (the outcome's bookkeeping, the next task). It is drawn out here rather than
            # cleared with PyThreadState_SetAsyncExc(NULL): on CPython 3.11 a thread traced
            # after such a clear hung at its next function call (seen in this test suite).
            # (Not contextlib.suppress: the exception could surface in its __enter__.)
            try:  # noqa: SIM105
                _surface_pending()
            except SoftTimeLimitExceeded:
                pass

    def _disarm(self) -> None:
        """From here on the limit never fires (idempotent)."""
        with self._lock:
            self._armed = False
        if self._timer is not None:
            self._timer.cancel()
