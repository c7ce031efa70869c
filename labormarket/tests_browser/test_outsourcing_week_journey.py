"""One week of outsourcing as its users walk it in the browser (issue 5, OUT-01…OUT-24).

Wednesday 2 December 2026: the CLM gives a category and records a consent on the candidate
page (OUT-02, OUT-05), forms a lot (OUT-06), refreshes the Wednesday draft and publishes the
announcement, which an anonymous visitor reads (OUT-01). Before Monday two agencies certify
their cabinets with EDS (OUT-04) and file their qualification documents (OUT-08); on Monday
7 December one checks its key before 09:00, then both confirm the lot with EDS, taking places
1 and 2 of its queue (OUT-03, OUT-07). The CLM admits both (OUT-09). After the window the
periodic cascade offers the draft to A (OUT-11); A opens it but lets it lapse, and two working
days later the draft is withdrawn and sent to B (OUT-12), who signs it with EDS (OUT-14). B
reads the lot's people — the eleven fields, every read logged, no IIN in any address (OUT-17)
— reports placements, which the employment-contract register confirms (OUT-18); the CLM orders
the advance once however often the form is sent (OUT-22); the stage-1 act (with the refund for
the person not employed) and, three months on, the stage-2 act are submitted by B and signed by
the CLM's head with EDS (OUT-20, OUT-21), and stage 2 is paid (OUT-23), never above the contract
sum (OUT-19).

The live server runs in a thread of this process, so ``time_machine`` moves its clock too; the
periodic tasks are called directly where their crontab would run them. The test PKI is made on
the first travelled day (a certificate issued at the real "now" would not be valid yet then).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import Page, Request, expect

from labormarket.accounts.choices import OrganisationKind, Role
from labormarket.accounts.models import Membership
from labormarket.core.calendar import add_working_days
from labormarket.core.signatures import TestSubject, make_test_pki
from labormarket.core.testing import next_iin
from labormarket.outsourcing import acts, selection, services, tasks
from labormarket.outsourcing.choices import (
    ActStatus,
    ConfirmationStatus,
    LotStatus,
    OfferStatus,
    PlacementStatus,
    QualificationDocumentKind,
)
from labormarket.outsourcing.models import (
    AgencyCabinet,
    Announcement,
    CategoryAssignment,
    ContractOffer,
    Lot,
    LotConfirmation,
    LotMember,
    OutsourcingContract,
    ServiceAct,
    StagePayment,
)
from labormarket.payments.models import LedgerEntry
from labormarket.reference.models import Occupation
from labormarket.registry.choices import (
    ConsentEvidence,
    ConsentPurpose,
    LabourStatus,
)
from labormarket.registry.employment import import_employment_records
from labormarket.registry.models import Consent, Person, PersonAccessLog, PersonPhone

if TYPE_CHECKING:
    from labormarket.accounts.models import Organisation, User

    from .conftest import Site

    PASSWORD: str
    KARAGANDA: str

    def OrganisationFactory(**kw: object) -> Organisation: ...  # noqa: N802
    def UserFactory(**kw: object) -> User: ...  # noqa: N802
    def PersonFactory(**kw: object) -> Person: ...  # noqa: N802
    def region(code: str = ...) -> Any: ...

else:
    from labormarket.accounts.tests.factories import (
        KARAGANDA,
        PASSWORD,
        OrganisationFactory,
        UserFactory,
        region,
    )
    from labormarket.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.browser

WEDNESDAY = date(2026, 12, 2)
THURSDAY = date(2026, 12, 3)
MONDAY = date(2026, 12, 7)
TUESDAY = date(2026, 12, 8)
NEXT_THURSDAY = date(2026, 12, 10)  # two working days after the offer of Monday evening
PLACEMENTS_DAY = date(2026, 12, 21)
PRICE = Decimal("100000")


def follow(page: Page, action: Callable[[], object]) -> None:
    with page.expect_navigation():
        action()


def money(text: str) -> str:
    """Rendered amounts without their group separators (spaces, no-break spaces)."""
    return re.sub(r"[\s\u00a0\u202f]", "", text)


class Clock:
    """``time_machine`` travels (ticking) started and stopped one step at a time."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self._traveller: Any = None

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.zone)

    def go(self, day: date, hour: int, minute: int = 0) -> datetime:
        self.stop()
        moment = self.at(day, hour, minute)
        self._traveller = time_machine.travel(moment, tick=True)
        self._traveller.start()
        return moment

    def stop(self) -> None:
        if self._traveller is not None:
            self._traveller.stop()
            self._traveller = None


@pytest.fixture
def clock() -> Iterator[Clock]:
    # Karaganda's zone as the region gives it; the outsourcing tests use Asia/Almaty.
    travel = Clock(ZoneInfo("Asia/Almaty"))
    yield travel
    travel.stop()


def staff(organisation: Organisation, role: str, last_name: str, first_name: str) -> User:
    user = UserFactory(iin=next_iin(date(1984, 2, 3)), last_name=last_name, first_name=first_name)
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


def resident() -> Person:
    """A registered unemployed person of Karaganda with an address, a phone and an e-mail."""
    n = Person.objects.count() + 1
    person = PersonFactory(
        region=region(KARAGANDA),
        labour_status=LabourStatus.UNEMPLOYED,
        street="ул. Ерубаева",
        house=str(10 + n),
        flat=str(n),
        email=f"person{n}@mail.kz",
    )
    PersonPhone.objects.create(person=person, number=f"+7701123456{n}", is_primary=True)
    return person


def consenting(clm_specialist: User, category: int, occupation: Occupation) -> Person:
    """A registered unemployed person of Karaganda with the Appendix 1 consent and a category."""
    person = resident()
    Consent.objects.create(
        person=person,
        purpose=ConsentPurpose.OUTSOURCING,
        scope=services.CONSENT_SCOPE,
        version=services.CONSENT_VERSION,
        evidence=ConsentEvidence.PAPER,
        evidence_reference=f"П-{person.pk}",
        recorded_by=clm_specialist,
    )
    services.category_assign(
        actor=clm_specialist,
        person_id=person.pk,
        category=category,
        occupation_code=occupation.code,
    )
    return person


def employment_extract(rows: Sequence[tuple[str, str, date, date | None]]) -> io.StringIO:
    lines = ["iin,employer_bin,started_on,ended_on"]
    lines += [f"{i},{b},{s.isoformat()},{e.isoformat() if e else ''}" for i, b, s, e in rows]
    return io.StringIO("\n".join(lines) + "\n")


def test_outsourcing_week_from_the_announcement_to_the_stage_2_payment(
    page: Page, site: Site, settings: Any, tmp_path: Path, clock: Clock
) -> None:
    """OUT-01…OUT-24 walked in the browser: announcement, Monday selection by two agencies,
    review, the OUT-12 cascade, signing, hand-over, placements, acts and payments."""
    visited: list[str] = []
    page.on("request", lambda request: visited.append(request.url) if _is_ours(request) else None)

    def as_user(user: User) -> None:
        page.context.clear_cookies()
        site.sign_in(page, user.username, PASSWORD)
        expect(page.locator("#user-menu")).to_be_visible()

    def go(path: str) -> None:
        follow(page, lambda: page.goto(site.url(path)))

    def shot(number: int, name: str) -> None:
        site.shot(page, f"outsourcing-week-{number:02d}-{name}.png")

    # The browser's clock is the real one: a session cookie (no expiry date of its own) keeps
    # travelled sessions alive; the server still ends them after SESSION_COOKIE_AGE.
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.MEDIA_ROOT = tmp_path / "media"

    # --- Wednesday 2 December 2026, 07:00: the weekly draft task runs (OUT-01) ------------------
    clock.go(WEDNESDAY, 7)
    karaganda = region(KARAGANDA)
    clm = OrganisationFactory(
        kind=OrganisationKind.LABOUR_MOBILITY_CENTRE,
        name="КГУ «Центр трудовой мобильности Карагандинской области»",
        region=karaganda,
        address="г. Караганда, ул. Бухар-Жырау, 47",
        phone="+77212505050",
    )
    specialist = staff(clm, Role.CLM_SPECIALIST, "Специалистова", "Айгуль")
    head = staff(clm, Role.CLM_HEAD, "Руководителев", "Бауыржан")
    agency_a = OrganisationFactory(
        kind=OrganisationKind.PRIVATE_EMPLOYMENT_AGENCY, name="ТОО «Агентство А»", region=karaganda
    )
    agency_b = OrganisationFactory(
        kind=OrganisationKind.PRIVATE_EMPLOYMENT_AGENCY, name="ТОО «Агентство Б»", region=karaganda
    )
    manager_a = staff(agency_a, Role.PEA_MANAGER, "Агентова", "Алия")
    manager_b = staff(agency_b, Role.PEA_MANAGER, "Бюрова", "Бота")
    employer = OrganisationFactory(
        kind=OrganisationKind.EMPLOYER, name="ТОО «Карагандинский завод»"
    )
    occupation = (
        Occupation.objects.filter(code__regex=r"^\d{4}$").order_by("code").first()
        or Occupation.objects.order_by("code").first()
    )
    assert occupation is not None
    # Four people ready through the services; the fifth is given a category and a consent on
    # the candidate page below. Three of five (60 %) are category 2 or 3 (OUT-06).
    ready = [consenting(specialist, c, occupation) for c in (2, 3, 1, 1)]
    fifth = resident()
    people = [*ready, fifth]
    iins = {p.iin for p in people} | {u.iin for u in (specialist, head, manager_a, manager_b)}

    make_test_pki(
        tmp_path / "pki",
        [
            TestSubject(
                key=f"pea{n}",
                iin=user.iin or "",
                surname=user.last_name,
                given_name=user.first_name,
                bin=agency.bin,
                org=f"DEMO PEA {n}",
            )
            for n, (user, agency) in enumerate(((manager_a, agency_a), (manager_b, agency_b)), 1)
        ]
        + [
            TestSubject(
                key="clmhead",
                iin=head.iin or "",
                surname=head.last_name,
                given_name=head.first_name,
                bin=clm.bin,
                org="DEMO CLM",
            )
        ],
        key_type="ecdsa",
    )
    settings.SIGNATURES = {"VERIFIER": "local", "PKI_DIR": tmp_path / "pki"}
    settings.SIGNATURES_DEMO_SIGNER = True

    assert tasks.draft_weekly_announcements.call_local() >= 1
    announcement = Announcement.objects.get(clm=clm)
    assert announcement.selection_day == MONDAY
    assert announcement.lots.count() == 0

    # --- Wednesday 10:00: the specialist prepares the candidates and forms the lot ------------
    clock.go(WEDNESDAY, 10)
    as_user(specialist)
    go(f"/staff/outsourcing/candidates/{fifth.pk}/")
    page.select_option("#id_category", "2")
    page.fill("#id_occupation", occupation.code)
    follow(page, lambda: page.click("#category-submit"))
    page.select_option("#id_evidence", ConsentEvidence.PAPER.value)
    page.fill("#id_evidence_reference", "П-2026-115")
    follow(page, lambda: page.click("#consent-submit"))
    assert site.path_of(page) == f"/staff/outsourcing/candidates/{fifth.pk}/"
    assert CategoryAssignment.objects.get(person=fifth, is_current=True).category == 2
    assert Consent.objects.filter(
        person=fifth, purpose=ConsentPurpose.OUTSOURCING, evidence_reference="П-2026-115"
    ).exists()
    shot(1, "candidate")

    go(f"/staff/outsourcing/lots/new/?occupation={occupation.code}")
    for person in people:
        page.check(f"#person-{person.pk}")
    page.fill("#id_price_per_person", "100000")
    follow(page, lambda: page.click("#lot-create"))
    lot = Lot.objects.get(clm=clm)
    assert site.path_of(page) == f"/staff/outsourcing/lots/{lot.pk}/"
    assert lot.members.filter(is_active=True).count() == 5
    assert sorted(lot.members.values_list("category", flat=True)) == [1, 1, 2, 2, 3]

    go("/staff/outsourcing/announcements/")
    follow(page, lambda: page.click("#announcement-refresh"))
    assert site.path_of(page) == f"/staff/outsourcing/announcements/{announcement.pk}/"
    assert list(announcement.lots.all()) == [lot]
    shot(2, "announcement-draft")
    follow(page, lambda: page.click("#announcement-publish"))
    announcement.refresh_from_db()
    assert announcement.status == "published"
    assert announcement.published_at is not None
    assert announcement.published_at <= announcement.publish_due_at
    expect(page.locator("#announcement-publish")).to_have_count(0)

    # An anonymous visitor reads it on the exchange.
    page.context.clear_cookies()
    go("/outsourcing/")
    follow(page, lambda: page.click(f"a[href='/outsourcing/announcements/{announcement.pk}/']"))
    expect(page.locator("main")).to_contain_text(lot.number)
    expect(page.locator("main")).to_contain_text(clm.name)
    shot(3, "announcement-public")

    # --- Thursday: both agencies certify their cabinets and file their documents (OUT-04/08) --
    clock.go(THURSDAY, 11)
    scan = tmp_path / "licence.pdf"
    scan.write_bytes(b"%PDF-1.4\n% qualification document\n")
    for n, (manager, agency) in enumerate(((manager_a, agency_a), (manager_b, agency_b)), 1):
        as_user(manager)
        go("/agency/outsourcing/cabinet/")
        page.fill("#id_contact_person", f"{manager.last_name} {manager.first_name}")
        page.fill("#id_contact_phone", f"+7701555010{n}")
        page.fill("#id_contact_email", f"hr{n}@agency.kz")
        page.fill("#id_legal_address", f"г. Караганда, пр. Бухар-Жырау, {10 + n}")
        page.fill("#id_iik", f"KZ12345678901234567{n}")
        page.fill("#id_bik", "HSBKKZKX")
        page.fill("#id_bank_name", "АО «Народный банк Казахстана»")
        follow(page, lambda: page.click("#cabinet-sign"))
        expect(page.locator("#cabinet-status.alert-success")).to_be_visible()
        assert AgencyCabinet.objects.get(agency=agency).certified_at is not None
        go("/agency/outsourcing/documents/")
        for kind in QualificationDocumentKind.values:
            page.select_option("#id_kind", kind)
            page.fill("#id_title", f"{kind} — {agency.name}")
            page.set_input_files("#id_file", str(scan))
            follow(page, lambda: page.click("#document-add"))
        expect(page.locator("#documents-missing")).to_have_count(0)
        assert services.qualification_missing(agency) == []
        if n == 1:
            shot(4, "agency-documents")

    # --- Monday 7 December, 08:40: A checks its key before the window opens ------------------
    clock.go(MONDAY, 8, 40)
    as_user(manager_a)
    go("/agency/outsourcing/lots/")
    page.click("#readiness summary")
    follow(page, lambda: page.click("#readiness-sign"))
    assert site.path_of(page) == "/agency/outsourcing/lots/"
    expect(page.locator(".alert-success")).to_be_visible()
    assert not LotConfirmation.objects.exists()  # nothing written (OUT-07)

    # --- 09:00: A confirms, then B (OUT-03, OUT-07) ------------------------------------------
    confirm_button = f"form[action='/agency/outsourcing/lots/{lot.pk}/confirm/'] [data-eds-sign]"
    clock.go(MONDAY, 9, 0)
    go("/agency/outsourcing/lots/")
    follow(page, lambda: page.click(confirm_button))
    assert site.path_of(page) == "/agency/outsourcing/confirmations/"
    expect(page.locator("#confirmations [data-position]")).to_have_text("1")
    shot(5, "agency-a-confirmed")
    clock.go(MONDAY, 9, 2)
    as_user(manager_b)
    go("/agency/outsourcing/lots/")
    follow(page, lambda: page.click(confirm_button))
    expect(page.locator("#confirmations [data-position]")).to_have_text("2")
    first, second = LotConfirmation.objects.filter(lot=lot).order_by("position")
    assert (first.agency, first.position, second.agency, second.position) == (
        agency_a,
        1,
        agency_b,
        2,
    )
    lot.refresh_from_db()
    assert lot.status == LotStatus.IN_REVIEW

    # --- 10:00: the CLM sees the queue and admits both (OUT-08, OUT-09) ---------------------
    clock.go(MONDAY, 10)
    as_user(specialist)
    go(f"/staff/outsourcing/lots/{lot.pk}/")
    expect(page.locator("#lot-queue tbody tr")).to_have_count(2)
    shot(6, "clm-lot-queue")
    go("/staff/outsourcing/reviews/")
    for confirmation in (first, second):
        follow(
            page, partial(page.click, f"a[href='/staff/outsourcing/reviews/{confirmation.pk}/']")
        )
        expect(page.locator("#qualification-documents li")).to_have_count(3)
        page.check("#id_decision_0")
        follow(page, lambda: page.click("#review-submit"))
        confirmation.refresh_from_db()
        assert confirmation.status == ConfirmationStatus.ADMITTED
        assert confirmation.reviewed_at is not None
        assert confirmation.reviewed_at <= confirmation.review_due_at
        go("/staff/outsourcing/reviews/")
    shot(7, "clm-reviews-done")

    # --- 18:40: the cascade task offers the draft to A, first in the queue (OUT-11) ----------
    clock.go(MONDAY, 18, 40)
    assert selection.lots_advance()["offered"] == 1
    offer_a = ContractOffer.objects.get(lot=lot, confirmation=first)
    assert offer_a.status == OfferStatus.OPEN

    # --- Tuesday: A opens the draft but does not sign it -------------------------------------
    clock.go(TUESDAY, 10)
    as_user(manager_a)
    go("/agency/outsourcing/offers/")
    follow(page, lambda: page.click(f"a[href='/agency/outsourcing/offers/{offer_a.pk}/']"))
    expect(page.locator("#offer-sign")).to_be_visible()
    shot(8, "agency-a-offer-unsigned")

    # --- Thursday 10 December: 2 working days are over; withdrawn, offered to B (OUT-12) ------
    clock.go(NEXT_THURSDAY, 9)
    assert offer_a.sign_due_at < clock.at(NEXT_THURSDAY, 9)
    outcome = selection.lots_advance()
    assert (outcome["withdrawn"], outcome["offered"]) == (1, 1)
    offer_a.refresh_from_db()
    first.refresh_from_db()
    assert (offer_a.status, first.status) == (OfferStatus.WITHDRAWN, ConfirmationStatus.LAPSED)
    offer_b = ContractOffer.objects.get(lot=lot, confirmation=second)
    as_user(manager_a)
    go(f"/agency/outsourcing/offers/{offer_a.pk}/")
    expect(page.locator("#offer-sign")).to_have_count(0)
    assert "OUT-12" in (page.locator("main").text_content() or "")

    clock.go(NEXT_THURSDAY, 10)
    as_user(manager_b)
    go("/agency/outsourcing/offers/")
    follow(page, lambda: page.click(f"a[href='/agency/outsourcing/offers/{offer_b.pk}/']"))
    shot(9, "agency-b-offer")
    follow(page, lambda: page.click("#offer-sign"))
    contract = OutsourcingContract.objects.get(lot=lot)
    assert site.path_of(page) == f"/agency/outsourcing/contracts/{contract.pk}/"
    assert (contract.agency, contract.clm) == (agency_b, clm)
    assert (contract.people_count, contract.total_sum) == (5, Decimal("500000.00"))
    assert contract.published_at is not None  # OUT-15
    offer_b.refresh_from_db()
    lot.refresh_from_db()
    assert (offer_b.status, lot.status) == (OfferStatus.SIGNED, LotStatus.CONTRACTED)
    shot(10, "agency-b-contract")

    # --- the hand-over: exactly the eleven fields, each read logged (OUT-17) -----------------
    before = PersonAccessLog.objects.filter(user=manager_b, purpose="outsourcing").count()
    follow(page, lambda: page.click("#people-link"))
    assert site.path_of(page) == f"/agency/outsourcing/contracts/{contract.pk}/people/"
    expect(page.locator("main article.card")).to_have_count(5)
    for person in people:  # the name and ten more items each (OUT-17)
        card = page.locator(f"article.card:has(h2:text-is('{person.full_name}'))")
        expect(card.locator("dl dt")).to_have_count(10)
        expect(card).to_contain_text(person.phones.get().number)
        expect(card).to_contain_text(person.email)
    logged = PersonAccessLog.objects.filter(user=manager_b, purpose="outsourcing")
    assert logged.count() - before == 5
    assert set(logged.values_list("person_id", flat=True)) == {p.pk for p in people}
    content = page.content()
    assert not [iin for iin in iins if iin and iin in content]
    contract.refresh_from_db()
    assert contract.handed_over_at is not None
    assert contract.handed_over_at <= contract.handover_due_at
    shot(11, "agency-b-people")

    # --- Friday 11 December: the advance (stage 1, 20 %); the form sent twice pays once (OUT-22)
    clock.go(date(2026, 12, 11), 10)
    as_user(specialist)
    go(f"/staff/outsourcing/lots/{lot.pk}/")
    expect(page.locator("#lot-offers li")).to_have_count(2)  # A's withdrawn, B's signed
    expect(page.locator("#lot-contract")).to_contain_text(contract.number)
    expect(
        page.locator(f"#lot-contract a[href='/staff/outsourcing/contracts/{contract.pk}/']")
    ).to_be_visible()
    shot(12, "clm-lot-contracted")
    go(f"/staff/outsourcing/contracts/{contract.pk}/")
    pay_form = "form[action$='/pay/']:has(#pay-stage-1)"
    # The first submission of a double click reaches the server, then the second.
    page.evaluate(
        """selector => { const form = document.querySelector(selector);
           return fetch(form.action, {method: "POST", body: new FormData(form),
                                      credentials: "same-origin"}).then(r => r.status); }""",
        pay_form,
    )
    follow(page, lambda: page.click("#pay-stage-1"))
    advance = StagePayment.objects.get(contract=contract, stage=1, is_refund=False).entry
    assert (advance.amount, advance.rule, advance.direction) == (
        Decimal("100000.00"),
        "OUT-22",
        "out",
    )
    assert LedgerEntry.objects.filter(account=advance.account).count() == 1
    assert advance.due_on == contract.advance_due_on
    expect(page.locator("#pay-stage-1")).to_have_count(0)
    expect(page.locator("#contract-deadlines .badge.text-bg-danger")).to_have_count(0)
    shot(13, "clm-contract-advance")

    # --- Monday 21 December: B reports four placements; the register confirms them (OUT-18) --
    clock.go(PLACEMENTS_DAY, 10)
    members = {m.person_id: m.pk for m in LotMember.objects.filter(lot=lot)}
    starts = [date(2026, 12, 14), date(2026, 12, 15), date(2026, 12, 18), date(2026, 12, 21)]
    employed = people[:4]
    as_user(manager_b)
    go(f"/agency/outsourcing/contracts/{contract.pk}/people/")
    for person, started in zip(employed, starts, strict=True):
        member = members[person.pk]
        page.click(f"#person-{member} ~ details summary")
        page.fill(f"#id_p{member}_employer_bin", employer.bin or "")
        page.fill(f"#id_p{member}_employer_name", employer.name)
        page.fill(f"#id_p{member}_position", "Оператор")
        page.fill(f"#id_p{member}_started_on", started.isoformat())
        follow(page, partial(page.click, f"form:has(#id_p{member}_employer_bin) [type=submit]"))
    assert contract.placements.filter(status=PlacementStatus.REPORTED).count() == 4
    extract = [(p.iin, employer.bin or "", s, None) for p, s in zip(employed, starts, strict=True)]
    import_employment_records(employment_extract(extract), file_name="esutd-2026-12.csv")
    assert acts.placements_check() == 4  # the nightly task after the import
    assert contract.placements.filter(status=PlacementStatus.CONFIRMED).count() == 4
    go(f"/agency/outsourcing/contracts/{contract.pk}/")
    expect(page.locator("#placement-counts")).to_contain_text("4")

    # --- the stage-1 act after the 30 working days: 4 of 5 employed (OUT-20, OUT-21) ---------
    act_day = add_working_days(contract.employment_due_on, 1)
    clock.go(act_day, 10)

    def act_through(stage: int, number: int) -> ServiceAct:
        as_user(manager_b)
        go(f"/agency/outsourcing/contracts/{contract.pk}/")
        follow(page, lambda: page.click(f"#prepare-{stage}"))
        act = ServiceAct.objects.get(contract=contract, stage=stage)
        assert act.status == ActStatus.DRAFT
        follow(
            page,
            lambda: page.click(
                f"form[action='/agency/outsourcing/acts/{act.pk}/submit/'] [data-eds-sign]"
            ),
        )
        act.refresh_from_db()
        assert act.status == ActStatus.SUBMITTED
        assert act.submitted_at is not None
        assert act.submitted_at.date() <= act.submit_due_on
        shot(number, f"agency-b-act-{stage}-submitted")
        as_user(head)
        go("/staff/outsourcing/acts/")
        follow(page, lambda: page.click(f"a[href='/staff/outsourcing/acts/{act.pk}/']"))
        follow(page, lambda: page.click("#act-sign"))
        act.refresh_from_db()
        assert act.status == ActStatus.SIGNED
        assert act.decided_at is not None
        assert act.decision_due_at is not None
        assert act.decided_at <= act.decision_due_at
        shot(number + 1, f"clm-act-{stage}-signed")
        return act

    stage_1 = act_through(1, 14)
    assert (stage_1.people_count, stage_1.amount) == (4, Decimal("80000.00"))
    refund = StagePayment.objects.get(contract=contract, is_refund=True).entry
    assert (refund.amount, refund.direction) == (Decimal("20000.00"), "in")  # 100 000 × 1/5

    # --- three months on: one person left in February; stage 2 for three (OUT-23) ------------
    clock.go(date(2027, 3, 22), 10)  # the last start (21 December) + 3 months is a Sunday
    left = [(employed[3].iin, employer.bin or "", starts[3], date(2027, 2, 1))]
    import_employment_records(employment_extract(left), file_name="esutd-2027-02.csv")
    stage_2 = act_through(2, 16)
    assert (stage_2.people_count, stage_2.amount) == (3, Decimal("150000.00"))
    as_user(specialist)
    go(f"/staff/outsourcing/contracts/{contract.pk}/")
    follow(page, lambda: page.click("#pay-stage-2"))
    payment = StagePayment.objects.get(contract=contract, stage=2, is_refund=False).entry
    assert (payment.amount, payment.rule) == (Decimal("150000.00"), "OUT-23")

    # --- the ledger: paid 250 000, refunded 20 000, never above 500 000 (OUT-19) -------------
    account = acts.contract_account(contract)
    assert account.paid_out == Decimal("250000.00")
    assert account.refunded == Decimal("20000.00")
    assert account.paid_out - account.refunded == Decimal("230000.00")
    assert account.paid_out <= contract.total_sum
    assert LedgerEntry.objects.filter(account=account).count() == 3
    totals = money(page.locator("#ledger-totals").text_content() or "")
    for amount in ("250000,00", "20000,00", "230000,00", "500000,00", "250000,00"):
        assert amount in totals or amount.replace(",", ".") in totals, totals
    expect(page.locator("#ledger tbody tr")).to_have_count(3)
    shot(18, "clm-contract-ledger")
    as_user(manager_b)
    go(f"/agency/outsourcing/contracts/{contract.pk}/")
    agency_totals = money(page.locator("#ledger-totals").text_content() or "")
    assert "250000,00" in agency_totals or "250000.00" in agency_totals
    expect(page.locator("#acts .badge.text-bg-success")).to_have_count(2)
    shot(19, "agency-b-contract-paid")

    # No address the browser asked for carried an IIN (OUT-17, the system's rule for URLs).
    assert visited
    assert not [url for url in visited if any(iin and iin in url for iin in iins)]


def _is_ours(request: Request) -> bool:
    return request.url.startswith("http://localhost") or request.url.startswith("http://127.")
