"""Indexes for the search of issue 14 (``workorders.search``) on PostgreSQL; nothing elsewhere.

- pg_trgm, created with Django's ``TrigramExtension`` (a no-op when migration 0004 or an
  administrator created it). Where the role may not create it, a warning is logged and the indexes
  are skipped: search still works, with scans.
- ``search_bigrams(text)``: the text's character pairs as words (" 电压 压明 明显 … "). A trigram
  index cannot serve ``LIKE '%电压%'`` (two characters have no trigram), but on this expression a
  pair is a whole word with trigrams of its own, so ``search_bigrams(content) LIKE '% 电压 %'`` is
  an index lookup: near-phrase search ("电压偏低" finds "电压明显偏低") without pg_bigm or a tokenizer.
- Trigram indexes on the complaint's content and complainant pairs, the complaint's and the
  customer's phones (part of a number) and the customer's name (``UPPER``, as ``icontains`` asks).

The indexes are built ``CONCURRENTLY`` (the migration is not atomic): on a loaded database the
tables stay writable while they build. A build that failed leaves an invalid index, which is dropped
and built again on the next run.
"""

import logging

from django.contrib.postgres.operations import TrigramExtension
from django.db import DatabaseError, migrations

logger = logging.getLogger(__name__)

FUNCTION = """
CREATE OR REPLACE FUNCTION search_bigrams(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT ' ' || coalesce(string_agg(substr(u, i, 2), ' ' ORDER BY i), '') || ' '
  FROM (SELECT upper(value) AS u) AS s, generate_series(1, char_length(upper(value)) - 1) AS i
$$
"""

INDEXES = {
    "complaint_content_bigram": "complaints_complaint USING gin (search_bigrams(content) gin_trgm_ops)",
    "complaint_name_bigram": "complaints_complaint USING gin (search_bigrams(customer_name) gin_trgm_ops)",
    "complaint_phone_trgm": "complaints_complaint USING gin ((phone::text) gin_trgm_ops)",
    "customer_phone_trgm": "complaints_customer USING gin ((phone::text) gin_trgm_ops)",
    "customer_alt_phone_trgm": "complaints_customer USING gin ((alt_phone::text) gin_trgm_ops)",
    "customer_name_trgm": "complaints_customer USING gin ((UPPER(name::text)) gin_trgm_ops)",
}


class TrigramExtensionIfAllowed(TrigramExtension):
    """``CREATE EXTENSION pg_trgm`` unless it exists; a role that may not create it gets a warning."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        try:
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        except DatabaseError as exc:
            logger.warning("pg_trgm could not be created (%s); search will scan", exc)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        """Kept: migration 0004's indexes use it too."""


def _has_trgm(cursor) -> bool:
    cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
    return cursor.fetchone() is not None


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        if not _has_trgm(cursor):
            return
        cursor.execute(FUNCTION)
        for name, target in INDEXES.items():
            cursor.execute(
                "SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE c.relname = %s AND NOT i.indisvalid",
                [name],
            )
            if cursor.fetchone():  # an earlier concurrent build failed half-way
                cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
            cursor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {target}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in INDEXES:
            cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
        cursor.execute("DROP FUNCTION IF EXISTS search_bigrams(text)")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("complaints", "0004_trigram_search")]

    operations = [
        TrigramExtensionIfAllowed(),
        migrations.RunPython(create, drop, atomic=False),
    ]
