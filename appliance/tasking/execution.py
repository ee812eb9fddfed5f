"""Running one task in a worker: claim it in the ledger, run it, record the outcome."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from appliance.tasking.context import (
    PermanentTaskError,
    SoftTimeLimitExceeded,
    TaskContext,
    UserFacingError,
)
from appliance.tasking.outcomes import settle
from appliance.tasking.registry import TaskSpec
from appliance.tasking.retry import RetryPolicy
from appliance.tasking.softlimit import SoftTimeLimit

if TYPE_CHECKING:
    from appliance.container import Services

log = logging.getLogger("appliance.tasks")


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

    def bind(self, services: Services) -> None:
        """Attach the services; done once the process has opened its databases."""
        self.services = services

    def __call__(
        self, spec: TaskSpec, task_id: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        services = self.services
        if services is None:
            raise RuntimeError("TaskExecutor used before bind()")
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

        self.current_task_id = task_id
        soft_limit = services.settings.task_soft_time_limit
        context = TaskContext(
            task_id=task_id,
            name=spec.name,
            attempt=claim.attempt,
            services=services,
            soft_deadline=time.monotonic() + soft_limit,
        )
        started = time.monotonic()
        log.info("[Task %s] %s started (attempt %d)", task_id, spec.name, claim.attempt)
        try:
            try:
                with SoftTimeLimit(soft_limit):
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
            if ledger.finish_success(
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
        policy = RetryPolicy(max_retries, self.services.settings.retry_base_delay)
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
