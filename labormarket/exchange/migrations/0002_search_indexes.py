"""Full-text search of vacancies and CVs (issue 3, search).

PostgreSQL: pg_trgm; a trigger-kept ``search_document`` tsvector column (Russian + simple
configurations; title A, skills B, description / about C) on ``exchange_vacancy`` and
``exchange_cv`` with GIN indexes over published rows, trigram GIN indexes on the titles and
newest-first indexes. SQLite: contentless FTS5 tables kept by triggers and newest-first indexes.
Existing rows are indexed. The DDL is ``labormarket.exchange.search.search_index_install`` (one
definition for this migration and for repairs; it is idempotent).
"""

from django.db import migrations


def install(apps, schema_editor):
    from labormarket.exchange.search import search_index_install

    search_index_install(schema_editor.connection, rebuild=True)


def uninstall(apps, schema_editor):
    from labormarket.exchange.search import search_index_uninstall

    search_index_uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("exchange", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
