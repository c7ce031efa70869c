"""Business identification number (БИН — бизнес-идентификационный номер).

Every legal entity, branch, representative office, and individual entrepreneur working as a joint
enterprise in Kazakhstan has one twelve-digit BIN:

====== ============================================================================
digits meaning
====== ============================================================================
1-2    year of state registration (two digits, century not encoded)
3-4    month of state registration, 01-12
5      type: 4 = resident legal entity, 5 = non-resident legal entity,
       6 = individual entrepreneur in joint enterprise (ИП в форме совместного
       предпринимательства)
6      division: 0 = head organisation, 1 = branch, 2 = representative office,
       3 = peasant (farm) enterprise in joint enterprise (not checked here)
7-11   serial number
12     check digit — the same two-weight-set algorithm as the IIN
====== ============================================================================

An individual entrepreneur working alone is identified by the IIN, not a BIN.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Final, Literal

from django.utils.translation import gettext_lazy as _

from labormarket.core.errors import FieldError

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise
from labormarket.core.iin import check_digit, is_ascii_digits

BIN_LENGTH: Final = 12

EntityType = Literal[
    "resident_legal_entity", "non_resident_legal_entity", "individual_entrepreneur_joint"
]

ENTITY_TYPES: Final[dict[str, EntityType]] = {
    "4": "resident_legal_entity",
    "5": "non_resident_legal_entity",
    "6": "individual_entrepreneur_joint",
}
_TYPE_DIGITS: Final[dict[EntityType, str]] = {name: digit for digit, name in ENTITY_TYPES.items()}

BIN_ERROR_MESSAGES: Final[dict[str, StrPromise]] = {
    "bin_length": _("A BIN has exactly 12 digits."),
    "bin_digits": _("A BIN may contain digits only."),
    "bin_month": _("Digits 3-4 of a BIN must be the month of registration, 01 to 12."),
    "bin_type": _(
        "The 5th digit of a BIN must be 4 (resident legal entity), 5 (non-resident legal entity) "
        "or 6 (individual entrepreneur in joint enterprise)."
    ),
    "bin_check_digit": _("The BIN check digit does not match: the number is mistyped."),
}


class InvalidBIN(ValueError):
    """The text is not a valid BIN; ``code`` says which rule it broke (``bin_*``)."""

    def __init__(self, code: str) -> None:
        if code not in BIN_ERROR_MESSAGES:
            raise KeyError(code)
        self.code = code
        self.message = BIN_ERROR_MESSAGES[code]
        super().__init__(self.message)

    def __str__(self) -> str:
        return str(self.message)

    def as_field_error(self) -> FieldError:
        """This error as one problem of an input field, for :class:`ValidationFailed`."""
        return FieldError(code=self.code, message=str(self.message))


@dataclass(frozen=True, slots=True)
class ParsedBin:
    """What a valid BIN says about the organisation."""

    value: str
    registration_yy: int
    registration_month: int
    entity_type: EntityType
    division_digit: int
    serial: str


def parse_bin(value: str) -> ParsedBin:
    """Check a BIN typed by a person and return what it encodes.

    Surrounding whitespace is ignored; anything else that is not a digit is refused. The rules are
    checked in this order and the first broken one is reported: ``bin_digits``, ``bin_length``,
    ``bin_month``, ``bin_type``, ``bin_check_digit``.

    Raises:
        InvalidBIN: with the code of the broken rule.
    """
    if not isinstance(value, str):
        raise InvalidBIN("bin_digits")
    text = value.strip()
    if text and not is_ascii_digits(text):
        raise InvalidBIN("bin_digits")
    if len(text) != BIN_LENGTH:
        raise InvalidBIN("bin_length")
    month = int(text[2:4])
    if not 1 <= month <= 12:
        raise InvalidBIN("bin_month")
    entity_type = ENTITY_TYPES.get(text[4])
    if entity_type is None:
        raise InvalidBIN("bin_type")
    if check_digit(text[:11]) != int(text[11]):
        raise InvalidBIN("bin_check_digit")
    return ParsedBin(
        value=text,
        registration_yy=int(text[0:2]),
        registration_month=month,
        entity_type=entity_type,
        division_digit=int(text[5]),
        serial=text[6:11],
    )


def is_valid_bin(value: str) -> bool:
    """True if ``value`` is a valid BIN (surrounding whitespace allowed)."""
    try:
        parse_bin(value)
    except InvalidBIN:
        return False
    return True


def generate_bin(
    registered_on: date,
    serial: int,
    *,
    entity_type: EntityType = "resident_legal_entity",
    division_digit: int = 0,
) -> str | None:
    """A valid BIN for demo data and tests: registration year/month, type, division, serial.

    ``serial`` is 0-99999. Returns ``None`` when no check digit exists for these 11 digits
    (both weight sets give 10): try the next serial.
    """
    if not 0 <= serial <= 99_999:
        raise ValueError(f"serial must be 0-99999, not {serial!r}")
    if not 0 <= division_digit <= 9:
        raise ValueError(f"division_digit must be one digit, not {division_digit!r}")
    first11 = f"{registered_on:%y%m}{_TYPE_DIGITS[entity_type]}{division_digit}{serial:05d}"
    digit = check_digit(first11)
    return None if digit is None else f"{first11}{digit}"
