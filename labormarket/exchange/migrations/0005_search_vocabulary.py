"""PostgreSQL: ``exchange_search_lexeme``, the vocabulary of the vacancies' and CVs' search
documents, kept by triggers and filled here from the existing rows, so that a prefix of the
query is searched as the words it begins (``labormarket.exchange.search_vocabulary``). Nothing
changes on SQLite."""

from django.db import migrations


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from labormarket.exchange import search_vocabulary

    with schema_editor.connection.cursor() as cursor:
        search_vocabulary.install(cursor)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from labormarket.exchange import search_vocabulary

    with schema_editor.connection.cursor() as cursor:
        search_vocabulary.uninstall(cursor)


class Migration(migrations.Migration):
    dependencies = [("exchange", "0004_matching_pools")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
