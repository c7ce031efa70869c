"""A scaled-down run of the exchange benchmark (issue 3, "Benchmark"): the generator on a small
data set, then every measurement once. Nothing here asserts a time — only that the data is
valid, that each measurement gives numbers and that the report renders."""

from __future__ import annotations

import dataclasses
import math
import sys
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from labormarket.accounts.choices import OrganisationKind
from labormarket.bench import exchange as bench
from labormarket.core.bin import parse_bin
from labormarket.core.iin import parse_iin
from labormarket.exchange import benchdata
from labormarket.exchange.choices import CvSource, CvStatus, VacancyStatus
from labormarket.exchange.models import Cv, Vacancy
from labormarket.exchange.search import VacancyQuery, vacancy_search
from labormarket.registry.choices import LabourStatus
from labormarket.registry.models import Person
from labormarket.registry.services import search_name_of
from labormarket.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

VACANCIES = 300
CVS = 1000


@pytest.fixture
def small_data_set():
    return benchdata.generate(vacancies=VACANCIES, cvs=CVS, seed=7, batch_size=400)


def test_generator_makes_the_asked_numbers_once(small_data_set):
    assert (small_data_set.employers, small_data_set.vacancies) == (30, VACANCIES)
    assert (small_data_set.persons, small_data_set.cvs) == (CVS, CVS)
    again = benchdata.generate(vacancies=VACANCIES, cvs=CVS, seed=7)
    assert (again.employers, again.vacancies, again.persons, again.cvs) == (0, 0, 0, 0)
    counts = benchdata.generated_counts()
    assert {k: counts[k] for k in ("employers", "vacancies", "persons", "cvs")} == {
        "employers": 30,
        "vacancies": VACANCIES,
        "persons": CVS,
        "cvs": CVS,
    }


def test_generated_rows_are_valid(small_data_set):
    generated = list(benchdata.generated_employers())
    assert len(generated) == 30
    for organisation in generated:
        assert organisation.kind == OrganisationKind.EMPLOYER
        assert parse_bin(organisation.bin).division_digit == benchdata.BIN_DIVISION_MARK

    persons = list(benchdata.generated_persons())
    assert len({p.iin for p in persons}) == CVS
    for person in persons:
        parsed = parse_iin(person.iin)
        assert (parsed.birth_date, parsed.sex) == (person.birth_date, person.sex)
        assert int(parsed.serial) >= benchdata.IIN_SERIAL_FIRST
        assert person.labour_status == LabourStatus.JOB_SEEKER
        assert person.search_name == search_name_of(
            person.last_name, person.first_name, person.middle_name
        )

    vacancies = Vacancy.objects.select_related("locality")
    assert vacancies.count() == VACANCIES
    assert vacancies.filter(salary_min__lt=benchdata.MIN_SALARY).count() == 0
    assert vacancies.filter(status=VacancyStatus.PUBLISHED, places_open=0).count() == 0
    oldest = timezone.now() - timedelta(days=benchdata.PUBLISHED_WITHIN_DAYS, hours=2)
    assert vacancies.filter(published_at__lt=oldest).count() == 0
    for vacancy in vacancies:
        assert vacancy.locality.region_id == vacancy.region_id
        assert vacancy.salary_max is None or vacancy.salary_max >= vacancy.salary_min

    cvs = Cv.objects.annotate(
        n_occupations=Count("occupations", distinct=True), n_regions=Count("regions", distinct=True)
    )
    assert cvs.count() == CVS
    assert cvs.exclude(status=CvStatus.PUBLISHED).count() == 0
    assert cvs.filter(n_occupations__lt=1).count() + cvs.filter(n_occupations__gt=3).count() == 0
    assert cvs.filter(n_regions__lt=1).count() + cvs.filter(n_regions__gt=3).count() == 0
    # PRG-68: a CV the person posts expires at most one month after posting.
    for cv in Cv.objects.filter(source=CvSource.SELF):
        assert cv.expires_on is not None
        assert cv.expires_on <= timezone.localdate(cv.published_at) + timedelta(days=30)
    assert Cv.objects.filter(source=CvSource.CENTRE, expires_on__isnull=False).count() == 0
    assert Person.objects.filter(cvs__isnull=True, pk__in=[p.pk for p in persons]).count() == 0


@pytest.mark.parametrize("model", [Vacancy, Cv])
def test_generated_rows_are_written_oldest_first(small_data_set, model):
    # As in a table filled by use: the first quarter written is older than the last quarter.
    times = list(model.objects.order_by("pk").values_list("published_at", flat=True))
    quarter = len(times) // 4
    assert max(times[:quarter]) < min(times[-quarter:])


def test_generated_vacancies_are_found_by_the_search(small_data_set):
    published = Vacancy.objects.filter(status=VacancyStatus.PUBLISHED).count()
    assert vacancy_search(VacancyQuery()).total == published


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's match keys")
def test_generated_cvs_have_their_match_keys(small_data_set):
    """The generator writes the tables directly; the triggers still keep the match keys."""
    from labormarket.exchange import match_sql

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM exchange_cv c, LATERAL ("  # noqa: S608
            f"{match_sql._MATCH_KEY_ROWS}) q WHERE c.status = 'published'"
        )
        (expected,) = cursor.fetchone()
        cursor.execute(
            f"SELECT count(*) FROM {match_sql.MATCH_KEY_TABLE} m JOIN exchange_cv c "  # noqa: S608
            "ON c.id = m.cv_id AND c.published_at IS NOT DISTINCT FROM m.published_at "
            "AND split_part(m.key, '/', 1) IN (SELECT substr(x, 2) FROM unnest(c.facet_keys) x)"
        )
        (kept,) = cursor.fetchone()
    assert kept == expected >= CVS


def test_reset_deletes_generated_rows_only(small_data_set):
    someone = PersonFactory()
    deleted = benchdata.reset()
    assert deleted["cvs"] == CVS
    assert deleted["vacancies"] == VACANCIES
    assert deleted["persons"] == CVS
    assert deleted["employers"] == 30
    assert benchdata.generated_counts() == {
        "employers": 0,
        "vacancies": 0,
        "vacancies_published": 0,
        "persons": 0,
        "cvs": 0,
    }
    assert Person.objects.filter(pk=someone.pk).count() == 1


def test_iin_slots_round_trip():
    made = benchdata.slot_iins(0, 500)
    assert len({iin for iin, _, _ in made}) == 500
    for iin, _, _ in made[:50]:
        assert benchdata.slot_iin(benchdata.iin_slot(iin))[0] == iin  # type: ignore[index]


def test_bench_smoke_every_measurement_gives_numbers_and_the_report_renders(tmp_path):
    output = tmp_path / "benchmarks.md"
    config = bench.BenchConfig(
        vacancies=VACANCIES,
        cvs=CVS,
        repeat=1,
        match_repeat=1,
        match_cases=10,
        warmup=0,
        workers=1,
        prepare=False,
        output=output,
    )

    report = bench.run(config, out=sys.stdout)

    assert report.generation["created"] == {
        "employers": 30,
        "vacancies": VACANCIES,
        "persons": CVS,
        "CVs": CVS,
    }
    assert [m.key for m in report.measurements] == [
        "vacancy_search",
        "cv_search",
        "candidates",
        "vacancies_for_cv",
        "api",
    ]
    sizes = {m.key: len(m.cases) for m in report.measurements}
    assert sizes["vacancy_search"] == len(bench.VACANCY_MIX) == sizes["api"]
    assert sizes["cv_search"] == len(bench.CV_MIX)
    assert sizes["candidates"] == 10
    assert sizes["vacancies_for_cv"] == 10
    for measurement in report.measurements:
        for case in measurement.cases:
            assert (len(case.timings), len(case.baseline_timings)) == (1, 1), case.label
        for row in measurement.rows:
            values = (row.p50, row.p95, row.p99, row.raw_p50, row.raw_p95, row.raw_p99)
            assert all(math.isfinite(v) and v > 0 for v in values), (measurement.key, row)
        assert len(measurement.targets) == (2 if measurement.key.endswith("search") else 1)
    assert report.measurements[-1].note.startswith("`GET /api/v1/search/vacancies/`")

    text = output.read_text()
    title = "## PostgreSQL" if report.vendor == "postgresql" else "## SQLite"
    assert text.startswith("# Benchmarks\n")
    assert text.count(title) == 1
    for measurement in report.measurements:
        assert measurement.title in text
    assert "p95 ≤ 100 ms" in text
    terminal = bench.render_text(report)
    for measurement in report.measurements:
        assert f"{measurement.title}: all"[:43] in terminal

    # A second run of the other database keeps this section and adds its own.
    other = dataclasses.replace(
        report, vendor="sqlite" if report.vendor == "postgresql" else "postgresql"
    )
    bench.update_document(output, other)
    bench.update_document(output, report)
    text = output.read_text()
    assert text.count("## PostgreSQL") == 1
    assert text.count("## SQLite") == 1
    assert text.index("## PostgreSQL") < text.index("## SQLite")
