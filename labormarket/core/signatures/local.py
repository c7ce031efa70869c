"""Verification in-process: RSA and ECDSA CMS signatures, attached or detached.

The CMS is checked by :mod:`._cms` (cryptography); the signer's certificate by
pyhanko-certvalidator: path to one of the configured trust roots, validity at ``at``, CRL/OCSP
revocation of every certificate of the path. Because that library stops at the first failure,
the signer's validity dates and key usage are also checked directly, and a certificate that
failed on its dates is still looked up in the CRLs, so that every reason is reported.

GOST (ГОСТ 34.10) keys, the most common НУЦ РК keys, are not supported here: use NCANode.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
from collections.abc import Coroutine, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final, TypeVar

from asn1crypto import crl as asn1_crl
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.utils import timezone
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import (
    ExpiredError,
    InsufficientRevinfoError,
    NotYetValidError,
    PathBuildingError,
    PathError,
    RevokedError,
    ValidationError,
)

from ._cms import (
    ASN1_ERRORS,
    CERTIFICATE_ERRORS,
    CmsFormatError,
    ParsedCms,
    ParsedSigner,
    check_signer,
    parse_cms,
)
from .conf import signature_settings
from .identity import SignerIdentity, identity_of
from .types import (
    Reason,
    RevocationStatus,
    VerificationResult,
    ordered_reasons,
    refused,
)

logger = logging.getLogger(__name__)

REVOCATION_MODES: Final = ("require", "hard-fail", "soft-fail", "none")

#: How long a certificate path found valid "now" is trusted without validating it again. The
#: entry also ends when any certificate involved expires or a CRL is due to be renewed, and a
#: new CRL (or other roots) makes a new key, so a revocation is seen as soon as its CRL is
#: configured. Validating the path is most of a verification's cost (tens of milliseconds);
#: on the Monday 09:00 burst every agency's certificate is checked dozens of times.
PATH_CACHE_SECONDS: Final = 300
PATH_CACHE_SIZE: Final = 4096

#: Verifiers built by ``from_settings``, by the digests of their roots and CRLs and their modes.
_VERIFIERS: dict[tuple[Any, ...], LocalVerifier] = {}
_VERIFIERS_KEPT: Final = 8
_VERIFIERS_LOCK = threading.Lock()

T = TypeVar("T")


@dataclass
class _SignerCheck:
    reasons: set[Reason]
    identity: SignerIdentity | None = None
    certificate: x509.Certificate | None = None
    revocation_status: RevocationStatus = "not_checked"


class LocalVerifier:
    """Verifies RSA/ECDSA CMS signatures against ``trust_roots`` and ``crls`` (DER or PEM).

    ``revocation_mode`` is pyhanko-certvalidator's: ``require`` (the default: every certificate
    of the path must be covered by a CRL or OCSP answer, else ``revocation_unknown``),
    ``hard-fail``, ``soft-fail`` or ``none``. ``allow_fetching`` lets the library download the
    CRLs/OCSP answers named in certificates; it is ignored for a point-in-time check (``at``).
    """

    name = "local"

    def __init__(
        self,
        *,
        trust_roots: Sequence[bytes] = (),
        crls: Sequence[bytes] = (),
        allow_fetching: bool = False,
        revocation_mode: str = "require",
    ) -> None:
        if revocation_mode not in REVOCATION_MODES:
            raise ValueError(f"revocation_mode must be one of {', '.join(REVOCATION_MODES)}")
        self.trust_roots = [cert for data in trust_roots for cert in _certificates(data)]
        self.crls = [item for data in crls for item in _crls(data)]
        self.allow_fetching = allow_fetching
        self.revocation_mode = revocation_mode
        self._root_certificates = [_to_cryptography(cert) for cert in self.trust_roots]
        self._crypto_crls = [x509.load_der_x509_crl(item.dump()) for item in self.crls]

    @classmethod
    def from_settings(cls) -> LocalVerifier:
        """A verifier configured by ``settings.SIGNATURES`` (see :mod:`.conf`).

        Missing files are logged and skipped: the verifier then refuses what it cannot check
        (``certificate_untrusted``, ``revocation_unknown``) instead of failing the request.
        """
        conf = signature_settings()
        trust_roots = _read_files(conf["TRUST_ROOTS"], "trust root")
        crls = _read_files(conf["CRLS"], "CRL")
        allow_fetching = bool(conf["ALLOW_FETCHING"])
        revocation_mode = str(conf["REVOCATION_MODE"])
        # Parsing the roots and CRLs costs more than a signature check; the files are read on
        # every call (a new CRL takes effect at once) and parsed only when their bytes change.
        key = (
            tuple(hashlib.sha256(data).digest() for data in trust_roots),
            tuple(hashlib.sha256(data).digest() for data in crls),
            allow_fetching,
            revocation_mode,
        )
        with _VERIFIERS_LOCK:
            cached = _VERIFIERS.get(key)
        if cached is not None and type(cached) is cls:
            return cached
        verifier = cls(
            trust_roots=trust_roots,
            crls=crls,
            allow_fetching=allow_fetching,
            revocation_mode=revocation_mode,
        )
        with _VERIFIERS_LOCK:
            if len(_VERIFIERS) >= _VERIFIERS_KEPT:
                _VERIFIERS.clear()
            _VERIFIERS[key] = verifier
        return verifier

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
        try:
            parsed = parse_cms(cms)
        except CmsFormatError:
            return refused(
                [Reason.MALFORMED], content_digest=digest, checked_at=checked_at, verifier=self.name
            )
        if not parsed.signers:
            return refused(
                [Reason.MALFORMED], content_digest=digest, checked_at=checked_at, verifier=self.name
            )
        checks = [
            self._check_signer(parsed, signer, content, at=at, now=checked_at)
            for signer in parsed.signers
        ]
        subject = _pick(checks, expected_iin, expected_bin)
        reasons = {reason for check in checks for reason in check.reasons}
        if subject.identity is not None:
            if expected_iin is not None and subject.identity.iin != expected_iin:
                reasons.add(Reason.IIN_MISMATCH)
            if expected_bin is not None and subject.identity.bin != expected_bin:
                reasons.add(Reason.BIN_MISMATCH)
        ordered = ordered_reasons(reasons)
        certificate = subject.certificate
        der = certificate.public_bytes(serialization.Encoding.DER) if certificate else b""
        return VerificationResult(
            valid=not ordered,
            reasons=ordered,
            signer_iin=subject.identity.iin if subject.identity else None,
            signer_bin=subject.identity.bin if subject.identity else None,
            signer_name=subject.identity.name if subject.identity else "",
            certificate_serial=format(certificate.serial_number, "x") if certificate else "",
            certificate_der=der,
            valid_from=certificate.not_valid_before_utc if certificate else None,
            valid_to=certificate.not_valid_after_utc if certificate else None,
            revocation_status=subject.revocation_status,
            content_digest=digest,
            checked_at=checked_at,
            verifier=self.name,
        )

    # --- one signer ---------------------------------------------------------------------------

    def _check_signer(
        self,
        parsed: ParsedCms,
        signer: ParsedSigner,
        content: bytes,
        *,
        at: datetime | None,
        now: datetime,
    ) -> _SignerCheck:
        if signer.certificate is None:
            return _SignerCheck({Reason.MALFORMED})
        try:
            certificate = _to_cryptography(signer.certificate)
            identity = identity_of(certificate.subject)
            not_before = certificate.not_valid_before_utc
            not_after = certificate.not_valid_after_utc
            signing_key = _is_signing_key(certificate)
        except CERTIFICATE_ERRORS:
            return _SignerCheck({Reason.MALFORMED})
        moment = at or now
        attached = parsed.encapsulated is not None
        signed_bytes = parsed.encapsulated if parsed.encapsulated is not None else content
        reasons = check_signer(parsed, signer, signed_bytes)
        if attached and parsed.encapsulated != content:
            reasons.add(Reason.CONTENT_MISMATCH)
        if moment < not_before:
            reasons.add(Reason.NOT_YET_VALID)
        if moment > not_after:
            reasons.add(Reason.EXPIRED)
        if not signing_key:
            reasons.add(Reason.KEY_USAGE)
        path_reasons, status = self._check_path(signer.certificate, parsed, at=at, moment=moment)
        reasons |= path_reasons
        return _SignerCheck(
            reasons=reasons,
            identity=identity,
            certificate=certificate,
            revocation_status=status,
        )

    def _check_path(
        self,
        certificate: asn1_x509.Certificate,
        parsed: ParsedCms,
        *,
        at: datetime | None,
        moment: datetime,
    ) -> tuple[set[Reason], RevocationStatus]:
        """The path check, from the cache when the same path was found valid "now" recently.

        Only successful checks at the current time are cached (never a point-in-time check with
        ``at``, never a refusal), and a hit needs the moment inside the entry's window."""
        if at is not None or not self.trust_roots:
            return self._check_path_uncached(certificate, parsed, at=at, moment=moment)
        key = self._path_key(certificate, parsed)
        window = _PATH_CACHE.get(key)
        if window is not None and window[0] <= moment <= window[1]:
            return set(), window[2]
        reasons, status = self._check_path_uncached(certificate, parsed, at=at, moment=moment)
        if not reasons and status == "good":
            _PATH_CACHE.put(key, (moment, self._path_expiry(certificate, parsed, moment), status))
        return reasons, status

    def _path_key(self, certificate: asn1_x509.Certificate, parsed: ParsedCms) -> str:
        digest = hashlib.sha256()
        for part in (
            self.revocation_mode,
            "fetch" if self.allow_fetching else "no-fetch",
        ):
            digest.update(part.encode() + b"\0")
        digest.update(certificate.dump())
        for der in sorted(cert.dump() for cert in parsed.certificates):
            digest.update(hashlib.sha256(der).digest())
        for der in sorted(cert.dump() for cert in self.trust_roots):
            digest.update(hashlib.sha256(der).digest())
        for der in sorted(item.dump() for item in self.crls):
            digest.update(hashlib.sha256(der).digest())
        return digest.hexdigest()

    def _path_expiry(
        self, certificate: asn1_x509.Certificate, parsed: ParsedCms, moment: datetime
    ) -> datetime:
        from datetime import timedelta

        ends = [moment + timedelta(seconds=PATH_CACHE_SECONDS)]
        for cert in [certificate, *parsed.certificates, *self.trust_roots]:
            try:
                ends.append(_to_cryptography(cert).not_valid_after_utc)
            except CERTIFICATE_ERRORS:
                return moment
        for crl in self._crypto_crls:
            if crl.next_update_utc is not None:
                ends.append(crl.next_update_utc)
        return min(ends)

    def _check_path_uncached(
        self,
        certificate: asn1_x509.Certificate,
        parsed: ParsedCms,
        *,
        at: datetime | None,
        moment: datetime,
    ) -> tuple[set[Reason], RevocationStatus]:
        if not self.trust_roots:
            return {Reason.UNTRUSTED}, "not_checked"
        others = [cert for cert in parsed.certificates if cert.dump() != certificate.dump()]
        try:
            _run(self._validate_path(certificate, others, at=at))
        except RevokedError:
            return {Reason.REVOKED}, "revoked"
        except InsufficientRevinfoError:
            return {Reason.REVOCATION_UNKNOWN}, "unknown"
        except (ExpiredError, NotYetValidError) as error:
            reason = Reason.EXPIRED if isinstance(error, ExpiredError) else Reason.NOT_YET_VALID
            # The library checks dates before revocation: look the signer up in the CRLs here.
            if error.is_ee_cert and self._listed_in_crl(certificate, parsed, moment):
                return {reason, Reason.REVOKED}, "revoked"
            return {reason}, "not_checked"
        except (
            PathError,
            PathBuildingError,
            ValidationError,
            NotImplementedError,
            *CERTIFICATE_ERRORS,
            *ASN1_ERRORS,
        ):
            # No path to a trust root: foreign CA, self-signed, broken chain, bad CA signature.
            return {Reason.UNTRUSTED}, "not_checked"
        if self.revocation_mode == "require":
            return set(), "good"
        if self.revocation_mode == "none":
            return set(), "not_checked"
        # soft-fail / hard-fail pass when nothing was declared: not proof of "good".
        return set(), "unknown"

    async def _validate_path(
        self,
        certificate: asn1_x509.Certificate,
        others: list[asn1_x509.Certificate],
        *,
        at: datetime | None,
    ) -> None:
        context = ValidationContext(
            trust_roots=list(self.trust_roots),
            other_certs=others,
            crls=list(self.crls),
            moment=at,
            allow_fetching=self.allow_fetching and at is None,
            revocation_mode=self.revocation_mode,
        )
        try:
            validator = CertificateValidator(certificate, others, validation_context=context)
            await validator.async_validate_path()
        finally:
            await context.aclose()

    def _listed_in_crl(
        self, certificate: asn1_x509.Certificate, parsed: ParsedCms, moment: datetime
    ) -> bool:
        """The signer is on a CRL signed by its issuer (roots or certificates of the CMS)."""
        try:
            subject = _to_cryptography(certificate)
            issuers = [
                candidate
                for candidate in [
                    *self._root_certificates,
                    *(_to_cryptography(cert) for cert in parsed.certificates),
                ]
                if candidate.subject == subject.issuer
            ]
            for crl in self._crypto_crls:
                if crl.issuer != subject.issuer:
                    continue
                if not any(crl.is_signature_valid(i.public_key()) for i in issuers):  # type: ignore[arg-type]
                    continue
                entry = crl.get_revoked_certificate_by_serial_number(subject.serial_number)
                if entry is not None and entry.revocation_date_utc <= moment:
                    return True
        except CERTIFICATE_ERRORS:
            return False
        return False


class _PathCache:
    """A small thread-safe LRU of valid paths: key → (valid from, valid until, status)."""

    def __init__(self, size: int) -> None:
        from collections import OrderedDict
        from threading import Lock

        self._size = size
        self._entries: OrderedDict[str, tuple[datetime, datetime, RevocationStatus]] = OrderedDict()
        self._lock = Lock()

    def get(self, key: str) -> tuple[datetime, datetime, RevocationStatus] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: tuple[datetime, datetime, RevocationStatus]) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_PATH_CACHE: Final = _PathCache(PATH_CACHE_SIZE)


def clear_path_cache() -> None:
    """Forget every cached path (tests that change trust material in place call this)."""
    _PATH_CACHE.clear()


def _pick(
    checks: list[_SignerCheck], expected_iin: str | None, expected_bin: str | None
) -> _SignerCheck:
    """The signer the caller asks about (by IIN/BIN), else the first one."""
    if expected_iin is not None or expected_bin is not None:
        for check in checks:
            identity = check.identity
            if (
                identity is not None
                and (expected_iin is None or identity.iin == expected_iin)
                and (expected_bin is None or identity.bin == expected_bin)
            ):
                return check
    return checks[0]


def _is_signing_key(certificate: x509.Certificate) -> bool:
    """digitalSignature and nonRepudiation, as on НУЦ РК signing (not authentication) keys."""
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return bool(usage.digital_signature and usage.content_commitment)


def _to_cryptography(certificate: asn1_x509.Certificate) -> x509.Certificate:
    return x509.load_der_x509_certificate(certificate.dump())


def _certificates(data: bytes) -> list[asn1_x509.Certificate]:
    if pem.detect(data):
        return [asn1_x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True)]
    return [asn1_x509.Certificate.load(data)]


def _crls(data: bytes) -> list[asn1_crl.CertificateList]:
    if pem.detect(data):
        return [
            asn1_crl.CertificateList.load(der) for _, _, der in pem.unarmor(data, multiple=True)
        ]
    return [asn1_crl.CertificateList.load(data)]


def _read_files(paths: Iterable[Path], what: str) -> list[bytes]:
    found = []
    for path in paths:
        try:
            found.append(Path(path).read_bytes())
        except OSError:
            logger.warning(
                "signatures: %s file %s cannot be read; run manage.py pki_init", what, path
            )
    return found


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run the validator's coroutine from sync code, also when an event loop is running."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
