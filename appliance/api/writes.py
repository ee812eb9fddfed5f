"""Short database writes from async routes: on the event loop when the lock is free.

A sync route costs two hops between the event loop and the thread pool (the endpoint,
then serializing its answer), and on this kind of machine each hop is a wake-up of the
other core: a create took 4.1 ms through a sync route, 3.8 ms with one hop and 3.3 ms
on the loop (in-process, interleaved, measured). Running on the loop is only right while
nothing can make it wait, so a write tries SQLite's write lock once; if a worker holds it,
the write runs in the thread pool and waits there, and other requests go on meanwhile.

The commit's fsync still happens on the loop: 1.1-1.4 ms on this machine's disk
(measured), which other requests can afford for a write a person makes by hand. The
queue messages of such a write are sent by a thread (a worker may hold the queue's lock
too). PostgreSQL writes wait for the network, so they always go to the thread pool.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from starlette.concurrency import run_in_threadpool

from appliance.db import WriteLockBusyError, without_lock_wait
from appliance.tasking.queue import sending_in_background

Params = ParamSpec("Params")
Result = TypeVar("Result")


async def run_write(
    dialect: str, write: Callable[Params, Result], *args: Params.args, **kwargs: Params.kwargs
) -> Result:
    """`write(*args, **kwargs)`, on the loop if the write lock is free, else in a thread.

    `dialect` is the app database's ('sqlite' or 'postgresql').

    `write` must be safe to run twice when the first try raised `WriteLockBusyError`:
    that happens at BEGIN, before anything was written.
    """
    if dialect == "sqlite":
        try:
            # Queue messages go to a sender thread: the queue's own lock (or a Redis
            # server) must not hold up the loop either.
            with without_lock_wait(), sending_in_background():
                return write(*args, **kwargs)
        except WriteLockBusyError:
            pass
    return await run_in_threadpool(write, *args, **kwargs)
