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

``cooperative-members`` reads the member register (社员股东名册) as the cooperatives keep it in
Excel: 姓名, 公民身份号码 (also 身份证号码/身份证号 …: the import engine's header synonyms),
统一社会信用代码 and 股种 (the share class, already set up for that cooperative), 户号, 持股数.
A member is found by (share class, ID number); the ID number is validated (GB 11643) by
``Member.set_id_number`` and stored protected; the cooperative is the share class's. A bad row is
reported with its row and column, and nothing of the file is written.
"""

from django.utils.translation import gettext_lazy

from streetbrain.core.dataio import (
    DecimalField,
    ForeignKeyField,
    ImportSpec,
    IntField,
    ProtectedField,
    TextField,
)
from streetbrain.core.identifiers import validate_id_number

from .models import AnnualAccount, Cooperative, Member

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

MEMBERS = ImportSpec(
    model=Member,
    key=("share_class", "id_number"),
    fields=[
        TextField("姓名", "name"),
        ProtectedField(
            "公民身份号码",
            "id_number",
            validator=validate_id_number,
            setter="set_id_number",
            hint=gettext_lazy("18-character ID number (a masked value leaves it unchanged)"),
        ),
        ForeignKeyField(
            (CREDIT_CODE, "股种"),
            "share_class",
            key=("cooperative__credit_code", "name"),
            hint=gettext_lazy("the cooperative's credit code and one of its share classes"),
        ),
        TextField("户号", "household_no"),
        DecimalField("持股数", "shares"),
    ],
    inherit={"cooperative": ("share_class",)},
)

SPECS = {
    "cooperatives": COOPERATIVES,
    "zhenong-accounts": ZHENONG_ACCOUNTS,
    "cooperative-members": MEMBERS,
}
