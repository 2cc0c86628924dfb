"""Trigram (pg_trgm) indexes for the order search's text match on PostgreSQL; nothing elsewhere.

Django's ``icontains`` is ``UPPER(column::text) LIKE UPPER('%…%')`` on PostgreSQL, so the indexes are
on that expression. A trigram index serves patterns of three characters or more.

Creating the extension needs a privileged role: where it is not allowed, the migration logs that
and goes on (search still works, with a scan), so a restricted deployment can create it by hand
(``CREATE EXTENSION pg_trgm``) and run ``python manage.py migrate complaints 0003`` then forward.
"""

import logging

from django.db import migrations, transaction

logger = logging.getLogger(__name__)

COLUMNS = ("content", "customer_name", "address")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception as exc:  # noqa: BLE001 - not allowed here: search works without the indexes
        logger.warning("pg_trgm could not be created (%s); text search will scan", exc)
        return
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS complaint_{column}_trgm "
            f"ON complaints_complaint USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS complaint_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("complaints", "0003_complaint_phone_index")]

    operations = [migrations.RunPython(create, drop)]
