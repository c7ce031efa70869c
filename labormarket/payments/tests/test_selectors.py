"""Account totals, an account's entries and the payments due — the worked example of OUT-19…24."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from labormarket.core.money import percent_of, prorate
from labormarket.payments import selectors, services
from labormarket.payments.choices import AccountKind
from labormarket.payments.models import LedgerEntry

from .conftest import CONTRACT_SUM, PEOPLE, PRICE, open_contract, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def worked_example(contract):  # type: ignore[no-untyped-def]
    """The contract of the worked example after its four entries (OUT-22, OUT-23, OUT-24)."""
    advance_amount = percent_of(CONTRACT_SUM, 20)
    advance, _ = record(
        contract,
        amount=advance_amount,
        inputs={"contract_sum": CONTRACT_SUM, "percent": 20},
        due_on=date(2026, 3, 16),
    )
    employed = 21
    refund, _ = record(
        contract,
        kind="advance_refund",
        direction="in",
        amount=prorate(advance_amount, PEOPLE - employed, PEOPLE),
        rule="OUT-22",
        inputs={"advance": advance_amount, "people": PEOPLE, "employed": employed},
        due_on=date(2026, 5, 4),
        idempotency_key="out-22:refund",
    )
    stage_2, _ = record(
        contract,
        kind="stage_payment",
        amount=18 * percent_of(PRICE, 50),
        rule="OUT-23",
        inputs={"price": PRICE, "percent": 50, "employed_3_months": 18},
        due_on=date(2026, 7, 20),
        idempotency_key="out-23:stage-2",
    )
    stage_3, _ = record(
        contract,
        kind="stage_payment",
        amount=15 * percent_of(PRICE, 30),
        rule="OUT-24",
        inputs={"price": PRICE, "percent": 30, "employed_6_months": 15},
        due_on=date(2026, 10, 19),
        idempotency_key="out-24:stage-3",
    )
    return contract, [advance, refund, stage_2, stage_3]


def test_out_19_to_out_24_worked_example_totals(worked_example):
    contract, (advance, refund, stage_2, stage_3) = worked_example
    assert [e.amount for e in (advance, refund, stage_2, stage_3)] == [
        Decimal("600000.00"),
        Decimal("180000.00"),
        Decimal("900000.00"),
        Decimal("450000.00"),
    ]
    totals = selectors.account_totals(account_id=contract.pk)
    assert (totals.paid_out, totals.refunded, totals.net) == (
        Decimal("1950000.00"),
        Decimal("180000.00"),
        Decimal("1770000.00"),
    )
    assert (totals.ceiling, totals.remaining) == (Decimal("3000000.00"), Decimal("1050000.00"))
    assert (totals.paid_out_settled, totals.refunded_settled, totals.consistent) == (
        Decimal("0.00"),
        Decimal("0.00"),
        True,
    )


def test_out_22_to_out_24_every_amount_keeps_its_rule_and_inputs(worked_example):
    contract, _ = worked_example
    explained = [(e.rule, e.inputs) for e in selectors.account_entries(account_id=contract.pk)]
    assert explained == [
        ("OUT-22", {"contract_sum": "3000000.00", "percent": 20}),
        ("OUT-22", {"advance": "600000.00", "people": 30, "employed": 21}),
        ("OUT-23", {"price": "100000", "percent": 50, "employed_3_months": 18}),
        ("OUT-24", {"price": "100000", "percent": 30, "employed_6_months": 15}),
    ]


def test_settled_totals_count_only_paid_entries(worked_example, clm_specialist):
    contract, (advance, refund, _stage_2, _stage_3) = worked_example
    services.mark_paid(entry_id=advance.pk, actor=clm_specialist)
    services.mark_paid(entry_id=refund.pk, actor=clm_specialist)
    totals = selectors.account_totals(account_id=contract.pk)
    assert (totals.paid_out_settled, totals.refunded_settled) == (
        Decimal("600000.00"),
        Decimal("180000.00"),
    )


def test_totals_notice_counters_that_disagree_with_the_entries(worked_example):
    contract, _ = worked_example
    type(contract).objects.filter(pk=contract.pk).update(paid_out=Decimal("1950000.01"))
    assert selectors.account_totals(account_id=contract.pk).consistent is False


def test_payments_due_lists_scheduled_entries_due_by_the_date_oldest_first(
    worked_example, django_assert_num_queries
):
    contract, (advance, refund, stage_2, _stage_3) = worked_example
    services.mark_paid(entry_id=advance.pk, actor=None)
    other = open_contract("OUT-2026-002")
    early, _ = record(other, due_on=date(2026, 1, 5), idempotency_key="other")
    with django_assert_num_queries(1):
        due = [
            (e.pk, e.account.reference)
            for e in selectors.entries_due(on_or_before=date(2026, 7, 20))
        ]
    assert due == [
        (early.pk, "OUT-2026-002"),
        (refund.pk, contract.reference),
        (stage_2.pk, contract.reference),
    ]
    outgoing = selectors.entries_due(on_or_before=date(2026, 7, 20), direction="out")
    assert [e.pk for e in outgoing] == [early.pk, stage_2.pk]
    assert list(selectors.entries_due(on_or_before=date(2025, 12, 31))) == []


def test_an_accounts_entries_include_cancelled_ones(contract):
    entry, _ = record(contract)
    services.cancel_entry(entry_id=entry.pk, actor=None, reason="Ошибка")
    assert [(e.pk, e.status) for e in selectors.account_entries(account_id=contract.pk)] == [
        (entry.pk, "cancelled")
    ]
    assert selectors.entries_due(on_or_before=date(2030, 1, 1)).count() == 0


def test_account_find(contract):
    assert (
        selectors.account_find(kind=AccountKind.OUTSOURCING_CONTRACT, reference="OUT-2026-001")
        == contract
    )
    assert selectors.account_find(kind=AccountKind.OUTSOURCING_CONTRACT, reference="nope") is None
    assert LedgerEntry.objects.count() == 0
