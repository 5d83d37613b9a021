"""Confidence intervals for A/B differences, from per-variant counts, means and variances.

Normal approximations (Wald for proportions, Welch's standard error for means) at 95 %:
fine for the tens to thousands of runs per variant a notebook experiment has, and they
need nothing beyond the aggregates DuckDB already computed. With fewer than two runs in a
variant there is no interval (``None``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054


@dataclass(frozen=True, slots=True)
class Interval:
    estimate: float
    low: float
    high: float

    @property
    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0

    def text(self, unit: str = "") -> str:
        return (
            f"{self.estimate:+.3g}{unit} (95% CI {self.low:+.3g}{unit} to {self.high:+.3g}{unit})"
        )


def proportion_difference(hits_a: int, n_a: int, hits_b: int, n_b: int) -> Interval | None:
    """``p_b - p_a`` with its interval."""
    if n_a < 2 or n_b < 2:
        return None
    pa, pb = hits_a / n_a, hits_b / n_b
    se = math.sqrt(pa * (1 - pa) / n_a + pb * (1 - pb) / n_b)
    diff = pb - pa
    return Interval(diff, diff - Z95 * se, diff + Z95 * se)


def mean_difference(
    mean_a: float | None,
    var_a: float | None,
    n_a: int,
    mean_b: float | None,
    var_b: float | None,
    n_b: int,
) -> Interval | None:
    """``mean_b - mean_a`` with its interval (sample variances ``var_*``)."""
    if n_a < 2 or n_b < 2 or None in (mean_a, var_a, mean_b, var_b):
        return None
    assert mean_a is not None and var_a is not None and mean_b is not None and var_b is not None
    se = math.sqrt(var_a / n_a + var_b / n_b)
    diff = mean_b - mean_a
    return Interval(diff, diff - Z95 * se, diff + Z95 * se)
