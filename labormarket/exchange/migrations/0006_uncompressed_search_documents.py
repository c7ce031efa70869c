"""PostgreSQL: vacancies and CVs keep their search documents uncompressed in the row.

A vacancy's row (title, description, skills and their ``search_document``) is ~2.6 KB; over
PostgreSQL's 2 KB toast target the largest value, the document, was compressed (pglz) in 69 % of
the bench's vacancies, so every match test of a scan decompressed it first: the facet sample of
"водитель" (5 001 of 75 000 matches among 190 000 vacancies) took 170 ms, 24 ms without. With
``toast_tuple_target`` at its maximum (8 160 bytes) only rows too big for that are compressed;
the table is ~1.75× bigger on disk (291 → 511 MB for 200 000 vacancies). CVs are under 2 KB and
rarely compressed; the same setting keeps it so.

Rows already stored keep their compressed documents until they are next written (this
migration does not rewrite a table; ``UPDATE … SET search_document = search_document ||
''::tsvector`` does, off hours). Nothing changes on SQLite."""

from django.db import migrations

TABLES = ("exchange_vacancy", "exchange_cv")


def uncompressed(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"ALTER TABLE {table} SET (toast_tuple_target = 8160)")


def default(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"ALTER TABLE {table} RESET (toast_tuple_target)")


class Migration(migrations.Migration):
    dependencies = [("exchange", "0005_search_vocabulary")]

    operations = [migrations.RunPython(uncompressed, default, elidable=False)]
