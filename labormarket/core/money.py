"""Money in tenge (KZT): exact Decimal amounts to the tiyn (0.01), rounded half up.

Every computed amount is rounded exactly once, at the end: the intermediate values are exact
fractions (``fractions.Fraction``), so ``prorate(600_000, 9, 30)`` is 180 000.00 whatever the
Decimal context's precision. Floats are refused: 0.1 + 0.2 is not 0.3 in binary.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

#: One tiyn: the smallest amount the ledger records.
CENT = Decimal("0.01")

#: What a money function accepts as a number: exact types only.
Number = Decimal | int | str


def _exact(value: object, name: str) -> Fraction:
    """``value`` as an exact fraction; floats (and bools) are refused with ``TypeError``."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str | Fraction):
        raise TypeError(
            f"{name} must be a Decimal, int or str, not {type(value).__name__} "
            "(floats cannot hold tenge exactly)"
        )
    if isinstance(value, Fraction):
        return value
    decimal_value = value if isinstance(value, Decimal) else Decimal(value)
    if not decimal_value.is_finite():
        raise ValueError(f"{name} must be a finite number, not {value!r}")
    return Fraction(decimal_value)


def _round_to_cents(value: Fraction) -> Decimal:
    """Round an exact fraction to the tiyn, half away from zero (ROUND_HALF_UP), exactly once."""
    sign = -1 if value < 0 else 1
    cents = math.floor(abs(value) * 100 + Fraction(1, 2))
    whole, tiyn = divmod(cents, 100)
    text = f"{'-' if sign < 0 and cents else ''}{whole}.{tiyn:02d}"
    # Built from a string: the Decimal constructor is exact and ignores the context precision.
    return Decimal(text)


def kzt(value: Number) -> Decimal:
    """The amount in tenge rounded to the tiyn (ROUND_HALF_UP): ``kzt("10.005") == Decimal("10.01")``.

    Raises ``TypeError`` for a float and ``ValueError`` for NaN or infinity.
    """
    return _round_to_cents(_exact(value, "value"))


def percent_of(amount: Number, percent: Number) -> Decimal:
    """``percent`` % of ``amount``, rounded once: ``percent_of(3_000_000, 20) == 600 000.00``."""
    return _round_to_cents(_exact(amount, "amount") * _exact(percent, "percent") / 100)


def prorate(amount: Number, part: Number, whole: Number) -> Decimal:
    """``amount × part / whole`` rounded once at the end: ``prorate(600_000, 9, 30) == 180 000.00``.

    ``whole`` must not be zero (``ZeroDivisionError``).
    """
    whole_value = _exact(whole, "whole")
    if whole_value == 0:
        raise ZeroDivisionError("whole must not be zero")
    return _round_to_cents(_exact(amount, "amount") * _exact(part, "part") / whole_value)
