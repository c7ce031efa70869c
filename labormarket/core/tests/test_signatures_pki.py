"""The test PKI, the demo signer and ``manage.py pki_init``."""

from __future__ import annotations

import io
import re
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.core.management import call_command

from labormarket.accounts.choices import Role
from labormarket.accounts.tests.factories import user_with_role
from labormarket.core.iin import mask_iin
from labormarket.core.signatures import (
    DEMO_PKCS12_PASSWORD,
    LocalVerifier,
    Reason,
    TestSubject,
    demo_sign,
    load_test_pki,
    make_test_pki,
)
from labormarket.core.signatures.identity import identity_of
from labormarket.core.signatures.pki import REVOKED_DEMO, TestPki
from labormarket.core.testing import next_iin

from .conftest import People

CONTENT = "Акт выполненных работ № 7".encode()


def _files(directory: Path) -> list[str]:
    return sorted(
        str(path.relative_to(directory)) for path in directory.rglob("*") if path.is_file()
    )


def _verifier(directory: Path) -> LocalVerifier:
    pki = load_test_pki(directory)
    return LocalVerifier(trust_roots=pki.trust_roots(), crls=pki.crls())


@pytest.fixture
def small_pki_dir(tmp_path: Path, people: People) -> Path:
    """A fresh ECDSA PKI (fast to make) with the citizen and the employee."""
    make_test_pki(tmp_path / "pki", [people.citizen, people.employee], key_type="ecdsa")
    return tmp_path / "pki"


# --- layout and certificates -----------------------------------------------------------------


def test_layout_of_the_saved_pki(signing_pki: TestPki, people: People) -> None:
    assert _files(signing_pki.directory) == [
        "intermediate-ca.crl.pem",
        "intermediate-ca.key.pem",
        "intermediate-ca.pem",
        "people/citizen.cert.pem",
        "people/citizen.key.pem",
        "people/citizen.p12",
        "people/ecdsa.cert.pem",
        "people/ecdsa.key.pem",
        "people/ecdsa.p12",
        "people/employee.cert.pem",
        "people/employee.key.pem",
        "people/employee.p12",
        "people/revoked-demo.cert.pem",
        "people/revoked-demo.key.pem",
        "people/revoked-demo.p12",
        "root-ca.crl.pem",
        "root-ca.key.pem",
        "root-ca.pem",
    ]
    key_mode = stat.S_IMODE((signing_pki.directory / "people/citizen.key.pem").stat().st_mode)
    assert key_mode == 0o600


def test_chain_root_intermediate_person(signing_pki: TestPki) -> None:
    root, intermediate = signing_pki.root.certificate, signing_pki.intermediate.certificate
    person = signing_pki.people["citizen"].certificate
    assert root.issuer == root.subject
    assert intermediate.issuer == root.subject
    assert person.issuer == intermediate.subject
    assert root.subject.rfc4514_string() == (
        "C=KZ,O=LABORMARKET DEMO TEST PKI,CN=LABORMARKET DEMO ROOT CA (NOT FOR PRODUCTION)"
    )
    assert intermediate.extensions.get_extension_for_class(x509.BasicConstraints).value == (
        x509.BasicConstraints(ca=True, path_length=0)
    )
    person.verify_directly_issued_by(intermediate)
    intermediate.verify_directly_issued_by(root)


def test_person_certificate_is_shaped_like_an_nca_rk_signing_certificate(
    signing_pki: TestPki,
    people: People,
) -> None:
    certificate = signing_pki.people["employee"].certificate
    subject = {attr.oid: attr.value for attr in certificate.subject}
    assert subject == {
        NameOID.COMMON_NAME: "КИМ ЕЛЕНА",
        NameOID.SURNAME: "КИМ",
        NameOID.SERIAL_NUMBER: f"IIN{people.employee.iin}",
        NameOID.COUNTRY_NAME: "KZ",
        NameOID.ORGANIZATION_NAME: "ТОО «Пример»",
        NameOID.ORGANIZATIONAL_UNIT_NAME: f"BIN{people.employee.bin}",
    }
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical is True
    assert (usage.value.digital_signature, usage.value.content_commitment) == (True, True)
    assert (usage.value.key_encipherment, usage.value.key_cert_sign) == (False, False)
    lifetime = certificate.not_valid_after_utc - certificate.not_valid_before_utc
    assert lifetime == timedelta(days=365)
    assert isinstance(certificate.public_key(), rsa.RSAPublicKey)
    assert certificate.public_key().key_size == 2048


def test_identity_reads_iin_bin_patronymic(signing_pki: TestPki, people: People) -> None:
    who = identity_of(signing_pki.people["citizen"].certificate.subject)
    assert (who.iin, who.bin, who.name, who.surname, who.patronymic) == (
        people.citizen.iin,
        None,
        "ЖУМАБАЕВА АЙГУЛЬ",
        "ЖУМАБАЕВА",
        "СЕРИКОВНА",
    )


def test_identity_of_an_organisation_certificate_reads_bin_from_serial_number() -> None:
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "ИНФОРМАЦИОННАЯ СИСТЕМА"),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, "BIN150340000019"),
        ]
    )
    assert (identity_of(name).iin, identity_of(name).bin) == (None, "150340000019")


def test_crls_revoke_exactly_the_revoked_demo_certificate(signing_pki: TestPki) -> None:
    crl, root_crl = signing_pki.crl, signing_pki.root_crl
    assert [entry.serial_number for entry in crl] == [signing_pki.revoked.certificate.serial_number]
    assert list(root_crl) == []
    assert crl.issuer == signing_pki.intermediate.certificate.subject
    assert crl.is_signature_valid(signing_pki.intermediate.certificate.public_key()) is True
    assert root_crl.is_signature_valid(signing_pki.root.certificate.public_key()) is True
    assert identity_of(signing_pki.revoked.certificate.subject).iin == REVOKED_DEMO.iin


def test_pkcs12_opens_with_the_demo_password(signing_pki: TestPki) -> None:
    data = (signing_pki.directory / "people/citizen.p12").read_bytes()
    key, certificate, chain = pkcs12.load_key_and_certificates(data, DEMO_PKCS12_PASSWORD.encode())
    assert certificate == signing_pki.people["citizen"].certificate
    assert isinstance(key, rsa.RSAPrivateKey)
    assert key.public_key().public_numbers() == certificate.public_key().public_numbers()
    assert chain == [signing_pki.intermediate.certificate, signing_pki.root.certificate]
    with pytest.raises(ValueError, match="password"):
        pkcs12.load_key_and_certificates(data, b"wrong")


def test_ecdsa_pki(small_pki_dir: Path) -> None:
    pki = load_test_pki(small_pki_dir)
    assert isinstance(pki.root.private_key, ec.EllipticCurvePrivateKey)
    assert isinstance(pki.people["citizen"].certificate.public_key(), ec.EllipticCurvePublicKey)


def test_bad_key_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unusable key"):
        make_test_pki(tmp_path, [TestSubject("../etc", next_iin(), "А", "Б")], key_type="ecdsa")


def test_load_without_a_pki_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_test_pki(tmp_path)


# --- idempotence -----------------------------------------------------------------------------


def _serials(directory: Path) -> dict[str, int]:
    pki = load_test_pki(directory)
    serials = {key: issued.certificate.serial_number for key, issued in pki.people.items()}
    serials["root"] = pki.root.certificate.serial_number
    return serials


def test_second_run_keeps_everything(small_pki_dir: Path, people: People) -> None:
    before = _serials(small_pki_dir)
    crl_before = (small_pki_dir / "intermediate-ca.crl.pem").read_bytes()
    make_test_pki(small_pki_dir, [people.citizen, people.employee], key_type="ecdsa")
    assert _serials(small_pki_dir) == before
    assert (small_pki_dir / "intermediate-ca.crl.pem").read_bytes() == crl_before


def test_only_missing_or_changed_people_are_issued(small_pki_dir: Path, people: People) -> None:
    before = _serials(small_pki_dir)
    moved = TestSubject(
        "employee", people.employee.iin, "Ким", "Елена", bin=people.citizen.iin, org="Другое"
    )
    newcomer = TestSubject("newcomer", next_iin(), "Новый", "Человек")

    make_test_pki(small_pki_dir, [people.citizen, moved, newcomer], key_type="ecdsa")

    after = _serials(small_pki_dir)
    assert sorted(after) == ["citizen", "employee", "newcomer", "revoked-demo", "root"]
    changed = {key for key in before if before[key] != after[key]}
    assert changed == {"employee"}
    assert identity_of(load_test_pki(small_pki_dir).people["employee"].certificate.subject).bin == (
        people.citizen.iin
    )


def test_force_starts_from_scratch(small_pki_dir: Path, people: People) -> None:
    before = _serials(small_pki_dir)
    make_test_pki(small_pki_dir, [people.citizen], key_type="ecdsa", force=True)
    after = _serials(small_pki_dir)
    assert sorted(after) == ["citizen", "revoked-demo", "root"]
    assert {key for key in after if after[key] == before.get(key)} == set()


def test_crls_and_keys_near_their_end_are_renewed(small_pki_dir: Path, people: People) -> None:
    before = _serials(small_pki_dir)
    with time_machine.travel(datetime.now(tz=UTC) + timedelta(days=340), tick=False):
        pki = make_test_pki(small_pki_dir, [people.citizen], key_type="ecdsa")
        renewed_until = pki.crl.next_update_utc
    after = _serials(small_pki_dir)
    assert after["root"] == before["root"]
    assert after["citizen"] != before["citizen"]
    assert renewed_until is not None
    assert renewed_until > datetime.now(tz=UTC) + timedelta(days=365 + 300)
    assert [entry.serial_number for entry in pki.crl] == [after["revoked-demo"]]


# --- the demo signer -------------------------------------------------------------------------


def test_demo_sign_makes_a_cms_the_local_verifier_accepts(
    small_pki_dir: Path, people: People
) -> None:
    verifier = _verifier(small_pki_dir)
    for detached in (True, False):
        cms = demo_sign(
            CONTENT, iin=people.employee.iin, directory=small_pki_dir, detached=detached
        )
        result = verifier.verify(
            cms=cms,
            content=CONTENT,
            expected_iin=people.employee.iin,
            expected_bin=people.employee.bin,
        )
        assert (result.valid, result.reasons, result.signer_name) == (True, (), "КИМ ЕЛЕНА")


def test_demo_signature_carries_signing_time_and_the_chain(
    small_pki_dir: Path, people: People
) -> None:
    from asn1crypto import cms as asn1_cms

    der = demo_sign(CONTENT, iin=people.citizen.iin, directory=small_pki_dir)
    signed = asn1_cms.ContentInfo.load(der)["content"]
    attributes = [attr["type"].native for attr in signed["signer_infos"][0]["signed_attrs"]]
    assert sorted(attributes) == ["content_type", "message_digest", "signing_time"]
    subjects = [choice.chosen.subject.native["common_name"] for choice in signed["certificates"]]
    assert sorted(subjects) == [
        "LABORMARKET DEMO SIGNING CA (NOT FOR PRODUCTION)",
        "ЖУМАБАЕВА АЙГУЛЬ",
    ]
    assert signed["encap_content_info"]["content"].native is None


def test_demo_sign_without_a_key_is_a_lookup_error(small_pki_dir: Path) -> None:
    iin = next_iin()
    with pytest.raises(LookupError, match=re.escape(f"no signing key for IIN {mask_iin(iin)}")):
        demo_sign(CONTENT, iin=iin, directory=small_pki_dir)


def test_demo_sign_never_uses_the_revoked_key(small_pki_dir: Path) -> None:
    with pytest.raises(LookupError, match="no signing key"):
        demo_sign(CONTENT, iin=REVOKED_DEMO.iin, directory=small_pki_dir)


def test_demo_sign_without_a_pki_is_a_lookup_error(tmp_path: Path) -> None:
    with pytest.raises(LookupError, match="pki_init"):
        demo_sign(CONTENT, iin=next_iin(), directory=tmp_path)


def test_demo_signature_is_untrusted_against_another_root(
    small_pki_dir: Path, people: People, foreign_pki: TestPki
) -> None:
    cms = demo_sign(CONTENT, iin=people.citizen.iin, directory=small_pki_dir)
    verifier = LocalVerifier(trust_roots=foreign_pki.trust_roots(), crls=foreign_pki.crls())
    assert verifier.verify(cms=cms, content=CONTENT).reasons == (Reason.UNTRUSTED,)


# --- manage.py pki_init ----------------------------------------------------------------------


@pytest.mark.django_db
def test_pki_init_issues_keys_for_users_with_an_iin(tmp_path: Path) -> None:
    citizen = user_with_role(Role.CITIZEN, username="citizen.one")  # IIN on the person
    specialist = user_with_role(Role.SPECIALIST, username="spec.one", iin=next_iin())
    user_with_role(Role.SPECIALIST, username="no.iin")  # no IIN: no key
    directory = tmp_path / "pki"
    out = io.StringIO()

    call_command("pki_init", "--dir", str(directory), "--key-type", "ecdsa", stdout=out)

    pki = load_test_pki(directory)
    assert sorted(pki.people) == ["citizen.one", "revoked-demo", "spec.one"]
    organisation = specialist.memberships.get().organisation
    who = identity_of(pki.people["spec.one"].certificate.subject)
    assert (who.iin, who.bin, who.organisation) == (
        specialist.iin,
        organisation.bin,
        organisation.name,
    )
    citizen_iin = citizen.person.iin  # type: ignore[attr-defined]
    assert identity_of(pki.people["citizen.one"].certificate.subject).iin == citizen_iin
    text = out.getvalue()
    assert f"  issued  citizen.one              IIN {mask_iin(citizen_iin)}\n" in text
    assert f"PKCS#12 password for every key: {DEMO_PKCS12_PASSWORD}" in text
    assert text.count("  issued  ") == 3

    verifier = _verifier(directory)
    cms = demo_sign(CONTENT, iin=citizen_iin, directory=directory)
    assert verifier.verify(cms=cms, content=CONTENT, expected_iin=citizen_iin).reasons == ()


@pytest.mark.django_db
def test_pki_init_twice_keeps_the_pki_and_force_renews_it(tmp_path: Path) -> None:
    user_with_role(Role.CITIZEN, username="citizen.two")
    directory = tmp_path / "pki"
    call_command("pki_init", "--dir", str(directory), "--key-type", "ecdsa", stdout=io.StringIO())
    first = _serials(directory)

    again = io.StringIO()
    call_command("pki_init", "--dir", str(directory), stdout=again)
    assert _serials(directory) == first
    assert again.getvalue().count("  kept    ") == 2

    call_command("pki_init", "--dir", str(directory), "--force", stdout=io.StringIO())
    renewed = _serials(directory)
    assert sorted(renewed) == sorted(first)
    assert {key for key in renewed if renewed[key] == first[key]} == set()
    assert isinstance(load_test_pki(directory).root.private_key, rsa.RSAPrivateKey)
