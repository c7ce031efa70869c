"""Monday selection, review and the cascade (OUT-03, OUT-04, OUT-07…OUT-13)."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
import time_machine

from labormarket.core.errors import (
    ApplicationError,
    Conflict,
    Forbidden,
    NotFound,
    ValidationFailed,
)
from labormarket.core.models import StoredSignature
from labormarket.outsourcing import selection, services
from labormarket.outsourcing.choices import ConfirmationStatus, LotStatus, OfferStatus
from labormarket.outsourcing.models import (
    AgencyNotice,
    ContractOffer,
    Lot,
    LotConfirmation,
    LotEvent,
)

from .conftest import MONDAY, Agency, announced_lots, at, make_agency

pytestmark = pytest.mark.django_db

TUESDAY = date(2026, 12, 8)


def confirm(sign, agency: Agency, lot: Lot, when=None, **kw):
    payload = selection.confirmation_payload(lot, agency.organisation, lot.selection_day)
    cms = kw.pop("cms", None) or sign(agency.manager, payload, bin=agency.organisation.bin)
    return selection.lot_confirm(
        actor=agency.manager, lot_id=lot.pk, cms=cms, now=when or at(MONDAY, 9, 0), **kw
    )


def test_out_07_confirmations_take_places_in_order(lot, agencies, sign):
    places = [confirm(sign, a, lot, at(MONDAY, 9, m)).position for m, a in enumerate(agencies)]
    assert places == [1, 2, 3]
    lot.refresh_from_db()
    assert lot.status == LotStatus.IN_REVIEW
    events = LotEvent.objects.filter(lot=lot, kind="confirmed").order_by("pk")
    assert [e.payload for e in events] == [
        {"agency": a.organisation.pk, "position": n} for n, a in enumerate(agencies, 1)
    ]
    queue = list(LotConfirmation.objects.filter(lot=lot).order_by("position"))
    assert [c.confirmed_at for c in queue] == sorted(c.confirmed_at for c in queue)
    assert [e.occurred_at for e in events] == [c.confirmed_at for c in queue]
    assert [c.confirmed_by for c in queue] == [a.manager for a in agencies]
    first = LotConfirmation.objects.get(position=1)
    assert first.signature.signer_bin == agencies[0].organisation.bin
    assert first.review_due_at == at(date(2026, 12, 9), 23, 59).replace(
        second=59, microsecond=999999
    )


@pytest.mark.parametrize(
    "when",
    [at(TUESDAY, 10), at(MONDAY, 8, 59), at(MONDAY, 18, 31), at(date(2026, 12, 14), 10)],
    ids=["tuesday", "08:59", "18:31", "next-monday"],
)
def test_out_03_no_confirmation_outside_monday_09_00_to_18_30(lot, agencies, sign, when):
    with pytest.raises(Conflict) as refused:
        confirm(sign, agencies[0], lot, when)
    assert (refused.value.code, refused.value.rule) == ("outside_selection_window", "OUT-03")
    assert LotConfirmation.objects.count() == 0


def test_out_03_the_window_is_inclusive_at_09_00_and_18_30(lot, agencies, sign):
    assert confirm(sign, agencies[0], lot, at(MONDAY, 9, 0)).position == 1
    assert confirm(sign, agencies[1], lot, at(MONDAY, 18, 30)).position == 2


def test_out_04_an_agency_without_a_certified_cabinet_cannot_confirm(lot, sign):
    uncertified = make_agency("ТОО «Без кабинета»")
    with pytest.raises(Forbidden) as refused:
        confirm(sign, uncertified, lot)
    assert (refused.value.code, refused.value.rule) == ("cabinet_not_certified", "OUT-04")
    assert LotConfirmation.objects.count() == 0


def test_out_04_cabinet_signed_without_the_agency_bin_is_refused(sign):
    agency = make_agency("ТОО «Личная подпись»")
    from .conftest import CABINET

    content = services.cabinet_statement(agency.organisation)
    with pytest.raises(ApplicationError) as refused:
        services.cabinet_certify(
            actor=agency.manager, details=CABINET, cms=sign(agency.manager, content)
        )
    assert refused.value.rule == "OUT-04"
    assert [e.code for e in refused.value.fields["signature"]] == ["signer_bin_mismatch"]


def test_out_07_an_unsigned_or_foreign_signed_confirmation_is_refused(lot, agencies, sign):
    a, b = agencies[0], agencies[1]
    payload = selection.confirmation_payload(lot, a.organisation, MONDAY)
    foreign = sign(b.manager, payload, bin=b.organisation.bin)
    with pytest.raises(ApplicationError) as refused:
        confirm(sign, a, lot, cms=foreign)
    assert refused.value.rule == "OUT-07"
    assert {e.code for e in refused.value.fields["signature"]} == {
        "signer_iin_mismatch",
        "signer_bin_mismatch",
    }
    with pytest.raises(ApplicationError) as garbage:
        confirm(sign, a, lot, cms=b"not a signature")
    assert [e.code for e in garbage.value.fields["signature"]] == ["signature_malformed"]
    other_lot_payload = payload.replace(lot.number.encode(), b"35-2026-999999")
    with pytest.raises(ApplicationError) as replayed:
        confirm(sign, a, lot, cms=sign(a.manager, other_lot_payload, bin=a.organisation.bin))
    assert [e.code for e in replayed.value.fields["signature"]] == ["content_mismatch"]
    assert LotConfirmation.objects.count() == 0


def test_out_07_a_fourth_confirmation_in_a_day_is_refused(clm, occupation, agencies, sign):
    lots = announced_lots(clm, occupation, 4)
    agency = agencies[0]
    assert [confirm(sign, agency, lot).daily_number for lot in lots[:3]] == [1, 2, 3]
    with pytest.raises(Conflict) as refused:
        confirm(sign, agency, lots[3])
    assert (refused.value.code, refused.value.rule) == ("daily_limit", "OUT-07")
    assert LotConfirmation.objects.filter(agency=agency.organisation).count() == 3


@pytest.mark.parametrize("refusal", ["daily_limit", "already_confirmed"])
def test_out_07_a_refusal_found_under_the_locks_writes_nothing(
    clm, occupation, agencies, sign, monkeypatch, refusal
):
    """The race the lock-free early checks cannot see: the agency's other confirmations
    committed after this request read them. The locked part (one call of
    ``outsourcing_take_place`` on PostgreSQL, statements on SQLite) refuses and writes nothing —
    no evidence row, no confirmation, no event."""
    lots = announced_lots(clm, occupation, 4)
    agency = agencies[0]
    done = lots[:3] if refusal == "daily_limit" else lots[:1]
    for each in done:
        confirm(sign, agency, each)
    real = selection._lot_for_confirmation

    def read_before_the_others_committed(lot_id: int, agency_id: int):
        found = real(lot_id, agency_id)
        assert found is not None
        lot, facts = found
        return lot, dataclasses.replace(facts, agency_used=0, already_confirmed=False)

    monkeypatch.setattr(selection, "_lot_for_confirmation", read_before_the_others_committed)
    counts = (StoredSignature.objects.count(), LotConfirmation.objects.count())
    events = LotEvent.objects.count()
    with pytest.raises(Conflict) as refused:
        confirm(sign, agency, lots[3] if refusal == "daily_limit" else lots[0])
    assert (refused.value.code, refused.value.rule) == (refusal, "OUT-07")
    assert (StoredSignature.objects.count(), LotConfirmation.objects.count()) == counts
    assert LotEvent.objects.count() == events


def test_out_07_an_agency_confirms_a_lot_once(lot, agencies, sign):
    confirm(sign, agencies[0], lot)
    with pytest.raises(Conflict) as refused:
        confirm(sign, agencies[0], lot, at(MONDAY, 9, 5))
    assert refused.value.code == "already_confirmed"
    assert LotConfirmation.objects.count() == 1


def test_out_09_review_admits_or_refuses_with_a_ground_and_reasons(lot, agencies, sign, clm):
    first = confirm(sign, agencies[0], lot)
    second = confirm(sign, agencies[1], lot)
    with pytest.raises(ValidationFailed) as bad:
        selection.confirmation_review(
            actor=clm.specialist, confirmation_id=first.pk, admit=False, ground=2, reasons=""
        )
    assert {name: [e.code for e in errs] for name, errs in bad.value.fields.items()} == {
        "ground": ["not_a_review_ground"],
        "reasons": ["required"],
    }
    selection.confirmation_review(
        actor=clm.specialist,
        confirmation_id=first.pk,
        admit=False,
        ground=1,
        reasons="Нет опыта трудового посредничества",
    )
    selection.confirmation_review(actor=clm.specialist, confirmation_id=second.pk, admit=True)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.refusal_ground) == (ConfirmationStatus.REFUSED, 1)
    assert second.status == ConfirmationStatus.ADMITTED
    assert first.notified_at is not None
    assert first.notified_at <= first.notice_due_at
    notice = AgencyNotice.objects.get(agency=agencies[0].organisation)
    assert "Нет опыта" in notice.body
    assert notice.rule == "OUT-09"
    with pytest.raises(Conflict):
        selection.confirmation_review(actor=clm.specialist, confirmation_id=second.pk, admit=True)


def test_out_09_an_agency_cannot_review_and_another_clm_cannot_see(lot, agencies, sign):
    first = confirm(sign, agencies[0], lot)
    with pytest.raises(NotFound):
        selection.confirmation_review(
            actor=agencies[0].manager, confirmation_id=first.pk, admit=True
        )
    first.refresh_from_db()
    assert first.status == ConfirmationStatus.PENDING_REVIEW


def test_out_11_offer_goes_to_the_first_qualifying_agency_after_the_window(
    lot, agencies, sign, clm
):
    one, two, three = (confirm(sign, a, lot) for a in agencies)
    for c in (one, two, three):
        selection.confirmation_review(actor=clm.specialist, confirmation_id=c.pk, admit=True)
    # Still Monday: more agencies may come, nothing is offered yet.
    assert selection.lots_advance(at(MONDAY, 12)) == {
        "offered": 0,
        "withdrawn": 0,
        "republished": 0,
    }
    assert selection.lots_advance(at(MONDAY, 18, 31))["offered"] == 1
    offer = ContractOffer.objects.get()
    assert offer.confirmation == one
    assert offer.sign_due_at == at(date(2026, 12, 9), 23, 59).replace(second=59, microsecond=999999)
    assert bytes(offer.document)[:5] == b"%PDF-"
    # Idempotent: a second run offers nothing more.
    assert selection.lots_advance(at(MONDAY, 18, 32))["offered"] == 0


def test_out_11_a_pending_first_place_blocks_the_offer(lot, agencies, sign, clm):
    one, two = confirm(sign, agencies[0], lot), confirm(sign, agencies[1], lot)
    selection.confirmation_review(actor=clm.specialist, confirmation_id=two.pk, admit=True)
    assert selection.lots_advance(at(TUESDAY, 10))["offered"] == 0
    selection.confirmation_review(
        actor=clm.specialist,
        confirmation_id=one.pk,
        admit=False,
        ground=3,
        reasons="Поддельная справка",
    )
    assert selection.lots_advance(at(TUESDAY, 11))["offered"] == 1
    assert ContractOffer.objects.get().confirmation == two


def test_out_12_an_unsigned_offer_passes_to_the_next_agency_over_a_holiday(
    lot, agencies, sign, clm
):
    one, two = confirm(sign, agencies[0], lot), confirm(sign, agencies[1], lot)
    for c in (one, two):
        selection.confirmation_review(actor=clm.specialist, confirmation_id=c.pk, admit=True)
    # Offered on Monday 14 December: 2 working days are the 15th and the 17th (the 16th is
    # Independence Day), so the offer lapses at the first run on Friday the 18th.
    selection.lots_advance(at(date(2026, 12, 14), 10))
    offer = ContractOffer.objects.get()
    assert offer.sign_due_at == at(date(2026, 12, 17), 23, 59).replace(
        second=59, microsecond=999999
    )
    assert selection.lots_advance(at(date(2026, 12, 17), 23))["withdrawn"] == 0
    counts = selection.lots_advance(at(date(2026, 12, 18), 0, 5))
    assert counts == {"offered": 1, "withdrawn": 1, "republished": 0}
    offer.refresh_from_db()
    one.refresh_from_db()
    assert (offer.status, one.status) == (OfferStatus.WITHDRAWN, ConfirmationStatus.LAPSED)
    assert ContractOffer.objects.get(status=OfferStatus.OPEN).confirmation == two
    assert AgencyNotice.objects.filter(agency=agencies[0].organisation, rule="OUT-12").count() == 1
    # Applied once.
    assert selection.lots_advance(at(date(2026, 12, 18), 0, 10))["withdrawn"] == 0


def test_out_13_a_lot_nobody_chose_is_offered_again_next_monday(lot):
    assert selection.lots_advance(at(MONDAY, 18, 0))["republished"] == 0
    assert selection.lots_advance(at(MONDAY, 18, 31))["republished"] == 1
    lot.refresh_from_db()
    assert (lot.status, lot.selection_day, lot.times_offered) == (
        LotStatus.OPEN,
        date(2026, 12, 14),
        2,
    )
    assert selection.lots_advance(at(MONDAY, 18, 40))["republished"] == 0
    # It is in the next Wednesday's announcement.
    with time_machine.travel(at(date(2026, 12, 9), 9), tick=False):
        announcement = services.announcement_draft(clm=lot.clm, today=date(2026, 12, 9))
    assert list(announcement.lots.all()) == [lot]


def test_out_13_a_lot_everyone_was_refused_for_is_offered_again(lot, agencies, sign, clm):
    only = confirm(sign, agencies[0], lot)
    selection.confirmation_review(
        actor=clm.specialist,
        confirmation_id=only.pk,
        admit=False,
        ground=4,
        reasons="Долги по договору",
    )
    assert selection.lots_advance(at(TUESDAY, 10))["republished"] == 1
    lot.refresh_from_db()
    assert (lot.status, lot.selection_day) == (LotStatus.OPEN, date(2026, 12, 14))


def test_out_07_an_agency_can_check_its_eds_before_the_window(agencies, sign):
    agency = agencies[0]
    with time_machine.travel(at(MONDAY, 8, 30), tick=False):
        payload = selection.readiness_payload(agency.organisation, MONDAY)
        result = selection.signature_check(
            actor=agency.manager, cms=sign(agency.manager, payload, bin=agency.organisation.bin)
        )
        assert result.valid
        assert result.signer_bin == agency.organisation.bin
        with pytest.raises(ApplicationError) as refused:
            selection.signature_check(actor=agency.manager, cms=sign(agency.manager, payload))
    assert refused.value.rule == "OUT-07"
    assert [e.code for e in refused.value.fields["signature"]] == ["signer_bin_mismatch"]
    assert LotConfirmation.objects.count() == 0
