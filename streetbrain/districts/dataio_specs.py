"""Import and export of the districts, in the layouts the street receives them (see
``docs/districts-import.md`` for the columns): the malls' store lists (门店表), the first-store
register (首店台账), the monthly sales a mall sends per store (门店月度销售额) and the sales a mall
or the statistics bureau sends per mall (商业体月度销售额). All or nothing, with row errors,
dry run and upsert on the natural key (``core.dataio``).

A sales row takes its district, mall, trade and unit from its store (or its mall): the file
need not repeat them. A store's links to the registry's shop and the building economy's
enterprise are found on import like on the page (``actions.link_store``: same credit code,
else the same unique name)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from streetbrain.core.dataio import (
    ChoiceField,
    DateField,
    DecimalField,
    ForeignKeyField,
    ImportSpec,
    TextField,
)
from streetbrain.economy.dataio_specs import MonthField, ShownField, normalise_credit_code

from . import actions
from .models import FirstStore, SalesRecord, Store

DISTRICT = "商圈编码"
COMPLEX = "商业体"
STORE = "门店编码"


def _district() -> ForeignKeyField:
    return ForeignKeyField(
        DISTRICT, "district", key="code", hint=gettext_lazy("the business district's code")
    )


def _complex(required: bool = False) -> ForeignKeyField:
    return ForeignKeyField(
        COMPLEX,
        "complex",
        key="name",
        required=required,
        hint=gettext_lazy("the name of a mall or complex of the district"),
    )


def _clean_store(obj: Store) -> None:
    actions.link_store(obj, None, save=False)
    obj.clean()


STORES = ImportSpec(
    model=Store,
    key=("code",),
    label=gettext_lazy("stores"),
    inherit={"org_unit": ("complex", "district")},
    clean=_clean_store,
    fields=[
        TextField(STORE, "code"),
        _district(),
        _complex(),
        TextField("门店名称", "name"),
        TextField("品牌", "brand"),
        ChoiceField("业态", "category"),
        TextField("统一社会信用代码", "credit_code", normalise=normalise_credit_code),
        TextField("楼层铺位", "location"),
        DecimalField("面积(平方米)", "area_m2"),
        DateField("开业日期", "opened_on"),
        ChoiceField("状态", "status"),
    ],
)


def _clean_first_store(obj: FirstStore) -> None:
    obj.clean()


FIRST_STORES = ImportSpec(
    model=FirstStore,
    key=("district", "brand", "level"),
    label=gettext_lazy("first stores"),
    inherit={"org_unit": ("complex", "district")},
    clean=_clean_first_store,
    fields=[
        _district(),
        TextField("品牌", "brand"),
        ChoiceField("首店级别", "level"),
        DateField("开业日期", "opened_on"),
        _complex(),
        ForeignKeyField(STORE, "store", key="code", required=False),
        DecimalField("面积(平方米)", "area_m2"),
        TextField("备注", "note"),
    ],
)


def _clean_sales(obj: SalesRecord) -> None:
    obj.clean()


STORE_SALES = ImportSpec(
    model=SalesRecord,
    key=("store", "month"),
    label=gettext_lazy("monthly sales of stores"),
    inherit={
        "district": ("store",),
        "category": ("store",),
        "org_unit": ("store",),
    },
    clean=_clean_sales,
    fields=[
        ForeignKeyField(STORE, "store", key="code", hint=gettext_lazy("the store's code")),
        ShownField("门店名称", "store__name"),
        MonthField("月份", "month"),
        DecimalField("销售额(元)", "amount"),
    ],
)

COMPLEX_SALES = ImportSpec(
    model=SalesRecord,
    key=("complex", "month"),
    label=gettext_lazy("monthly sales of malls"),
    inherit={"district": ("complex",), "org_unit": ("complex",)},
    clean=_clean_sales,
    fields=[
        _complex(required=True),
        MonthField("月份", "month"),
        DecimalField("销售额(元)", "amount"),
        ChoiceField("业态", "category"),
    ],
)

SPECS = {
    "district-stores": STORES,
    "first-stores": FIRST_STORES,
    "store-sales": STORE_SALES,
    "mall-sales": COMPLEX_SALES,
}
