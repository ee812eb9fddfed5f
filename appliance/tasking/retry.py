"""The retry schedule: 60 s, 120 s, 240 s, ... plus upward jitter, never past 600 s.

Celery's full jitter may shorten a delay to zero; the appliance promises instead that a
delay is never shorter than its nominal value and at most 25 % longer, so a person reading
"next try in 2 minutes" is never surprised by an earlier one. The cap (the seed's
`retry_backoff_max=600`) is applied last, after the jitter: no delay is ever longer.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from appliance.config import Settings

MAX_JITTER = 0.25
DEFAULT_MAX_DELAY = 600.0


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how late a failed task is tried again."""

    max_retries: int = 3
    base_delay: float = 60.0
    max_delay: float = DEFAULT_MAX_DELAY
    factor: float = 2.0

    @classmethod
    def configured(cls, settings: Settings, max_retries: int) -> RetryPolicy:
        """The schedule the settings describe, for a task allowed `max_retries` retries."""
        return cls(max_retries, settings.retry_base_delay, settings.retry_max_delay)

    def nominal_delay(self, retry_number: int) -> float:
        """Delay before retry `retry_number` (1-based), without jitter."""
        if retry_number < 1:
            raise ValueError("retry_number starts at 1")
        # The exponent is bounded: 2 ** 1000 would overflow a float long before any cap.
        exponent = min(retry_number - 1, 64)
        return min(self.base_delay * self.factor**exponent, self.max_delay)

    def delay(self, retry_number: int, rng: random.Random | None = None) -> float:
        """Nominal delay stretched by a random 0-25 %, then capped at `max_delay`."""
        draw = (rng or random).uniform(0.0, MAX_JITTER)
        return min(self.nominal_delay(retry_number) * (1.0 + draw), self.max_delay)

    def may_retry(self, attempts_made: int) -> bool:
        """Whether a task that failed on attempt `attempts_made` gets another one."""
        return attempts_made <= self.max_retries
