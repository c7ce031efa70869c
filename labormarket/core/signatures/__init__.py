"""Electronic digital signature (ЭЦП) verification: CMS signatures made with НУЦ РК certificates.

::

    from labormarket.core.signatures import Reason, get_verifier

    result = get_verifier().verify(cms=signature, content=document_bytes, expected_iin=user.iin)
    if not result.valid:
        ...  # result.reasons, [reason_message(r) for r in result.reasons]
    evidence = result.as_dict()  # store next to the document

See README.md in this package.
"""

from __future__ import annotations

from .conf import signature_settings
from .demo import demo_sign
from .local import LocalVerifier
from .ncanode import NCANodeVerifier
from .pki import DEMO_PKCS12_PASSWORD, TestPki, TestSubject, load_test_pki, make_test_pki
from .types import Reason, SignatureVerifier, VerificationResult, reason_message

__all__ = [
    "DEMO_PKCS12_PASSWORD",
    "LocalVerifier",
    "NCANodeVerifier",
    "Reason",
    "SignatureVerifier",
    "TestPki",
    "TestSubject",
    "VerificationResult",
    "demo_sign",
    "get_verifier",
    "load_test_pki",
    "make_test_pki",
    "reason_message",
]


def get_verifier() -> SignatureVerifier:
    """The verifier ``settings.SIGNATURES["VERIFIER"]`` names: ``local`` (default) or ``ncanode``."""
    kind = signature_settings()["VERIFIER"]
    if kind == "local":
        return LocalVerifier.from_settings()
    if kind == "ncanode":
        return NCANodeVerifier.from_settings()
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"SIGNATURES['VERIFIER'] must be 'local' or 'ncanode', not {kind!r}")
