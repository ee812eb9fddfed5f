"""Running one task in a worker: claim it in the ledger, run it, record the outcome."""

from __future__ import annotations

import logging
import random
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from appliance.tasking.context import (
    PermanentTaskError,
    SoftTimeLimitExceeded,
    TaskContext,
    UserFacingError,
)
from appliance.tasking.ledger import Claim, TaskMessage
from appliance.tasking.outcomes import settle
from appliance.tasking.registry import Batch, TaskRegistry, TaskSpec
from appliance.tasking.retry import RetryPolicy
from appliance.tasking.softlimit import SoftTimeLimit

if TYPE_CHECKING:
    from appliance.container import Services

log = logging.getLogger("appliance.tasks")

DONE_IN_BATCH_MEMORY = 10_000  # ids; a few hundred kB at most


def describe_error(exc: BaseException) -> str:
    """`ValueError: message`, the form shown to a person in the monitor."""
    text = str(exc).strip()
    if isinstance(exc, UserFacingError) and text:
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class TaskExecutor:
    """Executes tasks for one worker process; Huey calls it from its worker thread."""

    def __init__(
        self,
        worker_name: str,
        rng: random.Random | None = None,
        on_soft_limit: Callable[[], None] | None = None,
    ) -> None:
        self.worker_name = worker_name
        self.services: Services | None = None
        self.current_task_id: str | None = None
        self.tasks_done = 0
        self._rng = rng or random.Random()
        # The soft limit's exception can land anywhere, even inside an import or a
        # library's half-finished update; the worker is replaced afterwards to be safe.
        self.on_soft_limit = on_soft_limit
        # Tasks this worker finished as batch companions: their own queue messages arrive
        # later and are dropped here, instead of each taking the write lock for a claim
        # that can only fail (31 of them per batch of 32).
        self._done_in_batch: OrderedDict[str, None] = OrderedDict()

    def bind(self, services: Services) -> None:
        """Attach the services; done once the process has opened its databases."""
        self.services = services

    @property
    def registry(self) -> TaskRegistry:
        assert self.services is not None
        return self.services.queue.registry

    def __call__(
        self, spec: TaskSpec, task_id: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        services = self.services
        if services is None:
            raise RuntimeError("TaskExecutor used before bind()")
        if task_id in self._done_in_batch:
            del self._done_in_batch[task_id]
            log.debug("[Task %s] %s already done in a batch", task_id, spec.name)
            return
        ledger = services.ledger
        claim = ledger.claim(
            task_id=task_id,
            name=spec.name,
            worker=self.worker_name,
            now=time.time(),
            default_max_retries=services.settings.max_retries,
            create_missing=spec.periodic is not None,
        )
        if claim is None:
            record = ledger.get(task_id)
            state = record.state if record is not None else "unknown"
            log.info("[Task %s] %s not run: it is %s", task_id, spec.name, state)
            return

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

    def _context(self, spec: TaskSpec, claim: Claim) -> TaskContext:
        assert self.services is not None
        return TaskContext(
            task_id=claim.task_id,
            name=spec.name,
            attempt=claim.attempt,
            services=self.services,
            soft_deadline=time.monotonic() + self.services.settings.task_soft_time_limit,
        )

    def _run_one(
        self, spec: TaskSpec, claim: Claim, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        """Run a task this worker has claimed and record how it ended."""
        assert self.services is not None
        task_id = claim.task_id
        self.current_task_id = task_id
        context = self._context(spec, claim)
        started = time.monotonic()
        log.info("[Task %s] %s started (attempt %d)", task_id, spec.name, claim.attempt)
        try:
            try:
                with SoftTimeLimit(self.services.settings.task_soft_time_limit):
                    result = spec.run(context, args, kwargs)
            finally:
                # Cleared before the outcome is written: the heartbeat stops a worker whose
                # current task the ledger gave to someone else, and a finished task is not
                # "current" any more.
                self.current_task_id = None
        except Exception as exc:
            self._record_failure(spec, task_id, claim.attempt, claim.max_retries, exc, started)
        else:
            duration = time.monotonic() - started
            if self.services.ledger.finish_success(
                task_id=task_id,
                worker=self.worker_name,
                result=result,
                duration=duration,
                now=time.time(),
            ):
                log.info("[Task %s] ✓ %s succeeded in %.1f ms", task_id, spec.name, duration * 1e3)
            else:
                log.warning("[Task %s] %s finished, but was no longer ours", task_id, spec.name)
        finally:
            self.tasks_done += 1

    def _run_batch(self, batch: Batch, members: list[tuple[Claim, TaskMessage]]) -> None:
        """Run claimed tasks together; if the batch fails, run each alone for its own outcome.

        Alone, a task that cannot succeed (a text that breaks the model, say) fails by itself
        instead of taking the tasks that happened to share its batch down with it.
        """
        assert self.services is not None
        first_claim, first = members[0]
        self.current_task_id = first.task_id
        context = self._context(self.registry.get(first.name), first_claim)
        started = time.monotonic()
        ids = ", ".join(message.task_id for _claim, message in members)
        log.info("[Batch %s] %d tasks started: %s", batch.key, len(members), ids)
        try:
            try:
                with SoftTimeLimit(self.services.settings.task_soft_time_limit):
                    results = batch.run(context, [(m.args, m.kwargs) for _c, m in members])
            finally:
                self.current_task_id = None  # as in _run_one
        except Exception as exc:
            if isinstance(exc, SoftTimeLimitExceeded):
                # The worker is replaced after a soft limit anyway: fail them as one.
                for claim, message in members:
                    spec = self.registry.get(message.name)
                    self._record_failure(
                        spec, claim.task_id, claim.attempt, claim.max_retries, exc, started
                    )
                return
            log.warning("[Batch %s] failed (%s); running its tasks one by one", batch.key, exc)
            for claim, message in members:
                self._run_one(self.registry.get(message.name), claim, message.args, message.kwargs)
            return
        duration = time.monotonic() - started
        finished = self.services.ledger.finish_success_many(
            worker=self.worker_name,
            results=[(m.task_id, r) for (_c, m), r in zip(members, results, strict=True)],
            duration=duration,
            now=time.time(),
        )
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
        self.tasks_done += len(members)

    def _record_failure(
        self,
        spec: TaskSpec,
        task_id: str,
        attempt: int,
        max_retries: int,
        exc: Exception,
        started: float,
    ) -> None:
        assert self.services is not None
        if isinstance(exc, SoftTimeLimitExceeded):
            error = "soft time limit exceeded"
            if self.on_soft_limit is not None:
                self.on_soft_limit()
        else:
            error = describe_error(exc)
        policy = RetryPolicy.configured(self.services.settings, max_retries)
        retryable = policy.may_retry(attempt) and not isinstance(exc, PermanentTaskError)
        delay = policy.delay(attempt, self._rng) if retryable else None
        outcome = self.services.ledger.finish_failure(
            task_id=task_id,
            worker=self.worker_name,
            error=error,
            duration=time.monotonic() - started,
            retry_delay=delay,
            now=time.time(),
        )
        settle(self.services, outcome, error)
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
                exc_info=not isinstance(exc, SoftTimeLimitExceeded),
            )
