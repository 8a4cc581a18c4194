"""The street indicators' monthly actuals in and out of Excel (core ``dataio``): the statistics
bureau's sheet, one row per indicator and month with the year-to-date figure (本年累计). All or
nothing, row errors in Chinese, like every import of the platform."""

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext as _

from streetbrain.core.dataio import (
    DecimalField,
    ForeignKeyField,
    ImportSpec,
    ProtectedField,
    ReportColumn,
    TextField,
)
from streetbrain.economy.dataio_specs import MonthField, ShownField, YesNoField

from .models import Household, IndicatorActual

INDICATOR_ACTUALS = ImportSpec(
    model=IndicatorActual,
    key=("indicator", "month"),
    label="街道经济指标月度数据",
    fields=[
        ForeignKeyField("指标代码", "indicator", key="code", hint="gdp_growth, industry_va …"),
        ShownField("指标名称", "indicator__name"),
        MonthField("月份", "month"),
        DecimalField("本年累计", "value"),
    ],
)


def _validate_phone(value: str) -> None:
    if not value.isdigit() or not 5 <= len(value) <= 20:
        raise ValidationError(_("A phone number has 5 to 20 digits."))


# 一户一档 as the survey team records it: the plot, the household's number, its owner, phone
# (protected), area and whether the building is legal. The stage, the compensation option and
# the valuation are exported for reading and never imported: they change only through the
# declared steps with their evidence (``actions.advance_household``).
HOUSEHOLDS = ImportSpec(
    model=Household,
    key=("plot", "number"),
    label="征迁分户档案",
    fields=[
        ForeignKeyField("地块编码", "plot", key="code", hint="BD-01 …"),
        TextField("户号", "number"),
        TextField("产权人", "owner_name"),
        ProtectedField("联系电话", "phone", validator=_validate_phone),
        DecimalField("面积（平方米）", "area_m2"),
        YesNoField("合法建筑", "legal"),
    ],
    report=(
        ReportColumn("阶段", "stage_code", F("stage")),
        ReportColumn("补偿方式", "option_code", F("option")),
        ReportColumn("评估金额（元）", "valuation_value", F("valuation")),
    ),
)

SPECS = {"indicator-actuals": INDICATOR_ACTUALS, "expropriation-households": HOUSEHOLDS}
