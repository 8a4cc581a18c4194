"""The whitelist's factors with their starting weights (data the specialists then change with a
reason): tax per m² weighs most (the street's first aim: tax from its space), then the chain gap
(招商引链入楼宇), tax growth and staying power, headcount and local registration."""

from django.db import migrations

FACTORS = [
    ("tax_per_m2", 30, "近12个月税收合计 ÷ 期末在租面积（元/平方米/年）"),
    ("tax_growth", 15, "同一批企业近12个月税收 ÷ 前12个月税收 − 1"),
    ("headcount_per_m2", 10, "最近一个月从业人数 ÷ 在租面积 × 100"),
    ("stay", 15, "1 − 24个月内迁出企业数 ÷ 期间在租企业数"),
    ("local_rate", 10, "属地注册企业数 ÷ 期间在租企业数"),
    ("chain_gap", 20, "产业链所列行业：1 ÷ (1 + 链上楼宇内该行业企业数)；未列入任何产业链为 0"),
]


def add(apps, schema_editor):
    Factor = apps.get_model("investment", "WhitelistFactor")
    for key, weight, description in FACTORS:
        Factor.objects.get_or_create(
            key=key, defaults={"weight": weight, "description": description}
        )


def remove(apps, schema_editor):
    apps.get_model("investment", "WhitelistFactor").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("investment", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
