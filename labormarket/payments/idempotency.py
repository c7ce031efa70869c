"""Idempotency keys and request fingerprints.

A key names one request of a client (or one computation of a task, e.g.
``out-22:contract-17:advance``): the first request with a key is recorded, every later one with
the same key gets the same entry back — if it asks for the same thing. What it asks for is the
SHA-256 of the request's canonical JSON (sorted keys, amounts as tiyn strings, dates in ISO).
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

MAX_KEY_LENGTH = 100
_KEY = re.compile(r"[\x20-\x7e]{1,%d}" % MAX_KEY_LENGTH)  # noqa: UP031  (a regex quantifier)


def key_problem(value: object) -> tuple[str, str] | None:
    """Why ``value`` is not a usable idempotency key, as ``(code, message)``; None if it is."""
    if not isinstance(value, str) or value == "":
        return "required", _("Give an idempotency key: 1 to 100 printable ASCII characters.")
    if len(value) > MAX_KEY_LENGTH:
        return "too_long", _("The idempotency key is longer than 100 characters.")
    if not _KEY.fullmatch(value) or value != value.strip():
        return "invalid", _(
            "The idempotency key may hold only printable ASCII characters (letters, digits, "
            "punctuation), without leading or trailing spaces."
        )
    return None


class NotCanonical(ValueError):
    """A value that cannot be kept exactly in JSON (a float, an object)."""


def canonical(value: Any, path: str = "inputs") -> Any:
    """``value`` as plain JSON data, exactly: Decimals and dates become strings; floats and naive datetimes refused."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise NotCanonical(path)
        return str(value)
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            raise NotCanonical(path)  # a naive moment means different things in different zones
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise NotCanonical(f"{path}.{key}")
            result[key] = canonical(item, f"{path}.{key}")
        return result
    if isinstance(value, list | tuple):
        return [canonical(item, f"{path}.{index}") for index, item in enumerate(value)]
    raise NotCanonical(path)


def fingerprint(payload: dict[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of an already canonical ``payload``."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
