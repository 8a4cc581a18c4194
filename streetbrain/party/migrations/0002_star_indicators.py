"""The star rating's first indicators: the street's starting values (no published scale was
found), tuned by the party-building office."""

from decimal import Decimal as D

from django.db import migrations

INDICATORS = [
    # code, name, weight, 0 points at, 100 points at
    ("activities", "年度组织活动次数", D("0.25"), D("2"), D("24")),
    ("meetings", "三会一课次数", D("0.25"), D("0"), D("16")),
    ("attendance", "党员参与率（%）", D("0.25"), D("40"), D("90")),
    ("variety", "活动类型数", D("0.15"), D("1"), D("3")),
    ("alliance", "参加党建联盟", D("0.10"), D("0"), D("100")),
]


def seed(apps, schema_editor):
    StarIndicator = apps.get_model("party", "StarIndicator")
    for code, name, weight, bad, good in INDICATORS:
        StarIndicator.objects.get_or_create(
            code=code, defaults={"name": name, "weight": weight, "bad": bad, "good": good}
        )


class Migration(migrations.Migration):
    dependencies = [("party", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
