"""On PostgreSQL the one search's "contains" over cases (title, address) is served by trigram
indexes instead of a scan of every case.

The search compares ``UPPER(title::text) LIKE UPPER('%…%')`` (Django's ``icontains``); a GIN
index with ``gin_trgm_ops`` on exactly that expression serves it for any fragment of three
characters or more (pg_trgm splits Chinese text into trigrams too under the C.UTF-8 and
zh_CN.UTF-8 collations). Measured on the district data set (1.32 M cases, bench/), an ID
number or a case number looked up among the titles and addresses: 467 ms (parallel scan) →
0.1 ms (bitmap index scans); each index took 4–5 s to build. One- and two-character
fragments (most names) still scan: trigrams cannot serve them.

``pg_trgm`` is a trusted extension (PostgreSQL 13+): the database's owner may create it.
SQLite keeps scanning (the embedded demo's one street is small)."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS cases_case_title_trgm
    ON cases_case USING gin (UPPER(title::text) gin_trgm_ops);
CREATE INDEX IF NOT EXISTS cases_case_address_trgm
    ON cases_case USING gin (UPPER(address::text) gin_trgm_ops);
"""

DROP = """
DROP INDEX IF EXISTS cases_case_title_trgm;
DROP INDEX IF EXISTS cases_case_address_trgm;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_case_public")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
