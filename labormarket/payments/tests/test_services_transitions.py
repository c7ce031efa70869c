"""mark_paid and cancel_entry: one conditional status update each; counters follow."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from labormarket.core.errors import Conflict, NotFound, ValidationFailed
from labormarket.payments import services
from labormarket.payments.models import LedgerEntry
from labormarket.payments.selectors import account_totals

from .conftest import record

pytestmark = pytest.mark.django_db

PAID_AT = datetime(2026, 3, 13, 10, 30, tzinfo=timezone.get_fixed_timezone(5 * 60))


def refund(contract, amount="180000.00", key="refund"):  # type: ignore[no-untyped-def]
    entry, _ = record(
        contract,
        kind="advance_refund",
        direction="in",
        amount=Decimal(amount),
        idempotency_key=key,
    )
    return entry


def test_mark_paid_moves_scheduled_to_paid_with_who_and_when(contract, clm_specialist):
    entry, _ = record(contract)
    paid = services.mark_paid(entry_id=entry.pk, actor=clm_specialist, paid_at=PAID_AT)
    assert (paid.status, paid.paid_at, paid.paid_by) == ("paid", PAID_AT, clm_specialist)
    contract.refresh_from_db()
    assert contract.paid_out == Decimal("600000.00")  # already counted when scheduled
    assert account_totals(account_id=contract.pk).paid_out_settled == Decimal("600000.00")


def test_mark_paid_twice_is_a_409_already_paid_and_changes_nothing(contract, clm_specialist):
    entry, _ = record(contract)
    services.mark_paid(entry_id=entry.pk, actor=clm_specialist, paid_at=PAID_AT)
    with pytest.raises(Conflict) as refused:
        services.mark_paid(entry_id=entry.pk, actor=None)
    assert (refused.value.code, refused.value.http_status) == ("already_paid", 409)
    assert "13.03.2026" in refused.value.message
    entry.refresh_from_db()
    assert (entry.paid_at, entry.paid_by) == (PAID_AT, clm_specialist)


@pytest.mark.parametrize(
    ("paid_at", "code"),
    [
        (datetime(2026, 3, 13, 10, 30), "invalid"),  # naive
        (timezone.now() + timedelta(days=1), "in_future"),
    ],
)
def test_mark_paid_refuses_a_naive_or_future_moment(contract, paid_at, code):
    entry, _ = record(contract)
    with pytest.raises(ValidationFailed) as refused:
        services.mark_paid(entry_id=entry.pk, actor=None, paid_at=paid_at)
    assert [error.code for error in refused.value.fields["paid_at"]] == [code]
    assert LedgerEntry.objects.get(pk=entry.pk).status == "scheduled"


def test_mark_paid_of_an_unknown_entry_is_not_found():
    with pytest.raises(NotFound):
        services.mark_paid(entry_id=987654, actor=None)


def test_a_received_refund_is_marked_paid(contract):
    record(contract)
    entry = refund(contract)
    services.mark_paid(entry_id=entry.pk, actor=None, paid_at=PAID_AT)
    totals = account_totals(account_id=contract.pk)
    assert (totals.refunded, totals.refunded_settled, totals.paid_out_settled) == (
        Decimal("180000.00"),
        Decimal("180000.00"),
        Decimal("0.00"),
    )


def test_cancelling_a_scheduled_payment_gives_its_amount_back(contract, clm_specialist):
    entry, _ = record(contract)
    cancelled = services.cancel_entry(
        entry_id=entry.pk, actor=clm_specialist, reason="Договор расторгнут"
    )
    assert (cancelled.status, cancelled.cancelled_by, cancelled.cancel_reason) == (
        "cancelled",
        clm_specialist,
        "Договор расторгнут",
    )
    assert cancelled.cancelled_at is not None
    totals = account_totals(account_id=contract.pk)
    assert (totals.paid_out, totals.remaining, totals.consistent) == (
        Decimal("0.00"),
        Decimal("3000000.00"),
        True,
    )
    # The entry stays in the ledger; its key still answers with it.
    replay, created = record(contract)
    assert (replay.pk, replay.status, created) == (entry.pk, "cancelled", False)


def test_a_cancelled_entry_is_neither_paid_nor_cancelled_again(contract):
    entry, _ = record(contract)
    services.cancel_entry(entry_id=entry.pk, actor=None, reason="Ошибка")
    for attempt in (
        lambda: services.mark_paid(entry_id=entry.pk, actor=None),
        lambda: services.cancel_entry(entry_id=entry.pk, actor=None, reason="Ещё раз"),
    ):
        with pytest.raises(Conflict) as refused:
            attempt()
        assert refused.value.code == "already_cancelled"
    contract.refresh_from_db()
    assert contract.paid_out == Decimal("0.00")


def test_a_paid_entry_is_not_cancelled(contract):
    entry, _ = record(contract)
    services.mark_paid(entry_id=entry.pk, actor=None, paid_at=PAID_AT)
    with pytest.raises(Conflict) as refused:
        services.cancel_entry(entry_id=entry.pk, actor=None, reason="Поздно")
    assert refused.value.code == "already_paid"
    contract.refresh_from_db()
    assert (contract.paid_out, LedgerEntry.objects.get(pk=entry.pk).status) == (
        Decimal("600000.00"),
        "paid",
    )


def test_a_payment_is_not_cancelled_below_the_refunds_recorded_against_it(contract):
    advance, _ = record(contract)
    refund(contract)
    with pytest.raises(Conflict) as refused:
        services.cancel_entry(entry_id=advance.pk, actor=None, reason="Ошибка")
    assert refused.value.code == "refunds_exceed_paid_out"
    advance.refresh_from_db()
    contract.refresh_from_db()
    assert (advance.status, advance.cancelled_at) == ("scheduled", None)
    assert (contract.paid_out, contract.refunded) == (Decimal("600000.00"), Decimal("180000.00"))


def test_cancelling_a_refund_gives_back_refunded_then_the_payment_can_go(contract):
    advance, _ = record(contract)
    entry = refund(contract)
    services.cancel_entry(entry_id=entry.pk, actor=None, reason="Все трудоустроены")
    contract.refresh_from_db()
    assert contract.refunded == Decimal("0.00")
    services.cancel_entry(entry_id=advance.pk, actor=None, reason="Ошибка")
    assert account_totals(account_id=contract.pk).paid_out == Decimal("0.00")


def test_cancelling_needs_a_reason(contract):
    entry, _ = record(contract)
    with pytest.raises(ValidationFailed) as refused:
        services.cancel_entry(entry_id=entry.pk, actor=None, reason="  ")
    assert list(refused.value.fields) == ["reason"]
    assert LedgerEntry.objects.get(pk=entry.pk).status == "scheduled"
