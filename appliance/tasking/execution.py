"""Running one task in a worker: claim it in the ledger, run it, record the outcome."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from appliance.holds import HoldPoints
from appliance.tasking.context import (
    PermanentTaskError,
    SoftTimeLimitExceeded,
    TaskContext,
    UserFacingError,
)
from appliance.tasking.host import EngineHost
from appliance.tasking.outcomes import settle
from appliance.tasking.records import Claim, Outcome, TaskMessage
from appliance.tasking.registry import Batch, TaskRegistry, TaskSpec
from appliance.tasking.retry import RetryPolicy
from appliance.tasking.softlimit import SoftTimeLimit
from appliance.wording import Language, say

log = logging.getLogger("appliance.tasks")

T = TypeVar("T")

DONE_IN_BATCH_MEMORY = 10_000  # ids; a few hundred kB at most
# How long an outcome that cannot be written (the database locked or away) is tried again
# before the worker gives up and exits: its supervisor then hands the task back.
OUTCOME_PATIENCE = 60.0
OUTCOME_RETRY_MAX_WAIT = 5.0


def describe_error(exc: BaseException) -> str:
    """`ValueError: message`, the form shown to a person in the monitor."""
    text = str(exc).strip()
    if isinstance(exc, UserFacingError) and text:
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class WorkerLifecycle(Protocol):
    """What the executor may ask of the process it runs in."""

    def retire(self, reason: str) -> None:
        """Take no further task; let a fresh process replace this one."""

    def exit_now(self, reason: str) -> None:
        """Leave at once (a task this worker ran was taken away from it)."""


class StayAlive:
    """The lifecycle of an executor outside a worker process (tests): it only logs."""

    def retire(self, reason: str) -> None:
        log.info("would retire: %s", reason)

    def exit_now(self, reason: str) -> None:
        log.warning("would exit: %s", reason)


class TaskExecutor:
    """Executes tasks for one worker process; Huey calls it from its worker thread.

    The tasks it runs right now are `running_task_ids()`: one task, or the members of a
    batch. The set changes under a lock, and `exit_if_running()` holds that lock while it
    ends the process, so an exit meant for one task can never land on the next one.
    """

    def __init__(
        self,
        worker_name: str,
        runtime: EngineHost,
        rng: random.Random | None = None,
        lifecycle: WorkerLifecycle | None = None,
    ) -> None:
        self.worker_name = worker_name
        self.runtime = runtime
        self.tasks_done = 0
        self.runs = 0
        self._rng = rng or random.Random()
        self.lifecycle: WorkerLifecycle = lifecycle or StayAlive()
        self._running: tuple[str, ...] = ()
        self._switch = threading.Lock()
        # Tasks this worker finished as batch companions: their own queue messages arrive
        # later and are dropped here, instead of each taking the write lock for a claim
        # that can only fail (31 of them per batch of 32).
        self._done_in_batch: OrderedDict[str, None] = OrderedDict()

    @property
    def registry(self) -> TaskRegistry:
        return self.runtime.queue.registry

    @property
    def current_task_id(self) -> str | None:
        """The task running now (the first of a batch), for the heartbeat."""
        running = self._running
        return running[0] if running else None

    def running_task_ids(self) -> tuple[str, ...]:
        return self._running

    def _set_running(self, task_ids: tuple[str, ...]) -> None:
        with self._switch:
            self._running = task_ids

    def exit_if_running(self, task_id: str, exit_process: Callable[[], None]) -> bool:
        """Call `exit_process()` if `task_id` is running now; never once it has ended."""
        with self._switch:
            if task_id not in self._running:
                return False
            exit_process()
            return True

    def __call__(
        self, spec: TaskSpec, task_id: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        runtime = self.runtime
        if task_id in self._done_in_batch:
            del self._done_in_batch[task_id]
            log.debug("[Task %s] %s already done in a batch", task_id, spec.name)
            return
        ledger = runtime.ledger
        claim = ledger.claim(
            task_id=task_id,
            name=spec.name,
            worker=self.worker_name,
            now=time.time(),
            default_max_retries=runtime.settings.max_retries,
            create_missing=spec.periodic is not None,
        )
        if claim is None:
            self._log_not_run(spec, task_id)
            return
        try:
            if spec.batch is not None:
                companions = ledger.claim_companions(
                    names=self.registry.batched_with(spec.batch),
                    worker=self.worker_name,
                    now=time.time(),
                    limit=spec.batch.size - 1,
                )
                if companions:
                    first = TaskMessage(task_id, spec.name, args, kwargs, 0)
                    self._run_batch(spec.batch, [(claim, first), *companions])
                    return
            self._run_one(spec, claim, args, kwargs)
        finally:
            self.runs += 1
            limit = runtime.settings.max_tasks_per_child
            if limit and self.runs >= limit:
                self.lifecycle.retire(f"it has run {self.runs} tasks")

    def _log_not_run(self, spec: TaskSpec, task_id: str) -> None:
        record = self.runtime.ledger.get(task_id)
        if record is None:
            log.info("[Task %s] %s not run: unknown task", task_id, spec.name)
        elif record.state == "RETRY" and record.next_retry_at is not None:
            wait = record.next_retry_at - time.time()
            log.info(
                "[Task %s] %s not run yet: its retry is due in %.0f s", task_id, spec.name, wait
            )
        else:
            log.info("[Task %s] %s not run: it is %s", task_id, spec.name, record.state)

    def _context(self, spec: TaskSpec, claim: Claim) -> TaskContext:
        return TaskContext(
            task_id=claim.task_id,
            name=spec.name,
            attempt=claim.attempt,
            runtime=self.runtime,
            soft_deadline=time.monotonic() + self.runtime.settings.task_soft_time_limit,
        )

    def _run_one(
        self, spec: TaskSpec, claim: Claim, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        """Run a task this worker has claimed and record how it ended."""
        task_id = claim.task_id
        context = self._context(spec, claim)
        started = time.monotonic()
        log.info("[Task %s] %s started (attempt %d)", task_id, spec.name, claim.attempt)
        self._set_running((task_id,))
        try:
            limit = SoftTimeLimit(self.runtime.settings.task_soft_time_limit)
            result = limit.run(self._held(spec.name, lambda: spec.run(context, args, kwargs)))
        except Exception as exc:
            self._record_failure(spec, task_id, claim.attempt, claim.max_retries, exc, started)
        else:
            self._record_success(spec, task_id, result, time.monotonic() - started)
        finally:
            self._set_running(())
            self.tasks_done += 1

    def _held(self, name: str, body: Callable[[], T]) -> Callable[[], T]:
        """`body`, to run after any hold a test put on tasks of this name (holds.py)."""
        holds = HoldPoints(self.runtime.settings.hold_dir)

        def held_body() -> T:
            holds.wait(HoldPoints.task(name))
            return body()

        return held_body

    def _record_success(self, spec: TaskSpec, task_id: str, result: Any, duration: float) -> None:
        ledger = self.runtime.ledger
        finished = self._persist(
            task_id,
            lambda: ledger.finish_success(
                task_id=task_id,
                worker=self.worker_name,
                result=result,
                duration=duration,
                now=time.time(),
            ),
        )
        if finished:
            log.info("[Task %s] ✓ %s succeeded in %.1f ms", task_id, spec.name, duration * 1e3)
        else:
            self._taken_away(task_id, spec.name)

    def _run_batch(self, batch: Batch, members: list[tuple[Claim, TaskMessage]]) -> None:
        """Run claimed tasks together; if the batch fails, run each alone for its own outcome.

        Alone, a task that cannot succeed (a text that breaks the model, say) fails by itself
        instead of taking the tasks that happened to share its batch down with it.
        """
        first_claim, first = members[0]
        context = self._context(self.registry.get(first.name), first_claim)
        started = time.monotonic()
        ids = tuple(message.task_id for _claim, message in members)
        log.info("[Batch %s] %d tasks started: %s", batch.key, len(members), ", ".join(ids))
        self._set_running(ids)
        try:
            limit = SoftTimeLimit(self.runtime.settings.task_soft_time_limit)
            calls = [(m.args, m.kwargs) for _c, m in members]
            results = limit.run(self._held(first.name, lambda: batch.run(context, calls)))
        except SoftTimeLimitExceeded as exc:
            # The worker is replaced after a soft limit anyway: fail them as one.
            for claim, message in members:
                spec = self.registry.get(message.name)
                self._record_failure(
                    spec, claim.task_id, claim.attempt, claim.max_retries, exc, started
                )
            self._set_running(())
            return
        except Exception as exc:
            self._set_running(())
            log.warning("[Batch %s] failed (%s); running its tasks one by one", batch.key, exc)
            for claim, message in members:
                self._run_one(self.registry.get(message.name), claim, message.args, message.kwargs)
            return
        duration = time.monotonic() - started
        ledger = self.runtime.ledger
        finished = self._persist(
            first.task_id,
            lambda: ledger.finish_success_many(
                worker=self.worker_name,
                results=[(m.task_id, r) for (_c, m), r in zip(members, results, strict=True)],
                duration=duration,
                now=time.time(),
            ),
        )
        self._set_running(())
        self.tasks_done += len(members)
        # The first member's message is the one being handled now; the others' come later.
        for task_id in set(finished) - {first.task_id}:
            self._done_in_batch[task_id] = None
        while len(self._done_in_batch) > DONE_IN_BATCH_MEMORY:
            self._done_in_batch.popitem(last=False)  # a message that never came
        log.info(
            "[Batch %s] ✓ %d of %d tasks succeeded in %.1f ms",
            batch.key,
            len(finished),
            len(members),
            duration * 1e3,
        )
        lost = [task_id for task_id in ids if task_id not in finished]
        if lost:
            self._taken_away(lost[0], batch.key)

    def _record_failure(
        self,
        spec: TaskSpec,
        task_id: str,
        attempt: int,
        max_retries: int,
        exc: Exception,
        started: float,
    ) -> None:
        soft_limit = isinstance(exc, SoftTimeLimitExceeded)
        error = say("task.soft_limit", Language.EN) if soft_limit else describe_error(exc)
        policy = RetryPolicy.configured(self.runtime.settings, max_retries)
        retryable = policy.may_retry(attempt) and not isinstance(exc, PermanentTaskError)
        delay = policy.delay(attempt, self._rng) if retryable else None
        ledger = self.runtime.ledger
        outcome: Outcome = self._persist(
            task_id,
            lambda: ledger.finish_failure(
                task_id=task_id,
                worker=self.worker_name,
                error=error,
                duration=time.monotonic() - started,
                retry_delay=delay,
                now=time.time(),
            ),
        )
        if soft_limit:
            # The exception may have landed anywhere, even inside an import or a library's
            # half-finished update: the worker is replaced once this outcome is written.
            self.lifecycle.retire("a task ran past the soft time limit")
        if not outcome.applied:
            self._taken_away(task_id, spec.name)
            return
        try:
            settle(self.runtime, outcome, error)
        except Exception as settle_error:
            # The row says RETRY; a retry message the queue did not take is re-sent by the
            # reaper once it is overdue.
            log.warning("[Task %s] retry not sent now (%s)", task_id, settle_error)
        if outcome.resend is not None:
            log.warning(
                "[Task %s] ✗ Error in %s: %s (retry %d/%d in %.1f s)",
                task_id,
                spec.name,
                error,
                attempt,
                max_retries,
                outcome.resend.delay,
            )
        elif outcome.gave_up is not None:
            log.error(
                "[Task %s] ✗ Error in %s: %s (failed for good after %d attempts)",
                task_id,
                spec.name,
                error,
                attempt,
                exc_info=not soft_limit,
            )

    def _persist(self, task_id: str, write: Callable[[], T]) -> T:
        """Write a task's outcome, trying again while the database refuses.

        An outcome that is never written leaves the task STARTED under a live worker, where
        nothing would ever free it. If the database stays away past OUTCOME_PATIENCE the
        worker exits instead: its supervisor hands the task back once it can.
        """
        deadline = time.monotonic() + OUTCOME_PATIENCE
        wait = 0.05
        while True:
            try:
                return write()
            except SoftTimeLimitExceeded:
                # A soft limit that fired as the task ended: not the write's fault.
                log.debug("[Task %s] a late soft limit interrupted its outcome", task_id)
            except Exception as exc:
                if time.monotonic() + wait > deadline:
                    self.lifecycle.exit_now(f"the outcome of task {task_id} cannot be written")
                    raise
                log.warning(
                    "[Task %s] outcome not written (%s); trying again in %.2f s",
                    task_id,
                    exc,
                    wait,
                )
                time.sleep(wait)
                wait = min(wait * 2, OUTCOME_RETRY_MAX_WAIT)

    def _taken_away(self, task_id: str, name: str) -> None:
        """The ledger gave `task_id` to someone else (revoked, past the hard limit, or
        re-queued after a lost lease) while it ran here. This worker takes no further task:
        whoever took it away may be about to kill the process that ran it."""
        log.warning("[Task %s] %s finished, but was no longer ours", task_id, name)
        self.lifecycle.exit_now(f"task {task_id} was taken away while it ran")
