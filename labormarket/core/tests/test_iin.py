from datetime import date

import pytest
from django.utils import translation
from hypothesis import assume, example, given
from hypothesis import strategies as st

from labormarket.core.errors import FieldError
from labormarket.core.iin import (
    InvalidIIN,
    ParsedIin,
    generate_iin,
    iin_check_digit,
    is_valid_iin,
    mask_iin,
    parse_iin,
)

ALL_CODES = {"iin_length", "iin_digits", "iin_century", "iin_date", "iin_check_digit"}

birth_dates = st.dates(min_value=date(1800, 1, 1), max_value=date(2099, 12, 31))
sexes = st.sampled_from(["male", "female"])
serials = st.integers(min_value=0, max_value=9999)
twelve_digits = st.text(alphabet="0123456789", min_size=12, max_size=12)


def first_set_remainder(first11: str) -> int:
    """The first weight set's result, computed independently of the module."""
    return sum(int(d) * w for d, w in zip(first11, range(1, 12), strict=True)) % 11


# the same twelve digits typed on a full-width (CJK) keyboard
FULL_WIDTH_IIN = "".join(chr(0xFF10 + int(digit)) for digit in "850101301231")


def outcome(value: str) -> str | None:
    """``None`` if ``value`` parses, else the error code."""
    try:
        parse_iin(value)
    except InvalidIIN as error:
        return error.code
    return None


def code_of(value: str) -> str:
    with pytest.raises(InvalidIIN) as excinfo:
        parse_iin(value)
    return excinfo.value.code


# --- exact examples -------------------------------------------------------------------------


def test_parse_valid_iin_of_a_man_born_in_1985():
    # 8·1+5·2+0·3+1·4+0·5+1·6+3·7+0·8+1·9+2·10+3·11 = 111 ≡ 1 (mod 11)
    assert parse_iin("850101301231") == ParsedIin(
        value="850101301231",
        birth_date=date(1985, 1, 1),
        sex="male",
        century=1900,
        serial="0123",
    )


def test_parse_valid_iin_of_a_woman_born_in_1990():
    parsed = parse_iin("900715405121")
    assert (parsed.birth_date, parsed.sex, parsed.century, parsed.serial) == (
        date(1990, 7, 15),
        "female",
        1900,
        "0512",
    )


def test_parse_iin_of_the_2000s_and_1800s():
    assert parse_iin("031231600431").birth_date == date(2003, 12, 31)
    assert parse_iin("031231600431").sex == "female"
    assert parse_iin("991231100010").birth_date == date(1899, 12, 31)
    assert parse_iin("991231100010").century == 1800


def test_parse_iin_strips_surrounding_whitespace():
    assert parse_iin(" \t850101301231\n").value == "850101301231"


def test_second_weight_set_is_used_when_the_first_gives_10():
    # first set: 109 ≡ 10; second set 3,4,5,…: 91 ≡ 3
    assert iin_check_digit("85010130060") == 3
    assert is_valid_iin("850101300603") is True
    assert is_valid_iin("850101300600") is False


def test_no_check_digit_when_both_weight_sets_give_10():
    assert iin_check_digit("85010130069") is None
    for last in "0123456789":
        assert code_of("85010130069" + last) == "iin_check_digit"


def test_check_digit_needs_eleven_digits():
    with pytest.raises(ValueError, match="11 digits"):
        iin_check_digit("8501013012")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "iin_length"),
        ("   ", "iin_length"),
        ("85010130123", "iin_length"),
        ("8501013012311", "iin_length"),
        ("85010130123a", "iin_digits"),
        ("850101-301231", "iin_digits"),
        ("850101 301231", "iin_digits"),
        ("IIN850101301231", "iin_digits"),
        ("٨٥٠١٠١٣٠١٢٣١", "iin_digits"),  # Arabic-Indic digits are digits to Python, not to us
        (FULL_WIDTH_IIN, "iin_digits"),
        ("850101001231", "iin_century"),
        ("850101701231", "iin_century"),
        ("850101901231", "iin_century"),
        ("850229301231", "iin_date"),  # 1985 is not a leap year
        ("851301301231", "iin_date"),
        ("850100301231", "iin_date"),
        ("000229100010", "iin_date"),  # 1800 is not a leap year …
        ("850101301232", "iin_check_digit"),
        ("850101301230", "iin_check_digit"),
    ],
)
def test_invalid_iin_codes(value, code):
    assert code_of(value) == code
    assert is_valid_iin(value) is False


def test_29_february_2000_is_a_real_birth_date():
    # … but 2000 is.
    assert parse_iin("000229500078").birth_date == date(2000, 2, 29)


def test_non_string_is_refused_as_not_digits():
    assert code_of(850101301231) == "iin_digits"  # type: ignore[arg-type]


def test_error_carries_a_translatable_message_and_a_field_error():
    error = InvalidIIN("iin_check_digit")
    with translation.override("en"):
        assert str(error) == "The IIN check digit does not match: the number is mistyped."
        assert error.as_field_error() == FieldError(
            code="iin_check_digit",
            message="The IIN check digit does not match: the number is mistyped.",
        )


def test_unknown_error_code_is_a_programming_error():
    with pytest.raises(KeyError):
        InvalidIIN("iin_unknown")


def test_generate_iin_examples():
    assert generate_iin(date(1985, 1, 1), "male", 123) == "850101301231"
    assert generate_iin(date(1985, 1, 1), "male", "0123") == "850101301231"
    assert generate_iin(date(1985, 1, 1), "male", 69) is None


@pytest.mark.parametrize(
    ("birth_date", "sex", "serial"),
    [
        (date(1799, 12, 31), "male", 1),
        (date(2100, 1, 1), "female", 1),
        (date(1985, 1, 1), "other", 1),
        (date(1985, 1, 1), "male", 10_000),
        (date(1985, 1, 1), "male", -1),
        (date(1985, 1, 1), "male", "12a4"),
    ],
)
def test_generate_iin_refuses_what_an_iin_cannot_encode(birth_date, sex, serial):
    with pytest.raises(ValueError):  # noqa: PT011 — several messages
        generate_iin(birth_date, sex, serial)


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("850101301231", "8501********"),
        (" 850101301231 ", "8501********"),
        ("85010", "8501*"),
        ("8501", "****"),
        ("", ""),
    ],
)
def test_mask_iin(value, masked):
    assert mask_iin(value) == masked


# --- properties -----------------------------------------------------------------------------


@given(birth_dates, sexes, serials)
def test_generated_iin_parses_back_to_its_facts(birth_date, sex, serial):
    iin = generate_iin(birth_date, sex, serial)
    assume(iin is not None)
    parsed = parse_iin(iin)
    assert parsed.value == iin
    assert parsed.birth_date == birth_date
    assert parsed.sex == sex
    assert parsed.century == birth_date.year // 100 * 100
    assert parsed.serial == f"{serial:04d}"


@given(birth_dates, sexes, serials)
def test_generate_iin_returns_none_only_when_no_check_digit_exists(birth_date, sex, serial):
    iin = generate_iin(birth_date, sex, serial)
    if iin is None:
        first11 = f"{birth_date:%y%m%d}"
        first11 += {1800: "12", 1900: "34", 2000: "56"}[birth_date.year // 100 * 100][
            sex == "female"
        ]
        first11 += f"{serial:04d}"
        assert iin_check_digit(first11) is None


@given(birth_dates, sexes, serials, st.integers(min_value=1, max_value=9))
def test_changing_the_check_digit_always_invalidates(birth_date, sex, serial, delta):
    iin = generate_iin(birth_date, sex, serial)
    assume(iin is not None)
    mutant = iin[:11] + str((int(iin[11]) + delta) % 10)
    assert code_of(mutant) == "iin_check_digit"


@given(
    birth_dates,
    sexes,
    serials,
    st.integers(min_value=0, max_value=10),
    st.integers(min_value=1, max_value=9),
)
def test_changing_one_digit_invalidates_or_changes_the_facts(
    birth_date, sex, serial, position, delta
):
    iin = generate_iin(birth_date, sex, serial)
    assume(iin is not None)
    mutant = iin[:position] + str((int(iin[position]) + delta) % 10) + iin[position + 1 :]
    original = parse_iin(iin)
    code = outcome(mutant)
    if code is not None:
        assert code in {"iin_century", "iin_date", "iin_check_digit"}
        return
    changed = parse_iin(mutant)
    # A digit of the date, the century/sex digit or the serial changed, so a fact changed.
    assert (changed.birth_date, changed.sex, changed.century, changed.serial) != (
        original.birth_date,
        original.sex,
        original.century,
        original.serial,
    )


@given(
    birth_dates,
    sexes,
    serials,
    st.integers(min_value=0, max_value=9),
    st.integers(min_value=1, max_value=9),
)
def test_typos_in_digits_1_to_10_are_caught_unless_the_second_weight_set_is_involved(
    birth_date, sex, serial, position, delta
):
    """Weights 1..10 are non-zero mod 11 (a prime), so a changed digit among the first ten always
    changes the first-set result; such a typo can only slip through when the original or the
    typo falls back to the second weight set."""
    iin = generate_iin(birth_date, sex, serial)
    assume(iin is not None)
    mutant = iin[:position] + str((int(iin[position]) + delta) % 10) + iin[position + 1 :]
    if is_valid_iin(mutant):
        assert 10 in {first_set_remainder(iin[:11]), first_set_remainder(mutant[:11])}


@given(birth_dates, sexes, serials, st.integers(min_value=1, max_value=9))
def test_a_typo_in_the_11th_digit_is_not_caught_by_the_first_weight_set(
    birth_date, sex, serial, delta
):
    """A weakness of the official algorithm worth knowing: the 11th digit has weight 11 ≡ 0
    (mod 11) in the first set, so when both numbers use the first set a typo there gives another
    valid IIN (with a different serial). Only the second set (weight 2) sees that digit."""
    iin = generate_iin(birth_date, sex, serial)
    assume(iin is not None)
    mutant = iin[:10] + str((int(iin[10]) + delta) % 10) + iin[11]
    if first_set_remainder(iin[:11]) != 10:
        assert first_set_remainder(mutant[:11]) == first_set_remainder(iin[:11])
        assert parse_iin(mutant).serial != parse_iin(iin).serial


def test_example_of_an_undetected_11th_digit_typo():
    assert is_valid_iin("850101301231") is True
    assert is_valid_iin("850101301241") is True  # serial 0124 instead of 0123


@given(twelve_digits)
@example("000000000000")
@example("999999999999")
def test_any_twelve_digits_parse_or_fail_with_a_known_code(value):
    code = outcome(value)
    if code is None:
        # the facts it parses to generate exactly the same number
        parsed = parse_iin(value)
        assert generate_iin(parsed.birth_date, parsed.sex, parsed.serial) == value
    else:
        assert code in {"iin_century", "iin_date", "iin_check_digit"}


@given(st.text(max_size=30))
def test_any_text_parses_or_fails_with_one_of_the_five_codes(value):
    assert outcome(value) in ALL_CODES | {None}


@given(st.text(min_size=1, max_size=30))
def test_text_with_a_non_digit_inside_is_refused_as_not_digits(value):
    stripped = value.strip()
    assume(any(ch not in "0123456789" for ch in stripped))
    assert code_of(value) == "iin_digits"


@given(twelve_digits)
def test_mask_keeps_the_first_four_digits_only(value):
    assert mask_iin(value) == value[:4] + "********"
