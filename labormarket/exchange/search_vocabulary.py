"""PostgreSQL: the vocabulary of the search documents, so that a prefix is searched as words.

A word of the query matches as a prefix ("каменщ" finds "каменщик"; ``search`` module
docstring). Written as a tsquery prefix (``'водитель':*``), GIN reads the posting lists of every
indexed word that begins so into a bitmap before it can combine them with anything else; for a
common word with a region or a second word that costs 100–160 ms at 1 M CVs, against 6–17 ms
for the same words written out (``'водитель' | 'водителя' | …``), whose ordered posting lists
GIN intersects and skips through. So the search first looks its prefixes up here and writes
each one out as the words it begins — the very same matches — unless it begins more than
:data:`MAX_PREFIX_WORDS` words (or none), when the prefix is searched as it is.

``exchange_search_lexeme`` holds every lexeme of every vacancy's and CV's ``search_document``
(both configurations; the facet keys ``~…`` excepted), in the "C" collation so that a prefix is
a range of its primary key. Statement triggers add the lexemes of inserted rows, row triggers
those of documents an update changed. Words are never removed: a word no document holds any
more costs one empty index lookup when a prefix expands to it, and changes no result.

Bulk loads (the benchmark's generator) switch the triggers off and :func:`fill` the table
once afterwards (:func:`bulk_load`).
"""

# ruff: noqa: S608 — statements are built from this module's constants only.

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

#: A prefix that begins more indexed words than this is searched as a prefix.
MAX_PREFIX_WORDS = 50

TABLE = "exchange_search_lexeme"
#: The tables whose ``search_document`` the vocabulary holds.
DOCUMENT_TABLES = ("exchange_vacancy", "exchange_cv")

_LEXEMES = "SELECT DISTINCT l FROM {rows}, unnest(tsvector_to_array({rows}.search_document)) AS l"


def _new_lexemes(rows: str) -> str:
    # Sorted, so that two writers adding the same new words take their index slots in the
    # same order (no deadlock between them).
    return (
        f"INSERT INTO {TABLE} (lexeme) SELECT x.l FROM ({_LEXEMES.format(rows=rows)}) x "
        "WHERE x.l NOT LIKE '~%%' ORDER BY x.l ON CONFLICT DO NOTHING"
    )


def _triggers(table: str) -> tuple[str, str]:
    return f"{table}_lexemes_insert", f"{table}_lexemes_update"


def install(cursor: Any) -> None:
    """The table, its triggers on both document tables, and the words already indexed."""
    cursor.execute(f'CREATE TABLE IF NOT EXISTS {TABLE} (lexeme text COLLATE "C" PRIMARY KEY)')
    for table in DOCUMENT_TABLES:
        on_insert, on_update = _triggers(table)
        cursor.execute(
            f"""
            CREATE OR REPLACE FUNCTION {on_insert}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              {_new_lexemes("changed").replace("%%", "%")};
              RETURN NULL;
            END
            $$
            """
        )
        cursor.execute(f"DROP TRIGGER IF EXISTS {on_insert} ON {table}")
        cursor.execute(
            f"CREATE TRIGGER {on_insert} AFTER INSERT ON {table} REFERENCING NEW TABLE AS "
            f"changed FOR EACH STATEMENT EXECUTE FUNCTION {on_insert}()"
        )
        # A row trigger for updates: transition tables cannot go with a column list, and most
        # updates (open places, status) leave the document alone.
        cursor.execute(
            f"""
            CREATE OR REPLACE FUNCTION {on_update}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              INSERT INTO {TABLE} (lexeme)
                SELECT l FROM unnest(tsvector_to_array(NEW.search_document)) AS l
                WHERE l NOT LIKE '~%' ORDER BY l ON CONFLICT DO NOTHING;
              RETURN NULL;
            END
            $$
            """
        )
        cursor.execute(f"DROP TRIGGER IF EXISTS {on_update} ON {table}")
        cursor.execute(
            f"CREATE TRIGGER {on_update} AFTER UPDATE ON {table} FOR EACH ROW "
            "WHEN (OLD.search_document IS DISTINCT FROM NEW.search_document) "
            f"EXECUTE FUNCTION {on_update}()"
        )
    fill(cursor)


def fill(cursor: Any) -> None:
    """Add the words of every document (idempotent)."""
    for table in DOCUMENT_TABLES:
        cursor.execute(_new_lexemes(table).replace("%%", "%"))
    cursor.execute(f"ANALYZE {TABLE}")


def uninstall(cursor: Any) -> None:
    for table in DOCUMENT_TABLES:
        for trigger in _triggers(table):
            cursor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
            cursor.execute(f"DROP FUNCTION IF EXISTS {trigger}()")
    cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


@contextmanager
def bulk_load(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Triggers off while rows are loaded in bulk, then the table filled once. The connection
    may be closed and opened again in between (a cursor is taken at each end)."""
    _switch_triggers(connection, "DISABLE")
    try:
        yield
    finally:
        _switch_triggers(connection, "ENABLE")
        with connection.cursor() as cursor:
            fill(cursor)


def _switch_triggers(connection: BaseDatabaseWrapper, switch: str) -> None:
    with connection.cursor() as cursor:
        for table in DOCUMENT_TABLES:
            for trigger in _triggers(table):
                cursor.execute(f"ALTER TABLE {table} {switch} TRIGGER {trigger}")


def prefix_words(connection: BaseDatabaseWrapper, terms: Sequence[str]) -> dict[str, list[str]]:
    """For each term, the indexed words it begins (the term itself included when it is one),
    when there are between 1 and :data:`MAX_PREFIX_WORDS` of them; other terms are left out.
    One query for all terms."""
    wanted = sorted(set(terms))
    if not wanted:
        return {}
    statement = (
        "SELECT t.term, w.words FROM unnest(CAST(%s AS text[])) AS t(term) CROSS JOIN LATERAL "
        "(SELECT array_agg(x.lexeme ORDER BY x.lexeme) AS words FROM (SELECT v.lexeme "
        f'FROM {TABLE} v WHERE v.lexeme >= lower(t.term) COLLATE "C" '
        'AND v.lexeme < (lower(t.term) || chr(1114111)) COLLATE "C" '
        "AND starts_with(v.lexeme, lower(t.term)) ORDER BY v.lexeme LIMIT %s) x) w"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [wanted, MAX_PREFIX_WORDS + 1])
        rows = cursor.fetchall()
    return {term: list(words) for term, words in rows if words and len(words) <= MAX_PREFIX_WORDS}


SIMILARITY_INDEX = f"{TABLE}_trgm"


def install_similarity_index(cursor: Any) -> None:
    """A trigram index of the words, for :func:`similar_words`."""
    cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    cursor.execute(
        f"CREATE INDEX IF NOT EXISTS {SIMILARITY_INDEX} ON {TABLE} USING gin (lexeme gin_trgm_ops)"
    )


def similar_words(
    connection: BaseDatabaseWrapper,
    word: str,
    threshold: float,
    limit: int,
    *,
    similarity: float = 0.4,
) -> list[str]:
    """The indexed words most like ``word``, best first, at most ``limit``: pg_trgm word
    similarity at least ``threshold`` (the index finds those), similarity of the whole words at
    least ``similarity``, and at most one letter shorter ("калад" is not like "кал", though
    word similarity says 0.5); the word itself is never one of them. One transaction (the
    threshold is set for it alone)."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)", [str(threshold)]
        )
        cursor.execute(
            f"SELECT v.lexeme FROM {TABLE} v WHERE %s <%% v.lexeme AND v.lexeme <> %s "
            "AND similarity(%s, v.lexeme) >= %s AND length(v.lexeme) >= length(%s) - 1 "
            "ORDER BY word_similarity(%s, v.lexeme) DESC, similarity(%s, v.lexeme) DESC, "
            "v.lexeme LIMIT %s",
            [word, word, word, similarity, word, word, word, limit],
        )
        return [lexeme for (lexeme,) in cursor.fetchall()]


def tsquery_of_words(words: Sequence[str]) -> str:
    """A tsquery literal matching any of ``words`` (lexemes as they are, quoted)."""
    return " | ".join("'" + word.replace("\\", "\\\\").replace("'", "''") + "'" for word in words)
