"""HTTP side of idempotency: the ``Idempotency-Key`` header of a request that writes money."""

from __future__ import annotations

from typing import Any

from labormarket.core.errors import ValidationFailed

from .idempotency import key_problem

IDEMPOTENCY_HEADER = "Idempotency-Key"


def idempotency_key(request: Any) -> str:
    """The request's ``Idempotency-Key`` header (a DRF or Django request).

    Missing or invalid: ``ValidationFailed`` on the field ``Idempotency-Key`` — HTTP 400 through
    the API error handler. Clients send a fresh key (a UUID) per payment and the same key when
    they repeat a request whose answer they did not get.
    """
    value = request.headers.get(IDEMPOTENCY_HEADER)
    problem = key_problem(value)
    if problem is not None:
        code, message = problem
        raise ValidationFailed.single(IDEMPOTENCY_HEADER, code, message)
    return str(value)
