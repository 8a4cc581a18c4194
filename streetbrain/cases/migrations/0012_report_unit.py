"""Reports keep a copy of their case's org unit (``Report.org_unit``), the path a narrow
scope's cursor pages read along. Existing reports take their case's unit in one statement."""

import django.db.models.deletion
from django.db import migrations, models


def copy_units(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # one hash join rather than a lookup per report (2.5 M reports at a district's scale)
            cursor.execute(
                "UPDATE cases_report r SET org_unit_id = c.org_unit_id "
                "FROM cases_case c WHERE c.id = r.case_id"
            )
        else:
            cursor.execute(
                "UPDATE cases_report SET org_unit_id = "
                "(SELECT c.org_unit_id FROM cases_case c WHERE c.id = cases_report.case_id)"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0011_cursor_by_unit"),
        ("core", "0007_api_tokens_from_drf"),
    ]

    operations = [
        migrations.AddField(
            model_name="report",
            name="org_unit",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.orgunit",
                verbose_name="grid cell",
            ),
        ),
        migrations.RunPython(copy_units, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="report",
            name="org_unit",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.orgunit",
                verbose_name="grid cell",
            ),
        ),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(fields=["org_unit", "id"], name="report_unit_id"),
        ),
    ]
