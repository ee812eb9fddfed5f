import random

import pytest

from appliance.tasking.retry import RetryPolicy


def test_nominal_schedule_is_60_120_240_capped_at_600() -> None:
    policy = RetryPolicy(max_retries=6, base_delay=60)
    assert [policy.nominal_delay(n) for n in range(1, 7)] == [60, 120, 240, 480, 600, 600]


def test_jitter_never_shortens_and_adds_at_most_a_quarter() -> None:
    policy = RetryPolicy(base_delay=60)
    rng = random.Random(7)
    for retry in (1, 2, 3):
        nominal = policy.nominal_delay(retry)
        delays = [policy.delay(retry, rng) for _ in range(2000)]
        assert min(delays) >= nominal
        assert max(delays) <= nominal * 1.25
        # The jitter is real: the draws spread over most of the allowed band.
        assert max(delays) - min(delays) > nominal * 0.2


def test_scaled_base_scales_the_cap_too() -> None:
    policy = RetryPolicy(base_delay=0.5)
    assert policy.nominal_delay(1) == 0.5
    assert policy.nominal_delay(10) == 5.0


def test_three_retries_after_the_first_attempt() -> None:
    policy = RetryPolicy(max_retries=3)
    assert [policy.may_retry(attempt) for attempt in (1, 2, 3, 4)] == [True, True, True, False]


def test_retry_numbers_start_at_one() -> None:
    with pytest.raises(ValueError):
        RetryPolicy().nominal_delay(0)
