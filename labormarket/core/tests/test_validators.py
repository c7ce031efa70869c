import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation

from labormarket.core.validators import validate_bin, validate_iin, validate_phone


@pytest.mark.parametrize(
    ("validator", "value"),
    [
        (validate_iin, "850101301231"),
        (validate_iin, " 850101301231 "),
        (validate_bin, "940740000911"),
        (validate_phone, "8 701 234 56 78"),
    ],
)
def test_valid_values_pass(validator, value):
    assert validator(value) is None


@pytest.mark.parametrize(
    ("validator", "value", "code", "message"),
    [
        (
            validate_iin,
            "850101301232",
            "iin_check_digit",
            "The IIN check digit does not match: the number is mistyped.",
        ),
        (validate_iin, "8501013012", "iin_length", "An IIN has exactly 12 digits."),
        (
            validate_bin,
            "941340000911",
            "bin_month",
            "Digits 3-4 of a BIN must be the month of registration, 01 to 12.",
        ),
        (
            validate_phone,
            "12345",
            "phone_invalid",
            "This telephone number does not exist: check the code and the digits.",
        ),
    ],
)
def test_invalid_values_raise_validation_error_with_code_and_message(
    validator, value, code, message
):
    with pytest.raises(ValidationError) as excinfo:
        validator(value)
    assert excinfo.value.code == code
    with translation.override("en"):
        assert excinfo.value.messages == [message]


class PersonForm(forms.Form):
    iin = forms.CharField(validators=[validate_iin])
    phone = forms.CharField(validators=[validate_phone])


def test_form_shows_field_level_message_and_stable_code():
    form = PersonForm(data={"iin": "850101001231", "phone": "8 701 234 56 78"})
    assert form.is_valid() is False
    with translation.override("en"):
        assert form.errors.get_json_data() == {
            "iin": [
                {
                    "message": "The 7th digit of an IIN must be from 1 to 6 (century of birth and sex).",
                    "code": "iin_century",
                }
            ]
        }


def test_drf_serializer_returns_the_stable_code():
    from rest_framework import serializers

    class EmployerSerializer(serializers.Serializer):
        bin = serializers.CharField(validators=[validate_bin])

    serializer = EmployerSerializer(data={"bin": "940730000911"})
    assert serializer.is_valid() is False
    assert serializer.errors["bin"][0].code == "bin_type"
