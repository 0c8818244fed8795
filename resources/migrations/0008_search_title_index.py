"""
Search (resources/search.py): a btree index for title matches on PostgreSQL.

`UPPER(title) = 'IT'` and `UPPER(title) LIKE 'THERAPY%'` (the SQL of Django's iexact and
istartswith) used the trigram index of migration 0003, which only narrows the rows down: for
"therapy" it returned 3,000 titles that merely share trigrams, each read and rechecked (5 to
25 ms at 100,000 resources). With `text_pattern_ops` the same conditions are an exact range
scan, whatever the database's collation. The trigram index stays for "Did you mean".
"""

from django.db import migrations

FORWARD_SQL = """
CREATE INDEX IF NOT EXISTS resource_title_upper_idx
    ON resources_resource (UPPER(title::text) text_pattern_ops);
"""
REVERSE_SQL = "DROP INDEX IF EXISTS resource_title_upper_idx;"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD_SQL, params=None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSE_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("resources", "0007_catalog_indexes"),
    ]

    operations = [
        migrations.RunPython(forward, reverse),
    ]
