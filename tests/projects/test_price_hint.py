"""The arithmetic of a price hint: percentiles of amounts, to the cent."""

from __future__ import annotations

from decimal import Decimal

import pytest

from appliance.projects.price_hint import percentile


def amounts(*values: str) -> list[Decimal]:
    return sorted(Decimal(v) for v in values)


@pytest.mark.parametrize(
    ("values", "share", "expected"),
    [
        (("100",), 25, "100.00"),
        (("100", "200"), 50, "150.00"),
        (("100", "200", "300", "400"), 25, "175.00"),
        (("100", "200", "300", "400"), 75, "325.00"),
        (("9000", "11000", "12400", "14000", "30000"), 50, "12400.00"),
        (("0.01", "0.02"), 50, "0.02"),  # 0.015, half up
        (("10", "20", "30"), 0, "10.00"),
        (("10", "20", "30"), 100, "30.00"),
    ],
)
def test_percentile_is_linear_between_neighbours_and_rounds_half_up(
    values: tuple[str, ...], share: int, expected: str
) -> None:
    assert percentile(amounts(*values), share) == Decimal(expected)
