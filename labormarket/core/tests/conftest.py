"""Fixtures of the signature tests (test_signatures_*.py): test PKIs made once per session."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from labormarket.core.bin import generate_bin
from labormarket.core.iin import generate_iin
from labormarket.core.signatures.local import LocalVerifier
from labormarket.core.signatures.pki import IssuedCertificate, TestPki, TestSubject, make_test_pki


def _iin(born: date, serial: int) -> str:
    while (value := generate_iin(born, "female", serial)) is None:
        serial += 1
    return value


def _bin(serial: int) -> str:
    while (value := generate_bin(date(2015, 3, 1), serial)) is None:
        serial += 1
    return value


@dataclass(frozen=True)
class People:
    """The subjects of the session PKI."""

    citizen: TestSubject
    employee: TestSubject
    ecdsa: TestSubject
    foreigner: TestSubject


PEOPLE = People(
    citizen=TestSubject(
        key="citizen",
        iin=_iin(date(1991, 3, 14), 101),
        surname="Жумабаева",
        given_name="Айгуль",
        patronymic="Сериковна",
    ),
    employee=TestSubject(
        key="employee",
        iin=_iin(date(1985, 7, 2), 202),
        surname="Ким",
        given_name="Елена",
        bin=_bin(303),
        org="ТОО «Пример»",
    ),
    ecdsa=TestSubject(
        key="ecdsa",
        iin=_iin(date(1979, 11, 30), 404),
        surname="Оспанова",
        given_name="Динара",
    ),
    foreigner=TestSubject(
        key="foreigner",
        iin=_iin(date(1990, 1, 1), 505),
        surname="Чужая",
        given_name="Ключ",
    ),
)


@pytest.fixture(scope="session")
def people() -> People:
    return PEOPLE


@pytest.fixture(scope="session")
def signing_pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    """The trusted test PKI: RSA citizen and employee, an ECDSA person, one revoked demo key."""
    pki = make_test_pki(
        tmp_path_factory.mktemp("pki"), [PEOPLE.citizen, PEOPLE.employee], key_type="rsa"
    )
    pki.issue(PEOPLE.ecdsa, key_type="ecdsa", save=True)
    return pki


@pytest.fixture(scope="session")
def foreign_pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    """A second PKI nobody trusts (another root with the same shape)."""
    return make_test_pki(
        tmp_path_factory.mktemp("foreign-pki"),
        [PEOPLE.foreigner],
        key_type="ecdsa",
        ca_name="FOREIGN",
    )


@pytest.fixture(scope="session")
def local_verifier(signing_pki: TestPki) -> LocalVerifier:
    return LocalVerifier(trust_roots=signing_pki.trust_roots(), crls=signing_pki.crls())


Sign = Callable[..., bytes]


def sign_with(
    signers: IssuedCertificate | Sequence[IssuedCertificate],
    content: bytes,
    *,
    detached: bool = True,
    certificates: Sequence[x509.Certificate] = (),
    include_signer: bool = True,
) -> bytes:
    """A DER CMS SignedData over ``content`` by one or more signers (cryptography's builder)."""
    builder = pkcs7.PKCS7SignatureBuilder().set_data(content)
    for signer in [signers] if isinstance(signers, IssuedCertificate) else signers:
        builder = builder.add_signer(signer.certificate, signer.private_key, hashes.SHA256())
    for certificate in certificates:
        builder = builder.add_certificate(certificate)
    options = [pkcs7.PKCS7Options.Binary, pkcs7.PKCS7Options.NoCapabilities]
    if detached:
        options.append(pkcs7.PKCS7Options.DetachedSignature)
    if not include_signer:
        options.append(pkcs7.PKCS7Options.NoCerts)
    return builder.sign(serialization.Encoding.DER, options)


@pytest.fixture(scope="session")
def sign(signing_pki: TestPki) -> Sign:
    """``sign(issued, content, detached=True)``: signed, with the intermediate CA included."""

    def _sign(
        signers: IssuedCertificate | Sequence[IssuedCertificate],
        content: bytes,
        *,
        detached: bool = True,
        include_signer: bool = True,
        pki: TestPki | None = None,
    ) -> bytes:
        chain = (pki or signing_pki).intermediate.certificate
        return sign_with(
            signers,
            content,
            detached=detached,
            certificates=[chain] if include_signer else [],
            include_signer=include_signer,
        )

    return _sign
