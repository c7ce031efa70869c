"""Verify a signature and keep it as evidence, in one call.

::

    signature = verify_and_store(
        cms=cms, content=payload, purpose="outsourcing.lot_confirmation",
        expected_iin=actor.iin, expected_bin=agency.bin, actor=actor, rule="OUT-07",
    )

A failed check raises :class:`SignatureRefused` (an ``ApplicationError`` naming every reason
and the rule that required the signature) and stores nothing. Verification runs before any
transaction is opened by the caller's write, so a slow verifier never holds a lock.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.utils.translation import gettext as _

from labormarket.core.errors import ApplicationError, FieldError

from . import get_verifier, reason_message
from .types import VerificationResult


class SignatureRefused(ApplicationError):
    """The signature failed one or more checks; ``fields['signature']`` lists each reason."""

    def __init__(self, result: VerificationResult, rule: str | None) -> None:
        super().__init__(
            code="signature_rejected",
            message=_("The electronic signature did not pass the checks."),
            rule=rule,
            fields={
                "signature": [
                    FieldError(code=str(reason), message=reason_message(reason), rule=rule)
                    for reason in result.reasons
                ]
            },
            http_status=400,
        )


def verify(
    *, cms: bytes, content: bytes, expected_iin: str | None, expected_bin: str | None, rule: str
) -> VerificationResult:
    """Check the signature; raise :class:`SignatureRefused` unless it is valid."""
    result = get_verifier().verify(
        cms=cms, content=content, expected_iin=expected_iin, expected_bin=expected_bin
    )
    if not result.valid:
        raise SignatureRefused(result, rule)
    return result


def store(
    *, cms: bytes, content: bytes, result: VerificationResult, purpose: str, actor: Any
) -> Any:
    """The evidence row of a verified signature (call inside the write's transaction)."""
    row = evidence_row(cms=cms, content=content, result=result, purpose=purpose, actor=actor)
    row.save(force_insert=True)
    return row


def evidence_row(
    *, cms: bytes, content: bytes, result: VerificationResult, purpose: str, actor: Any
) -> Any:
    """The evidence row of a verified signature, not yet saved: for a write that inserts it in
    the same statement as the record it proves (``outsourcing.queue_sql``)."""
    from labormarket.core.models import StoredSignature

    return StoredSignature(
        purpose=purpose,
        content_sha256=hashlib.sha256(content).hexdigest(),
        cms=cms,
        certificate=result.certificate_der,
        certificate_serial=result.certificate_serial,
        signer_iin=result.signer_iin or "",
        signer_bin=result.signer_bin or "",
        signer_name=result.signer_name,
        certificate_valid_from=result.valid_from,
        certificate_valid_to=result.valid_to,
        verifier=result.verifier,
        valid=result.valid,
        verification=result.as_dict(),
        verified_at=result.checked_at,
        signed_by=actor,
    )
