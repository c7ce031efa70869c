"""Search of vacancies and CVs (``exchange/search.py``): the same results on SQLite and PostgreSQL.

Every test but the few marked PostgreSQL-only runs unchanged on both databases: the same query
string gives the same ids in the same order.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from labormarket.accounts.choices import OrganisationKind
from labormarket.accounts.tests.factories import OrganisationFactory, UserFactory
from labormarket.core.calendar import business_time_zone, business_today
from labormarket.exchange import search
from labormarket.exchange.choices import CvSource, CvStatus, CvVisibility, VacancyStatus
from labormarket.exchange.models import Cv, Vacancy
from labormarket.exchange.search import (
    CvQuery,
    SearchResult,
    VacancyQuery,
    cv_search,
    cvs_for,
    search_groups,
    vacancies_for,
    vacancy_search,
)
from labormarket.reference.models import (
    EmploymentType,
    KatoUnit,
    Occupation,
    Region,
    WorkSchedule,
)
from labormarket.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL behaviour (stemming, trigrams)"
)

#: A fixed "now" for published_at: day 0 of the data set, in Almaty.
DAY0 = datetime(2026, 3, 2, 10, 0, tzinfo=business_time_zone())


@pytest.fixture
def employer():
    return OrganisationFactory(kind=OrganisationKind.EMPLOYER)


@pytest.fixture
def author():
    return UserFactory()


@pytest.fixture
def make_vacancy(employer, author):
    def make(
        title: str,
        *,
        description: str = "",
        skills: list[str] | None = None,
        locality: str = "351000000",
        occupation: str = "7112",
        schedule: str = "full_day",
        employment_type: str = "permanent",
        salary_min: str = "200000",
        salary_max: str | None = None,
        status: str = VacancyStatus.PUBLISHED,
        days_ago: float = 0,
    ) -> Vacancy:
        unit = KatoUnit.objects.get(code=locality)
        published = status != VacancyStatus.DRAFT
        return Vacancy.objects.create(
            employer=employer,
            occupation=Occupation.objects.get(code=occupation),
            title=title,
            description=description,
            region_id=unit.region_id,
            locality=unit,
            salary_min=Decimal(salary_min),
            salary_max=Decimal(salary_max) if salary_max else None,
            schedule=WorkSchedule.objects.get(code=schedule),
            employment_type=EmploymentType.objects.get(code=employment_type),
            places_total=1,
            places_open=1,
            skills=skills or [],
            status=status,
            published_at=DAY0 - timedelta(days=days_ago) if published else None,
            created_by=author,
        )

    return make


@pytest.fixture
def make_cv(author):
    def make(
        title: str,
        *,
        about: str = "",
        skills: list[str] | None = None,
        occupations: tuple[str, ...] = ("7112",),
        regions: tuple[str, ...] = ("350000000",),
        expected_salary: str | None = "250000",
        schedule: str | None = "full_day",
        ready_to_relocate: bool = False,
        visibility: str = CvVisibility.PUBLIC,
        status: str = CvStatus.PUBLISHED,
        expires_on: date | None = None,
        days_ago: float = 0,
    ) -> Cv:
        cv = Cv.objects.create(
            person=PersonFactory(),
            source=CvSource.CENTRE,
            title=title,
            about=about,
            skills=skills or [],
            expected_salary=Decimal(expected_salary) if expected_salary else None,
            schedule=WorkSchedule.objects.get(code=schedule) if schedule else None,
            ready_to_relocate=ready_to_relocate,
            visibility=visibility,
            status=status,
            expires_on=expires_on,
            published_at=DAY0 - timedelta(days=days_ago),
            created_by=author,
        )
        cv.occupations.set(Occupation.objects.filter(code__in=occupations))
        cv.regions.set(Region.objects.filter(kato_code__in=regions))
        return cv

    return make


@pytest.fixture
def vacancies(make_vacancy):
    """A small exchange: bricklayers in Karaganda region, a Kazakh-language driver's vacancy in
    Astana, an accountant in Akmola region, and a draft and a closed vacancy that never show."""
    return {
        "bricklayer": make_vacancy(
            "Каменщик",
            description="Строительство жилого дома",
            skills=["кладка кирпича", "чтение чертежей"],
            salary_min="250000",
            salary_max="350000",
            days_ago=1,
        ),
        "builder": make_vacancy(
            "Строитель",
            description="Бригада на объекте",
            skills=["каменщик", "бетонные работы"],
            occupation="7115",
            salary_min="280000",
            days_ago=2,
        ),
        "helper": make_vacancy(
            "Подсобный рабочий",
            description="Помощь каменщику, подача раствора",
            locality="354820100",  # город Каркаралинск, below Каркаралинский район
            occupation="9313",
            schedule="shift",
            employment_type="temporary",
            salary_min="150000",
            days_ago=3,
        ),
        "driver": make_vacancy(
            "Жүргізуші",
            description="Қалада жүк тасымалдау, ұзақ рейстер",
            skills=["В санатындағы куәлік", "Өз көлігі жоқ"],
            locality="711110000",  # район Алматы, город Астана
            occupation="8322",
            schedule="rotation",
            employment_type="seasonal",
            salary_min="400000",
            salary_max="500000",
            days_ago=4,
        ),
        "accountant": make_vacancy(
            "Главный бухгалтер",
            description="Ведение учёта, 1С: Бухгалтерия",
            locality="113820100",  # город Атбасар, Akmola region
            occupation="2411",
            schedule="remote",
            employment_type="part_time",
            salary_min="300000",
            days_ago=10,
        ),
        "draft": make_vacancy("Каменщик", status=VacancyStatus.DRAFT),
        "closed": make_vacancy("Каменщик", status=VacancyStatus.CLOSED, days_ago=0.5),
    }


def ids(result: SearchResult) -> list[int]:
    return result.ids


def pks(vacancies: dict[str, Vacancy], *names: str) -> list[int]:
    return [vacancies[name].pk for name in names]


# --- Text -------------------------------------------------------------------------------------


def test_title_match_ranks_above_skills_above_description(vacancies):
    result = vacancy_search(VacancyQuery(text="каменщик"))
    assert result.ids == pks(vacancies, "bricklayer", "builder", "helper")
    assert result.total == 3
    assert result.scores[0] > result.scores[1] > result.scores[2] > 0


def test_a_stem_finds_every_form_as_a_prefix_on_both_databases(vacancies):
    # "каменщ" is a prefix of "каменщик" (title, skills) and of "каменщику" (description).
    result = vacancy_search(VacancyQuery(text="каменщ"))
    assert result.ids == pks(vacancies, "bricklayer", "builder", "helper")


def test_every_word_must_match(vacancies):
    assert vacancy_search(VacancyQuery(text="каменщик кирпича")).ids == pks(vacancies, "bricklayer")
    assert vacancy_search(VacancyQuery(text="каменщик бухгалтер")).ids == []


def test_or_between_words_gives_alternatives(vacancies):
    result = vacancy_search(VacancyQuery(text="кирпич OR бухгалтер"))
    assert sorted(result.ids) == sorted(pks(vacancies, "bricklayer", "accountant"))


def test_search_is_case_insensitive_for_cyrillic(vacancies):
    for text in ("КАМЕНЩИК", "Каменщик", "каменщик"):
        assert vacancy_search(VacancyQuery(text=text)).ids == pks(
            vacancies, "bricklayer", "builder", "helper"
        )


def test_yo_is_read_as_ye(vacancies):
    # The description says "учёта"; people type "учета".
    assert vacancy_search(VacancyQuery(text="учета")).ids == pks(vacancies, "accountant")
    assert vacancy_search(VacancyQuery(text="учёта")).ids == pks(vacancies, "accountant")


@pytest.mark.parametrize(
    "text",
    [
        "жүргізуші",  # title
        "ЖҮРГІЗУШІ",  # upper case Kazakh letters fold too
        "қалада",  # description
        "қала",  # a prefix of "Қалада"
        "ұзақ",
        "куәлік",  # skills
        "өз көлігі",
    ],
)
def test_kazakh_words_are_found(vacancies, text):
    assert vacancy_search(VacancyQuery(text=text)).ids == pks(vacancies, "driver")


def test_kazakh_letters_are_not_confused_with_russian_ones(vacancies):
    # "кала" (Russian к) is not "қала" (Kazakh қ).
    assert vacancy_search(VacancyQuery(text="калад")).ids == []


def test_digits_and_mixed_words(vacancies):
    assert vacancy_search(VacancyQuery(text="1с")).ids == pks(vacancies, "accountant")


def test_skills_are_searched_as_text(vacancies):
    assert vacancy_search(VacancyQuery(text="чертежей")).ids == pks(vacancies, "bricklayer")


@postgresql_only
def test_postgresql_finds_other_forms_of_a_word_by_its_russian_stem(vacancies):
    # "каменщика" is not a prefix of "каменщик": only the Russian stemmer relates them.
    result = vacancy_search(VacancyQuery(text="каменщика"))
    assert result.ids == pks(vacancies, "bricklayer", "builder", "helper")
    assert result.fuzzy is False
    assert vacancy_search(VacancyQuery(text="строительства")).ids == pks(vacancies, "bricklayer")


@postgresql_only
def test_postgresql_falls_back_to_similar_words_for_typos(vacancies):
    from labormarket.exchange import search_vocabulary

    assert search_vocabulary.similar_words(connection, "бугалтер", 0.5, 10)[0] == "бухгалтер"
    assert "бухгалтер" not in search_vocabulary.similar_words(connection, "бухгалтер", 0.5, 10)
    assert len(search_vocabulary.similar_words(connection, "каменщ", 0.1, 2, similarity=0)) == 2
    assert search_vocabulary.similar_words(connection, "калад", 0.5, 10) == []
    result = vacancy_search(VacancyQuery(text="бугалтер"))
    assert result.fuzzy is True
    assert result.ids == pks(vacancies, "accountant")
    assert result.total == 1
    assert result.facets["region"] == [("110000000", 1)]


def _partial_match_ids(table: str, term: str) -> set[int]:
    """Ids of the published rows whose document holds a word beginning with ``term`` — the
    tsquery prefix itself, which the search writes out as words."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {table} WHERE status = 'published' "  # noqa: S608 — fixed names
            "AND search_document @@ to_tsquery('simple', %s)",
            [f"'{term}':*"],
        )
        return {row[0] for row in cursor.fetchall()}


@postgresql_only
def test_postgresql_writes_a_prefix_out_as_the_words_it_begins(make_vacancy, make_cv):
    """The vocabulary knows every word of every document, those of rows inserted and edited
    after it was built included, and a prefix written out finds what the prefix finds."""
    from labormarket.exchange import search_vocabulary

    kinds = [
        make_vacancy("Каменщик"),
        make_vacancy("Монтажник", description="помощник каменщика"),
        make_vacancy("Бетонщик", skills=["каменщицкие работы"]),
        make_vacancy("Плотник"),
    ]
    carpenter = kinds[3]
    make_cv("Каменщик-монтажник")
    words = search_vocabulary.prefix_words(connection, ["каменщ", "плотн"])
    assert {"каменщик", "каменщика", "каменщицкие", "каменщик-монтажник"} <= set(words["каменщ"])
    assert all(word.startswith("каменщ") for word in words["каменщ"])
    assert not any(word.startswith("~") for ws in words.values() for word in ws)
    carpenter.description = "плотничьи работы"
    carpenter.save()
    assert "плотничьи" in search_vocabulary.prefix_words(connection, ["плотн"])["плотн"]
    for term in ("каменщ", "плотн", "работ"):
        found = vacancy_search(VacancyQuery(text=term, page_size=100))
        assert set(found.ids) == _partial_match_ids("exchange_vacancy", term), term
    assert set(cv_search(CvQuery(text="каменщ")).ids) == _partial_match_ids("exchange_cv", "каменщ")


@postgresql_only
def test_postgresql_searches_a_prefix_of_too_many_words_as_a_prefix(make_vacancy, monkeypatch):
    from labormarket.exchange import search_vocabulary

    make_vacancy("Каменщик")
    make_vacancy("Монтажник", description="помощник каменщика")
    monkeypatch.setattr(search_vocabulary, "MAX_PREFIX_WORDS", 1)
    assert search_vocabulary.prefix_words(connection, ["каменщ", "монтажн"]) == {
        "монтажн": ["монтажник"]
    }
    found = vacancy_search(VacancyQuery(text="каменщ"))
    assert set(found.ids) == _partial_match_ids("exchange_vacancy", "каменщ")
    assert found.total == 2
    assert search_vocabulary.prefix_words(connection, ["космон"]) == {}
    assert vacancy_search(VacancyQuery(text="космон")).total == 0


@postgresql_only
def test_postgresql_vocabulary_is_filled_once_after_a_bulk_load(make_vacancy):
    from labormarket.exchange import search_vocabulary

    with connection.cursor() as cursor:
        # A bulk load runs in autocommit; inside the test's transaction the deferred foreign
        # key checks of earlier inserts would stop ALTER TABLE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with search_vocabulary.bulk_load(connection):
        make_vacancy("Штукатур")
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        assert search_vocabulary.prefix_words(connection, ["штукат"]) == {}
    assert search_vocabulary.prefix_words(connection, ["штукат"]) == {"штукат": ["штукатур"]}
    make_vacancy("Штукатур-маляр")  # the triggers are on again
    assert "штукатур-маляр" in search_vocabulary.prefix_words(connection, ["штукат"])["штукат"]


@postgresql_only
def test_postgresql_keeps_a_vacancys_document_uncompressed(make_vacancy):
    """Every match test reads the document: a compressed one is decompressed each time (the
    row of a vacancy with a real description is over the 2 KB at which PostgreSQL compresses)."""
    words = " ".join(f"обязанность{n} навык{n} условие{n}" for n in range(40))
    vacancy = make_vacancy("Сварщик", description=words, skills=[f"умение{n}" for n in range(10)])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_compression(search_document), pg_column_size(v.*) "
            "FROM exchange_vacancy v WHERE id = %s",
            [vacancy.pk],
        )
        compression, row_size = cursor.fetchone()
    assert 2048 < row_size < 8160
    assert compression is None


@postgresql_only
def test_postgresql_walks_or_reads_all_to_the_same_page(vacancies, monkeypatch):
    """A page without text comes from the newest-first walk or from every match read and
    sorted, whichever the planner's counts say is cheaper: the same rows either way."""
    assert not search._walk_is_cheaper(728, 20, 190_000)
    assert search._walk_is_cheaper(9_505, 20, 190_000)
    assert not search._walk_is_cheaper(9_505, 20, None)
    # Matches through the full-text index cost more each: walking pays off sooner.
    assert not search._walk_is_cheaper(5_939, 20, 1_000_000)
    assert search._walk_is_cheaper(5_939, 20, 1_000_000, gin=True)
    queries = [VacancyQuery(region_code="350000000", page_size=2, page=p) for p in (1, 2)]
    read_all = [vacancy_search(q).ids for q in queries]
    monkeypatch.setattr(search, "_walk_is_cheaper", lambda *args, **kwargs: True)
    assert [vacancy_search(q).ids for q in queries] == read_all
    assert all(read_all)


@postgresql_only
@pytest.mark.parametrize("page", [1, 2, 3])
def test_postgresql_reads_few_matches_once_with_the_same_results(make_vacancy, monkeypatch, page):
    """A text search the planner expects few matches of reads the total, the facets and the
    page in one statement; the results are those of the facets and the page read apart — when
    the planner is wrong (more rows than FEW_MATCHES) too — and the total is exact even when the
    facets are scaled from a sample."""
    monkeypatch.setattr(search, "RANK_WINDOW", 5)
    for day in range(9):
        make_vacancy(
            "Сварщик" if day % 3 else "Рабочий",
            description="сварщик" if day % 3 == 0 else "",
            locality="351000000" if day % 2 else "711110000",
            days_ago=day,
        )
    query = VacancyQuery(text="сварщик", page=page, page_size=3)
    together = vacancy_search(query)
    monkeypatch.setattr(search, "FEW_MATCHES", 0)
    apart = vacancy_search(query)
    assert (together.ids, together.total, together.facets) == (apart.ids, 9, apart.facets)
    assert together.scores == pytest.approx(apart.scores)
    monkeypatch.setattr(search, "FEW_MATCHES", 4)
    monkeypatch.setattr(search, "_estimated_total", lambda *args: 1)  # the planner is wrong
    wrong = vacancy_search(query)
    assert (wrong.ids, wrong.total, wrong.facets) == (apart.ids, 9, apart.facets)
    monkeypatch.setattr(search, "FEW_MATCHES", 60000)
    monkeypatch.setattr(search, "FACET_SAMPLE", 4)
    sampled = vacancy_search(query)
    assert (sampled.ids, sampled.total, sampled.approximate) == (apart.ids, 9, True)
    assert sum(n for _, n in sampled.facets["region"]) == 9


@postgresql_only
def test_postgresql_broad_search_without_text_samples_its_facets(cvs, monkeypatch):
    """A search without text the planner expects more than FEW_MATCHES matches of counts its
    facets over a sample of the table's pages (here all of them) and scales them to the
    planner's total; the page is the same; too small a sample counts as before."""
    query = CvQuery(region_code="110000000")
    counted = cv_search(query)
    assert (counted.total, counted.approximate) == (2, False)
    monkeypatch.setattr(search, "FEW_MATCHES", 1)
    monkeypatch.setattr(search, "FACET_SAMPLE", 1)
    monkeypatch.setattr(search, "MIN_SAMPLED", 2)
    monkeypatch.setattr(search, "_estimated_total", lambda *args: 7)  # the planner is wrong

    def facet_statements(result_of: Callable[[], SearchResult]) -> tuple[SearchResult, str]:
        """The result, and which facet statements ran: S sampled, C counted."""
        with CaptureQueriesContext(connection) as sent:
            result = result_of()
        facet_sql = [q["sql"] for q in sent.captured_queries if "WITH f AS" in q["sql"]]
        return result, "".join("S" if "TABLESAMPLE" in sql else "C" for sql in facet_sql)

    sampled, statements = facet_statements(lambda: cv_search(query))
    assert (sampled.ids, sampled.total, sampled.approximate, statements) == (
        counted.ids,
        7,
        True,
        "S",
    )
    assert dict(sampled.facets["region"]) == {"110000000": 7, "710000000": 4}
    assert dict(sampled.facets["occupation_major"]) == {"2": 4, "8": 4, "9": 4}
    monkeypatch.setattr(search, "MIN_SAMPLED", 3)
    fallback, statements = facet_statements(lambda: cv_search(query))
    assert (fallback.ids, fallback.total, fallback.facets, statements) == (
        counted.ids,
        7,
        sampled.facets,
        "SC",
    )


@postgresql_only
@pytest.mark.parametrize("page", [1, 2, 3])
def test_postgresql_reads_a_cv_filter_without_text_once(make_cv, monkeypatch, page):
    """A CV region or occupation filter goes through the full-text index: with few matches,
    the total, the facets and the newest-first page come from one read of them all — the
    same as read apart or walked."""
    for day in range(7):
        make_cv("Сварщик", regions=("350000000",) if day % 2 else ("710000000",), days_ago=day)
    query = CvQuery(region_code="350000000", occupation_code="71", page=page, page_size=2)
    with CaptureQueriesContext(connection) as sent:
        together = cv_search(query)
    assert together.total == 3
    assert sum("WITH m AS MATERIALIZED" in q["sql"] for q in sent.captured_queries) == 1
    monkeypatch.setattr(search, "_pg_few", lambda *args: None)
    apart = cv_search(query)
    monkeypatch.setattr(search, "_walk_is_cheaper", lambda *args, **kwargs: True)
    walked = cv_search(query)
    assert (
        (together.ids, together.facets) == (apart.ids, apart.facets) == (walked.ids, walked.facets)
    )
    assert together.ids or page == 3


def _document_keys(cv: Cv, prefix: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT k FROM exchange_cv, unnest(tsvector_to_array(search_document)) AS k "
            "WHERE id = %s AND left(k, 2) = %s ORDER BY k",
            [cv.pk, prefix],
        )
        return [k for (k,) in cursor.fetchall()]


@postgresql_only
def test_postgresql_cv_document_holds_its_publication_day_and_regime(make_cv):
    cv = make_cv("Сварщик", days_ago=0, schedule="full_day")
    shift = WorkSchedule.objects.get(code="shift")
    assert _document_keys(cv, "~d") == ["~d20260302"]
    assert _document_keys(cv, "~s") == [f"~s{cv.schedule_id}"]
    cv.published_at = DAY0 - timedelta(days=3)  # posted again, or corrected
    cv.schedule = shift
    cv.save(update_fields=["published_at", "schedule"])
    assert _document_keys(cv, "~d") == ["~d20260227"]
    assert _document_keys(cv, "~s") == [f"~s{shift.pk}"]
    Cv.objects.filter(pk=cv.pk).update(published_at=None, schedule=None)
    assert (_document_keys(cv, "~d"), _document_keys(cv, "~s")) == ([], [])
    assert cv_search(CvQuery(schedule_code="shift", include_centre_only=True)).ids == []


@pytest.fixture
def twelve_days_of_welders(make_cv, monkeypatch):
    """One welder's CV a day over twelve days up to DAY0, a histogram of ``published_at`` with
    a twelfth of the rows a day, a rank window of 4, exact counts up to 5, and a first look at
    one day."""
    for day in range(12):
        make_cv("Сварщик" if day % 2 else "Сварщик-аргонщик", days_ago=day)
    monkeypatch.setattr(search, "RANK_WINDOW", 4)
    start = DAY0.astimezone(UTC).replace(hour=0) - timedelta(days=11)
    bounds = [start + timedelta(days=k) for k in range(13)]
    monkeypatch.setattr(search, "_published_shares", lambda *args: bounds)
    monkeypatch.setattr(search, "_utc_today", lambda: DAY0.astimezone(UTC).date())
    monkeypatch.setattr(search, "_estimated_total", lambda *args: 12)
    monkeypatch.setattr(search, "RECENT_MIN_ESTIMATE", 1)
    monkeypatch.setattr(search, "RECENT_MIN_EXPECTED", 1)
    monkeypatch.setattr(search, "RECENT_PROBE_SHARE", 1 / 12)
    monkeypatch.setattr(search, "FACET_SAMPLE", 5)


def _days_read(query: CvQuery) -> tuple[SearchResult, int]:
    """The result, and how many statements read the matches of some days."""
    with CaptureQueriesContext(connection) as sent:
        result = cv_search(query)
    return result, sum("~d2026" in q["sql"] for q in sent.captured_queries)


@postgresql_only
@pytest.mark.parametrize("page", [1, 2])
def test_postgresql_ranks_the_newest_days_when_they_hold_the_rank_window(
    twelve_days_of_welders, monkeypatch, page
):
    """Many matches: one day is counted (1 match: about 12 in all), then the six days that
    should hold 1.3 × 4 of them are read alone; holding 6, they give the page reading every
    match gives, and the total is estimated from their share of the rows."""
    query = CvQuery(text="сварщик", page=page, page_size=2)
    recent, reads = _days_read(query)
    assert reads == 2
    monkeypatch.setattr(search, "_pg_recent", lambda *args: None)
    every = cv_search(query)
    assert every.total == 12  # counted
    assert (recent.ids, recent.total, recent.approximate) == (every.ids, 12, True)
    assert recent.scores == pytest.approx(every.scores)
    assert sum(n for _, n in recent.facets["region"]) == 12


@postgresql_only
def test_postgresql_reads_every_match_when_the_newest_days_cannot_do(
    twelve_days_of_welders, monkeypatch
):
    query = CvQuery(text="сварщик", page_size=2)
    every, reads = _days_read(CvQuery(text="сварщик", page=3, page_size=2))  # past the window
    assert (reads, every.total) == (0, 12)
    monkeypatch.setattr(search, "RECENT_PROBE_SHARE", 0.75)  # nine days hold enough at once
    at_once, reads = _days_read(query)
    assert (reads, at_once.total, at_once.approximate) == (2, 12, True)
    monkeypatch.setattr(search, "RECENT_PROBE_SHARE", 1 / 12)
    monkeypatch.setattr(search, "RECENT_MAX_DAYS", 5)  # five days should hold 5 of 5.2 wanted
    counted, reads = _days_read(query)
    assert (reads, counted.total) == (1, 12)
    assert counted.ids == at_once.ids
    monkeypatch.setattr(search, "RECENT_MAX_DAYS", 14)
    monkeypatch.setattr(search, "FACET_SAMPLE", 12)  # about 12 in all: counted exactly
    counted, reads = _days_read(query)
    assert (reads, counted.total, counted.approximate) == (1, 12, False)
    monkeypatch.setattr(search, "FACET_SAMPLE", 5)
    similar = cv_search(CvQuery(text="сваршик", page_size=2))  # searched as "сварщик"
    assert (similar.fuzzy, similar.ids) == (True, at_once.ids[:2])
    monkeypatch.setattr(search, "RECENT_MAX_ROWS", 0)  # reading days would cost too much
    assert _days_read(query)[1] == 0


def test_no_fuzzy_result_when_nothing_is_similar(vacancies):
    result = vacancy_search(VacancyQuery(text="космонавт"))
    assert (result.total, result.ids, result.fuzzy) == (0, [], False)


# --- Status and visibility --------------------------------------------------------------------


def test_drafts_and_closed_vacancies_are_never_found(vacancies):
    everything = vacancy_search(VacancyQuery(page_size=100))
    assert set(everything.ids) == set(
        pks(vacancies, "bricklayer", "builder", "helper", "driver", "accountant")
    )
    assert everything.total == 5
    assert vacancies["draft"].pk not in vacancy_search(VacancyQuery(text="каменщик")).ids
    assert vacancies["closed"].pk not in vacancy_search(VacancyQuery(text="каменщик")).ids


def test_a_vacancy_is_found_once_published_and_not_after_closing(make_vacancy):
    vacancy = make_vacancy("Сварщик", status=VacancyStatus.DRAFT)
    assert vacancy_search(VacancyQuery(text="сварщик")).ids == []
    vacancy.status = VacancyStatus.PUBLISHED
    vacancy.published_at = DAY0
    vacancy.save(update_fields=["status", "published_at"])
    assert vacancy_search(VacancyQuery(text="сварщик")).ids == [vacancy.pk]
    vacancy.status = VacancyStatus.CLOSED
    vacancy.save(update_fields=["status"])
    assert vacancy_search(VacancyQuery(text="сварщик")).ids == []


def test_the_index_follows_edits_and_deletions(make_vacancy):
    vacancy = make_vacancy("Сварщик", skills=["аргон"])
    vacancy.title = "Электрик"
    vacancy.skills = ["допуск по электробезопасности"]
    vacancy.description = "Ремонт проводки"
    vacancy.save()
    assert vacancy_search(VacancyQuery(text="сварщик")).ids == []
    assert vacancy_search(VacancyQuery(text="аргон")).ids == []
    for text in ("электрик", "электробезопасности", "проводки"):
        assert vacancy_search(VacancyQuery(text=text)).ids == [vacancy.pk]
    Vacancy.objects.filter(pk=vacancy.pk).update(title="Плотник")
    assert vacancy_search(VacancyQuery(text="плотник")).ids == [vacancy.pk]
    vacancy.delete()
    assert vacancy_search(VacancyQuery(text="плотник")).total == 0
    # A new row (it may reuse the id on SQLite) does not inherit the old words.
    again = make_vacancy("Маляр")
    assert vacancy_search(VacancyQuery(text="плотник")).ids == []
    assert vacancy_search(VacancyQuery(text="маляр")).ids == [again.pk]


def test_installing_the_index_again_changes_nothing(vacancies):
    before = vacancy_search(VacancyQuery(text="каменщ"))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # the rows' deferred FK checks, before any DDL
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    search.search_index_install(connection, rebuild=True)
    search.search_index_install(connection)
    after = vacancy_search(VacancyQuery(text="каменщ"))
    assert (after.ids, after.total) == (before.ids, before.total)


# --- Filters ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"region_code": "350000000"}, ["bricklayer", "builder", "helper"]),
        ({"region_code": "710000000"}, ["driver"]),
        ({"district_code": "354800000"}, ["helper"]),  # district → rural district → locality
        ({"district_code": "354820000"}, ["helper"]),
        ({"district_code": "354820100"}, ["helper"]),
        ({"district_code": "351000000"}, ["bricklayer", "builder"]),
        ({"district_code": "711110000"}, ["driver"]),
        ({"occupation_code": "7"}, ["bricklayer", "builder"]),
        ({"occupation_code": "71"}, ["bricklayer", "builder"]),
        ({"occupation_code": "7112"}, ["bricklayer"]),
        ({"occupation_code": "2411"}, ["accountant"]),
        ({"occupation_code": "9"}, ["helper"]),
        ({"salary_from": Decimal("300000")}, ["bricklayer", "driver", "accountant"]),
        ({"salary_from": Decimal("350000")}, ["bricklayer", "driver"]),
        ({"salary_from": Decimal("350000.01")}, ["driver"]),
        ({"schedule_code": "shift"}, ["helper"]),
        ({"employment_type_code": "seasonal"}, ["driver"]),
        ({"posted_since": (DAY0 - timedelta(days=2)).date()}, ["bricklayer", "builder"]),
        ({"region_code": "350000000", "occupation_code": "7"}, ["bricklayer", "builder"]),
        ({"region_code": "350000000", "schedule_code": "shift"}, ["helper"]),
        ({"region_code": "", "occupation_code": " "}, None),  # blank: no filter
    ],
)
def test_filters(vacancies, filters, expected):
    result = vacancy_search(VacancyQuery(**filters))
    if expected is None:
        expected = ["bricklayer", "builder", "helper", "driver", "accountant"]
    assert result.ids == pks(vacancies, *expected)  # newest first without text
    assert result.total == len(expected)


@pytest.mark.parametrize(
    "filters",
    [
        {"region_code": "999999999"},
        {"district_code": "000000000"},
        {"district_code": "350000000"},  # a region is not a KATO unit: use region_code
        {"occupation_code": "71x"},
        {"occupation_code": "%"},
        {"occupation_code": "_"},
        {"occupation_code": "0"},
        {"schedule_code": "night"},
        {"employment_type_code": "'; DROP TABLE exchange_vacancy; --"},
        {"salary_from": Decimal("NaN")},
        {"salary_from": "a lot"},
        {"salary_from": Decimal("1E+30")},
    ],
)
def test_unknown_or_malformed_codes_match_nothing(vacancies, filters):
    result = vacancy_search(VacancyQuery(text="", **filters))
    assert (result.total, result.ids) == (0, [])
    assert result.facets["region"] == []


def test_filters_combine_with_text(vacancies):
    result = vacancy_search(
        VacancyQuery(text="каменщ", region_code="350000000", occupation_code="9")
    )
    assert result.ids == pks(vacancies, "helper")


def test_occupation_codes_may_be_written_with_separators(vacancies):
    assert vacancy_search(VacancyQuery(occupation_code="71.12")).ids == pks(vacancies, "bricklayer")


# --- Order and pages --------------------------------------------------------------------------


@pytest.fixture
def cooks(make_vacancy):
    """Five identical vacancies published a day apart: newest first is the only order."""
    return [make_vacancy("Повар", occupation="5120", days_ago=day) for day in range(5)]


def test_pages_without_text_are_newest_first(cooks):
    result = vacancy_search(VacancyQuery(page=2, page_size=2))
    assert result.ids == [cooks[2].pk, cooks[3].pk]
    assert (result.total, result.page, result.page_size, result.pages) == (5, 2, 2, 3)
    assert result.has_next is True
    last = vacancy_search(VacancyQuery(page=3, page_size=2))
    assert last.ids == [cooks[4].pk]
    assert last.has_next is False
    assert vacancy_search(VacancyQuery(page=4, page_size=2)).ids == []


def test_equal_scores_are_ordered_newest_first(cooks):
    result = vacancy_search(VacancyQuery(text="повар", page=2, page_size=2))
    assert result.ids == [cooks[2].pk, cooks[3].pk]
    assert result.total == 5
    assert result.scores[0] == result.scores[1] > 0


def test_same_published_at_is_ordered_by_id_desc(make_vacancy):
    first = make_vacancy("Пекарь", days_ago=1)
    second = make_vacancy("Пекарь", days_ago=1)
    assert vacancy_search(VacancyQuery(text="пекарь")).ids == [second.pk, first.pk]
    assert vacancy_search(VacancyQuery(occupation_code="7112")).ids == [second.pk, first.pk]


@pytest.mark.parametrize(
    ("page", "page_size", "expected_page", "expected_size"),
    [(0, 20, 1, 20), (-5, 0, 1, 1), (1, 1000, 1, 100), ("x", None, 1, 20), (10**30, 20, 50001, 20)],
)
def test_page_numbers_and_sizes_are_clamped(cooks, page, page_size, expected_page, expected_size):
    result = vacancy_search(VacancyQuery(page=page, page_size=page_size))
    assert (result.page, result.page_size) == (expected_page, expected_size)
    assert result.total == 5


def test_relevance_is_ranked_within_the_newest_matches(make_vacancy, monkeypatch):
    """With more matches than RANK_WINDOW, the newest RANK_WINDOW are ranked by relevance and the
    older ones follow newest first; pages straddling the edge join both parts."""
    monkeypatch.setattr(search, "RANK_WINDOW", 3)
    desc_new = make_vacancy("Рабочий", description="сварщик", days_ago=0)
    title_mid = make_vacancy("Сварщик", days_ago=1)
    desc_mid = make_vacancy("Монтажник", description="сварщик", days_ago=2)
    title_old = make_vacancy("Сварщик", days_ago=3)
    desc_old = make_vacancy("Слесарь", description="сварщик", days_ago=4)
    full = vacancy_search(VacancyQuery(text="сварщик", page_size=10))
    assert full.ids == [title_mid.pk, desc_new.pk, desc_mid.pk, title_old.pk, desc_old.pk]
    assert full.total == 5
    straddling = vacancy_search(VacancyQuery(text="сварщик", page=2, page_size=2))
    assert straddling.ids == [desc_mid.pk, title_old.pk]
    assert len(straddling.scores) == 2
    beyond = vacancy_search(VacancyQuery(text="сварщик", page=3, page_size=2))
    assert beyond.ids == [desc_old.pk]


# --- Facets -----------------------------------------------------------------------------------


def test_facets_count_the_whole_filtered_set(vacancies):
    result = vacancy_search(VacancyQuery(page_size=1))
    assert result.ids == pks(vacancies, "bricklayer")
    assert result.total == 5
    assert result.facets == {
        "region": [("350000000", 3), ("110000000", 1), ("710000000", 1)],
        "occupation_major": [("7", 2), ("2", 1), ("8", 1), ("9", 1)],
        "schedule": [("full_day", 2), ("remote", 1), ("rotation", 1), ("shift", 1)],
        "employment_type": [("permanent", 2), ("part_time", 1), ("seasonal", 1), ("temporary", 1)],
    }


def test_facets_follow_the_text_and_filters(vacancies):
    result = vacancy_search(VacancyQuery(text="каменщ", page_size=1, page=2))
    assert result.ids == pks(vacancies, "builder")
    assert result.facets == {
        "region": [("350000000", 3)],
        "occupation_major": [("7", 2), ("9", 1)],
        "schedule": [("full_day", 2), ("shift", 1)],
        "employment_type": [("permanent", 2), ("temporary", 1)],
    }
    filtered = vacancy_search(VacancyQuery(text="каменщ", schedule_code="full_day"))
    assert filtered.total == 2
    assert filtered.facets["schedule"] == [("full_day", 2)]


def test_empty_result_has_empty_facets(vacancies):
    result = vacancy_search(VacancyQuery(text="каменщик", region_code="710000000"))
    assert result.total == 0
    assert result.facets == {
        "region": [],
        "occupation_major": [],
        "schedule": [],
        "employment_type": [],
    }


# --- Hostile input ----------------------------------------------------------------------------

HOSTILE = [
    '"',
    '""',
    "'",
    "*",
    "**",
    "-",
    "(",
    ")",
    "()",
    ":",
    "^",
    "+",
    "OR",
    "AND",
    "OR OR",
    "AND OR",
    "%",
    "_",
    "\\",
    "\x00",
    "&|!<->",
    ":*",
    "'; --",
    "🙂",
    "   ",
    "\n\t",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_without_words_is_no_text(vacancies, text):
    result = vacancy_search(VacancyQuery(text=text))
    assert result.total == 5
    assert result.fuzzy is False


@pytest.mark.parametrize(
    "text",
    [
        '"каменщик"',
        "каменщик*",
        "*каменщик",
        "-каменщик",
        "(каменщик)",
        "каменщик)",
        'каменщик"',
        "'каменщик'",
        "каменщик:*",
        "каменщик & | !",
        "каменщик AND",
        "OR каменщик OR",
        "каменщик 🙂",
        "каменщик\x00",
        "каменщик %",
        "каменщик\\",
    ],
)
def test_operators_around_a_word_are_ignored(vacancies, text):
    result = vacancy_search(VacancyQuery(text=text))
    assert result.ids == pks(vacancies, "bricklayer", "builder", "helper")


@pytest.mark.parametrize(
    "text",
    [
        "каменщик near",
        "NEAR(каменщик)",
        "каменщик NOT",
        "title:каменщик",
        "NOT",
        "NEAR(",
        "'; DROP TABLE exchange_vacancy; --",
    ],
)
def test_words_that_are_operators_elsewhere_are_words_here(vacancies, text):
    # Only OR (alternatives) and AND (implied) are read as operators; "near", "not", "title" are
    # words to find, and nothing here contains them.
    result = vacancy_search(VacancyQuery(text=text))
    assert (result.total, result.ids) == (0, [])


def test_very_long_text_is_cut(vacancies):
    # Cut at 200 characters; the stump of the word cut in two is not searched for.
    assert vacancy_search(VacancyQuery(text="каменщик " + "ы" * 100_000)).total == 3
    assert vacancy_search(VacancyQuery(text=" ".join(["каменщик"] * 5000))).total == 3
    assert vacancy_search(VacancyQuery(text="ы" * 100_000)).total == 0
    assert search_groups("слово " * 33 + "каменщик") == [["слово"]]  # "ка|менщик" is cut
    assert search_groups("слово " * 32 + "каменщик") == [["слово", "каменщик"]]  # 200 exactly


def test_at_most_max_terms_words_are_searched():
    words = [f"слово{n}" for n in range(30)]
    groups = search_groups(" ".join(words))
    assert groups == [words[: search.MAX_TERMS]]
    assert search_groups(None) == []  # type: ignore[arg-type]
    assert search_groups("а OR б OR а") == [["а"], ["б"]]


def test_non_string_text_is_no_text(vacancies):
    result = vacancy_search(VacancyQuery(text=None))  # type: ignore[arg-type]
    assert result.total == 5


# --- Loading a page ---------------------------------------------------------------------------


def test_a_search_and_its_page_take_a_fixed_number_of_queries(
    make_vacancy, django_assert_num_queries
):
    for day in range(25):
        make_vacancy(f"Повар {day}", occupation="5120", locality="711110000", days_ago=day)
    # PostgreSQL looks the prefixes up and asks the planner how many match first, then reads
    # the total, the facets and the page in one statement; SQLite reads facets, then the page.
    text_search = 4 if connection.vendor == "postgresql" else 3
    with django_assert_num_queries(text_search):
        result = vacancy_search(VacancyQuery(text="повар", page_size=20))
        page = vacancies_for(result)
        rows = [
            (
                v.employer.name,
                v.occupation.code,
                v.region.kato_code,
                v.locality.code,
                v.schedule.code,
                v.employment_type.code,
            )
            for v in page
        ]
    assert [v.pk for v in page] == result.ids
    assert len(rows) == 20
    # A filter's code is looked up first; without text PostgreSQL also asks the planner (a
    # broad search samples its facets).
    with django_assert_num_queries(5 if connection.vendor == "postgresql" else 4):
        vacancies_for(vacancy_search(VacancyQuery(region_code="710000000", page=2)))


def test_a_search_with_an_unknown_code_reads_no_rows(django_assert_num_queries):
    with django_assert_num_queries(1):  # the code's lookup
        result = vacancy_search(VacancyQuery(region_code="999999999"))
        assert vacancies_for(result) == []


# --- CVs --------------------------------------------------------------------------------------


@pytest.fixture
def cvs(make_cv):
    today = business_today()
    return {
        "bricklayer": make_cv(
            "Каменщик 4 разряда",
            about="Опыт кладки 10 лет",
            skills=["кладка кирпича"],
            days_ago=1,
        ),
        "centre_only": make_cv(
            "Каменщик 5 разряда",
            about="Опыт кладки 12 лет",
            skills=["кладка кирпича"],
            visibility=CvVisibility.CENTRES,
            regions=("350000000", "710000000"),
            days_ago=2,
        ),
        "driver": make_cv(
            "Жүргізуші",
            about="Категориясы С, тәжірибе бес жыл",
            occupations=("8322", "9313"),
            regions=("710000000", "110000000"),
            expected_salary=None,
            schedule="rotation",
            ready_to_relocate=True,
            days_ago=3,
        ),
        "accountant": make_cv(
            "Бухгалтер",
            about="Помогал каменщику на стройке",
            occupations=("2411",),
            regions=("110000000",),
            expected_salary="450000",
            schedule=None,
            days_ago=4,
            expires_on=today,  # shown through the last day
        ),
        "draft": make_cv("Каменщик", status=CvStatus.DRAFT),
        "expired": make_cv("Каменщик", status=CvStatus.EXPIRED),
        "past_date": make_cv("Каменщик", expires_on=today - timedelta(days=1)),
    }


def cv_pks(cvs: dict[str, Cv], *names: str) -> list[int]:
    return [cvs[name].pk for name in names]


def test_cv_search_ranks_title_above_about(cvs):
    result = cv_search(CvQuery(text="каменщ"))
    assert result.ids == cv_pks(cvs, "bricklayer", "accountant")


def test_centre_only_cvs_are_shown_to_centres_alone(cvs):
    public = cv_search(CvQuery(text="каменщик"))
    assert cvs["centre_only"].pk not in public.ids
    for_centres = cv_search(CvQuery(text="каменщик", include_centre_only=True))
    assert for_centres.ids == cv_pks(cvs, "bricklayer", "centre_only", "accountant")
    assert cv_search(CvQuery(include_centre_only=True)).total == 4
    assert cv_search(CvQuery()).total == 3


def test_unpublished_and_expired_cvs_are_never_found(cvs):
    found = cv_search(CvQuery(include_centre_only=True, page_size=100))
    for name in ("draft", "expired", "past_date"):
        assert cvs[name].pk not in found.ids


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"region_code": "350000000"}, ["bricklayer"]),
        ({"region_code": "110000000"}, ["driver", "accountant"]),
        ({"region_code": "999999999"}, []),
        ({"occupation_code": "7"}, ["bricklayer"]),
        ({"occupation_code": "9313"}, ["driver"]),
        ({"occupation_code": "8"}, ["driver"]),
        ({"occupation_code": "abc"}, []),
        ({"salary_to": Decimal("300000")}, ["bricklayer", "driver"]),  # no expectation: shown
        ({"salary_to": Decimal("250000")}, ["bricklayer", "driver"]),
        ({"salary_to": Decimal("249999")}, ["driver"]),
        ({"schedule_code": "rotation"}, ["driver"]),
        ({"schedule_code": "nope"}, []),
        ({"ready_to_relocate": True}, ["driver"]),
        ({"ready_to_relocate": False}, ["bricklayer", "accountant"]),
        ({"text": "жүргізуші", "region_code": "710000000"}, ["driver"]),
        ({"text": "тәжірибе"}, ["driver"]),
    ],
)
def test_cv_filters(cvs, filters, expected):
    result = cv_search(CvQuery(**filters))
    assert result.ids == cv_pks(cvs, *expected)
    assert result.total == len(expected)


def test_cv_facets_count_every_region_and_group_a_cv_names(cvs):
    result = cv_search(CvQuery(include_centre_only=True))
    assert result.total == 4
    assert result.facets == {
        "region": [("110000000", 2), ("350000000", 2), ("710000000", 2)],
        "occupation_major": [("7", 2), ("2", 1), ("8", 1), ("9", 1)],
        "schedule": [("full_day", 2), ("rotation", 1)],
    }


def test_cv_search_and_its_page_take_a_fixed_number_of_queries(cvs, django_assert_num_queries):
    with django_assert_num_queries(6 if connection.vendor == "postgresql" else 5):
        result = cv_search(CvQuery(include_centre_only=True))
        page = cvs_for(result)
        rows = [
            (
                cv.title,
                cv.schedule.code if cv.schedule else "",
                sorted(o.code for o in cv.occupations.all()),
                sorted(r.kato_code for r in cv.regions.all()),
            )
            for cv in page
        ]
    assert [cv.pk for cv in page] == result.ids
    assert rows[2] == ("Жүргізуші", "rotation", ["8322", "9313"], ["110000000", "710000000"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"', ["bricklayer", "driver", "accountant"]),
        ("*", ["bricklayer", "driver", "accountant"]),
        ("'; --", ["bricklayer", "driver", "accountant"]),
        ("NEAR(", []),
        ("каменщик OR", ["bricklayer", "accountant"]),
        ('"каменщ*" -', ["bricklayer", "accountant"]),
    ],
)
def test_cv_search_survives_hostile_text(cvs, text, expected):
    result = cv_search(CvQuery(text=text))
    assert result.ids == cv_pks(cvs, *expected)
