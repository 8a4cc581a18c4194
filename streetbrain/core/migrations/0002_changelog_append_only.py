"""On PostgreSQL the change log is append-only in the database too: a trigger refuses UPDATE
and DELETE of its rows, whoever connects. (SQLite relies on the application's refusal.)"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION streetbrain_changelog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'change log entries cannot be changed or deleted';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_changelogentry_append_only
    BEFORE UPDATE OR DELETE ON core_changelogentry
    FOR EACH ROW EXECUTE FUNCTION streetbrain_changelog_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS core_changelogentry_append_only ON core_changelogentry;
DROP FUNCTION IF EXISTS streetbrain_changelog_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
