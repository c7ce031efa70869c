"""services.record_entry: exact amounts, the OUT-19 ceiling, refunds, replays, validation."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import OperationalError, transaction
from django.utils import timezone, translation

from labormarket.core.errors import Conflict, ValidationFailed
from labormarket.payments import services
from labormarket.payments.models import Account, LedgerEntry
from labormarket.payments.selectors import account_totals

from .conftest import open_contract, record

pytestmark = pytest.mark.django_db


def state(account: Account) -> tuple[int, Decimal, Decimal]:
    account.refresh_from_db()
    return LedgerEntry.objects.count(), account.paid_out, account.refunded


def test_out_22_advance_is_recorded_with_its_rule_inputs_and_actor(contract, clm_specialist):
    entry, created = record(contract, actor=clm_specialist, description="Аванс по договору")
    assert created is True
    entry = LedgerEntry.objects.get(pk=entry.pk)
    assert (entry.kind, entry.direction, entry.amount, entry.due_on, entry.rule) == (
        "advance",
        "out",
        Decimal("600000.00"),
        date(2026, 3, 16),
        "OUT-22",
    )
    assert entry.inputs == {"contract_sum": "3000000.00", "percent": 20}
    assert (entry.status, entry.paid_at, entry.created_by) == ("scheduled", None, clm_specialist)
    assert entry.description == "Аванс по договору"
    assert len(entry.request_fingerprint) == 64
    assert state(contract) == (1, Decimal("600000.00"), Decimal("0.00"))


def test_inputs_keep_decimals_and_dates_exactly_as_strings(contract):
    entry, _ = record(
        contract,
        inputs={"price": Decimal("100000.00"), "employed": 18, "act_signed_on": date(2026, 6, 1)},
    )
    entry.refresh_from_db()
    assert entry.inputs == {"price": "100000.00", "employed": 18, "act_signed_on": "2026-06-01"}


def test_tiyn_amounts_add_up_exactly_to_the_ceiling():
    """SQLite keeps decimals as binary floats, where 0.10 + 0.20 > 0.30: the ledger does not."""
    account = open_contract("TINY", ceiling=Decimal("0.30"))
    record(account, amount=Decimal("0.10"), idempotency_key="a")
    record(account, amount=Decimal("0.20"), idempotency_key="b")
    assert state(account) == (2, Decimal("0.30"), Decimal("0.00"))
    with pytest.raises(Conflict) as refused:
        record(account, amount=Decimal("0.01"), idempotency_key="c")
    assert refused.value.code == "ceiling_exceeded"
    assert account_totals(account_id=account.pk).remaining == Decimal("0.00")


def test_thirty_payments_of_20_000_10_reach_a_ceiling_of_600_003_exactly():
    account = open_contract("EDGE", ceiling=Decimal("600003.00"))
    for index in range(30):
        record(
            account, kind="stage_payment", amount=Decimal("20000.10"), idempotency_key=f"s{index}"
        )
    assert state(account) == (30, Decimal("600003.00"), Decimal("0.00"))
    with pytest.raises(Conflict):
        record(account, kind="stage_payment", amount=Decimal("0.01"), idempotency_key="over")
    assert account_totals(account_id=account.pk).consistent is True


def test_out_19_a_payment_up_to_the_contract_sum_is_accepted(contract):
    record(contract, amount=Decimal("3000000.00"))
    assert state(contract) == (1, Decimal("3000000.00"), Decimal("0.00"))


def test_out_19_a_payment_above_the_contract_sum_is_refused_and_writes_nothing(contract):
    record(contract, kind="stage_payment", amount=Decimal("2900000.00"), idempotency_key="first")
    with translation.override("en"), pytest.raises(Conflict) as refused:
        record(contract, kind="stage_payment", amount=Decimal("100000.01"), idempotency_key="over")
    error = refused.value
    assert (error.code, error.rule, error.http_status) == ("ceiling_exceeded", "OUT-19", 409)
    assert "100 000.01" in error.message
    assert "3 000 000.01" in error.message  # the total it would have made
    assert "3 000 000.00" in error.message  # the ceiling
    assert "100 000.00 KZT remain" in error.message
    assert state(contract) == (1, Decimal("2900000.00"), Decimal("0.00"))
    assert not LedgerEntry.objects.filter(idempotency_key="over").exists()


def test_out_19_a_refused_key_is_not_remembered_and_may_succeed_later(contract):
    first, _ = record(
        contract, kind="stage_payment", amount=Decimal("3000000.00"), idempotency_key="all"
    )
    with pytest.raises(Conflict):
        record(contract, kind="stage_payment", amount=Decimal("10.00"), idempotency_key="later")
    services.cancel_entry(entry_id=first.pk, actor=None, reason="Ошибка в сумме")
    _entry, created = record(
        contract, kind="stage_payment", amount=Decimal("10.00"), idempotency_key="later"
    )
    assert created is True
    assert state(contract) == (2, Decimal("10.00"), Decimal("0.00"))


def test_an_account_without_a_ceiling_takes_any_payment():
    account = open_contract("SUBSIDY-1", ceiling=None)
    record(account, kind="subsidy", amount=Decimal("999999999999.99"), rule="PRG-1")
    assert state(account) == (1, Decimal("999999999999.99"), Decimal("0.00"))


def test_replay_with_the_same_key_and_request_returns_the_same_entry(contract):
    entry, created = record(contract)
    again, created_again = record(contract, amount=Decimal("600000"))  # the same amount
    assert (created, created_again) == (True, False)
    assert again.pk == entry.pk
    assert state(contract) == (1, Decimal("600000.00"), Decimal("0.00"))


@pytest.mark.parametrize(
    "change",
    [
        {"amount": Decimal("600000.01")},
        {"due_on": date(2026, 3, 17)},
        {"inputs": {"contract_sum": "3000000.00", "percent": 21}},
        {"rule": "OUT-23", "kind": "stage_payment"},
        {"description": "другое"},
    ],
)
def test_the_same_key_with_another_request_is_a_409_and_changes_nothing(contract, change):
    entry, _ = record(contract)
    with pytest.raises(Conflict) as refused:
        record(contract, **change)
    assert (refused.value.code, refused.value.http_status) == ("idempotency_key_reused", 409)
    assert str(entry.pk) in refused.value.message
    assert state(contract) == (1, Decimal("600000.00"), Decimal("0.00"))


def test_the_same_key_on_another_account_is_a_409(contract):
    record(contract, idempotency_key="shared")
    other = open_contract("OUT-2026-002")
    with pytest.raises(Conflict) as refused:
        record(other, idempotency_key="shared")
    assert refused.value.code == "idempotency_key_reused"
    assert state(other) == (1, Decimal("0.00"), Decimal("0.00"))


def test_out_22_refund_raises_refunded_and_leaves_paid_out(contract):
    record(contract)
    _refund, created = record(
        contract,
        kind="advance_refund",
        direction="in",
        amount=Decimal("180000.00"),
        inputs={"advance": "600000.00", "not_employed": 9, "people": 30},
        idempotency_key="refund",
    )
    assert created is True
    assert state(contract) == (2, Decimal("600000.00"), Decimal("180000.00"))
    assert account_totals(account_id=contract.pk).net == Decimal("420000.00")


def test_a_refund_above_what_was_paid_out_is_refused_and_writes_nothing(contract):
    record(contract, amount=Decimal("100.00"))
    with pytest.raises(Conflict) as refused:
        record(
            contract,
            kind="advance_refund",
            direction="in",
            amount=Decimal("100.01"),
            idempotency_key="refund",
        )
    assert refused.value.code == "refund_exceeds_paid_out"
    assert state(contract) == (1, Decimal("100.00"), Decimal("0.00"))


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"amount": 0.1}, "amount", "amount_type"),
        ({"amount": "100.00"}, "amount", "amount_type"),
        ({"amount": True}, "amount", "amount_type"),
        ({"amount": Decimal("0")}, "amount", "amount_not_positive"),
        ({"amount": Decimal("-5.00")}, "amount", "amount_not_positive"),
        ({"amount": Decimal("1.005")}, "amount", "amount_precision"),
        ({"amount": Decimal("NaN")}, "amount", "amount_invalid"),
        ({"amount": Decimal("1000000000000.00")}, "amount", "amount_too_large"),
        ({"idempotency_key": ""}, "idempotency_key", "required"),
        ({"idempotency_key": "k" * 101}, "idempotency_key", "too_long"),
        ({"idempotency_key": "ключ"}, "idempotency_key", "invalid"),
        ({"idempotency_key": "a\nb"}, "idempotency_key", "invalid"),
        ({"idempotency_key": " padded"}, "idempotency_key", "invalid"),
        ({"kind": "bonus"}, "kind", "invalid"),
        ({"direction": "sideways"}, "direction", "invalid"),
        ({"direction": "in"}, "direction", "direction_of_kind"),
        (
            {"due_on": datetime(2026, 3, 16, tzinfo=timezone.get_current_timezone())},
            "due_on",
            "invalid",
        ),
        ({"rule": ""}, "rule", "required"),
        ({"inputs": {"percent": 20.0}}, "inputs", "not_exact"),
        ({"inputs": [1, 2]}, "inputs", "invalid"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(contract, change, field, code):
    with pytest.raises(ValidationFailed) as refused:
        record(contract, **change)
    fields = refused.value.fields
    assert list(fields) == [field]
    assert [error.code for error in fields[field]] == [code]
    assert refused.value.http_status == 400
    assert state(contract) == (0, Decimal("0.00"), Decimal("0.00"))


def test_every_bad_field_is_named_at_once(contract):
    with pytest.raises(ValidationFailed) as refused:
        record(contract, amount=Decimal("0"), idempotency_key="", rule="")
    assert sorted(refused.value.fields) == ["amount", "idempotency_key", "rule"]


def test_an_unsaved_account_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        record(Account(kind="outsourcing_contract", reference="unsaved"))
    assert list(refused.value.fields) == ["account"]


def test_inside_a_callers_transaction_a_refusal_leaves_the_transaction_usable(contract):
    """The outsourcing app records stage payments inside its own act-signing transaction."""
    with transaction.atomic():
        record(contract, amount=Decimal("2000000.00"), idempotency_key="one")
        with pytest.raises(Conflict):
            record(contract, amount=Decimal("1000000.01"), idempotency_key="two")
        record(contract, amount=Decimal("1000000.00"), idempotency_key="three")
        _replay, created = record(contract, amount=Decimal("1000000.00"), idempotency_key="three")
        assert created is False
    assert state(contract) == (2, Decimal("3000000.00"), Decimal("0.00"))


@pytest.mark.django_db(transaction=True)  # retries happen outside any transaction
def test_a_busy_database_is_retried_and_the_caller_never_sees_it(contract, monkeypatch):
    real_insert = services._insert
    failures = iter([OperationalError("database is locked")] * 2)
    monkeypatch.setattr(services.time, "sleep", lambda seconds: None)

    def flaky_insert(request, actor):  # type: ignore[no-untyped-def]
        error = next(failures, None)
        if error is not None:
            raise error
        return real_insert(request, actor)

    monkeypatch.setattr(services, "_insert", flaky_insert)
    _entry, created = record(contract)
    assert created is True
    assert state(contract) == (1, Decimal("600000.00"), Decimal("0.00"))


@pytest.mark.django_db(transaction=True)  # retries happen outside any transaction
def test_a_database_busy_for_too_long_is_a_503_to_retry_and_writes_nothing(contract, monkeypatch):
    monkeypatch.setattr(services.time, "sleep", lambda seconds: None)

    def always_locked(request, actor):  # type: ignore[no-untyped-def]
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "_insert", always_locked)
    with pytest.raises(services.LedgerBusy) as refused:
        record(contract)
    assert (refused.value.code, refused.value.http_status) == ("ledger_busy", 503)
    assert state(contract) == (0, Decimal("0.00"), Decimal("0.00"))


def test_busy_inside_a_callers_transaction_is_a_503_at_once(contract, monkeypatch):
    """A spoilt transaction cannot be retried from inside: the caller's own block rolls back."""
    calls = []

    def locked(request, actor):  # type: ignore[no-untyped-def]
        calls.append(1)
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "_insert", locked)
    with pytest.raises(services.LedgerBusy):
        record(contract)
    assert calls == [1]


def test_other_operational_errors_are_not_retried(contract, monkeypatch):
    calls = []

    def broken(request, actor):  # type: ignore[no-untyped-def]
        calls.append(1)
        raise OperationalError("no such table: payments_ledgerentry")

    monkeypatch.setattr(services, "_insert", broken)
    with pytest.raises(OperationalError):
        record(contract)
    assert calls == [1]


def test_account_open_is_idempotent_and_refuses_another_ceiling():
    first = open_contract("OUT-7")
    assert open_contract("OUT-7").pk == first.pk
    with pytest.raises(Conflict) as refused:
        open_contract("OUT-7", ceiling=Decimal("1.00"))
    assert refused.value.code == "account_exists"
    assert Account.objects.filter(reference="OUT-7").count() == 1


def test_account_open_validates_its_fields():
    with pytest.raises(ValidationFailed) as refused:
        services.account_open(kind="pension", reference="", ceiling=Decimal("0.001"))
    assert sorted(refused.value.fields) == ["ceiling", "kind", "reference"]
    assert Account.objects.count() == 0
