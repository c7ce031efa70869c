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
    with schema_editor.connection.cursor() as cursor:
        for links in ("exchange_cv_regions", "exchange_cv_occupations"):
            for event in ("insert", "delete"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {links}_facets_{event} ON {links}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {links}_facets_{event}()")
        cursor.execute("DROP INDEX IF EXISTS exchange_cv_facets_gin")
        cursor.execute("ALTER TABLE exchange_cv DROP COLUMN IF EXISTS facet_keys")
        cursor.execute("DROP FUNCTION IF EXISTS exchange_cv_facet_keys_of(bigint)")


class Migration(migrations.Migration):
    dependencies = [("exchange", "0002_search_indexes")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
