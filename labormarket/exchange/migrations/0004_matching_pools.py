"""PostgreSQL: matching pools read in index order (docs/adr/0012,
``labormarket.exchange.match_sql``): two partial indexes of the published vacancies — per
occupation (and region), newest first — and ``exchange_cv_match_key``: a published CV's
sub-major groups × regions (and "relocates") with the columns of the hard conditions, kept by
a row trigger on ``exchange_cv`` and filled here from the existing CVs. Nothing changes on
SQLite."""

from django.db import migrations


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from labormarket.exchange import match_sql

    with schema_editor.connection.cursor() as cursor:
        match_sql.install(cursor)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from labormarket.exchange import match_sql

    with schema_editor.connection.cursor() as cursor:
        match_sql.uninstall(cursor)


class Migration(migrations.Migration):
    dependencies = [("exchange", "0003_cv_facet_keys")]

    operations = [
        migrations.RunPython(install, uninstall, elidable=False),
    ]
