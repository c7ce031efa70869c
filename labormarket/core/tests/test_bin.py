from datetime import date

import pytest
from django.utils import translation
from hypothesis import assume, given
from hypothesis import strategies as st

from labormarket.core.bin import InvalidBIN, ParsedBin, generate_bin, is_valid_bin, parse_bin

ALL_CODES = {"bin_length", "bin_digits", "bin_type", "bin_month", "bin_check_digit"}
ENTITY_TYPES = [
    "resident_legal_entity",
    "non_resident_legal_entity",
    "individual_entrepreneur_joint",
]


def outcome(value: str) -> str | None:
    """``None`` if ``value`` parses, else the error code."""
    try:
        parse_bin(value)
    except InvalidBIN as error:
        return error.code
    return None


def code_of(value: str) -> str:
    with pytest.raises(InvalidBIN) as excinfo:
        parse_bin(value)
    return excinfo.value.code


def test_parse_a_published_bin_registered_in_july_1994():
    assert parse_bin("940740000911") == ParsedBin(
        value="940740000911",
        registration_yy=94,
        registration_month=7,
        entity_type="resident_legal_entity",
        division_digit=0,
        serial="00091",
    )


def test_parse_branch_of_a_non_resident():
    parsed = parse_bin(" 191151012343 ")
    assert (parsed.value, parsed.entity_type, parsed.division_digit, parsed.serial) == (
        "191151012343",
        "non_resident_legal_entity",
        1,
        "01234",
    )


def test_parse_joint_individual_entrepreneur():
    assert parse_bin("100160000776").entity_type == "individual_entrepreneur_joint"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "bin_length"),
        ("94074000091", "bin_length"),
        ("9407400009111", "bin_length"),
        ("94074000091x", "bin_digits"),
        ("9407 4000 0911", "bin_digits"),
        ("940040000911", "bin_month"),
        ("941340000911", "bin_month"),
        ("940730000911", "bin_type"),
        ("940770000911", "bin_type"),
        ("940700000911", "bin_type"),
        ("940740000912", "bin_check_digit"),
        ("240540000070", "bin_check_digit"),  # 24054000007: no check digit exists
    ],
)
def test_invalid_bin_codes(value, code):
    assert code_of(value) == code
    assert is_valid_bin(value) is False


def test_month_is_checked_before_type():
    assert code_of("940030000911") == "bin_month"


def test_error_message_is_translatable_text():
    with translation.override("en"):
        assert str(InvalidBIN("bin_month")) == (
            "Digits 3-4 of a BIN must be the month of registration, 01 to 12."
        )


def test_generate_bin_examples():
    assert generate_bin(date(2024, 5, 1), 1) == "240540000016"
    assert generate_bin(date(2024, 5, 1), 70) is None
    assert (
        generate_bin(
            date(2019, 11, 1), 1234, entity_type="non_resident_legal_entity", division_digit=1
        )
        == "191151012343"
    )


@pytest.mark.parametrize(
    "kwargs", [{"serial": 100_000}, {"serial": -1}, {"serial": 1, "division_digit": 10}]
)
def test_generate_bin_refuses_what_a_bin_cannot_encode(kwargs):
    with pytest.raises(ValueError, match="must be"):
        generate_bin(date(2024, 5, 1), **kwargs)


@given(
    st.dates(min_value=date(1991, 1, 1), max_value=date(2099, 12, 31)),
    st.integers(min_value=0, max_value=99_999),
    st.sampled_from(ENTITY_TYPES),
    st.integers(min_value=0, max_value=9),
)
def test_generated_bin_parses_back_to_its_facts(registered_on, serial, entity_type, division):
    value = generate_bin(registered_on, serial, entity_type=entity_type, division_digit=division)
    assume(value is not None)
    assert parse_bin(value) == ParsedBin(
        value=value,
        registration_yy=registered_on.year % 100,
        registration_month=registered_on.month,
        entity_type=entity_type,
        division_digit=division,
        serial=f"{serial:05d}",
    )


@given(st.text(max_size=30))
def test_any_text_parses_or_fails_with_one_of_the_five_codes(value):
    assert outcome(value) in ALL_CODES | {None}


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_any_twelve_digits_parse_or_fail_on_month_type_or_check_digit(value):
    assert outcome(value) in {"bin_month", "bin_type", "bin_check_digit", None}
