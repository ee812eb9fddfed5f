"""Acting on a failure transition: send the retry, or tell the task's owner it gave up.

A task may declare `on_give_up`: it runs when the task ends in FAILURE (after its
retries, a hard limit, or crashes) or is REVOKED, wherever that is decided - in the
worker, in the launcher's reaper, or in the monitoring API. That is how a document or a
project never stays "processing" or "pending" once its task is over.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from appliance.tasking.records import Outcome, TaskMessage

if TYPE_CHECKING:
    from appliance.tasking.host import EngineHost

log = logging.getLogger("appliance.tasks")


def settle(runtime: EngineHost, outcome: Outcome, reason: str) -> None:
    """Send `outcome.resend`; run the give-up hook for `outcome.gave_up`."""
    if outcome.resend is not None:
        runtime.queue.send(outcome.resend)
    if outcome.gave_up is not None:
        give_up(runtime, outcome.gave_up, reason)


def give_up(runtime: EngineHost, message: TaskMessage, reason: str) -> None:
    """Run the task's `on_give_up` hook; a failing hook is logged, never raised."""
    spec = runtime.queue.registry.get(message.name)
    if spec.on_give_up is None:
        return
    try:
        spec.on_give_up(runtime, message, reason)
    except Exception:
        log.exception("[Task %s] give-up hook of %s failed", message.task_id, message.name)
