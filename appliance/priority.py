"""Running below the web server: the computing parts of a worker, not its writes.

Workers used to run entirely at low priority. But a worker also holds the app database's
write lock for a moment at every claim, progress and result, and a low-priority process
that holds it is the first to lose its core when the server wakes up: the server then
waits for the lock it has just preempted (creates waited 5-75 ms under load, measured).
So on Linux, where a priority can belong to one thread, only what computes runs low: the
embedding lanes, and the file-reader child with the tesseract processes it starts. The
worker's own thread, which mostly waits and writes, keeps normal priority.

Windows and macOS have no per-thread nice level that a process may lower and keep
lowering, so workers there run entirely below normal, as before.
"""

from __future__ import annotations

import logging
import os
import sys
import threading

import psutil

log = logging.getLogger("appliance.priority")

BACKGROUND_NICENESS = 10
PER_THREAD = sys.platform == "linux"


def lower_process() -> None:
    """Run this whole process (and what it starts from now on) below the web server."""
    process = psutil.Process()
    try:
        if sys.platform == "win32":
            process.nice(psutil.BELOW_NORMAL_PRIORITY_CLASS)
        else:
            process.nice(BACKGROUND_NICENESS)
    except (psutil.AccessDenied, OSError) as exc:
        log.warning("could not lower the priority of this process: %s", exc)


def lower_worker() -> None:
    """A worker process's start: low priority as a whole unless its threads can be."""
    if not PER_THREAD:
        lower_process()


def lower_this_thread() -> None:
    """Run the calling thread below the web server (Linux; elsewhere the process is)."""
    if not PER_THREAD:
        return
    try:
        # Linux keeps a nice level per thread, addressed by the thread's id.
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICENESS)
    except OSError as exc:
        log.warning("could not lower the priority of a compute thread: %s", exc)
