"""An ILLUSTRATIVE 福明街道 with its 社区 and 单元网格, for the demo and for tests.

No public outline of 福明街道 (Fuming sub-district, 鄞州区, Ningbo) exists. This module draws
a plausible one in Eastern New Town (东部新城), WGS-84 lon/lat: about 13 km², around the real
landmarks of the OpenStreetMap extract shipped in ``streetbrain/data/geo`` (宁波国际金融服务中心,
宁波国际会议展览中心, 宁波文化广场, 宏泰广场, 东部银泰城) and wholly inside the 鄞州区 outline.
It is tiled by the 16 社区 of the 2016 code list plus 荆城楼宇社区, and each 社区 by 3–6
unit grid cells (单元网格, GB/T 30428.1), all as clipped Voronoi cells of fixed seeds.

Every boundary here is made up and must be shown as such ("示意", illustrative). Community
codes are made up too (the current ones are not public): 330212014 + the 3-digit suffix of
the 2016 code.

Everything is deterministic (fixed control points and seeds, seeded ``random.Random``) and
snapped to a 1e-7° precision grid; neighbours share identical edges, with no gaps and no
overlaps. Pure Python on shapely; no Django imports.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import MultiPoint, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from streetbrain.core.geo import area_m2

__all__ = [
    "BUILDING_COMMUNITY_NAME",
    "DATA_DIR",
    "DISTRICT_CODE",
    "LANDMARK_NAMES",
    "PRECISION",
    "STREET_CODE",
    "STREET_NAME",
    "Community",
    "DemoDistrict",
    "Grid",
    "Street",
    "build_demo_district",
    "district_geojson",
    "load_osm_features",
    "load_yinzhou_outline",
]

DATA_DIR = Path(__file__).resolve().parents[2] / "data"  # streetbrain/data

DISTRICT_CODE = "330212"  # 鄞州区
STREET_CODE = "330212014"  # 福明街道 (NBS 统计用区划代码; 12-digit form 330212014000)
STREET_NAME = "福明街道"
BUILDING_COMMUNITY_NAME = "荆城楼宇社区"
COMMUNITY_CODE_2016_PREFIX = "330204007"  # 福明街道 under the former 江东区

#: Snap grid for all coordinates, in degrees (1e-7° ≈ 1 cm).
PRECISION = 1e-7

#: Real Eastern New Town landmarks of the OSM file that the outline is drawn around.
LANDMARK_NAMES = (
    "宁波国际金融服务中心",
    "宁波国际会议展览中心",
    "宁波文化广场",
    "宏泰广场",
    "东部银泰城",
)

ILLUSTRATIVE_NOTE = (
    "示意边界 / illustrative boundaries: no official outline of 福明街道, its 社区 or 单元网格 "
    "is public; these are drawn for the demo. Community codes 330212014xxx are assumed."
)

# Hand-drawn control polygon (lon, lat), clockwise from the north-west; Chaikin-smoothed below.
# Around 东部新城: 会展中心 (north), 宁波国际金融服务中心, 宏泰广场/文化广场/东部银泰城 (south),
# the older 福明 neighbourhoods (桑家, 陆嘉, 余隘 …) to the west.
_OUTLINE_CONTROL: tuple[tuple[float, float], ...] = (
    (121.5880, 29.8778),
    (121.5938, 29.8812),
    (121.6010, 29.8806),
    (121.6072, 29.8822),
    (121.6150, 29.8818),
    (121.6232, 29.8800),
    (121.6298, 29.8762),
    (121.6328, 29.8700),
    (121.6318, 29.8628),
    (121.6290, 29.8565),
    (121.6238, 29.8508),
    (121.6160, 29.8486),
    (121.6085, 29.8500),
    (121.6020, 29.8488),
    (121.5955, 29.8512),
    (121.5900, 29.8560),
    (121.5872, 29.8625),
    (121.5862, 29.8705),
)
_CHAIKIN_ROUNDS = 3

# Community seed points (lon, lat). The older communities lie west, the "城" communities of
# Eastern New Town east; 荆城楼宇社区 (the office-tower community) sits on the IFC towers.
_COMMUNITY_SEEDS: dict[str, tuple[float, float]] = {
    "余隘社区": (121.5912, 29.8762),
    "新源社区": (121.5990, 29.8778),
    "明一社区": (121.5905, 29.8685),
    "江南社区": (121.5985, 29.8700),
    "陆嘉社区": (121.5902, 29.8605),
    "福明家园社区": (121.5975, 29.8625),
    "南余社区": (121.5975, 29.8540),
    "桑家社区": (121.6050, 29.8530),
    "荆城楼宇社区": (121.6111, 29.8693),
    "宁城社区": (121.6085, 29.8775),
    "明城社区": (121.6180, 29.8780),
    "江城社区": (121.6265, 29.8740),
    "东城社区": (121.6270, 29.8650),
    "福城社区": (121.6195, 29.8690),
    "新城社区": (121.6055, 29.8630),
    "碧城社区": (121.6135, 29.8590),
    "波波城社区": (121.6220, 29.8560),
}

_GRIDS_TARGET = 82  # weight for spreading 单元网格 by area (gives 80 with the clamps)
_GRIDS_MIN, _GRIDS_MAX = 3, 6
_LLOYD_ROUNDS = 8


@dataclass(frozen=True)
class Street:
    code: str
    name: str
    polygon: Polygon
    illustrative: bool = True
    parent_code: str = DISTRICT_CODE


@dataclass(frozen=True)
class Community:
    code: str
    code_2016: str | None
    name: str
    polygon: Polygon


@dataclass(frozen=True)
class Grid:
    code: str
    community_code: str
    name: str
    polygon: Polygon


@dataclass(frozen=True)
class DemoDistrict:
    street: Street
    communities: tuple[Community, ...]
    grids: tuple[Grid, ...]

    def community(self, code: str) -> Community:
        for c in self.communities:
            if c.code == code:
                return c
        raise KeyError(code)

    def grids_of(self, community_code: str) -> tuple[Grid, ...]:
        return tuple(g for g in self.grids if g.community_code == community_code)


# -- data loading --------------------------------------------------------------------------


def _read_communities_2016(data_dir: Path) -> list[tuple[str, str]]:
    path = data_dir / "fuming" / "communities_2016.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [(r["code_2016"].strip(), r["name"].strip()) for r in csv.DictReader(fh)]
    for code, name in rows:
        if len(code) != 12 or not code.isdigit():
            raise ValueError(f"{path}: bad 2016 code {code!r} for {name}")
    return rows


def load_yinzhou_outline(data_dir: Path | None = None) -> BaseGeometry:
    """The 鄞州区 outline (CC BY 4.0, Vonng/adcode) shipped in the data directory."""
    path = (data_dir or DATA_DIR) / "geo" / "yinzhou_district.wgs84.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    (feature,) = [f for f in doc["features"] if f["properties"].get("adcode") == DISTRICT_CODE]
    return shape(feature["geometry"])


def _geometry_from_geojson(geometry: dict[str, Any]) -> BaseGeometry:
    # Two features of the OSM extract say "Point" but carry polygon rings; trust the nesting.
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind == "Point" and isinstance(coords, list) and coords and isinstance(coords[0], list):
        depth, probe = 0, coords
        while isinstance(probe, list) and probe:
            depth, probe = depth + 1, probe[0]
        kind = {2: "LineString", 3: "Polygon", 4: "MultiPolygon"}.get(depth, kind)
        geometry = {"type": kind, "coordinates": coords}
    return shape(geometry)


def load_osm_features(data_dir: Path | None = None) -> list[tuple[dict[str, Any], BaseGeometry]]:
    """(properties, geometry) of the OSM extract (ODbL, © OpenStreetMap contributors)."""
    path = (data_dir or DATA_DIR) / "geo" / "eastern_new_town_osm.wgs84.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    return [(f["properties"], _geometry_from_geojson(f["geometry"])) for f in doc["features"]]


# -- geometry helpers ----------------------------------------------------------------------


def _chaikin(points: tuple[tuple[float, float], ...], rounds: int) -> list[tuple[float, float]]:
    pts = list(points)
    for _ in range(rounds):
        out: list[tuple[float, float]] = []
        for k, (x0, y0) in enumerate(pts):
            x1, y1 = pts[(k + 1) % len(pts)]
            out.append((0.75 * x0 + 0.25 * x1, 0.75 * y0 + 0.25 * y1))
            out.append((0.25 * x0 + 0.75 * x1, 0.25 * y0 + 0.75 * y1))
        pts = out
    return pts


def _snap(geom: BaseGeometry) -> BaseGeometry:
    return shapely.set_precision(geom, PRECISION)


def _street_outline() -> Polygon:
    outline = _snap(Polygon(_chaikin(_OUTLINE_CONTROL, _CHAIKIN_ROUNDS)))
    if outline.geom_type != "Polygon" or not outline.is_valid:
        raise ValueError("the street control polygon does not give a simple polygon")
    return outline


def _voronoi_cells(seeds: list[tuple[float, float]], clip: BaseGeometry) -> list[BaseGeometry]:
    """Voronoi cells of ``seeds`` (in seed order) clipped to ``clip``, on the precision grid."""
    if len(seeds) == 1:
        return [clip]
    minx, miny, maxx, maxy = clip.bounds
    pad = 2 * max(maxx - minx, maxy - miny)
    frame = shapely.box(minx - pad, miny - pad, maxx + pad, maxy + pad)
    diagram = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=frame, ordered=True)
    cells = list(diagram.geoms)
    assert len(cells) == len(seeds)
    return [shapely.intersection(cell, clip, grid_size=PRECISION) for cell in cells]


def _polygon_parts(geom: BaseGeometry) -> list[Polygon]:
    if geom.is_empty:
        return []
    if geom.geom_type == "Polygon":
        return [geom]
    return [p for g in getattr(geom, "geoms", []) for p in _polygon_parts(g)]


def _merge_strays(cells: list[BaseGeometry], grid_size: float | None) -> list[BaseGeometry]:
    """Give every part but the largest of a multi-part cell to the neighbour it borders most."""
    cells = list(cells)
    for k in range(len(cells)):
        parts = sorted(_polygon_parts(cells[k]), key=lambda p: p.area, reverse=True)
        if len(parts) <= 1:
            continue
        cells[k] = parts[0]
        for part in parts[1:]:
            halo = part.buffer(PRECISION * 10)
            _, neg_m = max(
                (shapely.intersection(halo, cells[m]).area, -m) for m in range(len(cells)) if m != k
            )
            cells[-neg_m] = shapely.union(cells[-neg_m], part, grid_size=grid_size)
    return cells


def _lloyd_seeds(region: BaseGeometry, k: int, rng: random.Random) -> list[tuple[float, float]]:
    """k well-spread seed points in ``region``: random start, then Lloyd relaxation."""
    minx, miny, maxx, maxy = region.bounds
    seeds: list[tuple[float, float]] = []
    while len(seeds) < k:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if shapely.contains_xy(region, x, y):
            seeds.append((x, y))
    for _ in range(_LLOYD_ROUNDS):
        cells = _voronoi_cells(seeds, region)
        moved = []
        for seed, cell in zip(seeds, cells, strict=True):
            if cell.is_empty:
                moved.append(seed)
            else:
                c = cell.centroid
                moved.append((c.x, c.y))
        seeds = moved
    return seeds


def _assemble(cells: list[BaseGeometry]) -> list[BaseGeometry]:
    """Rebuild ``cells`` from one shared set of faces, so neighbours share identical edges.

    Cells computed one by one (each clipped and snapped on its own) can disagree along a
    common edge by a snap step, leaving slivers of gap or overlap. Here all their boundaries
    are noded once on the precision grid and split into faces; each face goes to the cell it
    overlaps most (slivers: the cell along which they lie), and a cell is the exact union of
    its faces. Unions are done without snapping (all vertices already lie on the grid), so
    no sliver collapses into a gap.
    """
    lines = shapely.unary_union([c.boundary for c in cells], grid_size=PRECISION)
    faces = [
        f for f in shapely.get_parts(shapely.polygonize(shapely.get_parts(lines))) if f.area > 0
    ]
    tree = shapely.STRtree(cells)
    owned: list[list[Polygon]] = [[] for _ in cells]
    for face in faces:
        halo = face.buffer(2 * PRECISION, join_style="mitre")
        cand = tree.query(halo, predicate="intersects")
        _, neg_m = max((shapely.intersection(halo, cells[m]).area, -int(m)) for m in cand)
        owned[-neg_m].append(face)
    return [shapely.union_all(fs) for fs in owned]


def _community_code(code_2016: str) -> str:
    return STREET_CODE + code_2016[-3:]


# -- the district --------------------------------------------------------------------------


def build_demo_district(data_dir: Path | None = None) -> DemoDistrict:
    """Build the illustrative 福明街道: street outline, 17 社区, ~80 单元网格 (deterministic)."""
    data_dir = data_dir or DATA_DIR
    rows = _read_communities_2016(data_dir)

    # Communities: the 2016 list plus the building community with the next free suffix.
    communities: list[tuple[str, str | None, str]] = [
        (_community_code(c16), c16, name) for c16, name in rows
    ]
    next_suffix = max(int(c16[-3:]) for c16, _ in rows) + 1
    communities.append((f"{STREET_CODE}{next_suffix:03d}", None, BUILDING_COMMUNITY_NAME))
    communities.sort()
    missing = [name for _, _, name in communities if name not in _COMMUNITY_SEEDS]
    if missing:
        raise ValueError(f"no seed point for communities {missing}")

    outline = _street_outline()
    seeds = [_COMMUNITY_SEEDS[name] for _, _, name in communities]
    comm_cells = _merge_strays(_voronoi_cells(seeds, outline), PRECISION)

    # Grid cells per community, count proportional to area within [3, 6].
    total_area = sum(c.area for c in comm_cells)
    grid_cells: list[BaseGeometry] = []
    grid_owner: list[int] = []
    for ci, ((code, _, _), cell) in enumerate(zip(communities, comm_cells, strict=True)):
        k = round(_GRIDS_TARGET * cell.area / total_area)
        k = max(_GRIDS_MIN, min(_GRIDS_MAX, k))
        rng = random.Random(int(code))  # seeded: the layout is deterministic
        cells = _merge_strays(_voronoi_cells(_lloyd_seeds(cell, k, rng), cell), PRECISION)
        grid_cells.extend(cells)
        grid_owner.extend([ci] * len(cells))

    # One planar partition for all levels: communities and street are unions of grid cells.
    grid_polys = _assemble(grid_cells)
    grid_polys = _merge_strays_within(grid_polys, grid_owner)

    grids: list[Grid] = []
    community_objs: list[Community] = []
    for ci, (code, code_2016, name) in enumerate(communities):
        mine = [p for p, owner in zip(grid_polys, grid_owner, strict=True) if owner == ci]
        # Number the cells north to south, then west to east.
        mine.sort(key=lambda p: (-round(p.centroid.y, 3), p.centroid.x))
        for seq, poly in enumerate(mine, start=1):
            grids.append(
                Grid(
                    code=f"{code}{seq:02d}",
                    community_code=code,
                    name=f"{name}第{seq}网格",
                    polygon=_as_polygon(poly),
                )
            )
        community_objs.append(
            Community(
                code=code,
                code_2016=code_2016,
                name=name,
                polygon=_as_polygon(shapely.union_all(mine)),
            )
        )
    street_poly = _as_polygon(shapely.union_all([c.polygon for c in community_objs]))
    street = Street(code=STREET_CODE, name=STREET_NAME, polygon=street_poly)
    return DemoDistrict(street=street, communities=tuple(community_objs), grids=tuple(grids))


def _merge_strays_within(polys: list[BaseGeometry], owner: list[int]) -> list[BaseGeometry]:
    """Like :func:`_merge_strays`, but a stray part only goes to a cell of the same owner."""
    polys = list(polys)
    for key in sorted(set(owner)):
        idx = [k for k, o in enumerate(owner) if o == key]
        fixed = _merge_strays([polys[k] for k in idx], None)
        for k, poly in zip(idx, fixed, strict=True):
            polys[k] = poly
    return polys


def _as_polygon(geom: BaseGeometry) -> Polygon:
    if geom.geom_type != "Polygon":
        raise ValueError(f"expected a single Polygon, got {geom.geom_type}")
    return orient(geom, sign=1.0)  # GeoJSON (RFC 7946) winding: exterior counter-clockwise


def district_geojson(d: DemoDistrict) -> dict[str, Any]:
    """The district as a GeoJSON FeatureCollection (street, communities, grids)."""

    def feature(level: str, code: str, name: str, parent: str, poly: Polygon, **extra: Any):
        props = {
            "level": level,
            "code": code,
            "name": name,
            "parent_code": parent,
            "area_m2": round(area_m2(poly), 1),
            "illustrative": True,
            **extra,
        }
        return {"type": "Feature", "properties": props, "geometry": mapping(poly)}

    s = d.street
    features = [feature("street", s.code, s.name, s.parent_code, s.polygon)]
    features += [
        feature("community", c.code, c.name, s.code, c.polygon, code_2016=c.code_2016)
        for c in d.communities
    ]
    features += [feature("grid", g.code, g.name, g.community_code, g.polygon) for g in d.grids]
    return {"type": "FeatureCollection", "note": ILLUSTRATIVE_NOTE, "features": features}
