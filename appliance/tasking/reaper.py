"""Finding tasks that will never finish on their own, and putting them right.

Three ways a task gets lost: its worker died (crash, kill, power cut), it ran past the
hard time limit, or its message vanished (Huey deleted it on dequeue and the worker died
before claiming it; the process died between committing a row and sending its message).
The ledger tells all three apart from healthy work; the reaper runs in the launcher at
start and every few seconds, and on each worker node for that node's own workers.

Only the process that started a worker can kill it. A reaper enforces the hard limit at
once on its own workers; on workers of other machines it steps in only a lease later
(their node should have acted by then), failing the attempt in the ledger: such a
worker sees that its task was taken away and exits by itself.

Time limits and leases count awake time (`awake.py`): a PC that slept with a task
running wakes to a task that has run as long as before, and to leases that start anew.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection

from appliance.tasking.awake import AwakeClock
from appliance.tasking.control import WorkerControl
from appliance.tasking.host import EngineHost
from appliance.tasking.outcomes import settle
from appliance.tasking.records import message_from_row
from appliance.tasking.retry import RetryPolicy
from appliance.wording import Language, say

log = logging.getLogger("appliance.reaper")

ORPHAN_GRACE = 30.0  # seconds a waiting row may lack its message before it is re-sent
HARD_LIMIT_ERROR = say("task.hard_limit", Language.EN)


def hand_back_tasks_of(
    runtime: EngineHost, worker: str, reason: str, *, count_attempt: bool
) -> int:
    """Give every task `worker` holds back to the queue (or fail those out of attempts)."""
    count = 0
    for row in runtime.history.started(worker=worker):
        outcome = runtime.ledger.requeue_started(
            task_id=row.id,
            worker=worker,
            reason=reason,
            count_attempt=count_attempt,
            now=time.time(),
        )
        settle(runtime, outcome, reason)
        if outcome.resend is not None:
            log.warning("[Task %s] %s re-queued: %s", row.id, row.name, reason)
        elif outcome.gave_up is not None:
            log.error("[Task %s] %s failed for good: %s", row.id, row.name, reason)
        count += 1
    return count


class Reaper:
    """Re-queues or fails lost tasks; `control` kills this process's own workers.

    `local_workers()` names the workers this process started. With `foreign=False` (a
    worker node) the reaper leaves other machines' workers alone. `tick(now)` is called
    at every turn of the owner's loop; it keeps the awake clock.
    """

    def __init__(
        self,
        runtime: EngineHost,
        control: WorkerControl,
        local_workers: Callable[[], Collection[str]] | None = None,
        *,
        foreign: bool = True,
        now: float | None = None,
    ) -> None:
        self.runtime = runtime
        self.control = control
        self.local_workers = local_workers
        self.foreign = foreign
        self.clock = AwakeClock(time.time() if now is None else now)

    def tick(self, now: float | None = None) -> None:
        self.clock.tick(time.time() if now is None else now)

    def _is_local(self, worker: str | None) -> bool:
        if self.local_workers is None:
            return True  # a single-PC launcher: every worker is its own
        return worker is not None and worker in self.local_workers()

    def requeue_tasks_of(self, worker: str, reason: str, *, count_attempt: bool = True) -> int:
        """Hand back every task `worker` was running (it died or was stopped)."""
        return hand_back_tasks_of(self.runtime, worker, reason, count_attempt=count_attempt)

    def reap_dead_workers(self, now: float | None = None) -> int:
        """Hand back tasks of workers whose heartbeat is older than the lease."""
        now = time.time() if now is None else now
        self.clock.tick(now)
        lease = self.runtime.settings.worker_lease
        if self.clock.within_fresh_lease(now, lease):
            return 0  # the PC just woke up: the workers have not had a chance to answer
        rows = self.runtime.history.tasks_of_dead_workers(now=now, lease=lease)
        for worker in sorted({row.worker for row in rows if row.worker}):
            self.requeue_tasks_of(worker, say("task.worker_silent", Language.EN, worker=worker))
        return len(rows)

    def enforce_hard_limit(self, now: float | None = None) -> int:
        """Fail the attempt of tasks past the hard limit and kill the worker running them.

        The worker is killed only when this transition took effect (a task that just
        finished is left alone) and only the process that ran it.
        """
        now = time.time() if now is None else now
        self.clock.tick(now)
        settings = self.runtime.settings
        running = self.runtime.history.started()
        self.clock.forget_tasks_except({row.id for row in running})
        count = 0
        for row in running:
            if row.started_at is None:
                continue
            limit = settings.task_hard_time_limit
            local = self._is_local(row.worker)
            if not local:
                if not self.foreign:
                    continue
                limit += settings.worker_lease
            ran = self.clock.ran_for(row.id, row.started_at, now)
            if ran < limit:
                continue
            policy = RetryPolicy.configured(settings, row.max_retries)
            delay = policy.delay(row.attempts) if policy.may_retry(row.attempts) else None
            worker = self.runtime.workers.worker(row.worker) if row.worker else None
            outcome = self.runtime.ledger.finish_failure(
                task_id=row.id,
                worker=row.worker,
                error=HARD_LIMIT_ERROR,
                duration=ran,
                retry_delay=delay,
                now=now,
            )
            if not outcome.applied:
                continue  # it finished (or was taken away) since the list was read
            log.error("[Task %s] ✗ %s: %s on %s", row.id, row.name, HARD_LIMIT_ERROR, row.worker)
            if row.worker and local:
                self.control.kill(row.worker, pid=worker.pid if worker is not None else None)
            settle(self.runtime, outcome, HARD_LIMIT_ERROR)
            count += 1
        return count

    def resend_orphans(self, now: float | None = None) -> int:
        """Send again the messages of waiting tasks that are neither queued nor scheduled."""
        now = time.time() if now is None else now
        candidates = self.runtime.history.overdue_waiting(older_than=now - ORPHAN_GRACE)
        if not candidates:
            return 0
        try:
            present = self.runtime.queue.tasks.message_ids()
        except Exception as exc:
            # Without a view of the queue nothing can be told lost; look again next round
            # (one line: a Redis outage would otherwise log a trace every few seconds).
            log.warning("cannot look for lost messages, the queue is unreachable: %s", exc)
            return 0
        count = 0
        for row in candidates:
            if row.id in present:
                continue
            self.runtime.queue.send(message_from_row(row))
            log.warning("[Task %s] %s had lost its queue message; sent again", row.id, row.name)
            count += 1
        return count

    def startup(self, local_workers: list[str]) -> None:
        """Before local workers start: whatever they ran in the last session is lost."""
        now = time.time()
        for name in local_workers:
            self.runtime.workers.mark_worker_stopped(name=name, pid=None, now=now)
            self.requeue_tasks_of(name, say("task.appliance_stopped", Language.EN))
        self.reap_dead_workers(now)
        self.resend_orphans(now)
