"""The case classes of the cooperatives' disputes and petitions. GB/T 47678.5 has no class for
them, so the street adds its own major class 91 集体经济组织事项 (not part of the standard, like
the enterprises' class 90 of ``services/requests.py``): 91001 矛盾纠纷 and 91002 信访. Only
rows of the case engine's existing tables are written; the engine then handles these cases
like any other (a dispatcher routes them: no department is assumed here).

A petition gets the time limit of the 信访工作条例 (2022): handled within 60 days of its
acceptance (no article number is cited: it was not checked against the text). A dispute has no
time limit of its own (the 人民调解 has none fixed)."""

from __future__ import annotations

from decimal import Decimal

from streetbrain.cases.models import TimeLimitStandard, TimeUnit
from streetbrain.registry.models import ComponentClass

MAJOR_CODE, MAJOR_NAME = "91", "集体经济组织事项"
CLASSES = {
    "dispute": ("91001", "股份经济合作社矛盾纠纷", None),
    "petition": ("91002", "股份经济合作社信访", Decimal(60)),
}


def component_class(kind: str) -> ComponentClass:
    """The class of ``kind`` (dispute / petition), created with its time limit when missing."""
    code, name, limit_days = CLASSES[kind]
    cls, made = ComponentClass.objects.get_or_create(
        kind=ComponentClass.Kind.MATTER,
        code=code,
        defaults={"major_code": MAJOR_CODE, "major_name": MAJOR_NAME, "name": name},
    )
    if made and limit_days is not None:
        TimeLimitStandard.objects.get_or_create(
            component_class=cls,
            condition="",
            defaults={
                "filing_condition": "社员就股权、分红、留用地或终止退出信访",
                "limit_amount": limit_days,
                "limit_unit": TimeUnit.DAY,
                "closing_condition": "已作出处理意见并答复信访人",
            },
        )
    return cls
