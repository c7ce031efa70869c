"""The local verifier against the signature vectors: every bad one is refused with exact reasons."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from asn1crypto import cms as asn1_cms
from cryptography.hazmat.primitives import serialization
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labormarket.core.signatures import (
    LocalVerifier,
    NCANodeVerifier,
    Reason,
    VerificationResult,
    demo_sign,
    get_verifier,
    reason_message,
)
from labormarket.core.signatures.pki import TestPki, self_signed
from labormarket.core.signatures.types import REASON_MESSAGES

from .conftest import People, Sign

CONTENT = "Заявление о регистрации в качестве безработного, ИИН в теле документа.\n".encode()


def _mutate(der: bytes, change: Callable[[asn1_cms.SignedData], None]) -> bytes:
    info = asn1_cms.ContentInfo.load(der)
    change(info["content"])
    return info.dump(force=True)


def _replace_content(signed: asn1_cms.SignedData) -> None:
    signed["encap_content_info"]["content"] = b"tampered: another applicant"


def _drop_signers(signed: asn1_cms.SignedData) -> None:
    signed["signer_infos"] = []


def _flip_signature(signed: asn1_cms.SignedData) -> None:
    info = signed["signer_infos"][0]
    value = bytearray(info["signature"].native)
    value[len(value) // 2] ^= 0x01
    info["signature"] = bytes(value)


def _change_signing_time(signed: asn1_cms.SignedData) -> None:
    info = signed["signer_infos"][0]
    attrs = info["signed_attrs"]
    for index, attr in enumerate(attrs):
        if attr["type"].native == "signing_time":
            attrs[index] = asn1_cms.CMSAttribute(
                {
                    "type": "signing_time",
                    "values": [asn1_cms.Time({"utc_time": datetime(2001, 1, 1, tzinfo=UTC)})],
                }
            )
    info["signed_attrs"] = attrs


@dataclass(frozen=True)
class Vector:
    cms: bytes
    content: bytes
    expected_iin: str | None = None
    expected_bin: str | None = None


BAD_REASONS: dict[str, tuple[Reason, ...]] = {
    "expired": (Reason.EXPIRED,),
    "not_yet_valid": (Reason.NOT_YET_VALID,),
    "revoked_by_crl": (Reason.REVOKED,),
    "unknown_issuer": (Reason.UNTRUSTED,),
    "self_signed": (Reason.UNTRUSTED,),
    "iin_mismatch": (Reason.IIN_MISMATCH,),
    "bin_mismatch": (Reason.BIN_MISMATCH,),
    "bin_expected_from_a_personal_key": (Reason.BIN_MISMATCH,),
    "key_encipherment_only": (Reason.KEY_USAGE,),
    "tampered_content": (Reason.CONTENT_MISMATCH,),
    "signature_over_other_bytes": (Reason.CONTENT_MISMATCH,),
    "attached_content_is_not_ours": (Reason.CONTENT_MISMATCH,),
    "ecdsa_over_other_bytes": (Reason.CONTENT_MISMATCH,),
    "signature_value_changed": (Reason.SIGNATURE_INVALID,),
    "signed_attributes_changed": (Reason.SIGNATURE_INVALID,),
    "garbage_bytes": (Reason.MALFORMED,),
    "empty_bytes": (Reason.MALFORMED,),
    "base64_of_garbage": (Reason.MALFORMED,),
    "not_signed_data": (Reason.MALFORMED,),
    "no_signer": (Reason.MALFORMED,),
    "signer_certificate_missing": (Reason.MALFORMED,),
    "co_signer_revoked": (Reason.REVOKED,),
    "tampered_and_other_signer": (Reason.CONTENT_MISMATCH, Reason.IIN_MISMATCH),
    "expired_foreign": (Reason.EXPIRED, Reason.UNTRUSTED),
    "expired_not_signing_other_person": (Reason.EXPIRED, Reason.KEY_USAGE, Reason.IIN_MISMATCH),
}


@pytest.fixture(scope="session")
def bad_vectors(
    signing_pki: TestPki, foreign_pki: TestPki, people: People, sign: Sign
) -> dict[str, Vector]:
    now = datetime.now(tz=UTC)
    citizen = signing_pki.people["citizen"]
    employee = signing_pki.people["employee"]
    ecdsa = signing_pki.people["ecdsa"]
    expired = signing_pki.issue(
        people.citizen, not_before=now - timedelta(days=400), not_after=now - timedelta(days=1)
    )
    future = signing_pki.issue(people.citizen, not_before=now + timedelta(days=30))
    encipherment = signing_pki.issue(people.citizen, key_usage={"key_encipherment"})
    expired_encipherment = signing_pki.issue(
        people.employee,
        not_before=now - timedelta(days=400),
        not_after=now - timedelta(days=2),
        key_usage={"key_encipherment"},
    )
    foreign = foreign_pki.people["foreigner"]
    foreign_expired = foreign_pki.issue(
        people.foreigner, not_before=now - timedelta(days=30), not_after=now - timedelta(days=1)
    )
    forged = self_signed(people.citizen)
    attached = sign(citizen, CONTENT, detached=False)
    detached = sign(citizen, CONTENT)
    citizen_iin = people.citizen.iin
    return {
        "expired": Vector(sign(expired, CONTENT), CONTENT, citizen_iin),
        "not_yet_valid": Vector(sign(future, CONTENT), CONTENT, citizen_iin),
        "revoked_by_crl": Vector(sign(signing_pki.revoked, CONTENT), CONTENT),
        "unknown_issuer": Vector(sign(foreign, CONTENT, pki=foreign_pki), CONTENT),
        "self_signed": Vector(sign(forged, CONTENT), CONTENT, citizen_iin),
        "iin_mismatch": Vector(detached, CONTENT, people.employee.iin),
        "bin_mismatch": Vector(
            sign(employee, CONTENT), CONTENT, people.employee.iin, people.citizen.iin
        ),
        "bin_expected_from_a_personal_key": Vector(
            detached, CONTENT, citizen_iin, people.employee.bin
        ),
        "key_encipherment_only": Vector(sign(encipherment, CONTENT), CONTENT, citizen_iin),
        "tampered_content": Vector(
            _mutate(attached, _replace_content), b"tampered: another applicant", citizen_iin
        ),
        "signature_over_other_bytes": Vector(sign(citizen, b"other bytes"), CONTENT, citizen_iin),
        "attached_content_is_not_ours": Vector(attached, CONTENT + b"!", citizen_iin),
        "ecdsa_over_other_bytes": Vector(sign(ecdsa, b"other bytes"), CONTENT),
        "signature_value_changed": Vector(_mutate(detached, _flip_signature), CONTENT),
        "signed_attributes_changed": Vector(_mutate(detached, _change_signing_time), CONTENT),
        "garbage_bytes": Vector(b"\x30\x82\x01\x00 this is not DER at all", CONTENT),
        "empty_bytes": Vector(b"", CONTENT),
        "base64_of_garbage": Vector(base64.b64encode(b"no signature here"), CONTENT),
        "not_signed_data": Vector(
            asn1_cms.ContentInfo({"content_type": "data", "content": CONTENT}).dump(), CONTENT
        ),
        "no_signer": Vector(_mutate(detached, _drop_signers), CONTENT),
        "signer_certificate_missing": Vector(
            sign(citizen, CONTENT, include_signer=False), CONTENT, citizen_iin
        ),
        "co_signer_revoked": Vector(sign([citizen, signing_pki.revoked], CONTENT), CONTENT),
        "tampered_and_other_signer": Vector(
            _mutate(attached, _replace_content),
            b"tampered: another applicant",
            people.employee.iin,
        ),
        "expired_foreign": Vector(sign(foreign_expired, CONTENT, pki=foreign_pki), CONTENT),
        "expired_not_signing_other_person": Vector(
            sign(expired_encipherment, CONTENT), CONTENT, citizen_iin
        ),
    }


@pytest.mark.parametrize("name", sorted(BAD_REASONS))
def test_zero_false_accepts_every_bad_vector_is_refused_with_its_reasons(
    name: str, bad_vectors: dict[str, Vector], local_verifier: LocalVerifier
) -> None:
    vector = bad_vectors[name]
    result = local_verifier.verify(
        cms=vector.cms,
        content=vector.content,
        expected_iin=vector.expected_iin,
        expected_bin=vector.expected_bin,
    )
    assert result.valid is False
    assert result.reasons == BAD_REASONS[name]
    assert result.content_digest == hashlib.sha256(vector.content).hexdigest()
    assert result.verifier == "local"


def test_every_vector_has_expected_reasons(bad_vectors: dict[str, Vector]) -> None:
    assert sorted(bad_vectors) == sorted(BAD_REASONS)


@pytest.mark.parametrize(
    ("key", "detached"),
    [("citizen", True), ("citizen", False), ("ecdsa", True), ("ecdsa", False)],
    ids=["rsa-detached", "rsa-attached", "ecdsa-detached", "ecdsa-attached"],
)
def test_valid_signature_is_accepted_with_the_signer_named(
    key: str,
    detached: bool,
    signing_pki: TestPki,
    people: People,
    sign: Sign,
    local_verifier: LocalVerifier,
) -> None:
    person = signing_pki.people[key]
    subject, expected_iin = {
        "citizen": ("ЖУМАБАЕВА АЙГУЛЬ", people.citizen.iin),
        "ecdsa": ("ОСПАНОВА ДИНАРА", people.ecdsa.iin),
    }[key]

    result = local_verifier.verify(
        cms=sign(person, CONTENT, detached=detached), content=CONTENT, expected_iin=expected_iin
    )

    assert result.reasons == ()
    assert result.valid is True
    assert result.signer_iin == expected_iin
    assert result.signer_bin is None
    assert result.signer_name == subject
    assert result.certificate_serial == format(person.certificate.serial_number, "x")
    assert result.certificate_der == person.der
    assert result.valid_from == person.certificate.not_valid_before_utc
    assert result.valid_to == person.certificate.not_valid_after_utc
    assert result.revocation_status == "good"
    assert result.content_digest == hashlib.sha256(CONTENT).hexdigest()
    assert result.checked_at.tzinfo is not None


def test_legal_entity_employee_with_iin_and_bin(
    signing_pki: TestPki, people: People, sign: Sign, local_verifier: LocalVerifier
) -> None:
    result = local_verifier.verify(
        cms=sign(signing_pki.people["employee"], CONTENT),
        content=CONTENT,
        expected_iin=people.employee.iin,
        expected_bin=people.employee.bin,
    )
    assert (result.valid, result.reasons) == (True, ())
    assert (result.signer_iin, result.signer_bin) == (people.employee.iin, people.employee.bin)
    assert result.signer_name == "КИМ ЕЛЕНА"


@pytest.mark.parametrize("armour", ["pem", "base64"])
def test_pem_and_base64_cms_are_read(
    armour: str, signing_pki: TestPki, sign: Sign, local_verifier: LocalVerifier
) -> None:
    der = sign(signing_pki.people["citizen"], CONTENT)
    text = base64.encodebytes(der)
    cms = b"-----BEGIN CMS-----\n" + text + b"-----END CMS-----\n" if armour == "pem" else text
    assert local_verifier.verify(cms=cms, content=CONTENT).reasons == ()


def test_demo_signer_signature_verifies(
    signing_pki: TestPki, people: People, local_verifier: LocalVerifier
) -> None:
    for detached in (True, False):
        cms = demo_sign(
            CONTENT, iin=people.citizen.iin, directory=signing_pki.directory, detached=detached
        )
        result = local_verifier.verify(cms=cms, content=CONTENT, expected_iin=people.citizen.iin)
        assert (result.valid, result.reasons) == (True, ())


def test_co_signed_document_names_the_expected_signer(
    signing_pki: TestPki, people: People, sign: Sign, local_verifier: LocalVerifier
) -> None:
    cms = sign([signing_pki.people["citizen"], signing_pki.people["employee"]], CONTENT)
    result = local_verifier.verify(cms=cms, content=CONTENT, expected_iin=people.employee.iin)
    assert (result.valid, result.reasons) == (True, ())
    assert result.signer_iin == people.employee.iin


def test_expired_and_revoked_lists_both(signing_pki: TestPki, people: People, sign: Sign) -> None:
    now = datetime.now(tz=UTC)
    expired = signing_pki.issue(
        people.citizen, not_before=now - timedelta(days=400), not_after=now - timedelta(days=1)
    )
    verifier = LocalVerifier(
        trust_roots=signing_pki.trust_roots(),
        crls=[signing_pki.crls()[0], signing_pki.make_crl([expired.certificate.serial_number])],
    )
    result = verifier.verify(cms=sign(expired, CONTENT), content=CONTENT)
    assert result.reasons == (Reason.EXPIRED, Reason.REVOKED)
    assert result.revocation_status == "revoked"


def test_revoked_certificate_reports_revoked_status(
    signing_pki: TestPki, sign: Sign, local_verifier: LocalVerifier
) -> None:
    result = local_verifier.verify(cms=sign(signing_pki.revoked, CONTENT), content=CONTENT)
    assert (result.reasons, result.revocation_status) == ((Reason.REVOKED,), "revoked")


def test_without_crls_revocation_is_unknown(signing_pki: TestPki, sign: Sign) -> None:
    verifier = LocalVerifier(trust_roots=signing_pki.trust_roots(), crls=[])
    result = verifier.verify(cms=sign(signing_pki.people["citizen"], CONTENT), content=CONTENT)
    assert (result.valid, result.reasons) == (False, (Reason.REVOCATION_UNKNOWN,))
    assert result.revocation_status == "unknown"


def test_without_the_intermediate_crl_revocation_is_unknown(
    signing_pki: TestPki, sign: Sign
) -> None:
    verifier = LocalVerifier(trust_roots=signing_pki.trust_roots(), crls=signing_pki.crls()[:1])
    result = verifier.verify(cms=sign(signing_pki.people["citizen"], CONTENT), content=CONTENT)
    assert result.reasons == (Reason.REVOCATION_UNKNOWN,)


def test_without_trust_roots_nothing_is_trusted(signing_pki: TestPki, sign: Sign) -> None:
    verifier = LocalVerifier(trust_roots=[], crls=signing_pki.crls())
    result = verifier.verify(cms=sign(signing_pki.people["citizen"], CONTENT), content=CONTENT)
    assert result.reasons == (Reason.UNTRUSTED,)


def test_revocation_mode_none_reports_not_checked(signing_pki: TestPki, sign: Sign) -> None:
    verifier = LocalVerifier(trust_roots=signing_pki.trust_roots(), revocation_mode="none")
    result = verifier.verify(cms=sign(signing_pki.people["citizen"], CONTENT), content=CONTENT)
    assert (result.reasons, result.revocation_status) == ((), "not_checked")


def test_unknown_revocation_mode_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="revocation_mode"):
        LocalVerifier(revocation_mode="maybe")


def test_trust_roots_and_crls_may_be_pem(signing_pki: TestPki, sign: Sign) -> None:
    directory = signing_pki.directory
    verifier = LocalVerifier(
        trust_roots=[(directory / "root-ca.pem").read_bytes()],
        crls=[
            (directory / "root-ca.crl.pem").read_bytes(),
            (directory / "intermediate-ca.crl.pem").read_bytes(),
        ],
    )
    result = verifier.verify(cms=sign(signing_pki.people["citizen"], CONTENT), content=CONTENT)
    assert result.reasons == ()


# --- time ------------------------------------------------------------------------------------


def test_at_checks_validity_at_that_moment(
    signing_pki: TestPki, sign: Sign, local_verifier: LocalVerifier
) -> None:
    person = signing_pki.people["citizen"]
    cms = sign(person, CONTENT)
    inside = person.certificate.not_valid_before_utc + timedelta(hours=1)
    assert local_verifier.verify(cms=cms, content=CONTENT, at=inside).reasons == ()
    before = person.certificate.not_valid_before_utc - timedelta(days=1)
    assert local_verifier.verify(cms=cms, content=CONTENT, at=before).reasons == (
        Reason.NOT_YET_VALID,
    )


def test_a_year_and_a_month_later_the_key_has_expired_and_the_crls_are_stale(
    signing_pki: TestPki, sign: Sign, local_verifier: LocalVerifier
) -> None:
    """НУЦ РК keys live one year; the test CRLs too, so revocation cannot be known either."""
    cms = sign(signing_pki.people["citizen"], CONTENT)
    later = datetime.now(tz=UTC) + timedelta(days=400)
    with time_machine.travel(later, tick=False):
        result = local_verifier.verify(cms=cms, content=CONTENT)
    assert result.reasons == (Reason.EXPIRED, Reason.REVOCATION_UNKNOWN)
    assert result.checked_at == later


def test_naive_at_is_refused(signing_pki: TestPki, local_verifier: LocalVerifier) -> None:
    with pytest.raises(ValueError, match="aware"):
        local_verifier.verify(cms=b"", content=b"", at=datetime(2026, 1, 1))


def test_works_inside_a_running_event_loop(
    signing_pki: TestPki, sign: Sign, local_verifier: LocalVerifier
) -> None:
    cms = sign(signing_pki.people["citizen"], CONTENT)

    async def in_loop() -> VerificationResult:
        return local_verifier.verify(cms=cms, content=CONTENT)

    assert asyncio.run(in_loop()).reasons == ()


# --- never an exception ----------------------------------------------------------------------


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=600))
def test_random_bytes_are_malformed(data: bytes, local_verifier: LocalVerifier) -> None:
    assert local_verifier.verify(cms=data, content=b"x").reasons == (Reason.MALFORMED,)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    position=st.integers(min_value=0),
    flip=st.integers(min_value=1, max_value=255),
    cut=st.booleans(),
)
def test_damaged_signatures_are_refused_and_never_raise(
    position: int,
    flip: int,
    cut: bool,
    bad_vectors: dict[str, Vector],
    local_verifier: LocalVerifier,
) -> None:
    """Any changed or missing byte of a good signature is refused, without an exception.

    ``iin_mismatch`` is a good signature by the citizen checked against another IIN; checked
    without an expected IIN it is valid, so every damage below must be what refuses it.
    """
    der = bad_vectors["iin_mismatch"].cms
    assert local_verifier.verify(cms=der, content=CONTENT).valid is True
    index = position % len(der)
    flipped = der[:index] + bytes([der[index] ^ flip]) + der[index + 1 :]
    damaged = der[:index] if cut else flipped
    result = local_verifier.verify(cms=damaged, content=CONTENT)
    assert result.valid is False
    assert all(isinstance(reason, Reason) for reason in result.reasons)


# --- the result -----------------------------------------------------------------------------


def test_as_dict_is_json_safe_evidence(
    signing_pki: TestPki, people: People, sign: Sign, local_verifier: LocalVerifier
) -> None:
    person = signing_pki.people["employee"]
    result = local_verifier.verify(cms=sign(person, CONTENT), content=CONTENT)
    data = json.loads(json.dumps(result.as_dict()))
    assert data == {
        "valid": True,
        "reasons": [],
        "signer_iin": people.employee.iin,
        "signer_bin": people.employee.bin,
        "signer_name": "КИМ ЕЛЕНА",
        "certificate_serial": person.serial_hex,
        "certificate": base64.b64encode(person.der).decode(),
        "valid_from": person.certificate.not_valid_before_utc.isoformat(),
        "valid_to": person.certificate.not_valid_after_utc.isoformat(),
        "revocation_status": "good",
        "content_digest": hashlib.sha256(CONTENT).hexdigest(),
        "checked_at": result.checked_at.isoformat(),
        "verifier": "local",
    }


def test_refusal_as_dict_names_the_reason_codes(local_verifier: LocalVerifier) -> None:
    data = local_verifier.verify(cms=b"junk", content=b"").as_dict()
    assert (data["valid"], data["reasons"], data["certificate"]) == (
        False,
        ["signature_malformed"],
        "",
    )


def test_valid_with_reasons_cannot_be_built() -> None:
    with pytest.raises(ValueError, match="valid"):
        VerificationResult(
            valid=True,
            reasons=(Reason.EXPIRED,),
            signer_iin=None,
            signer_bin=None,
            signer_name="",
            certificate_serial="",
            certificate_der=b"",
            valid_from=None,
            valid_to=None,
            revocation_status="unknown",
            content_digest="",
            checked_at=datetime.now(tz=UTC),
            verifier="local",
        )


def test_reason_codes_are_stable() -> None:
    assert [str(reason) for reason in Reason] == [
        "signature_malformed",
        "signature_invalid",
        "content_mismatch",
        "certificate_not_yet_valid",
        "certificate_expired",
        "certificate_revoked",
        "revocation_unknown",
        "certificate_untrusted",
        "key_usage_not_signing",
        "signer_iin_mismatch",
        "signer_bin_mismatch",
        "verifier_unavailable",
    ]


def test_every_reason_has_a_message() -> None:
    assert sorted(REASON_MESSAGES) == sorted(Reason)
    with translation.override("en"):
        assert reason_message(Reason.EXPIRED) == "The certificate has expired."
        assert reason_message("certificate_revoked") == "The certificate has been revoked."


# --- settings --------------------------------------------------------------------------------


def test_get_verifier_local_from_settings(signing_pki: TestPki, sign: Sign, people: People) -> None:
    directory = signing_pki.directory
    with override_settings(SIGNATURES={"PKI_DIR": directory}):
        verifier = get_verifier()
    assert isinstance(verifier, LocalVerifier)
    result = verifier.verify(cms=sign(signing_pki.people["citizen"], CONTENT), content=CONTENT)
    assert result.reasons == ()


def test_get_verifier_ncanode_from_settings() -> None:
    with override_settings(
        SIGNATURES={
            "VERIFIER": "ncanode",
            "NCANODE_URL": "http://ncanode:14579/",
            "NCANODE_TIMEOUT": 2,
        }
    ):
        verifier = get_verifier()
    assert isinstance(verifier, NCANodeVerifier)
    assert (verifier.base_url, verifier.timeout, verifier.revocation_check) == (
        "http://ncanode:14579",
        2.0,
        ("OCSP",),
    )


def test_get_verifier_unknown_is_improperly_configured() -> None:
    with override_settings(SIGNATURES={"VERIFIER": "magic"}), pytest.raises(ImproperlyConfigured):
        get_verifier()


def test_missing_trust_files_refuse_instead_of_crashing(
    tmp_path: Path, signing_pki: TestPki, sign: Sign, caplog: pytest.LogCaptureFixture
) -> None:
    with override_settings(SIGNATURES={"PKI_DIR": tmp_path / "nothing-here"}):
        verifier = LocalVerifier.from_settings()
    result = verifier.verify(cms=sign(signing_pki.people["citizen"], CONTENT), content=CONTENT)
    assert result.reasons == (Reason.UNTRUSTED,)
    assert caplog.text.count("run manage.py pki_init") == 3


def test_a_foreign_root_can_be_trusted_explicitly(
    foreign_pki: TestPki, sign: Sign, people: People
) -> None:
    verifier = LocalVerifier(trust_roots=foreign_pki.trust_roots(), crls=foreign_pki.crls())
    result = verifier.verify(
        cms=sign(foreign_pki.people["foreigner"], CONTENT, pki=foreign_pki),
        content=CONTENT,
        expected_iin=people.foreigner.iin,
    )
    assert result.reasons == ()
    assert result.certificate_der == foreign_pki.people["foreigner"].certificate.public_bytes(
        serialization.Encoding.DER
    )
