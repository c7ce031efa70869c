"""The database itself refuses a ledger state that breaks an invariant, whoever writes it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from labormarket.payments.models import Account, LedgerEntry

from .conftest import record

pytestmark = pytest.mark.django_db


def refused(write: Any) -> bool:
    try:
        with transaction.atomic():
            write()
    except IntegrityError:
        return True
    return False


@pytest.mark.parametrize(
    "values",
    [
        {"paid_out": Decimal("3000000.01")},  # OUT-19: above the ceiling
        {"paid_out": Decimal("-0.01")},
        {"refunded": Decimal("-0.01")},
        {"refunded": Decimal("0.01")},  # more refunded than paid out
    ],
)
def test_out_19_account_counters_cannot_leave_their_bounds(contract, values):
    assert refused(lambda: Account.objects.filter(pk=contract.pk).update(**values))
    contract.refresh_from_db()
    assert (contract.paid_out, contract.refunded) == (Decimal("0.00"), Decimal("0.00"))


def test_one_account_per_kind_and_reference(contract):
    assert refused(lambda: Account.objects.create(kind=contract.kind, reference=contract.reference))


@pytest.mark.parametrize(
    "values",
    [
        {"amount": Decimal("0.00")},
        {"amount": Decimal("-1.00")},
        {"direction": "in"},  # an advance is paid out, never in
        {"status": "lost"},
        {"status": "paid"},  # without paid_at
        {"paid_at": timezone.now()},  # while still scheduled
        {"status": "cancelled"},  # without cancelled_at
    ],
)
def test_entries_cannot_hold_an_impossible_state(contract, values):
    entry, _ = record(contract)
    assert refused(lambda: LedgerEntry.objects.filter(pk=entry.pk).update(**values))


def test_idempotency_keys_are_unique(contract):
    entry, _ = record(contract)
    assert refused(
        lambda: LedgerEntry.objects.create(
            account=contract,
            kind="advance",
            direction="out",
            amount=Decimal("1.00"),
            due_on=date(2026, 1, 1),
            rule="OUT-22",
            idempotency_key=entry.idempotency_key,
            request_fingerprint="0" * 64,
        )
    )


def test_an_account_with_entries_cannot_be_deleted(contract):
    from django.db.models import ProtectedError

    record(contract)
    with pytest.raises(ProtectedError):
        contract.delete()
