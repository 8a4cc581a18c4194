"""The map's case densities moved to the case engine (``cases.CaseDensity``): the cockpit
forgets the model here; ``cases.0006`` takes over its table and renames it, rows kept."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cockpit", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="CaseDensity")],
            database_operations=[],
        )
    ]
