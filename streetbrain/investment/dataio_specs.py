"""Imports and exports of 招商 through the core's engine: leads from a spreadsheet (all or
nothing, row errors; upsert on the company's name), and the column layouts of the whitelist's
and a shortlist's Excel exports (rows computed here, written by ``dataio.write_xlsx``).

An imported lead starts at 线索 and its timeline begins with a "lead opened" entry on its
``opened_on`` (``actions.leads_imported``, in the import's transaction); stages move only
through ``actions.perform``, so a file has no stage column."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from streetbrain.core.dataio import (
    ChoiceField,
    DateField,
    DecimalField,
    FloatField,
    ForeignKeyField,
    ImportSpec,
    IntField,
    TextField,
)
from streetbrain.economy.dataio_specs import (
    ENTERPRISE_NAME,
    HomeUnitField,
    MonthField,
    ShownField,
    YesNoField,
    normalise_credit_code,
)

from . import actions
from .models import EcommerceProfile, EcommerceTurnover, Lead, WhitelistEntry


def _clean_lead(obj: Lead) -> None:
    if obj.pk is None and obj.opened_on:
        # A new lead stands at 线索 since it was opened, as ``actions.create_lead`` dates it.
        obj.stage_changed_on = obj.opened_on
    if obj.area_min_m2 is not None and obj.area_max_m2 is not None:
        if obj.area_max_m2 < obj.area_min_m2:
            raise ValidationError(
                {"最大面积（平方米）": _("The largest area wanted is below the smallest.")}
            )


LEADS = ImportSpec(
    model=Lead,
    key=("name",),
    label=gettext_lazy("investment leads"),
    fields=[
        TextField("企业名称", "name"),
        TextField("统一社会信用代码", "credit_code", normalise=normalise_credit_code),
        ForeignKeyField(
            "行业代码",
            "industry",
            key="code",
            zero_pad=4,
            hint=gettext_lazy("4-digit GB/T 4754-2017 industry class code"),
        ),
        DecimalField("最小面积（平方米）", "area_min_m2"),
        DecimalField("最大面积（平方米）", "area_max_m2"),
        DecimalField("租金预算（元/平方米/天）", "rent_budget"),
        ChoiceField("意向等级", "preferred_grade"),
        DateField("意向入驻日期", "move_in_by", min_year=2000),
        ChoiceField("线索来源", "source"),
        DecimalField("预计年税收（元）", "expected_annual_tax"),
        IntField("预计从业人数", "expected_headcount"),
        TextField("联系人", "contact_name"),
        DateField("登记日期", "opened_on", min_year=2000),
        TextField("备注", "notes"),
        HomeUnitField("所属区域编码"),
    ],
    clean=_clean_lead,
    after_write=actions.leads_imported,
)

# The whitelist's export: one row per industry, the factors' contributions as columns.
WHITELIST = ImportSpec(
    model=WhitelistEntry,
    key=("code",),
    label=gettext_lazy("investment whitelist"),
    fields=[
        IntField("排名", "rank"),
        TextField("行业代码", "code"),
        TextField("行业名称", "name"),
        TextField("层级", "level"),
        FloatField("得分", "score"),
        IntField("在街企业数", "enterprises"),
        FloatField("在租面积（平方米）", "area_m2"),
        TextField("决定", "decision"),
        TextField("决定理由", "decision_reason"),
    ],
)


def _enterprise() -> ForeignKeyField:
    return ForeignKeyField(
        "统一社会信用代码",
        "enterprise",
        key="credit_code",
        hint=gettext_lazy("18-character unified social credit code of a known enterprise"),
    )


# Cross-border e-commerce: each enterprise's mode, and its monthly import and export (海关 or
# the park's own statistics), upserted on (enterprise, month).
ECOMMERCE_PROFILES = ImportSpec(
    model=EcommerceProfile,
    key=("enterprise",),
    label=gettext_lazy("e-commerce profiles"),
    fields=[
        _enterprise(),
        ShownField(ENTERPRISE_NAME, "enterprise__name"),
        ChoiceField("跨境电商监管方式", "mode"),
        YesNoField("电商服务商", "is_service_provider"),
    ],
)

ECOMMERCE_TURNOVER = ImportSpec(
    model=EcommerceTurnover,
    key=("enterprise", "month"),
    label=gettext_lazy("e-commerce turnover"),
    fields=[
        _enterprise(),
        ShownField(ENTERPRISE_NAME, "enterprise__name"),
        MonthField("月份", "month"),
        DecimalField("进口额（元）", "import_cny"),
        DecimalField("出口额（元）", "export_cny"),
    ],
)

SPECS = {
    "investment-leads": LEADS,
    "ecommerce-profiles": ECOMMERCE_PROFILES,
    "ecommerce-turnover": ECOMMERCE_TURNOVER,
}

# A lead's shortlist (候选房源), export only: one row per candidate, its score's parts after these
# columns (the attributes are the candidate's, not a model's: the engine only writes the file).
SHORTLIST = ImportSpec(
    model=Lead,
    key=("rank",),
    label=gettext_lazy("shortlist"),
    fields=[
        IntField("序号", "rank"),
        TextField("楼宇", "building"),
        TextField("楼层", "floor"),
        TextField("单元", "units"),
        FloatField("面积（平方米）", "area_m2"),
        FloatField("挂牌租金（元/平方米/天）", "asking_rent"),
        FloatField("匹配得分", "score"),
    ],
)
