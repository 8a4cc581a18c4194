"""The classes of enterprises' requests (诉求) in the case engine. GB/T 47678.5 has no class
for them, so the street adds its own major class 90 企业服务诉求 (codes 90001–90009, not part
of the standard), each with a time limit and, where the department exists, a routing rule
(``streetbrain/data/services/request_classes.csv``). Only rows of the case engine's existing
tables are written: the engine then classifies, routes and times these cases like any other.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from streetbrain.cases.models import RoutingRule, TimeLimitStandard, TimeUnit
from streetbrain.core.models import Department
from streetbrain.registry.models import ComponentClass

CSV = Path(__file__).resolve().parent.parent / "data" / "services" / "request_classes.csv"
MAJOR_CODE, MAJOR_NAME = "90", "企业服务诉求"


def rows() -> list[dict]:
    with open(CSV, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def choices() -> list[tuple[str, str]]:
    return [(r["code"], r["name"]) for r in rows()]


def ensure_classes() -> int:
    """Create what is missing: the classes, their time limits and (for departments that
    exist) their routing rules; returns how many rows were written. Idempotent."""
    written = 0
    for row in rows():
        cls, made = ComponentClass.objects.get_or_create(
            kind=ComponentClass.Kind.MATTER,
            code=row["code"],
            defaults={"major_code": MAJOR_CODE, "major_name": MAJOR_NAME, "name": row["name"]},
        )
        written += made
        _std, made = TimeLimitStandard.objects.get_or_create(
            component_class=cls,
            condition="",
            defaults={
                "filing_condition": row["filing_condition"],
                "limit_amount": Decimal(row["limit_days"]),
                "limit_unit": TimeUnit.WORK_DAY,
                "closing_condition": row["closing_condition"],
            },
        )
        written += made
        department = Department.objects.filter(code=row["department"]).first()
        if department is not None:
            _rule, made = RoutingRule.objects.get_or_create(
                component_class=cls,
                major_code="",
                area=None,
                department=department,
                defaults={"priority": 100, "note": f"企业诉求：{row['name']}"},
            )
            written += made
    return written


def class_for(code: str):
    return ComponentClass.objects.filter(kind=ComponentClass.Kind.MATTER, code=code).first()


def load_after_migrate(sender, **kwargs):
    ensure_classes()
