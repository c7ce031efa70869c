"""The CLM staff's outsourcing workspace (``staff/outsourcing/``): every page renders for the CLM's
specialist and head; each form does what its service does; bad input is refused with a message
naming the rule (OUT-02, OUT-05, OUT-06, OUT-10, OUT-19, OUT-21) and writes nothing; a double
submit of a payment order pays once; and the authorization matrix — every new URL × every role
and the anonymous — lets only the CLM's own staff in (another CLM's objects are 404).

Time is frozen on real KZ calendar dates (the December 2026 selection week of ``conftest``)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from labormarket.accounts.choices import Role
from labormarket.accounts.tests.factories import AKMOLA, KARAGANDA, region, user_with_role
from labormarket.core.iin import mask_iin
from labormarket.outsourcing import acts, contracts, selection, services
from labormarket.outsourcing.choices import (
    ActStatus,
    AnnouncementStatus,
    ConfirmationStatus,
    LotStatus,
)
from labormarket.outsourcing.models import (
    AgencyNotice,
    Announcement,
    CategoryAssignment,
    Lot,
    LotConfirmation,
    LotEvent,
    LotMember,
    OutsourcingContract,
    ServiceAct,
)
from labormarket.payments import services as payments
from labormarket.payments.models import LedgerEntry
from labormarket.registry.choices import ConsentPurpose, LabourStatus
from labormarket.registry.models import Consent, Person
from labormarket.registry.tests.factories import PersonFactory

from .conftest import MONDAY, Agency, Clm, announce, at, people, unemployed

pytestmark = pytest.mark.django_db

TUESDAY = date(2026, 12, 8)
#: The day after the 30 working days of OUT-18 for a contract of 8 December 2026: stage 1 done.
ACT_DAY = date(2027, 1, 26)
#: When the pages of the world are looked at: the act is waiting, extension still possible.
LOOK = at(date(2027, 1, 27), 11)


@pytest.fixture(autouse=True)
def _long_sessions(settings):
    """Sessions made now still hold on the frozen days the pages are looked at."""
    settings.SESSION_COOKIE_AGE = 10 * 365 * 24 * 3600


def travel(moment: datetime) -> Any:
    return time_machine.travel(moment, tick=False)


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def confirm(sign, agency: Agency, lot: Lot, minute: int = 0) -> LotConfirmation:
    lot.refresh_from_db()
    payload = selection.confirmation_payload(lot, agency.organisation, lot.selection_day)
    return selection.lot_confirm(
        actor=agency.manager,
        lot_id=lot.pk,
        cms=sign(agency.manager, payload, bin=agency.organisation.bin),
        now=at(MONDAY, 9, minute),
    )


@dataclass
class World:
    """A CLM with every kind of object its pages show."""

    clm: Clm
    agencies: list[Agency]
    lot: Lot  # contracted
    reviewed_lot: Lot  # in review: one confirmation pending
    draft_lot: Lot  # formed after the announcement
    pending: LotConfirmation
    contract: OutsourcingContract
    act: ServiceAct
    announcement: Announcement  # published
    draft_announcement: Announcement
    candidate: Person  # unemployed, no category yet
    document: Any


@pytest.fixture
def world(clm, agencies, sign, occupation, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"
    with travel(at(date(2026, 12, 1), 10)):
        lot = services.lot_create(
            actor=clm.specialist,
            person_ids=[p.pk for p in people(clm, occupation, hard=3, easy=7)],
            price_per_person="100000",
        )
        reviewed = services.lot_create(
            actor=clm.specialist,
            person_ids=[p.pk for p in people(clm, occupation, hard=2, easy=2)],
            price_per_person="90000",
        )
    announcement = announce(clm, [lot, reviewed])
    with travel(at(MONDAY, 8)):
        document = services.qualification_document_add(
            actor=agencies[2].manager,
            kind="experience",
            title="Справка об опыте",
            upload=SimpleUploadedFile("opyt.pdf", b"%PDF-1.4 demo", "application/pdf"),
        )
    lot.refresh_from_db()
    reviewed.refresh_from_db()
    first = confirm(sign, agencies[0], lot, 0)
    pending = confirm(sign, agencies[2], reviewed, 2)
    selection.confirmation_review(actor=clm.specialist, confirmation_id=first.pk, admit=True)
    selection.lots_advance(at(MONDAY, 18, 31))
    first.refresh_from_db()
    offer = first.offer
    contract = contracts.contract_sign(
        actor=agencies[0].manager,
        offer_id=offer.pk,
        cms=sign(agencies[0].manager, bytes(offer.document), bin=agencies[0].organisation.bin),
        now=at(TUESDAY, 10),
    )
    with travel(at(TUESDAY, 12)):
        draft_lot = services.lot_create(
            actor=clm.specialist,
            person_ids=[p.pk for p in people(clm, occupation, hard=1, easy=2)],
            price_per_person="80000",
        )
        draft_announcement = services.announcement_draft(
            clm=clm.organisation, today=TUESDAY, actor=clm.specialist
        )
    with travel(at(ACT_DAY, 10)):
        act = acts.act_prepare(
            actor=agencies[0].manager, contract_id=contract.pk, stage=1, today=ACT_DAY
        )
        act = acts.act_submit(
            actor=agencies[0].manager,
            act_id=act.pk,
            cms=sign(agencies[0].manager, bytes(act.document), bin=agencies[0].organisation.bin),
        )
    candidate = PersonFactory(
        region=region(KARAGANDA),
        labour_status=LabourStatus.UNEMPLOYED,
        last_name="Жаксылыкова",
        first_name="Дана",
    )
    return World(
        clm=clm,
        agencies=agencies,
        lot=lot,
        reviewed_lot=reviewed,
        draft_lot=draft_lot,
        pending=pending,
        contract=contract,
        act=act,
        announcement=announcement,
        draft_announcement=draft_announcement,
        candidate=candidate,
        document=document,
    )


# --- every page renders for the CLM's staff -------------------------------------------------------


def _pages(w: World) -> list[tuple[str, list[str]]]:
    """(url, data the page must show)."""
    return [
        (reverse("outsourcing_clm:dashboard"), [w.pending.agency.name, w.act.number]),
        (reverse("outsourcing_clm:candidates"), [mask_iin(w.candidate.iin)]),
        (reverse("outsourcing_clm:candidate", args=[w.candidate.pk]), [w.candidate.full_name]),
        (reverse("outsourcing_clm:lots"), [w.lot.number, w.draft_lot.number]),
        (reverse("outsourcing_clm:lot_new"), []),
        (reverse("outsourcing_clm:lot_proposals"), []),
        (reverse("outsourcing_clm:lot", args=[w.lot.pk]), [w.agencies[0].organisation.name]),
        (reverse("outsourcing_clm:announcements"), []),
        (reverse("outsourcing_clm:announcement", args=[w.announcement.pk]), [w.lot.number]),
        (
            reverse("outsourcing_clm:announcement", args=[w.draft_announcement.pk]),
            [w.draft_lot.number],
        ),
        (reverse("outsourcing_clm:reviews"), [w.reviewed_lot.number]),
        (reverse("outsourcing_clm:review", args=[w.pending.pk]), ["Справка об опыте"]),
        (reverse("outsourcing_clm:contracts"), [w.contract.number]),
        (reverse("outsourcing_clm:contract", args=[w.contract.pk]), [w.act.number]),
        (reverse("outsourcing_clm:acts"), [w.act.number]),
        (reverse("outsourcing_clm:act", args=[w.act.pk]), [w.contract.number]),
    ]


@pytest.mark.parametrize("who", ["specialist", "head"])
def test_every_page_renders_for_the_clms_staff(world, who):
    client = signed_in(getattr(world.clm, who))
    with travel(LOOK):
        for url, shown in _pages(world):
            response = client.get(url)
            assert response.status_code == 200, url
            text = response.content.decode()
            for value in shown:
                assert value in text, (url, value)
            # Never the full IIN of anyone on a page.
            for iin in Person.objects.values_list("iin", flat=True):
                assert iin not in text, url
        pdf = client.get(reverse("outsourcing_clm:act_pdf", args=[world.act.pk]))
        assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
        assert pdf.content == bytes(world.act.document)
        data = client.get(reverse("outsourcing_clm:act_signing_bytes", args=[world.act.pk])).json()
        assert base64.b64decode(data["data"]) == bytes(world.act.document)
        document = client.get(
            reverse("outsourcing_clm:qualification_document", args=[world.document.pk])
        )
        assert document.status_code == 200
        assert b"".join(document.streaming_content) == b"%PDF-1.4 demo"


def test_out_09_out_21_the_dashboard_counts_with_the_stored_deadlines(world):
    with travel(LOOK):
        response = signed_in(world.clm.specialist).get(reverse("outsourcing_clm:dashboard"))
    context = response.context
    assert context["reviews_count"] == 1
    assert context["reviews_overdue"] == 1  # due 9 December 2026
    assert [c.pk for c in context["reviews"]] == [world.pending.pk]
    assert context["acts_count"] == 1
    assert context["acts"][0].decision_due_at == world.act.decision_due_at
    assert context["offers_count"] == 0
    assert context["to_announce_count"] == 1  # the draft lot
    assert context["advances_count"] == 1  # the advance of the contract is not ordered
    assert context["announcement"] is None  # the week of 1 February 2027 is not drafted


def test_the_workspace_is_in_the_navigation_of_clm_roles_only(world):
    with travel(LOOK):
        staff_page = signed_in(world.clm.head).get(reverse("outsourcing_clm:dashboard"))
        urls = [item.url for item, _active in staff_page.context["nav_items"]]
        assert reverse("outsourcing_clm:dashboard") in urls
        agency_page = signed_in(world.agencies[0].manager).get("/")
        assert reverse("outsourcing_clm:dashboard") not in [
            item.url for item, _active in agency_page.context["nav_items"]
        ]


# --- candidates (OUT-02, OUT-05) -----------------------------------------------------------------


def test_candidates_search_by_name_and_never_by_iin_in_the_address(world):
    client = signed_in(world.clm.specialist)
    person = world.candidate
    found = client.get(reverse("outsourcing_clm:candidates"), {"q": "жаксы да"})
    assert found.status_code == 200
    assert [p.pk for p, _masked in found.context["rows"]] == [person.pk]
    refused = client.get(reverse("outsourcing_clm:candidates"), {"q": person.iin})
    assert refused.status_code == 400
    assert refused.context["rows"][0][1] == mask_iin(refused.context["rows"][0][0].iin)
    ready = client.get(reverse("outsourcing_clm:candidates"), {"only": "no_category"})
    assert [p.pk for p, _m in ready.context["rows"]] == [person.pk]


def test_out_02_a_category_is_given_from_the_page(world, occupation):
    client = signed_in(world.clm.specialist)
    url = reverse("outsourcing_clm:category", args=[world.candidate.pk])
    response = client.post(url, {"category": "3", "occupation": occupation.code, "note": "Долго"})
    assert response.status_code == 302
    current = CategoryAssignment.objects.get(person=world.candidate, is_current=True)
    assert (current.category, current.occupation, current.clm) == (
        3,
        occupation,
        world.clm.organisation,
    )


def test_out_02_a_bad_category_or_code_is_refused_and_nothing_is_written(world):
    client = signed_in(world.clm.specialist)
    url = reverse("outsourcing_clm:category", args=[world.candidate.pk])
    bad_category = client.post(url, {"category": "4", "occupation": "0000"})
    assert bad_category.status_code == 400
    assert "OUT-02" in " ".join(messages_of(bad_category))
    unknown = client.post(url, {"category": "2", "occupation": "no-such-code"})
    assert unknown.status_code == 400
    assert unknown.context["category_form"].errors["occupation"]
    assert not CategoryAssignment.objects.filter(person=world.candidate).exists()


def test_out_05_the_appendix_1_consent_is_recorded_with_its_evidence(world):
    client = signed_in(world.clm.specialist)
    url = reverse("outsourcing_clm:consent", args=[world.candidate.pk])
    missing = client.post(url, {"evidence": "paper", "evidence_reference": ""})
    assert missing.status_code == 400
    assert missing.context["consent_form"].errors["evidence_reference"]
    assert not Consent.objects.filter(
        person=world.candidate, purpose=ConsentPurpose.OUTSOURCING
    ).exists()
    response = client.post(url, {"evidence": "paper", "evidence_reference": "П-17/2026"})
    assert response.status_code == 302
    consent = Consent.objects.get(person=world.candidate, purpose=ConsentPurpose.OUTSOURCING)
    assert (consent.evidence, consent.evidence_reference, consent.version) == (
        "paper",
        "П-17/2026",
        services.CONSENT_VERSION,
    )


def test_a_person_of_another_region_is_not_found(world):
    stranger = PersonFactory(region=region(AKMOLA), labour_status=LabourStatus.UNEMPLOYED)
    client = signed_in(world.clm.specialist)
    assert client.get(reverse("outsourcing_clm:candidate", args=[stranger.pk])).status_code == 404
    response = client.post(
        reverse("outsourcing_clm:consent", args=[stranger.pk]),
        {"evidence": "paper", "evidence_reference": "1"},
    )
    assert response.status_code == 404
    assert not Consent.objects.filter(person=stranger, purpose=ConsentPurpose.OUTSOURCING).exists()


# --- lots (OUT-05, OUT-06) -----------------------------------------------------------------------


def _post_lot(client: Client, persons: list[Person], price: str = "100000") -> Any:
    return client.post(
        reverse("outsourcing_clm:lot_new"),
        {"people": [p.pk for p in persons], "price_per_person": price},
    )


def test_out_06_a_lot_is_formed_from_chosen_candidates(clm, occupation):
    persons = people(clm, occupation, hard=3, easy=6)
    client = signed_in(clm.specialist)
    form = client.get(reverse("outsourcing_clm:lot_new"))
    assert {c.person_id for c, *_rest in form.context["candidates"]} == {p.pk for p in persons}
    response = _post_lot(client, persons)
    assert response.status_code == 302
    lot = Lot.objects.get()
    assert response["Location"] == reverse("outsourcing_clm:lot", args=[lot.pk])
    assert (lot.status, lot.price_per_person, lot.clm) == (
        LotStatus.DRAFT,
        Decimal("100000.00"),
        clm.organisation,
    )
    assert set(lot.members.values_list("person_id", flat=True)) == {p.pk for p in persons}


def test_out_06_a_lot_of_31_people_is_refused_and_nothing_is_written(clm, occupation):
    response = _post_lot(signed_in(clm.specialist), people(clm, occupation, hard=10, easy=21))
    assert response.status_code == 400
    text = " ".join(messages_of(response))
    assert "OUT-06" in text
    assert "30" in text
    assert "31" in text
    assert Lot.objects.count() == 0
    assert LotMember.objects.count() == 0


def test_out_06_too_few_category_2_or_3_is_refused(clm, occupation):
    response = _post_lot(signed_in(clm.specialist), people(clm, occupation, hard=2, easy=8))
    assert response.status_code == 400
    assert "OUT-06" in " ".join(response.context["other_errors"])
    assert Lot.objects.count() == 0


def test_out_05_a_person_without_the_consent_is_named_and_nothing_is_written(clm, occupation):
    persons = people(clm, occupation, hard=3, easy=2)
    refuser = unemployed(clm, 1, occupation, consent=False)
    response = _post_lot(signed_in(clm.specialist), [*persons, refuser])
    assert response.status_code == 400
    errors = response.context["other_errors"]
    assert len(errors) == 1
    assert refuser.full_name in errors[0]
    assert "OUT-05" in errors[0]
    assert Lot.objects.count() == 0


def test_out_06_a_person_already_in_an_active_lot_is_named_per_person(clm, occupation):
    persons = people(clm, occupation, hard=3, easy=2)
    client = signed_in(clm.specialist)
    assert _post_lot(client, persons[:4]).status_code == 302
    again = [*people(clm, occupation, hard=2, easy=0), persons[0]]
    response = _post_lot(client, again)
    assert response.status_code == 400
    assert any(
        persons[0].full_name in e and "OUT-06" in e for e in response.context["other_errors"]
    )
    assert Lot.objects.count() == 1


def test_out_06_a_bad_price_is_shown_on_its_field(clm, occupation):
    response = _post_lot(signed_in(clm.specialist), people(clm, occupation, hard=1, easy=1), "-5")
    assert response.status_code == 400
    assert response.context["form"].errors["price_per_person"]
    assert Lot.objects.count() == 0


def test_out_06_a_proposed_lot_is_turned_into_a_lot(clm, occupation):
    persons = people(clm, occupation, hard=4, easy=6)
    client = signed_in(clm.specialist)
    page = client.get(reverse("outsourcing_clm:lot_proposals"))
    assert page.status_code == 200
    [(proposal, _names)] = page.context["rows"]
    assert set(proposal.person_ids) == {p.pk for p in persons}
    assert Lot.objects.count() == 0  # proposing writes nothing
    response = client.post(
        reverse("outsourcing_clm:lot_new"),
        {"people": list(proposal.person_ids), "price_per_person": "120000"},
    )
    assert response.status_code == 302
    assert Lot.objects.get().members.count() == 10


def test_a_lot_is_withdrawn_with_a_reason_and_a_chosen_lot_is_not(world):
    client = signed_in(world.clm.specialist)
    with travel(LOOK):
        no_reason = client.post(reverse("outsourcing_clm:lot_withdraw", args=[world.draft_lot.pk]))
        assert no_reason.status_code == 400
        chosen = client.post(
            reverse("outsourcing_clm:lot_withdraw", args=[world.reviewed_lot.pk]),
            {"reason": "Ошибка"},
        )
        assert chosen.status_code == 409
        assert "OUT-07" in " ".join(messages_of(chosen))
        world.reviewed_lot.refresh_from_db()
        assert world.reviewed_lot.status == LotStatus.IN_REVIEW
        done = client.post(
            reverse("outsourcing_clm:lot_withdraw", args=[world.draft_lot.pk]),
            {"reason": "Люди трудоустроены сами"},
        )
    assert done.status_code == 302
    world.draft_lot.refresh_from_db()
    assert world.draft_lot.status == LotStatus.WITHDRAWN
    assert not world.draft_lot.members.filter(is_active=True).exists()


def test_the_lot_page_shows_the_queue_events_offers_and_contract(world):
    with travel(LOOK):
        response = signed_in(world.clm.specialist).get(
            reverse("outsourcing_clm:lot", args=[world.lot.pk])
        )
    context = response.context
    assert [(c.position, c.agency_id) for c in context["confirmations"]] == [
        (1, world.agencies[0].organisation.pk)
    ]
    assert [e.kind for e, _label in context["events"]] == [
        "created",
        "announced",
        "confirmed",
        "reviewed",
        "offered",
        "contract_signed",
        "act_submitted",
    ]
    assert [o.status for o in context["offers"]] == ["signed"]
    assert context["contract"] == world.contract
    assert len(context["members"]) == 10


# --- announcements (OUT-01) -----------------------------------------------------------------------


def test_out_01_the_weeks_announcement_is_drafted_shown_and_published(clm, occupation):
    persons = people(clm, occupation, hard=3, easy=3)
    client = signed_in(clm.specialist)
    wednesday = at(date(2026, 12, 2), 10)
    with travel(wednesday):
        _post_lot(client, persons)
        refreshed = client.post(reverse("outsourcing_clm:announcement_refresh"))
        announcement = Announcement.objects.get()
        assert refreshed["Location"] == reverse(
            "outsourcing_clm:announcement", args=[announcement.pk]
        )
        page = client.get(refreshed["Location"])
        contents = page.context["contents"]
        assert set(contents) >= {"clm", "services", "lots", "by_profession", "draft_contract"}
        assert (contents["lots_count"], contents["people_count"]) == (1, 6)
        published = client.post(
            reverse("outsourcing_clm:announcement_publish", args=[announcement.pk])
        )
        assert published.status_code == 302
        twice = client.post(reverse("outsourcing_clm:announcement_publish", args=[announcement.pk]))
    assert twice.status_code == 409
    assert "OUT-01" in " ".join(messages_of(twice))
    announcement.refresh_from_db()
    assert (announcement.status, announcement.selection_day) == (
        AnnouncementStatus.PUBLISHED,
        MONDAY,
    )
    lot = Lot.objects.get()
    assert (lot.status, lot.selection_day) == (LotStatus.OPEN, MONDAY)
    assert LotEvent.objects.filter(lot=lot, kind="announced").count() == 1


def test_out_01_an_announcement_without_lots_is_refused(clm):
    client = signed_in(clm.specialist)
    with travel(at(date(2026, 12, 2), 10)):
        client.post(reverse("outsourcing_clm:announcement_refresh"))
        announcement = Announcement.objects.get()
        response = client.post(
            reverse("outsourcing_clm:announcement_publish", args=[announcement.pk])
        )
    assert response.status_code == 400
    assert "OUT-01" in " ".join(messages_of(response))
    announcement.refresh_from_db()
    assert announcement.status == AnnouncementStatus.DRAFT


# --- qualification review (OUT-09, OUT-10) ------------------------------------------------------------


def _review(client: Client, confirmation: LotConfirmation, **data: str) -> Any:
    return client.post(reverse("outsourcing_clm:review", args=[confirmation.pk]), data)


def test_out_09_an_agency_is_admitted_from_the_page(world):
    with travel(LOOK):
        response = _review(signed_in(world.clm.specialist), world.pending, decision="admit")
    assert response.status_code == 302
    world.pending.refresh_from_db()
    assert world.pending.status == ConfirmationStatus.ADMITTED
    assert world.pending.reviewed_by == world.clm.specialist
    assert (
        AgencyNotice.objects.filter(
            agency=world.pending.agency, kind="review_result", rule="OUT-09"
        ).count()
        == 1
    )


def test_out_10_a_refusal_cites_one_of_the_four_grounds_with_reasons(world):
    client = signed_in(world.clm.specialist)
    with travel(LOOK):
        without = _review(client, world.pending, decision="refuse", reasons="Нет штата")
        assert without.status_code == 400
        assert "OUT-10" in " ".join(messages_of(without))
        assert without.context["form"].errors["ground"]
        not_first = _review(client, world.pending, decision="refuse", ground="2", reasons="x")
        assert not_first.status_code == 400
        assert "OUT-10" in " ".join(messages_of(not_first))
        unknown = _review(client, world.pending, decision="refuse", ground="7", reasons="x")
        assert unknown.status_code == 400
        no_reasons = _review(client, world.pending, decision="refuse", ground="1")
        assert no_reasons.status_code == 400
        world.pending.refresh_from_db()
        assert world.pending.status == ConfirmationStatus.PENDING_REVIEW
        assert not AgencyNotice.objects.filter(
            agency=world.pending.agency, kind="review_result"
        ).exists()
        refused = _review(
            client, world.pending, decision="refuse", ground="3", reasons="Поддельная справка"
        )
    assert refused.status_code == 302
    world.pending.refresh_from_db()
    assert (world.pending.status, world.pending.refusal_ground) == (
        ConfirmationStatus.REFUSED,
        3,
    )
    again = _review(client, world.pending, decision="admit")
    assert again.status_code == 409


# --- contracts and payments (OUT-19, OUT-22) -----------------------------------------------------------


def _pay(client: Client, contract: OutsourcingContract, stage: int, key: str) -> Any:
    return client.post(
        reverse("outsourcing_clm:contract_pay", args=[contract.pk]),
        {"stage": str(stage), "idempotency_key": key},
    )


def test_out_22_the_advance_is_ordered_once_even_when_the_form_is_sent_twice(world):
    client = signed_in(world.clm.specialist)
    with travel(LOOK):
        page = client.get(reverse("outsourcing_clm:contract", args=[world.contract.pk]))
        [stage_1, stage_2, _stage_3] = page.context["stages"]
        assert stage_1["pay_form"] is not None
        assert stage_2["pay_form"] is None
        key = stage_1["pay_form"].initial["idempotency_key"]
        first = _pay(client, world.contract, 1, key)
        second = _pay(client, world.contract, 1, key)
    assert (first.status_code, second.status_code) == (302, 302)
    entry = LedgerEntry.objects.get()
    assert (entry.amount, entry.rule, entry.idempotency_key) == (
        Decimal("200000.00"),
        "OUT-22",
        key,
    )
    with travel(LOOK):
        another_key = _pay(client, world.contract, 1, "clm-page-another-key")
        page = client.get(reverse("outsourcing_clm:contract", args=[world.contract.pk]))
    assert another_key.status_code == 409
    assert "OUT-22" in " ".join(messages_of(another_key))
    assert LedgerEntry.objects.count() == 1
    assert page.context["ledger"].totals.paid_out == Decimal("200000.00")
    assert [e.pk for e in page.context["ledger"].entries] == [entry.pk]


def test_out_22_the_advance_deadline_is_met_once_the_advance_is_ordered(world):
    """The contract page showed the advance as overdue even after it was ordered."""
    client = signed_in(world.clm.specialist)

    def advance_deadline(page: Any) -> str:
        html = page.content.decode()
        deadlines = html.split('id="contract-deadlines"', 1)[1].split("</dl>", 1)[0]
        return deadlines.split("(OUT-22)</span>", 1)[1].split("</dd>", 1)[0]

    with travel(LOOK):
        before = client.get(reverse("outsourcing_clm:contract", args=[world.contract.pk]))
        assert before.context["advance_ordered_at"] is None
        assert "text-bg-danger" in advance_deadline(before)  # past its due date, not ordered
        _pay(client, world.contract, 1, "clm-page-advance-deadline")
        after = client.get(reverse("outsourcing_clm:contract", args=[world.contract.pk]))
    entry = LedgerEntry.objects.get()
    assert after.context["advance_ordered_at"] == entry.created_at
    assert "text-bg-danger" not in advance_deadline(after)
    assert "text-bg-success" in advance_deadline(after)


def test_out_19_a_payment_above_the_contract_sum_is_refused(world):
    account = acts.contract_account(world.contract)
    payments.record_entry(
        account=account,
        kind="stage_payment",
        direction="out",
        amount=Decimal("900000.00"),
        due_on=TUESDAY,
        rule="OUT-23",
        inputs={},
        idempotency_key="earlier",
        actor=world.clm.head,
    )
    with travel(LOOK):
        response = _pay(signed_in(world.clm.specialist), world.contract, 1, "clm-page-advance")
    assert response.status_code == 409
    assert "OUT-19" in " ".join(messages_of(response))
    assert list(LedgerEntry.objects.values_list("idempotency_key", flat=True)) == ["earlier"]
    assert not world.contract.stage_payments.exists()


def test_out_23_stage_2_cannot_be_ordered_before_its_act(world):
    with travel(LOOK):
        response = _pay(signed_in(world.clm.specialist), world.contract, 2, "clm-page-stage-2")
    assert response.status_code == 409
    assert "OUT-23" in " ".join(messages_of(response))
    assert LedgerEntry.objects.count() == 0


# --- acts (OUT-21) -------------------------------------------------------------------------------


def _cms(sign, user, act: ServiceAct, bin: str) -> str:
    return base64.b64encode(sign(user, bytes(act.document), bin=bin)).decode()


def test_out_21_the_head_signs_the_act_with_eds(world, sign):
    with travel(LOOK):
        page = signed_in(world.clm.head).get(reverse("outsourcing_clm:act", args=[world.act.pk]))
        assert page.context["sign_form"] is not None
        response = signed_in(world.clm.head).post(
            reverse("outsourcing_clm:act_sign", args=[world.act.pk]),
            {"cms": _cms(sign, world.clm.head, world.act, world.clm.organisation.bin)},
        )
    assert response.status_code == 302
    world.act.refresh_from_db()
    assert (world.act.status, world.act.decided_by) == (ActStatus.SIGNED, world.clm.head)
    assert world.act.clm_signature.signer_iin == world.clm.head.iin


def test_out_21_a_specialist_cannot_sign_the_act(world, sign):
    client = signed_in(world.clm.specialist)
    with travel(LOOK):
        page = client.get(reverse("outsourcing_clm:act", args=[world.act.pk]))
        assert page.context["sign_form"] is None
        response = client.post(
            reverse("outsourcing_clm:act_sign", args=[world.act.pk]),
            {"cms": _cms(sign, world.clm.specialist, world.act, world.clm.organisation.bin)},
        )
    assert response.status_code == 403
    assert "OUT-21" in " ".join(messages_of(response))
    world.act.refresh_from_db()
    assert (world.act.status, world.act.clm_signature) == (ActStatus.SUBMITTED, None)


def test_out_21_a_signature_that_is_not_the_heads_is_refused(world, sign):
    with travel(LOOK):
        response = signed_in(world.clm.head).post(
            reverse("outsourcing_clm:act_sign", args=[world.act.pk]),
            {"cms": _cms(sign, world.clm.specialist, world.act, world.clm.organisation.bin)},
        )
        unsigned = signed_in(world.clm.head).post(
            reverse("outsourcing_clm:act_sign", args=[world.act.pk]), {"cms": ""}
        )
    assert response.status_code == 400
    assert "OUT-21" in " ".join(messages_of(response))
    assert unsigned.status_code == 400
    world.act.refresh_from_db()
    assert world.act.status == ActStatus.SUBMITTED


def test_out_21_an_act_is_refused_only_with_reasons(world):
    client = signed_in(world.clm.specialist)
    with travel(LOOK):
        empty = client.post(reverse("outsourcing_clm:act_refuse", args=[world.act.pk]))
        assert empty.status_code == 400
        assert "OUT-21" in " ".join(messages_of(empty))
        world.act.refresh_from_db()
        assert world.act.status == ActStatus.SUBMITTED
        response = client.post(
            reverse("outsourcing_clm:act_refuse", args=[world.act.pk]),
            {"reasons": "Нет подтверждений трудоустройства"},
        )
    assert response.status_code == 302
    world.act.refresh_from_db()
    assert (world.act.status, world.act.refusal_reasons) == (
        ActStatus.REFUSED,
        "Нет подтверждений трудоустройства",
    )


def test_out_21_further_study_extends_to_10_working_days_with_notice(world):
    client = signed_in(world.clm.specialist)
    with travel(LOOK):
        response = client.post(reverse("outsourcing_clm:act_extend", args=[world.act.pk]))
        again = client.post(reverse("outsourcing_clm:act_extend", args=[world.act.pk]))
    assert response.status_code == 302
    assert again.status_code == 409
    world.act.refresh_from_db()
    assert world.act.status == ActStatus.EXTENDED
    # 10 working days from 26 January 2027.
    assert world.act.decision_due_at.date() == date(2027, 2, 9)
    assert AgencyNotice.objects.filter(kind="act_extended", rule="OUT-21").count() == 1


def test_out_21_further_study_after_3_working_days_is_refused(world):
    with travel(at(date(2027, 2, 1), 9)):
        response = signed_in(world.clm.specialist).post(
            reverse("outsourcing_clm:act_extend", args=[world.act.pk])
        )
    assert response.status_code == 409
    assert "OUT-21" in " ".join(messages_of(response))
    world.act.refresh_from_db()
    assert world.act.status == ActStatus.SUBMITTED


# --- list pages do not grow their queries with their rows ------------------------------------------------


def test_list_pages_run_a_fixed_number_of_queries(clm, occupation, django_assert_max_num_queries):
    client = signed_in(clm.specialist)
    for _ in range(3):
        _post_lot(client, people(clm, occupation, hard=2, easy=1))
    for name in ("lots", "candidates", "lot_new"):
        with django_assert_max_num_queries(14):
            assert client.get(reverse(f"outsourcing_clm:{name}")).status_code == 200


# --- the authorization matrix -----------------------------------------------------------------------


def _urls(w: World, occupation_code: str) -> list[tuple[str, str, dict[str, Any], bool]]:
    """(method, url, body, is_about_one_object) of every page and action of the workspace."""
    people_ids = [m.person_id for m in w.draft_lot.members.all()]
    return [
        ("get", reverse("outsourcing_clm:dashboard"), {}, False),
        ("get", reverse("outsourcing_clm:candidates"), {}, False),
        ("get", reverse("outsourcing_clm:candidate", args=[w.candidate.pk]), {}, True),
        (
            "post",
            reverse("outsourcing_clm:category", args=[w.candidate.pk]),
            {"category": "2", "occupation": occupation_code},
            True,
        ),
        (
            "post",
            reverse("outsourcing_clm:consent", args=[w.candidate.pk]),
            {"evidence": "paper", "evidence_reference": "1"},
            True,
        ),
        ("get", reverse("outsourcing_clm:lots"), {}, False),
        ("get", reverse("outsourcing_clm:lot_new"), {}, False),
        (
            "post",
            reverse("outsourcing_clm:lot_new"),
            {"people": people_ids, "price_per_person": "1000"},
            False,
        ),
        ("get", reverse("outsourcing_clm:lot_proposals"), {}, False),
        ("get", reverse("outsourcing_clm:lot", args=[w.lot.pk]), {}, True),
        (
            "post",
            reverse("outsourcing_clm:lot_withdraw", args=[w.draft_lot.pk]),
            {"reason": "x"},
            True,
        ),
        ("get", reverse("outsourcing_clm:announcements"), {}, False),
        ("post", reverse("outsourcing_clm:announcement_refresh"), {}, False),
        ("get", reverse("outsourcing_clm:announcement", args=[w.announcement.pk]), {}, True),
        (
            "get",
            reverse("outsourcing_clm:announcement", args=[w.draft_announcement.pk]),
            {},
            True,
        ),
        (
            "post",
            reverse("outsourcing_clm:announcement_publish", args=[w.draft_announcement.pk]),
            {},
            True,
        ),
        ("get", reverse("outsourcing_clm:reviews"), {}, False),
        ("get", reverse("outsourcing_clm:review", args=[w.pending.pk]), {}, True),
        (
            "post",
            reverse("outsourcing_clm:review", args=[w.pending.pk]),
            {"decision": "admit"},
            True,
        ),
        (
            "get",
            reverse("outsourcing_clm:qualification_document", args=[w.document.pk]),
            {},
            True,
        ),
        ("get", reverse("outsourcing_clm:contracts"), {}, False),
        ("get", reverse("outsourcing_clm:contract", args=[w.contract.pk]), {}, True),
        (
            "post",
            reverse("outsourcing_clm:contract_pay", args=[w.contract.pk]),
            {"stage": "1", "idempotency_key": "matrix-key-1"},
            True,
        ),
        ("get", reverse("outsourcing_clm:acts"), {}, False),
        ("get", reverse("outsourcing_clm:act", args=[w.act.pk]), {}, True),
        ("get", reverse("outsourcing_clm:act_pdf", args=[w.act.pk]), {}, True),
        ("get", reverse("outsourcing_clm:act_signing_bytes", args=[w.act.pk]), {}, True),
        ("post", reverse("outsourcing_clm:act_sign", args=[w.act.pk]), {"cms": "AAAA"}, True),
        (
            "post",
            reverse("outsourcing_clm:act_refuse", args=[w.act.pk]),
            {"reasons": "x"},
            True,
        ),
        ("post", reverse("outsourcing_clm:act_extend", args=[w.act.pk]), {}, True),
    ]


def _state() -> tuple[Any, ...]:
    return (
        Lot.objects.count(),
        sorted(Lot.objects.values_list("pk", "status")),
        LotMember.objects.filter(is_active=True).count(),
        CategoryAssignment.objects.count(),
        Consent.objects.count(),
        sorted(Announcement.objects.values_list("pk", "status")),
        sorted(LotConfirmation.objects.values_list("pk", "status")),
        sorted(ServiceAct.objects.values_list("pk", "status")),
        LedgerEntry.objects.count(),
        LotEvent.objects.count(),
        AgencyNotice.objects.count(),
    )


def test_authorization_matrix_every_url_every_role(world, occupation):
    """CLM staff of this CLM: every page (200). Another CLM's staff: their own lists (200), this
    CLM's objects 404. Every other role: 403. The anonymous: the sign-in page. No denied
    request changes anything."""
    urls = _urls(world, occupation.code)
    # The world's own staff: every URL the matrix names is a page of the workspace.
    assert {u for _m, u, _b, _o in urls} >= {u for u, _shown in _pages(world)}
    users: dict[str, Any] = {"anonymous": None}
    for role in Role.values:
        # CLM roles of another centre (in another region); every other role anywhere.
        code = AKMOLA if role in (Role.CLM_SPECIALIST, Role.CLM_HEAD) else KARAGANDA
        users[role] = user_with_role(role, region_code=code)
    wrong: list[tuple[str, str, str, int, int]] = []
    with travel(LOOK):
        before = _state()
        for role, user in users.items():
            client = Client()
            if user is not None:
                client.force_login(user)
            for method, url, body, one_object in urls:
                if user is None:
                    expected = 302
                elif role in (Role.CLM_SPECIALIST, Role.CLM_HEAD):
                    if method == "post" and not one_object:
                        # A write of another CLM's staff concerns only their own centre.
                        continue
                    expected = 404 if one_object else 200
                else:
                    expected = 403
                response = getattr(client, method)(url, body)
                if response.status_code != expected or (
                    expected == 302 and not response["Location"].startswith("/accounts/login/")
                ):
                    wrong.append((role, method, url, response.status_code, expected))
        assert _state() == before
        for who in (world.clm.specialist, world.clm.head):
            client = signed_in(who)
            for method, url, _body, _one in urls:
                if method == "get":
                    response = client.get(url)
                    if response.status_code != 200:
                        wrong.append((who.username, method, url, response.status_code, 200))
    assert wrong == []


def test_another_clms_lot_is_not_found_and_not_withdrawn(world):
    other = user_with_role(Role.CLM_SPECIALIST, region_code=AKMOLA)
    client = signed_in(other)
    assert client.get(reverse("outsourcing_clm:lot", args=[world.draft_lot.pk])).status_code == 404
    response = client.post(
        reverse("outsourcing_clm:lot_withdraw", args=[world.draft_lot.pk]), {"reason": "x"}
    )
    assert response.status_code == 404
    world.draft_lot.refresh_from_db()
    assert world.draft_lot.status == LotStatus.DRAFT
    lots = client.get(reverse("outsourcing_clm:lots"))
    assert list(lots.context["lots"]) == []
