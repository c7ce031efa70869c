"""The NCANode adapter against a fake NCANode v3 answering as the real one does."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from cryptography import x509

from labormarket.core.signatures import NCANodeVerifier, Reason
from labormarket.core.signatures.identity import identity_of
from labormarket.core.signatures.pki import IssuedCertificate, TestPki

from .conftest import People, Sign

CONTENT = b'{"service": "unemployed_registration", "centre": 42}'
OK_OCSP = {"revoked": False, "by": "OCSP", "revocationTime": None, "reason": "OK"}


def _jackson_date(moment: datetime) -> str:
    """java.util.Date as Spring Boot's Jackson writes it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+00:00")


def certificate_info(
    certificate: x509.Certificate,
    *,
    valid: bool = True,
    revocations: list[dict[str, Any]] | None = None,
    key_usage: str = "SIGN",
    not_before: Any = None,
    not_after: Any = None,
) -> dict[str, Any]:
    """NCANode's CertificateInfo for a certificate (CertificateWrapper.toCertificateInfo)."""
    who = identity_of(certificate.subject)
    subject: dict[str, Any] = {
        "commonName": who.common_name,
        "surName": who.surname,
        "iin": who.iin,
        "country": "KZ",
        "dn": certificate.subject.rfc4514_string(),
    }
    if who.bin:  # @JsonInclude(NON_NULL)
        subject["bin"] = who.bin
        subject["organization"] = who.organisation
    return {
        "valid": valid,
        "revocations": [OK_OCSP] if revocations is None else revocations,
        "notBefore": not_before or _jackson_date(certificate.not_valid_before_utc),
        "notAfter": not_after or _jackson_date(certificate.not_valid_after_utc),
        "keyUsage": key_usage,
        "serialNumber": format(certificate.serial_number, "x"),
        "signAlg": "SHA256WITHRSA",
        "keyUser": ["INDIVIDUAL"],
        "publicKey": "MIIB...",
        "signature": "AbCd...",
        "subject": subject,
        "issuer": {"commonName": "ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (RSA)", "country": "KZ"},
    }


def answer(valid: bool, *certificates: dict[str, Any]) -> dict[str, Any]:
    """CmsVerificationResponse with one signer per certificate."""
    return {
        "status": 200,
        "message": "OK",
        "valid": valid,
        "signers": [{"certificates": [info], "tsp": None} for info in certificates],
    }


@dataclass
class FakeNCANode:
    """Answers ``POST /cms/verify`` with whatever the test set up; records the requests."""

    url: str = ""
    status: int = 200
    body: bytes = b"{}"
    delay: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)

    def reply(self, body: Any, status: int = 200, delay: float = 0.0) -> None:
        self.body = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.status = status
        self.delay = delay


@pytest.fixture
def ncanode() -> Iterator[FakeNCANode]:
    fake = FakeNCANode()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            fake.requests.append(
                {
                    "path": self.path,
                    "content_type": self.headers.get("Content-Type"),
                    "json": json.loads(raw),
                }
            )
            if fake.delay:
                time.sleep(fake.delay)
            try:
                self.send_response(fake.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(fake.body)))
                self.end_headers()
                self.wfile.write(fake.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def verifier(ncanode: FakeNCANode) -> NCANodeVerifier:
    return NCANodeVerifier(ncanode.url, timeout=2)


@pytest.fixture
def citizen(signing_pki: TestPki) -> IssuedCertificate:
    return signing_pki.people["citizen"]


# --- request ---------------------------------------------------------------------------------


def test_detached_request_carries_cms_data_and_revocation_check(
    ncanode: FakeNCANode, verifier: NCANodeVerifier, citizen: IssuedCertificate, sign: Sign
) -> None:
    cms = sign(citizen, CONTENT)
    ncanode.reply(answer(True, certificate_info(citizen.certificate)))

    verifier.verify(cms=cms, content=CONTENT)

    assert ncanode.requests == [
        {
            "path": "/cms/verify",
            "content_type": "application/json",
            "json": {
                "cms": base64.b64encode(cms).decode(),
                "revocationCheck": ["OCSP"],
                "data": base64.b64encode(CONTENT).decode(),
            },
        }
    ]


def test_attached_request_has_no_data(
    ncanode: FakeNCANode, citizen: IssuedCertificate, sign: Sign
) -> None:
    cms = sign(citizen, CONTENT, detached=False)
    ncanode.reply(answer(True, certificate_info(citizen.certificate)))

    NCANodeVerifier(ncanode.url, revocation_check=["OCSP", "CRL"]).verify(cms=cms, content=CONTENT)

    assert ncanode.requests[0]["json"] == {
        "cms": base64.b64encode(cms).decode(),
        "revocationCheck": ["OCSP", "CRL"],
    }


def test_malformed_cms_is_refused_without_asking(
    ncanode: FakeNCANode, verifier: NCANodeVerifier
) -> None:
    result = verifier.verify(cms=b"not a signature", content=CONTENT)
    assert (result.valid, result.reasons) == (False, (Reason.MALFORMED,))
    assert ncanode.requests == []


# --- answers ---------------------------------------------------------------------------------


def test_valid_answer_maps_to_a_valid_result(
    ncanode: FakeNCANode,
    verifier: NCANodeVerifier,
    citizen: IssuedCertificate,
    people: People,
    sign: Sign,
) -> None:
    ncanode.reply(answer(True, certificate_info(citizen.certificate)))

    result = verifier.verify(
        cms=sign(citizen, CONTENT), content=CONTENT, expected_iin=people.citizen.iin
    )

    assert (result.valid, result.reasons) == (True, ())
    assert result.signer_iin == people.citizen.iin
    assert result.signer_bin is None
    assert result.signer_name == "ЖУМАБАЕВА АЙГУЛЬ"
    assert result.certificate_serial == citizen.serial_hex
    assert result.certificate_der == citizen.der
    assert result.valid_from == citizen.certificate.not_valid_before_utc
    assert result.valid_to == citizen.certificate.not_valid_after_utc
    assert result.revocation_status == "good"
    assert result.verifier == "ncanode"


def test_employee_iin_and_bin_come_from_the_subject(
    ncanode: FakeNCANode,
    verifier: NCANodeVerifier,
    signing_pki: TestPki,
    people: People,
    sign: Sign,
) -> None:
    employee = signing_pki.people["employee"]
    ncanode.reply(answer(True, certificate_info(employee.certificate)))
    cms = sign(employee, CONTENT)

    good = verifier.verify(
        cms=cms, content=CONTENT, expected_iin=people.employee.iin, expected_bin=people.employee.bin
    )
    wrong = verifier.verify(
        cms=cms, content=CONTENT, expected_iin=people.citizen.iin, expected_bin=people.citizen.iin
    )

    assert (good.reasons, good.signer_bin) == ((), people.employee.bin)
    assert wrong.reasons == (Reason.IIN_MISMATCH, Reason.BIN_MISMATCH)


def _info(certificate: x509.Certificate, **kwargs: Any) -> dict[str, Any]:
    return certificate_info(certificate, **kwargs)


NOW = datetime.now(tz=UTC)
PAST = _jackson_date(NOW - timedelta(days=1))
FUTURE = _jackson_date(NOW + timedelta(days=30))

# name → (top valid, certificate fields, expected reasons, expected revocation status)
ANSWERS: dict[str, tuple[bool, dict[str, Any], tuple[Reason, ...], str]] = {
    "revoked_by_ocsp": (
        False,
        {
            "valid": False,
            "revocations": [
                {
                    "revoked": True,
                    "by": "OCSP",
                    "revocationTime": "2026-01-10T09:00:00.000+00:00",
                    "reason": "OK",
                }
            ],
        },
        (Reason.REVOKED,),
        "revoked",
    ),
    "revoked_by_crl": (
        False,
        {
            "valid": False,
            "revocations": [
                OK_OCSP,
                {"revoked": True, "by": "CRL", "revocationTime": None, "reason": None},
            ],
        },
        (Reason.REVOKED,),
        "revoked",
    ),
    "expired": (False, {"valid": False, "not_after": PAST}, (Reason.EXPIRED,), "good"),
    "not_yet_valid": (
        False,
        {"valid": False, "not_before": FUTURE},
        (Reason.NOT_YET_VALID,),
        "good",
    ),
    "ocsp_unknown": (
        False,
        {
            "valid": False,
            "revocations": [
                {"revoked": False, "by": "OCSP", "revocationTime": None, "reason": "Unknown status"}
            ],
        },
        (Reason.REVOCATION_UNKNOWN,),
        "unknown",
    ),
    "no_ocsp_answer": (
        False,
        {"valid": False, "revocations": []},
        (Reason.REVOCATION_UNKNOWN,),
        "unknown",
    ),
    "issuer_not_found": (False, {"valid": False}, (Reason.UNTRUSTED,), "good"),
    "authentication_key": (True, {"key_usage": "AUTH"}, (Reason.KEY_USAGE,), "good"),
    "unknown_key_usage": (True, {"key_usage": "UNKNOWN"}, (Reason.KEY_USAGE,), "good"),
    "signature_fails": (False, {}, (Reason.SIGNATURE_INVALID,), "good"),
    "ncanode_says_valid_but_only_crl_was_checked": (
        True,
        {"revocations": [{"revoked": False, "by": "CRL", "revocationTime": None}]},
        (Reason.REVOCATION_UNKNOWN,),
        "unknown",
    ),
}


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_zero_false_accepts_ncanode_answers_map_to_reasons(
    name: str,
    ncanode: FakeNCANode,
    verifier: NCANodeVerifier,
    citizen: IssuedCertificate,
    sign: Sign,
) -> None:
    top_valid, fields, reasons, status = ANSWERS[name]
    ncanode.reply(answer(top_valid, _info(citizen.certificate, **fields)))

    result = verifier.verify(cms=sign(citizen, CONTENT), content=CONTENT)

    assert result.valid is False
    assert result.reasons == reasons
    assert result.revocation_status == status


def test_content_mismatch_is_found_here_for_a_detached_signature(
    ncanode: FakeNCANode, verifier: NCANodeVerifier, citizen: IssuedCertificate, sign: Sign
) -> None:
    """NCANode only says valid=false; the messageDigest shows it was another document."""
    ncanode.reply(answer(False, certificate_info(citizen.certificate)))
    result = verifier.verify(cms=sign(citizen, b"another document"), content=CONTENT)
    assert result.reasons == (Reason.CONTENT_MISMATCH,)


def test_attached_cms_over_other_content_is_refused_even_if_ncanode_accepts(
    ncanode: FakeNCANode, verifier: NCANodeVerifier, citizen: IssuedCertificate, sign: Sign
) -> None:
    ncanode.reply(answer(True, certificate_info(citizen.certificate)))
    result = verifier.verify(
        cms=sign(citizen, b"another document", detached=False), content=CONTENT
    )
    assert (result.valid, result.reasons) == (False, (Reason.CONTENT_MISMATCH,))


def test_expired_revoked_and_wrong_person_lists_every_reason(
    ncanode: FakeNCANode,
    verifier: NCANodeVerifier,
    citizen: IssuedCertificate,
    people: People,
    sign: Sign,
) -> None:
    revoked = {"revoked": True, "by": "OCSP", "revocationTime": None, "reason": "OK"}
    ncanode.reply(
        answer(
            False,
            certificate_info(
                citizen.certificate,
                valid=False,
                revocations=[revoked],
                not_after=PAST,
                key_usage="AUTH",
            ),
        )
    )
    result = verifier.verify(
        cms=sign(citizen, CONTENT), content=CONTENT, expected_iin=people.employee.iin
    )
    assert result.reasons == (
        Reason.EXPIRED,
        Reason.REVOKED,
        Reason.KEY_USAGE,
        Reason.IIN_MISMATCH,
    )


def test_unknown_issuer_without_revocation_checks_is_untrusted(
    ncanode: FakeNCANode, citizen: IssuedCertificate, sign: Sign
) -> None:
    ncanode.reply(answer(False, certificate_info(citizen.certificate, valid=False, revocations=[])))
    result = NCANodeVerifier(ncanode.url, revocation_check=[]).verify(
        cms=sign(citizen, CONTENT), content=CONTENT
    )
    assert (result.reasons, result.revocation_status) == ((Reason.UNTRUSTED,), "not_checked")


def test_past_moment_uses_ncanode_present_date_verdict(
    ncanode: FakeNCANode, verifier: NCANodeVerifier, citizen: IssuedCertificate, sign: Sign
) -> None:
    """Checked at a moment when it was valid, but NCANode (today) says expired: expired."""
    ncanode.reply(
        answer(
            False,
            certificate_info(
                citizen.certificate,
                valid=False,
                not_before=_jackson_date(NOW - timedelta(days=10)),
                not_after=PAST,
            ),
        )
    )
    result = verifier.verify(
        cms=sign(citizen, CONTENT), content=CONTENT, at=NOW - timedelta(days=2)
    )
    assert result.reasons == (Reason.EXPIRED,)


@pytest.mark.parametrize(
    "dates",
    [
        ("2025-01-15T04:12:33.000Z", "2035-01-15T04:12:33.000Z"),
        (1736914353000, 2052447153000),
    ],
    ids=["iso-z", "epoch-millis"],
)
def test_other_date_formats_are_read(
    dates: tuple[Any, Any],
    ncanode: FakeNCANode,
    verifier: NCANodeVerifier,
    citizen: IssuedCertificate,
    sign: Sign,
) -> None:
    ncanode.reply(
        answer(True, certificate_info(citizen.certificate, not_before=dates[0], not_after=dates[1]))
    )
    result = verifier.verify(cms=sign(citizen, CONTENT), content=CONTENT)
    assert result.reasons == ()
    assert result.valid_from == datetime(2025, 1, 15, 4, 12, 33, tzinfo=UTC)


def test_signer_without_certificate_is_malformed(
    ncanode: FakeNCANode, verifier: NCANodeVerifier, citizen: IssuedCertificate, sign: Sign
) -> None:
    """NCANode answers valid=true when the CMS does not carry the signer's certificate."""
    ncanode.reply(
        {"status": 200, "message": "OK", "valid": True, "signers": [{"certificates": []}]}
    )
    result = verifier.verify(cms=sign(citizen, CONTENT, include_signer=False), content=CONTENT)
    assert result.reasons == (Reason.MALFORMED,)


def test_no_signers_in_the_answer_is_malformed(
    ncanode: FakeNCANode, verifier: NCANodeVerifier, citizen: IssuedCertificate, sign: Sign
) -> None:
    ncanode.reply({"status": 200, "message": "OK", "valid": True, "signers": []})
    result = verifier.verify(cms=sign(citizen, CONTENT), content=CONTENT)
    assert result.reasons == (Reason.MALFORMED,)


# --- NCANode cannot answer -------------------------------------------------------------------


def test_http_400_means_ncanode_could_not_read_the_cms(
    ncanode: FakeNCANode, verifier: NCANodeVerifier, citizen: IssuedCertificate, sign: Sign
) -> None:
    ncanode.reply({"status": 400, "message": "unknown object in getInstance"}, status=400)
    result = verifier.verify(cms=sign(citizen, CONTENT), content=CONTENT)
    assert (result.valid, result.reasons) == (False, (Reason.MALFORMED,))


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (500, json.dumps({"status": 500, "message": "Kalkan error"}).encode()),
        (502, b"<html>Bad Gateway</html>"),
        (404, b"{}"),
        (200, b"<html>not json</html>"),
        (200, b'{"valid": "yes"}'),
        (200, b'{"valid": true}'),
        (200, b'{"valid": true, "signers": [{"certificates": [{"valid": 1}]}]}'),
        (200, b'{"valid": true, "signers": ["x"]}'),
        (200, b"[]"),
    ],
    ids=[
        "http-500",
        "http-502-html",
        "http-404",
        "not-json",
        "valid-not-bool",
        "no-signers",
        "certificate-valid-not-bool",
        "signer-not-object",
        "json-array",
    ],
)
def test_unusable_answers_mean_verifier_unavailable(
    status: int,
    body: bytes,
    ncanode: FakeNCANode,
    verifier: NCANodeVerifier,
    citizen: IssuedCertificate,
    sign: Sign,
) -> None:
    ncanode.reply(body, status=status)
    result = verifier.verify(cms=sign(citizen, CONTENT), content=CONTENT)
    assert (result.valid, result.reasons) == (False, (Reason.VERIFIER_UNAVAILABLE,))
    assert result.revocation_status == "not_checked"


def test_slow_ncanode_times_out(
    ncanode: FakeNCANode, citizen: IssuedCertificate, sign: Sign
) -> None:
    ncanode.reply(answer(True, certificate_info(citizen.certificate)), delay=1.0)
    started = time.monotonic()
    result = NCANodeVerifier(ncanode.url, timeout=0.2).verify(
        cms=sign(citizen, CONTENT), content=CONTENT
    )
    assert result.reasons == (Reason.VERIFIER_UNAVAILABLE,)
    assert time.monotonic() - started < 0.9


def test_ncanode_down_is_verifier_unavailable(citizen: IssuedCertificate, sign: Sign) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = server.server_address[1]
    server.server_close()  # nothing listens there any more
    result = NCANodeVerifier(f"http://127.0.0.1:{port}", timeout=1).verify(
        cms=sign(citizen, CONTENT), content=CONTENT
    )
    assert (result.valid, result.reasons) == (False, (Reason.VERIFIER_UNAVAILABLE,))


def test_only_http_urls_and_known_checks_are_accepted() -> None:
    with pytest.raises(ValueError, match="http"):
        NCANodeVerifier("file:///etc/passwd")
    with pytest.raises(ValueError, match="revocation check"):
        NCANodeVerifier("http://ncanode:14579", revocation_check=["TSP"])
