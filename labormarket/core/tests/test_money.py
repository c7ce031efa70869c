"""KZT helpers: exact, rounded once, half up; the outsourcing worked example (OUT-22…OUT-24)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labormarket.core.money import CENT, kzt, percent_of, prorate

# Amounts a contract can hold: up to 999 999 999 999.99 (Decimal(14,2)), with stray digits.
amounts = st.decimals(
    min_value=Decimal("-999999999999.99"),
    max_value=Decimal("999999999999.99"),
    allow_nan=False,
    allow_infinity=False,
    places=6,
)
cents_amounts = st.integers(min_value=0, max_value=99_999_999_999_999).map(
    lambda cents: Decimal(cents).scaleb(-2)
)


def reference_round(value: Fraction) -> Decimal:
    """Independent check: Decimal's own ROUND_HALF_UP with ample precision on an exact value."""
    with localcontext() as context:
        context.prec = 60
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        return exact.quantize(CENT, rounding=ROUND_HALF_UP)


# --- kzt -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("10.005"), Decimal("10.01")),
        (Decimal("10.004999"), Decimal("10.00")),
        (Decimal("-10.005"), Decimal("-10.01")),
        ("0.125", Decimal("0.13")),
        (600000, Decimal("600000.00")),
        (Decimal("1E+3"), Decimal("1000.00")),
        (0, Decimal("0.00")),
    ],
)
def test_kzt_rounds_half_up_to_the_tiyn(value, expected):
    result = kzt(value)
    assert result == expected
    assert result.as_tuple().exponent == -2


@pytest.mark.parametrize("value", [0.1, 1.0, True, None, [1]])
def test_kzt_refuses_floats_and_non_numbers_with_type_error(value):
    with pytest.raises(TypeError):
        kzt(value)


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), "-Infinity"])
def test_kzt_refuses_nan_and_infinity(value):
    with pytest.raises(ValueError, match="finite"):
        kzt(value)


def test_kzt_is_exact_beyond_the_default_decimal_precision():
    # 30 significant digits: the default context (28) would round before quantizing.
    assert kzt(Decimal("123456789012345678901234567.895")) == Decimal(
        "123456789012345678901234567.90"
    )


@given(amounts)
def test_kzt_is_idempotent_and_within_half_a_tiyn(value):
    rounded = kzt(value)
    assert kzt(rounded) == rounded
    assert rounded.as_tuple().exponent == -2
    assert abs(rounded - value) <= Decimal("0.005")
    assert rounded == value.quantize(CENT, rounding=ROUND_HALF_UP)


@given(cents_amounts, cents_amounts)
def test_kzt_sums_of_tiyn_amounts_are_exact(a, b):
    assert kzt(a) + kzt(b) == kzt(a + b)


# --- percent_of --------------------------------------------------------------------------------


def test_out_22_advance_is_20_percent_of_the_contract_sum():
    assert percent_of(Decimal("3000000"), 20) == Decimal("600000.00")


def test_out_23_and_out_24_stage_shares_of_the_per_person_price():
    assert percent_of(Decimal("100000"), 50) == Decimal("50000.00")
    assert percent_of(Decimal("100000"), 30) == Decimal("30000.00")


def test_percent_of_rounds_once_half_up():
    assert percent_of(Decimal("0.05"), 50) == Decimal("0.03")  # 0.025 → 0.03
    assert percent_of(Decimal("333.33"), Decimal("33.333")) == Decimal("111.11")
    with pytest.raises(TypeError):
        percent_of(Decimal("100"), 20.0)


@given(amounts, st.integers(min_value=0, max_value=100))
def test_percent_of_matches_exact_arithmetic(amount, percent):
    assert percent_of(amount, percent) == reference_round(Fraction(amount) * percent / 100)


@given(cents_amounts)
def test_percent_of_100_is_the_amount_and_0_is_nothing(amount):
    assert percent_of(amount, 100) == amount
    assert percent_of(amount, 0) == Decimal("0.00")


# --- prorate ---------------------------------------------------------------------------------------


def test_out_22_refund_of_the_advance_for_9_of_30_not_employed():
    assert prorate(Decimal("600000"), 9, 30) == Decimal("180000.00")


def test_prorate_rounds_once_at_the_end_not_per_step():
    # 100 × 1/3 = 33.333… → 33.33; rounding 1/3 first (0.33) would give 33.00.
    assert prorate(Decimal("100"), 1, 3) == Decimal("33.33")
    # 0.01 × 1/2 = 0.005 → 0.01 (half up), never 0.00.
    assert prorate(Decimal("0.01"), 1, 2) == Decimal("0.01")
    assert prorate(Decimal("1000"), 2, 3) == Decimal("666.67")


def test_prorate_refuses_a_zero_whole_and_floats():
    with pytest.raises(ZeroDivisionError):
        prorate(Decimal("600000"), 9, 0)
    with pytest.raises(TypeError):
        prorate(Decimal("600000"), 0.3, 1)


@given(amounts, st.integers(min_value=0, max_value=1000), st.integers(min_value=1, max_value=1000))
def test_prorate_matches_exact_arithmetic(amount, part, whole):
    assert prorate(amount, part, whole) == reference_round(Fraction(amount) * part / whole)


@given(cents_amounts, st.integers(min_value=1, max_value=1000))
def test_prorate_of_the_whole_is_the_amount_and_of_nothing_is_zero(amount, whole):
    assert prorate(amount, whole, whole) == amount
    assert prorate(amount, 0, whole) == Decimal("0.00")


@given(cents_amounts, st.integers(min_value=1, max_value=500), st.data())
def test_prorate_grows_with_the_part_and_never_exceeds_the_amount(amount, whole, data):
    part = data.draw(st.integers(min_value=0, max_value=whole - 1))
    assert prorate(amount, part, whole) <= prorate(amount, part + 1, whole) <= amount


def test_worked_example_total_paid_stays_within_the_contract_sum():
    """OUT-19 with OUT-22…OUT-24: price 100 000, 30 people, 21 / 18 / 15 employed."""
    price, people = Decimal("100000"), 30
    contract_sum = kzt(price * people)
    advance = percent_of(contract_sum, 20)
    refund = prorate(advance, people - 21, people)
    stage_2 = 18 * percent_of(price, 50)
    stage_3 = 15 * percent_of(price, 30)
    assert (contract_sum, advance, refund) == (
        Decimal("3000000.00"),
        Decimal("600000.00"),
        Decimal("180000.00"),
    )
    assert (stage_2, stage_3) == (Decimal("900000.00"), Decimal("450000.00"))
    assert advance - refund + stage_2 + stage_3 == Decimal("1770000.00")
    assert advance + stage_2 + stage_3 <= contract_sum
