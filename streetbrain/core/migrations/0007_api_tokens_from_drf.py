"""The tokens of DRF's ``authtoken`` (one per user, its key kept in clear) become
``core.ApiToken``s: the same key keeps working (its digest is stored) for a full
``API_TOKEN_TTL_DAYS`` from this upgrade, so that no client breaks the day it lands; then it
expires like any other. The old table goes, and its plain keys with it."""

import hashlib

from django.conf import settings
from django.db import migrations
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone, translation
from django.utils.translation import gettext

OLD_TABLE = "authtoken_token"


def carry_over(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return  # a database that never had DRF's tokens
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {q('key')}, {q('user_id')} FROM {q(OLD_TABLE)}")  # noqa: S608
        rows = cursor.fetchall()
    ApiToken = apps.get_model("core", "ApiToken")
    with translation.override(settings.LANGUAGE_CODE):
        name = gettext("API token from before tokens expired")
    now = timezone.now()
    ApiToken.objects.bulk_create(
        ApiToken(
            user_id=user_id,
            name=name,
            prefix=key[:8],
            digest=hashlib.sha256(key.encode()).hexdigest(),
            created=now,
        )
        for key, user_id in rows
    )
    schema_editor.execute(f"DROP TABLE {q(OLD_TABLE)}")
    # The app is gone: its migrations are no longer applied anywhere.
    MigrationRecorder(connection).migration_qs.filter(app="authtoken").delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0006_api_tokens")]

    # Backwards there is nothing to restore: the plain keys are gone on purpose.
    operations = [migrations.RunPython(carry_over, migrations.RunPython.noop)]
