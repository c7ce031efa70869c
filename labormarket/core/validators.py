"""Django field validators for identifiers and telephone numbers.

Each raises :class:`django.core.exceptions.ValidationError` with the human message and the stable
code of the broken rule (``iin_check_digit``, ``bin_month``, ``phone_invalid`` …), so forms show
the message under the field and DRF serializers return the code. Use them on model and form
fields: ``models.CharField(max_length=12, validators=[validate_iin])``.

They only check; storing the normalised value (stripped IIN/BIN, E.164 phone) is the job of the
form's ``clean_<field>`` or the serializer, using the ``parse_*``/``normalize_phone`` functions.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from labormarket.core.bin import InvalidBIN, parse_bin
from labormarket.core.iin import InvalidIIN, parse_iin
from labormarket.core.phones import InvalidPhone, normalize_phone


def validate_iin(value: str) -> None:
    """Refuse a value that is not a valid IIN (codes ``iin_*``)."""
    try:
        parse_iin(value)
    except InvalidIIN as exc:
        raise ValidationError(exc.message, code=exc.code) from exc


def validate_bin(value: str) -> None:
    """Refuse a value that is not a valid BIN (codes ``bin_*``)."""
    try:
        parse_bin(value)
    except InvalidBIN as exc:
        raise ValidationError(exc.message, code=exc.code) from exc


def validate_phone(value: str) -> None:
    """Refuse a value that is not a usable telephone number (``phone_format``, ``phone_invalid``)."""
    try:
        normalize_phone(value)
    except InvalidPhone as exc:
        raise ValidationError(exc.message, code=exc.code) from exc
