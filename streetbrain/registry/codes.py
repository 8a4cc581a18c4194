"""The code tables the registry classifies by, loaded from the reference data the product ships
(``streetbrain/data/standards``, ``streetbrain/data/divisions``): GB/T 47678.5-2026 classes,
GB/T 4754-2017 industries, NBS division codes. Loading is an idempotent upsert."""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import transaction

from .models import ComponentClass, Division, IndustryClass, IndustrySection

DATA = Path(__file__).resolve().parent.parent / "data"

KIND_BY_LABEL = {"管理部件": "component", "管理事项": "matter"}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _sync(model, rows: list[dict], key: str | tuple[str, ...], fields: list[str]) -> int:
    """Create missing rows and update changed ones, in bulk; returns rows written."""
    keys = (key,) if isinstance(key, str) else key
    existing = {tuple(getattr(o, k) for k in keys): o for o in model.objects.all()}
    create, update = [], []
    for row in rows:
        k = tuple(row[k] for k in keys)
        obj = existing.get(k)
        if obj is None:
            create.append(model(**row))
        elif any(getattr(obj, f) != row[f] for f in fields):
            for f in fields:
                setattr(obj, f, row[f])
            update.append(obj)
    model.objects.bulk_create(create, batch_size=2000)
    if update:
        model.objects.bulk_update(update, fields, batch_size=2000)
    return len(create) + len(update)


@transaction.atomic
def load_code_tables() -> dict[str, int]:
    std = DATA / "standards"
    components = [
        {
            "kind": KIND_BY_LABEL[r["kind"]],
            "major_code": r["major_code"],
            "major_name": r["major_name"],
            "code": r["code"],
            "name": r["name"],
        }
        for r in _rows(std / "gbt47678_5_2026_components_and_matters.csv")
    ]
    sections = [
        {"code": r["section"], "name": r["name"], "divisions": r["divisions"]}
        for r in _rows(std / "gbt4754_2017_sections.csv")
    ]
    written = {
        "component_classes": _sync(
            ComponentClass, components, ("kind", "code"), ["major_code", "major_name", "name"]
        ),
        "industry_sections": _sync(IndustrySection, sections, "code", ["name", "divisions"]),
    }
    section_ids = dict(IndustrySection.objects.values_list("code", "pk"))
    classes = [
        {
            "section_id": section_ids[r["section"]],
            "division": r["division"],
            "group": r["group"],
            "code": r["class_code"],
            "name": r["class_name"],
        }
        for r in _rows(std / "gbt4754_2017_classes.csv")
    ]
    written["industry_classes"] = _sync(
        IndustryClass, classes, "code", ["section_id", "division", "group", "name"]
    )
    div = DATA / "divisions"
    divisions = (
        [
            {"code": r["code"], "name": r["name"], "level": "province", "parent_code": ""}
            for r in _rows(div / "provinces.csv")
        ]
        + [
            {
                "code": r["code"],
                "name": r["name"],
                "level": "city",
                "parent_code": r["provinceCode"],
            }
            for r in _rows(div / "cities.csv")
        ]
        + [
            {"code": r["code"], "name": r["name"], "level": "county", "parent_code": r["cityCode"]}
            for r in _rows(div / "areas.csv")
        ]
        + [
            {
                "code": r["code"],
                "name": r["name"],
                "level": "township",
                "parent_code": r["areaCode"],
            }
            for r in _rows(div / "streets.csv")
        ]
    )
    written["divisions"] = _sync(Division, divisions, "code", ["name", "level", "parent_code"])
    return written


def load_after_migrate(sender, **kwargs):
    """Every database gets the code tables with its first migration (and updates later)."""
    if not ComponentClass.objects.exists():
        load_code_tables()
