"""The grading's first indicators and colour bands. The province publishes no criteria for
the colours (data/reference/cooperatives.yaml, colour_grading): these are the street's own
starting values, to be tuned by the 农经 office in the admin; the debt ratio is the 警戒线
the 街道 may set under 浙江省农村集体资产管理条例 第十八条."""

from decimal import Decimal as D

from django.db import migrations

INDICATORS = [
    # code, name, unit, weight, 0 points at, 100 points at
    ("income_trend", "收入增长趋势（年均）", "%", D("0.20"), D("-10"), D("5")),
    ("debt_ratio", "资产负债率", "%", D("0.20"), D("70"), D("30")),
    ("asset_utilisation", "资产利用率", "%", D("0.15"), D("40"), D("90")),
    ("reserved_land", "留用地开发进度", "%", D("0.15"), D("0"), D("75")),
    ("dividend", "每股分红", "元", D("0.10"), D("0"), D("600")),
    ("disputes", "矛盾纠纷与信访", "件", D("0.10"), D("6"), D("0")),
    ("survey", "社员存续意愿", "%", D("0.10"), D("30"), D("80")),
]
BANDS = [("green", D("70")), ("yellow", D("45"))]


def seed(apps, schema_editor):
    Indicator = apps.get_model("cooperatives", "Indicator")
    ColourBand = apps.get_model("cooperatives", "ColourBand")
    for order, (code, name, unit, weight, bad, good) in enumerate(INDICATORS):
        Indicator.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "unit": unit,
                "weight": weight,
                "bad": bad,
                "good": good,
                "order": order,
            },
        )
    for colour, min_score in BANDS:
        ColourBand.objects.get_or_create(colour=colour, defaults={"min_score": min_score})


class Migration(migrations.Migration):
    dependencies = [("cooperatives", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
