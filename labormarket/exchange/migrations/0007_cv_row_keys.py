"""PostgreSQL: a CV's search document also holds the day it was published (``~d20261203``,
UTC) and its working-time regime (``~s`` + id), kept by its trigger when they change, so that a
ranked search finds the newest matches of a common word in the GIN index without reading every
match, and a regime filter is one more key of the same index scan (see
``labormarket.exchange.search._pg_recent`` and docs/adr/0014). Rewrites every CV's document
once. Nothing changes on SQLite."""

from django.db import migrations


def with_row_keys(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from labormarket.exchange.search import pg_rebuild_cv_documents

    with schema_editor.connection.cursor() as cursor:
        pg_rebuild_cv_documents(cursor, row_keys=True)


def without_row_keys(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from labormarket.exchange.search import pg_rebuild_cv_documents

    with schema_editor.connection.cursor() as cursor:
        pg_rebuild_cv_documents(cursor, row_keys=False)


class Migration(migrations.Migration):
    dependencies = [("exchange", "0006_uncompressed_search_documents")]

    operations = [migrations.RunPython(with_row_keys, without_row_keys, elidable=False)]
