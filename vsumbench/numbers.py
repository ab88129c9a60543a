"""One rule for numbers that may be undefined: finite floats, or None (never NaN)."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["finite_or_none"]


def finite_or_none(value: Any) -> float | None:
    """``float(value)`` when it is a finite number; None for None, NaN, inf and non-numbers.

    >>> finite_or_none("0.5"), finite_or_none(float("nan")), finite_or_none(None)
    (0.5, None, None)
    """
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None
