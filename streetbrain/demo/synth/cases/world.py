"""What the case history generator knows of the district: its grid cells with their weights
and anchors, the classes with their 立结案标准, the routing, departments and demo accounts.
``cases.world_from_db`` (the loader) reads it from the database; :func:`world_from_files`
makes one from the illustrative district and the shipped tables, for checking the generator
without a database."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from shapely.geometry.base import BaseGeometry

from streetbrain.cases.codes import ROUTING_RULES_CSV, TIME_LIMITS_CSV
from streetbrain.core.geo import area_m2

from .. import texts as synth_texts
from ..accounts import ACCOUNTS, DEPARTMENTS
from ..district import build_demo_district


@dataclass
class GridSpec:
    """A grid cell as the generator needs it. The weights are relative (any unit)."""

    code: str
    community: str  # the community's code
    polygon: BaseGeometry
    area: float = 1.0
    shops: float = 0.0  # street shops and commercial landmarks
    homes: float = 0.0  # residential buildings
    west: bool = False  # the older neighbourhoods
    # anchors: (id, lon, lat, address)
    facilities: dict[str, list[tuple]] = field(default_factory=dict)  # component code → …
    shop_anchors: list[tuple] = field(default_factory=list)
    buildings: list[tuple] = field(default_factory=list)


@dataclass(frozen=True)
class ClassSpec:
    label: str  # "matter:06010"
    name: str
    amount: Decimal  # the 立结案标准's handling limit
    unit: str
    radius_m: int = 250
    window_days: int = 30
    closing: str = ""  # 结案条件


@dataclass
class World:
    """What the generator knows of the district (from the database, or from files)."""

    grids: list[GridSpec]
    classes: dict[str, ClassSpec]
    route: Callable[[str, str], str | None]  # (label or "", grid code) → department code
    departments: dict[str, str]  # code → name
    accounts: dict[str, tuple[str, str]]  # role → (username, display name)
    gridworker_grid: str | None = None
    handler_department: str | None = "cg"
    default_limit: tuple[Decimal, str] = (Decimal("1"), "work_day")


def _csv(path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def classes_from_files() -> dict[str, ClassSpec]:
    """The classes of ``synth_texts`` with their default 立结案标准 row."""
    out = {}
    for row in _csv(TIME_LIMITS_CSV):
        label = f"{row['kind']}:{row['code']}"
        if row["condition"] or label not in synth_texts.CLASSES:
            continue
        out[label] = ClassSpec(
            label,
            synth_texts.CLASSES[label][0],
            Decimal(row["limit_amount"]),
            row["limit_unit"],
            int(row["duplicate_radius_m"] or 250),
            int(row["duplicate_window_days"] or 30),
            row["closing_condition"],
        )
    return out


def router_from_files() -> Callable[[str, str], str | None]:
    """The routing rules of the shipped CSV as a function (rules without an area only)."""
    rules = [r for r in _csv(ROUTING_RULES_CSV) if not r["area"]]

    def route(label: str, grid: str) -> str | None:
        code = label.rsplit(":", 1)[-1] if label else ""
        best, best_key = None, None
        for r in rules:
            if r["code"]:
                if f"{r['kind']}:{r['code']}" != label:
                    continue
                specificity = 2
            elif r["major_code"]:
                if not code or code[:2] != r["major_code"]:
                    continue
                specificity = 1
            else:
                specificity = 0
            key = (-specificity, int(r["priority"] or 100))
            if best_key is None or key < best_key:
                best, best_key = r["department"], key
        return best

    return route


def world_from_files() -> World:
    """A world from the demo geometry and the shipped tables: grid weights by area only and
    no registry anchors. For checking the generator without a database."""
    district = build_demo_district()
    grids = [
        GridSpec(
            g.code,
            g.community_code,
            g.polygon,
            area=area_m2(g.polygon),
            west=g.polygon.centroid.x < 121.607,
        )
        for g in sorted(district.grids, key=lambda g: g.code)
    ]
    departments = {code: name for code, name, _kind, _phone in DEPARTMENTS}
    for c in district.communities:
        departments[f"sq-{c.code[-3:]}"] = f"{c.name}居委会"
    accounts: dict = {}  # the first account of each role acts for it in the history
    for user, name, role, _d in ACCOUNTS:
        if role:
            accounts.setdefault(role, (user, name))
    return World(
        grids=grids,
        classes=classes_from_files(),
        route=router_from_files(),
        departments=departments,
        accounts=accounts,
        gridworker_grid=grids[0].code,
        handler_department="cg",
    )
