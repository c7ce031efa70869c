"""Explainable matching of vacancies and CVs (PRG-71): scores, hard conditions, query counts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone, translation

from labormarket.exchange import match_sql, matching, services
from labormarket.exchange.choices import CvStatus, CvVisibility
from labormarket.exchange.matching import (
    Criterion,
    Excluded,
    Match,
    Reason,
    candidates_for_vacancy,
    match_pair,
    vacancies_for_cv,
    vacancies_for_person,
)
from labormarket.exchange.models import Cv, Vacancy
from labormarket.exchange.tests.conftest import cv_data, vacancy_data
from labormarket.reference.models import DisabilityGroup, EducationLevel, Occupation, Region
from labormarket.registry import services as registry_services
from labormarket.registry.models import EducationRecord
from labormarket.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

KARAGANDA = "350000000"
AKMOLA = "110000000"
KARAGANDA_CITY = "351000000"
KOKSHETAU = "111000000"  # город Кокшетау, Akmola Region


@pytest.fixture(autouse=True)
def _english():
    """Explanations are compared in English, whatever the test settings' language."""
    with translation.override("en"):
        yield


@pytest.fixture
def make_vacancy(employer_manager, employer):
    def make(*, publish: bool = True, **overrides) -> Vacancy:
        vacancy = services.vacancy_create(
            actor=employer_manager, employer_id=employer.pk, data=vacancy_data(**overrides)
        )
        if publish:
            vacancy = services.vacancy_publish(actor=employer_manager, vacancy_id=vacancy.pk)
        return vacancy

    return make


@pytest.fixture
def make_cv(specialist, centre):
    def make(
        *,
        person=None,
        education: str | None = None,
        disability: str | None = None,
        publish: bool = True,
        **overrides,
    ) -> Cv:
        if person is None:
            person = PersonFactory(
                disability_group=(
                    DisabilityGroup.objects.get(code=disability) if disability else None
                )
            )
            registry_services.person_register_job_seeker(
                actor=specialist, person_id=person.pk, organisation=centre
            )
            if education:
                EducationRecord.objects.create(
                    person=person,
                    level=EducationLevel.objects.get(code=education),
                    institution="Карагандинский строительный колледж",
                )
        cv = services.cv_create(actor=specialist, person_id=person.pk, data=cv_data(**overrides))
        if publish:
            cv = services.cv_publish(actor=specialist, cv_id=cv.pk)
        return cv

    return make


def scores(matches: list[Match]) -> list[tuple[int, float]]:
    return [(m.cv_id, m.score) for m in matches]


# --- The score and its explanation ---------------------------------------------------------------


def test_prg_71_exact_score_and_breakdown_of_a_hand_built_pair(make_vacancy, make_cv):
    vacancy = make_vacancy(
        education_min_code="tvet",
        experience_years_min=3,
        salary_min=Decimal("250000"),
        salary_max=Decimal("350000"),
    )
    cv = make_cv(
        occupation_codes=["7113"],
        education="general_secondary",
        experience_years=2,
        expected_salary=Decimal("400000"),
        skills=["Кладка кирпича", "сварка"],
        schedule_code="full_day",
    )

    (match,) = candidates_for_vacancy(vacancy)

    assert (match.cv_id, match.vacancy_id, match.person_id) == (cv.pk, vacancy.pk, cv.person_id)
    assert match.criteria == (
        Criterion(
            "qualification",
            0.7,
            35,
            24.5,
            "Same minor group 711: wants 7113, the vacancy is 7112",
        ),
        Criterion(
            "education",
            0.5,
            10,
            5.0,
            "Needs Technical and vocational education (TVET), has General secondary education",
        ),
        Criterion("experience", 0.667, 15, 10.0, "Needs 3 years, has 2"),
        Criterion("region", 1.0, 10, 10.0, "Karaganda Region is one of the person's regions"),
        Criterion("transport", 1.0, 5, 5.0, "Reachable by public transport"),
        # 400 000 / 350 000 = 1.142857: (1.5 - 1.142857) / 0.5 = 0.714
        Criterion(
            "salary",
            0.714,
            15,
            10.7,
            "Expects 400 000 KZT, the vacancy pays up to 350 000 KZT",
        ),
        Criterion("skills", 0.5, 10, 5.0, "Has 1 of 2 required skills; missing: чтение чертежей"),
    )
    assert match.score == 70.2
    assert round(sum(c.points for c in match.criteria), 1) == match.score
    assert sum(c.weight for c in match.criteria) == 100


def test_a_perfect_pair_scores_100(make_vacancy, make_cv):
    vacancy = make_vacancy(education_min_code="tvet", experience_years_min=3)
    make_cv(
        education="higher",
        experience_years=5,
        skills=["кладка кирпича", "ЧТЕНИЕ ЧЕРТЁЖЕЙ"],
        expected_salary=Decimal("350000"),
    )

    (match,) = candidates_for_vacancy(vacancy)

    assert match.score == 100.0
    assert [(c.code, c.explanation) for c in match.criteria] == [
        ("qualification", "Same occupation 7112"),
        (
            "education",
            "Needs Technical and vocational education (TVET), "
            "has Higher education (bachelor's degree)",
        ),
        ("experience", "Needs 3 years, has 5"),
        ("region", "Karaganda Region is one of the person's regions"),
        ("transport", "Reachable by public transport"),
        ("salary", "Expects 350 000 KZT, the vacancy pays up to 350 000 KZT"),
        ("skills", "Has all 2 required skills"),
    ]


@pytest.mark.parametrize(
    ("expected", "salary_max", "score", "explanation"),
    [
        ("300000", "350000", 1.0, "Expects 300 000 KZT, the vacancy pays up to 350 000 KZT"),
        ("437500", "350000", 0.5, "Expects 437 500 KZT, the vacancy pays up to 350 000 KZT"),
        ("525000", "350000", 0.0, "Expects 525 000 KZT, the vacancy pays up to 350 000 KZT"),
        ("900000", "350000", 0.0, "Expects 900 000 KZT, the vacancy pays up to 350 000 KZT"),
        # Without an upper bound the lower one is what the vacancy pays.
        ("300000", None, 0.6, "Expects 300 000 KZT, the vacancy pays 250 000 KZT"),
        (None, "350000", 1.0, "No expected salary stated; pays 350 000 KZT"),
    ],
)
def test_salary_fit_falls_linearly_to_zero_at_one_and_a_half_times_the_pay(
    make_vacancy, make_cv, expected, salary_max, score, explanation
):
    vacancy = make_vacancy(
        salary_min=Decimal("250000"),
        salary_max=Decimal(salary_max) if salary_max else None,
    )
    cv = make_cv(expected_salary=Decimal(expected) if expected else None)

    salary = match_pair(vacancy, cv).criterion("salary")

    assert (salary.score, salary.points, salary.explanation) == (score, score * 15, explanation)


@pytest.mark.parametrize(
    ("required", "has", "score", "explanation"),
    [
        ("", None, 1.0, "No education requirement"),
        ("tvet", "post_secondary", 1.0, None),
        ("tvet", "tvet", 1.0, None),
        ("tvet", "general_secondary", 0.5, None),
        ("tvet", "basic_secondary", 0.0, None),
        (
            "tvet",
            None,
            0.0,
            "Needs Technical and vocational education (TVET), no education on record",
        ),
    ],
)
def test_education_meets_one_level_below_or_not(
    make_vacancy, make_cv, required, has, score, explanation
):
    vacancy = make_vacancy(education_min_code=required)
    cv = make_cv(education=has)

    education = match_pair(vacancy, cv).criterion("education")

    assert education.score == score
    if explanation:
        assert education.explanation == explanation


def test_the_highest_education_on_record_counts(make_vacancy, make_cv):
    vacancy = make_vacancy(education_min_code="higher")
    cv = make_cv(education="general_secondary")
    EducationRecord.objects.create(
        person=cv.person, level=EducationLevel.objects.get(code="master"), institution="КарГУ"
    )

    assert match_pair(vacancy, cv).criterion("education").score == 1.0


def test_no_experience_required_and_experience_ratio(make_vacancy, make_cv):
    none_required = make_vacancy()
    five_required = make_vacancy(experience_years_min=5)
    cv = make_cv(experience_years=2)

    assert match_pair(none_required, cv).criterion("experience") == Criterion(
        "experience", 1.0, 15, 15.0, "No experience required, has 2 years"
    )
    assert match_pair(five_required, cv).criterion("experience") == Criterion(
        "experience", 0.4, 15, 6.0, "Needs 5 years, has 2"
    )


def test_transport_and_relocation_with_or_without_housing(make_vacancy, make_cv):
    reachable = make_vacancy()
    remote_camp = make_vacancy(transport_accessible=False, housing_offered=True)
    remote = make_vacancy(transport_accessible=False)
    from_akmola = make_cv(region_codes=[AKMOLA], ready_to_relocate=True)

    def region_and_transport(vacancy):
        match = match_pair(vacancy, from_akmola)
        return match.criterion("region"), match.criterion("transport")

    assert region_and_transport(reachable) == (
        Criterion(
            "region", 0.6, 10, 6.0, "Ready to relocate to Karaganda Region; no housing offered"
        ),
        Criterion("transport", 1.0, 5, 5.0, "Reachable by public transport"),
    )
    assert region_and_transport(remote_camp) == (
        Criterion(
            "region",
            0.8,
            10,
            8.0,
            "Ready to relocate to Karaganda Region; the employer offers housing",
        ),
        Criterion(
            "transport",
            0.5,
            5,
            2.5,
            "Not reachable by public transport; the employer offers housing",
        ),
    )
    assert region_and_transport(remote)[1] == Criterion(
        "transport", 0.0, 5, 0.0, "Not reachable by public transport"
    )


def test_skills_without_requirements_score_full(make_vacancy, make_cv):
    vacancy = make_vacancy(skills=[])
    cv = make_cv(skills=[])

    assert match_pair(vacancy, cv).criterion("skills") == Criterion(
        "skills", 1.0, 10, 10.0, "No skills required"
    )


# --- Qualification and ordering -----------------------------------------------------------------


def test_prg_71_better_qualification_ranks_first_and_far_occupations_are_not_candidates(
    make_vacancy, make_cv
):
    vacancy = make_vacancy(occupation_code="7112")
    roofer = make_cv(occupation_codes=["7121"])  # same sub-major group 71
    stonemason = make_cv(occupation_codes=["7113"])  # same minor group 711
    bricklayer = make_cv(occupation_codes=["7112"])  # same unit group
    moulder = make_cv(occupation_codes=["7211"])  # same major group 7 only
    developer = make_cv(occupation_codes=["2512"])  # another major group

    matches = candidates_for_vacancy(vacancy)

    assert scores(matches) == [(bricklayer.pk, 95.0), (stonemason.pk, 84.5), (roofer.pk, 74.0)]
    assert [m.criterion("qualification").explanation for m in matches] == [
        "Same occupation 7112",
        "Same minor group 711: wants 7113, the vacancy is 7112",
        "Same sub-major group 71: wants 7121, the vacancy is 7112",
    ]
    # Only the same major group: scored when asked about, never generated in the lists.
    moulder_match = match_pair(vacancy, moulder)
    assert isinstance(moulder_match, Match)
    assert moulder_match.criterion("qualification") == Criterion(
        "qualification", 0.15, 35, 5.2, "Same major group 7: wants 7211, the vacancy is 7112"
    )
    assert match_pair(vacancy, developer) == Excluded(
        cv_id=developer.pk,
        vacancy_id=vacancy.pk,
        person_id=developer.person_id,
        reasons=(Reason("qualification", "No desired occupation in the major group 7"),),
    )


def test_the_closest_of_the_desired_occupations_counts(make_vacancy, make_cv):
    vacancy = make_vacancy(occupation_code="7112")
    cv = make_cv(occupation_codes=["7121", "7113", "2512"])

    assert match_pair(vacancy, cv).criterion("qualification").score == 0.7


def test_nkz_occupations_in_the_same_unit_group_are_a_full_match(make_vacancy, make_cv):
    unit_group = Occupation.objects.get(code="7112")
    Occupation.objects.create(
        code="7112001", level=5, parent=unit_group, name_ru="Каменщик", name_en="Bricklayer"
    )
    Occupation.objects.create(
        code="7112002",
        level=5,
        parent=unit_group,
        name_ru="Печник",
        name_en="Stove builder",
    )
    vacancy = make_vacancy(occupation_code="7112001")
    stove_builder = make_cv(occupation_codes=["7112002"])
    bricklayer = make_cv(occupation_codes=["7112"])

    matches = candidates_for_vacancy(vacancy)

    assert [(m.cv_id, m.criterion("qualification")) for m in matches] == [
        (
            bricklayer.pk,
            Criterion(
                "qualification",
                1.0,
                35,
                35.0,
                "Same unit group 7112: wants 7112, the vacancy is 7112001",
            ),
        ),
        (
            stove_builder.pk,
            Criterion(
                "qualification",
                1.0,
                35,
                35.0,
                "Same unit group 7112: wants 7112002, the vacancy is 7112001",
            ),
        ),
    ]


def test_limit_is_respected_and_keeps_the_best(make_vacancy, make_cv):
    vacancy = make_vacancy()
    roofer = make_cv(occupation_codes=["7121"])
    bricklayer = make_cv(occupation_codes=["7112"])
    stonemason = make_cv(occupation_codes=["7113"])
    plasterer = make_cv(occupation_codes=["7123"])

    assert scores(candidates_for_vacancy(vacancy, limit=2)) == [
        (bricklayer.pk, 95.0),
        (stonemason.pk, 84.5),
    ]
    assert len(candidates_for_vacancy(vacancy)) == 4
    # Equal scores: the newer CV first.
    assert [m.cv_id for m in candidates_for_vacancy(vacancy, limit=3)] == [
        bricklayer.pk,
        stonemason.pk,
        plasterer.pk,
    ]
    assert candidates_for_vacancy(vacancy)[3].cv_id == roofer.pk

    cv = make_cv()
    make_vacancy(occupation_code="7121")
    unit_group = make_vacancy(occupation_code="7112")
    make_vacancy(occupation_code="7113")
    assert [m.vacancy_id for m in vacancies_for_cv(cv, limit=2)] == [unit_group.pk, vacancy.pk]


def test_a_person_with_two_cvs_is_one_candidate_with_the_better_cv(
    make_vacancy, make_cv, job_seeker
):
    vacancy = make_vacancy()
    roofer_cv = make_cv(person=job_seeker, occupation_codes=["7121"])
    bricklayer_cv = make_cv(person=job_seeker, occupation_codes=["7112"])

    assert scores(candidates_for_vacancy(vacancy)) == [(bricklayer_cv.pk, 95.0)]
    assert match_pair(vacancy, roofer_cv).score == 74.0


def test_vacancies_for_a_person_use_every_published_cv_once_per_vacancy(
    make_vacancy, make_cv, job_seeker
):
    bricklayer_job = make_vacancy(occupation_code="7112")
    developer_job = make_vacancy(occupation_code="2512", skills=[])
    make_vacancy(occupation_code="5120", title="Повар")
    bricklayer_cv = make_cv(person=job_seeker, occupation_codes=["7112", "7113"])
    developer_cv = make_cv(person=job_seeker, occupation_codes=["2512"])
    make_cv(person=job_seeker, occupation_codes=["5120"], publish=False)

    matches = vacancies_for_person(job_seeker)

    assert [(m.vacancy_id, m.cv_id, m.score) for m in matches] == [
        (developer_job.pk, developer_cv.pk, 100.0),
        (bricklayer_job.pk, bricklayer_cv.pk, 95.0),
    ]


# --- Symmetry ------------------------------------------------------------------------------------


def test_the_vacancy_to_cv_score_equals_the_cv_to_vacancy_score(make_vacancy, make_cv):
    vacancy = make_vacancy(
        education_min_code="tvet",
        experience_years_min=4,
        transport_accessible=False,
        housing_offered=True,
    )
    cvs = [
        make_cv(occupation_codes=["7113"], education="tvet", experience_years=1),
        make_cv(
            occupation_codes=["7121", "7112"],
            region_codes=[AKMOLA],
            ready_to_relocate=True,
            expected_salary=Decimal("420000"),
        ),
        make_cv(occupation_codes=["7123"], skills=["чтение чертежей"], education="primary"),
    ]

    by_vacancy = {m.cv_id: m for m in candidates_for_vacancy(vacancy)}

    assert set(by_vacancy) == {cv.pk for cv in cvs}
    for cv in cvs:
        (by_cv,) = vacancies_for_cv(cv)
        assert by_cv == by_vacancy[cv.pk]
        assert match_pair(vacancy, cv) == by_cv


# --- Hard conditions ------------------------------------------------------------------------------


def both_directions(vacancy: Vacancy, cv: Cv) -> tuple[bool, bool]:
    """Whether the CV is among the vacancy's candidates, and the vacancy among the CV's."""
    return (
        cv.pk in {m.cv_id for m in candidates_for_vacancy(vacancy)},
        vacancy.pk in {m.vacancy_id for m in vacancies_for_cv(cv)},
    )


@pytest.mark.parametrize(
    ("cv_schedule", "vacancy_schedule", "fits"),
    [
        ("shift", "full_day", False),
        ("full_day", "full_day", True),
        ("", "full_day", True),
        ("flexible", "full_day", True),
        ("shift", "flexible", True),
    ],
)
def test_prg_71_working_time_regime_is_a_hard_condition(
    make_vacancy, make_cv, cv_schedule, vacancy_schedule, fits
):
    vacancy = make_vacancy(schedule_code=vacancy_schedule)
    cv = make_cv(schedule_code=cv_schedule)

    assert both_directions(vacancy, cv) == (fits, fits)
    if not fits:
        assert match_pair(vacancy, cv).reasons == (
            Reason(
                "schedule",
                "Wants the regime “Shift work”, the vacancy has “Full working day”",
            ),
        )


@pytest.mark.parametrize("suitable", [False, True])
def test_prg_71_health_a_person_with_a_disability_only_fits_suitable_vacancies(
    make_vacancy, make_cv, suitable
):
    vacancy = make_vacancy(suitable_for_disability=suitable)
    cv = make_cv(disability="group_3")

    assert both_directions(vacancy, cv) == (suitable, suitable)
    if not suitable:
        assert [r.code for r in match_pair(vacancy, cv).reasons] == ["disability"]


def test_prg_71_health_limits_exclude_vacancies_with_health_restrictions(make_vacancy, make_cv):
    at_height = make_vacancy(health_restrictions="Работа на высоте")
    ground_floor = make_vacancy()
    limited = make_cv(health_limits="Противопоказана работа на высоте")
    healthy = make_cv()

    assert both_directions(at_height, limited) == (False, False)
    assert both_directions(ground_floor, limited) == (True, True)
    assert both_directions(at_height, healthy) == (True, True)
    assert match_pair(at_height, limited).reasons == (
        Reason(
            "health",
            "Health limitations “Противопоказана работа на высоте” against the restrictions "
            "“Работа на высоте”",
        ),
    )


def test_a_region_outside_the_cv_needs_readiness_to_relocate(make_vacancy, make_cv):
    in_karaganda = make_vacancy()
    in_kokshetau = make_vacancy(locality_code=KOKSHETAU)
    stays_home = make_cv(region_codes=[KARAGANDA])
    would_move = make_cv(region_codes=[KARAGANDA], ready_to_relocate=True)

    assert both_directions(in_kokshetau, stays_home) == (False, False)
    assert both_directions(in_karaganda, stays_home) == (True, True)
    assert both_directions(in_kokshetau, would_move) == (True, True)
    assert match_pair(in_kokshetau, stays_home).reasons == (
        Reason(
            "region",
            "Akmola Region is not among the person's regions and they would not relocate",
        ),
    )
    assert match_pair(in_kokshetau, would_move).criterion("region").score == 0.6


def test_drafts_closed_and_expired_cvs_and_vacancies_take_no_part(
    make_vacancy, make_cv, employer_manager
):
    vacancy = make_vacancy()
    draft_cv = make_cv(publish=False)
    closed_cv = make_cv()
    Cv.objects.filter(pk=closed_cv.pk).update(status=CvStatus.CLOSED)
    # Past its expiry date, not yet taken off by the daily PRG-68 task.
    expired_cv = make_cv()
    Cv.objects.filter(pk=expired_cv.pk).update(expires_on=timezone.localdate() - timedelta(days=1))
    live_cv = make_cv()
    draft_vacancy = make_vacancy(publish=False)
    closed_vacancy = make_vacancy()
    services.vacancy_close(actor=employer_manager, vacancy_id=closed_vacancy.pk)

    assert [m.cv_id for m in candidates_for_vacancy(vacancy)] == [live_cv.pk]
    assert candidates_for_vacancy(draft_vacancy) == []
    assert candidates_for_vacancy(closed_vacancy) == []
    assert [m.vacancy_id for m in vacancies_for_cv(live_cv)] == [vacancy.pk]
    for cv in (draft_cv, closed_cv, expired_cv):
        assert vacancies_for_cv(cv) == []
    assert [r.code for r in match_pair(closed_vacancy, closed_cv).reasons] == [
        "vacancy_not_published",
        "cv_not_published",
    ]


def test_cvs_visible_to_centres_only_can_be_left_out(make_vacancy, make_cv):
    vacancy = make_vacancy()
    centres_only = make_cv()
    public = make_cv()
    Cv.objects.filter(pk=public.pk).update(visibility=CvVisibility.PUBLIC)

    assert {m.cv_id for m in candidates_for_vacancy(vacancy)} == {centres_only.pk, public.pk}
    assert [m.cv_id for m in candidates_for_vacancy(vacancy, include_centre_only=False)] == [
        public.pk
    ]


def test_the_pool_is_capped_newest_first(make_vacancy, make_cv, monkeypatch):
    vacancy = make_vacancy()
    oldest = make_cv()
    middle = make_cv()
    newest = make_cv()
    Cv.objects.filter(pk=oldest.pk).update(published_at=timezone.now() - timedelta(days=9))
    Cv.objects.filter(pk=newest.pk).update(published_at=timezone.now() + timedelta(seconds=1))
    monkeypatch.setattr(matching, "POOL_SIZE", 2)

    assert {m.cv_id for m in candidates_for_vacancy(vacancy)} == {middle.pk, newest.pk}


# --- Query counts ---------------------------------------------------------------------------------


def test_matching_runs_a_fixed_number_of_queries(
    make_vacancy, make_cv, job_seeker, django_assert_num_queries
):
    # PostgreSQL ranks the pool in SQL (match_sql): one statement more, then only the rows
    # kept are fetched.
    ranking = 1 if connection.vendor == "postgresql" else 0
    vacancy = make_vacancy()
    cv = make_cv(person=job_seeker, education="tvet")

    with django_assert_num_queries(5 + ranking):
        assert len(candidates_for_vacancy(vacancy)) == 1
    with django_assert_num_queries(6 + ranking):
        assert len(vacancies_for_cv(cv)) == 1

    for code in ("7112", "7113", "7121", "7123", "7131", "7112"):
        make_cv(occupation_codes=[code], education="higher", region_codes=[AKMOLA, KARAGANDA])
        make_vacancy(occupation_code=code)
    make_cv(person=job_seeker, occupation_codes=["7121"])

    # vacancy; the education ladder; [the ranking;] the CV pool (or the rows kept); their
    # occupations; the persons' education
    with django_assert_num_queries(5 + ranking):
        assert len(candidates_for_vacancy(vacancy)) == 7
    # the CVs; their occupations; the persons' education; their regions; the education ladder;
    # [the ranking;] the vacancy pool (or the rows kept)
    with django_assert_num_queries(6 + ranking):
        assert len(vacancies_for_cv(cv)) == 7
    with django_assert_num_queries(6 + ranking):
        assert len(vacancies_for_person(job_seeker)) == 7


# --- PostgreSQL: the pools and the score in SQL (match_sql) -----------------------------------

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL ranks the pools in SQL"
)


def _varied_pairs(make_vacancy, make_cv):
    """Vacancies and CVs that differ in every scored criterion (and some hard conditions)."""
    vacancies = [
        make_vacancy(),
        make_vacancy(
            occupation_code="7113",
            education_min_code="tvet",
            experience_years_min=3,
            salary_max=None,
            skills=["Кладка кирпича", "сварка", "чтение чертежей", "штукатурка", "Ёмкости"],
            transport_accessible=False,
            housing_offered=True,
        ),
        make_vacancy(
            occupation_code="7121",
            locality_code=KOKSHETAU,
            education_min_code="higher",
            experience_years_min=7,
            transport_accessible=False,
            skills=[],
            schedule_code="flexible",
        ),
        make_vacancy(occupation_code="7112", salary_min=Decimal("90000"), salary_max=None),
    ]
    cvs = [
        make_cv(),
        make_cv(occupation_codes=["7113"], education="tvet", experience_years=2),
        make_cv(
            occupation_codes=["7121", "7112"],
            region_codes=[AKMOLA],
            ready_to_relocate=True,
            expected_salary=Decimal("420000"),
            skills=["кладка кирпича", "ёмкости", "Сварка"],
        ),
        make_cv(occupation_codes=["7123"], skills=["чтение чертежей"], education="primary"),
        make_cv(
            occupation_codes=["7131"],
            region_codes=[AKMOLA, KARAGANDA],
            expected_salary=Decimal("95000"),
            experience_years=10,
            education="higher",
            schedule_code="shift",
        ),
        make_cv(occupation_codes=["7112"], expected_salary=Decimal("1000000")),
    ]
    return vacancies, cvs


@postgres_only
def test_sql_scores_equal_the_python_scores_of_every_pair(make_vacancy, make_cv):
    vacancies, cvs = _varied_pairs(make_vacancy, make_cv)
    ladder = matching._ladder().sort_orders
    today = timezone.localdate()
    for vacancy in vacancies:
        row = Vacancy.objects.filter(pk=vacancy.pk).values(*matching._VACANCY_COLUMNS).get()
        v = matching._vacancy_facts(row, "en")
        statement = match_sql.candidates(
            v, include_centre_only=True, today=today, pool_size=100, limit=100, ladder=ladder
        )
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, statement.params)
            by_sql = {cv_id: float(score) for cv_id, score in cursor.fetchall()}
        expected = {}
        for cv in cvs:
            pair = match_pair(vacancy, cv)
            if (
                isinstance(pair, Match)
                and cv.occupations.filter(code__startswith=v.occupation_code[:2]).exists()
            ):
                expected[cv.pk] = pair.score
        assert by_sql == expected, vacancy
    for cv in cvs:
        rows = list(Cv.objects.filter(pk=cv.pk).values(*matching._CV_COLUMNS))
        facts = matching._cv_facts(rows, matching._cv_regions([cv.pk]), today)
        statement = match_sql.vacancies(facts, pool_size=100, limit=100, ladder=ladder)
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, statement.params)
            by_sql = {vacancy_id: float(score) for vacancy_id, score in cursor.fetchall()}
        expected = {}
        for vacancy in vacancies:
            pair = match_pair(vacancy, cv)
            if (
                isinstance(pair, Match)
                and cv.occupations.filter(code__startswith=vacancy.occupation.code[:2]).exists()
            ):
                expected[vacancy.pk] = pair.score
        assert by_sql == expected, cv


@postgres_only
def test_the_sql_ranking_gives_the_lists_of_the_python_ranking(make_vacancy, make_cv, monkeypatch):
    vacancies, cvs = _varied_pairs(make_vacancy, make_cv)
    by_sql = [candidates_for_vacancy(v, limit=3) for v in vacancies]
    by_sql_cv = [vacancies_for_cv(cv, limit=2) for cv in cvs]
    monkeypatch.setattr(matching, "_postgres", lambda model: False)

    assert by_sql == [candidates_for_vacancy(v, limit=3) for v in vacancies]
    assert by_sql_cv == [vacancies_for_cv(cv, limit=2) for cv in cvs]


def _match_keys(cv: Cv) -> set[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT key, published_at, person_id, is_public, expires_on, schedule_id, "  # noqa: S608
            f"has_health_limits FROM {match_sql.MATCH_KEY_TABLE} WHERE cv_id = %s",
            [cv.pk],
        )
        return set(cursor.fetchall())


@postgres_only
def test_match_keys_follow_every_write_of_a_cv(make_cv, specialist):
    cv = make_cv(publish=False, occupation_codes=["7112", "7121"], region_codes=[KARAGANDA])
    assert _match_keys(cv) == set()

    cv = services.cv_publish(actor=specialist, cv_id=cv.pk)
    keys = _match_keys(cv)
    assert {k[0] for k in keys} == {"71/" + KARAGANDA}
    assert {k[1:] for k in keys} == {
        (cv.published_at, cv.person_id, False, cv.expires_on, cv.schedule_id, False)
    }

    cv.regions.add(*Region.objects.filter(kato_code=AKMOLA))
    Cv.objects.filter(pk=cv.pk).update(ready_to_relocate=True, health_limits="нет")
    assert {k[0] for k in _match_keys(cv)} == {"71/" + KARAGANDA, "71/" + AKMOLA, "71/*"}
    assert {k[-1] for k in _match_keys(cv)} == {True}

    cv.occupations.set(Occupation.objects.filter(code="5223"))
    assert {k[0] for k in _match_keys(cv)} == {"52/" + KARAGANDA, "52/" + AKMOLA, "52/*"}

    Cv.objects.filter(pk=cv.pk).update(status=CvStatus.CLOSED)
    assert _match_keys(cv) == set()
    Cv.objects.filter(pk=cv.pk).update(status=CvStatus.PUBLISHED)
    assert len(_match_keys(cv)) == 3
    Cv.objects.filter(pk=cv.pk).delete()
    assert _match_keys(cv) == set()
