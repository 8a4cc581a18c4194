"""What the economy's planner knows of the district: the grid cells, the commercial
OpenStreetMap landmarks inside them, the last complete month, the industry table, the homes to
keep clear of, the codes and buildings in use, the accounts of the street's leaders. The
economy's loader reads it from the database; :func:`world_from_files` makes one without."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field

from shapely.geometry.base import BaseGeometry

from streetbrain.core.geo import GridLocator
from streetbrain.core.months import month_start

from ..district import DATA_DIR, build_demo_district, load_osm_features


@dataclass(frozen=True)
class GridSpec:
    code: str
    community: str
    polygon: BaseGeometry


@dataclass(frozen=True)
class Landmark:
    """A commercial OpenStreetMap feature inside the street."""

    ref: str
    name: str
    geometry: BaseGeometry
    grid: str


@dataclass
class World:
    grids: list[GridSpec]
    landmarks: list[Landmark]
    last_month: dt.date  # the first day of the last complete month of the history
    industries: frozenset[str]  # the GB/T 4754 小类 codes of the shared table
    homes: list[tuple[float, float]] = field(default_factory=list)  # residential buildings
    taken_codes: frozenset[str] = frozenset()  # credit codes used elsewhere (street shops)
    taken_buildings: frozenset[str] = frozenset()  # registry building codes in use
    leaders: tuple[str, ...] = ("leader", "building")  # usernames: street leader, specialist
    #: (i, n): this planner's share of the credit codes when n plan side by side (``Codes``)
    code_share: tuple[int, int] = (0, 1)


def world_from_files(last_month: dt.date) -> World:
    """The ``World`` from the shipped geometry and code table, without the database (tests,
    benchmarks): the demo district's grids, the OpenStreetMap landmarks inside it, no homes."""
    district = build_demo_district()
    names = {c.code: c.name for c in district.communities}
    grids = [GridSpec(g.code, names[g.community_code], g.polygon) for g in district.grids]
    with open(DATA_DIR / "standards" / "gbt4754_2017_classes.csv", encoding="utf-8") as f:
        industries = frozenset(row["class_code"] for row in csv.DictReader(f))
    return World(
        grids=grids,
        landmarks=landmarks(grids, GridLocator, load_osm_features()),
        last_month=month_start(last_month),
        industries=industries,
    )


def landmarks(grids: list[GridSpec], locator_class, features) -> list[Landmark]:
    """The commercial OpenStreetMap features (``load_osm_features()``) inside the grids, with
    the reference the registry's named places use (file + feature number)."""
    locator = locator_class([(g.code, g.polygon) for g in grids])
    out = []
    for i, (props, geom) in enumerate(features):
        name = (props.get("name") or "").strip()
        if props.get("kind") != "commercial" or not name:
            continue
        c = geom.centroid
        code = locator.locate(c.x, c.y)
        if code:
            out.append(Landmark(f"eastern_new_town_osm#{i}", name, geom, code))
    return out
