import random

import pytest

from appliance.tasking.retry import RetryPolicy


def test_nominal_schedule_is_60_120_240_capped_at_600() -> None:
    policy = RetryPolicy(max_retries=8, base_delay=60)
    assert [policy.nominal_delay(n) for n in range(1, 9)] == [
        60,
        120,
        240,
        480,
        600,
        600,
        600,
        600,
    ]


def test_jitter_never_shortens_and_adds_at_most_a_quarter_below_the_cap() -> None:
    policy = RetryPolicy(base_delay=60)
    rng = random.Random(7)
    for retry in (1, 2, 3):
        nominal = policy.nominal_delay(retry)
        delays = [policy.delay(retry, rng) for _ in range(2000)]
        assert min(delays) >= nominal
        assert max(delays) <= nominal * 1.25
        # The jitter is real: the draws spread over most of the allowed band.
        assert max(delays) - min(delays) > nominal * 0.2


@pytest.mark.parametrize("retry", range(1, 9))
def test_no_delay_passes_the_cap_whatever_the_jitter(retry: int) -> None:
    policy = RetryPolicy(max_retries=8, base_delay=60)
    rng = random.Random(retry)
    delays = [policy.delay(retry, rng) for _ in range(2000)]
    assert max(delays) <= 600.0
    assert min(delays) >= policy.nominal_delay(retry)


def test_a_delay_just_below_the_cap_is_jittered_up_to_it_but_not_beyond() -> None:
    # 480 s nominal and a cap of 500 s: a draw above 4 % would pass the cap.
    policy = RetryPolicy(max_retries=5, base_delay=60, max_delay=500)
    delays = [policy.delay(4, random.Random(seed)) for seed in range(500)]
    assert min(delays) >= 480 and max(delays) == 500.0
    assert sum(delay == 500.0 for delay in delays) > 300


def test_the_cap_is_its_own_setting_not_a_multiple_of_the_base() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=600)
    assert policy.nominal_delay(1) == 0.5
    assert policy.nominal_delay(10) == 256.0
    assert policy.nominal_delay(12) == 600.0
    assert RetryPolicy(base_delay=60, max_delay=90).delay(3, random.Random(1)) == 90.0


def test_three_retries_after_the_first_attempt() -> None:
    policy = RetryPolicy(max_retries=3)
    assert [policy.may_retry(attempt) for attempt in (1, 2, 3, 4)] == [True, True, True, False]


def test_retry_numbers_start_at_one() -> None:
    with pytest.raises(ValueError):
        RetryPolicy().nominal_delay(0)
