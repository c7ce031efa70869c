"""What a signature check answers: the reason codes, the result and the verifier protocol.

A verification never raises for bad input. It answers a :class:`VerificationResult` whose
``reasons`` lists every ground for refusing the signature; ``valid`` is true only when there is
none. Callers store :meth:`VerificationResult.as_dict` next to the signed document as evidence.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Final, Literal, Protocol

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

RevocationStatus = Literal["good", "revoked", "unknown", "not_checked"]


class Reason(StrEnum):
    """Stable reason codes; each one is a ground for refusing the signature."""

    MALFORMED = "signature_malformed"  # not a parseable CMS SignedData (or no usable signer)
    SIGNATURE_INVALID = "signature_invalid"  # cryptographic check failed
    CONTENT_MISMATCH = "content_mismatch"  # signed over other bytes (messageDigest differs)
    NOT_YET_VALID = "certificate_not_yet_valid"
    EXPIRED = "certificate_expired"
    REVOKED = "certificate_revoked"
    REVOCATION_UNKNOWN = "revocation_unknown"  # no CRL/OCSP answer could be had
    UNTRUSTED = "certificate_untrusted"  # does not chain to a trusted root
    KEY_USAGE = "key_usage_not_signing"  # not a signing key (digitalSignature+nonRepudiation)
    IIN_MISMATCH = "signer_iin_mismatch"
    BIN_MISMATCH = "signer_bin_mismatch"
    VERIFIER_UNAVAILABLE = "verifier_unavailable"  # e.g. NCANode down


_ORDER: Final = {reason: index for index, reason in enumerate(Reason)}

REASON_MESSAGES: Final[dict[Reason, StrPromise]] = {
    Reason.MALFORMED: _("The signature is damaged or is not an electronic digital signature."),
    Reason.SIGNATURE_INVALID: _("The signature does not match the signer's certificate."),
    Reason.CONTENT_MISMATCH: _("The signature was made over a different document."),
    Reason.NOT_YET_VALID: _("The certificate is not valid yet."),
    Reason.EXPIRED: _("The certificate has expired."),
    Reason.REVOKED: _("The certificate has been revoked."),
    Reason.REVOCATION_UNKNOWN: _("Whether the certificate has been revoked could not be checked."),
    Reason.UNTRUSTED: _(
        "The certificate was not issued by a trusted certification authority (NCA RK)."
    ),
    Reason.KEY_USAGE: _("The key is not a signing key: sign with the signing key (RSA/GOST)."),
    Reason.IIN_MISMATCH: _("The document was signed by another person (the IIN differs)."),
    Reason.BIN_MISMATCH: _("The document was signed for another organisation (the BIN differs)."),
    Reason.VERIFIER_UNAVAILABLE: _(
        "The signature could not be checked right now: the verification service is unavailable."
    ),
}


def reason_message(reason: Reason | str) -> str:
    """The human message for a reason code, in the active language."""
    return str(REASON_MESSAGES[Reason(reason)])


def ordered_reasons(reasons: Iterable[Reason]) -> tuple[Reason, ...]:
    """The reasons without repeats, in the order of :class:`Reason` (stable for comparisons)."""
    return tuple(sorted(set(reasons), key=_ORDER.__getitem__))


@dataclass(frozen=True)
class VerificationResult:
    """The verdict on one signature and what was learnt about the signer."""

    valid: bool
    reasons: tuple[Reason, ...]
    signer_iin: str | None
    signer_bin: str | None
    signer_name: str
    certificate_serial: str  # hex, lower case, as NCANode writes it
    certificate_der: bytes  # b"" when unknown
    valid_from: datetime | None
    valid_to: datetime | None
    revocation_status: RevocationStatus
    content_digest: str  # sha256 hex of the content bytes that were checked
    checked_at: datetime
    verifier: str  # "local" / "ncanode"

    def __post_init__(self) -> None:
        # The one invariant that makes a false accept impossible by construction.
        if self.valid != (not self.reasons):
            raise ValueError("valid must be True exactly when there are no reasons")

    @property
    def messages(self) -> list[str]:
        return [reason_message(reason) for reason in self.reasons]

    def as_dict(self) -> dict[str, object]:
        """JSON-safe evidence for storing next to the signed document."""
        return {
            "valid": self.valid,
            "reasons": [str(reason) for reason in self.reasons],
            "signer_iin": self.signer_iin,
            "signer_bin": self.signer_bin,
            "signer_name": self.signer_name,
            "certificate_serial": self.certificate_serial,
            "certificate": base64.b64encode(self.certificate_der).decode("ascii"),
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "revocation_status": self.revocation_status,
            "content_digest": self.content_digest,
            "checked_at": self.checked_at.isoformat(),
            "verifier": self.verifier,
        }


def refused(
    reasons: Iterable[Reason], *, content_digest: str, checked_at: datetime, verifier: str
) -> VerificationResult:
    """A result for a signature nothing could be learnt from (malformed, verifier down)."""
    return VerificationResult(
        valid=False,
        reasons=ordered_reasons(reasons),
        signer_iin=None,
        signer_bin=None,
        signer_name="",
        certificate_serial="",
        certificate_der=b"",
        valid_from=None,
        valid_to=None,
        revocation_status="not_checked",
        content_digest=content_digest,
        checked_at=checked_at,
        verifier=verifier,
    )


class SignatureVerifier(Protocol):
    """Checks a CMS signature over ``content`` (the exact bytes that must have been signed)."""

    name: str

    def verify(
        self,
        *,
        cms: bytes,
        content: bytes,
        expected_iin: str | None = None,
        expected_bin: str | None = None,
        at: datetime | None = None,
    ) -> VerificationResult: ...
