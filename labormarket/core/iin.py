"""Individual identification number (ИИН — индивидуальный идентификационный номер).

Every natural person in Kazakhstan — citizen or resident foreigner — has one twelve-digit IIN,
assigned for life. It encodes the birth date and sex:

====== ============================================================================
digits meaning
====== ============================================================================
1-6    birth date as ``YYMMDD``
7      century of birth and sex: 1/2 = 1800s male/female, 3/4 = 1900s, 5/6 = 2000s
8-11   serial number given by the registering authority
12     check digit
====== ============================================================================

The check digit is the weighted sum of the first eleven digits with weights 1..11, modulo 11.
When that gives 10 the second weight set 3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2 is used; when that also
gives 10 the number is never assigned, so it is invalid. The same algorithm checks a BIN
(:mod:`labormarket.core.bin`).

This module is pure: no database, no settings. Messages are lazy translations so an error can be
raised at import time of a form and shown in the user's language later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Final, Literal

from django.utils.translation import gettext_lazy as _

from labormarket.core.errors import FieldError

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

Sex = Literal["male", "female"]

IIN_LENGTH: Final = 12

FIRST_WEIGHTS: Final = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
SECOND_WEIGHTS: Final = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)

# 7th digit → (century, sex)
_CENTURY_SEX: Final[dict[str, tuple[int, Sex]]] = {
    "1": (1800, "male"),
    "2": (1800, "female"),
    "3": (1900, "male"),
    "4": (1900, "female"),
    "5": (2000, "male"),
    "6": (2000, "female"),
}

IIN_ERROR_MESSAGES: Final[dict[str, StrPromise]] = {
    "iin_length": _("An IIN has exactly 12 digits."),
    "iin_digits": _("An IIN may contain digits only."),
    "iin_century": _("The 7th digit of an IIN must be from 1 to 6 (century of birth and sex)."),
    "iin_date": _("The first 6 digits of an IIN must be a real birth date (YYMMDD)."),
    "iin_check_digit": _("The IIN check digit does not match: the number is mistyped."),
}


class InvalidIIN(ValueError):
    """The text is not a valid IIN; ``code`` says which rule it broke (``iin_*``)."""

    def __init__(self, code: str) -> None:
        if code not in IIN_ERROR_MESSAGES:
            raise KeyError(code)
        self.code = code
        self.message = IIN_ERROR_MESSAGES[code]
        super().__init__(self.message)

    def __str__(self) -> str:
        return str(self.message)

    def as_field_error(self) -> FieldError:
        """This error as one problem of an input field, for :class:`ValidationFailed`."""
        return FieldError(code=self.code, message=str(self.message))


@dataclass(frozen=True, slots=True)
class ParsedIin:
    """What a valid IIN says about its holder."""

    value: str
    birth_date: date
    sex: Sex
    century: int
    serial: str


def is_ascii_digits(value: str) -> bool:
    """True for a non-empty string of the digits 0-9 only (no other Unicode digits)."""
    return value.isascii() and value.isdigit()


def _weighted_mod11(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(digit) * weight for digit, weight in zip(digits, weights, strict=True)) % 11


def check_digit(first11: str) -> int | None:
    """The check digit shared by IIN and BIN, or ``None`` if no number with these 11 digits exists.

    ``first11`` must be exactly 11 ASCII digits (``ValueError`` otherwise).
    """
    if len(first11) != IIN_LENGTH - 1 or not is_ascii_digits(first11):
        raise ValueError("expected exactly 11 digits")
    result = _weighted_mod11(first11, FIRST_WEIGHTS)
    if result == 10:
        result = _weighted_mod11(first11, SECOND_WEIGHTS)
        if result == 10:
            return None
    return result


def iin_check_digit(first11: str) -> int | None:
    """The 12th digit of the IIN that starts with ``first11``; ``None`` if no such IIN exists."""
    return check_digit(first11)


def parse_iin(value: str) -> ParsedIin:
    """Check an IIN typed by a person and return what it encodes.

    Surrounding whitespace is ignored; anything else that is not a digit is refused. The rules are
    checked in this order and the first broken one is reported: ``iin_digits``, ``iin_length``,
    ``iin_century``, ``iin_date``, ``iin_check_digit``.

    Raises:
        InvalidIIN: with the code of the broken rule.
    """
    if not isinstance(value, str):
        raise InvalidIIN("iin_digits")
    text = value.strip()
    if text and not is_ascii_digits(text):
        raise InvalidIIN("iin_digits")
    if len(text) != IIN_LENGTH:
        raise InvalidIIN("iin_length")

    century_sex = _CENTURY_SEX.get(text[6])
    if century_sex is None:
        raise InvalidIIN("iin_century")
    century, sex = century_sex

    try:
        birth_date = date(century + int(text[0:2]), int(text[2:4]), int(text[4:6]))
    except ValueError:
        raise InvalidIIN("iin_date") from None

    if check_digit(text[:11]) != int(text[11]):
        raise InvalidIIN("iin_check_digit")

    return ParsedIin(value=text, birth_date=birth_date, sex=sex, century=century, serial=text[7:11])


def is_valid_iin(value: str) -> bool:
    """True if ``value`` is a valid IIN (surrounding whitespace allowed)."""
    try:
        parse_iin(value)
    except InvalidIIN:
        return False
    return True


def century_digit(birth_date: date, sex: Sex) -> str:
    """The 7th IIN digit for a person born on ``birth_date`` of ``sex``."""
    for digit, (century, digit_sex) in _CENTURY_SEX.items():
        if century <= birth_date.year < century + 100 and digit_sex == sex:
            return digit
    if sex not in ("male", "female"):
        raise ValueError(f"sex must be 'male' or 'female', not {sex!r}")
    raise ValueError(f"an IIN cannot encode a birth year of {birth_date.year}")


def generate_iin(birth_date: date, sex: Sex, serial: int | str) -> str | None:
    """A valid IIN for this birth date, sex and 4-digit serial (0-9999), for demo data and tests.

    Returns ``None`` when no check digit exists for these 11 digits (both weight sets give 10):
    try the next serial.

    Raises:
        ValueError: the birth year is outside 1800-2099, ``sex`` is not male/female, or the serial
            is not 0-9999.
    """
    serial_text = f"{int(serial):04d}" if isinstance(serial, int) else serial
    if len(serial_text) != 4 or not is_ascii_digits(serial_text):
        raise ValueError(f"serial must be 4 digits (0-9999), not {serial!r}")
    first11 = f"{birth_date:%y%m%d}{century_digit(birth_date, sex)}{serial_text}"
    digit = check_digit(first11)
    return None if digit is None else f"{first11}{digit}"


def mask_iin(value: str) -> str:
    """The IIN for display and audit trails: first 4 digits (birth year and month), the rest ``*``.

    ``mask_iin("850101300123") == "8501********"``. Works on any text (whitespace stripped) so it
    is safe to call on unvalidated input; text of 4 characters or fewer is masked entirely.
    """
    text = value.strip()
    if len(text) <= 4:
        return "*" * len(text)
    return text[:4] + "*" * (len(text) - 4)
