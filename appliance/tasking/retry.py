"""The retry schedule: 60 s, 120 s, 240 s, ... capped at 600 s, plus upward jitter.

Celery's full jitter may shorten a delay to zero; the appliance promises instead that a
delay is never shorter than its nominal value and at most 25 % longer, so a person reading
"next try in 2 minutes" is never surprised by an earlier one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

MAX_JITTER = 0.25
CAP_FACTOR = 10  # 60 s base -> 600 s cap, and the cap scales with the base.


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how late a failed task is tried again."""

    max_retries: int = 3
    base_delay: float = 60.0
    factor: float = 2.0

    @property
    def cap(self) -> float:
        return self.base_delay * CAP_FACTOR

    def nominal_delay(self, retry_number: int) -> float:
        """Delay before retry `retry_number` (1-based), without jitter."""
        if retry_number < 1:
            raise ValueError("retry_number starts at 1")
        return min(self.base_delay * self.factor ** (retry_number - 1), self.cap)

    def delay(self, retry_number: int, rng: random.Random | None = None) -> float:
        """Nominal delay stretched by a random 0-25 %."""
        draw = (rng or random).uniform(0.0, MAX_JITTER)
        return self.nominal_delay(retry_number) * (1.0 + draw)

    def may_retry(self, attempts_made: int) -> bool:
        """Whether a task that failed on attempt `attempts_made` gets another one."""
        return attempts_made <= self.max_retries
