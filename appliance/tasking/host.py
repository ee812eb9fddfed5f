"""What the task engine needs of the process it runs in.

The engine (claims, retries, the reaper, the monitor) is written against this small
Protocol, never against the application's runtime: it knows nothing of projects,
documents or vectors. The runtime (`appliance.runtime.Runtime`) provides it; tasks and
give-up hooks get that runtime back as the `TaskContext.runtime` they were given.
"""

from __future__ import annotations

from typing import Protocol

from appliance.config import Settings
from appliance.tasking.history import TaskHistory
from appliance.tasking.ledger import Ledger
from appliance.tasking.queue import TaskQueue
from appliance.tasking.worker_table import WorkerTable


class EngineHost(Protocol):
    """Settings, the task queue, its ledger, history and worker table."""

    @property
    def settings(self) -> Settings: ...

    @property
    def queue(self) -> TaskQueue: ...

    @property
    def ledger(self) -> Ledger: ...

    @property
    def history(self) -> TaskHistory: ...

    @property
    def workers(self) -> WorkerTable: ...
