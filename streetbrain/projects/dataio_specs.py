"""The street indicators' monthly actuals in and out of Excel (core ``dataio``): the statistics
bureau's sheet, one row per indicator and month with the year-to-date figure (本年累计). All or
nothing, row errors in Chinese, like every import of the platform."""

from streetbrain.core.dataio import DecimalField, ForeignKeyField, ImportSpec
from streetbrain.economy.dataio_specs import MonthField, ShownField

from .models import IndicatorActual

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

SPECS = {"indicator-actuals": INDICATOR_ACTUALS}
