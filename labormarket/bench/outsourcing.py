"""The Monday 09:00 burst of lot confirmations (OUT-07), measured.

``python -m labormarket.bench.outsourcing`` migrates a throw-away database (``DATABASE_URL``),
creates a test PKI, a CLM with 50 announced lots and 30 certified agencies, then fires 300
EDS-signed confirmations at once from 40 threads (each with its own connection), 20 rounds with
different seeds. Every round is checked as the concurrency test checks it (places 1…n per lot,
3 per agency, nothing lost). The figures are each request's latency and each round's drain
time; the baseline, measured in the same run on the same threads, is the bare insert of the
same confirmation row (one statement in one transaction), and the verification of one
signature alone. ``docs/benchmarks.md`` gets this database's outsourcing section rewritten.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

AGENCIES = 30
LOTS = 50
PER_AGENCY = 10
ROUNDS = int(__import__("os").environ.get("BENCH_BURST_ROUNDS", "20"))
THREADS = int(__import__("os").environ.get("BENCH_BURST_THREADS", "40"))
#: Worker processes sharing the threads, as a server's workers would (2 cores: 4 workers).
PROCESSES = int(__import__("os").environ.get("BENCH_BURST_PROCESSES", "4"))
MONDAY = date(2026, 12, 7)
WEDNESDAY = date(2026, 12, 2)
NINE = datetime(2026, 12, 7, 9, 0, tzinfo=ZoneInfo("Asia/Almaty"))


@dataclass
class BurstFigures:
    vendor: str
    requests: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    drain_ms: float
    baseline_p99_ms: float
    verify_ms: float
    machine: dict[str, str]
    when: str


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def _world(say: Callable[[str], None]) -> dict[str, Any]:
    """The CLM, its lots and announcement, and the certified agencies with their signers."""
    import time_machine
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.serialization import pkcs7
    from django.conf import settings

    from labormarket.accounts.choices import OrganisationKind, Role
    from labormarket.accounts.models import Membership, Organisation, User
    from labormarket.core.signatures import TestSubject, load_test_pki, make_test_pki
    from labormarket.core.signatures.pki import INTERMEDIATE_CERT
    from labormarket.core.testing import next_bin, next_iin
    from labormarket.outsourcing import services
    from labormarket.reference.models import Occupation, Region
    from labormarket.registry.choices import ConsentEvidence, ConsentPurpose, LabourStatus
    from labormarket.registry.models import Consent, Person
    from labormarket.registry.services import search_name_of

    directory = Path(tempfile.mkdtemp(prefix="bench-pki-"))
    make_test_pki(directory, [])
    settings.SIGNATURES = {"VERIFIER": "local", "PKI_DIR": directory}
    pki = load_test_pki(directory)
    intermediate = x509.load_pem_x509_certificate((directory / INTERMEDIATE_CERT).read_bytes())
    region = Region.objects.get(kato_code="350000000")
    occupation = Occupation.objects.order_by("code").first()
    assert occupation is not None
    stamp = f"{time.time_ns()}"

    def user(organisation: Organisation, role: str, n: str) -> User:
        account = User.objects.create(
            username=f"bench-{stamp}-{n}", last_name="Бенчмарков", first_name=n, iin=next_iin()
        )
        Membership.objects.create(user=account, organisation=organisation, role=role)
        return account

    keys: dict[int, Any] = {}

    def sign(account: User, content: bytes, bin_: str) -> bytes:
        issued = keys.get(account.pk)
        if issued is None:
            issued = keys[account.pk] = pki.issue(
                TestSubject(
                    key=f"b{account.pk}",
                    iin=account.iin or "",
                    surname="BENCH",
                    given_name=str(account.pk),
                    bin=bin_,
                    org="BENCH PEA",
                ),
                key_type="ecdsa",
            )
        return (
            pkcs7.PKCS7SignatureBuilder()
            .set_data(content)
            .add_signer(issued.certificate, issued.private_key, hashes.SHA256())
            .add_certificate(intermediate)
            .sign(
                serialization.Encoding.DER,
                [
                    pkcs7.PKCS7Options.Binary,
                    pkcs7.PKCS7Options.NoCapabilities,
                    pkcs7.PKCS7Options.DetachedSignature,
                ],
            )
        )

    clm = Organisation.objects.create(
        kind=OrganisationKind.LABOUR_MOBILITY_CENTRE,
        name=f"ЦТМ бенчмарка {stamp}",
        bin=next_bin(),
        region=region,
        address="г. Караганда",
        phone="+77212505050",
    )
    specialist = user(clm, Role.CLM_SPECIALIST, "clm")
    say(f"creating {LOTS} lots and {AGENCIES} certified agencies")
    lots = []
    for n in range(LOTS):
        person = Person.objects.create(
            iin=next_iin(),
            last_name=f"Бенч{n}",
            first_name="Тест",
            middle_name="",
            search_name=search_name_of(f"Бенч{n}", "Тест", ""),
            birth_date=date(1990, 5, 17),
            sex="male",
            region=region,
            labour_status=LabourStatus.UNEMPLOYED,
        )
        Consent.objects.create(
            person=person,
            purpose=ConsentPurpose.OUTSOURCING,
            scope=services.CONSENT_SCOPE,
            version=services.CONSENT_VERSION,
            evidence=ConsentEvidence.PAPER,
            evidence_reference="B",
            recorded_by=specialist,
        )
        services.category_assign(
            actor=specialist, person_id=person.pk, category=2, occupation_code=occupation.code
        )
        lots.append(
            services.lot_create(actor=specialist, person_ids=[person.pk], price_per_person="100000")
        )
    with time_machine.travel(datetime(2026, 12, 2, 10, tzinfo=ZoneInfo("Asia/Almaty")), tick=False):
        announcement = services.announcement_draft(clm=clm, today=WEDNESDAY, actor=specialist)
        services.announcement_publish(actor=specialist, announcement_id=announcement.pk)
    agencies = []
    for n in range(AGENCIES):
        agency = Organisation.objects.create(
            kind=OrganisationKind.PRIVATE_EMPLOYMENT_AGENCY,
            name=f"ЧАЗ бенчмарка {n}",
            bin=next_bin(),
            region=region,
        )
        manager = user(agency, Role.PEA_MANAGER, f"pea{n}")
        services.cabinet_certify(
            actor=manager,
            details=services.CabinetDetails(
                contact_person="Бенч",
                contact_phone="+77015550101",
                contact_email="b@pea.kz",
                legal_address="г. Караганда",
                iik="KZ123456789012345678",
                bik="HSBKKZKX",
                bank_name="Банк",
            ),
            cms=sign(manager, services.cabinet_statement(agency), agency.bin),
        )
        agencies.append((agency, manager))
    return {"lots": [lot.pk for lot in lots], "agencies": agencies, "sign": sign}


def measure(say: Callable[[str], None]) -> BurstFigures:
    from django.db import connection
    from django.utils import timezone

    from labormarket.bench.exchange import machine
    from labormarket.core.signatures import get_verifier
    from labormarket.core.signatures.local import clear_path_cache
    from labormarket.outsourcing import burst, selection
    from labormarket.outsourcing.choices import LotStatus
    from labormarket.outsourcing.models import Lot, LotConfirmation, LotEvent

    world = _world(say)
    lots = {pk: Lot.objects.select_related("clm").get(pk=pk) for pk in world["lots"]}
    agencies = world["agencies"]
    signed: dict[tuple[int, int], bytes] = {}

    def signature(agency_index: int, lot_id: int) -> bytes:
        if (agency_index, lot_id) not in signed:
            agency, manager = agencies[agency_index]
            payload = selection.confirmation_payload(lots[lot_id], agency, MONDAY)
            signed[(agency_index, lot_id)] = world["sign"](manager, payload, agency.bin)
        return signed[(agency_index, lot_id)]

    managers = [manager for _agency, manager in agencies]
    from labormarket.outsourcing.policies import agency_ids_of

    for manager in managers:
        agency_ids_of(manager)
    confirm = burst.confirm_with(lambda i: managers[i], NINE)
    latencies: list[float] = []
    drains: list[float] = []
    clear_path_cache()
    # Before 09:00 each agency checks its EDS once (the selection page's "check the signature"),
    # which leaves its certificate path validated in the verifier's cache; the forked workers
    # start with it, as long-lived server workers would.
    verifier = get_verifier()
    first_lot = next(iter(lots))
    for index, (agency, _manager) in enumerate(agencies):
        payload = selection.confirmation_payload(lots[first_lot], agency, MONDAY)
        assert verifier.verify(
            cms=signature(index, first_lot), content=payload, expected_bin=agency.bin
        ).valid
    for seed in range(ROUNDS):
        LotConfirmation.objects.all().delete()
        LotEvent.objects.filter(kind="confirmed").delete()
        Lot.objects.filter(pk__in=list(lots)).update(status=LotStatus.OPEN)
        requests = burst.plan_requests(
            agencies=AGENCIES, lot_ids=list(lots), per_agency=PER_AGENCY, seed=seed, sign=signature
        )
        result = burst.fire_processes(
            requests, confirm=confirm, processes=PROCESSES, threads=THREADS // PROCESSES
        )
        _check(result, seed)
        latencies.extend(o.seconds for o in result.outcomes)
        drains.append(result.wall_seconds)
        say(
            f"round {seed + 1}/{ROUNDS}: p99 {_pct([o.seconds for o in result.outcomes], 99) * 1000:.0f} ms"
        )
    baseline = _baseline(lots, agencies, managers)
    agency, manager = agencies[0]
    lot_id = next(iter(lots))
    payload = selection.confirmation_payload(lots[lot_id], agency, MONDAY)
    cms = signature(0, lot_id)
    clear_path_cache()
    verifier.verify(cms=cms, content=payload, expected_bin=agency.bin)
    timings = []
    for _ in range(200):
        started = time.perf_counter()
        verifier.verify(cms=cms, content=payload, expected_bin=agency.bin)
        timings.append(time.perf_counter() - started)
    return BurstFigures(
        vendor=connection.vendor,
        requests=len(latencies),
        p50_ms=_pct(latencies, 50) * 1000,
        p95_ms=_pct(latencies, 95) * 1000,
        p99_ms=_pct(latencies, 99) * 1000,
        max_ms=max(latencies) * 1000,
        drain_ms=statistics.median(drains) * 1000,
        baseline_p99_ms=_pct(baseline, 99) * 1000,
        verify_ms=statistics.median(timings) * 1000,
        machine=machine(),
        when=timezone.localtime().strftime("%Y-%m-%d %H:%M"),
    )


def _check(result: Any, seed: int) -> None:
    from labormarket.outsourcing.models import LotConfirmation

    if result.errors or len(result.outcomes) != AGENCIES * PER_AGENCY:
        raise AssertionError(f"round {seed}: lost or failed requests: {result.errors[:3]}")
    stored = LotConfirmation.objects.values_list("lot_id", "position", "agency_id")
    queues: dict[int, list[int]] = defaultdict(list)
    per_agency: dict[int, int] = defaultdict(int)
    for lot_id, position, agency_id in stored:
        queues[lot_id].append(position)
        per_agency[agency_id] += 1
    if any(sorted(q) != list(range(1, len(q) + 1)) for q in queues.values()):
        raise AssertionError(f"round {seed}: a queue is not 1…n")
    if set(per_agency.values()) != {3} or len(result.accepted) != len(stored):
        raise AssertionError(f"round {seed}: daily limit or accepted requests wrong")


def _baseline(lots: dict[int, Any], agencies: list[Any], managers: list[Any]) -> list[float]:
    """The same number of rows inserted bare — one INSERT per transaction, none of the queue's
    rules, no signature check — fired the same way (same processes and threads)."""
    from types import SimpleNamespace

    from django.db import connection, transaction

    from labormarket.core.models import StoredSignature
    from labormarket.outsourcing import burst
    from labormarket.outsourcing.models import LotConfirmation

    LotConfirmation.objects.all().delete()
    signature = StoredSignature.objects.filter(purpose="outsourcing.lot_confirmation").first()
    assert signature is not None
    lot_ids = list(lots)
    table = LotConfirmation._meta.db_table
    now = NINE.isoformat()
    # The table name is the model's; every value is a parameter.
    sql = (
        f"INSERT INTO {table} (lot_id, agency_id, selection_day, position, daily_number, "  # noqa: S608
        "confirmed_at, confirmed_by_id, signature_id, status, review_due_at, refusal_reasons, "
        "notice_due_at) VALUES (%s, %s, %s, %s, 1, %s, %s, %s, 'pending_review', %s, '', %s)"
    )
    requests = [
        burst.Request(agency_index=index, lot_id=lot_ids[index % len(lot_ids)], cms=b"")
        for index in range(AGENCIES * PER_AGENCY)
    ]

    def insert(request: burst.Request) -> Any:
        agency, manager = agencies[request.agency_index % len(agencies)]
        # A day of its own per row, so that no constraint of the queue is involved.
        day = MONDAY + timedelta(days=7 * (request.agency_index + 1))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                sql, [request.lot_id, agency.pk, day, 1, now, manager.pk, signature.pk, now, now]
            )
        return SimpleNamespace(pk=None)

    result = burst.fire_processes(
        requests, confirm=insert, processes=PROCESSES, threads=THREADS // PROCESSES
    )
    if result.errors or len(result.outcomes) != len(requests):
        raise AssertionError(f"baseline failed: {result.errors[:3]}")
    LotConfirmation.objects.all().delete()
    return [o.seconds for o in result.outcomes]


def _markers(vendor: str) -> tuple[str, str]:
    return f"<!-- outsourcing-burst:{vendor} -->", f"<!-- /outsourcing-burst:{vendor} -->"


def render(figures: BurstFigures) -> str:
    from django.conf import settings

    name = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}.get(figures.vendor, figures.vendor)
    m = figures.machine
    ratio = figures.p99_ms / figures.baseline_p99_ms if figures.baseline_p99_ms else 0.0
    return "\n".join(
        [
            f"## Outsourcing: the Monday 09:00 burst on {name}",
            "",
            f"Measured {figures.when} ({settings.TIME_ZONE}) on {m['cpu']}, {m['cores']} cores, {m['memory']}, "
            f"{m['os']}, Python {m['python']} (`make bench`, `labormarket/bench/outsourcing.py`).",
            f"{AGENCIES} certified agencies fire {AGENCIES * PER_AGENCY} EDS-signed confirmations "
            f"at {LOTS} lots at once from {THREADS} threads in {PROCESSES} processes "
            "(one connection each, as server workers would), "
            f"{ROUNDS} rounds with different seeds; every round is checked (places 1…n per lot, "
            "3 per agency, nothing lost). Each agency checked its EDS once before 09:00, so its "
            "certificate path is in the verifier's cache (a path validated cold costs tens of "
            "milliseconds more, once per agency and worker). Target: p99 ≤ 500 ms on 2 cores.",
            "",
            "| Measurement | Figure |",
            "|---|--:|",
            f"| Requests | {figures.requests} |",
            f"| Latency p50 | {figures.p50_ms:.0f} ms |",
            f"| Latency p95 | {figures.p95_ms:.0f} ms |",
            f"| Latency p99 | {figures.p99_ms:.0f} ms |",
            f"| Latency max | {figures.max_ms:.0f} ms |",
            f"| Drain time of a 300-request burst (median of rounds) | {figures.drain_ms:.0f} ms |",
            f"| Baseline: bare INSERT of the row, p99, same threads | {figures.baseline_p99_ms:.1f} ms |",
            f"| Confirmation p99 / baseline p99 | {ratio:.1f}× |",
            f"| One signature verification (path cached), median | {figures.verify_ms:.1f} ms |",
            f"| Target p99 ≤ 500 ms | {'met' if figures.p99_ms <= 500 else 'missed'} |",
            "",
        ]
    )


def update_document(path: Path, figures: BurstFigures) -> None:
    begin, end = _markers(figures.vendor)
    block = f"{begin}\n{render(figures)}{end}\n"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        text = head + block + tail.lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text)


def run(output: Path | None, out: TextIO) -> BurstFigures:
    from django.core.management import call_command

    def say(message: str) -> None:
        print(message, file=out, flush=True)

    say("migrating and loading reference data")
    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_reference", verbosity=0)
    figures = measure(say)
    say(render(figures))
    if output is not None:
        update_document(output, figures)
        say(f"Written: {output}")
    return figures


def main() -> int:
    import os
    import sys

    base = Path(__file__).resolve().parent.parent.parent
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("DJANGO_DEBUG", "false")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{base / 'var' / 'bench-outsourcing.sqlite3'}")
    (base / "var").mkdir(exist_ok=True)
    import django

    django.setup()
    no_write = "--no-write" in sys.argv
    run(None if no_write else base / "docs" / "benchmarks.md", sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
