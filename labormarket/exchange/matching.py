"""Explainable matching of vacancies and CVs (PRG-71).

PRG-71 names the criteria: qualification, experience, health, working-time regime and transport
accessibility; issue 3 adds region/relocation readiness and salary fit. They play two roles:

* **Hard conditions** filter before anything is ranked, whatever the score would be: the
  working-time regime (a CV that names a schedule only fits vacancies with that schedule, unless
  either side is "flexible"), health (a person with a disability group only fits vacancies
  marked suitable for persons with disabilities; a CV that states health limitations never
  fits a vacancy that states health restrictions), the region (a vacancy outside the CV's
  regions fits only a CV ready to relocate), and only published, unexpired CVs and published
  vacancies take part.
* **Scored criteria** make a 0–100 score: each criterion scores 0–1, is multiplied by its
  weight, and the points add up to the total. Every criterion carries a short sentence with
  the facts, so staff can say why a candidate is where they are.

The same two functions (:func:`_exclusions`, :func:`_score`) judge a pair in both directions,
so a vacancy→CV score always equals the CV→vacancy score for the same pair.

Candidate generation and its limits
-----------------------------------
Candidates are generated in SQL with indexed filters, then scored in Python:

1. only published rows; the CV's desired occupations (the M2M table) or the vacancy's
   occupation must be in the same ISCO **sub-major group** (the first two digits of the code);
2. the region (vacancy region among the CV regions, or the CV is ready to relocate) and the
   hard conditions above are applied in SQL as well, so the pool is not filled with rows that
   would be dropped;
3. the pool is capped at :data:`POOL_SIZE` rows, **newest first** (``published_at``), and only
   the columns the scorer needs are fetched (``values()``); three more queries fetch the pool's
   occupation codes, the persons' highest education and the education ladder.

The number of queries is fixed whatever the size of the pool. The cap is the price: when more
than :data:`POOL_SIZE` CVs of the same sub-major group fit a vacancy, older ones are not
considered even if they would score higher. A match whose occupations only share the major
group (score 0.15) is never generated in the lists; :func:`match_pair` scores and explains any
one pair, including such a match or an excluded one.

One person can have several published CVs: the candidates list keeps the best-scoring CV of each
person, and :func:`vacancies_for_person` keeps the best score of each vacancy over the person's
CVs.

PostgreSQL: the pool read in index order and ranked in SQL (docs/adr/0012)
---------------------------------------------------------------------------
Python spends about 55 µs of CPU per pooled row (fetching, facts, scoring), so scoring a pool
of :data:`POOL_SIZE` rows in Python costs more than the whole budget leaves. On PostgreSQL,
:mod:`labormarket.exchange.match_sql` therefore reads the pool in index order (the CV's match
keys: sub-major group × region, and × "relocates"; the vacancies per occupation and region)
and scores it in SQL with the same rules; the SQL keeps the best ``limit`` + ``SLACK`` rows,
and only those are fetched, scored again here (the numbers and sentences shown) and cut to
``limit``. The pool — the same hard conditions, the same cap, newest first — and so the lists
are the same as on SQLite, where the pool is scored here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connections, router
from django.db.models import BooleanField, Exists, F, Max, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import get_language, gettext, gettext_noop

from labormarket.reference.models import EducationLevel
from labormarket.registry.models import EducationRecord, Person

from . import match_sql
from .choices import CvStatus, CvVisibility, VacancyStatus
from .models import Cv, Vacancy

# --- Weights -----------------------------------------------------------------------------------
# The weights sum to 100, so a criterion's points read directly as its share of a perfect match.
# Qualification dominates: PRG-71 names it first and a centre refers people to the occupation
# they can do. Experience and salary are what employers and job seekers refuse over most often
# (refusal reasons "experience", "candidate_declined"). Education, region and skills refine
# the order among people of the same occupation; transport is a small nudge, because the hard
# region rule already keeps people out of vacancies they cannot reach.

#: Occupation code distance in the ISCO hierarchy (PRG-71 "qualification").
WEIGHT_QUALIFICATION = 35
#: Years of experience against the vacancy's minimum (PRG-71 "experience").
WEIGHT_EXPERIENCE = 15
#: Expected salary against what the vacancy pays.
WEIGHT_SALARY = 15
#: The person's highest education against the vacancy's minimum (part of "qualification").
WEIGHT_EDUCATION = 10
#: The vacancy's region among the CV's regions, or readiness to relocate.
WEIGHT_REGION = 10
#: Share of the vacancy's skills the CV names.
WEIGHT_SKILLS = 10
#: Reachability by public transport (PRG-71 "transport accessibility").
WEIGHT_TRANSPORT = 5

WEIGHTS: dict[str, int] = {
    "qualification": WEIGHT_QUALIFICATION,
    "education": WEIGHT_EDUCATION,
    "experience": WEIGHT_EXPERIENCE,
    "region": WEIGHT_REGION,
    "transport": WEIGHT_TRANSPORT,
    "salary": WEIGHT_SALARY,
    "skills": WEIGHT_SKILLS,
}
assert sum(WEIGHTS.values()) == 100, WEIGHTS

#: Qualification score by the number of leading code digits the occupations share: 4 = the same
#: unit group (NKZ occupations extend the unit group's 4 digits), 3 = minor, 2 = sub-major,
#: 1 = major group. Sharing nothing is not a match at all.
QUALIFICATION_BY_SHARED_DIGITS: dict[int, float] = {4: 1.0, 3: 0.7, 2: 0.4, 1: 0.15}
#: Candidates are generated from the same sub-major group: the first two digits.
PREFILTER_DIGITS = 2
#: Education one level below the minimum still counts half.
EDUCATION_ONE_LEVEL_BELOW = 0.5
#: Region scores when the vacancy is outside the CV's regions and the person would relocate.
RELOCATION_SCORE = 0.6
RELOCATION_WITH_HOUSING_SCORE = 0.8
#: Transport score of a vacancy not reachable by public transport that offers housing.
NO_TRANSPORT_WITH_HOUSING_SCORE = 0.5
#: The salary score falls linearly from 1 at what the vacancy pays to 0 at this multiple of it.
SALARY_ZERO_AT = Decimal("1.5")
#: At most this many rows, newest first, are scored per request (see the module docstring):
#: about 55 ms of Python per request at this size, half the match budget.
POOL_SIZE = 1000
#: The schedule that fits every other schedule.
FLEXIBLE_SCHEDULE = "flexible"


# --- Results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    """One criterion of a match: its 0–1 score, weight, points (score × weight) and the facts."""

    code: str
    score: float
    weight: int
    points: float
    explanation: str


@dataclass(frozen=True)
class Match:
    """A CV and a vacancy that fit, with the 0–100 score broken down by criterion."""

    cv_id: int
    vacancy_id: int
    person_id: int
    score: float
    criteria: tuple[Criterion, ...]

    def criterion(self, code: str) -> Criterion:
        return next(c for c in self.criteria if c.code == code)


@dataclass(frozen=True)
class Reason:
    """Why a pair is not a match (a hard condition or an occupation too far away)."""

    code: str
    explanation: str


@dataclass(frozen=True)
class Excluded:
    """A pair that never appears in the lists, with every reason that excludes it."""

    cv_id: int
    vacancy_id: int
    person_id: int
    reasons: tuple[Reason, ...]


# --- Facts the scorer needs, fetched with values() ----------------------------------------------


@dataclass(frozen=True)
class _Ladder:
    """The education levels in order, to count levels and name them."""

    sort_orders: tuple[int, ...]
    names: dict[int, str]

    def rank(self, sort_order: int) -> int:
        return self.sort_orders.index(sort_order)


@dataclass(slots=True)
class _VacancyFacts:
    id: int
    is_published: bool
    occupation_code: str
    region_id: int
    region_code: str
    region_name: str
    schedule_id: int
    schedule_code: str
    schedule_name: str
    education_min: int | None  # EducationLevel.sort_order
    experience_years_min: int
    salary_min: Decimal
    salary_max: Decimal | None
    skills: tuple[tuple[str, str], ...]  # (comparison key, as the employer wrote it)
    health_restrictions: str
    suitable_for_disability: bool
    transport_accessible: bool
    housing_offered: bool


@dataclass(slots=True)
class _CvFacts:
    id: int
    person_id: int
    is_current: bool  # published and not past its expiry date
    occupation_codes: tuple[str, ...]
    # The CV's regions. On the vacancy side only the vacancy's region is looked up (it is all
    # the scorer asks about), so there it holds that region or nothing.
    region_ids: frozenset[int]
    ready_to_relocate: bool
    schedule_id: int | None
    schedule_code: str
    schedule_name: str
    experience_years: int
    expected_salary: Decimal | None
    skill_keys: frozenset[str]
    health_limits: str
    has_disability: bool
    education: int | None  # the highest EducationLevel.sort_order on record


def _language() -> str:
    """The UI language, looked up once per request rather than once per row."""
    return (get_language() or "ru")[:2]


def _name(row: dict[str, Any], prefix: str, language: str) -> str:
    """The classifier name in ``language``, as ``TranslatedNameMixin.name`` picks it."""
    value = row.get(f"{prefix}name_{language}", "") if language in {"ru", "kk", "en"} else ""
    return str(value or row.get(f"{prefix}name_ru") or "")


def _names(prefix: str) -> tuple[str, ...]:
    return tuple(f"{prefix}name_{language}" for language in ("ru", "kk", "en"))


def _ladder() -> _Ladder:
    rows = list(
        EducationLevel.objects.order_by("sort_order", "code").values("sort_order", *_names(""))
    )
    return _Ladder(
        sort_orders=tuple(row["sort_order"] for row in rows),
        names={row["sort_order"]: _name(row, "", _language()) for row in rows},
    )


def _skill_key(skill: str) -> str:
    """Skills compare case-insensitively, with ё as е and spaces collapsed."""
    return " ".join(skill.casefold().replace("ё", "е").split())


def _required_skills(skills: list[Any] | None) -> tuple[tuple[str, str], ...]:
    required: dict[str, str] = {}
    for skill in skills or ():
        key = _skill_key(str(skill))
        if key:
            required.setdefault(key, str(skill))
    return tuple(required.items())


_VACANCY_COLUMNS = (
    "pk",
    "status",
    "occupation__code",
    "region_id",
    "region__kato_code",
    *_names("region__"),
    "schedule_id",
    "schedule__code",
    *_names("schedule__"),
    "education_min__sort_order",
    "experience_years_min",
    "salary_min",
    "salary_max",
    "skills",
    "health_restrictions",
    "suitable_for_disability",
    "transport_accessible",
    "housing_offered",
)


def _vacancy_facts(row: dict[str, Any], language: str) -> _VacancyFacts:
    return _VacancyFacts(
        id=row["pk"],
        is_published=row["status"] == VacancyStatus.PUBLISHED,
        occupation_code=row["occupation__code"],
        region_id=row["region_id"],
        region_code=row["region__kato_code"],
        region_name=_name(row, "region__", language),
        schedule_id=row["schedule_id"],
        schedule_code=row["schedule__code"],
        schedule_name=_name(row, "schedule__", language),
        education_min=row["education_min__sort_order"],
        experience_years_min=row["experience_years_min"],
        salary_min=row["salary_min"],
        salary_max=row["salary_max"],
        skills=_required_skills(row["skills"]),
        health_restrictions=row["health_restrictions"],
        suitable_for_disability=row["suitable_for_disability"],
        transport_accessible=row["transport_accessible"],
        housing_offered=row["housing_offered"],
    )


_CV_COLUMNS = (
    "pk",
    "person_id",
    "status",
    "expires_on",
    "ready_to_relocate",
    "schedule_id",
    "schedule__code",
    *_names("schedule__"),
    "experience_years",
    "expected_salary",
    "skills",
    "health_limits",
    "person__disability_group_id",
)


def _cv_facts(
    rows: list[dict[str, Any]], region_ids: dict[int, set[int]], today: Any
) -> list[_CvFacts]:
    """CV facts for ``rows`` with their occupation codes and education: two more queries."""
    ids = [row["pk"] for row in rows]
    codes: dict[int, list[str]] = {}
    for cv_id, code in (
        Cv.occupations.through.objects.filter(cv_id__in=ids)
        .order_by("occupation__code")
        .values_list("cv_id", "occupation__code")
    ):
        codes.setdefault(cv_id, []).append(code)
    education = _highest_education({row["person_id"] for row in rows})
    language = _language()
    return [
        _CvFacts(
            id=row["pk"],
            person_id=row["person_id"],
            is_current=row["status"] == CvStatus.PUBLISHED
            and (row["expires_on"] is None or row["expires_on"] >= today),
            occupation_codes=tuple(codes.get(row["pk"], ())),
            region_ids=frozenset(region_ids.get(row["pk"], ())),
            ready_to_relocate=row["ready_to_relocate"],
            schedule_id=row["schedule_id"],
            schedule_code=row["schedule__code"] or "",
            schedule_name=_name(row, "schedule__", language),
            experience_years=row["experience_years"],
            expected_salary=row["expected_salary"],
            skill_keys=frozenset(_skill_key(str(s)) for s in row["skills"] or ()),
            health_limits=row["health_limits"],
            has_disability=row["person__disability_group_id"] is not None,
            education=education.get(row["person_id"]),
        )
        for row in rows
    ]


def _highest_education(person_ids: Iterable[int]) -> dict[int, int]:
    ids = list(person_ids)
    if not ids:
        return {}
    rows = (
        EducationRecord.objects.filter(person_id__in=ids)
        .order_by()
        .values("person_id")
        .annotate(top=Max("level__sort_order"))
        .values_list("person_id", "top")
    )
    return dict(rows)


def _cv_regions(ids: list[int]) -> dict[int, set[int]]:
    regions: dict[int, set[int]] = {}
    for cv_id, region_id in Cv.regions.through.objects.filter(cv_id__in=ids).values_list(
        "cv_id", "region_id"
    ):
        regions.setdefault(cv_id, set()).add(region_id)
    return regions


def _current_cvs(today: Any) -> QuerySet[Cv]:
    """Published CVs not past their expiry date (the daily PRG-68 task may not have run yet)."""
    return Cv.objects.filter(status=CvStatus.PUBLISHED).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=today)
    )


# --- Judging one pair ----------------------------------------------------------------------------
# The criteria are computed for every row of a pool, but only the rows kept are explained: the
# sentences are message ids marked with gettext_noop and translated when a Criterion is built.


@dataclass(slots=True)
class _Fact:
    """A criterion's score, or an exclusion, with its untranslated sentence and its facts."""

    code: str
    score: float
    message: str
    facts: dict[str, Any]

    @property
    def points(self) -> float:
        return round(self.score * WEIGHTS[self.code], 1)

    def explanation(self) -> str:
        # Amounts are formatted here, for the rows kept, not for the whole pool.
        facts = {k: _kzt(v) if isinstance(v, Decimal) else v for k, v in self.facts.items()}
        return gettext(self.message) % facts

    def criterion(self) -> Criterion:
        return Criterion(
            code=self.code,
            score=round(self.score, 3),
            weight=WEIGHTS[self.code],
            points=self.points,
            explanation=self.explanation(),
        )


def _shared_digits(a: str, b: str) -> int:
    shared = 0
    for x, y in zip(a[:4], b[:4], strict=False):
        if x != y:
            break
        shared += 1
    return shared


def _exclusions(v: _VacancyFacts, c: _CvFacts) -> list[_Fact]:
    """The hard conditions a pair breaks; the SQL prefilters apply the same rules."""
    reasons: list[_Fact] = []
    if not v.is_published:
        reasons.append(
            _Fact("vacancy_not_published", 0, gettext_noop("The vacancy is not published."), {})
        )
    if not c.is_current:
        reasons.append(_Fact("cv_not_published", 0, gettext_noop("The CV is not published."), {}))
    if (
        c.schedule_id is not None
        and c.schedule_id != v.schedule_id
        and FLEXIBLE_SCHEDULE not in (c.schedule_code, v.schedule_code)
    ):
        reasons.append(
            _Fact(
                "schedule",
                0,
                gettext_noop("Wants the regime “%(wanted)s”, the vacancy has “%(offered)s”"),
                {"wanted": c.schedule_name, "offered": v.schedule_name},
            )
        )
    if c.has_disability and not v.suitable_for_disability:
        reasons.append(
            _Fact(
                "disability",
                0,
                gettext_noop(
                    "The person has a disability group and the vacancy is not marked "
                    "suitable for persons with disabilities"
                ),
                {},
            )
        )
    # Compared as stored ("" or not), exactly as the SQL prefilters compare them.
    if c.health_limits and v.health_restrictions:
        reasons.append(
            _Fact(
                "health",
                0,
                gettext_noop(
                    "Health limitations “%(limits)s” against the restrictions “%(restrictions)s”"
                ),
                {"limits": c.health_limits, "restrictions": v.health_restrictions},
            )
        )
    if v.region_id not in c.region_ids and not c.ready_to_relocate:
        reasons.append(
            _Fact(
                "region",
                0,
                gettext_noop(
                    "%(region)s is not among the person's regions and they would not relocate"
                ),
                {"region": v.region_name},
            )
        )
    if not any(_shared_digits(v.occupation_code, code) for code in c.occupation_codes):
        reasons.append(
            _Fact(
                "qualification",
                0,
                gettext_noop("No desired occupation in the major group %(group)s"),
                {"group": v.occupation_code[:1]},
            )
        )
    return reasons


_QUALIFICATION_MESSAGES = {
    4: gettext_noop("Same unit group %(group)s: wants %(wanted)s, the vacancy is %(offered)s"),
    3: gettext_noop("Same minor group %(group)s: wants %(wanted)s, the vacancy is %(offered)s"),
    2: gettext_noop("Same sub-major group %(group)s: wants %(wanted)s, the vacancy is %(offered)s"),
    1: gettext_noop("Same major group %(group)s: wants %(wanted)s, the vacancy is %(offered)s"),
}


def _qualification(v: _VacancyFacts, c: _CvFacts) -> _Fact:
    best = max(c.occupation_codes, key=lambda code: (_shared_digits(v.occupation_code, code), code))
    shared = _shared_digits(v.occupation_code, best)
    facts = {"group": v.occupation_code[:shared], "wanted": best, "offered": v.occupation_code}
    if best == v.occupation_code:
        message = gettext_noop("Same occupation %(offered)s")
    else:
        message = _QUALIFICATION_MESSAGES[shared]
    return _Fact("qualification", QUALIFICATION_BY_SHARED_DIGITS[shared], message, facts)


def _education(v: _VacancyFacts, c: _CvFacts, ladder: _Ladder) -> _Fact:
    if v.education_min is None:
        return _Fact("education", 1.0, gettext_noop("No education requirement"), {})
    needed = ladder.names.get(v.education_min, "")
    if c.education is None:
        return _Fact(
            "education",
            0.0,
            gettext_noop("Needs %(needed)s, no education on record"),
            {"needed": needed},
        )
    gap = ladder.rank(v.education_min) - ladder.rank(c.education)
    score = 1.0 if gap <= 0 else EDUCATION_ONE_LEVEL_BELOW if gap == 1 else 0.0
    return _Fact(
        "education",
        score,
        gettext_noop("Needs %(needed)s, has %(has)s"),
        {"needed": needed, "has": ladder.names.get(c.education, "")},
    )


def _experience(v: _VacancyFacts, c: _CvFacts) -> _Fact:
    if v.experience_years_min == 0:
        return _Fact(
            "experience",
            1.0,
            gettext_noop("No experience required, has %(has)s years"),
            {"has": c.experience_years},
        )
    return _Fact(
        "experience",
        min(1.0, c.experience_years / v.experience_years_min),
        gettext_noop("Needs %(needed)s years, has %(has)s"),
        {"needed": v.experience_years_min, "has": c.experience_years},
    )


def _region(v: _VacancyFacts, c: _CvFacts) -> _Fact:
    facts = {"region": v.region_name}
    if v.region_id in c.region_ids:
        return _Fact(
            "region", 1.0, gettext_noop("%(region)s is one of the person's regions"), facts
        )
    if v.housing_offered:
        return _Fact(
            "region",
            RELOCATION_WITH_HOUSING_SCORE,
            gettext_noop("Ready to relocate to %(region)s; the employer offers housing"),
            facts,
        )
    return _Fact(
        "region",
        RELOCATION_SCORE,
        gettext_noop("Ready to relocate to %(region)s; no housing offered"),
        facts,
    )


def _transport(v: _VacancyFacts) -> _Fact:
    if v.transport_accessible:
        return _Fact("transport", 1.0, gettext_noop("Reachable by public transport"), {})
    if v.housing_offered:
        return _Fact(
            "transport",
            NO_TRANSPORT_WITH_HOUSING_SCORE,
            gettext_noop("Not reachable by public transport; the employer offers housing"),
            {},
        )
    return _Fact("transport", 0.0, gettext_noop("Not reachable by public transport"), {})


def _kzt(amount: Decimal) -> str:
    return f"{amount:,.0f}".replace(",", " ")


def _salary(v: _VacancyFacts, c: _CvFacts) -> _Fact:
    pays = v.salary_max if v.salary_max is not None else v.salary_min
    if c.expected_salary is None:
        return _Fact(
            "salary",
            1.0,
            gettext_noop("No expected salary stated; pays %(pays)s KZT"),
            {"pays": pays},
        )
    if v.salary_max is not None:
        message = gettext_noop("Expects %(expected)s KZT, the vacancy pays up to %(pays)s KZT")
    else:
        message = gettext_noop("Expects %(expected)s KZT, the vacancy pays %(pays)s KZT")
    # 1 up to what the vacancy pays, then linearly down to 0 at SALARY_ZERO_AT times that.
    ratio = c.expected_salary / pays
    score = min(1.0, max(0.0, float((SALARY_ZERO_AT - ratio) / (SALARY_ZERO_AT - 1))))
    return _Fact("salary", score, message, {"expected": c.expected_salary, "pays": pays})


def _skills(v: _VacancyFacts, c: _CvFacts) -> _Fact:
    if not v.skills:
        return _Fact("skills", 1.0, gettext_noop("No skills required"), {})
    missing = [name for key, name in v.skills if key not in c.skill_keys]
    found = len(v.skills) - len(missing)
    facts = {"found": found, "total": len(v.skills), "missing": ", ".join(missing)}
    if missing:
        message = gettext_noop("Has %(found)s of %(total)s required skills; missing: %(missing)s")
    else:
        message = gettext_noop("Has all %(total)s required skills")
    return _Fact("skills", found / len(v.skills), message, facts)


@dataclass(slots=True)
class _Scored:
    """A pair that passed the hard conditions, scored but not yet explained."""

    score: float
    vacancy_id: int
    cv_id: int
    person_id: int
    facts: tuple[_Fact, ...]

    def match(self) -> Match:
        return Match(
            cv_id=self.cv_id,
            vacancy_id=self.vacancy_id,
            person_id=self.person_id,
            score=self.score,
            criteria=tuple(fact.criterion() for fact in self.facts),
        )


def _score(v: _VacancyFacts, c: _CvFacts, ladder: _Ladder) -> _Scored | None:
    """The pair's score, or None when a hard condition excludes it."""
    if _exclusions(v, c):
        return None
    facts = (
        _qualification(v, c),
        _education(v, c, ladder),
        _experience(v, c),
        _region(v, c),
        _transport(v),
        _salary(v, c),
        _skills(v, c),
    )
    # The total is the sum of the rounded points, so the displayed breakdown adds up.
    return _Scored(
        score=round(sum(fact.points for fact in facts), 1),
        vacancy_id=v.id,
        cv_id=c.id,
        person_id=c.person_id,
        facts=facts,
    )


def _postgres(model: type[Cv] | type[Vacancy]) -> bool:
    return connections[router.db_for_read(model)].vendor == "postgresql"


def _pg_in_region(v: _VacancyFacts) -> RawSQL:
    return RawSQL(
        "exchange_cv.facet_keys @> ARRAY[%s]::text[]",
        ["r" + v.region_code],
        output_field=BooleanField(),
    )


def _ranked(statement: match_sql.Statement, model: type[Cv] | type[Vacancy]) -> list[int]:
    """The ids the ranking statement keeps (best first; its scores are scored again)."""
    with connections[router.db_for_read(model)].cursor() as cursor:
        cursor.execute(statement.sql, statement.params)
        return [int(row[0]) for row in cursor.fetchall()]


# --- Candidates for a vacancy --------------------------------------------------------------------

_NEWEST_FIRST = (F("published_at").desc(nulls_last=True), F("pk").desc())


def _cv_pool(v: _VacancyFacts, *, include_centre_only: bool, today: Any) -> QuerySet[Cv]:
    """Published CVs that pass the vacancy's hard conditions, in its sub-major group.

    On PostgreSQL the sub-major group and the region are read from the CV's facet keys (one GIN
    lookup in its search document, see ``search._pg_install_cv_facet_keys``) instead of joins
    through the link tables."""
    prefix = v.occupation_code[:PREFILTER_DIGITS]
    if connections[router.db_for_read(Cv)].vendor == "postgresql":
        from .search import _facet_token

        pool = (
            _current_cvs(today)
            .extra(  # fixed SQL; the key is a parameter
                where=["exchange_cv.search_document @@ %s::tsquery"],
                params=[_facet_token("o" + prefix)],
            )
            .annotate(in_region=_pg_in_region(v))
            .filter(Q(in_region=True) | Q(ready_to_relocate=True))
        )
    else:
        same_sub_major = Cv.occupations.through.objects.filter(
            occupation__code__startswith=prefix
        ).values("cv_id")
        in_region = Cv.regions.through.objects.filter(cv_id=OuterRef("pk"), region_id=v.region_id)
        pool = (
            _current_cvs(today)
            .filter(pk__in=same_sub_major)
            .annotate(in_region=Exists(in_region))
            .filter(Q(in_region=True) | Q(ready_to_relocate=True))
        )
    if not include_centre_only:
        pool = pool.filter(visibility=CvVisibility.PUBLIC)
    if v.schedule_code != FLEXIBLE_SCHEDULE:
        pool = pool.filter(
            Q(schedule__isnull=True)
            | Q(schedule_id=v.schedule_id)
            | Q(schedule__code=FLEXIBLE_SCHEDULE)
        )
    if not v.suitable_for_disability:
        pool = pool.filter(person__disability_group__isnull=True)
    if v.health_restrictions:
        pool = pool.filter(health_limits="")
    return pool.order_by(*_NEWEST_FIRST)


def candidates_for_vacancy(
    vacancy: Vacancy, *, limit: int = 50, include_centre_only: bool = True
) -> list[Match]:
    """The best published CVs for a published vacancy, one per person, best first.

    ``include_centre_only=False`` leaves out CVs visible to employment centres only (the person
    did not consent to publication): what an employer or an agency may be shown. Equal scores:
    the newer CV first.
    """
    row = Vacancy.objects.filter(pk=vacancy.pk).values(*_VACANCY_COLUMNS).first()
    if row is None or row["status"] != VacancyStatus.PUBLISHED:
        return []
    v = _vacancy_facts(row, _language())
    today = timezone.localdate()
    pool = _cv_pool(v, include_centre_only=include_centre_only, today=today)
    ladder = _ladder()
    if _postgres(Cv):
        # The pool is read and scored in SQL; only the best rows come back (match_sql).
        ids = _ranked(
            match_sql.candidates(
                v,
                include_centre_only=include_centre_only,
                today=today,
                pool_size=POOL_SIZE,
                limit=limit,
                ladder=ladder.sort_orders,
            ),
            Cv,
        )
        if not ids:
            return []
        rows = list(
            Cv.objects.filter(pk__in=ids)
            .annotate(in_region=_pg_in_region(v))
            .values(*_CV_COLUMNS, "in_region")
        )
    else:
        rows = list(pool.values(*_CV_COLUMNS, "in_region")[:POOL_SIZE])
    if not rows:
        return []
    regions = {r["pk"]: {v.region_id} for r in rows if r["in_region"]}
    best: dict[int, _Scored] = {}
    for c in _cv_facts(rows, regions, today):
        scored = _score(v, c, ladder)
        if scored is not None:
            kept = best.get(c.person_id)
            if kept is None or (scored.score, scored.cv_id) > (kept.score, kept.cv_id):
                best[c.person_id] = scored
    ranked = sorted(best.values(), key=lambda s: (-s.score, -s.cv_id))
    return [scored.match() for scored in ranked[:limit]]


# --- Vacancies for a CV or a person ---------------------------------------------------------------


def _vacancy_pool(cvs: list[_CvFacts]) -> QuerySet[Vacancy]:
    """Published vacancies that pass the hard conditions of at least one of ``cvs``."""
    fits_any = Q()
    for c in cvs:
        prefixes = sorted({code[:PREFILTER_DIGITS] for code in c.occupation_codes})
        if not prefixes:
            continue
        same_group = Q()
        for prefix in prefixes:
            same_group |= Q(occupation__code__startswith=prefix)
        fits = same_group
        if not c.ready_to_relocate:
            fits &= Q(region_id__in=sorted(c.region_ids))
        if c.schedule_id is not None and c.schedule_code != FLEXIBLE_SCHEDULE:
            fits &= Q(schedule_id=c.schedule_id) | Q(schedule__code=FLEXIBLE_SCHEDULE)
        if c.has_disability:
            fits &= Q(suitable_for_disability=True)
        if c.health_limits:
            fits &= Q(health_restrictions="")
        fits_any |= fits
    if not fits_any:
        return Vacancy.objects.none()
    return (
        Vacancy.objects.filter(status=VacancyStatus.PUBLISHED)
        .filter(fits_any)
        .order_by(*_NEWEST_FIRST)
    )


def _vacancies_for(cvs_queryset: QuerySet[Cv], limit: int) -> list[Match]:
    today = timezone.localdate()
    rows = list(_current_cvs(today).filter(pk__in=cvs_queryset.values("pk")).values(*_CV_COLUMNS))
    if not rows:
        return []
    cvs = _cv_facts(rows, _cv_regions([r["pk"] for r in rows]), today)
    ladder = _ladder()
    if _postgres(Vacancy):
        # The pool is read and scored in SQL; only the best rows come back (match_sql).
        statement = match_sql.vacancies(
            cvs, pool_size=POOL_SIZE, limit=limit, ladder=ladder.sort_orders
        )
        ids = _ranked(statement, Vacancy) if statement.sql else []
        if not ids:
            return []
        vacancy_rows = list(Vacancy.objects.filter(pk__in=ids).values(*_VACANCY_COLUMNS))
    else:
        vacancy_rows = list(_vacancy_pool(cvs).values(*_VACANCY_COLUMNS)[:POOL_SIZE])
    if not vacancy_rows:
        return []
    language = _language()
    best: dict[int, _Scored] = {}
    for vacancy_row in vacancy_rows:
        v = _vacancy_facts(vacancy_row, language)
        for c in cvs:
            scored = _score(v, c, ladder)
            if scored is not None:
                kept = best.get(v.id)
                if kept is None or (scored.score, scored.cv_id) > (kept.score, kept.cv_id):
                    best[v.id] = scored
    ranked = sorted(best.values(), key=lambda s: (-s.score, -s.vacancy_id))
    return [scored.match() for scored in ranked[:limit]]


def vacancies_for_cv(cv: Cv, *, limit: int = 50) -> list[Match]:
    """The best published vacancies for a published CV, best first (equal scores: the newer
    vacancy first)."""
    return _vacancies_for(Cv.objects.filter(pk=cv.pk), limit)


def vacancies_for_person(person: Person, *, limit: int = 50) -> list[Match]:
    """The best published vacancies for any of the person's published CVs, best first; a
    vacancy appears once, with the score of the CV that fits it best."""
    return _vacancies_for(Cv.objects.filter(person_id=person.pk), limit)


# --- One pair ------------------------------------------------------------------------------------


def match_pair(vacancy: Vacancy, cv: Cv) -> Match | Excluded:
    """Score and explain one vacancy and one CV, or give every reason they do not match.

    For the specialist who asks why somebody is missing from a list. The score is the one the
    lists give; a pair only in the same major group (not generated in the lists, see the module
    docstring) is scored too.
    """
    today = timezone.localdate()
    v = _vacancy_facts(
        Vacancy.objects.filter(pk=vacancy.pk).values(*_VACANCY_COLUMNS).get(), _language()
    )
    (c,) = _cv_facts(
        list(Cv.objects.filter(pk=cv.pk).values(*_CV_COLUMNS)), _cv_regions([cv.pk]), today
    )
    ladder = _ladder()
    scored = _score(v, c, ladder)
    if scored is not None:
        return scored.match()
    return Excluded(
        cv_id=c.id,
        vacancy_id=v.id,
        person_id=c.person_id,
        reasons=tuple(Reason(r.code, r.explanation()) for r in _exclusions(v, c)),
    )
