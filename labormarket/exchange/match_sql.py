"""PostgreSQL: the matching pools and the match score in SQL (docs/adr/0012).

:mod:`labormarket.exchange.matching` defines the rules; this module runs them where the data
is, so that a request reads and scores its pool of :data:`~matching.POOL_SIZE` rows in the
database and only the few rows kept are fetched, scored again and explained in Python.

Candidates for a vacancy
    ``exchange_cv_match_key`` holds, for every published CV, one row per *match key*:
    ``<sub-major group>/<region KATO code>`` for each of its desired sub-major groups and
    regions, and ``<sub-major group>/*`` when the person would relocate, with the columns the
    hard conditions test (visibility, expiry, schedule, health limitations, the person). A
    B-tree on (key, newest first) gives the pool of a vacancy as two ordered index range scans —
    ``<group>/<its region>`` and ``<group>/*`` — that stop after ``POOL_SIZE`` rows each,
    whatever the size of the group. The rows are derived from ``exchange_cv`` alone (its
    ``facet_keys``, status and columns) by a row trigger, so every writer — the services, the
    admin, the link-table triggers that keep ``facet_keys``, the benchmark generator — keeps
    them in step.

Vacancies for a CV
    Two partial B-trees on the published vacancies, (occupation, region, newest first) and
    (occupation, newest first), give the pool as ordered range scans per occupation of the CV's
    sub-major groups (and per region, unless the person would relocate).

The score
    :func:`score_sql` is the SQL of ``matching._score``: the same criteria, weights, rounding
    of each criterion's points and of the total. The lists take the best
    :func:`ranked_rows` rows by this score, then ``matching`` scores those again in Python
    (the explanations, and the numbers shown) and keeps ``limit``. The SQL picks
    :data:`SLACK` more rows than asked, so a difference in the last decimal between the two
    (PostgreSQL rounds halves away from zero, Python to even) cannot drop a row from the list;
    the tests compare both on every pair they build.
"""

# ruff: noqa: S608 — statements are assembled from this module's constants; values are parameters.

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

MATCH_KEY_TABLE = "exchange_cv_match_key"
#: Rows ranked in SQL beyond the number asked for (see the module docstring).
SLACK = 25
#: A relocating CV's key for a sub-major group: ``<group>/*``.
RELOCATES = "*"


def match_key(group: str, region_code: str) -> str:
    return f"{group}/{region_code}"


# --- DDL (migration 0004) -----------------------------------------------------------------------

_MATCH_KEY_ROWS = f"""
SELECT k.key, c.published_at, c.id, c.person_id, c.visibility = 'public', c.expires_on,
       c.schedule_id, c.health_limits <> ''
FROM (SELECT DISTINCT g.g || '/' || r.r AS key
        FROM (SELECT substr(x, 2) AS g FROM unnest(c.facet_keys) x
               WHERE x LIKE 'o%' AND length(x) = 3) g,
             (SELECT substr(x, 2) AS r FROM unnest(c.facet_keys) x WHERE x LIKE 'r%'
              UNION ALL SELECT '{RELOCATES}' WHERE c.ready_to_relocate) r) k
"""

_INSTALL = (
    f"""
    CREATE TABLE IF NOT EXISTS {MATCH_KEY_TABLE} (
      key text NOT NULL,
      published_at timestamptz,
      cv_id bigint NOT NULL,
      person_id bigint NOT NULL,
      is_public boolean NOT NULL,
      expires_on date,
      schedule_id bigint,
      has_health_limits boolean NOT NULL,
      PRIMARY KEY (key, cv_id)
    )
    """,
    f"""
    CREATE INDEX IF NOT EXISTS {MATCH_KEY_TABLE}_newest
      ON {MATCH_KEY_TABLE} (key, published_at DESC NULLS LAST, cv_id DESC)
    """,
    f"CREATE INDEX IF NOT EXISTS {MATCH_KEY_TABLE}_cv ON {MATCH_KEY_TABLE} (cv_id)",
    f"""
    CREATE OR REPLACE FUNCTION exchange_cv_match_keys() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE c exchange_cv%ROWTYPE;
    BEGIN
      IF TG_OP = 'UPDATE' AND NEW.status IS NOT DISTINCT FROM OLD.status
         AND NEW.facet_keys IS NOT DISTINCT FROM OLD.facet_keys
         AND NEW.published_at IS NOT DISTINCT FROM OLD.published_at
         AND NEW.visibility IS NOT DISTINCT FROM OLD.visibility
         AND NEW.expires_on IS NOT DISTINCT FROM OLD.expires_on
         AND NEW.schedule_id IS NOT DISTINCT FROM OLD.schedule_id
         AND NEW.health_limits IS NOT DISTINCT FROM OLD.health_limits
         AND NEW.ready_to_relocate IS NOT DISTINCT FROM OLD.ready_to_relocate
         AND NEW.person_id IS NOT DISTINCT FROM OLD.person_id THEN
        RETURN NULL;
      END IF;
      IF TG_OP <> 'INSERT' THEN
        DELETE FROM {MATCH_KEY_TABLE} WHERE cv_id = OLD.id;
      END IF;
      IF TG_OP <> 'DELETE' AND NEW.status = 'published' THEN
        c := NEW;
        INSERT INTO {MATCH_KEY_TABLE} {_MATCH_KEY_ROWS};
      END IF;
      RETURN NULL;
    END
    $$
    """,
    "DROP TRIGGER IF EXISTS exchange_cv_match_keys ON exchange_cv",
    # The pool of a CV: newest first per occupation and region, or per occupation.
    """
    CREATE INDEX IF NOT EXISTS exchange_vacancy_pool_region ON exchange_vacancy
      (occupation_id, region_id, published_at DESC NULLS LAST, id DESC)
      WHERE status = 'published'
    """,
    """
    CREATE INDEX IF NOT EXISTS exchange_vacancy_pool ON exchange_vacancy
      (occupation_id, published_at DESC NULLS LAST, id DESC) WHERE status = 'published'
    """,
    """
    CREATE TRIGGER exchange_cv_match_keys AFTER INSERT OR UPDATE OR DELETE ON exchange_cv
    FOR EACH ROW EXECUTE FUNCTION exchange_cv_match_keys()
    """,
)


def install(cursor: Any) -> None:
    """Create the match-key table and its trigger, and fill it from the published CVs."""
    for statement in _INSTALL:
        cursor.execute(statement)
    cursor.execute(f"TRUNCATE {MATCH_KEY_TABLE}")
    cursor.execute(
        f"INSERT INTO {MATCH_KEY_TABLE} SELECT q.* FROM exchange_cv c, LATERAL "
        f"({_MATCH_KEY_ROWS}) q WHERE c.status = 'published'"
    )
    cursor.execute(f"ANALYZE {MATCH_KEY_TABLE}")
    cursor.execute("ANALYZE exchange_vacancy")


def uninstall(cursor: Any) -> None:
    cursor.execute("DROP TRIGGER IF EXISTS exchange_cv_match_keys ON exchange_cv")
    cursor.execute("DROP FUNCTION IF EXISTS exchange_cv_match_keys()")
    cursor.execute(f"DROP TABLE IF EXISTS {MATCH_KEY_TABLE}")
    cursor.execute("DROP INDEX IF EXISTS exchange_vacancy_pool_region")
    cursor.execute("DROP INDEX IF EXISTS exchange_vacancy_pool")


# --- The score ------------------------------------------------------------------------------------


def skill_keys_sql(jsonb: str) -> str:
    """A vacancy's required skills as distinct keys: the cheap form of
    ``matching._skill_key`` (lower case, ё as е; runs of spaces are not collapsed — see
    :func:`skill_set_sql`)."""
    return (
        f"(CASE WHEN jsonb_typeof({jsonb}) = 'array' THEN ARRAY(SELECT DISTINCT k FROM "
        f"jsonb_array_elements_text(CAST(lower(translate(CAST({jsonb} AS text), 'ёЁ', 'ее')) "
        "AS jsonb)) AS k WHERE k <> '') ELSE ARRAY[]::text[] END)"
    )


def skill_set_sql(jsonb: str) -> str:
    """A CV's skills as a JSON array of lower-cased strings (ё as е), for ``?``: the cheap form
    of ``matching._skill_key``, the same for skills without runs of spaces (it is only used to
    pick the rows that Python scores again)."""
    return (
        f"(CASE WHEN jsonb_typeof({jsonb}) = 'array' "
        f"THEN CAST(lower(translate(CAST({jsonb} AS text), 'ёЁ', 'ее')) AS jsonb) "
        "ELSE CAST('[]' AS jsonb) END)"
    )


def score_sql(p: str, ladder: Sequence[int]) -> str:
    """The 0–100 score of a pair that passed the hard conditions (``matching._score``), over a
    row ``p`` with the columns

    * of the vacancy: ``v_code`` (occupation code), ``v_housing``, ``v_transport``,
      ``v_education`` (``EducationLevel.sort_order`` or NULL), ``v_experience``,
      ``v_salary_min``, ``v_salary_max``, ``v_skills`` (text[], distinct keys);
    * of the CV: ``c_keys`` (its ``facet_keys``: the ``o…`` prefixes of its occupation codes),
      ``c_in_region``, ``c_experience``, ``c_salary``, ``c_skills`` (a JSON array of skill
      keys, see :func:`skill_set_sql`), ``c_education``
      (the highest sort order on record or NULL).

    ``ladder``: the education levels' sort orders in order (``matching._Ladder``). No
    parameters: every constant is a number of :mod:`matching`.
    """
    from . import matching as m

    def points(score: str, weight: int) -> str:
        return f"round(CAST(({score}) AS numeric) * {weight}, 1)"

    levels = "ARRAY[" + ", ".join(str(int(x)) for x in ladder) + "]::int[]"
    qualification = (
        "CASE "
        + " ".join(
            f"WHEN length({p}.v_code) >= {n} AND ('o' || left({p}.v_code, {n})) = ANY({p}.c_keys) "
            f"THEN {m.QUALIFICATION_BY_SHARED_DIGITS[n]!r}"
            for n in (4, 3, 2, 1)
        )
        + " ELSE 0 END"
    )
    gap = f"(array_position({levels}, {p}.v_education) - array_position({levels}, {p}.c_education))"
    education = (
        f"CASE WHEN {p}.v_education IS NULL THEN 1.0 WHEN {p}.c_education IS NULL THEN 0.0 "
        f"WHEN {gap} <= 0 THEN 1.0 WHEN {gap} = 1 THEN {m.EDUCATION_ONE_LEVEL_BELOW!r} ELSE 0.0 END"
    )
    experience = (
        f"CASE WHEN {p}.v_experience = 0 THEN 1.0 "
        f"ELSE least(1.0, CAST({p}.c_experience AS numeric) / {p}.v_experience) END"
    )
    region = (
        f"CASE WHEN {p}.c_in_region THEN 1.0 WHEN {p}.v_housing "
        f"THEN {m.RELOCATION_WITH_HOUSING_SCORE!r} ELSE {m.RELOCATION_SCORE!r} END"
    )
    transport = (
        f"CASE WHEN {p}.v_transport THEN 1.0 WHEN {p}.v_housing "
        f"THEN {m.NO_TRANSPORT_WITH_HOUSING_SCORE!r} ELSE 0.0 END"
    )
    zero_at = m.SALARY_ZERO_AT
    salary = (
        f"CASE WHEN {p}.c_salary IS NULL THEN 1.0 ELSE least(1.0, greatest(0.0, "
        f"({zero_at} - {p}.c_salary / NULLIF(coalesce({p}.v_salary_max, {p}.v_salary_min), 0)) "
        f"/ ({zero_at} - 1))) END"
    )
    skills = (
        f"CASE WHEN cardinality({p}.v_skills) = 0 THEN 1.0 ELSE "
        f"CAST((SELECT count(*) FROM unnest({p}.v_skills) AS k WHERE {p}.c_skills ? k) "
        f"AS numeric) / cardinality({p}.v_skills) END"
    )
    terms = [
        points(qualification, m.WEIGHT_QUALIFICATION),
        points(education, m.WEIGHT_EDUCATION),
        points(experience, m.WEIGHT_EXPERIENCE),
        points(region, m.WEIGHT_REGION),
        points(transport, m.WEIGHT_TRANSPORT),
        points(salary, m.WEIGHT_SALARY),
        points(skills, m.WEIGHT_SKILLS),
    ]
    return "round(" + " + ".join(terms) + ", 1)"


# --- The statements -------------------------------------------------------------------------------

_NEWEST = "{a}.published_at DESC NULLS LAST, {a}.{id} DESC"

_EDUCATION_OF = (
    "(SELECT max(el.sort_order) FROM registry_educationrecord er "
    "JOIN reference_educationlevel el ON el.id = er.level_id WHERE er.person_id = {person})"
)


def _flexible_id() -> str:
    from .matching import FLEXIBLE_SCHEDULE

    return f"(SELECT ws.id FROM reference_workschedule ws WHERE ws.code = '{FLEXIBLE_SCHEDULE}')"


@dataclass(frozen=True)
class Statement:
    sql: str
    params: list[Any]


def candidates(
    v: Any,
    *,
    include_centre_only: bool,
    today: Any,
    pool_size: int,
    limit: int,
    ladder: Sequence[int],
) -> Statement:
    """(id, score) of the best ``limit`` + :data:`SLACK` CVs for vacancy facts ``v``
    (``matching._VacancyFacts``), one per person, best first: the pool of ``pool_size`` newest
    CVs that pass the hard conditions, scored by :func:`score_sql`."""
    from .matching import FLEXIBLE_SCHEDULE, PREFILTER_DIGITS

    where = ["(m.expires_on IS NULL OR m.expires_on >= %s)"]
    where_params: list[Any] = [today]
    if not include_centre_only:
        where.append("m.is_public")
    if v.schedule_code != FLEXIBLE_SCHEDULE:
        where.append(
            f"(m.schedule_id IS NULL OR m.schedule_id = %s OR m.schedule_id = {_flexible_id()})"
        )
        where_params.append(v.schedule_id)
    if not v.suitable_for_disability:
        where.append(
            "NOT EXISTS (SELECT 1 FROM registry_person pr WHERE pr.id = m.person_id "
            "AND pr.disability_group_id IS NOT NULL)"
        )
    if v.health_restrictions:
        where.append("NOT m.has_health_limits")
    condition = " AND ".join(where)
    group = v.occupation_code[:PREFILTER_DIGITS]
    branch = (
        f"(SELECT m.cv_id, m.published_at, {{in_region}} AS in_region FROM {MATCH_KEY_TABLE} m "
        f"WHERE m.key = %s AND {condition} ORDER BY {_NEWEST.format(a='m', id='cv_id')} "
        "LIMIT %s)"
    )
    sql = (
        f"WITH k AS ({branch.format(in_region='TRUE')} UNION ALL "
        f"{branch.format(in_region='FALSE')}), "
        "pool AS (SELECT k.cv_id, bool_or(k.in_region) AS in_region, "
        "max(k.published_at) AS published_at FROM k GROUP BY k.cv_id "
        "ORDER BY max(k.published_at) DESC NULLS LAST, k.cv_id DESC LIMIT %s), "
        "p AS MATERIALIZED (SELECT c.id, c.person_id, CAST(%s AS text) AS v_code, "
        "CAST(%s AS boolean) AS v_housing, CAST(%s AS boolean) AS v_transport, "
        "CAST(%s AS integer) AS v_education, CAST(%s AS integer) AS v_experience, "
        "CAST(%s AS numeric) AS v_salary_min, CAST(%s AS numeric) AS v_salary_max, "
        "CAST(%s AS text[]) AS v_skills, c.facet_keys AS c_keys, pool.in_region AS c_in_region, "
        "c.experience_years AS c_experience, c.expected_salary AS c_salary, "
        f"{skill_set_sql('c.skills')} AS c_skills, "
        f"{_EDUCATION_OF.format(person='c.person_id')} AS c_education "
        "FROM pool JOIN exchange_cv c ON c.id = pool.cv_id), "
        f"s AS (SELECT p.id, p.person_id, {score_sql('p', ladder)} AS score FROM p) "
        "SELECT b.id, b.score FROM (SELECT DISTINCT ON (s.person_id) s.id, s.score FROM s "
        "ORDER BY s.person_id, s.score DESC, s.id DESC) b "
        "ORDER BY b.score DESC, b.id DESC LIMIT %s"
    )
    params = [
        match_key(group, v.region_code),
        *where_params,
        pool_size,
        match_key(group, RELOCATES),
        *where_params,
        pool_size,
        pool_size,
        v.occupation_code,
        v.housing_offered,
        v.transport_accessible,
        v.education_min,
        v.experience_years_min,
        v.salary_min,
        v.salary_max,
        [key for key, _ in v.skills],
        limit + SLACK,
    ]
    return Statement(sql, params)


def occupation_prefixes(code: str) -> list[str]:
    """A code's ``facet_keys`` entries: ``o`` + every prefix (``search._PG_FACET_KEYS``)."""
    return ["o" + code[:n] for n in range(1, len(code) + 1)]


def vacancies(
    cvs: Sequence[Any], *, pool_size: int, limit: int, ladder: Sequence[int]
) -> Statement:
    """(id, score) of the best ``limit`` + :data:`SLACK` vacancies for CV facts ``cvs``
    (``matching._CvFacts``), each with the score of the CV that fits it best, best first: the
    pool of ``pool_size`` newest vacancies that pass the hard conditions of at least one CV."""
    from .matching import FLEXIBLE_SCHEDULE, PREFILTER_DIGITS

    branches: list[str] = []
    params: list[Any] = []
    rows: list[str] = []
    row_params: list[Any] = []
    for c in cvs:
        prefixes = sorted({code[:PREFILTER_DIGITS] + "%" for code in c.occupation_codes})
        if not prefixes:
            continue
        hard = []
        hard_params: list[Any] = []
        if c.schedule_id is not None and c.schedule_code != FLEXIBLE_SCHEDULE:
            hard.append(f"(v.schedule_id = %s OR v.schedule_id = {_flexible_id()})")
            hard_params.append(c.schedule_id)
        if c.has_disability:
            hard.append("v.suitable_for_disability")
        if c.health_limits:
            hard.append("v.health_restrictions = ''")
        extra = "".join(f" AND {h}" for h in hard)
        if c.ready_to_relocate:
            source, region = "", ""
        else:
            source = " CROSS JOIN unnest(CAST(%s AS bigint[])) AS r(region_id)"
            region = " AND v.region_id = r.region_id"
        branches.append(
            f"SELECT x.id, x.published_at FROM reference_occupation o{source} CROSS JOIN LATERAL "
            f"(SELECT v.id, v.published_at FROM exchange_vacancy v WHERE v.status = 'published' "
            f"AND v.occupation_id = o.id{region}{extra} "
            f"ORDER BY {_NEWEST.format(a='v', id='id')} LIMIT %s) x "
            "WHERE o.code LIKE ANY(CAST(%s AS text[]))"
        )
        if not c.ready_to_relocate:
            params.append(sorted(c.region_ids))
        params += [*hard_params, pool_size, prefixes]
        rows.append(
            "SELECT CAST(%s AS bigint) AS id, CAST(%s AS text[]) AS keys, "
            "CAST(%s AS bigint[]) AS regions, CAST(%s AS boolean) AS relocates, "
            "CAST(%s AS bigint) AS schedule_id, CAST(%s AS boolean) AS flexible, "
            "CAST(%s AS integer) AS experience, CAST(%s AS numeric) AS salary, "
            "CAST(%s AS text[]) AS skills, CAST(%s AS integer) AS education, "
            "CAST(%s AS boolean) AS disabled, CAST(%s AS boolean) AS limited"
        )
        row_params += [
            c.id,
            sorted({key for code in c.occupation_codes for key in occupation_prefixes(code)}),
            sorted(c.region_ids),
            c.ready_to_relocate,
            c.schedule_id,
            c.schedule_code == FLEXIBLE_SCHEDULE,
            c.experience_years,
            c.expected_salary,
            sorted(c.skill_keys),
            c.education,
            c.has_disability,
            bool(c.health_limits),
        ]
    if not branches:
        return Statement("", [])
    sql = (
        f"WITH cv AS ({' UNION ALL '.join(rows)}), "
        f"pool AS (SELECT DISTINCT u.id, u.published_at FROM ({' UNION ALL '.join(branches)}) u "
        f"ORDER BY {_NEWEST.format(a='u', id='id')} LIMIT %s), "
        "p AS MATERIALIZED (SELECT v.id AS vacancy_id, cv.id AS cv_id, o.code AS v_code, "
        "v.housing_offered AS v_housing, v.transport_accessible AS v_transport, "
        "el.sort_order AS v_education, v.experience_years_min AS v_experience, "
        "v.salary_min AS v_salary_min, v.salary_max AS v_salary_max, "
        f"{skill_keys_sql('v.skills')} AS v_skills, cv.keys AS c_keys, "
        "v.region_id = ANY(cv.regions) AS c_in_region, cv.experience AS c_experience, "
        "cv.salary AS c_salary, to_jsonb(cv.skills) AS c_skills, cv.education AS c_education "
        "FROM pool JOIN exchange_vacancy v ON v.id = pool.id "
        "JOIN reference_occupation o ON o.id = v.occupation_id "
        "LEFT JOIN reference_educationlevel el ON el.id = v.education_min_id CROSS JOIN cv "
        "WHERE (cv.schedule_id IS NULL OR cv.schedule_id = v.schedule_id OR cv.flexible "
        f"OR v.schedule_id = {_flexible_id()}) "
        "AND (NOT cv.disabled OR v.suitable_for_disability) "
        "AND (NOT cv.limited OR v.health_restrictions = '') "
        "AND (v.region_id = ANY(cv.regions) OR cv.relocates) "
        "AND ('o' || left(o.code, 1)) = ANY(cv.keys)), "
        f"s AS (SELECT p.vacancy_id, p.cv_id, {score_sql('p', ladder)} AS score FROM p) "
        "SELECT b.vacancy_id, b.score FROM (SELECT DISTINCT ON (s.vacancy_id) s.vacancy_id, s.score "
        "FROM s ORDER BY s.vacancy_id, s.score DESC, s.cv_id DESC) b "
        "ORDER BY b.score DESC, b.vacancy_id DESC LIMIT %s"
    )
    return Statement(sql, [*row_params, *params, pool_size, limit + SLACK])
