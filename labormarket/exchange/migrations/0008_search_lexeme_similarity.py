"""PostgreSQL: a trigram index of the search vocabulary (``exchange_search_lexeme``), so that a
misspelt word is searched again as the indexed words most like it (see
``labormarket.exchange.search_vocabulary.similar_words`` and docs/adr/0014), instead of the
titles most like it: the titles' trigram indexes go. Nothing changes on SQLite."""

from django.db import migrations

TABLES = ("exchange_vacancy", "exchange_cv")


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from labormarket.exchange.search_vocabulary import install_similarity_index

    with schema_editor.connection.cursor() as cursor:
        install_similarity_index(cursor)
        for table in TABLES:
            cursor.execute(f"DROP INDEX IF EXISTS {table}_title_trgm")


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from labormarket.exchange.search_vocabulary import SIMILARITY_INDEX

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {SIMILARITY_INDEX}")
        for table in TABLES:
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {table}_title_trgm ON {table} "
                "USING gin (title gin_trgm_ops) WHERE status = 'published'"
            )


class Migration(migrations.Migration):
    dependencies = [("exchange", "0007_cv_row_keys")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
