"""Seed data of the case workflow: the 立结案标准 (time limits) every deployment starts with,
and routing rules from a CSV file (the demo's, or a city's own). Both stay editable: seeding
never overwrites rows that exist."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from streetbrain.core.models import Department, OrgUnit
from streetbrain.registry.models import ComponentClass

from .models import RoutingRule, ServiceAttribute, TimeLimitStandard

DATA = Path(__file__).resolve().parent.parent / "data" / "cases"
TIME_LIMITS_CSV = DATA / "time_limits.csv"
ROUTING_RULES_CSV = DATA / "routing_rules.csv"
SERVICE_ATTRIBUTES_CSV = DATA / "service_attributes.csv"


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def load_time_limits(path: Path = TIME_LIMITS_CSV) -> int:
    """Create the standards of ``path`` that do not exist yet; returns how many."""
    classes = {(c.kind, c.code): c for c in ComponentClass.objects.all()}
    created = 0
    for row in _rows(path):
        cls = classes.get((row["kind"], row["code"]))
        if cls is None:
            continue
        _obj, made = TimeLimitStandard.objects.get_or_create(
            component_class=cls,
            condition=row["condition"],
            defaults={
                "filing_condition": row["filing_condition"],
                "limit_amount": Decimal(row["limit_amount"]),
                "limit_unit": row["limit_unit"],
                "closing_condition": row["closing_condition"],
                "duplicate_radius_m": int(row["duplicate_radius_m"] or 250),
                "duplicate_window_days": int(row["duplicate_window_days"] or 30),
            },
        )
        created += made
    return created


def load_routing_rules(path: Path = ROUTING_RULES_CSV) -> int:
    """Create the routing rules of ``path`` whose department exists (by code) and that are not
    there yet; returns how many."""
    created = 0
    for row in _rows(path):
        department = Department.objects.filter(code=row["department"]).first()
        if department is None:
            continue
        cls = None
        if row["code"]:
            cls = ComponentClass.objects.filter(kind=row["kind"], code=row["code"]).first()
            if cls is None:
                continue
        area = OrgUnit.objects.filter(code=row["area"]).first() if row["area"] else None
        _obj, made = RoutingRule.objects.get_or_create(
            component_class=cls,
            major_code="" if cls else row["major_code"],
            area=area,
            department=department,
            defaults={"priority": int(row["priority"] or 100), "note": row["note"]},
        )
        created += made
    return created


def load_service_attributes(path: Path = SERVICE_ATTRIBUTES_CSV) -> int:
    """Create the extra questions (Open311 service definition attributes) of ``path`` that do
    not exist yet; ``values`` is "key:name|key:name"; returns how many were created."""
    created = 0
    for row in _rows(path):
        cls = ComponentClass.objects.filter(kind=row["kind"], code=row["code"]).first()
        if cls is None:
            continue
        values = [
            {"key": key, "name": name}
            for key, _sep, name in (item.partition(":") for item in row["values"].split("|"))
            if key
        ]
        _obj, made = ServiceAttribute.objects.get_or_create(
            component_class=cls,
            code=row["attribute"],
            defaults={
                "datatype": row["datatype"],
                "required": row["required"] == "true",
                "order": int(row["order"] or 1),
                "description": row["description"],
                "values": values,
            },
        )
        created += made
    return created


def load_after_migrate(sender, **kwargs):
    if not TimeLimitStandard.objects.exists():
        load_time_limits()
