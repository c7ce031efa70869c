"""The exchange benchmark: search, matching and the search API at national scale.

What is measured (issue 3, "Benchmark")
    (a) vacancy search — ``search.vacancy_search`` — over a fixed mix of queries: very common
        and rare words, Russian and Kazakh, with and without filters, filters alone;
    (b) CV search — ``search.cv_search`` — over a similar mix;
    (c) top-50 candidates for a vacancy (``matching.candidates_for_vacancy``) and top-50
        vacancies for a CV (``matching.vacancies_for_cv``) for fixed vacancies and CVs spread
        over the data set;
    (d) the vacancy search mix through the HTTP API (``GET /api/v1/search/vacancies/``) with
        Django's test client: URL resolution, middleware, parameter validation, the search,
        loading and serialising the page, JSON rendering — everything but the socket;
    (e) the baseline: the SQL statements the in-process search (or match) sent to the database,
        captured on its first run and executed again directly on the DB-API cursor of the same
        connection (SQLite: ``sqlite3``; PostgreSQL: psycopg with Django's client-side binding)
        — no Django at all. Every figure is also given as a ratio to the baseline of the same
        queries measured in the same run; the API's ratio is to the raw SQL of the same search.

Method
    Every query first runs ``warmup`` times untimed; then ``repeat`` rounds run every query of
    the mix once each, operation then baseline, so that both see the same machine at the same
    moment (the machine is shared). Times are ``time.perf_counter_ns``; percentiles are over all
    timed runs of a mix (linear interpolation).
"""

from __future__ import annotations

import json
import os
import platform
import re
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any, TextIO

import psycopg
from django.core.management import call_command
from django.db import connection
from django.db.models import Max, Min, Q
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from labormarket.exchange import benchdata
from labormarket.exchange.choices import CvStatus, VacancyStatus
from labormarket.exchange.matching import candidates_for_vacancy, vacancies_for_cv
from labormarket.exchange.models import Cv, Vacancy
from labormarket.exchange.search import CvQuery, VacancyQuery, cv_search, vacancy_search
from labormarket.reference.loader import load_reference_data

#: Fixed vacancies and CVs matched.
MATCH_CASES = 40
MATCH_LIMIT = 50

# Targets of issue 3, for PostgreSQL on 2 cores.
SEARCH_P95_MS = 50.0
SEARCH_COMMON_P95_MS = 150.0
MATCH_P95_MS = 100.0
API_OVER_RAW = 1.5


# --- The fixed mixes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchCase:
    """One query of a mix. ``common``: the commonest terms (their own, looser target)."""

    label: str
    common: bool
    params: dict[str, Any]
    #: ``posted_since`` this many days before today (business date).
    posted_days: int | None = None


def _v(label: str, common: bool = False, days: int | None = None, **params: Any) -> SearchCase:
    return SearchCase(label, common, params, days)


VACANCY_MIX: tuple[SearchCase, ...] = (
    # The commonest terms (titles of the top occupations, words of every description).
    _v("водитель", True, text="водитель"),
    _v("продавец", True, text="продавец"),
    _v("уборщица", True, text="уборщица"),
    _v("жүргізуші (kk)", True, text="жүргізуші"),
    _v("сатушы (kk)", True, text="сатушы"),
    _v("продавец-консультант", True, text="продавец-консультант"),
    _v("водитель категории C", True, text="водитель категории C"),
    _v("учитель", True, text="учитель"),
    _v("медицинская сестра", True, text="медицинская сестра"),
    _v("работа (in most descriptions)", True, text="работа"),
    _v("опыт (in most descriptions)", True, text="опыт"),
    _v("водитель, page 5", True, text="водитель", page=5),
    # Rare terms, Russian and Kazakh; a misspelling (PostgreSQL retries by similarity).
    _v("пчеловод", text="пчеловод"),
    _v("водолаз", text="водолаз"),
    _v("Kubernetes", text="Kubernetes"),
    _v("маркшейдер", text="маркшейдер"),
    _v("сүңгуір (kk)", text="сүңгуір"),
    _v("омарташы (kk)", text="омарташы"),
    _v("картограф", text="картограф"),
    _v("Django", text="Django"),
    _v("бухгалтр (typo)", text="бухгалтр"),
    _v("дефектолог", text="дефектолог"),
    # Terms with filters.
    _v("сварщик + region", text="сварщик", region_code="350000000"),
    _v("бухгалтер + region", text="бухгалтер", region_code="710000000"),
    _v("дәнекерлеуші + region (kk)", text="дәнекерлеуші", region_code="230000000"),
    _v("есепші + region (kk)", text="есепші", region_code="790000000"),
    _v("программист + salary", text="программист", salary_from=Decimal(500000)),
    _v(
        "водитель + region + schedule",
        text="водитель",
        region_code="750000000",
        schedule_code="shift",
    ),
    _v("электрик + posted 7 days", days=7, text="электрик"),
    _v("повар + occupation 51", text="повар", occupation_code="51"),
    _v("грузчик + temporary", text="грузчик", employment_type_code="temporary"),
    _v("учитель математики + region", text="учитель математики", region_code="610000000"),
    _v(
        "охранник + shift + salary",
        text="охранник",
        schedule_code="shift",
        salary_from=Decimal(150000),
    ),
    _v("кладовщик + district", text="кладовщик", district_code="351000000"),
    _v("медсестра + occupation 3221", text="медсестра", occupation_code="3221"),
    # Filters alone.
    _v("region Almaty", region_code="750000000"),
    _v("occupation 8322", occupation_code="8322"),
    _v("major group 7 + region", occupation_code="7", region_code="350000000"),
    _v("salary ≥ 400 000", salary_from=Decimal(400000)),
    _v("schedule rotation", schedule_code="rotation"),
    _v("posted 3 days", days=3),
    _v(
        "region + permanent + salary",
        region_code="710000000",
        employment_type_code="permanent",
        salary_from=Decimal(300000),
    ),
    _v("district Karaganda", district_code="351000000"),
    _v("everything, newest first", True),
)

CV_MIX: tuple[SearchCase, ...] = (
    _v("водитель", True, text="водитель"),
    _v("продавец", True, text="продавец"),
    _v("уборщица", True, text="уборщица"),
    _v("жүргізуші (kk)", True, text="жүргізуші"),
    _v("сатушы (kk)", True, text="сатушы"),
    _v("бухгалтер", True, text="бухгалтер"),
    _v("повар", True, text="повар"),
    _v("опыт (in most texts)", True, text="опыт"),
    _v("ответственный (in most texts)", True, text="ответственный"),
    _v("водитель категории C", True, text="водитель категории C"),
    _v("водитель, centre staff", True, text="водитель", include_centre_only=True),
    _v("продавец, page 5", True, text="продавец", page=5),
    _v("пчеловод", text="пчеловод"),
    _v("водолаз", text="водолаз"),
    _v("Kubernetes", text="Kubernetes"),
    _v("маркшейдер", text="маркшейдер"),
    _v("сүңгуір (kk)", text="сүңгуір"),
    _v("картограф", text="картограф"),
    _v("Django", text="Django"),
    _v("бухгалтр (typo)", text="бухгалтр"),
    _v("логопед", text="логопед"),
    _v("сварщик + region", text="сварщик", region_code="350000000"),
    _v("бухгалтер + region", text="бухгалтер", region_code="710000000"),
    _v("дәнекерлеуші + region (kk)", text="дәнекерлеуші", region_code="230000000"),
    _v("есепші + region (kk)", text="есепші", region_code="790000000"),
    _v("программист + salary", text="программист", salary_to=Decimal(700000)),
    _v("водитель + region + schedule", text="водитель", region_code="750000000", schedule_code="shift"),
    _v("повар + occupation 51", text="повар", occupation_code="51"),
    _v("электрик + relocate", text="электрик", ready_to_relocate=True),
    _v("учитель + region, staff", text="учитель", region_code="610000000", include_centre_only=True),
    _v("охранник + salary", text="охранник", salary_to=Decimal(200000)),
    _v("медсестра + occupation 32", text="медсестра", occupation_code="32"),
    _v("region Almaty", region_code="750000000"),
    _v("occupation 8322", occupation_code="8322"),
    _v("major group 7 + region", occupation_code="7", region_code="350000000"),
    _v("salary ≤ 150 000", salary_to=Decimal(150000)),
    _v("schedule rotation", schedule_code="rotation"),
    _v("ready to relocate", ready_to_relocate=True),
    _v("region + occupation, staff", region_code="710000000", occupation_code="2", include_centre_only=True),
    _v("region Turkistan + salary", region_code="610000000", salary_to=Decimal(250000)),
    _v("everything, newest first", True),
    _v("everything, centre staff", True, include_centre_only=True),
)  # fmt: skip


def _vacancy_query(case: SearchCase) -> VacancyQuery:
    params = dict(case.params)
    if case.posted_days is not None:
        params["posted_since"] = timezone.localdate() - timedelta(days=case.posted_days)
    return VacancyQuery(**params)


def _cv_query(case: SearchCase) -> CvQuery:
    return CvQuery(**case.params)


_API_NAMES = {
    "text": "q",
    "region_code": "region",
    "district_code": "district",
    "occupation_code": "occupation",
    "salary_from": "salary_from",
    "schedule_code": "schedule",
    "employment_type_code": "employment_type",
    "posted_since": "posted_since",
    "page": "page",
    "page_size": "page_size",
}


def _api_params(query: VacancyQuery) -> dict[str, str]:
    params: dict[str, str] = {}
    for attribute, name in _API_NAMES.items():
        value = getattr(query, attribute)
        default = getattr(VacancyQuery, attribute, None)
        if value is None or value == "" or value == default:
            continue
        params[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return params


# --- Raw SQL: the baseline -------------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    """A statement as Django handed it to the driver (``%s`` placeholders)."""

    sql: str
    params: Any
    in_transaction: bool


_QMARK = re.compile(r"(?<!%)%s")


class RawSql:
    """The captured statements, executed directly on the DB-API connection under Django:
    no ORM, no Django cursor wrapper, no query building — the floor for the same work."""

    def __init__(self, statements: Sequence[Statement]) -> None:
        self.statements = list(statements)
        sqlite = connection.vendor == "sqlite"
        self.items = [
            (
                _QMARK.sub("?", s.sql).replace("%%", "%") if sqlite else s.sql,
                tuple(s.params) if s.params is not None else (),
            )
            for s in self.statements
        ]
        # Statements that ran inside one transaction (e.g. a SET LOCAL) run inside one again,
        # unless a transaction is open already.
        self.transaction = any(s.in_transaction for s in self.statements)

    def __call__(self) -> int:
        """Run every statement and fetch every row; returns the number of rows fetched."""
        connection.ensure_connection()
        raw = connection.connection
        cursor = raw.cursor()
        rows = 0
        own_transaction = self.transaction and not connection.in_atomic_block
        try:
            if own_transaction:
                cursor.execute("BEGIN")
            for sql, params in self.items:
                cursor.execute(sql, params)
                if cursor.description is not None:
                    rows += len(cursor.fetchall())
            if own_transaction:
                cursor.execute("COMMIT")
        finally:
            cursor.close()
        return rows

    def slowest(self) -> tuple[str, Any, float]:
        """The statement that takes longest alone: (SQL for the driver, params, ms)."""
        connection.ensure_connection()
        best: tuple[str, Any, float] = ("", (), -1.0)
        cursor = connection.connection.cursor()
        try:
            for sql, params in self.items:
                started = time.perf_counter_ns()
                cursor.execute(sql, params)
                if cursor.description is not None:
                    cursor.fetchall()
                elapsed = (time.perf_counter_ns() - started) / 1e6
                if elapsed > best[2]:
                    best = (sql, params, elapsed)
        finally:
            cursor.close()
        return best


def capture(operation: Callable[[], Any]) -> tuple[Any, list[Statement]]:
    """Run ``operation`` once and return its result and the statements it sent."""
    statements: list[Statement] = []
    # Only transactions the operation opens itself count (not a test's surrounding one).
    outer = connection.in_atomic_block

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        if not many:
            inner = context["connection"].in_atomic_block and not outer
            statements.append(Statement(sql, params, inner))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        result = operation()
    return result, statements


def explain(raw: RawSql) -> list[str]:
    """The plan of the slowest statement: EXPLAIN ANALYZE (PostgreSQL) or EXPLAIN QUERY PLAN."""
    sql, params, elapsed = raw.slowest()
    if not sql:
        return []
    prefix = (
        "EXPLAIN (ANALYZE, BUFFERS) "
        if connection.vendor == "postgresql"
        else "EXPLAIN QUERY PLAN "
    )
    cursor = connection.connection.cursor()
    try:
        cursor.execute(prefix + sql, params)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    if connection.vendor == "postgresql":
        plan = [str(row[0]) for row in rows]
    else:
        plan = [f"{row[0]:>3} {row[1]:>3}  {row[-1]}" for row in rows]
    return [f"-- slowest statement alone: {elapsed:.1f} ms", *_shorten(sql), *plan]


def _shorten(sql: str, width: int = 2000) -> list[str]:
    text = " ".join(sql.split())
    return ["-- " + (text if len(text) <= width else text[:width] + " …")]


# --- Timing -----------------------------------------------------------------------------------------


def percentile(samples: Sequence[int], p: float) -> float:
    """The p-th percentile (0-100) of nanosecond samples, in milliseconds (linear
    interpolation between closest ranks)."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    value = ordered[low] + (ordered[high] - ordered[low]) * (rank - low)
    return value / 1e6


@dataclass
class Case:
    """One query (or one vacancy / CV to match), its baseline and its timings."""

    label: str
    group: str  # "common" or "other"
    operation: Callable[[], Any]
    baseline: RawSql
    info: str = ""
    timings: list[int] = field(default_factory=list)
    baseline_timings: list[int] = field(default_factory=list)


@dataclass
class Figures:
    """Percentiles (ms) of an operation and of its baseline over a set of cases."""

    label: str
    runs: int
    p50: float
    p95: float
    p99: float
    raw_p50: float
    raw_p95: float
    raw_p99: float

    @property
    def ratio_p50(self) -> float:
        return self.p50 / self.raw_p50 if self.raw_p50 else float("nan")

    @property
    def ratio_p95(self) -> float:
        return self.p95 / self.raw_p95 if self.raw_p95 else float("nan")

    @property
    def ratio_p99(self) -> float:
        return self.p99 / self.raw_p99 if self.raw_p99 else float("nan")


def figures(label: str, cases: Sequence[Case]) -> Figures:
    timings = [t for c in cases for t in c.timings]
    raw = [t for c in cases for t in c.baseline_timings]
    return Figures(
        label=label,
        runs=len(timings),
        p50=percentile(timings, 50),
        p95=percentile(timings, 95),
        p99=percentile(timings, 99),
        raw_p50=percentile(raw, 50),
        raw_p95=percentile(raw, 95),
        raw_p99=percentile(raw, 99),
    )


@dataclass
class Target:
    """A target of the issue and whether it is met (PostgreSQL only; informative elsewhere)."""

    text: str
    value: float
    limit: float
    applies: bool

    @property
    def met(self) -> bool:
        return self.value <= self.limit

    @property
    def verdict(self) -> str:
        if not self.applies:
            return "met (informative)" if self.met else "missed (informative)"
        return "**met**" if self.met else "**MISSED**"


@dataclass
class Measurement:
    key: str
    title: str
    cases: list[Case]
    note: str = ""
    rows: list[Figures] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    plan: list[str] = field(default_factory=list)
    slowest: str = ""


def _time(
    cases: Sequence[Case], *, repeat: int, warmup: int, progress: Callable[[str], None]
) -> None:
    for _ in range(warmup):
        for case in cases:
            case.operation()
            case.baseline()
    for round_number in range(repeat):
        for case in cases:
            started = time.perf_counter_ns()
            case.operation()
            case.timings.append(time.perf_counter_ns() - started)
            started = time.perf_counter_ns()
            case.baseline()
            case.baseline_timings.append(time.perf_counter_ns() - started)
        progress(f"  round {round_number + 1}/{repeat}")


# --- Building the cases ----------------------------------------------------------------------------


def vacancy_search_cases() -> list[Case]:
    cases = []
    for spec in VACANCY_MIX:
        query = _vacancy_query(spec)
        result, statements = capture(partial(vacancy_search, query))
        cases.append(
            Case(
                label=spec.label,
                group="common" if spec.common else "other",
                operation=partial(vacancy_search, query),
                baseline=RawSql(statements),
                info=f"{result.total}" + (" (similar words)" if result.fuzzy else ""),
            )
        )
    return cases


def cv_search_cases() -> list[Case]:
    cases = []
    for spec in CV_MIX:
        query = _cv_query(spec)
        result, statements = capture(partial(cv_search, query))
        cases.append(
            Case(
                label=spec.label,
                group="common" if spec.common else "other",
                operation=partial(cv_search, query),
                baseline=RawSql(statements),
                info=f"{result.total}" + (" (similar words)" if result.fuzzy else ""),
            )
        )
    return cases


def _spread(pks: Any, count: int) -> list[int]:
    """``count`` primary keys spread evenly over the id range of ``pks`` (a queryset)."""
    bounds = pks.aggregate(low=Min("pk"), high=Max("pk"))
    low, high = bounds["low"], bounds["high"]
    if low is None:
        return []
    chosen: list[int] = []
    for k in range(count):
        pk = (
            pks.filter(pk__gte=low + (high - low) * k // count)
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
        if pk is not None and pk not in chosen:
            chosen.append(pk)
    return chosen


def candidate_cases(count: int = MATCH_CASES) -> list[Case]:
    pks = _spread(Vacancy.objects.filter(status=VacancyStatus.PUBLISHED), count)
    vacancies = Vacancy.objects.select_related("occupation").in_bulk(pks)
    cases = []
    for pk in pks:
        vacancy = vacancies[pk]
        operation = partial(
            candidates_for_vacancy, vacancy, limit=MATCH_LIMIT, include_centre_only=True
        )
        matches, statements = capture(operation)
        cases.append(
            Case(
                label=f"vacancy {pk} ({vacancy.occupation.code} {vacancy.title[:30]})",
                group="other",
                operation=operation,
                baseline=RawSql(statements),
                info=f"{len(matches)}",
            )
        )
    return cases


def cv_match_cases(count: int = MATCH_CASES) -> list[Case]:
    today = timezone.localdate()
    current = Cv.objects.filter(status=CvStatus.PUBLISHED).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=today)
    )
    pks = _spread(current, count)
    cvs = Cv.objects.in_bulk(pks)
    cases = []
    for pk in pks:
        cv = cvs[pk]
        operation = partial(vacancies_for_cv, cv, limit=MATCH_LIMIT)
        matches, statements = capture(operation)
        cases.append(
            Case(
                label=f"CV {pk} ({cv.title[:30]})",
                group="other",
                operation=operation,
                baseline=RawSql(statements),
                info=f"{len(matches)}",
            )
        )
    return cases


def api_cases(search_cases: Sequence[Case]) -> tuple[list[Case], str]:
    """The vacancy mix through the HTTP API; each baseline is the raw SQL of the same search
    (``search_cases`` in the same order)."""
    client = Client(SERVER_NAME="127.0.0.1")
    try:
        url = reverse("api:search-vacancies")
        note = f"`GET {url}` with the query's parameters"
        fallback = False
    except NoReverseMatch:
        url = "/api/v1/vacancies/"
        note = f"no search endpoint: `GET {url}` (the plain list) measured instead"
        fallback = True
    cases = []
    for spec, search_case in zip(VACANCY_MIX, search_cases, strict=True):
        params = {} if fallback else _api_params(_vacancy_query(spec))

        def get(params: dict[str, str] = params) -> Any:
            response = client.get(url, params)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} {params}: HTTP {response.status_code}")
            return response

        response, statements = capture(get)
        body = json.loads(response.content)
        cases.append(
            Case(
                label=spec.label,
                group=search_case.group,
                operation=get,
                baseline=RawSql(statements) if fallback else search_case.baseline,
                info=f"{body.get('count', '?')}; {len(statements)} statements",
            )
        )
    return cases, note


# --- The run -----------------------------------------------------------------------------------------


@dataclass
class BenchConfig:
    vacancies: int = 200_000
    cvs: int = 1_000_000
    repeat: int = 10
    match_repeat: int = 5
    #: Vacancies (and CVs) matched.
    match_cases: int = MATCH_CASES
    warmup: int = 2
    seed: int = 2025
    workers: int = 2
    #: Generate the data set when it is smaller than asked.
    generate: bool = True
    #: Prepare the database (migrate, load the reference data) first.
    prepare: bool = True
    #: EXPLAIN the slowest query of each measurement.
    explain: bool = True
    #: The report file to update; None: do not write.
    output: Path | None = None


@dataclass
class BenchReport:
    started_at: Any
    vendor: str
    database: str
    database_version: str
    machine: dict[str, str]
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    data: dict[str, int] = field(default_factory=dict)
    generation: dict[str, Any] = field(default_factory=dict)
    measurements: list[Measurement] = field(default_factory=list)
    config: BenchConfig = field(default_factory=BenchConfig)
    seconds: float = 0.0


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count() or "?"),
        "memory": memory,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


#: Server settings that decide how fast the searches are, recorded with the figures.
PG_SETTINGS = ("shared_buffers", "effective_cache_size", "work_mem", "random_page_cost", "jit")


def database() -> tuple[str, str]:
    """(database name, version and the settings that matter)."""
    name = str(connection.settings_dict["NAME"])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
            values = []
            for setting in PG_SETTINGS:
                cursor.execute(f"SHOW {setting}")
                values.append(f"{setting} {cursor.fetchone()[0]}")
            version += " (" + ", ".join(values) + ")"
        else:
            version = f"SQLite {sqlite3.sqlite_version}"
            name = Path(name).name
    return name, version


def data_sizes() -> dict[str, int]:
    today = timezone.localdate()
    return {
        "vacancies": Vacancy.objects.count(),
        "published vacancies": Vacancy.objects.filter(status=VacancyStatus.PUBLISHED).count(),
        "CVs": Cv.objects.count(),
        "current published CVs": Cv.objects.filter(status=CvStatus.PUBLISHED)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        .count(),
        "CV occupation links": Cv.occupations.through.objects.count(),
        "CV region links": Cv.regions.through.objects.count(),
    }


def ensure_data(config: BenchConfig, say: Callable[[str], None]) -> dict[str, Any]:
    """Generate the data set if it is smaller than asked; the generation's figures — of this
    run, or of the run that generated the data (kept under var/bench/)."""
    counts = benchdata.generated_counts()
    if config.generate and (counts["vacancies"] < config.vacancies or counts["cvs"] < config.cvs):
        say(
            f"Generating: {config.vacancies} vacancies, {config.cvs} CVs "
            f"(have {counts['vacancies']}, {counts['cvs']}) ..."
        )
        load = os.getloadavg()
        report = benchdata.generate(
            vacancies=config.vacancies,
            cvs=config.cvs,
            seed=config.seed,
            workers=config.workers,
            progress=say,
        )
        record = benchdata.generation_record(report, workers=config.workers, load_before=load)
        if not connection.in_atomic_block:
            benchdata.save_generation_record(record)
        return {**record, "this_run": True}
    record = benchdata.last_generation_record()
    return {**record, "this_run": False} if record else {}


def measure(config: BenchConfig, say: Callable[[str], None]) -> list[Measurement]:
    postgres = connection.vendor == "postgresql"
    measurements = []

    say("Vacancy search ...")
    vacancy_cases = vacancy_search_cases()
    _time(vacancy_cases, repeat=config.repeat, warmup=config.warmup, progress=say)
    measurements.append(Measurement("vacancy_search", "Vacancy search (in process)", vacancy_cases))

    say("CV search ...")
    cv_cases = cv_search_cases()
    _time(cv_cases, repeat=config.repeat, warmup=config.warmup, progress=say)
    measurements.append(Measurement("cv_search", "CV search (in process)", cv_cases))

    say("Candidates for vacancies ...")
    candidates = candidate_cases(config.match_cases)
    _time(candidates, repeat=config.match_repeat, warmup=config.warmup, progress=say)
    measurements.append(
        Measurement("candidates", f"Top {MATCH_LIMIT} candidates for a vacancy", candidates)
    )

    say("Vacancies for CVs ...")
    cv_matches = cv_match_cases(config.match_cases)
    _time(cv_matches, repeat=config.match_repeat, warmup=config.warmup, progress=say)
    measurements.append(
        Measurement("vacancies_for_cv", f"Top {MATCH_LIMIT} vacancies for a CV", cv_matches)
    )

    say("Vacancy search through the HTTP API ...")
    api, note = api_cases(vacancy_cases)
    _time(api, repeat=config.repeat, warmup=config.warmup, progress=say)
    measurements.append(Measurement("api", "Vacancy search through the HTTP API", api, note=note))

    for m in measurements:
        common = [c for c in m.cases if c.group == "common"]
        other = [c for c in m.cases if c.group != "common"]
        m.rows.append(figures("all", m.cases))
        if common and other:
            m.rows.append(figures("commonest terms", common))
            m.rows.append(figures("other queries", other))
        by_row = {row.label: row for row in m.rows}
        if m.key in {"vacancy_search", "cv_search"}:
            m.targets.append(
                Target(
                    f"p95 ≤ {SEARCH_COMMON_P95_MS:.0f} ms, commonest terms",
                    by_row["commonest terms"].p95,
                    SEARCH_COMMON_P95_MS,
                    postgres,
                )
            )
            m.targets.append(
                Target(
                    f"p95 ≤ {SEARCH_P95_MS:.0f} ms, other queries",
                    by_row["other queries"].p95,
                    SEARCH_P95_MS,
                    postgres,
                )
            )
        elif m.key in {"candidates", "vacancies_for_cv"}:
            m.targets.append(
                Target(f"p95 ≤ {MATCH_P95_MS:.0f} ms", by_row["all"].p95, MATCH_P95_MS, postgres)
            )
        elif m.key == "api":
            m.targets.append(
                Target(
                    f"p95 ≤ {API_OVER_RAW}× raw SQL p95",
                    by_row["all"].ratio_p95,
                    API_OVER_RAW,
                    postgres,
                )
            )
        slowest = max(m.cases, key=lambda c: percentile(c.timings, 95))
        m.slowest = f"{slowest.label} (p95 {percentile(slowest.timings, 95):.1f} ms)"
        if config.explain and m.key != "api":
            try:
                m.plan = explain(slowest.baseline)
            except (sqlite3.Error, psycopg.Error) as error:  # a plan is a nicety, not a failure
                m.plan = [f"-- EXPLAIN failed: {error}"]
    return measurements


def run(config: BenchConfig, out: TextIO | None = None) -> BenchReport:
    """Prepare the database, ensure the data set, measure, print and (optionally) write."""
    began = time.perf_counter()

    def say(message: str) -> None:
        if out is not None:
            out.write(f"[{time.perf_counter() - began:7.1f} s] {message}\n")
            out.flush()

    started = time.perf_counter()
    if config.prepare:
        say("Migrating and loading the reference data ...")
        call_command("migrate", interactive=False, verbosity=0)
        load_reference_data()
    name, version = database()
    report = BenchReport(
        started_at=timezone.localtime(),
        vendor=connection.vendor,
        database=name,
        database_version=version,
        machine=machine(),
        load_before=os.getloadavg(),
        config=config,
    )
    report.generation = ensure_data(config, say)
    report.data = data_sizes()
    report.measurements = measure(config, say)
    report.load_after = os.getloadavg()
    report.seconds = time.perf_counter() - started
    say("")
    say(render_text(report))
    if config.output is not None:
        update_document(config.output, report)
        say(f"Written: {config.output}")
    return report


# --- Rendering ---------------------------------------------------------------------------------------


def _ms(value: float) -> str:
    return "—" if value != value else f"{value:.1f}"  # NaN: no samples


def _x(value: float) -> str:
    return "—" if value != value else f"{value:.2f}×"


def _load(values: Sequence[float]) -> str:
    return " / ".join(f"{v:.2f}" for v in values)


def render_text(report: BenchReport) -> str:
    """The results as a plain table for the terminal."""
    lines = [
        f"{report.database_version} — {report.database} — "
        f"{report.data.get('published vacancies', 0)} published vacancies, "
        f"{report.data.get('current published CVs', 0)} current CVs — "
        f"load {_load(report.load_before)} → {_load(report.load_after)}",
        "",
        f"{'measurement':<44}{'runs':>6}{'p50':>9}{'p95':>9}{'p99':>9}"
        f"{'raw p50':>9}{'raw p95':>9}{'×p50':>8}{'×p95':>8}",
    ]
    for m in report.measurements:
        for row in m.rows:
            label = f"{m.title}: {row.label}"[:43]
            lines.append(
                f"{label:<44}{row.runs:>6}{_ms(row.p50):>9}{_ms(row.p95):>9}{_ms(row.p99):>9}"
                f"{_ms(row.raw_p50):>9}{_ms(row.raw_p95):>9}"
                f"{_x(row.ratio_p50):>8}{_x(row.ratio_p95):>8}"
            )
    lines.append("")
    for m in report.measurements:
        for target in m.targets:
            lines.append(f"{m.title}: {target.text}: {target.value:.2f} — {target.verdict}")
    return "\n".join(lines)


def render_section(report: BenchReport) -> str:
    """This database's section of docs/benchmarks.md."""
    config = report.config
    title = "PostgreSQL" if report.vendor == "postgresql" else "SQLite"
    lines = [
        f"## {title}",
        "",
        f"Run of {report.started_at:%Y-%m-%d %H:%M} (Asia/Almaty), `python -m labormarket.bench`, "
        f"{report.seconds / 60:.1f} minutes in all.",
        "",
        "| | |",
        "|---|---|",
        f"| Machine | {report.machine['cpu']}, {report.machine['cores']} cores (`nproc`), "
        f"{report.machine['memory']} RAM, {report.machine['os']}, Python "
        f"{report.machine['python']} |",
        f"| Load average (1/5/15 min) | {_load(report.load_before)} at the start, "
        f"{_load(report.load_after)} at the end — the machine is shared with other test runs |",
        f"| Database | {report.database_version}, database `{report.database}` |",
        "| Data set | "
        + ", ".join(f"{count:,} {label}".replace(",", " ") for label, count in report.data.items())
        + " |",
        f"| Repetitions | {config.warmup} warm-up + {config.repeat} timed runs per search query, "
        f"{config.warmup} + {config.match_repeat} per match |",
    ]
    generation = report.generation
    if generation:
        created = ", ".join(
            f"{v:,} {k}".replace(",", " ") for k, v in generation["created"].items()
        )
        parts = ", ".join(f"{k} {v} s" for k, v in generation["seconds"].items())
        when = "in this run" if generation.get("this_run") else f"on {generation['at'][:16]}"
        lines.append(
            f"| Data generation | {when}: {created} in **{generation['total_seconds'] / 60:.1f} "
            f"min** ({parts}; {generation['workers']} worker processes; load "
            f"{_load(generation['load_before'])} → {_load(generation['load_after'])}) |"
        )
    lines += [
        "",
        "Times in milliseconds. *raw* is the baseline: the same SQL statements executed directly "
        "on the DB-API cursor; × is the ratio to it.",
        "",
        "| Measurement | Queries | Runs | p50 | p95 | p99 | raw p50 | raw p95 | raw p99 "
        "| × p50 | × p95 | × p99 |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for m in report.measurements:
        for row in m.rows:
            lines.append(
                f"| {m.title} | {row.label} | {row.runs} | {_ms(row.p50)} | {_ms(row.p95)} | "
                f"{_ms(row.p99)} | {_ms(row.raw_p50)} | {_ms(row.raw_p95)} | {_ms(row.raw_p99)} | "
                f"{_x(row.ratio_p50)} | {_x(row.ratio_p95)} | {_x(row.ratio_p99)} |"
            )
    applies = report.vendor == "postgresql"
    lines += [
        "",
        "Targets of issue 3 (PostgreSQL, 2 cores)"
        + ("" if applies else " — shown for information, they are set for PostgreSQL")
        + ":",
        "",
        "| Measurement | Target | Value | Result |",
        "|---|---|--:|---|",
    ]
    for m in report.measurements:
        for target in m.targets:
            value = f"{target.value:.2f}×" if "×" in target.text else f"{target.value:.1f} ms"
            lines.append(f"| {m.title} | {target.text} | {value} | {target.verdict} |")
    notes = [f"- {m.title}: {m.note}." for m in report.measurements if m.note]
    if notes:
        lines += ["", *notes]
    lines += ["", "<details><summary>Every query, and the plan of the slowest</summary>", ""]
    for m in report.measurements:
        lines += [
            f"#### {m.title}",
            "",
            "| Query | Group | Result | p50 | p95 | raw p50 | raw p95 | × p50 |",
            "|---|---|---|--:|--:|--:|--:|--:|",
        ]
        for case in m.cases:
            p50 = percentile(case.timings, 50)
            raw50 = percentile(case.baseline_timings, 50)
            lines.append(
                f"| {case.label} | {case.group} | {case.info} | {_ms(p50)} | "
                f"{_ms(percentile(case.timings, 95))} | {_ms(raw50)} | "
                f"{_ms(percentile(case.baseline_timings, 95))} | "
                f"{_x(p50 / raw50 if raw50 else float('nan'))} |"
            )
        lines += ["", f"Slowest: {m.slowest}.", ""]
        if m.plan:
            lines += ["```", *m.plan, "```", ""]
    lines += ["</details>", ""]
    return "\n".join(lines)


DOCUMENT_HEAD = """# Benchmarks

`make bench` runs `python -m labormarket.bench` against the database in `DATABASE_URL` (without
it: a separate SQLite file, `var/bench.sqlite3`). It migrates the database, loads the reference
data, generates the national-scale data set when the database holds less than asked
(`manage.py generate_exchange_data`, 200 000 vacancies and 1 000 000 CVs by default; see
`labormarket/exchange/benchdata.py`), then measures and rewrites its database's section below.

What is measured, and the baseline, are described in `labormarket/bench/exchange.py`: vacancy
search and CV search over fixed mixes of queries (the commonest terms have their own target),
top-50 candidates for 40 vacancies and top-50 vacancies for 40 CVs, the vacancy mix through
the HTTP API, and as the baseline the same SQL statements run directly on the driver's cursor.
Figures of a shared machine vary from run to run with its load, which each section records.

"""


def _markers(vendor: str) -> tuple[str, str]:
    return f"<!-- bench:{vendor}:begin -->", f"<!-- bench:{vendor}:end -->"


def update_document(path: Path, report: BenchReport) -> None:
    """Rewrite this database's section of ``path``; everything else stays as it is."""
    begin, end = _markers(report.vendor)
    block = f"{begin}\n{render_section(report)}{end}\n"
    text = path.read_text() if path.exists() else DOCUMENT_HEAD
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        text = head + block + tail.lstrip("\n")
    else:
        # PostgreSQL first, SQLite after it.
        other_begin, _ = _markers("sqlite")
        if report.vendor == "postgresql" and other_begin in text:
            head, tail = text.split(other_begin, 1)
            text = head + block + "\n" + other_begin + tail
        else:
            text = text.rstrip("\n") + "\n\n" + block
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
