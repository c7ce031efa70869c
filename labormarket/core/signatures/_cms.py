"""Reading a CMS SignedData (RFC 5652) and checking its SignerInfos cryptographically.

Shared by both verifiers: the local one checks everything here; the NCANode adapter uses the
parsing to find what NCANode cannot know (whether an attached CMS carries *our* content) and
to pick up the signer's certificate.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from typing import Final

from asn1crypto import algos, cms, core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from .types import Reason

#: asn1crypto's parsers raise these on bad DER; nothing else is expected from them.
ASN1_ERRORS: Final = (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError)

#: What cryptography raises on a certificate it cannot read (some lazily, on first access).
CERTIFICATE_ERRORS: Final = (
    ValueError,
    TypeError,
    x509.InvalidVersion,
    x509.DuplicateExtension,
    x509.UnsupportedGeneralNameType,
    UnsupportedAlgorithm,
)

#: Digests accepted for signatures. MD5 and SHA-1 are refused (collisions are practical).
DIGESTS: Final[dict[str, type[hashes.HashAlgorithm]]] = {
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
    "sha3_256": hashes.SHA3_256,
    "sha3_384": hashes.SHA3_384,
    "sha3_512": hashes.SHA3_512,
}

_PEM = re.compile(
    rb"-----BEGIN (?:CMS|PKCS7|PKCS #7 SIGNED DATA)-----(.*?)-----END (?:CMS|PKCS7|PKCS #7 SIGNED DATA)-----",
    re.DOTALL,
)
#: RFC 5652 5.3: version 1 with issuerAndSerialNumber, version 3 with subjectKeyIdentifier.
_SIGNER_VERSIONS: Final = {("v1", "issuer_and_serial_number"), ("v3", "subject_key_identifier")}
_BASE64 = re.compile(rb"^[A-Za-z0-9+/=\s]+$")


class CmsFormatError(ValueError):
    """The bytes are not a CMS SignedData this module can read."""


@dataclass(frozen=True)
class ParsedSigner:
    """One SignerInfo and the certificate it names (``None`` when the CMS does not carry it)."""

    info: cms.SignerInfo
    certificate: asn1_x509.Certificate | None


@dataclass(frozen=True)
class ParsedCms:
    der: bytes
    content_type: str
    encapsulated: bytes | None  # None: a detached signature
    certificates: tuple[asn1_x509.Certificate, ...]
    signers: tuple[ParsedSigner, ...]


def to_der(raw: bytes) -> bytes:
    """DER from DER, PEM (``CMS``/``PKCS7``) or base64 text (what NCALayer hands over)."""
    if raw[:1] == b"\x30":
        return raw
    data = raw.strip()
    match = _PEM.search(data)
    if match:
        data = match.group(1)
    if data and _BASE64.match(data):
        try:
            return base64.b64decode(b"".join(data.split()), validate=True)
        except (binascii.Error, ValueError):
            pass
    return raw


#: RFC 5652 5.1: the fields of SignedData.
_SIGNED_DATA_FIELDS: Final = (
    "version",
    "digest_algorithms",
    "encap_content_info",
    "certificates",
    "crls",
    "signer_infos",
)
#: Digests of certificates this process has parsed whole (see :func:`_parse_whole`).
_PARSED_CERTIFICATES: dict[bytes, None] = {}
_PARSED_CERTIFICATES_KEPT: Final = 4096


def _parse_whole(signed_data: cms.SignedData) -> None:
    """Run asn1crypto's lazy parser over every field, so that bad DER anywhere is found here
    rather than when a field is first read. A certificate whose exact bytes this process has
    parsed whole before is not parsed again: the same bytes parse the same way, and the
    certificates are most of the work (a burst of confirmations carries the same few)."""
    for name in _SIGNED_DATA_FIELDS:
        value = signed_data[name]
        if name != "certificates" or isinstance(value, core.Void):
            value.native  # noqa: B018 - forces the lazy parser
            continue
        for choice in value:
            digest = hashlib.sha256(choice.dump()).digest()
            if digest in _PARSED_CERTIFICATES:
                continue
            choice.native  # noqa: B018 - forces the lazy parser
            if len(_PARSED_CERTIFICATES) >= _PARSED_CERTIFICATES_KEPT:
                _PARSED_CERTIFICATES.clear()
            _PARSED_CERTIFICATES[digest] = None


def parse_cms(raw: bytes) -> ParsedCms:
    """Parse a CMS SignedData fully, or raise :class:`CmsFormatError`."""
    der = to_der(raw)
    if not der:
        raise CmsFormatError("empty")
    try:
        content_info = cms.ContentInfo.load(der, strict=True)
        if content_info["content_type"].native != "signed_data":
            raise CmsFormatError("not SignedData")
        signed_data = content_info["content"]
        _parse_whole(signed_data)
        encap = signed_data["encap_content_info"]
        content_type = encap["content_type"].native
        econtent = encap["content"]
        encapsulated: bytes | None
        if isinstance(econtent, core.Void) or econtent.native is None:
            encapsulated = None
        elif isinstance(econtent.native, bytes):
            encapsulated = econtent.native
        else:
            raise CmsFormatError("unsupported encapsulated content")
        certificates = tuple(
            choice.chosen
            for choice in signed_data["certificates"] or ()
            if choice.name == "certificate"
        )
        for certificate in certificates:
            # RSA and ECDSA signatures are whole octets: any other BIT STRING is not DER.
            if certificate["signature_value"].contents[:1] != b"\x00":
                raise CmsFormatError("certificate signature is not a whole number of octets")
        listed = {algorithm["algorithm"].native for algorithm in signed_data["digest_algorithms"]}
        signers = []
        for info in signed_data["signer_infos"]:
            if (info["version"].native, info["sid"].name) not in _SIGNER_VERSIONS:
                raise CmsFormatError("SignerInfo version does not match its identifier")
            if digest_name(info) not in listed:
                # RFC 5652 5.1: digestAlgorithms names every signer's digest. Not covered by the
                # signature, but a SignedData that breaks it is not what a signer produced.
                raise CmsFormatError("digestAlgorithms does not name a signer's digest")
            signers.append(
                ParsedSigner(info=info, certificate=_signer_certificate(info, certificates))
            )
        _check_version(signed_data, content_type)
    except CmsFormatError:
        raise
    except ASN1_ERRORS as error:
        raise CmsFormatError(str(error)) from error
    return ParsedCms(
        der=der,
        content_type=content_type,
        encapsulated=encapsulated,
        certificates=certificates,
        signers=tuple(signers),
    )


def _check_version(signed_data: cms.SignedData, content_type: str) -> None:
    """RFC 5652 5.1: the version follows from what the SignedData holds."""
    version = signed_data["version"].native
    choices = list(signed_data["certificates"] or ())
    if all(choice.name == "certificate" for choice in choices):
        v3 = content_type != "data" or any(
            info["version"].native == "v3" for info in signed_data["signer_infos"]
        )
        if version != ("v3" if v3 else "v1"):
            raise CmsFormatError("SignedData version does not match its contents")
    elif version not in {"v3", "v4", "v5"}:
        raise CmsFormatError("SignedData version does not match its contents")


def _signer_certificate(
    info: cms.SignerInfo, certificates: tuple[asn1_x509.Certificate, ...]
) -> asn1_x509.Certificate | None:
    sid = info["sid"]
    for certificate in certificates:
        if sid.name == "issuer_and_serial_number":
            wanted = sid.chosen
            if (
                certificate.serial_number == wanted["serial_number"].native
                # byte for byte: name matching ignores case and string types
                and certificate.issuer.dump() == wanted["issuer"].dump()
            ):
                return certificate
        elif (
            sid.name == "subject_key_identifier" and certificate.key_identifier == sid.chosen.native
        ):
            return certificate
    return None


def digest_name(info: cms.SignerInfo) -> str:
    return str(info["digest_algorithm"]["algorithm"].native)


def signed_attribute(info: cms.SignerInfo, name: str) -> list[object] | None:
    """The values of one signed attribute, or ``None`` when it is absent."""
    attrs = info["signed_attrs"]
    if isinstance(attrs, core.Void) or attrs.native is None:
        return None
    for attr in attrs:
        if attr["type"].native == name:
            return [value.native for value in attr["values"]]
    return None


def check_signer(parsed: ParsedCms, signer: ParsedSigner, signed_bytes: bytes) -> set[Reason]:
    """The cryptographic reasons against one SignerInfo over ``signed_bytes``.

    ``CONTENT_MISMATCH``: the signed attributes name another digest. ``SIGNATURE_INVALID``: the
    signature value does not verify with the certificate's key, the algorithms are weak or
    unknown to this verifier (GOST needs NCANode), or the signed attributes are incomplete.
    """
    info = signer.info
    if signer.certificate is None:
        return {Reason.MALFORMED}
    name = digest_name(info)
    hash_class = DIGESTS.get(name)
    if hash_class is None:
        return {Reason.SIGNATURE_INVALID}
    reasons: set[Reason] = set()
    attrs = info["signed_attrs"]
    if isinstance(attrs, core.Void) or attrs.native is None:
        message = signed_bytes
    else:
        digests = signed_attribute(info, "message_digest")
        content_types = signed_attribute(info, "content_type")
        if digests is None or len(digests) != 1 or content_types != [parsed.content_type]:
            reasons.add(Reason.SIGNATURE_INVALID)
        elif digests[0] != hashlib.new(name, signed_bytes).digest():
            reasons.add(Reason.CONTENT_MISMATCH)
        # The signature covers the DER of the attributes as a SET OF, not as [0] IMPLICIT.
        message = b"\x31" + attrs.dump()[1:]
    if not _signature_verifies(signer.certificate, info, message, hash_class):
        reasons.add(Reason.SIGNATURE_INVALID)
    return reasons


def _signature_verifies(
    certificate: asn1_x509.Certificate,
    info: cms.SignerInfo,
    message: bytes,
    hash_class: type[hashes.HashAlgorithm],
) -> bool:
    algorithm: algos.SignedDigestAlgorithm = info["signature_algorithm"]
    signature = info["signature"].native
    try:
        public_key = x509.load_der_x509_certificate(certificate.dump()).public_key()
        kind = algorithm.signature_algo
        try:
            implied = algorithm.hash_algo
        except ValueError:  # plain rsaEncryption / ecPublicKey: the digest algorithm decides
            implied = None
        if implied is not None and implied != info["digest_algorithm"]["algorithm"].native:
            return False
        if kind == "rsassa_pkcs1v15" and isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, message, padding.PKCS1v15(), hash_class())
        elif kind == "rsassa_pss" and isinstance(public_key, rsa.RSAPublicKey):
            params = algorithm["parameters"]
            mgf_hash = DIGESTS.get(params["mask_gen_algorithm"]["parameters"]["algorithm"].native)
            if mgf_hash is None:
                return False
            public_key.verify(
                signature,
                message,
                padding.PSS(mgf=padding.MGF1(mgf_hash()), salt_length=params["salt_length"].native),
                hash_class(),
            )
        elif kind == "ecdsa" and isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, message, ec.ECDSA(hash_class()))
        else:
            return False
    except (InvalidSignature, *CERTIFICATE_ERRORS, *ASN1_ERRORS):
        return False
    return True
