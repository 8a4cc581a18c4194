"""Imports and exports of the cooperatives (``streetbrain import|export`` and the pages).

``zhenong-accounts`` reads the yearly figures as the province's 浙农经管 exports them from its
报表分析 module, one row per cooperative and year, the cooperative found by its unified social
credit code (the 浙农经管 key of an organisation):

| column | meaning |
| --- | --- |
| 统一社会信用代码 | the cooperative's code (GB 32100), a cooperative already known here |
| 年度 | the year of the accounts (2000–2100) |
| 总收入（万元） | total income |
| 净收益（万元） | net income (may be negative) |
| 每股分红（元） | the distribution per share paid for the year |
| 资产总计（万元） | total assets |
| 负债合计（万元） | total liabilities |
| 矛盾纠纷（件） | optional: the year's disputes and petitions (the street's count) |
| 社员存续意愿（%） | optional: members wishing to continue, from the year's survey |

A row updates the year already held (the province's books are the reference); the import is
all-or-nothing with row and column errors. ``cooperatives`` lists the cooperatives themselves
(the community by its org unit code). After an import, grade again (``streetbrain
cooperatives grade`` or the dashboard's button).
"""

from django.utils.translation import gettext_lazy

from streetbrain.core.dataio import DecimalField, ForeignKeyField, ImportSpec, IntField, TextField

from .models import AnnualAccount, Cooperative

CREDIT_CODE = "统一社会信用代码"


def _normalise_code(text: str) -> str:
    return "".join(text.split()).upper()


COOPERATIVES = ImportSpec(
    model=Cooperative,
    key=("credit_code",),
    fields=[
        TextField(CREDIT_CODE, "credit_code", normalise=_normalise_code),
        TextField("名称", "name"),
        TextField("原村", "former_village"),
        ForeignKeyField(
            "所属社区编码",
            "org_unit",
            key="code",
            hint=gettext_lazy("the community's org unit code"),
        ),
        TextField("董事长", "chair"),
    ],
)

ZHENONG_ACCOUNTS = ImportSpec(
    model=AnnualAccount,
    key=("cooperative", "year"),
    fields=[
        ForeignKeyField(
            CREDIT_CODE,
            "cooperative",
            key="credit_code",
            hint=gettext_lazy("18-character unified social credit code of a known cooperative"),
        ),
        IntField("年度", "year"),
        DecimalField("总收入（万元）", "income"),
        DecimalField("净收益（万元）", "net_income"),
        DecimalField("每股分红（元）", "distribution_per_share"),
        DecimalField("资产总计（万元）", "total_assets"),
        DecimalField("负债合计（万元）", "liabilities"),
        IntField("矛盾纠纷（件）", "disputes", required=False),
        DecimalField("社员存续意愿（%）", "survey_continue_pct", required=False),
    ],
)

SPECS = {
    "cooperatives": COOPERATIVES,
    "zhenong-accounts": ZHENONG_ACCOUNTS,
}
