"""PostgreSQL: ``outsourcing_take_place``, the locked part of a lot confirmation in one call
(``labormarket.outsourcing.queue_sql``, docs/adr/0011). Nothing changes on SQLite."""

from django.db import migrations


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from labormarket.outsourcing import queue_sql

    with schema_editor.connection.cursor() as cursor:
        queue_sql.install(cursor)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from labormarket.outsourcing import queue_sql

    with schema_editor.connection.cursor() as cursor:
        queue_sql.uninstall(cursor)


class Migration(migrations.Migration):
    dependencies = [("outsourcing", "0002_acts_drafts_and_stage_payments")]

    operations = [
        migrations.RunPython(install, uninstall, elidable=False),
    ]
