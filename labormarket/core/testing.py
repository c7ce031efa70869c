"""Helpers for tests and demo data: unique valid IINs and BINs."""

from __future__ import annotations

import itertools
from datetime import date

from .bin import generate_bin
from .iin import generate_iin, parse_iin

_iin_serials = itertools.count(1)
_bin_serials = itertools.count(1)


def next_iin(birth_date: date = date(1990, 5, 17), sex: str = "male") -> str:
    """A valid IIN not handed out before in this process."""
    while True:
        value = generate_iin(birth_date, sex, next(_iin_serials) % 10000)  # type: ignore[arg-type]
        if value is not None:
            return value


def next_bin(registered_on: date = date(2015, 3, 1)) -> str:
    """A valid BIN not handed out before in this process."""
    while True:
        value = generate_bin(registered_on, next(_bin_serials) % 100000)
        if value is not None:
            return value


def iin_facts(value: str) -> tuple[date, str]:
    parsed = parse_iin(value)
    return parsed.birth_date, parsed.sex
