"""OUT-07 under the Monday 09:00 burst, with real concurrent connections.

300 confirmations from 30 agencies at 50 lots, 20 rounds with different random seeds: in every
round each lot's queue is exactly 1…n in commit order, no agency has more than 3, and every
accepted request is in the database (and nothing else is). Runs on SQLite (where
``select_for_update`` does nothing) and on PostgreSQL alike.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path

import pytest
from django.db import connection

from labormarket.core.models import StoredSignature
from labormarket.outsourcing import burst, selection, services
from labormarket.outsourcing.choices import LotStatus
from labormarket.outsourcing.models import Lot, LotConfirmation, LotEvent

from .conftest import MONDAY, announce, at, make_agency, unemployed

AGENCIES = 30
LOTS = 50
PER_AGENCY = 10  # 300 requests a round; each agency can have only 3 of its 10 accepted
ROUNDS = 20
THREADS = 40


@pytest.mark.django_db(transaction=True)
def test_out_07_burst_of_300_confirmations_keeps_every_queue_exact(clm, occupation, certify, sign):
    agencies = [make_agency(f"ТОО «Агентство {n:02d}»") for n in range(AGENCIES)]
    for agency in agencies:
        certify(agency)
    lots = [
        services.lot_create(
            actor=clm.specialist,
            person_ids=[unemployed(clm, 2, occupation).pk],
            price_per_person="100000",
        )
        for _ in range(LOTS)
    ]
    announce(clm, lots)
    lot_ids = [lot.pk for lot in lots]
    by_id = {lot.pk: Lot.objects.select_related("clm").get(pk=lot.pk) for lot in lots}
    signatures: dict[tuple[int, int], bytes] = {}

    def signed(agency_index: int, lot_id: int) -> bytes:
        key = (agency_index, lot_id)
        if key not in signatures:
            agency = agencies[agency_index]
            payload = selection.confirmation_payload(by_id[lot_id], agency.organisation, MONDAY)
            signatures[key] = sign(agency.manager, payload, bin=agency.organisation.bin)
        return signatures[key]

    managers = [a.manager for a in agencies]
    for manager in managers:  # warm the per-user grants cache before the threads share them
        assert services.policies.agency_ids_of(manager)
    confirm = burst.confirm_with(lambda i: managers[i], at(MONDAY, 9, 0))
    latencies: list[float] = []
    for seed in range(ROUNDS):
        _reset(lot_ids)
        requests = burst.plan_requests(
            agencies=AGENCIES, lot_ids=lot_ids, per_agency=PER_AGENCY, seed=seed, sign=signed
        )
        assert len(requests) == 300
        result = burst.fire(requests, confirm=confirm, threads=THREADS)
        assert result.errors == [], f"seed {seed}"
        assert len(result.outcomes) == 300, f"seed {seed}: a request was lost"
        refused = {o.code for o in result.outcomes if not o.accepted}
        assert refused <= {"daily_limit"}, f"seed {seed}: {refused}"
        accepted = result.accepted
        per_agency = defaultdict(int)
        for outcome in accepted:
            per_agency[outcome.request.agency_index] += 1
        assert set(per_agency.values()) == {3}, f"seed {seed}"
        assert len(per_agency) == AGENCIES
        stored = list(
            LotConfirmation.objects.order_by("lot_id", "position").values_list(
                "pk", "lot_id", "position", "agency_id", "daily_number", "confirmed_at"
            )
        )
        assert {row[0] for row in stored} == {o.confirmation_id for o in accepted}, f"seed {seed}"
        queues: dict[int, list[tuple[int, object]]] = defaultdict(list)
        for _pk, lot_id, position, _agency, _n, confirmed_at in stored:
            queues[lot_id].append((position, confirmed_at))
        for lot_id, queue in queues.items():
            positions = [p for p, _t in queue]
            assert positions == list(range(1, len(queue) + 1)), f"seed {seed} lot {lot_id}"
            times = [t for _p, t in queue]
            assert times == sorted(times), f"seed {seed} lot {lot_id}: places not in commit order"
        daily = defaultdict(list)
        for _pk, _lot, _pos, agency_id, number, _t in stored:
            daily[agency_id].append(number)
        assert all(sorted(numbers) == [1, 2, 3] for numbers in daily.values())
        latencies.extend(o.seconds for o in result.outcomes)
    _record(latencies)


def _reset(lot_ids: list[int]) -> None:
    """Back to 09:00 on Monday: no confirmations, every lot open (test-only cleanup)."""
    LotConfirmation.objects.all().delete()
    StoredSignature.objects.filter(purpose="outsourcing.lot_confirmation").delete()
    LotEvent.objects.filter(kind="confirmed").delete()
    Lot.objects.filter(pk__in=lot_ids).update(status=LotStatus.OPEN)


def _record(latencies: list[float]) -> None:
    """Write the latency figures for docs/benchmarks.md (artifacts/, not asserted on)."""
    values = sorted(latencies)

    def pct(p: float) -> float:
        return values[min(len(values) - 1, int(p / 100 * len(values)))]

    out = Path(os.environ.get("ARTIFACTS_DIR", "artifacts")) / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"outsourcing-burst-{connection.vendor}.json").write_text(
        json.dumps(
            {
                "requests": len(values),
                "p50_ms": round(pct(50) * 1000, 1),
                "p95_ms": round(pct(95) * 1000, 1),
                "p99_ms": round(pct(99) * 1000, 1),
                "max_ms": round(values[-1] * 1000, 1),
                "threads": THREADS,
            },
            indent=2,
        )
    )
