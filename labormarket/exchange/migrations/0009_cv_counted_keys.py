"""PostgreSQL: ``exchange_cv.facet_counted``, generated from ``facet_keys`` — a CV's regions and
major groups, the keys its region and major-group facets count — so that counting them over a
sample unnests 2–4 keys a CV instead of testing 5–15 (docs/adr/0014). Rewrites the table once.
Nothing changes on SQLite."""

from django.db import migrations


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from labormarket.exchange.search import pg_install_cv_counted_keys

    with schema_editor.connection.cursor() as cursor:
        pg_install_cv_counted_keys(cursor)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from labormarket.exchange.search import pg_uninstall_cv_counted_keys

    with schema_editor.connection.cursor() as cursor:
        pg_uninstall_cv_counted_keys(cursor)


class Migration(migrations.Migration):
    dependencies = [("exchange", "0008_search_lexeme_similarity")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
