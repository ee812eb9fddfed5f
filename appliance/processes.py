"""How the appliance starts its own processes and how they end: a leaf module.

The launcher, a worker node and a worker share these words: the command that starts this
program again (frozen or not), the line that asks a worker to stop, and the exit codes a
worker leaves with, which tell its supervisor what became of the tasks it held.
"""

from __future__ import annotations

import sys
from enum import IntEnum

STOP_COMMAND = "stop"


def program_command() -> list[str]:
    """How to start this program again: the frozen exe itself, or `python -m appliance`."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", "appliance"]


class WorkerExit(IntEnum):
    """Why a worker process ended. Its supervisor hands back the tasks it still held; for
    the codes in `LEFT_ON_PURPOSE` those tasks were not at fault and lose no attempt."""

    STOPPED = 0  # asked to stop
    LAUNCHER_GONE = 1  # its stdin closed: the launcher died
    GAVE_UP_TASK = 3  # a task it ran was taken away (revoked, hard limit, lost lease)
    RETIRED = 10  # replaced by a fresh process (max tasks per child, after a soft limit)


LEFT_ON_PURPOSE = frozenset({WorkerExit.GAVE_UP_TASK, WorkerExit.RETIRED})
