"""PostgreSQL: a CV's search document also holds the day it was published (``~d20261203``,
UTC), kept by its trigger when ``published_at`` changes, so that a ranked search finds the
newest matches of a common word in the GIN index without reading every match (see
``labormarket.exchange.search._pg_recent`` and docs/adr/0014). Rewrites every CV's document
once. Nothing changes on SQLite."""

from django.db import migrations


def with_day_keys(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from labormarket.exchange.search import pg_rebuild_cv_documents

    with schema_editor.connection.cursor() as cursor:
        pg_rebuild_cv_documents(cursor, day_keys=True)


def without_day_keys(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from labormarket.exchange.search import pg_rebuild_cv_documents

    with schema_editor.connection.cursor() as cursor:
        pg_rebuild_cv_documents(cursor, day_keys=False)


class Migration(migrations.Migration):
    dependencies = [("exchange", "0006_uncompressed_search_documents")]

    operations = [migrations.RunPython(with_day_keys, without_day_keys, elidable=False)]
