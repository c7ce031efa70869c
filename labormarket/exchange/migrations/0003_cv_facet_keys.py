"""PostgreSQL: ``exchange_cv.facet_keys`` — a CV's regions and occupation-code prefixes kept on
the row by statement-level triggers on the link tables, with a GIN index over published CVs, so
that region and occupation filters are one index lookup at national scale (see
``labormarket.exchange.search``). Nothing changes on SQLite."""

from django.db import migrations


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from labormarket.exchange.search import _pg_install_cv_facet_keys

    with schema_editor.connection.cursor() as cursor:
        _pg_install_cv_facet_keys(cursor, rebuild=True)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from labormarket.exchange.search import _pg_install, _pg_uninstall_cv_facet_keys

    with schema_editor.connection.cursor() as cursor:
        _pg_uninstall_cv_facet_keys(cursor)
    # The document triggers of 0002 (without facet keys) again, and the documents rebuilt.
    _pg_install(schema_editor.connection, rebuild=True, facet_keys=False)


class Migration(migrations.Migration):
    dependencies = [("exchange", "0002_search_indexes")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
