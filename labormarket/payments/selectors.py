"""Reads of the payments ledger: account totals, an account's entries, the payments due.

These answer for any account; the calling app (outsourcing, measures) decides who may see which
account, with its own policies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import F, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Round

from .choices import AccountKind, Direction, EntryStatus
from .models import Account, LedgerEntry


@dataclass(frozen=True)
class AccountTotals:
    """Where an account stands. ``paid_out``/``refunded`` count scheduled and paid entries
    (not cancelled ones); the ``*_settled`` figures only those already paid (received)."""

    account: Account
    paid_out: Decimal
    refunded: Decimal
    net: Decimal
    ceiling: Decimal | None
    remaining: Decimal | None
    paid_out_settled: Decimal
    refunded_settled: Decimal
    #: The counters agree with the sum of the entries (the ledger's invariant; see ADR 0010).
    consistent: bool


def _tiyn_sum(condition: Q) -> Any:
    # Summed in whole tiyn: SQLite adds DECIMAL columns as binary floats.
    return Coalesce(
        Sum(Round(F("amount") * Value(100)), filter=condition, output_field=IntegerField()),
        Value(0),
        output_field=IntegerField(),
    )


def _from_tiyn(value: Any) -> Decimal:
    return Decimal(int(value)).scaleb(-2)


def account_totals(*, account_id: int) -> AccountTotals:
    """The totals of one account, fresh from the database (two queries)."""
    account = Account.objects.get(pk=account_id)
    live = ~Q(status=EntryStatus.CANCELLED)
    sums = LedgerEntry.objects.filter(account_id=account_id).aggregate(
        out=_tiyn_sum(live & Q(direction=Direction.OUT)),
        into=_tiyn_sum(live & Q(direction=Direction.IN)),
        out_settled=_tiyn_sum(Q(status=EntryStatus.PAID, direction=Direction.OUT)),
        in_settled=_tiyn_sum(Q(status=EntryStatus.PAID, direction=Direction.IN)),
    )
    return AccountTotals(
        account=account,
        paid_out=account.paid_out,
        refunded=account.refunded,
        net=account.paid_out - account.refunded,
        ceiling=account.ceiling,
        remaining=None if account.ceiling is None else account.ceiling - account.paid_out,
        paid_out_settled=_from_tiyn(sums["out_settled"]),
        refunded_settled=_from_tiyn(sums["in_settled"]),
        consistent=(_from_tiyn(sums["out"]), _from_tiyn(sums["into"]))
        == (account.paid_out, account.refunded),
    )


def account_find(*, kind: AccountKind | str, reference: str) -> Account | None:
    return Account.objects.filter(kind=kind, reference=reference).first()


def account_entries(*, account_id: int) -> QuerySet[LedgerEntry]:
    """Every entry of an account (cancelled ones too), by due date."""
    return (
        LedgerEntry.objects.filter(account_id=account_id)
        .select_related("created_by", "paid_by")
        .order_by("due_on", "pk")
    )


def entries_due(
    *, on_or_before: date, direction: Direction | str | None = None
) -> QuerySet[LedgerEntry]:
    """Scheduled entries due on or before a date — the "payments due" list — oldest first."""
    entries = LedgerEntry.objects.filter(status=EntryStatus.SCHEDULED, due_on__lte=on_or_before)
    if direction is not None:
        entries = entries.filter(direction=direction)
    return entries.select_related("account").order_by("due_on", "pk")
