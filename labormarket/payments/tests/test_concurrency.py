"""Real concurrent connections (one per thread) released together by a barrier.

Runs on SQLite (a file test database; writers queue on BEGIN IMMEDIATE) and on PostgreSQL
(writers meet in the unique index and on the account row). Nothing here relies on row locks:
the unique idempotency key and the conditional UPDATEs are what keep the ledger right.

PostgreSQL is shared with other engineers and allows 100 sessions, so there at most
``PG_SESSIONS`` threads hold a connection at once; the others start at the same barrier and
wait for a free slot (SQLite connections are files: every thread has one at once).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from labormarket.core.errors import ApplicationError
from labormarket.payments import services
from labormarket.payments.models import LedgerEntry
from labormarket.payments.selectors import account_totals

from .conftest import open_contract, record

pytestmark = pytest.mark.django_db(transaction=True)

PG_SESSIONS = int(os.environ.get("PAYMENTS_TEST_PG_SESSIONS", "30"))


def run_at_once(count: int, work: Callable[[int], Any]) -> list[tuple[str, Any]]:
    """Run ``work(0) … work(count - 1)`` in threads released together; their outcomes:
    ``("ok", result)``, ``("refused", code)`` for an ApplicationError, ``("crash", repr)``."""
    barrier = threading.Barrier(count)
    sessions = threading.BoundedSemaphore(count if connection.vendor == "sqlite" else PG_SESSIONS)
    outcomes: list[tuple[str, Any]] = [("not run", None)] * count

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=60)
            with sessions:
                try:
                    outcomes[index] = ("ok", work(index))
                except ApplicationError as error:
                    outcomes[index] = ("refused", error.code)
                finally:
                    connection.close()  # this thread's own connection
        except Exception as error:  # the test reports it; a thread must not die silently
            outcomes[index] = ("crash", repr(error))

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def test_100_concurrent_replays_of_one_key_write_one_entry_and_pay_once():
    contract = open_contract()

    def advance(_index: int) -> tuple[int, bool]:
        entry, created = record(contract, idempotency_key="out-22:advance:once")
        return entry.pk, created

    outcomes = run_at_once(100, advance)
    assert Counter(kind for kind, _ in outcomes) == {"ok": 100}, outcomes
    results = [result for _, result in outcomes]
    assert Counter(created for _, created in results) == {True: 1, False: 99}
    assert len({pk for pk, _ in results}) == 1
    assert LedgerEntry.objects.count() == 1
    totals = account_totals(account_id=contract.pk)
    assert (totals.paid_out, totals.consistent) == (Decimal("600000.00"), True)


def test_out_19_50_concurrent_payments_above_the_ceiling_never_exceed_it():
    """50 × 20 000.10 against 600 003.00: exactly 30 fit (an exact edge, in tiyn)."""
    contract = open_contract(ceiling=Decimal("600003.00"))

    def stage_payment(index: int) -> int:
        entry, _ = record(
            contract,
            kind="stage_payment",
            rule="OUT-23",
            amount=Decimal("20000.10"),
            due_on=date(2026, 7, 20),
            idempotency_key=f"out-23:stage-2:{index}",
        )
        return entry.pk

    outcomes = run_at_once(50, stage_payment)
    assert Counter(outcomes[i][0] for i in range(50)) == {"ok": 30, "refused": 20}, outcomes
    assert {code for kind, code in outcomes if kind == "refused"} == {"ceiling_exceeded"}
    entries = list(LedgerEntry.objects.filter(account=contract))
    assert len(entries) == 30
    assert sorted(e.pk for e in entries) == sorted(pk for kind, pk in outcomes if kind == "ok")
    totals = account_totals(account_id=contract.pk)
    assert totals.paid_out == sum(e.amount for e in entries) == Decimal("600003.00")
    assert (totals.remaining, totals.consistent) == (Decimal("0.00"), True)


def test_concurrent_replays_and_new_payments_together_keep_the_counters_right():
    """Half the threads replay three keys, half pay with their own key; the ceiling bites."""
    contract = open_contract(ceiling=Decimal("1000000.00"))

    def payment(index: int) -> tuple[int, bool]:
        key = f"shared-{index % 3}" if index % 2 == 0 else f"own-{index}"
        entry, created = record(
            contract, kind="stage_payment", amount=Decimal("50000.00"), idempotency_key=key
        )
        return entry.pk, created

    outcomes = run_at_once(50, payment)
    assert {kind for kind, _ in outcomes} <= {"ok", "refused"}, outcomes
    assert {code for kind, code in outcomes if kind == "refused"} <= {"ceiling_exceeded"}
    entries = list(LedgerEntry.objects.filter(account=contract))
    assert len(entries) == 20  # 1 000 000 / 50 000: the ceiling is reached
    assert len({e.idempotency_key for e in entries}) == 20
    created = [result for kind, result in outcomes if kind == "ok" and result[1]]
    assert len(created) == 20
    totals = account_totals(account_id=contract.pk)
    assert (totals.paid_out, totals.remaining, totals.consistent) == (
        Decimal("1000000.00"),
        Decimal("0.00"),
        True,
    )


def test_20_concurrent_mark_paid_of_one_entry_pay_it_once():
    contract = open_contract()
    entry, _ = record(contract)

    outcomes = run_at_once(20, lambda _index: services.mark_paid(entry_id=entry.pk, actor=None).pk)
    assert Counter(outcomes) == {("ok", entry.pk): 1, ("refused", "already_paid"): 19}
    assert LedgerEntry.objects.get(pk=entry.pk).status == "paid"


def test_paying_and_cancelling_one_entry_at_once_lets_exactly_one_win():
    contract = open_contract()
    entries = [
        record(contract, amount=Decimal("10000.00"), idempotency_key=f"e{index}")[0]
        for index in range(10)
    ]

    def pay_or_cancel(index: int) -> str:
        entry = entries[index // 2]
        if index % 2:
            services.cancel_entry(entry_id=entry.pk, actor=None, reason="Гонка")
            return "cancelled"
        services.mark_paid(entry_id=entry.pk, actor=None)
        return "paid"

    outcomes = run_at_once(20, pay_or_cancel)
    assert {kind for kind, _ in outcomes} == {"ok", "refused"}, outcomes
    for index, entry in enumerate(entries):
        pair = {outcomes[2 * index], outcomes[2 * index + 1]}
        final = LedgerEntry.objects.get(pk=entry.pk).status
        loser = "already_cancelled" if final == "cancelled" else "already_paid"
        assert pair == {("ok", final), ("refused", loser)}
    paid = LedgerEntry.objects.filter(account=contract, status="paid").count()
    totals = account_totals(account_id=contract.pk)
    assert totals.paid_out == Decimal("10000.00") * paid
    assert totals.consistent is True


@pytest.mark.skipif("os.environ.get('DATABASE_URL', '').startswith('postgres')")
def test_sqlite_a_writer_holding_the_lock_is_waited_for_not_reported():
    """Another process's write transaction holds SQLite's lock for a second: the payment
    waits (busy timeout) and is recorded; the caller sees no "database is locked"."""
    contract = open_contract()
    holding = threading.Event()

    def hold_the_write_lock() -> None:
        other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        holding.set()
        time.sleep(1.0)
        other.execute("ROLLBACK")
        other.close()

    holder = threading.Thread(target=hold_the_write_lock)
    holder.start()
    assert holding.wait(timeout=10)
    started = time.monotonic()
    _entry, created = record(contract)
    waited = time.monotonic() - started
    holder.join(timeout=10)
    assert created is True
    assert waited >= 0.5
    assert account_totals(account_id=contract.pk).paid_out == Decimal("600000.00")
