"""The map's case densities, moved from the cockpit: the model takes over the table the
cockpit created (state only), then the table is renamed to the case engine's name."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_intake_queue"),
        ("cockpit", "0002_move_casedensity_to_cases"),
        ("core", "0005_importjob"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CaseDensity",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("month", models.DateField(verbose_name="month")),
                        ("bx", models.IntegerField()),
                        ("by", models.IntegerField()),
                        ("cases", models.PositiveIntegerField(verbose_name="cases")),
                        (
                            "org_unit",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="core.orgunit",
                                verbose_name="grid cell",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "case density",
                        "verbose_name_plural": "case densities",
                        "indexes": [
                            models.Index(fields=["month", "bx", "by"], name="cockpit_density_month")
                        ],
                        "db_table": "cockpit_casedensity",
                    },
                )
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="casedensity", table=None),
    ]
