"""Search of published vacancies and CVs: one interface, the same results on both databases.

``vacancy_search(VacancyQuery(...))`` and ``cv_search(CvQuery(...))`` return a
:class:`SearchResult`: the total, the ids of one page in rank order with their scores, and facet
counts over the whole filtered set. ``vacancies_for(result)`` / ``cvs_for(result)`` load that
page's objects, in order, with what a list shows — a fixed number of queries whatever the page.

Full text
    Titles (most weight), skills, then description / "about", in Russian and Kazakh.

    *PostgreSQL*: a ``search_document tsvector`` column on ``exchange_vacancy`` and
    ``exchange_cv`` (``to_tsvector('russian') || to_tsvector('simple')`` of the title — weight A —,
    the skills — B — and the description or "about" — C), kept by a ``BEFORE INSERT OR UPDATE``
    trigger, with a GIN index over the published rows only; a ``pg_trgm`` index of the indexed
    words (:mod:`.search_vocabulary`) for typo-tolerant matching. The column is stored rather than recomputed from an expression
    index because ranking reads the document of every candidate row, and recomputing
    ``to_tsvector`` costs ~0.3 ms a row.

    *SQLite*: contentless FTS5 tables ``exchange_vacancy_fts(title, skills, description)`` and
    ``exchange_cv_fts(title, skills, about)`` (tokenizer ``unicode61 remove_diacritics 2``: every
    script, Cyrillic and the Kazakh letters included, is case-folded), kept by ``AFTER INSERT /
    UPDATE OF / DELETE`` triggers; ranked with ``bm25`` (column weights 10, 4, 1).

    The DDL lives here (:func:`search_index_install`) and migration ``0002_search_indexes`` runs
    it. On SQLite, Django *rebuilds* a table for most ``ALTER TABLE`` changes, which drops its
    triggers: a later migration that alters ``exchange_vacancy`` or ``exchange_cv`` must call
    ``search_index_install(connection, rebuild=True)`` again (it is idempotent).

Matching — the same rules on both databases
    The text is cut to :data:`MAX_TEXT_LENGTH` characters (without the stump of a word cut in
    two), split into words (runs of letters and digits; everything else — quotes, ``*``, ``-``,
    ``:``, parentheses — is a separator, so no input is an error), lower-cased, ``ё`` read as
    ``е``; at most :data:`MAX_TERMS` distinct words are kept. A record matches when it contains
    every word; a word of :data:`PREFIX_MIN_LENGTH` or more characters also matches as a prefix
    ("каменщ" finds "каменщик" and "каменщику"). The upper-case word ``OR`` between words gives
    alternatives ("повар OR пекарь"), ``AND`` is implied and ignored; any other word ("NEAR",
    "NOT") is a word to find. Text with no words is no text: the filters alone apply.

    On PostgreSQL a prefix is looked up in the vocabulary of the indexed words and searched as
    the words it begins — the same matches, several times cheaper for GIN
    (:mod:`.search_vocabulary`, docs/adr/0013).

    PostgreSQL adds Russian stemming ("каменщика" also finds "каменщик"): its result set for a
    query contains SQLite's and may be larger (and the two tokenizers differ at the margins:
    PostgreSQL keeps "3.5" or "site.kz" as one word where FTS5 sees two). When a single word of
    :data:`FUZZY_MIN_LENGTH`+ letters matches nothing, PostgreSQL searches again for the
    indexed words most like it by trigram word similarity, any of them ("бугалтер" finds
    "Главный бухгалтер" through "бухгалтер"; ``SearchResult.fuzzy`` is then true; docs/adr/0014); SQLite has no such retry and returns nothing. Scores are ``ts_rank`` on
    PostgreSQL and ``-bm25`` on SQLite: higher is better on both, the values differ, and so may
    the order of two records whose relevance is close but not equal (both favour the title,
    then skills, then the body, and short documents over long ones).

Order
    With text: by relevance, then newest first (``published_at`` desc, ``id`` desc). Relevance is
    computed over the :data:`RANK_WINDOW` newest matches; when more records match, those older
    ones follow the window newest first. Ranking every match of a very common word would read
    every matching document (tens of thousands); the window keeps the cost bounded. Without
    text: newest first.

Filters
    Unknown or malformed codes (region, district, occupation, schedule, employment type) match
    nothing — they are not errors; callers that want to tell the user validate the codes against
    the classifiers first. Empty strings mean "no filter". Salaries that are not finite numbers
    match nothing.

Facets and total
    One statement over the filtered set: at most :data:`FACET_SAMPLE` + 1 filtered rows are
    materialised once, then grouped per facet. Up to :data:`FACET_SAMPLE` matches the total and
    the facets are exact; beyond it the result is ``approximate``: the total is an estimate
    (PostgreSQL's planner estimate from the column and lexeme statistics — reading every one of
    hundreds of thousands of matches on every search would cost seconds at national scale;
    SQLite, which has no estimates, counts) and each facet count is the sample's scaled to that
    total. The interface then says "about N" (docs/adr/0009-approximate-search-counts.md).
    PostgreSQL counts exactly up to FEW_MATCHES matches of a text search (docs/adr/0013),
    samples whole pages of the table for a broad search without text, and estimates a CV text
    search from its newest days' matches (docs/adr/0014). ``region`` is keyed by the region's
    KATO code, ``occupation_major`` by the
    ISCO major group (one digit), ``schedule`` and ``employment_type`` (vacancies only) by their
    codes; each list is ordered by count, then key. A CV counts in every region and every major
    group it names (once per group).

Queries per search: 2 (facets with the total, then the page; 1 when there is no page to show),
one more before them when the query has filter codes (looked up at once; a code that matches
nothing ends the search there);
a page that straddles the end of the rank window needs one more; PostgreSQL's fuzzy retry adds
its own pair. A PostgreSQL text search first looks its prefixes up and asks the planner how many
rows match; when at most FEW_MATCHES, the total, the facets and a page within the rank window
come from one statement (docs/adr/0013). Without text PostgreSQL asks the planner too; a CV
text search with many matches reads the histogram of ``published_at`` and its newest days
first (docs/adr/0014). Loading a page: 1 query for vacancies, 3 for CVs (CVs,
occupations, regions).
"""

# ruff: noqa: S608 — every statement here is assembled from this module's constants; values from
# the query (text, codes, amounts, dates) are always passed as parameters.

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper

from labormarket.core.calendar import business_time_zone, business_today

from . import search_vocabulary
from .models import Cv, Vacancy

#: The text is cut to this many characters before it is split into words.
MAX_TEXT_LENGTH = 200
#: At most this many distinct words of the text are searched for.
MAX_TERMS = 10
#: Words at least this long also match as prefixes of longer words.
PREFIX_MIN_LENGTH = 3
#: Page size bounds.
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
#: Relevance is computed over this many of the newest matches (see the module docstring).
RANK_WINDOW = 1000
#: Word similarity (pg_trgm) an indexed word needs for the fuzzy retry on PostgreSQL, the
#: most such words searched, and the shortest word retried.
FUZZY_THRESHOLD = 0.5
FUZZY_WORDS = 10
FUZZY_MIN_LENGTH = 4
#: Total and facets are counted exactly over at most this many filtered rows; a larger result
#: is *approximate*: its total is estimated and its facet counts are scaled from those rows.
FACET_SAMPLE = 5000
#: Up to this many matches (counted or estimated) a ranked page reads every match through the
#: full-text index; with more, it walks the newest-first index (PostgreSQL).
FEW_MATCHES = 60000
#: PostgreSQL, a search without text that the planner expects more than FEW_MATCHES matches of:
#: its facets are counted over a fixed random sample of about this many rows of the table
#: (whole pages, the same ones every time), when at least MIN_SAMPLED of them match.
SAMPLE_ROWS = 10000
MIN_SAMPLED = 200
#: The lexeme prefixes of a CV's publication day and of its regime's id in its search
#: document (PostgreSQL).
DAY_KEY = "~d"
SCHEDULE_KEY = "~s"
#: PostgreSQL, a ranked search of a target with day keys first reads the matches of the newest
#: days only (:func:`_pg_recent`): first the days that hold RECENT_PROBE_SHARE of the table's
#: rows, then, if those hold too few, as many as should hold RECENT_WANTED × RANK_WINDOW
#: matches, at most RECENT_MAX_DAYS days; never more than RECENT_MAX_ROWS expected matches
#: (beyond, walking the newest-first index is cheaper).
RECENT_WANTED = 1.3
RECENT_PROBE_SHARE = 0.03
RECENT_MAX_DAYS = 14
RECENT_MAX_ROWS = 10000
#: ... unless the planner expects fewer matches than this in all, or the first days' count
#: says at most RECENT_MIN_EXPECTED × FACET_SAMPLE (then they are all read and counted).
RECENT_MIN_ESTIMATE = 200
RECENT_MIN_EXPECTED = 1.2
#: How much cheaper walking the newest-first index is, against reading the matches, when the
#: filters go through the full-text index (:func:`_walk_is_cheaper`).
GIN_WALK_GAIN = 4
#: Pages beyond this offset are not served (a guard against absurd page numbers).
MAX_OFFSET = 1_000_000

# Tables (fixed names: the triggers and indexes below are written against them).
VACANCY_TABLE = "exchange_vacancy"
CV_TABLE = "exchange_cv"
CV_OCCUPATIONS_TABLE = "exchange_cv_occupations"
CV_REGIONS_TABLE = "exchange_cv_regions"
REGION_TABLE = "reference_region"
KATO_TABLE = "reference_katounit"
OCCUPATION_TABLE = "reference_occupation"
SCHEDULE_TABLE = "reference_workschedule"
EMPLOYMENT_TYPE_TABLE = "reference_employmenttype"
VACANCY_FTS = "exchange_vacancy_fts"
CV_FTS = "exchange_cv_fts"

#: ``ts_rank`` weights {D, C, B, A}: title A, skills B, description / about C. The rank is
#: divided by 1 + log(document length) (normalisation 1), as bm25 favours short documents.
#: (``ts_rank_cd``, which also rewards words close together, cost 2.5× as much: 8 of the ~40 ms
#: of a CV search ranking its window; docs/adr/0014.)
PG_RANK_WEIGHTS = "{0.05, 0.1, 0.4, 1.0}"
#: ``bm25`` column weights: title, skills, description / about.
FTS_RANK_WEIGHTS = "10.0, 4.0, 1.0"
#: Only this much of a description or "about" is indexed (a tsvector holds at most 1 MB).
INDEXED_BODY_LENGTH = 20000

VACANCY_LIST_RELATED = (
    "employer",
    "occupation",
    "region",
    "locality",
    "schedule",
    "employment_type",
    "education_min",
)

_WORD = re.compile(r"[^\W_]+")
_TRAILING_WORD = re.compile(r"[^\W_]+$")
_OCCUPATION_CODE = re.compile(r"[0-9]{1,12}")
_OCCUPATION_SEPARATORS = re.compile(r"[\s.\-/]")


# --- Queries and results ---------------------------------------------------------------------


@dataclass(frozen=True)
class VacancyQuery:
    """What a person looks for among published vacancies."""

    text: str = ""
    #: A region's KATO code (``Region.kato_code``).
    region_code: str | None = None
    #: A KATO unit's code: vacancies in that unit or any unit below it.
    district_code: str | None = None
    #: An ISCO / NKZ code prefix: "7" is the whole major group 7, "7112" one unit group.
    occupation_code: str | None = None
    #: Vacancies whose upper salary (the lower one when there is no upper) is at least this.
    salary_from: Decimal | None = None
    schedule_code: str | None = None
    employment_type_code: str | None = None
    #: Vacancies published on this business date (Asia/Almaty) or later.
    posted_since: date | None = None
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE


@dataclass(frozen=True)
class CvQuery:
    """What an employer, an agency or a centre looks for among published CVs."""

    text: str = ""
    #: A region's KATO code: CVs that name this region.
    region_code: str | None = None
    #: An ISCO / NKZ code prefix matched against the CV's desired occupations.
    occupation_code: str | None = None
    #: CVs expecting at most this salary, or not saying.
    salary_to: Decimal | None = None
    schedule_code: str | None = None
    ready_to_relocate: bool | None = None
    #: CVs visible to employment centres only (no consent to publication) are included only
    #: when this is true; the caller sets it for centre staff alone.
    include_centre_only: bool = False
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE


@dataclass
class SearchResult:
    total: int
    #: The ids of this page, best first.
    ids: list[int]
    #: One score per id (higher is better; 0.0 when there is no text).
    scores: list[float]
    page: int
    page_size: int
    #: Facet name → [(key, count)], counted over the whole filtered set.
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    #: True when nothing matched the word and the indexed words most like it were searched
    #: (PostgreSQL only).
    fuzzy: bool = False
    #: True when more than :data:`FACET_SAMPLE` records matched: ``total`` is then an estimate
    #: (never below ``FACET_SAMPLE + 1``) and the facet counts are scaled from a sample.
    approximate: bool = False

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size)) if self.page_size else 1

    @property
    def has_next(self) -> bool:
        return self.page * self.page_size < self.total


# --- Text -------------------------------------------------------------------------------------


def search_groups(text: str | None) -> list[list[str]]:
    """The words searched for, as alternatives of words that must all match.

    The text is cut to MAX_TEXT_LENGTH characters; words are runs of letters and digits,
    lower-cased, ``ё`` read as ``е``; the upper-case word ``OR`` between words starts an
    alternative (as in web search), ``AND`` is implied and ignored; at most MAX_TERMS words.
    """
    if not isinstance(text, str):
        return []
    text = unicodedata.normalize("NFC", text[: MAX_TEXT_LENGTH * 2])
    cut = text[:MAX_TEXT_LENGTH]
    if len(text) > MAX_TEXT_LENGTH and _WORD.match(text, MAX_TEXT_LENGTH):
        # Do not search for the stump of a word cut in two, unless it is all there is.
        cut = _TRAILING_WORD.sub("", cut) or cut
    groups: list[list[str]] = [[]]
    count = 0
    for raw in _WORD.findall(cut.replace("ё", "е").replace("Ё", "Е")):
        if raw == "OR":
            if groups[-1]:
                groups.append([])
            continue
        word = raw.lower()
        if raw == "AND" or word in groups[-1] or count >= MAX_TERMS:
            continue
        groups[-1].append(word)
        count += 1
    distinct: list[list[str]] = []
    for group in groups:
        if group and group not in distinct:
            distinct.append(group)
    return distinct


def search_terms(text: str | None) -> list[str]:
    """Every distinct word searched for, in order."""
    return list(dict.fromkeys(word for group in search_groups(text) for word in group))


def fts5_match_expression(groups: Sequence[Sequence[str]]) -> str:
    """An FTS5 MATCH string: each word quoted (so nothing in it is an operator) and
    prefix-matched when long enough; the words of a group all required; groups alternatives."""
    return " OR ".join(
        "("
        + " ".join(
            f'"{term}"*' if len(term) >= PREFIX_MIN_LENGTH else f'"{term}"' for term in group
        )
        + ")"
        for group in groups
    )


def _pg_tsquery(
    groups: Sequence[Sequence[str]], prefix_words: dict[str, list[str]] | None = None
) -> tuple[str, list[Any]]:
    """A tsquery expression: each word as a prefix (simple configuration) or as its Russian
    stem; the words of a group all required; groups alternatives. A prefix found in
    ``prefix_words`` is written out as the indexed words it begins — the same matches, much
    cheaper for GIN (:mod:`.search_vocabulary`). Words are letters and digits only, so quoting
    them is safe."""
    prefix_words = prefix_words or {}
    alternatives = []
    params: list[Any] = []
    for group in groups:
        parts = []
        for term in group:
            prefix = len(term) >= PREFIX_MIN_LENGTH
            if prefix and term in prefix_words:
                parts.append("(CAST(%s AS tsquery) || to_tsquery('russian', %s))")
                params += [search_vocabulary.tsquery_of_words(prefix_words[term]), f"'{term}'"]
                continue
            simple = f"'{term}':*" if prefix else f"'{term}'"
            parts.append("(to_tsquery('simple', %s) || to_tsquery('russian', %s))")
            params += [simple, f"'{term}'"]
        alternatives.append("(" + " && ".join(parts) + ")")
    return "(" + " || ".join(alternatives) + ")", params


# --- Filters ----------------------------------------------------------------------------------


class _Where:
    def __init__(self, *clauses: str) -> None:
        self.clauses = list(clauses)
        self.params: list[Any] = []
        #: A clause is tested through the full-text index (PostgreSQL CV facet keys): every
        #: match comes from one bitmap, not from B-tree indexes one row at a time.
        self.gin = False
        #: A clause matches nothing (an unknown code): the search reads no rows.
        self.empty = False

    def add(self, clause: str, *params: Any) -> None:
        self.clauses.append(clause)
        self.params.extend(params)

    def nothing(self) -> None:
        self.clauses.append("1 = 0")
        self.empty = True

    @property
    def sql(self) -> str:
        return " AND ".join(self.clauses)


def _code(value: Any) -> str | None:
    """A filter code as given, or None for "no filter" (None or blank)."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _occupation_prefix(value: Any) -> str | None:
    code = _code(value)
    if code is None:
        return None
    code = _OCCUPATION_SEPARATORS.sub("", code)
    return code if _OCCUPATION_CODE.fullmatch(code) else ""


def _amount(value: Any) -> Decimal | None:
    """A finite Decimal, None for no filter; raises ValueError for anything else."""
    if value is None or value == "":
        return None
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError) as error:
        raise ValueError(value) from error
    if not amount.is_finite():
        raise ValueError(value)
    return amount


#: A lookup of the ids behind a filter code: SQL selecting ``x.id`` and its parameters.
_Lookup = tuple[str, list[Any]]
#: A code no row can have (a malformed occupation code): the filter matches nothing.
_NO_IDS: _Lookup = ("", [])


def _by_code(table: str, key: str, value: Any) -> _Lookup | None:
    code = _code(value)
    return None if code is None else (f"SELECT x.id FROM {table} x WHERE x.{key} = %s", [code])


def _by_occupation_prefix(value: Any) -> _Lookup | None:
    prefix = _occupation_prefix(value)
    if prefix is None:
        return None
    if prefix == "":
        return _NO_IDS
    return f"SELECT x.id FROM {OCCUPATION_TABLE} x WHERE x.code LIKE %s", [prefix + "%"]


def _by_district(value: Any) -> _Lookup | None:
    """The localities of a KATO unit: the unit and its children and grandchildren."""
    code = _code(value)
    if code is None:
        return None
    return (
        f"SELECT x.id FROM {KATO_TABLE} x WHERE x.code = %s "
        f"UNION ALL SELECT x.id FROM {KATO_TABLE} x "
        f"JOIN {KATO_TABLE} p ON p.id = x.parent_id WHERE p.code = %s "
        f"UNION ALL SELECT x.id FROM {KATO_TABLE} x JOIN {KATO_TABLE} p ON p.id = x.parent_id "
        f"JOIN {KATO_TABLE} g ON g.id = p.parent_id WHERE g.code = %s",
        [code, code, code],
    )


def _ids(
    connection: BaseDatabaseWrapper, lookups: dict[str, _Lookup | None]
) -> dict[str, list[int] | None]:
    """The ids behind the query's filter codes, in one statement (``None``: no filter). The
    search then names the ids themselves: the planner estimates ``occupation_id IN (…)`` from
    the column's statistics — a common occupation matches thousands of rows — where a subquery
    gets the average of all values, and picks the wrong plan for the common ones."""
    found: dict[str, list[int] | None] = {
        name: None if lookup is None else [] for name, lookup in lookups.items()
    }
    branches: list[str] = []
    params: list[Any] = []
    for name, lookup in lookups.items():
        if lookup is not None and lookup[0]:
            branches.append(f"SELECT '{name}', q.id FROM ({lookup[0]}) q")
            params += lookup[1]
    if branches:
        for name, pk in _run(connection, " UNION ALL ".join(branches), params):
            ids = found[name]
            assert ids is not None
            ids.append(int(pk))
    return found


def _add_ids(where: _Where, template: str, ids: list[int] | None) -> None:
    """``template`` with ``{ids}`` as the ids' parameters; no ids: nothing matches."""
    if ids is None:
        return
    if not ids:
        where.nothing()
        return
    unique = sorted(set(ids))
    where.add(template.format(ids=", ".join(["%s"] * len(unique))), *unique)


def _vacancy_where(query: VacancyQuery, connection: BaseDatabaseWrapper) -> _Where:
    where = _Where("v.status = 'published'")
    ids = _ids(
        connection,
        {
            "region": _by_code(REGION_TABLE, "kato_code", query.region_code),
            "district": _by_district(query.district_code),
            "occupation": _by_occupation_prefix(query.occupation_code),
            "schedule": _by_code(SCHEDULE_TABLE, "code", query.schedule_code),
            "employment_type": _by_code(EMPLOYMENT_TYPE_TABLE, "code", query.employment_type_code),
        },
    )
    _add_ids(where, "v.region_id IN ({ids})", ids["region"])
    _add_ids(where, "v.locality_id IN ({ids})", ids["district"])
    _add_ids(where, "v.occupation_id IN ({ids})", ids["occupation"])
    try:
        salary_from = _amount(query.salary_from)
    except ValueError:
        where.nothing()
    else:
        if salary_from is not None:
            where.add(
                "COALESCE(v.salary_max, v.salary_min) >= CAST(%s AS NUMERIC)", str(salary_from)
            )
    _add_ids(where, "v.schedule_id IN ({ids})", ids["schedule"])
    _add_ids(where, "v.employment_type_id IN ({ids})", ids["employment_type"])
    since = query.posted_since
    if since is not None:
        if isinstance(since, datetime):
            moment = since if since.tzinfo else since.replace(tzinfo=business_time_zone())
        elif isinstance(since, date):
            moment = datetime.combine(since, time.min, tzinfo=business_time_zone())
        else:
            moment = None
        if moment is None:
            where.nothing()
        else:
            where.add("v.published_at >= %s", connection.ops.adapt_datetimefield_value(moment))
    return where


def _facet_token(key: str) -> str:
    """A facet key as a tsquery literal: ``'~r710000000'`` (see :func:`_pg_install_cv_facet_keys`)."""
    return "'~" + key.replace("'", "''").replace("\\", "\\\\") + "'"


def _cv_where(query: CvQuery, connection: BaseDatabaseWrapper) -> _Where:
    where = _Where("c.status = 'published'")
    # A self-posted CV past its date is off the exchange even before the daily task marks it.
    where.add(
        "(c.expires_on IS NULL OR c.expires_on >= %s)",
        connection.ops.adapt_datefield_value(business_today()),
    )
    if not query.include_centre_only:
        where.add("c.visibility = 'public'")
    region = _code(query.region_code)
    postgres = connection.vendor == "postgresql"
    # PostgreSQL finds a CV's regions and occupations among its facet keys (no lookup).
    ids = _ids(
        connection,
        {
            "region": None if postgres else _by_code(REGION_TABLE, "kato_code", region),
            "occupation": None if postgres else _by_occupation_prefix(query.occupation_code),
            "schedule": _by_code(SCHEDULE_TABLE, "code", query.schedule_code),
        },
    )
    if postgres:
        if region is not None:
            where.add("c.search_document @@ %s::tsquery", _facet_token("r" + region))
            where.gin = True
        prefix = _occupation_prefix(query.occupation_code)
        if prefix == "":
            where.nothing()
        elif prefix is not None:
            where.add("c.search_document @@ %s::tsquery", _facet_token("o" + prefix))
            where.gin = True
    else:
        _add_ids(
            where,
            f"c.id IN (SELECT cr.cv_id FROM {CV_REGIONS_TABLE} cr WHERE cr.region_id IN ({{ids}}))",
            ids["region"],
        )
        _add_ids(
            where,
            f"c.id IN (SELECT co.cv_id FROM {CV_OCCUPATIONS_TABLE} co "
            "WHERE co.occupation_id IN ({ids}))",
            ids["occupation"],
        )
    try:
        salary_to = _amount(query.salary_to)
    except ValueError:
        where.nothing()
    else:
        if salary_to is not None:
            where.add(
                "(c.expected_salary IS NULL OR c.expected_salary <= CAST(%s AS NUMERIC))",
                str(salary_to),
            )
    if postgres and ids["schedule"]:
        keys = " | ".join(f"'{SCHEDULE_KEY}{pk}'" for pk in sorted(set(ids["schedule"] or [])))
        where.add("c.search_document @@ %s::tsquery", keys)
        where.gin = True
    else:
        _add_ids(where, "c.schedule_id IN ({ids})", ids["schedule"])
    if query.ready_to_relocate is not None:
        where.add("c.ready_to_relocate = %s", bool(query.ready_to_relocate))
    return where


# --- The search itself ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    """What differs between the vacancy and the CV search."""

    table: str
    alias: str
    fts: str
    #: Columns the facet query needs from the filtered rows.
    facet_columns: tuple[str, ...]
    #: ``(name, SQL)`` per facet over the materialised CTE ``f``; each yields (key, count).
    #: A name of ``None``: the SQL yields (facet name, key, count) for several facets at once.
    facets: tuple[tuple[str | None, str], ...]
    #: The facets a result has, in order.
    facet_names: tuple[str, ...]
    #: PostgreSQL: the documents hold their publication day (:data:`DAY_KEY`).
    day_keys: bool = False


def _grouped(column: str, table: str, key: str) -> str:
    return (
        f"SELECT x.{key}, g.n FROM (SELECT f.{column} AS ref, COUNT(*) AS n FROM f "
        f"WHERE f.{column} IS NOT NULL GROUP BY f.{column}) g JOIN {table} x ON x.id = g.ref"
    )


_VACANCY = _Target(
    table=VACANCY_TABLE,
    alias="v",
    fts=VACANCY_FTS,
    facet_columns=("region_id", "occupation_id", "schedule_id", "employment_type_id"),
    facets=(
        ("region", _grouped("region_id", REGION_TABLE, "kato_code")),
        (
            "occupation_major",
            "SELECT SUBSTR(x.code, 1, 1), SUM(g.n) FROM (SELECT f.occupation_id AS ref, "
            "COUNT(*) AS n FROM f GROUP BY f.occupation_id) g "
            f"JOIN {OCCUPATION_TABLE} x ON x.id = g.ref GROUP BY SUBSTR(x.code, 1, 1)",
        ),
        ("schedule", _grouped("schedule_id", SCHEDULE_TABLE, "code")),
        ("employment_type", _grouped("employment_type_id", EMPLOYMENT_TYPE_TABLE, "code")),
    ),
    facet_names=("region", "occupation_major", "schedule", "employment_type"),
)

_CV = _Target(
    table=CV_TABLE,
    alias="c",
    fts=CV_FTS,
    facet_columns=("schedule_id",),
    facets=(
        (
            "region",
            f"SELECT x.kato_code, COUNT(*) FROM f JOIN {CV_REGIONS_TABLE} cr ON cr.cv_id = f.id "
            f"JOIN {REGION_TABLE} x ON x.id = cr.region_id GROUP BY x.kato_code",
        ),
        (
            "occupation_major",
            "SELECT SUBSTR(x.code, 1, 1), COUNT(DISTINCT f.id) FROM f "
            f"JOIN {CV_OCCUPATIONS_TABLE} co ON co.cv_id = f.id "
            f"JOIN {OCCUPATION_TABLE} x ON x.id = co.occupation_id GROUP BY SUBSTR(x.code, 1, 1)",
        ),
        ("schedule", _grouped("schedule_id", SCHEDULE_TABLE, "code")),
    ),
    facet_names=("region", "occupation_major", "schedule"),
)

#: PostgreSQL reads a CV's regions and occupations from its ``facet_keys`` (see
#: :func:`_pg_install`): no joins per row for the filters and the facets.
_CV_PG = _Target(
    table=CV_TABLE,
    alias="c",
    fts=CV_FTS,
    facet_columns=("schedule_id", "facet_counted"),
    day_keys=True,
    facets=(
        # Regions ("r…") and major groups ("o" + one digit) in one pass over the counted keys.
        (
            None,
            "SELECT CASE LEFT(k, 1) WHEN 'r' THEN 'region' ELSE 'occupation_major' END, "
            "SUBSTR(k, 2), COUNT(*) FROM f, unnest(f.facet_counted) AS k GROUP BY k",
        ),
        ("schedule", _grouped("schedule_id", SCHEDULE_TABLE, "code")),
    ),
    facet_names=("region", "occupation_major", "schedule"),
)


@dataclass
class _Match:
    """How rows are matched and scored: the full-text match, or nothing."""

    predicate: str = ""
    predicate_params: list[Any] = field(default_factory=list)
    #: The score of row ``s`` (PostgreSQL: the table itself; SQLite: the FTS table).
    score: str = ""
    score_params: list[Any] = field(default_factory=list)
    #: SQLite: the FTS table joined to score rows, and its MATCH parameter.
    score_join: str = ""
    score_join_params: list[Any] = field(default_factory=list)

    @property
    def ranked(self) -> bool:
        return bool(self.score)


def _text_match(
    target: _Target, groups: list[list[str]], connection: BaseDatabaseWrapper
) -> _Match:
    alias = target.alias
    if connection.vendor == "postgresql":
        prefixes = [t for group in groups for t in group if len(t) >= PREFIX_MIN_LENGTH]
        tsquery, params = _pg_tsquery(groups, search_vocabulary.prefix_words(connection, prefixes))
        return _Match(
            predicate=f"{alias}.search_document @@ {tsquery}",
            predicate_params=params,
            score=f"ts_rank('{PG_RANK_WEIGHTS}'::real[], s.search_document, {tsquery}, 1)",
            score_params=params,
        )
    expression = fts5_match_expression(groups)
    return _Match(
        predicate=f"{alias}.id IN (SELECT rowid FROM {target.fts} WHERE {target.fts} MATCH %s)",
        predicate_params=[expression],
        score=f"-bm25({target.fts}, {FTS_RANK_WEIGHTS})",
        score_join=f"JOIN {target.fts} ON {target.fts}.rowid = r.id AND {target.fts} MATCH %s",
        score_join_params=[expression],
    )


def _filtered(target: _Target, where: _Where, match: _Match) -> tuple[str, list[Any]]:
    sql = where.sql
    params = list(where.params)
    if match.predicate:
        sql += " AND " + match.predicate
        params += match.predicate_params
    return sql, params


def _run(connection: BaseDatabaseWrapper, sql: str, params: Sequence[Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _facets(
    connection: BaseDatabaseWrapper,
    target: _Target,
    where: _Where,
    match: _Match,
    estimate: int | None = None,
    *,
    sample: bool = False,
) -> tuple[int, dict[str, list[tuple[str, int]]], bool, int | None] | None:
    """The total and the facets in one statement over at most ``FACET_SAMPLE + 1`` filtered
    rows; when there are more, the total is estimated and the facets are scaled to it. Also,
    on PostgreSQL, the planner's count of published rows (for :func:`_walk_is_cheaper`).

    ``sample`` (PostgreSQL, with the planner's ``estimate``): the facets are counted over the
    matches among a random sample of about SAMPLE_ROWS rows of the table instead, read page by
    page rather than through an index — a filter matching a tenth of a million rows costs the
    same as one matching a hundredth. ``None`` when fewer than MIN_SAMPLED rows of the sample
    match."""
    condition, params = _filtered(target, where, match)
    columns = ", ".join(f"{target.alias}.{c}" for c in ("id", *target.facet_columns))
    postgres = connection.vendor == "postgresql"
    materialized = "MATERIALIZED " if postgres else ""
    rows_from = f"{target.table} {target.alias}"
    limit = " LIMIT %s"
    limit_params: list[Any] = [FACET_SAMPLE + 1]
    if sample:
        # SYSTEM sampling picks whole pages; REPEATABLE keeps the same pages from one search
        # to the next, so the counts do not jump about while the data stays the same.
        rows_from += (
            " TABLESAMPLE SYSTEM (LEAST(100, %s * 100.0 / GREATEST(1, (SELECT reltuples "
            f"FROM pg_class WHERE oid = CAST('{target.table}' AS regclass))))) REPEATABLE (0)"
        )
        params = [SAMPLE_ROWS, *params]
    branches = ["SELECT 'total', '', COUNT(*) FROM f"] + [
        sql if name is None else f"SELECT '{name}', q.* FROM ({sql}) q"
        for name, sql in target.facets
    ]
    if postgres:
        branches.append(
            "SELECT 'published', '', CAST(reltuples AS bigint) FROM pg_class "
            f"WHERE oid = CAST('{target.table}_newest' AS regclass)"
        )
    statement = (
        f"WITH f AS {materialized}(SELECT {columns} FROM {rows_from} "
        f"WHERE {condition}{limit}) " + " UNION ALL ".join(branches)
    )
    sampled = 0
    published = None
    facets: dict[str, list[tuple[str, int]]] = {name: [] for name in target.facet_names}
    for name, key, count in _run(connection, statement, [*params, *limit_params]):
        if name == "total":
            sampled = int(count)
        elif name == "published":
            published = int(count)
        elif key is not None:
            facets[name].append((str(key), int(count)))
    if sample:
        if sampled < MIN_SAMPLED or estimate is None:
            return None
        total = max(estimate, sampled, FACET_SAMPLE + 1)
        return total, _scaled(facets, sampled, total), True, published
    approximate = sampled > FACET_SAMPLE
    total = sampled
    if approximate:
        if estimate is None:
            estimate = _estimated_total(connection, target, condition, params)
        total = max(estimate, FACET_SAMPLE + 1)
    return total, _scaled(facets, sampled, total), approximate, published


def _scaled(
    facets: dict[str, list[tuple[str, int]]], sampled: int, total: int
) -> dict[str, list[tuple[str, int]]]:
    """The sample's facet counts scaled to the total, each list by count, then key."""
    if total > sampled > 0:
        for name, values in facets.items():
            facets[name] = [(key, max(1, round(n * total / sampled))) for key, n in values]
    for values in facets.values():
        values.sort(key=lambda item: (-item[1], item[0]))
    return facets


def _pg_few(
    connection: BaseDatabaseWrapper,
    target: _Target,
    where: _Where,
    match: _Match,
    offset: int,
    page_size: int,
    estimate: int,
) -> tuple[int, dict[str, list[tuple[str, int]]], bool, list[tuple[int, float]] | None] | None:
    """PostgreSQL, a search the planner expects at most FEW_MATCHES matches of: every match
    read once through the full-text index for the total, the facets and the page together
    (apart, the facets and the page each read them: the page ranks the newest of all matches,
    or, without text, takes the newest of all). Returns the total, the
    facets, whether they are scaled, and the page — ``None`` for the page when it lies beyond
    the rank window (the caller reads it). ``None`` when the planner's ``estimate`` or the
    rows themselves are more than that."""
    if estimate > FEW_MATCHES:
        return None
    condition, params = _filtered(target, where, match)
    alias = target.alias
    columns = ", ".join(f"{alias}.{c}" for c in ("id", "published_at", *target.facet_columns))
    branches = ["SELECT 'total', '', COUNT(*), CAST(NULL AS float8) FROM m"] + [
        f"SELECT q.*, CAST(NULL AS float8) FROM ({sql}) q"
        if name is None
        else f"SELECT '{name}', q.*, CAST(NULL AS float8) FROM ({sql}) q"
        for name, sql in target.facets
    ]
    page = ""
    page_params: list[Any] = []
    if not match.ranked:  # every match is in m: any page, newest first
        page = (
            f"p AS (SELECT m.id, m.published_at FROM m ORDER BY {_NEWEST.format(a='m')} "
            "LIMIT %s OFFSET %s)"
        )
        page_params = [page_size, offset]
        branches.append(
            "SELECT 'page', CAST(p.id AS text), ROW_NUMBER() OVER (ORDER BY "
            f"{_NEWEST.format(a='p')}), CAST(0 AS float8) FROM p"
        )
    elif offset + page_size <= RANK_WINDOW:
        page = (
            f"r AS (SELECT m.id, m.published_at FROM m ORDER BY {_NEWEST.format(a='m')} "
            f"LIMIT %s), p AS (SELECT r.id, {match.score} AS score, r.published_at FROM r "
            f"JOIN {target.table} s ON s.id = r.id ORDER BY score DESC, {_NEWEST.format(a='r')} "
            "LIMIT %s OFFSET %s)"
        )
        page_params = [RANK_WINDOW, *match.score_params, page_size, offset]
        branches.append(
            "SELECT 'page', CAST(p.id AS text), ROW_NUMBER() OVER (ORDER BY p.score DESC, "
            f"{_NEWEST.format(a='p')}), p.score FROM p"
        )
    statement = (
        f"WITH m AS MATERIALIZED (SELECT {columns} FROM {target.table} {alias} "
        f"WHERE {condition} LIMIT %s), f AS MATERIALIZED (SELECT * FROM m LIMIT %s)"
        + (f", {page} " if page else " ")
        + " UNION ALL ".join(branches)
    )
    cap = FEW_MATCHES + 1
    rows = _run(connection, statement, [*params, cap, FACET_SAMPLE + 1, *page_params])
    total = 0
    facets: dict[str, list[tuple[str, int]]] = {name: [] for name in target.facet_names}
    found: list[tuple[int, int, float]] = []
    for name, key, count, score in rows:
        if name == "total":
            total = int(count)
        elif name == "page":
            found.append((int(count), int(key), float(score or 0.0)))
        elif key is not None:
            facets[name].append((str(key), int(count)))
    if total >= cap:
        return None
    sampled = min(total, FACET_SAMPLE + 1)
    ranked_page = [(pk, score) for _, pk, score in sorted(found)] if page else None
    return total, _scaled(facets, sampled, total), total > FACET_SAMPLE, ranked_page


def _published_shares(connection: BaseDatabaseWrapper, target: _Target) -> list[datetime]:
    """PostgreSQL: the bounds of the planner's histogram of ``published_at`` (oldest first;
    equal shares of the rows between two bounds); empty before the first ANALYZE."""
    rows = _run(
        connection,
        "SELECT CAST(CAST(histogram_bounds AS text) AS timestamptz[]) FROM pg_stats "
        "WHERE schemaname = current_schema() AND tablename = %s AND attname = 'published_at'",
        [target.table],
    )
    return list(rows[0][0] or []) if rows else []


def _share_since(bounds: Sequence[datetime], moment: datetime) -> float:
    """The share of the rows published at ``moment`` or later, by the histogram ``bounds``."""
    buckets = len(bounds) - 1
    if buckets < 1:
        return 1.0
    if moment <= bounds[0]:
        return 1.0
    for k in range(buckets, 0, -1):  # the newest bucket first: windows are short
        low, high = bounds[k - 1], bounds[k]
        if low < moment:
            if moment >= high:
                return (buckets - k) / buckets
            inside = (high - moment) / (high - low) if high > low else 0.0
            return (buckets - k + inside) / buckets
    return 1.0


def _utc_today() -> date:
    return datetime.now(UTC).date()


def _pg_recent(
    connection: BaseDatabaseWrapper,
    target: _Target,
    where: _Where,
    match: _Match,
    offset: int,
    page_size: int,
    estimate: int,
) -> tuple[int, dict[str, list[tuple[str, int]]], bool, list[tuple[int, float]]] | None:
    """PostgreSQL, a ranked page within the rank window: the matches published in the newest
    days only, found in the GIN index with their day keys (``'~d20261203' | '~d20261202' |
    …``), read once for a count, the facets and the page. When those days hold at least
    RANK_WINDOW matches, the RANK_WINDOW newest of all matches are among them (every other
    match is older), so the page is the one reading every match gives. The total is then
    estimated as the days' count over their share of the table's rows (the planner's
    histogram of ``published_at``), and the facets of the days are scaled to it:
    ``approximate``.

    The first days are the fewest that hold RECENT_PROBE_SHARE of the rows: GIN skips through
    the long posting lists of the words with the short ones of the days, so they are cheap to
    read even when they hold too few. Their count, not the planner's estimate (the planner
    multiplies the shares of the words and keys as if unrelated: "повар" and major group 51,
    929 expected, 12 284 found), then says how many days hold RECENT_WANTED × RANK_WINDOW
    matches; at most RECENT_MAX_DAYS days (each day is one more posting list to merge) are
    read once more. ``None`` — every match is then read — when the histogram is missing, the
    matches expected in the days are more than RECENT_MAX_ROWS (walking the newest-first index
    is cheaper), the count says FACET_SAMPLE or fewer match in all (so few that counting them
    exactly is cheap), or the days allowed cannot hold enough.
    """
    bounds = _published_shares(connection, target)
    if not bounds:
        return None
    today = _utc_today()

    def share(days: int) -> float:
        start = datetime.combine(today - timedelta(days=days - 1), time.min, tzinfo=UTC)
        return _share_since(bounds, start)

    def days_for(wanted: float) -> int:
        """The fewest days (up to RECENT_MAX_DAYS) holding ``wanted`` of the rows."""
        days = 1
        while days < RECENT_MAX_DAYS and share(days) < wanted:
            days += 1
        return days

    def windowed(days: int) -> _Where:
        keys = " | ".join(
            "'" + DAY_KEY + (today - timedelta(days=k)).strftime("%Y%m%d") + "'"
            for k in range(-1, days)  # tomorrow too: a clock a little ahead
        )
        days_where = _Where(*where.clauses, f"{target.alias}.search_document @@ %s::tsquery")
        days_where.params = [*where.params, keys]
        return days_where

    # The probe: how many match in the fewest days, counted (no facets, no ranking).
    days = days_for(RECENT_PROBE_SHARE)
    portion = share(days)
    if portion <= 0.0 or portion >= 1.0 or estimate * portion > RECENT_MAX_ROWS:
        return None
    condition, params = _filtered(target, windowed(days), match)
    probed = _run(
        connection,
        f"SELECT COUNT(*) FROM (SELECT 1 FROM {target.table} {target.alias} "
        f"WHERE {condition} LIMIT %s) x",
        [*params, RECENT_MAX_ROWS + 1],
    )
    count = int(probed[0][0])
    if count > RECENT_MAX_ROWS:
        return None
    expected = count / portion
    if expected <= RECENT_MIN_EXPECTED * FACET_SAMPLE:  # counted exactly, at no great cost
        return None
    if count < RECENT_WANTED * RANK_WINDOW:
        wanted = RECENT_WANTED * RANK_WINDOW / expected
        if share(RECENT_MAX_DAYS) < wanted:
            return None
        days = days_for(wanted)
        portion = share(days)
        if portion >= 1.0 or expected * portion > RECENT_MAX_ROWS:
            return None
    found = _pg_few(connection, target, windowed(days), match, offset, page_size, 0)
    if found is None:  # more than FEW_MATCHES in those days
        return None
    count, facets, _scaled_facets, rows = found
    total = max(count, round(count / portion))
    if count < RANK_WINDOW or rows is None or total <= FACET_SAMPLE:
        return None
    return total, _scaled(facets, count, total), True, rows


def _estimated_total(
    connection: BaseDatabaseWrapper, target: _Target, condition: str, params: list[Any]
) -> int:
    """How many rows match, when there are too many to count on every search: PostgreSQL's
    planner estimate (statistics of the tsvector lexemes and of the columns, no rows read);
    SQLite has no estimates, so it counts."""
    statement = f"SELECT 1 FROM {target.table} {target.alias} WHERE {condition}"
    if connection.vendor == "postgresql":
        rows = _run(connection, "EXPLAIN (FORMAT JSON) " + statement, params)
        plan = rows[0][0]
        if isinstance(plan, str):
            import json

            plan = json.loads(plan)
        return int(plan[0]["Plan"]["Plan Rows"])
    rows = _run(connection, f"SELECT COUNT(*) FROM ({statement})", params)
    return int(rows[0][0])


_NEWEST = "{a}.published_at DESC NULLS LAST, {a}.id DESC"


def _page_slice(
    connection: BaseDatabaseWrapper,
    target: _Target,
    where: _Where,
    match: _Match,
    *,
    candidates: tuple[int, int],
    by_score: bool,
    limit: int,
    offset: int,
    few: bool = False,
) -> list[tuple[int, float]]:
    """Rows ``offset…offset+limit`` of the candidates (the matches, newest first, sliced by
    ``candidates`` = (limit, offset)) ordered by score or by date."""
    condition, params = _filtered(target, where, match)
    alias = target.alias
    if few and connection.vendor == "postgresql":
        # Few matches: fetch them all through the full-text index, then take the newest. With
        # ORDER BY … LIMIT the planner may walk the newest-first index instead and test every
        # row's document on the way — seconds when the matches are not among the newest.
        recent = (
            f"SELECT m.id, m.published_at FROM (SELECT {alias}.id, {alias}.published_at "
            f"FROM {target.table} {alias} WHERE {condition} OFFSET 0) m "
            f"ORDER BY {_NEWEST.format(a='m')} LIMIT %s OFFSET %s"
        )
    else:
        recent = (
            f"SELECT {alias}.id, {alias}.published_at FROM {target.table} {alias} "
            f"WHERE {condition} ORDER BY {_NEWEST.format(a=alias)} LIMIT %s OFFSET %s"
        )
    params += list(candidates)
    if match.score_join:
        score_from = match.score_join
        params += match.score_join_params  # the MATCH comes after the score in the text
        score_params: list[Any] = []
    else:
        score_from = f"JOIN {target.table} s ON s.id = r.id"
        score_params = match.score_params
    order = ("score DESC, " if by_score else "") + _NEWEST.format(a="r")
    statement = (
        f"WITH r AS ({recent}) SELECT r.id, {match.score} AS score FROM r {score_from} "
        f"ORDER BY {order} LIMIT %s OFFSET %s"
    )
    rows = _run(connection, statement, [*params, *score_params, limit, offset])
    return [(int(row[0]), float(row[1] or 0.0)) for row in rows]


def _search(
    target: _Target,
    where_for: Any,
    query: VacancyQuery | CvQuery,
    model: type[Vacancy] | type[Cv],
) -> SearchResult:
    alias = router.db_for_read(model)
    connection = connections[alias]
    page_size = _clamp(query.page_size, 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE)
    page = _clamp(query.page, 1, MAX_OFFSET // page_size + 1, 1)
    offset = (page - 1) * page_size
    where = where_for(query, connection)
    if where.empty:
        facets: dict[str, list[tuple[str, int]]] = {name: [] for name in target.facet_names}
        return SearchResult(0, [], [], page, page_size, facets)
    groups = search_groups(query.text)
    terms = [word for group in groups for word in group]
    match = _text_match(target, groups, connection) if groups else _Match()
    total, facets, approximate, rows = _found(connection, target, where, match, offset, page_size)
    fuzzy = False
    if total == 0 and connection.vendor == "postgresql" and _worth_fuzzy(terms):
        # A misspelt word: searched again as the indexed words most like it, as alternatives.
        similar = search_vocabulary.similar_words(
            connection, terms[0], FUZZY_THRESHOLD, FUZZY_WORDS
        )
        if similar:
            match = _text_match(target, [[word] for word in similar], connection)
            total, facets, approximate, rows = _found(
                connection, target, where, match, offset, page_size
            )
            fuzzy = total > 0
    return SearchResult(
        total=total,
        ids=[row[0] for row in rows],
        scores=[row[1] for row in rows],
        page=page,
        page_size=page_size,
        facets=facets,
        fuzzy=fuzzy,
        approximate=approximate,
    )


def _found(
    connection: BaseDatabaseWrapper,
    target: _Target,
    where: _Where,
    match: _Match,
    offset: int,
    page_size: int,
) -> tuple[int, dict[str, list[tuple[str, int]]], bool, list[tuple[int, float]]]:
    """The total, the facets, whether they are approximate, and the page's (id, score).

    PostgreSQL reads every match once (:func:`_pg_few`) when the planner expects few of them
    and the page needs them all anyway: always with text (the page ranks the newest of all
    matches); without text when the filters go through the full-text index (CV regions and
    occupations) and walking the newest-first index is not cheaper — filters on B-tree indexes
    come one row at a time, and a sample for the facets costs less. A search without text
    expected to match more than FEW_MATCHES rows counts its facets over a sample of the table
    (:func:`_facets` with ``sample``)."""
    estimate = None
    if connection.vendor == "postgresql":
        condition, params = _filtered(target, where, match)
        estimate = _estimated_total(connection, target, condition, params)
        few = None
        if match.ranked:
            recent = None
            if (
                target.day_keys
                and estimate >= RECENT_MIN_ESTIMATE
                and offset + page_size <= RANK_WINDOW
            ):
                recent = _pg_recent(connection, target, where, match, offset, page_size, estimate)
            if recent is not None:
                return recent
            few = _pg_few(connection, target, where, match, offset, page_size, estimate)
        elif estimate > FEW_MATCHES:
            sampled = _facets(connection, target, where, match, estimate, sample=True)
            if sampled is not None:
                total, facets, approximate, published = sampled
                rows = _page(connection, target, where, match, total, offset, page_size, published)
                return total, facets, approximate, rows
        elif where.gin and not _walk_is_cheaper(
            estimate, offset + page_size, _published_rows(connection, target), gin=True
        ):
            few = _pg_few(connection, target, where, match, offset, page_size, estimate)
        if few is not None:
            total, facets, approximate, ranked = few
            if ranked is None:
                ranked = _page(connection, target, where, match, total, offset, page_size)
            return total, facets, approximate, ranked
    counted = _facets(connection, target, where, match, estimate)
    assert counted is not None  # only a sample gives up
    total, facets, approximate, published = counted
    return (
        total,
        facets,
        approximate,
        _page(connection, target, where, match, total, offset, page_size, published),
    )


def _page(
    connection: BaseDatabaseWrapper,
    target: _Target,
    where: _Where,
    match: _Match,
    total: int,
    offset: int,
    page_size: int,
    published: int | None = None,
) -> list[tuple[int, float]]:
    if offset >= total:
        return []
    if not match.ranked:
        few = total <= FEW_MATCHES and not _walk_is_cheaper(
            total, offset + page_size, published, gin=where.gin
        )
        return _newest(connection, target, where, match, offset, page_size, few=few)
    rows: list[tuple[int, float]] = []
    end = offset + page_size
    if offset < RANK_WINDOW:
        rows += _page_slice(
            connection,
            target,
            where,
            match,
            candidates=(RANK_WINDOW, 0),
            by_score=True,
            limit=min(end, RANK_WINDOW) - offset,
            offset=offset,
            few=total <= FEW_MATCHES,
        )
    if end > RANK_WINDOW and total > RANK_WINDOW:
        start = max(offset, RANK_WINDOW)
        rows += _page_slice(
            connection,
            target,
            where,
            match,
            candidates=(end - start, start),
            by_score=False,
            limit=end - start,
            offset=0,
            few=total <= FEW_MATCHES,
        )
    return rows


def _published_rows(connection: BaseDatabaseWrapper, target: _Target) -> int | None:
    """PostgreSQL: the planner's count of published rows (see :func:`_walk_is_cheaper`)."""
    rows = _run(
        connection,
        "SELECT CAST(reltuples AS bigint) FROM pg_class "
        f"WHERE oid = CAST('{target.table}_newest' AS regclass)",
        [],
    )
    return int(rows[0][0]) if rows else None


def _walk_is_cheaper(total: int, end: int, published: int | None, *, gin: bool = False) -> bool:
    """PostgreSQL, a page without text: is walking the newest-first index (testing each row
    against the filters) cheaper than reading every match and sorting? The walk reads about
    ``end × published / total`` rows when the matches are spread over time, the other way
    ``total`` rows, about twice as cheaply each ("region Almaty", 9 505 of 190 000 vacancies:
    ~400 rows instead of 9 505; "district Karaganda", 728: every match). ``gin``: the filters
    go through the full-text index, whose matches cost three to four times a walked row each
    (CV "major group 7 + region", 7 839 of 1 M: every match 30 ms, the walk 2–4 ms).
    ``published``: the planner's count of published rows (unknown before the first ANALYZE:
    no walk)."""
    gain = GIN_WALK_GAIN if gin else 1
    return bool(published and published > 0 and 2 * end * published < gain * total * total)


def _newest(
    connection: BaseDatabaseWrapper,
    target: _Target,
    where: _Where,
    match: _Match,
    offset: int,
    limit: int,
    few: bool = False,
) -> list[tuple[int, float]]:
    condition, params = _filtered(target, where, match)
    alias = target.alias
    if few and connection.vendor == "postgresql":  # see _page_slice
        statement = (
            f"SELECT m.id FROM (SELECT {alias}.id, {alias}.published_at FROM {target.table} "
            f"{alias} WHERE {condition} OFFSET 0) m ORDER BY {_NEWEST.format(a='m')} "
            "LIMIT %s OFFSET %s"
        )
    else:
        statement = (
            f"SELECT {alias}.id FROM {target.table} {alias} WHERE {condition} "
            f"ORDER BY {_NEWEST.format(a=alias)} LIMIT %s OFFSET %s"
        )
    return [(int(row[0]), 0.0) for row in _run(connection, statement, [*params, limit, offset])]


def _worth_fuzzy(terms: list[str]) -> bool:
    """Only a single word is retried by similarity: for several words, a record like some of
    them would pass for an answer to all of them."""
    return len(terms) == 1 and len(terms[0]) >= FUZZY_MIN_LENGTH


def _clamp(value: Any, low: int, high: int, default: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return default
    return max(low, min(high, number))


def vacancy_search(query: VacancyQuery) -> SearchResult:
    """Published vacancies matching ``query``: one page in rank order, the total and facets."""
    return _search(_VACANCY, _vacancy_where, query, Vacancy)


def cv_search(query: CvQuery) -> SearchResult:
    """Published CVs matching ``query`` (centre-only CVs only when the query says so)."""
    connection = connections[router.db_for_read(Cv)]
    return _search(_CV_PG if connection.vendor == "postgresql" else _CV, _cv_where, query, Cv)


# --- Loading a page ---------------------------------------------------------------------------


def vacancies_for(result: SearchResult) -> list[Vacancy]:
    """The page's vacancies in the result's order, with what a list shows (one query)."""
    if not result.ids:
        return []
    found = Vacancy.objects.select_related(*VACANCY_LIST_RELATED).in_bulk(result.ids)
    return [found[pk] for pk in result.ids if pk in found]


def cvs_for(result: SearchResult) -> list[Cv]:
    """The page's CVs in the result's order with their regime, occupations and regions (three
    queries). Contact details are not part of a CV; callers decide what to show of the person."""
    if not result.ids:
        return []
    found = (
        Cv.objects.select_related("schedule")
        .prefetch_related("occupations", "regions")
        .in_bulk(result.ids)
    )
    return [found[pk] for pk in result.ids if pk in found]


# --- Index DDL (run by migration 0002_search_indexes) --------------------------------------------


@dataclass(frozen=True)
class _Indexed:
    """A table and the text it indexes: title (A), skills (B), body (C)."""

    table: str
    fts: str
    body: str


_INDEXED = (
    _Indexed(VACANCY_TABLE, VACANCY_FTS, "description"),
    _Indexed(CV_TABLE, CV_FTS, "about"),
)

_PG_FUNCTIONS = (
    """
    CREATE OR REPLACE FUNCTION exchange_search_skills(skills jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT CASE jsonb_typeof(skills)
        WHEN 'array' THEN
          (SELECT coalesce(string_agg(e, ' '), '') FROM jsonb_array_elements_text(skills) AS e)
        WHEN 'string' THEN skills #>> '{}'
        ELSE '' END
    $$
    """,
    f"""
    CREATE OR REPLACE FUNCTION exchange_search_document(title text, skills text, body text)
    RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT setweight(to_tsvector('russian', x.t) || to_tsvector('simple', x.t), 'A')
          || setweight(to_tsvector('russian', x.s) || to_tsvector('simple', x.s), 'B')
          || setweight(to_tsvector('russian', x.b) || to_tsvector('simple', x.b), 'C')
      FROM (SELECT translate(coalesce(title, ''), 'ёЁ', 'еЕ') AS t,
                   translate(coalesce(skills, ''), 'ёЁ', 'еЕ') AS s,
                   translate(left(coalesce(body, ''), {INDEXED_BODY_LENGTH}), 'ёЁ', 'еЕ') AS b) AS x
    $$
    """,
)


def _pg_document(row: str, indexed: _Indexed) -> str:
    return (
        f"exchange_search_document({row}title, exchange_search_skills({row}skills), "
        f"{row}{indexed.body})"
    )


def _pg_install(connection: BaseDatabaseWrapper, rebuild: bool, facet_keys: bool = True) -> None:
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for statement in _PG_FUNCTIONS:
            cursor.execute(statement)
        for indexed in _INDEXED:
            table = indexed.table
            cursor.execute(
                "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
                "AND table_name = %s AND column_name = 'search_document'",
                [table],
            )
            missing = cursor.fetchone() is None
            if missing:
                cursor.execute(f"ALTER TABLE {table} ADD COLUMN search_document tsvector")
            cursor.execute(
                f"""
                CREATE OR REPLACE FUNCTION {table}_search_document() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN
                  IF TG_OP = 'INSERT' OR NEW.title IS DISTINCT FROM OLD.title
                     OR NEW.skills IS DISTINCT FROM OLD.skills
                     OR NEW.{indexed.body} IS DISTINCT FROM OLD.{indexed.body} THEN
                    NEW.search_document := {_pg_document("NEW.", indexed)};
                  END IF;
                  RETURN NEW;
                END
                $$
                """
            )
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_search ON {table}")
            cursor.execute(
                f"CREATE TRIGGER {table}_search BEFORE INSERT OR UPDATE OF title, skills, "
                f"{indexed.body} ON {table} FOR EACH ROW EXECUTE FUNCTION {table}_search_document()"
            )
            if missing or rebuild:
                cursor.execute(f"UPDATE {table} SET search_document = {_pg_document('', indexed)}")
            published = "WHERE status = 'published'"
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {table}_search_gin ON {table} "
                f"USING gin (search_document) {published}"
            )
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {table}_newest ON {table} "
                f"(published_at DESC NULLS LAST, id DESC) {published}"
            )
            cursor.execute(f"ANALYZE {table}")
        if facet_keys:
            _pg_install_cv_facet_keys(cursor, rebuild)


#: A CV's regions ("r" + KATO code) and occupations ("o" + every prefix of the code: "o7",
#: "o71", "o711", "o7112"), kept on the row so that one GIN lookup answers the region and
#: occupation filters and the facets read no other table.
_PG_FACET_KEYS = f"""
CREATE OR REPLACE FUNCTION exchange_cv_facet_keys_of(cv bigint) RETURNS text[]
LANGUAGE sql STABLE AS $$
  SELECT coalesce(array_agg(DISTINCT k ORDER BY k), '{{}}') FROM (
    SELECT 'r' || r.kato_code AS k FROM {CV_REGIONS_TABLE} cr
      JOIN {REGION_TABLE} r ON r.id = cr.region_id WHERE cr.cv_id = cv
    UNION ALL
    SELECT 'o' || left(o.code, n) FROM {CV_OCCUPATIONS_TABLE} co
      JOIN {OCCUPATION_TABLE} o ON o.id = co.occupation_id
      CROSS JOIN LATERAL generate_series(1, length(o.code)) AS n WHERE co.cv_id = cv
  ) keys
$$
"""


def _pg_install_cv_facet_keys(cursor: Any, rebuild: bool, *, row_keys: bool = True) -> None:
    """``exchange_cv.facet_keys`` and its triggers; the CV's ``search_document`` also holds
    the keys as lexemes (``~r…``, ``~o…``: no word of a query can be one), so that a region or
    occupation filter is one more key of the same GIN index scan as the words — and, with
    ``row_keys``, the day it was published (``~d20261203``, UTC; see :func:`_pg_recent`) and
    its working-time regime (``~s`` + the schedule's id), so that a regime filter is one more
    key too."""
    cursor.execute(
        "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = %s AND column_name = 'facet_keys'",
        [CV_TABLE],
    )
    missing = cursor.fetchone() is None
    if missing:
        cursor.execute(
            f"ALTER TABLE {CV_TABLE} ADD COLUMN facet_keys text[] NOT NULL DEFAULT '{{}}'"
        )
    cursor.execute(_PG_FACET_KEYS)
    cv = next(indexed for indexed in _INDEXED if indexed.table == CV_TABLE)
    cursor.execute(
        f"""
        CREATE OR REPLACE FUNCTION {CV_TABLE}_search_document() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'INSERT' OR NEW.title IS DISTINCT FROM OLD.title
             OR NEW.skills IS DISTINCT FROM OLD.skills
             OR NEW.{cv.body} IS DISTINCT FROM OLD.{cv.body}
             OR NEW.facet_keys IS DISTINCT FROM OLD.facet_keys{
            " OR NEW.published_at IS DISTINCT FROM OLD.published_at"
            " OR NEW.schedule_id IS DISTINCT FROM OLD.schedule_id"
            if row_keys
            else ""
        } THEN
            NEW.search_document := {_pg_cv_document("NEW.", row_keys=row_keys)};
          END IF;
          RETURN NEW;
        END
        $$
        """
    )
    cursor.execute(f"DROP TRIGGER IF EXISTS {CV_TABLE}_search ON {CV_TABLE}")
    cursor.execute(
        f"CREATE TRIGGER {CV_TABLE}_search BEFORE INSERT OR UPDATE OF title, skills, "
        f"{cv.body}, facet_keys{', published_at, schedule_id' if row_keys else ''} "
        f"ON {CV_TABLE} FOR EACH ROW "
        f"EXECUTE FUNCTION {CV_TABLE}_search_document()"
    )
    for links in (CV_REGIONS_TABLE, CV_OCCUPATIONS_TABLE):
        for event, rows in (("INSERT", "NEW"), ("DELETE", "OLD")):
            name = f"{links}_facets_{event.lower()}"
            cursor.execute(
                f"""
                CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  UPDATE {CV_TABLE} c SET facet_keys = exchange_cv_facet_keys_of(c.id)
                  WHERE c.id IN (SELECT DISTINCT changed.cv_id FROM changed);
                  RETURN NULL;
                END
                $$
                """
            )
            cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {links}")
            cursor.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {links} REFERENCING {rows} TABLE AS "
                f"changed FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )
    if missing or rebuild:
        cursor.execute(f"UPDATE {CV_TABLE} c SET facet_keys = exchange_cv_facet_keys_of(c.id)")
    cursor.execute(f"ANALYZE {CV_TABLE}")


#: The facet keys a CV is counted under: its regions and its major groups (migration 0009).
_PG_COUNTED_KEYS = """
CREATE OR REPLACE FUNCTION exchange_cv_counted_keys(keys text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(k ORDER BY k), '{}') FROM unnest(keys) AS k
  WHERE k LIKE 'r%' OR (length(k) = 2 AND k LIKE 'o%')
$$
"""


def pg_install_cv_counted_keys(cursor: Any) -> None:
    """``exchange_cv.facet_counted``, generated from ``facet_keys``: the keys the region and
    major-group facets count (2–4 a CV, against 5–15 facet keys), so the facets unnest no
    others and test none."""
    cursor.execute(_PG_COUNTED_KEYS)
    cursor.execute(
        f"ALTER TABLE {CV_TABLE} ADD COLUMN IF NOT EXISTS facet_counted text[] "
        "GENERATED ALWAYS AS (exchange_cv_counted_keys(facet_keys)) STORED"
    )


def pg_uninstall_cv_counted_keys(cursor: Any) -> None:
    cursor.execute(f"ALTER TABLE {CV_TABLE} DROP COLUMN IF EXISTS facet_counted")
    cursor.execute("DROP FUNCTION IF EXISTS exchange_cv_counted_keys(text[])")


def _pg_uninstall_cv_facet_keys(cursor: Any) -> None:
    """Drop what :func:`_pg_install_cv_facet_keys` made, the CV's document trigger included
    (it reads ``facet_keys``): the caller installs the plain one again or drops everything."""
    pg_uninstall_cv_counted_keys(cursor)
    cursor.execute(f"DROP TRIGGER IF EXISTS {CV_TABLE}_search ON {CV_TABLE}")
    for links in (CV_REGIONS_TABLE, CV_OCCUPATIONS_TABLE):
        for event in ("insert", "delete"):
            cursor.execute(f"DROP TRIGGER IF EXISTS {links}_facets_{event} ON {links}")
            cursor.execute(f"DROP FUNCTION IF EXISTS {links}_facets_{event}()")
    cursor.execute(f"ALTER TABLE {CV_TABLE} DROP COLUMN IF EXISTS facet_keys")
    cursor.execute("DROP FUNCTION IF EXISTS exchange_cv_facet_keys_of(bigint)")


def _pg_cv_document(row: str, *, row_keys: bool = True) -> str:
    cv = next(indexed for indexed in _INDEXED if indexed.table == CV_TABLE)
    day = (
        f" || CASE WHEN {row}published_at IS NULL THEN ''::tsvector ELSE array_to_tsvector("
        f"ARRAY['{DAY_KEY}' || to_char({row}published_at AT TIME ZONE 'UTC', 'YYYYMMDD')]) END"
        f" || CASE WHEN {row}schedule_id IS NULL THEN ''::tsvector ELSE array_to_tsvector("
        f"ARRAY['{SCHEDULE_KEY}' || {row}schedule_id]) END"
        if row_keys
        else ""
    )
    return (
        f"({_pg_document(row, cv)} || array_to_tsvector(ARRAY(SELECT '~' || k "
        f"FROM unnest({row}facet_keys) AS k)){day})"
    )


def pg_rebuild_cv_documents(cursor: Any, *, row_keys: bool = True) -> None:
    """Every CV's document again (a migration that changes what it holds). The row triggers
    that follow a document — its words for the vocabulary, unchanged: the keys ``~…`` are not
    words — and the matching keys, which do not read it, are off meanwhile."""
    _pg_install_cv_facet_keys(cursor, rebuild=False, row_keys=row_keys)
    others = (f"{CV_TABLE}_lexemes_update", f"{CV_TABLE}_match_keys")
    cursor.execute(
        "SELECT tgname FROM pg_trigger WHERE tgrelid = CAST(%s AS regclass) AND tgname = ANY(%s)",
        [CV_TABLE, list(others)],
    )
    present = [name for (name,) in cursor.fetchall()]
    for name in present:
        cursor.execute(f"ALTER TABLE {CV_TABLE} DISABLE TRIGGER {name}")
    cursor.execute(
        f"UPDATE {CV_TABLE} SET search_document = {_pg_cv_document('', row_keys=row_keys)}"
    )
    for name in present:
        cursor.execute(f"ALTER TABLE {CV_TABLE} ENABLE TRIGGER {name}")
    cursor.execute(f"ANALYZE {CV_TABLE}")


def _pg_uninstall(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for indexed in _INDEXED:
            table = indexed.table
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_search ON {table}")
            cursor.execute(f"DROP FUNCTION IF EXISTS {table}_search_document()")
            for suffix in ("search_gin", "title_trgm", "newest"):
                cursor.execute(f"DROP INDEX IF EXISTS {table}_{suffix}")
            cursor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_document")
        _pg_uninstall_cv_facet_keys(cursor)
        cursor.execute("DROP FUNCTION IF EXISTS exchange_search_document(text, text, text)")
        cursor.execute("DROP FUNCTION IF EXISTS exchange_search_skills(jsonb)")


def _fold(expression: str) -> str:
    return f"replace(replace({expression}, 'ё', 'е'), 'Ё', 'Е')"


def _fts_values(row: str, indexed: _Indexed) -> str:
    """The indexed text of a row, exactly the same at insert and at delete (contentless FTS5
    tables need the old values to delete a row)."""
    skills = (
        f"CASE WHEN json_valid({row}skills) THEN "
        f"COALESCE((SELECT group_concat(value, ' ') FROM json_each({row}skills)), '') "
        f"ELSE COALESCE({row}skills, '') END"
    )
    body = f"substr(COALESCE({row}{indexed.body}, ''), 1, {INDEXED_BODY_LENGTH})"
    title = f"COALESCE({row}title, '')"
    return f"{_fold(title)}, {_fold(skills)}, {_fold(body)}"


def _sqlite_install(connection: BaseDatabaseWrapper, rebuild: bool) -> None:
    with connection.cursor() as cursor:
        for indexed in _INDEXED:
            table, fts, body = indexed.table, indexed.fts, indexed.body
            columns = f"title, skills, {body}"
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name IN "
                "(%s, %s, %s, %s)",
                [fts, f"{fts}_insert", f"{fts}_update", f"{fts}_delete"],
            )
            missing = len(cursor.fetchall()) < 4
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({columns}, content='', "
                "tokenize='unicode61 remove_diacritics 2')"
            )
            insert = f"INSERT INTO {fts}(rowid, {columns}) VALUES (new.id, {_fts_values('new.', indexed)});"
            delete = (
                f"INSERT INTO {fts}({fts}, rowid, {columns}) "
                f"VALUES ('delete', old.id, {_fts_values('old.', indexed)});"
            )
            cursor.execute(
                f"CREATE TRIGGER IF NOT EXISTS {fts}_insert AFTER INSERT ON {table} "
                f"BEGIN {insert} END"
            )
            cursor.execute(
                f"CREATE TRIGGER IF NOT EXISTS {fts}_delete AFTER DELETE ON {table} "
                f"BEGIN {delete} END"
            )
            cursor.execute(
                f"CREATE TRIGGER IF NOT EXISTS {fts}_update AFTER UPDATE OF {columns} ON {table} "
                f"WHEN old.title IS NOT new.title OR old.skills IS NOT new.skills "
                f"OR old.{body} IS NOT new.{body} BEGIN {delete} {insert} END"
            )
            if missing or rebuild:
                cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('delete-all')")
                cursor.execute(
                    f"INSERT INTO {fts}(rowid, {columns}) "
                    f"SELECT t.id, {_fts_values('t.', indexed)} FROM {table} t"
                )
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {table}_newest ON {table} "
                "(published_at DESC, id DESC) WHERE status = 'published'"
            )


def _sqlite_uninstall(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for indexed in _INDEXED:
            for suffix in ("insert", "update", "delete"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {indexed.fts}_{suffix}")
            cursor.execute(f"DROP TABLE IF EXISTS {indexed.fts}")
            cursor.execute(f"DROP INDEX IF EXISTS {indexed.table}_newest")


def search_index_install(connection: BaseDatabaseWrapper, *, rebuild: bool = False) -> None:
    """Create (idempotently) what the search needs on ``connection``'s database and fill it.

    Existing rows are indexed when the index is new, when a trigger was missing (SQLite drops
    triggers when it rebuilds a table) or when ``rebuild`` is set.
    """
    if connection.vendor == "postgresql":
        _pg_install(connection, rebuild)
    elif connection.vendor == "sqlite":
        _sqlite_install(connection, rebuild)


def search_index_uninstall(connection: BaseDatabaseWrapper) -> None:
    """Drop what :func:`search_index_install` created."""
    if connection.vendor == "postgresql":
        _pg_uninstall(connection)
    elif connection.vendor == "sqlite":
        _sqlite_uninstall(connection)
