"""Fixtures of the outsourcing tests: a CLM with its staff, certified agencies, consenting
unemployed people with categories, a test PKI that issues agency (BIN) certificates, and an
announced lot on a real Monday."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from labormarket.accounts.choices import OrganisationKind, Role
from labormarket.accounts.models import Membership, Organisation, User
from labormarket.accounts.tests.factories import KARAGANDA, OrganisationFactory, UserFactory, region
from labormarket.core.signatures import TestSubject, make_test_pki
from labormarket.core.testing import next_iin
from labormarket.outsourcing import services
from labormarket.outsourcing.models import AgencyCabinet, Announcement, Lot
from labormarket.reference.models import Occupation
from labormarket.registry.choices import ConsentEvidence, ConsentPurpose, LabourStatus
from labormarket.registry.models import Consent, Person
from labormarket.registry.tests.factories import PersonFactory

ALMATY = ZoneInfo("Asia/Almaty")
#: A working Monday (selection day) and the Wednesday before it (announcement day).
MONDAY = date(2026, 12, 7)
WEDNESDAY = date(2026, 12, 2)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ALMATY)


@dataclass
class Clm:
    organisation: Organisation
    specialist: User
    head: User


@dataclass
class Agency:
    organisation: Organisation
    manager: User


def staff(organisation: Organisation, role: str) -> User:
    user = UserFactory(iin=next_iin(date(1984, 2, 3)))
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


@pytest.fixture
def clm() -> Clm:
    organisation = OrganisationFactory(
        kind=OrganisationKind.LABOUR_MOBILITY_CENTRE,
        name="КГУ «Центр трудовой мобильности Карагандинской области»",
        region=region(KARAGANDA),
        address="г. Караганда, ул. Бухар-Жырау, 47",
        phone="+77212505050",
    )
    return Clm(
        organisation, staff(organisation, Role.CLM_SPECIALIST), staff(organisation, Role.CLM_HEAD)
    )


@pytest.fixture(scope="session")
def _pki_dir(tmp_path_factory: pytest.TempPathFactory):
    directory = tmp_path_factory.mktemp("pki-outsourcing")
    make_test_pki(directory, [])
    return directory


@pytest.fixture
def pki(_pki_dir, settings):
    from labormarket.core.signatures import load_test_pki

    settings.SIGNATURES = {"VERIFIER": "local", "PKI_DIR": _pki_dir}
    return load_test_pki(_pki_dir)


@pytest.fixture
def sign(pki) -> Callable[..., bytes]:
    """``sign(user, content, bin=None)``: a detached CMS with the user's own test key (ECDSA,
    issued once per test); with ``bin`` the certificate is an employee's certificate of that
    organisation, as the national CA issues to an agency's staff."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.serialization import pkcs7

    from labormarket.core.signatures.pki import INTERMEDIATE_CERT

    intermediate = x509.load_pem_x509_certificate((pki.directory / INTERMEDIATE_CERT).read_bytes())
    issued: dict[tuple[str, str | None], object] = {}

    def signer(user: User, content: bytes, bin: str | None = None) -> bytes:
        iin = user.iin or ""
        person = issued.get((iin, bin))
        if person is None:
            person = issued[(iin, bin)] = pki.issue(
                TestSubject(
                    key=f"k{iin}-{bin or 'p'}",
                    iin=iin,
                    surname=user.last_name,
                    given_name=user.first_name,
                    bin=bin,
                    org="DEMO PEA" if bin else None,
                ),
                key_type="ecdsa",
            )
        return (
            pkcs7.PKCS7SignatureBuilder()
            .set_data(content)
            .add_signer(person.certificate, person.private_key, hashes.SHA256())  # type: ignore[attr-defined]
            .add_certificate(intermediate)
            .sign(
                serialization.Encoding.DER,
                [
                    pkcs7.PKCS7Options.Binary,
                    pkcs7.PKCS7Options.NoCapabilities,
                    pkcs7.PKCS7Options.DetachedSignature,
                ],
            )
        )

    return signer


def make_agency(name: str) -> Agency:
    organisation = OrganisationFactory(
        kind=OrganisationKind.PRIVATE_EMPLOYMENT_AGENCY, name=name, region=region(KARAGANDA)
    )
    return Agency(organisation, staff(organisation, Role.PEA_MANAGER))


CABINET = services.CabinetDetails(
    contact_person="Шевченко Игорь Петрович",
    contact_phone="+77015550101",
    contact_email="hr@agency.kz",
    legal_address="г. Караганда, пр. Бухар-Жырау, 10",
    iik="KZ123456789012345678",
    bik="HSBKKZKX",
    bank_name="АО «Народный банк Казахстана»",
)


@pytest.fixture
def certify(sign) -> Callable[[Agency], AgencyCabinet]:
    def certify_agency(agency: Agency) -> AgencyCabinet:
        content = services.cabinet_statement(agency.organisation)
        return services.cabinet_certify(
            actor=agency.manager,
            details=CABINET,
            cms=sign(agency.manager, content, bin=agency.organisation.bin),
        )

    return certify_agency


@pytest.fixture
def agencies(certify) -> list[Agency]:
    """Three certified agencies."""
    found = [make_agency(f"ТОО «Агентство {n}»") for n in range(1, 4)]
    for agency in found:
        certify(agency)
    return found


def unemployed(clm: Clm, category: int, occupation: Occupation, *, consent: bool = True) -> Person:
    person = PersonFactory(region=region(KARAGANDA), labour_status=LabourStatus.UNEMPLOYED)
    if consent:
        Consent.objects.create(
            person=person,
            purpose=ConsentPurpose.OUTSOURCING,
            scope=services.CONSENT_SCOPE,
            version=services.CONSENT_VERSION,
            evidence=ConsentEvidence.PAPER,
            evidence_reference="П-1",
            recorded_by=clm.specialist,
        )
    services.category_assign(
        actor=clm.specialist,
        person_id=person.pk,
        category=category,
        occupation_code=occupation.code,
    )
    return person


@pytest.fixture
def occupation() -> Occupation:
    return (
        Occupation.objects.filter(code__regex=r"^\d{4}$").order_by("code").first()
        or Occupation.objects.order_by("code").first()
    )


def people(clm: Clm, occupation: Occupation, *, hard: int, easy: int) -> list[Person]:
    return [unemployed(clm, 2 + (i % 2), occupation) for i in range(hard)] + [
        unemployed(clm, 1, occupation) for _ in range(easy)
    ]


def announce(clm: Clm, lots: list[Lot], *, today: date = WEDNESDAY) -> Announcement:
    """Draft and publish the announcement of the next selection day with these lots."""
    import time_machine

    with time_machine.travel(at(today, 10), tick=False):
        announcement = services.announcement_draft(
            clm=clm.organisation, today=today, actor=clm.specialist
        )
        assert set(announcement.lots.all()) >= set(lots)
        return services.announcement_publish(actor=clm.specialist, announcement_id=announcement.pk)


def announced_lots(clm: Clm, occupation: Occupation, count: int) -> list[Lot]:
    """``count`` small valid lots (1 person of category 2–3 and 2 of category 1 each), announced
    for MONDAY."""
    lots = [
        services.lot_create(
            actor=clm.specialist,
            person_ids=[p.pk for p in people(clm, occupation, hard=1, easy=2)],
            price_per_person="50000",
        )
        for _ in range(count)
    ]
    announce(clm, lots)
    for each in lots:
        each.refresh_from_db()
    return lots


@pytest.fixture
def lot(clm, occupation) -> Lot:
    """A valid lot of 10 people, 3 of them category 2 or 3, announced for MONDAY."""
    members = people(clm, occupation, hard=3, easy=7)
    lot = services.lot_create(
        actor=clm.specialist, person_ids=[p.pk for p in members], price_per_person=Decimal("100000")
    )
    announce(clm, [lot])
    lot.refresh_from_db()
    return lot
