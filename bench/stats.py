"""Percentiles, summaries and ratio formatting: the arithmetic every section shares."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], p: float) -> float:
    """The `p`-th percentile (0-100) with linear interpolation, as numpy's default does."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100.0
    low = math.floor(rank)
    high = math.ceil(rank)
    if low == high:
        return float(ordered[low])
    return float(ordered[low] + (ordered[high] - ordered[low]) * (rank - low))


def summary(values: Sequence[float]) -> dict[str, float]:
    """n, mean, min, p50, p95, p99 and max of `values` (empty: only n)."""
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "mean": sum(values) / len(values),
        "min": float(min(values)),
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "max": float(max(values)),
    }


def ratio(measured: float | None, baseline: float | None) -> float | None:
    """measured / baseline, or None when either is missing or the baseline is zero."""
    if measured is None or baseline is None or baseline == 0:
        return None
    return measured / baseline


def fmt_number(value: float | None, digits: int = 3) -> str:
    """A figure for a table: about `digits` significant digits, no exponent notation."""
    if value is None:
        return "–"
    if value == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(value)))
    decimals = max(0, digits - 1 - magnitude)
    return f"{value:,.{decimals}f}"


def fmt_ratio(value: float | None) -> str:
    """`×0.42`: how many times the baseline the measured figure is."""
    return "–" if value is None else f"×{fmt_number(value, 2)}"
