"""Small statistics for published figures: a rate is shown with its interval and its n."""

from __future__ import annotations

import math


def wilson(successes: int, n: int, z: float = 1.959964) -> tuple[float, float] | None:
    """The Wilson score interval for a proportion (95 % by default); None when n is 0.

    Wilson rather than the textbook p ± z·√(p(1-p)/n): at 99 % satisfaction the textbook
    interval runs past 100 % and collapses to a point when every answer is the same.
    """
    if n <= 0:
        return None
    if not 0 <= successes <= n:
        raise ValueError("successes must lie between 0 and n")
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    # At the edges the bounds are exactly 0 and 1 (rounding would otherwise leave 0.9999…).
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def percent(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"
