"""Adapter for NCANode v3 (https://github.com/malikzh/NCANode), which verifies GOST keys with
НУЦ РК's Kalkan library: ``POST {base_url}/cms/verify``.

Request: ``{"cms": base64, "revocationCheck": ["OCSP", "CRL"], "data": base64}`` — ``data`` only
for a detached signature (NCANode ignores it for an attached one).

Answer (``CmsVerificationResponse``)::

    {"status": 200, "message": "OK", "valid": true,
     "signers": [{"certificates": [{
         "valid": true,
         "revocations": [{"revoked": false, "by": "OCSP", "revocationTime": null, "reason": "OK"}],
         "notBefore": "2024-01-15T04:12:33.000+00:00", "notAfter": "2025-01-15T04:12:33.000+00:00",
         "keyUsage": "SIGN", "serialNumber": "4a1b...", "signAlg": "...",
         "subject": {"commonName": "ЖУМАБАЕВ ЕРЛАН", "surName": "ЖУМАБАЕВ", "iin": "910314300123",
                     "bin": "150340000019", "organization": "...", "dn": "..."},
         "issuer": {...}}], "tsp": null}]}

What NCANode decides (``CmsService.verify``, ``CertificateWrapper.isValid``): the top ``valid``
is false when a signer's signature fails *or* one of its certificates is invalid; a certificate
is ``valid`` when it is within its dates, its issuer is a known НУЦ РК CA and every requested
revocation check answered "active". ``keyUsage`` is ``SIGN`` (digitalSignature+nonRepudiation),
``AUTH`` or ``UNKNOWN``. An unreadable CMS is HTTP 400 (``ClientException``).

How that maps onto :class:`Reason` — this adapter is deliberately suspicious, NCANode's ``true``
is never enough on its own:

* HTTP 400 → ``signature_malformed``; connection error, timeout, other HTTP status, non-JSON or
  an answer of the wrong shape → ``verifier_unavailable``.
* no signers, or a signer without its certificate → ``signature_malformed`` (NCANode would answer
  ``valid: true`` for a SignedData without SignerInfos).
* dates at ``at`` (or now) → ``certificate_not_yet_valid`` / ``certificate_expired``;
  a revocation entry with ``revoked: true`` → ``certificate_revoked``; a requested check (OCSP /
  CRL) with no entry, or an OCSP entry whose reason is not ``OK`` (NCANode's "UNKNOWN") →
  ``revocation_unknown``; a certificate ``valid: false`` that none of these explains →
  ``certificate_untrusted`` (the only remaining cause: issuer not found).
* ``keyUsage`` other than ``SIGN`` → ``key_usage_not_signing``.
* the top ``valid: false`` with every certificate valid → ``signature_invalid``, or
  ``content_mismatch`` when the messageDigest, checked here for SHA-2 digests, differs.
* an attached CMS whose content is not ``content`` → ``content_mismatch`` (NCANode checks the
  signature over the content the CMS carries, not over ours).
* IIN/BIN are compared here, with ``subject.iin``/``subject.bin``.

NCANode checks chain and revocation at the present time only; ``at`` moves the date check only.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import urlsplit

from cryptography import x509
from django.utils import timezone

from ._cms import (
    CERTIFICATE_ERRORS,
    DIGESTS,
    CmsFormatError,
    ParsedCms,
    digest_name,
    parse_cms,
    signed_attribute,
)
from .conf import signature_settings
from .identity import identity_of
from .types import Reason, RevocationStatus, VerificationResult, ordered_reasons, refused

logger = logging.getLogger(__name__)

REVOCATION_CHECKS: Final = ("OCSP", "CRL")
MAX_ANSWER_BYTES: Final = 10 * 1024 * 1024
_CERTIFICATE_REASONS: Final = frozenset(
    {
        Reason.NOT_YET_VALID,
        Reason.EXPIRED,
        Reason.REVOKED,
        Reason.REVOCATION_UNKNOWN,
        Reason.UNTRUSTED,
    }
)


class _Unavailable(Exception):
    """NCANode could not be asked, or its answer cannot be understood."""


@dataclass(frozen=True)
class _Signer:
    reasons: set[Reason]
    certificate_valid: bool
    iin: str | None
    bin: str | None
    name: str
    serial: str
    der: bytes
    valid_from: datetime | None
    valid_to: datetime | None
    revocation_status: RevocationStatus


class NCANodeVerifier:
    """Asks an NCANode v3 at ``base_url`` (e.g. ``http://ncanode:14579``)."""

    name = "ncanode"

    def __init__(
        self,
        base_url: str,
        timeout: float = 5,
        *,
        revocation_check: Sequence[str] = ("OCSP",),
    ) -> None:
        if urlsplit(base_url).scheme not in {"http", "https"}:
            raise ValueError("NCANODE_URL must be an http:// or https:// URL")
        unknown = set(revocation_check) - set(REVOCATION_CHECKS)
        if unknown:
            raise ValueError(f"unknown revocation check: {', '.join(sorted(unknown))}")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.revocation_check = tuple(revocation_check)

    @classmethod
    def from_settings(cls) -> NCANodeVerifier:
        conf = signature_settings()
        return cls(
            str(conf["NCANODE_URL"]),
            float(conf["NCANODE_TIMEOUT"]),
            revocation_check=tuple(conf["NCANODE_REVOCATION_CHECK"]),
        )

    def verify(
        self,
        *,
        cms: bytes,
        content: bytes,
        expected_iin: str | None = None,
        expected_bin: str | None = None,
        at: datetime | None = None,
    ) -> VerificationResult:
        checked_at = timezone.now()
        if at is not None and timezone.is_naive(at):
            raise ValueError("at must be an aware datetime")
        digest = hashlib.sha256(content).hexdigest()

        def refuse(reason: Reason) -> VerificationResult:
            return refused(
                [reason], content_digest=digest, checked_at=checked_at, verifier=self.name
            )

        try:
            parsed = parse_cms(cms)
        except CmsFormatError:
            return refuse(Reason.MALFORMED)
        if not parsed.signers:
            return refuse(Reason.MALFORMED)

        payload: dict[str, object] = {
            "cms": base64.b64encode(parsed.der).decode("ascii"),
            "revocationCheck": list(self.revocation_check),
        }
        if parsed.encapsulated is None:
            payload["data"] = base64.b64encode(content).decode("ascii")
        try:
            status, answer = self._post("/cms/verify", payload)
            if status == 400:
                return refuse(Reason.MALFORMED)
            if status != 200:
                raise _Unavailable(f"HTTP {status}")
            top_valid, signers = self._read_answer(answer, parsed, moment=at or checked_at)
        except _Unavailable as error:
            logger.warning("signatures: NCANode at %s unavailable: %s", self.base_url, error)
            return refuse(Reason.VERIFIER_UNAVAILABLE)
        if not signers or any(signer is None for signer in signers):
            return refuse(Reason.MALFORMED)
        readable = [signer for signer in signers if signer is not None]

        reasons = {reason for signer in readable for reason in signer.reasons}
        reasons |= _content_reasons(parsed, content)
        if not top_valid and not (reasons & (_CERTIFICATE_REASONS | {Reason.CONTENT_MISMATCH})):
            reasons.add(Reason.SIGNATURE_INVALID)
        subject = _pick(readable, expected_iin, expected_bin)
        if expected_iin is not None and subject.iin != expected_iin:
            reasons.add(Reason.IIN_MISMATCH)
        if expected_bin is not None and subject.bin != expected_bin:
            reasons.add(Reason.BIN_MISMATCH)
        ordered = ordered_reasons(reasons)
        return VerificationResult(
            valid=not ordered,
            reasons=ordered,
            signer_iin=subject.iin,
            signer_bin=subject.bin,
            signer_name=subject.name,
            certificate_serial=subject.serial,
            certificate_der=subject.der,
            valid_from=subject.valid_from,
            valid_to=subject.valid_to,
            revocation_status=subject.revocation_status,
            content_digest=digest,
            checked_at=checked_at,
            verifier=self.name,
        )

    # --- HTTP ---------------------------------------------------------------------------------

    def _post(self, path: str, payload: Mapping[str, object]) -> tuple[int, object]:
        """(HTTP status, decoded JSON body); :class:`_Unavailable` when there is no usable answer."""
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            self.base_url + path,
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status, body = response.status, response.read(MAX_ANSWER_BYTES + 1)
        except urllib.error.HTTPError as error:
            try:
                status, body = error.code, error.read(MAX_ANSWER_BYTES + 1)
            except (OSError, http.client.HTTPException):
                status, body = error.code, b""
            finally:
                error.close()
        except (OSError, http.client.HTTPException, ValueError) as error:
            # URLError, ConnectionError, TimeoutError are OSErrors; RemoteDisconnected and
            # IncompleteRead are HTTPExceptions.
            raise _Unavailable(f"{type(error).__name__}: {error}") from error
        if status != 200:
            return status, None
        if len(body) > MAX_ANSWER_BYTES:
            raise _Unavailable("answer too large")
        try:
            return status, json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise _Unavailable("answer is not JSON") from error

    # --- the answer ---------------------------------------------------------------------------

    def _read_answer(
        self, answer: object, parsed: ParsedCms, *, moment: datetime
    ) -> tuple[bool, list[_Signer | None]]:
        if not isinstance(answer, dict) or not isinstance(answer.get("valid"), bool):
            raise _Unavailable("answer has no 'valid'")
        signers = answer.get("signers")
        if not isinstance(signers, list):
            raise _Unavailable("answer has no 'signers'")
        return answer["valid"], [self._read_signer(entry, parsed, moment) for entry in signers]

    def _read_signer(self, entry: object, parsed: ParsedCms, moment: datetime) -> _Signer | None:
        if not isinstance(entry, dict):
            raise _Unavailable("a signer is not an object")
        certificates = entry.get("certificates")
        if not isinstance(certificates, list):
            raise _Unavailable("a signer has no 'certificates'")
        if not certificates:
            return None  # the CMS does not carry the signer's certificate
        info = certificates[0]
        if not isinstance(info, dict) or not isinstance(info.get("valid"), bool):
            raise _Unavailable("a certificate has no 'valid'")
        raw_subject = info.get("subject")
        subject: dict[str, Any] = raw_subject if isinstance(raw_subject, dict) else {}
        serial = str(info.get("serialNumber") or "").lower().lstrip("0") or "0"
        der = _certificate_der(parsed, serial)
        valid_from, valid_to = _date(info.get("notBefore")), _date(info.get("notAfter"))

        reasons = _date_reasons(valid_from, valid_to, moment)
        status, revocation_reasons = self._revocation(info.get("revocations"))
        reasons |= revocation_reasons
        if info.get("keyUsage") != "SIGN":
            reasons.add(Reason.KEY_USAGE)
        if not info["valid"] and not (reasons & _CERTIFICATE_REASONS):
            # NCANode judged at the present time; an ``at`` in the past may hide its date reason.
            reasons |= _date_reasons(valid_from, valid_to, timezone.now()) or {Reason.UNTRUSTED}

        iin, bin_, name = subject.get("iin"), subject.get("bin"), subject.get("commonName")
        if not subject and der:
            try:
                local = identity_of(x509.load_der_x509_certificate(der).subject)
            except CERTIFICATE_ERRORS:
                pass
            else:
                iin, bin_, name = local.iin, local.bin, local.name
        return _Signer(
            reasons=reasons,
            certificate_valid=info["valid"],
            iin=str(iin) if iin else None,
            bin=str(bin_) if bin_ else None,
            name=str(name or ""),
            serial=serial,
            der=der,
            valid_from=valid_from,
            valid_to=valid_to,
            revocation_status=status,
        )

    def _revocation(self, entries: object) -> tuple[RevocationStatus, set[Reason]]:
        if entries is None:
            entries = []
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise _Unavailable("'revocations' is not a list of objects")
        if any(entry.get("revoked") is True for entry in entries):
            return "revoked", {Reason.REVOKED}
        if not self.revocation_check:
            return "not_checked", set()
        for method in self.revocation_check:
            answers = [entry for entry in entries if entry.get("by") == method]
            if not answers:
                return "unknown", {Reason.REVOCATION_UNKNOWN}
            # OCSP "UNKNOWN" comes back as revoked=false with the error text as the reason.
            if method == "OCSP" and any(entry.get("reason") != "OK" for entry in answers):
                return "unknown", {Reason.REVOCATION_UNKNOWN}
        return "good", set()


def _pick(signers: list[_Signer], expected_iin: str | None, expected_bin: str | None) -> _Signer:
    if expected_iin is not None or expected_bin is not None:
        for signer in signers:
            if (expected_iin is None or signer.iin == expected_iin) and (
                expected_bin is None or signer.bin == expected_bin
            ):
                return signer
    return signers[0]


def _content_reasons(parsed: ParsedCms, content: bytes) -> set[Reason]:
    """What can be told about the content without the signer's key (SHA-2 digests only)."""
    reasons: set[Reason] = set()
    signed_bytes = content if parsed.encapsulated is None else parsed.encapsulated
    if parsed.encapsulated is not None and parsed.encapsulated != content:
        reasons.add(Reason.CONTENT_MISMATCH)
    for signer in parsed.signers:
        name = digest_name(signer.info)
        digests = signed_attribute(signer.info, "message_digest")
        if (
            name in DIGESTS
            and digests is not None
            and len(digests) == 1
            and digests[0] != hashlib.new(name, signed_bytes).digest()
        ):
            reasons.add(Reason.CONTENT_MISMATCH)
    return reasons


def _date_reasons(
    valid_from: datetime | None, valid_to: datetime | None, moment: datetime
) -> set[Reason]:
    reasons = set()
    if valid_from is not None and moment < valid_from:
        reasons.add(Reason.NOT_YET_VALID)
    if valid_to is not None and moment > valid_to:
        reasons.add(Reason.EXPIRED)
    return reasons


def _date(value: Any) -> datetime | None:
    """NCANode's dates: Jackson ISO text (``…000+00:00`` or ``…Z``) or epoch milliseconds."""
    try:
        if isinstance(value, bool):
            return None
        if isinstance(value, int | float):
            return datetime.fromtimestamp(value / 1000, tz=UTC)
        if isinstance(value, str) and value:
            parsed = datetime.fromisoformat(value)
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return None


def _certificate_der(parsed: ParsedCms, serial_hex: str) -> bytes:
    try:
        wanted = int(serial_hex, 16)
    except ValueError:
        return b""
    for certificate in parsed.certificates:
        if certificate.serial_number == wanted:
            return bytes(certificate.dump())
    return b""
