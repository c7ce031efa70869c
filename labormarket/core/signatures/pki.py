"""A test PKI shaped like НУЦ РК's: root CA → intermediate (issuing) CA → personal signing keys.

Only for tests and demo installations. Every CA name says ``NOT FOR PRODUCTION``; private keys
are written unencrypted (PEM) next to the certificates, and every PKCS#12 uses the fixed demo
password :data:`DEMO_PKCS12_PASSWORD` (``Qwerty12``, the password of the NCA RK SDK test keys).

Layout of the directory (``var/pki/`` by default)::

    root-ca.pem  root-ca.key.pem  root-ca.crl.pem                 self-signed root, its CRL
    intermediate-ca.pem  intermediate-ca.key.pem  intermediate-ca.crl.pem
    people/<key>.cert.pem  people/<key>.key.pem  people/<key>.p12  one signing key per person

The intermediate's CRL revokes one demo certificate, ``people/revoked-demo.*``. Both CRLs are
needed: revocation checking is required for every certificate of the path, the intermediate
included.

:func:`make_test_pki` is idempotent: an existing PKI is loaded, only missing (or changed, or
nearly expired) people's certificates are issued, and the CRLs are re-signed when they are
about to go stale. ``force=True`` starts from scratch.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Final, Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from labormarket.core.iin import generate_iin

from .identity import identity_of

KeyType = Literal["rsa", "ecdsa"]
PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

DEMO_PKCS12_PASSWORD: Final = "Qwerty12"  # noqa: S105 - the documented demo password
DEFAULT_CA_NAME: Final = "LABORMARKET DEMO"

ROOT_CERT: Final = "root-ca.pem"
ROOT_KEY: Final = "root-ca.key.pem"
ROOT_CRL: Final = "root-ca.crl.pem"
INTERMEDIATE_CERT: Final = "intermediate-ca.pem"
INTERMEDIATE_KEY: Final = "intermediate-ca.key.pem"
INTERMEDIATE_CRL: Final = "intermediate-ca.crl.pem"
PEOPLE_DIR: Final = "people"

#: What a НУЦ РК signing certificate allows: digitalSignature + nonRepudiation.
SIGNING_USAGE: Final = frozenset({"digital_signature", "content_commitment"})
_KEY_USAGE_FLAGS: Final = (
    "digital_signature",
    "content_commitment",
    "key_encipherment",
    "data_encipherment",
    "key_agreement",
    "key_cert_sign",
    "crl_sign",
)

ROOT_LIFETIME: Final = timedelta(days=3650)
INTERMEDIATE_LIFETIME: Final = timedelta(days=1825)
PERSON_LIFETIME: Final = timedelta(days=365)  # НУЦ РК issues keys for one year
CRL_LIFETIME: Final = timedelta(days=365)
#: Certificates and CRLs closer than this to their end are renewed by make_test_pki.
RENEW_BEFORE: Final = timedelta(days=30)
_BACKDATE: Final = timedelta(minutes=5)

_KEY_NAME: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


@dataclass(frozen=True)
class TestSubject:
    """A person to issue a signing certificate to. ``key`` names the files (e.g. a username).

    ``bin``/``org`` make it a legal entity's employee certificate (``OU=BIN…``, ``O=…``).
    """

    __test__ = False  # not a pytest test class

    key: str
    iin: str
    surname: str
    given_name: str
    bin: str | None = None
    org: str | None = None
    patronymic: str = ""

    def x509_name(self) -> x509.Name:
        surname, given = self.surname.upper(), self.given_name.upper()
        attributes = [
            x509.NameAttribute(NameOID.COMMON_NAME, f"{surname} {given}".strip()),
            x509.NameAttribute(NameOID.SURNAME, surname),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, f"IIN{self.iin}"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
        ]
        if self.patronymic:
            attributes.append(x509.NameAttribute(NameOID.GIVEN_NAME, self.patronymic.upper()))
        if self.bin:
            attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, self.org or "DEMO"))
            attributes.append(
                x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"BIN{self.bin}")
            )
        return x509.Name(attributes)


def _demo_iin(birth_date: date, serial: int) -> str:
    while (value := generate_iin(birth_date, "male", serial)) is None:
        serial += 1
    return value


#: The person whose certificate the demo CRL revokes.
REVOKED_DEMO: Final = TestSubject(
    key="revoked-demo",
    iin=_demo_iin(date(1980, 1, 1), 9990),
    surname="Отозванный",
    given_name="Демо",
)


@dataclass(frozen=True)
class IssuedCertificate:
    """A certificate and its private key (and where they are saved, if they are)."""

    certificate: x509.Certificate
    private_key: PrivateKey
    key: str = ""

    @property
    def der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    @property
    def serial_hex(self) -> str:
        return format(self.certificate.serial_number, "x")


@dataclass
class TestPki:
    """The loaded test PKI."""

    __test__ = False

    directory: Path
    root: IssuedCertificate
    intermediate: IssuedCertificate
    root_crl: x509.CertificateRevocationList
    crl: x509.CertificateRevocationList
    people: dict[str, IssuedCertificate] = field(default_factory=dict)

    @property
    def revoked(self) -> IssuedCertificate:
        return self.people[REVOKED_DEMO.key]

    def trust_roots(self) -> list[bytes]:
        return [self.root.der]

    def crls(self) -> list[bytes]:
        return [crl.public_bytes(serialization.Encoding.DER) for crl in (self.root_crl, self.crl)]

    def by_iin(self, iin: str) -> IssuedCertificate:
        for person in self.people.values():
            if identity_of(person.certificate.subject).iin == iin:
                return person
        raise LookupError(f"the test PKI has no certificate for IIN {iin[:4]}********")

    def make_crl(self, revoked: Iterable[int]) -> bytes:
        """A fresh CRL (DER) of the intermediate CA revoking these serial numbers."""
        crl = _make_crl(self.intermediate, revoked=revoked)
        return crl.public_bytes(serialization.Encoding.DER)

    def issue(
        self,
        subject: TestSubject | x509.Name,
        *,
        not_before: datetime | None = None,
        not_after: datetime | None = None,
        key_usage: Iterable[str] = SIGNING_USAGE,
        key_type: KeyType = "rsa",
        save: bool = False,
    ) -> IssuedCertificate:
        """An end-entity certificate from the intermediate CA (saved under people/ if asked)."""
        issued = _issue(
            self.intermediate,
            subject,
            not_before=not_before,
            not_after=not_after,
            key_usage=key_usage,
            key_type=key_type,
        )
        if save:
            if not issued.key:
                raise ValueError("only a TestSubject's certificate can be saved")
            _save_person(self.directory, issued)
            self.people[issued.key] = issued
        return issued


def new_key(key_type: KeyType = "rsa") -> PrivateKey:
    if key_type == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if key_type == "ecdsa":
        return ec.generate_private_key(ec.SECP256R1())
    raise ValueError(f"unknown key type {key_type!r}: use 'rsa' or 'ecdsa'")


def self_signed(
    subject: TestSubject,
    *,
    key_type: KeyType = "rsa",
    key_usage: Iterable[str] = SIGNING_USAGE,
) -> IssuedCertificate:
    """A self-signed signing certificate (what a forger could make): never trusted."""
    key = new_key(key_type)
    start = _now() - _BACKDATE
    certificate = _end_entity(
        subject.x509_name(),
        key,
        issuer_name=subject.x509_name(),
        issuer_key=key,
        not_before=start,
        not_after=start + PERSON_LIFETIME,
        key_usage=key_usage,
    )
    return IssuedCertificate(certificate=certificate, private_key=key, key=subject.key)


def make_test_pki(
    directory: Path | str,
    people: Sequence[TestSubject],
    *,
    key_type: KeyType = "rsa",
    force: bool = False,
    ca_name: str = DEFAULT_CA_NAME,
) -> TestPki:
    """Create (or load and complete) the test PKI in ``directory``; see the module docstring."""
    directory = Path(directory)
    for subject in people:
        _check_key_name(subject.key)
    if force:
        _remove(directory)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / PEOPLE_DIR).mkdir(exist_ok=True)

    if (directory / ROOT_CERT).exists() and (directory / INTERMEDIATE_CERT).exists():
        root = _load_pair(directory / ROOT_CERT, directory / ROOT_KEY)
        intermediate = _load_pair(directory / INTERMEDIATE_CERT, directory / INTERMEDIATE_KEY)
    else:
        root, intermediate = _make_cas(directory, key_type=key_type, ca_name=ca_name)

    saved = load_people(directory)
    for subject in [*people, REVOKED_DEMO]:
        existing = saved.get(subject.key)
        if existing is None or not _still_good(existing, subject):
            saved[subject.key] = _issue(intermediate, subject, key_type=key_type)
            _save_person(directory, saved[subject.key])

    revoked_serial = saved[REVOKED_DEMO.key].certificate.serial_number
    crl = _load_crl(directory / INTERMEDIATE_CRL)
    if crl is None or not _crl_good(crl, issuer=intermediate, revoked={revoked_serial}):
        crl = _make_crl(intermediate, revoked=[revoked_serial])
        _write(directory / INTERMEDIATE_CRL, _crl_pem(crl))
    root_crl = _load_crl(directory / ROOT_CRL)
    if root_crl is None or not _crl_good(root_crl, issuer=root, revoked=set()):
        root_crl = _make_crl(root, revoked=[])
        _write(directory / ROOT_CRL, _crl_pem(root_crl))
    return TestPki(
        directory=directory,
        root=root,
        intermediate=intermediate,
        root_crl=root_crl,
        crl=crl,
        people=saved,
    )


def load_test_pki(directory: Path | str) -> TestPki:
    """The PKI saved in ``directory``; ``FileNotFoundError`` when there is none."""
    directory = Path(directory)
    root = _load_pair(directory / ROOT_CERT, directory / ROOT_KEY)
    intermediate = _load_pair(directory / INTERMEDIATE_CERT, directory / INTERMEDIATE_KEY)
    root_crl = _load_crl(directory / ROOT_CRL)
    crl = _load_crl(directory / INTERMEDIATE_CRL)
    if root_crl is None or crl is None:
        raise FileNotFoundError(directory / INTERMEDIATE_CRL)
    return TestPki(
        directory=directory,
        root=root,
        intermediate=intermediate,
        root_crl=root_crl,
        crl=crl,
        people=load_people(directory),
    )


# --- building blocks ---------------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(tz=UTC)


def _check_key_name(key: str) -> None:
    if not _KEY_NAME.match(key):
        raise ValueError(f"unusable key {key!r}: letters, digits, '.', '_' and '-' only")


def _ca_name(ca_name: str, role: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, f"{ca_name} {role} (NOT FOR PRODUCTION)"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, f"{ca_name} TEST PKI"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
        ]
    )


def _issue(
    issuer: IssuedCertificate,
    subject: TestSubject | x509.Name,
    *,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
    key_usage: Iterable[str] = SIGNING_USAGE,
    key_type: KeyType = "rsa",
) -> IssuedCertificate:
    name = subject.x509_name() if isinstance(subject, TestSubject) else subject
    start = not_before or _now() - _BACKDATE
    key = new_key(key_type)
    certificate = _end_entity(
        name,
        key,
        issuer_name=issuer.certificate.subject,
        issuer_key=issuer.private_key,
        not_before=start,
        not_after=not_after or start + PERSON_LIFETIME,
        key_usage=key_usage,
    )
    return IssuedCertificate(
        certificate=certificate,
        private_key=key,
        key=subject.key if isinstance(subject, TestSubject) else "",
    )


def _ca(
    name: x509.Name,
    key: PrivateKey,
    *,
    issuer: IssuedCertificate | None,
    lifetime: timedelta,
    path_length: int | None,
) -> x509.Certificate:
    start = _now() - _BACKDATE
    issuer_name = issuer.certificate.subject if issuer else name
    issuer_key = issuer.private_key if issuer else key
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + lifetime)
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(_key_usage({"key_cert_sign", "crl_sign"}), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
        .sign(issuer_key, hashes.SHA256())
    )


def _end_entity(
    name: x509.Name,
    key: PrivateKey,
    *,
    issuer_name: x509.Name,
    issuer_key: PrivateKey,
    not_before: datetime,
    not_after: datetime,
    key_usage: Iterable[str],
) -> x509.Certificate:
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(set(key_usage)), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
        .sign(issuer_key, hashes.SHA256())
    )


def _key_usage(flags: set[str]) -> x509.KeyUsage:
    unknown = flags - set(_KEY_USAGE_FLAGS)
    if unknown:
        raise ValueError(f"unknown key usage: {', '.join(sorted(unknown))}")
    return x509.KeyUsage(
        **{flag: flag in flags for flag in _KEY_USAGE_FLAGS},
        encipher_only=False,
        decipher_only=False,
    )


def _make_cas(
    directory: Path, *, key_type: KeyType, ca_name: str
) -> tuple[IssuedCertificate, IssuedCertificate]:
    root_key = new_key(key_type)
    root = IssuedCertificate(
        certificate=_ca(
            _ca_name(ca_name, "ROOT CA"),
            root_key,
            issuer=None,
            lifetime=ROOT_LIFETIME,
            path_length=1,
        ),
        private_key=root_key,
    )
    intermediate_key = new_key(key_type)
    intermediate = IssuedCertificate(
        certificate=_ca(
            _ca_name(ca_name, "SIGNING CA"),
            intermediate_key,
            issuer=root,
            lifetime=INTERMEDIATE_LIFETIME,
            path_length=0,
        ),
        private_key=intermediate_key,
    )
    _write(directory / ROOT_CERT, _cert_pem(root.certificate))
    _write(directory / ROOT_KEY, _key_pem(root.private_key), private=True)
    _write(directory / INTERMEDIATE_CERT, _cert_pem(intermediate.certificate))
    _write(directory / INTERMEDIATE_KEY, _key_pem(intermediate.private_key), private=True)
    return root, intermediate


def _make_crl(
    issuer: IssuedCertificate, *, revoked: Iterable[int]
) -> x509.CertificateRevocationList:
    now = _now()
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.certificate.subject)
        .last_update(now - _BACKDATE)
        .next_update(now + CRL_LIFETIME)
        .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.private_key.public_key()),
            critical=False,
        )
    )
    for serial in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(now - _BACKDATE)
            .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False)
            .build()
        )
    return builder.sign(issuer.private_key, hashes.SHA256())


def _still_good(existing: IssuedCertificate, subject: TestSubject) -> bool:
    """The saved certificate still names this subject and is not near its end."""
    return (
        existing.certificate.subject == subject.x509_name()
        and existing.certificate.not_valid_after_utc - RENEW_BEFORE > _now()
    )


def _crl_good(
    crl: x509.CertificateRevocationList, *, issuer: IssuedCertificate, revoked: set[int]
) -> bool:
    """The saved CRL is the issuer's, lists exactly ``revoked`` and is not about to go stale."""
    if crl.next_update_utc is None or crl.next_update_utc - RENEW_BEFORE < _now():
        return False
    if crl.issuer != issuer.certificate.subject:
        return False
    if not crl.is_signature_valid(issuer.private_key.public_key()):
        return False
    return {entry.serial_number for entry in crl} == revoked


def _save_person(directory: Path, issued: IssuedCertificate) -> None:
    people = directory / PEOPLE_DIR
    people.mkdir(parents=True, exist_ok=True)
    _write(people / f"{issued.key}.cert.pem", _cert_pem(issued.certificate))
    _write(people / f"{issued.key}.key.pem", _key_pem(issued.private_key), private=True)
    chain = [c for c in _load_chain(directory) if c != issued.certificate]
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        # 3DES/SHA-1 PBE: what the Kalkan-based NCALayer reads; this is demo material anyway.
        .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
        .hmac_hash(hashes.SHA1())  # noqa: S303 - legacy PKCS#12 MAC for NCALayer
        .build(DEMO_PKCS12_PASSWORD.encode())
    )
    _write(
        people / f"{issued.key}.p12",
        pkcs12.serialize_key_and_certificates(
            issued.key.encode(), issued.private_key, issued.certificate, chain, encryption
        ),
        private=True,
    )


def _load_chain(directory: Path) -> list[x509.Certificate]:
    return [
        x509.load_pem_x509_certificate((directory / name).read_bytes())
        for name in (INTERMEDIATE_CERT, ROOT_CERT)
        if (directory / name).exists()
    ]


def _load_pair(cert_path: Path, key_path: Path) -> IssuedCertificate:
    certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise ValueError(f"{key_path}: not an RSA or EC key")
    return IssuedCertificate(certificate=certificate, private_key=key, key=_key_of(cert_path))


def _key_of(cert_path: Path) -> str:
    return cert_path.name.removesuffix(".cert.pem") if cert_path.name.endswith(".cert.pem") else ""


def load_people(directory: Path) -> dict[str, IssuedCertificate]:
    people: dict[str, IssuedCertificate] = {}
    for cert_path in sorted((directory / PEOPLE_DIR).glob("*.cert.pem")):
        key_path = cert_path.with_name(cert_path.name.replace(".cert.pem", ".key.pem"))
        if key_path.exists():
            issued = _load_pair(cert_path, key_path)
            people[issued.key] = issued
    return people


def _load_crl(path: Path) -> x509.CertificateRevocationList | None:
    if not path.exists():
        return None
    return x509.load_pem_x509_crl(path.read_bytes())


def _remove(directory: Path) -> None:
    """Delete what make_test_pki writes, and nothing else."""
    for name in (
        ROOT_CERT,
        ROOT_KEY,
        ROOT_CRL,
        INTERMEDIATE_CERT,
        INTERMEDIATE_KEY,
        INTERMEDIATE_CRL,
    ):
        (directory / name).unlink(missing_ok=True)
    people = directory / PEOPLE_DIR
    if people.is_dir():
        for pattern in ("*.cert.pem", "*.key.pem", "*.p12"):
            for path in people.glob(pattern):
                path.unlink()
        with contextlib.suppress(OSError):
            people.rmdir()


def _write(path: Path, data: bytes, *, private: bool = False) -> None:
    path.write_bytes(data)
    if private:
        os.chmod(path, 0o600)


def _cert_pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def _crl_pem(crl: x509.CertificateRevocationList) -> bytes:
    return crl.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
