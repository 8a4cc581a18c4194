"""Import and export of what the services know of enterprises beyond the building brain
(营业收入, 资产总额, 应纳税所得额, 高新技术企业, 首店等级), by credit code: the sheet a
statistics or tax office sends (``streetbrain import enterprise-facts FILE``). An empty cell
is unknown, never zero: the matching then says which data is missing."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from streetbrain.core.dataio import (
    DecimalField,
    Field,
    ForeignKeyField,
    ImportSpec,
    TextField,
    cell_text,
)

from .models import EnterpriseFacts

YES = {"是", "yes", "y", "true", "1", "√"}
NO = {"否", "no", "n", "false", "0", "×"}


class YesNoField(Field):
    """是/否 (or empty: unknown)."""

    def describe(self):
        return _("是 or 否 (empty: unknown)")

    def parse_one(self, raw, ctx):
        text = cell_text(raw).strip().lower()
        if text in YES:
            return True
        if text in NO:
            return False
        raise ValueError(_("“%(value)s” is neither 是 nor 否.") % {"value": text})

    def to_cell(self, value):
        return "" if value is None else ("是" if value else "否")


ENTERPRISE_FACTS = ImportSpec(
    model=EnterpriseFacts,
    key=("enterprise",),
    fields=[
        ForeignKeyField(
            "统一社会信用代码",
            "enterprise",
            key="credit_code",
            hint=gettext_lazy("18-character unified social credit code of a known enterprise"),
        ),
        DecimalField("营业收入（元）", "annual_revenue_cny"),
        DecimalField("资产总额（元）", "total_assets_cny"),
        DecimalField("应纳税所得额（元）", "annual_taxable_income_cny"),
        YesNoField("高新技术企业", "is_high_tech"),
        TextField("首店等级", "store_level"),
    ],
)

SPECS = {"enterprise-facts": ENTERPRISE_FACTS}
