import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from labormarket.core.phones import InvalidPhone, is_valid_phone, normalize_phone


@pytest.mark.parametrize(
    "value",
    [
        "8 701 234 56 78",
        "+7 (701) 234-56-78",
        "87012345678",
        "+77012345678",
        "77012345678",
        "701 234 56 78",
        "  8-701-234-56-78  ",
        "".join(chr(0xFF10 + int(d)) for d in "87012345678"),  # full-width digits
    ],
)
def test_kazakh_mobile_numbers_in_every_common_spelling_normalise_to_e164(value):
    assert normalize_phone(value) == "+77012345678"


def test_almaty_landline_with_trunk_prefix():
    assert normalize_phone("8 (727) 258-00-00") == "+77272580000"


def test_foreign_numbers_with_country_code_are_kept():
    assert normalize_phone("+7 916 123-45-67") == "+79161234567"  # Russia shares +7
    assert normalize_phone("+49 30 1234567") == "+49301234567"


def test_default_region_applies_to_numbers_without_country_code():
    assert normalize_phone("030 1234567", default_region="DE") == "+49301234567"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "phone_format"),
        ("   ", "phone_format"),
        ("abc", "phone_format"),
        ("not a phone", "phone_format"),
        ("+7 701 234 56 78 ext. 5", "phone_format"),
        ("12345", "phone_invalid"),
        ("8 701 234 56 7", "phone_invalid"),
        ("8 701 234 56 789", "phone_invalid"),
        ("+7 600 000 00 00", "phone_invalid"),
    ],
)
def test_invalid_phones(value, code):
    with pytest.raises(InvalidPhone) as excinfo:
        normalize_phone(value)
    assert excinfo.value.code == code
    assert is_valid_phone(value) is False


def test_non_string_is_refused():
    with pytest.raises(InvalidPhone) as excinfo:
        normalize_phone(87012345678)  # type: ignore[arg-type]
    assert excinfo.value.code == "phone_format"


def test_error_message_is_translatable_text():
    with translation.override("en"):
        assert str(InvalidPhone("phone_format")) == "This does not look like a telephone number."


@given(st.text(max_size=40))
def test_any_text_normalises_or_fails_with_a_phone_code(value):
    try:
        result = normalize_phone(value)
    except InvalidPhone as error:
        code = error.code
    else:
        code = None
        assert result.startswith("+")
        assert result[1:].isdigit()
        assert normalize_phone(result) == result
    assert code in {"phone_format", "phone_invalid", None}


@given(st.from_regex(r"70[0125-8][0-9]{7}", fullmatch=True))
def test_kazakh_mobiles_normalise_alike_from_8_and_plus_7(national):
    assert normalize_phone("8" + national) == normalize_phone("+7" + national) == "+7" + national
