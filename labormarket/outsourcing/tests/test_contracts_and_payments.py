"""The contract, the hand-over and the stage payments (OUT-10 (2), OUT-14…OUT-24), ending with
the worked example of the rules file."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from dateutil.relativedelta import relativedelta

from labormarket.core.errors import ApplicationError, Conflict, NotFound
from labormarket.notifications.models import Notification
from labormarket.outsourcing import acts, contracts, selection, services
from labormarket.outsourcing.choices import (
    ActStatus,
    ConfirmationStatus,
    LotStatus,
    PlacementStatus,
)
from labormarket.outsourcing.models import LotMember, OutsourcingContract, StagePayment
from labormarket.payments import services as payments
from labormarket.payments.models import LedgerEntry
from labormarket.registry.employment import import_employment_records
from labormarket.registry.models import PersonAccessLog

from .conftest import MONDAY, announce, at, people

pytestmark = pytest.mark.django_db

TUESDAY = date(2026, 12, 8)
EMPLOYMENT_DUE = date(2027, 1, 25)  # 30 working days after 8 December 2026 (OUT-18)


def confirm(sign, agency, lot, minute=0):
    payload = selection.confirmation_payload(lot, agency.organisation, lot.selection_day)
    return selection.lot_confirm(
        actor=agency.manager,
        lot_id=lot.pk,
        cms=sign(agency.manager, payload, bin=agency.organisation.bin),
        now=at(MONDAY, 9, minute),
    )


def offered(lot, agencies, sign, clm, how_many=2):
    """The lot confirmed by ``how_many`` agencies, all admitted, the draft offered to the first."""
    confirmations = [confirm(sign, a, lot, i) for i, a in enumerate(agencies[:how_many])]
    for c in confirmations:
        selection.confirmation_review(actor=clm.specialist, confirmation_id=c.pk, admit=True)
    selection.lots_advance(at(MONDAY, 18, 31))
    return confirmations


def sign_contract(sign, agency, offer, when=None):
    return contracts.contract_sign(
        actor=agency.manager,
        offer_id=offer.pk,
        cms=sign(agency.manager, bytes(offer.document), bin=agency.organisation.bin),
        now=when or at(TUESDAY, 10),
    )


@pytest.fixture
def contract(lot, agencies, sign, clm) -> OutsourcingContract:
    first, _second = offered(lot, agencies, sign, clm)
    return sign_contract(sign, agencies[0], first.offer)


def test_out_14_out_15_out_18_signing_concludes_the_contract_with_its_deadlines(
    contract, lot, agencies
):
    assert contract.agency == agencies[0].organisation
    assert contract.clm == lot.clm
    assert (contract.people_count, contract.total_sum) == (10, Decimal("1000000.00"))
    assert contract.employment_due_on == EMPLOYMENT_DUE  # OUT-18
    assert contract.advance_due_on == date(2026, 12, 15)  # OUT-22: 5 working days
    assert contract.publish_due_at == at(date(2026, 12, 23), 23, 59).replace(
        second=59, microsecond=999999
    )
    assert contract.published_at is not None  # OUT-15: published at once
    assert contract.published_at <= contract.publish_due_at
    lot.refresh_from_db()
    assert lot.status == LotStatus.CONTRACTED


def test_out_10_agencies_still_waiting_are_refused_as_not_first(contract, lot, agencies):
    second = lot.confirmations.get(agency=agencies[1].organisation)
    assert (second.status, second.refusal_ground) == (ConfirmationStatus.NOT_FIRST, 2)
    notice = agencies[1].organisation.outsourcing_notices.get(rule="OUT-10")
    assert "place 1" in notice.body or "1" in notice.body


def test_out_14_a_second_signature_of_the_same_contract_is_refused(contract, agencies, sign):
    with pytest.raises(Conflict) as refused:
        sign_contract(sign, agencies[0], contract.offer)
    assert (refused.value.code, refused.value.rule) == ("already_signed", "OUT-14")
    assert OutsourcingContract.objects.count() == 1


def test_out_12_a_lapsed_offer_cannot_be_signed(lot, agencies, sign, clm):
    first, _second = offered(lot, agencies, sign, clm)
    with pytest.raises(Conflict) as refused:
        sign_contract(sign, agencies[0], first.offer, when=at(date(2026, 12, 10), 0, 1))
    assert (refused.value.code, refused.value.rule) == ("offer_withdrawn", "OUT-12")
    assert OutsourcingContract.objects.count() == 0


def test_out_14_a_contract_signed_by_another_agency_is_refused(lot, agencies, sign, clm):
    first, _second = offered(lot, agencies, sign, clm)
    with pytest.raises(NotFound):
        sign_contract(sign, agencies[1], first.offer)
    other = agencies[1]
    with pytest.raises(ApplicationError) as foreign:
        contracts.contract_sign(
            actor=agencies[0].manager,
            offer_id=first.offer.pk,
            cms=sign(other.manager, bytes(first.offer.document), bin=other.organisation.bin),
            now=at(TUESDAY, 10),
        )
    assert foreign.value.rule == "OUT-12"
    assert OutsourcingContract.objects.count() == 0


def test_out_16_every_person_of_the_lot_is_told_the_agency_and_its_contacts(contract, lot):
    notices = Notification.objects.filter(kind="outsourcing.agency_assigned", channel="cabinet")
    assert notices.count() == 10
    assert {n.person_id for n in notices} == set(lot.members.values_list("person_id", flat=True))
    assert all("+77015550101" in n.body and contract.agency.name in n.body for n in notices)
    assert contract.people_notified_at <= contract.people_notice_due_at


def test_out_17_the_agency_receives_exactly_the_eleven_fields_and_reads_are_logged(
    contract, agencies
):
    rows = contracts.lot_people_for_agency(actor=agencies[0].manager, contract_id=contract.pk)
    assert len(rows) == 10
    assert all(tuple(row) == contracts.HANDOVER_FIELDS for row in rows)
    assert len(contracts.HANDOVER_FIELDS) == 11
    assert "iin" not in str(rows[0]).lower()
    assert set(rows[0]["address"]) == {"region", "district", "locality", "street", "house", "flat"}
    assert (
        PersonAccessLog.objects.filter(user=agencies[0].manager, purpose="outsourcing").count()
        == 10
    )
    assert contract.handed_over_at <= contract.handover_due_at


def test_out_17_another_agency_or_the_clm_cannot_read_the_lot_as_an_agency(contract, agencies, clm):
    for outsider in (agencies[1].manager, clm.specialist):
        with pytest.raises(NotFound):
            contracts.lot_people_for_agency(actor=outsider, contract_id=contract.pk)
    assert PersonAccessLog.objects.filter(purpose="outsourcing").count() == 0


def test_out_20_an_act_for_a_stage_not_reached_is_refused(contract, agencies):
    with pytest.raises(Conflict) as refused:
        acts.act_prepare(actor=agencies[0].manager, contract_id=contract.pk, stage=1, today=TUESDAY)
    assert (refused.value.code, refused.value.rule) == ("stage_not_reached", "OUT-20")
    with pytest.raises(Conflict) as later:
        acts.act_prepare(
            actor=agencies[0].manager, contract_id=contract.pk, stage=2, today=EMPLOYMENT_DUE
        )
    assert later.value.rule == "OUT-20"
    assert contract.acts.count() == 0


def test_out_19_no_payment_above_the_contract_sum(contract, clm):
    account = acts.contract_account(contract)
    with pytest.raises(Conflict) as refused:
        payments.record_entry(
            account=account,
            kind="stage_payment",
            direction="out",
            amount=Decimal("1000000.01"),
            due_on=TUESDAY,
            rule="OUT-23",
            inputs={},
            idempotency_key="too-much",
            actor=clm.head,
        )
    assert (refused.value.code, refused.value.rule) == ("ceiling_exceeded", "OUT-19")
    assert LedgerEntry.objects.count() == 0


def test_out_22_the_advance_is_20_percent_once_whatever_the_key(contract, clm):
    entry = acts.payment_order(
        actor=clm.specialist, contract_id=contract.pk, stage=1, idempotency_key="a-1"
    )
    assert (entry.amount, entry.due_on, entry.rule) == (
        Decimal("200000.00"),
        date(2026, 12, 15),
        "OUT-22",
    )
    again = acts.payment_order(
        actor=clm.specialist, contract_id=contract.pk, stage=1, idempotency_key="a-1"
    )
    assert again.pk == entry.pk
    with pytest.raises(Conflict) as twice:
        acts.payment_order(
            actor=clm.specialist, contract_id=contract.pk, stage=1, idempotency_key="a-2"
        )
    assert (twice.value.code, twice.value.rule) == ("stage_already_paid", "OUT-22")
    assert LedgerEntry.objects.count() == 1
    assert acts.contract_account(contract).paid_out == Decimal("200000.00")


def test_out_23_stage_2_is_paid_only_on_its_signed_act(contract, clm):
    with pytest.raises(Conflict) as refused:
        acts.payment_order(
            actor=clm.specialist, contract_id=contract.pk, stage=2, idempotency_key="s2"
        )
    assert (refused.value.code, refused.value.rule) == ("act_not_signed", "OUT-23")
    assert LedgerEntry.objects.count() == 0


def _employment_csv(rows: list[tuple[str, str, date, date | None]]) -> io.StringIO:
    lines = ["iin,employer_bin,started_on,ended_on"]
    for iin, bin_, start, end in rows:
        lines.append(f"{iin},{bin_},{start.isoformat()},{end.isoformat() if end else ''}")
    return io.StringIO("\n".join(lines) + "\n")


def test_out_18_to_out_24_the_worked_example(clm, occupation, agencies, sign):
    """Price 100 000 per person, lot of 30 → 3 000 000; advance 600 000; 21 employed within 30
    working days → refund 180 000; 18 at 3 months → 900 000; 15 at 6 months → 450 000; total
    paid 1 770 000 ≤ 3 000 000 (OUT-19, OUT-22, OUT-23, OUT-24)."""
    from labormarket.accounts.tests.factories import OrganisationFactory

    members = people(clm, occupation, hard=9, easy=21)
    lot = services.lot_create(
        actor=clm.specialist, person_ids=[p.pk for p in members], price_per_person="100000"
    )
    announce(clm, [lot])
    lot.refresh_from_db()
    first, _ = offered(lot, agencies, sign, clm)
    agency = agencies[0]
    contract = sign_contract(sign, agency, first.offer)
    assert contract.total_sum == Decimal("3000000.00")
    advance = acts.payment_order(
        actor=clm.specialist, contract_id=contract.pk, stage=1, idempotency_key="adv"
    )
    assert advance.amount == Decimal("600000.00")

    employer = OrganisationFactory(kind="employer", name="ТОО «Работодатель»")
    lot_members = list(LotMember.objects.filter(lot=lot).select_related("person").order_by("pk"))
    employed = lot_members[:21]
    rows = []
    for index, member in enumerate(employed):
        start = date(2026, 12, 14) + timedelta(days=index)  # the last starts on 3 January 2027
        if index < 15:
            end = None  # still there at 6 months
        elif index < 18:
            end = start + relativedelta(months=4)  # 3 months kept, not 6
        else:
            end = start + relativedelta(months=1)  # left before 3 months
        rows.append((member.person.iin, employer.bin, start, end))
    with time_machine.travel(at(date(2027, 1, 10), 12), tick=False):
        for (_iin, _bin, start, _end), member in zip(rows, employed, strict=True):
            acts.placement_report(
                actor=agency.manager,
                contract_id=contract.pk,
                member_id=member.pk,
                employer_bin=employer.bin,
                employer_name=employer.name,
                position="Оператор",
                started_on=start,
            )
        assert contract.placements.filter(status=PlacementStatus.REPORTED).count() == 21
        import_employment_records(_employment_csv(rows), file_name="esutd-2027-01.csv")
        assert acts.placements_check(date(2027, 1, 10)) == 21
    assert contract.placements.filter(status=PlacementStatus.CONFIRMED).count() == 21

    def act_through(stage: int, day: date):
        with time_machine.travel(at(day, 10), tick=False):
            act = acts.act_prepare(
                actor=agency.manager, contract_id=contract.pk, stage=stage, today=day
            )
            act = acts.act_submit(
                actor=agency.manager,
                act_id=act.pk,
                cms=sign(agency.manager, bytes(act.document), bin=agency.organisation.bin),
            )
            return acts.act_sign(
                actor=clm.head,
                act_id=act.pk,
                cms=sign(clm.head, bytes(act.document), bin=clm.organisation.bin),
            )

    stage_1 = act_through(1, date(2027, 1, 26))
    assert (stage_1.people_count, stage_1.amount) == (21, Decimal("420000.00"))
    assert stage_1.inputs["refund"] == "180000.00"
    refund = StagePayment.objects.get(contract=contract, is_refund=True).entry
    assert (refund.amount, refund.direction, refund.due_on) == (
        Decimal("180000.00"),
        "in",
        date(2027, 2, 9),  # 10 working days after 26 January 2027
    )

    stage_2 = act_through(2, date(2027, 4, 5))  # 3 January + 3 months = 3 April
    assert (stage_2.people_count, stage_2.amount) == (18, Decimal("900000.00"))
    acts.payment_order(actor=clm.specialist, contract_id=contract.pk, stage=2, idempotency_key="s2")

    stage_3 = act_through(3, date(2027, 7, 5))
    assert (stage_3.people_count, stage_3.amount) == (15, Decimal("450000.00"))
    acts.payment_order(actor=clm.specialist, contract_id=contract.pk, stage=3, idempotency_key="s3")

    account = acts.contract_account(contract)
    assert account.paid_out == Decimal("1950000.00")
    assert account.refunded == Decimal("180000.00")
    assert account.paid_out - account.refunded == Decimal("1770000.00")
    assert account.paid_out <= contract.total_sum
    assert [a.status for a in contract.acts.order_by("stage")] == [ActStatus.SIGNED] * 3


def test_out_21_further_study_is_announced_within_3_working_days(contract, agencies, sign, clm):
    agency = agencies[0]
    contract.placements.all().delete()
    with time_machine.travel(at(date(2027, 1, 26), 10), tick=False):
        act = acts.act_prepare(
            actor=agency.manager, contract_id=contract.pk, stage=1, today=date(2027, 1, 26)
        )
        act = acts.act_submit(
            actor=agency.manager,
            act_id=act.pk,
            cms=sign(agency.manager, bytes(act.document), bin=agency.organisation.bin),
        )
    assert act.decision_due_at == at(date(2027, 1, 29), 23, 59).replace(
        second=59, microsecond=999999
    )
    with pytest.raises(Conflict) as late:
        acts.act_extend(actor=clm.specialist, act_id=act.pk, now=at(date(2027, 2, 1), 9))
    assert (late.value.code, late.value.rule) == ("extension_too_late", "OUT-21")
    extended = acts.act_extend(actor=clm.specialist, act_id=act.pk, now=at(date(2027, 1, 29), 9))
    assert extended.status == ActStatus.EXTENDED
    # 10 working days from 26 January 2027.
    assert extended.decision_due_at == at(date(2027, 2, 9), 23, 59).replace(
        second=59, microsecond=999999
    )
    refused = acts.act_refuse(actor=clm.specialist, act_id=act.pk, reasons="Нет подтверждений")
    assert refused.status == ActStatus.REFUSED
    assert agency.organisation.outsourcing_notices.filter(kind="act_refused").count() == 1
