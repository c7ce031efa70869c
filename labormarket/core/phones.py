"""Telephone numbers: one stored form (E.164, ``+77012345678``) for whatever people type.

People in Kazakhstan write mobile numbers with the trunk prefix 8 (``8 701 234 56 78``), with
the country code (``+7 (701) 234-56-78``) or run together (``87012345678``); all of them are the
same number and are stored once, so that matching, de-duplication and the SMS channel work.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import phonenumbers
from django.utils.translation import gettext_lazy as _

from labormarket.core.errors import FieldError

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

PHONE_ERROR_MESSAGES: Final[dict[str, StrPromise]] = {
    "phone_format": _("This does not look like a telephone number."),
    "phone_invalid": _("This telephone number does not exist: check the code and the digits."),
}


class InvalidPhone(ValueError):
    """The text is not a usable telephone number; ``code`` is ``phone_format`` or ``phone_invalid``."""

    def __init__(self, code: str) -> None:
        if code not in PHONE_ERROR_MESSAGES:
            raise KeyError(code)
        self.code = code
        self.message = PHONE_ERROR_MESSAGES[code]
        super().__init__(self.message)

    def __str__(self) -> str:
        return str(self.message)

    def as_field_error(self) -> FieldError:
        """This error as one problem of an input field, for :class:`ValidationFailed`."""
        return FieldError(code=self.code, message=str(self.message))


def normalize_phone(value: str, default_region: str = "KZ") -> str:
    """The number in E.164 (``+77012345678``).

    A number without a country code is read as a number of ``default_region`` (so ``8 701 …`` and
    ``701 …`` are Kazakh). Numbers of other countries are accepted when they are valid there.

    Raises:
        InvalidPhone: ``phone_format`` when the text cannot be read as a number at all or carries
            an extension (which neither SMS nor a call centre can dial); ``phone_invalid`` when it
            reads as a number but no such number can exist (wrong length, unassigned code).
    """
    if not isinstance(value, str) or not value.strip():
        raise InvalidPhone("phone_format")
    try:
        number = phonenumbers.parse(value, default_region)
    except phonenumbers.NumberParseException:
        raise InvalidPhone("phone_format") from None
    if number.extension:
        raise InvalidPhone("phone_format")
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone("phone_invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_valid_phone(value: str, default_region: str = "KZ") -> bool:
    """True if :func:`normalize_phone` accepts ``value``."""
    try:
        normalize_phone(value, default_region)
    except InvalidPhone:
        return False
    return True
