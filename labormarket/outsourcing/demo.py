"""Outsourcing demo data: a living marketplace after ``make run``.

:func:`seed_outsourcing_demo` (called by ``seed_demo``) works for the Karaganda centre of labour
mobility (``kar.clm``) as its specialist: it gives categories (OUT-02) to the region's
registered unemployed demo people, records the Appendix 1 consent (OUT-05) for a few who have
none, forms lots from the system's proposals (OUT-06), and drafts and publishes the announcement
of the next selection day (OUT-01). :func:`seed_outsourcing_cabinets` (``seed_demo --cabinets``,
run after ``pki_init``) certifies the demo agencies' cabinets with their managers' EDS from the
test PKI (OUT-04) and files their qualification documents (OUT-08), so that on Monday they can
confirm lots.

Everything goes through the services, so the data obeys the rules it shows. Both are idempotent:
a second run finds what the first made and creates nothing (a later week's run drafts and
publishes that week's announcement, with the lots nobody chose put up again, OUT-13). People are
taken in a fixed order (IIN), so every run on the same data chooses the same ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from labormarket.accounts.models import Organisation, User
from labormarket.core.errors import ApplicationError
from labormarket.reference.models import Occupation
from labormarket.registry.choices import ConsentEvidence, ConsentPurpose, LabourStatus
from labormarket.registry.models import Consent, Person, WorkHistoryEntry

from . import selection, services
from .choices import AnnouncementStatus, QualificationDocumentKind
from .models import AgencyCabinet, CategoryAssignment, Lot, QualificationDocument

CLM_KEY = "kar.clm"
SPECIALIST = "kar.clm_specialist"
AGENCIES = (("pea1", "pea1.manager"), ("pea2", "pea2.manager"), ("pea3", "pea3.manager"))
#: How many of the region's unemployed get a category (the rest show the work still to do).
MAX_CATEGORIES = 40
#: The categories given in turn: half of them the harder cases 2 and 3 (OUT-06 needs 30 %).
CATEGORY_CYCLE = (2, 1, 3, 1, 2, 1, 1, 3, 1, 2)
#: At most this many new Appendix 1 consents; every fifth person is left without one.
MAX_NEW_CONSENTS = 15
#: Lots formed from the largest proposals, and their price per person (KZT).
MAX_LOTS = 2
LOT_PRICE = Decimal("150000")
#: The profession of people with no work history, the first of these that exists.
FALLBACK_OCCUPATIONS = ("5223", "9112", "8322", "7212", "4110")
DEMO_PDF = b"%PDF-1.4\n% demo qualification document\n%%EOF\n"


@dataclass
class OutsourcingDemoReport:
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def add(self, label: str, *, created: int = 0, existing: int = 0) -> None:
        row = self.counts.setdefault(label, {"created": 0, "existing": 0})
        row["created"] += created
        row["existing"] += existing


def _organisation(key: str) -> Organisation | None:
    from labormarket.accounts.demo import ORGANISATIONS, organisation_bin

    spec = next(s for s in ORGANISATIONS if s.key == key)
    return Organisation.objects.select_related("region").filter(bin=organisation_bin(spec)).first()


def _fallback_occupation() -> Occupation | None:
    found = {o.code: o for o in Occupation.objects.filter(code__in=FALLBACK_OCCUPATIONS)}
    for code in FALLBACK_OCCUPATIONS:
        if code in found:
            return found[code]
    return Occupation.objects.filter(code__regex=r"^\d{4}$").order_by("code").first()


def _occupation_of(person: Person, fallback: Occupation) -> str:
    """The profession sought: the person's latest job's, else the fallback."""
    job = (
        WorkHistoryEntry.objects.filter(person=person, occupation__isnull=False)
        .select_related("occupation")
        .order_by("-started_on", "-pk")
        .first()
    )
    return job.occupation.code if job is not None and job.occupation else fallback.code


def seed_outsourcing_demo() -> OutsourcingDemoReport:
    """Categories, consents, lots and the week's announcement of the Karaganda CLM."""
    report = OutsourcingDemoReport()
    clm = _organisation(CLM_KEY)
    specialist = User.objects.filter(username=SPECIALIST).first()
    fallback = _fallback_occupation()
    if clm is None or specialist is None or fallback is None:
        report.skipped.append("all: the demo CLM, its specialist or the occupations are missing")
        return report
    people = list(
        Person.objects.filter(
            region_id=clm.region_id, labour_status=LabourStatus.UNEMPLOYED, user__isnull=True
        ).order_by("iin")[:MAX_CATEGORIES]
    )
    if not people:
        report.skipped.append("lots: no registered unemployed demo people in the CLM's region")
    _categories(report, specialist, clm, people, fallback)
    _consents(report, specialist, people)
    _lots(report, specialist, clm)
    _announcement(report, specialist, clm)
    return report


def _categories(
    report: OutsourcingDemoReport,
    specialist: User,
    clm: Organisation,
    people: list[Person],
    fallback: Occupation,
) -> None:
    with_category = set(
        CategoryAssignment.objects.filter(person__in=people, is_current=True).values_list(
            "person_id", flat=True
        )
    )
    for index, person in enumerate(people):
        if person.pk in with_category:
            report.add("categories", existing=1)
            continue
        services.category_assign(
            actor=specialist,
            person_id=person.pk,
            category=CATEGORY_CYCLE[index % len(CATEGORY_CYCLE)],
            occupation_code=_occupation_of(person, fallback),
            note="Демо: оценка ожидаемой продолжительности безработицы",
            clm_id=clm.pk,
        )
        report.add("categories", created=1)


def _consents(report: OutsourcingDemoReport, specialist: User, people: list[Person]) -> None:
    consenting = set(
        Consent.objects.filter(
            person__in=people, purpose=ConsentPurpose.OUTSOURCING, withdrawn_at__isnull=True
        ).values_list("person_id", flat=True)
    )
    new = 0
    for index, person in enumerate(people):
        if person.pk in consenting:
            report.add("consents", existing=1)
            continue
        if index % 5 == 4 or new >= MAX_NEW_CONSENTS:
            continue  # left without the consent: they cannot be put in a lot (OUT-05)
        services.outsourcing_consent_record(
            actor=specialist,
            person_id=person.pk,
            evidence=ConsentEvidence.PAPER,
            evidence_reference=f"ЦТМ-П1-{person.pk:05d}",
        )
        new += 1
        report.add("consents", created=1)


def _lots(report: OutsourcingDemoReport, specialist: User, clm: Organisation) -> None:
    existing = Lot.objects.filter(clm=clm).count()
    if existing:
        report.add("lots", existing=existing)
        return
    proposals = sorted(
        services.lots_propose(actor=specialist, clm_id=clm.pk),
        key=lambda p: (-len(p.person_ids), p.occupation.code),
    )
    if not proposals:
        report.skipped.append("lots: no lot can be formed from the demo candidates")
    for proposal in proposals[:MAX_LOTS]:
        services.lot_create(
            actor=specialist,
            person_ids=list(proposal.person_ids),
            price_per_person=LOT_PRICE,
            clm_id=clm.pk,
        )
        report.add("lots", created=1)


def _announcement(report: OutsourcingDemoReport, specialist: User, clm: Organisation) -> None:
    # Lots nobody chose on an earlier selection day are put up again first (OUT-13), as the
    # periodic task does; it is idempotent.
    selection.lots_advance()
    announcement = services.announcement_refresh(actor=specialist, clm_id=clm.pk)
    if announcement.status == AnnouncementStatus.PUBLISHED:
        report.add("announcements", existing=1)
        return
    if not announcement.lots.exists():
        report.add("announcements", existing=1)
        report.skipped.append("announcement: drafted, not published (no lots to announce)")
        return
    try:
        services.announcement_publish(actor=specialist, announcement_id=announcement.pk)
    except ApplicationError as error:
        report.skipped.append(f"announcement: not published ({error.message})")
        report.add("announcements", existing=1)
        return
    report.add("announcements", created=1)


# --- agency cabinets (OUT-04, OUT-08) ----------------------------------------------------------------

CABINETS = {
    "pea1": services.CabinetDetails(
        contact_person="Шевченко Игорь Петрович",
        contact_phone="+77212503117",
        contact_email="info@saryarka-personal.example",
        legal_address="г. Караганда, пр. Нуркена Абдирова, 15, офис 204",
        iik="KZ126010131000123401",
        bik="HSBKKZKX",
        bank_name="АО «Народный Банк Казахстана»",
    ),
    "pea2": services.CabinetDetails(
        contact_person="Калиева Сауле Жумабековна",
        contact_phone="+77162401290",
        contact_email="info@kokshe-kadr.example",
        legal_address="г. Кокшетау, ул. Абая, 112, офис 5",
        iik="KZ56722S000001234567",
        bik="CASPKZKA",
        bank_name="АО «Kaspi Bank»",
    ),
    "pea3": services.CabinetDetails(
        contact_person="Мусин Арман Ерболович",
        contact_phone="+77172972415",
        contact_email="office@astana-hr.example",
        legal_address="г. Астана, пр. Мәңгілік Ел, 24, офис 610",
        iik="KZ43998BTB0000123456",
        bik="TSESKZKA",
        bank_name="АО «First Heartland Jusan Bank»",
    ),
}


def _ensure_signing_keys(managers: list[User]) -> None:
    """Keys of the test PKI for the managers, exactly as ``pki_init`` issues them (it keeps the
    keys it finds): employee certificates of their agency (the agency's BIN)."""
    from labormarket.core.management.commands.pki_init import demo_subjects
    from labormarket.core.signatures.conf import pki_directory
    from labormarket.core.signatures.pki import make_test_pki

    wanted = {manager.iin for manager in managers if manager.iin}
    make_test_pki(pki_directory(), [s for s in demo_subjects() if s.iin in wanted])


def seed_outsourcing_cabinets() -> OutsourcingDemoReport:
    """Certify the demo agencies' cabinets with EDS and file their qualification documents."""
    from labormarket.core.signatures import demo_sign

    report = OutsourcingDemoReport()
    agencies: list[tuple[str, Organisation, User]] = []
    for key, username in AGENCIES:
        agency = _organisation(key)
        manager = User.objects.filter(username=username).first()
        if agency is None or manager is None or not manager.iin:
            report.skipped.append(f"{key}: the demo agency or its manager is missing")
            continue
        agencies.append((key, agency, manager))
    certified = set(
        AgencyCabinet.objects.filter(agency__in=[a for _k, a, _m in agencies]).values_list(
            "agency_id", flat=True
        )
    )
    todo = [(k, a, m) for k, a, m in agencies if a.pk not in certified]
    report.add("cabinets", existing=len(agencies) - len(todo))
    if todo:
        _ensure_signing_keys([m for _k, _a, m in todo])
    for key, agency, manager in todo:
        cms = demo_sign(services.cabinet_statement(agency), iin=manager.iin or "")
        services.cabinet_certify(actor=manager, details=CABINETS[key], cms=cms, agency_id=agency.pk)
        report.add("cabinets", created=1)
    for _key, agency, manager in agencies:
        filed = set(
            QualificationDocument.objects.filter(agency=agency).values_list("kind", flat=True)
        )
        for kind in QualificationDocumentKind:
            if kind.value in filed:
                report.add("qualification documents", existing=1)
                continue
            with transaction.atomic():
                services.qualification_document_add(
                    actor=manager,
                    kind=kind.value,
                    title=f"{kind.label} — {agency.short_name or agency.name}",
                    upload=SimpleUploadedFile(f"{kind.value}.pdf", DEMO_PDF, "application/pdf"),
                    agency_id=agency.pk,
                )
            report.add("qualification documents", created=1)
    return report


def format_report(title: str, report: OutsourcingDemoReport) -> str:
    lines = [title]
    for label, counts in report.counts.items():
        lines.append(
            f"  {label:<24} created {counts['created']:>4}  existing {counts['existing']:>4}"
        )
    lines.extend(f"  skipped: {reason}" for reason in report.skipped)
    return "\n".join(lines)


__all__ = [
    "OutsourcingDemoReport",
    "format_report",
    "seed_outsourcing_cabinets",
    "seed_outsourcing_demo",
]
