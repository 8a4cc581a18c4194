"""The towers: the real OpenStreetMap commercial buildings of Eastern New Town inside the street
(with their names and outlines) and made-up ones in the east's grid cells clear of homes, their
grade, rent, occupancy, chain and signature industry (一楼一品), and their floors and units."""

from __future__ import annotations

import math
import random
from collections import defaultdict

import shapely
from shapely.geometry import Point, Polygon, mapping
from shapely.geometry.base import BaseGeometry

from ..people import Weighted
from .enterprises import BRANDS
from .plans import BuildingPlan, FloorPlan, UnitPlan
from .tables import BUILDING_COMMUNITY, BUILDINGS, EAST_COMMUNITIES, M_LAT, M_LON, TAX_TIERS
from .world import Landmark, World

#: Real buildings of the OpenStreetMap extract used as 楼宇: name → (kind, grade, floors above,
#: chain, signature industry, prestige rank for the tax tiers; lower is larger).
REAL_BUILDINGS: dict[str, tuple[str, str, int, str, str, int]] = {
    "宁波国际金融服务中心": ("office", "super_a", 42, "finance", "J", 0),
    "宏泰广场": ("mixed", "a", 33, "services", "72", 1),
    "环合中心": ("office", "super_a", 38, "shipping", "58", 2),
    "杉杉国贸天地": ("office", "a", 31, "trade", "51", 3),
    "宁波富邦中心": ("office", "a", 34, "finance", "67", 4),
    "金融硅谷": ("office", "a", 14, "finance", "67", 6),
    "宁波日报传媒大厦": ("office", "a", 28, "digital", "64", 8),
    "紫荆汇": ("mixed", "a", 24, "services", "72", 10),
    "瑞石智汇湾": ("office", "a", 20, "digital", "65", 12),
    "新府银座": ("mixed", "b", 26, "trade", "51", 14),
    "泰富广场": ("mixed", "b", 28, "trade", "51", 16),
    "世纪东方商业广场": ("mixed", "b", 22, "trade", "52", 18),
    "五一广场东楼": ("mixed", "b", 24, "services", "72", 20),
    "五一广场西楼": ("mixed", "b", 24, "services", "74", 22),
    "东部银泰城": ("commercial", "a", 6, "trade", "52", 24),
    "宁波文化广场": ("commercial", "b", 5, "trade", "52", 40),
    "上东国际": ("mixed", "b", 25, "shipping", "58", 26),
    "八骏湾": ("mixed", "c", 18, "services", "72", 42),
    "恒大·城市之光": ("mixed", "b", 20, "digital", "65", 44),
}


_GRADES = Weighted([("super_a", 6), ("a", 46), ("b", 36), ("c", 12)])


_RENT = {"super_a": (5.0, 6.0), "a": (3.8, 5.0), "b": (2.8, 3.8), "c": (2.5, 3.0)}


_OCCUPANCY = {"super_a": (0.8, 0.92), "a": (0.74, 0.9), "b": (0.7, 0.86), "c": (0.65, 0.82)}


_SIGNATURES = (  # chain → signature prefixes of made-up towers
    ("digital", ("65", "64", "I")),
    ("finance", ("J", "67", "68")),
    ("shipping", ("58", "55", "G")),
    ("services", ("72", "L", "74", "M")),
    ("trade", ("51", "F")),
)


_PLACE_NAMES = ("北仑", "象山", "东钱", "鄞城", "福明", "会展", "天童")  # not for made-up towers


_TOWER_WORDS = ("大厦", "中心", "国际大厦", "商务广场", "金融中心", "国际中心", "科技大厦")


def _footprint_rect(lon: float, lat: float, w: float, d: float, angle: float) -> Polygon:
    c, s = math.cos(angle), math.sin(angle)
    pts = []
    for x, y in ((-w / 2, -d / 2), (w / 2, -d / 2), (w / 2, d / 2), (-w / 2, d / 2)):
        rx, ry = x * c - y * s, x * s + y * c
        pts.append((round(lon + rx * M_LON, 7), round(lat + ry * M_LAT, 7)))
    return Polygon(pts)


def _geojson(geom: BaseGeometry) -> dict:
    def lists(v):
        return [lists(x) for x in v] if isinstance(v, list | tuple) else v

    geo = mapping(geom)
    return {"type": geo["type"], "coordinates": lists(geo["coordinates"])}


def plan_buildings(world: World, rng: random.Random, n: int) -> list[BuildingPlan]:
    grids = {g.code: g for g in world.grids}
    used_codes = set(world.taken_buildings)
    seq: dict[str, int] = defaultdict(lambda: 900)

    def code_in(grid: str) -> str:
        while True:
            seq[grid] += 1
            code = f"{grid}{seq[grid]:03d}"
            if code not in used_codes:
                used_codes.add(code)
                return code

    real: list[tuple[int, Landmark]] = []
    seen: set[str] = set()
    for lm in sorted(world.landmarks, key=lambda x: (-x.geometry.area, x.ref)):
        if lm.name in REAL_BUILDINGS and lm.name not in seen:  # one per name: the largest
            seen.add(lm.name)
            real.append((REAL_BUILDINGS[lm.name][5], lm))
    real.sort(key=lambda x: (x[0], x[1].ref))
    # At a reduced scale the largest real towers come first; made-up ones fill up to n.
    real = real[: max(1, min(len(real), math.ceil(n * len(real) / BUILDINGS)))]
    taken_shapes = [lm.geometry for lm in world.landmarks]
    plans: list[BuildingPlan] = []
    for rank, lm in real:
        kind, grade, floors, chain, signature, _r = REAL_BUILDINGS[lm.name]
        c = lm.geometry.centroid
        plans.append(
            _building(
                rng,
                index=len(plans),
                code=code_in(lm.grid),
                name=lm.name,
                kind=kind,
                grade=grade,
                floors=floors,
                chain=chain,
                signature=signature,
                grid=lm.grid,
                lon=c.x,
                lat=c.y,
                geom=lm.geometry if lm.geometry.geom_type != "Point" else None,
                ref=lm.ref,
                rank=rank,
            )
        )
    # Made-up towers: in 荆城楼宇社区 mostly, then the communities of Eastern New Town.
    weights = []
    for g in world.grids:
        w = 1.0 if g.community in EAST_COMMUNITIES else 0.0
        if g.community == BUILDING_COMMUNITY:
            w = 6.0
        weights.append(w)
    candidates = [g for g, w in zip(world.grids, weights, strict=True) if w]
    cand_w = [w for w in weights if w]
    homes = shapely.points(world.homes) if world.homes else None
    home_tree = shapely.STRtree(homes) if homes is not None else None
    points: list[tuple[float, float]] = [(p.lon, p.lat) for p in plans]
    made = 0
    prestige = 7  # made-up towers take the ranks between the real ones
    used_names = {p.name for p in plans}
    while len(plans) < n:
        grid = rng.choices(candidates, weights=cand_w, k=1)[0]
        inner = grids[grid.code].polygon.buffer(-35 * M_LAT)
        if inner.is_empty:
            continue
        minx, miny, maxx, maxy = inner.bounds
        for _ in range(200):
            lon, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            if not inner.contains(Point(lon, lat)):
                continue
            if any(math.hypot((lon - x) / M_LON, (lat - y) / M_LAT) < 80 for x, y in points) or any(
                s.distance(Point(lon, lat)) < 40 * M_LAT for s in taken_shapes
            ):
                continue
            if home_tree is not None and len(home_tree.query(Point(lon, lat).buffer(45 * M_LAT))):
                continue
            break
        else:
            continue
        lon, lat = round(lon, 7), round(lat, 7)
        for _ in range(100):
            word = rng.choice([w for w in BRANDS if w not in _PLACE_NAMES])
            name = word + rng.choice(_TOWER_WORDS)
            if name not in used_names:
                break
        used_names.add(name)
        grade = _GRADES.pick(rng)
        chain, sigs = rng.choice(_SIGNATURES)
        floors = {"super_a": (30, 40), "a": (20, 36), "b": (15, 28), "c": (15, 22)}[grade]
        kind = "office" if rng.random() < 0.8 else "mixed"
        shape_ = _footprint_rect(
            lon, lat, rng.uniform(38, 62), rng.uniform(30, 48), rng.uniform(-0.3, 0.3)
        )
        rank = prestige if made < 3 else 50 + made
        prestige += 2 if made < 3 else 0
        plans.append(
            _building(
                rng,
                index=len(plans),
                code=code_in(grid.code),
                name=name,
                kind=kind,
                grade=grade,
                floors=rng.randint(*floors),
                chain=chain,
                signature=rng.choice(sigs),
                grid=grid.code,
                lon=lon,
                lat=lat,
                geom=shape_,
                ref="",
                rank=rank,
            )
        )
        points.append((lon, lat))
        taken_shapes.append(shape_)
        made += 1
    # Tax tiers by prestige (rank), ties by code; the rest below CNY 10 m.
    order = sorted(plans, key=lambda b: (b.rank, b.code))
    for i, b in enumerate(order):
        if i < len(TAX_TIERS):
            b.tax_target = TAX_TIERS[i]
        else:
            b.tax_target = round(rng.uniform(1.2e6, 9.2e6), -4)
    leaders = world.leaders
    for i, b in enumerate(order):  # 一楼一长: the street leader for the top three
        if leaders and i < 3:
            b.leader = leaders[0]
        elif len(leaders) > 1 and rng.random() < 0.9:
            b.leader = leaders[1]
        else:
            b.leader = None
    return plans


def _building(
    rng: random.Random,
    *,
    index,
    code,
    name,
    kind,
    grade,
    floors,
    chain,
    signature,
    grid,
    lon,
    lat,
    geom,
    ref,
    rank,
) -> BuildingPlan:
    brand = rng.choice(BRANDS)
    road = rng.choice(("民安东路", "宁穿路", "海晏北路", "河清北路", "会展路", "宁东路", "和济街"))
    b = BuildingPlan(
        index=index,
        code=code,
        name=name,
        kind=kind,
        grid=grid,
        address=f"{road}{rng.randrange(100, 1200, 2)}号",
        lon=round(lon, 7),
        lat=round(lat, 7),
        footprint=_geojson(geom) if geom is not None else {},
        floors_above=floors,
        floors_below=2 if floors >= 15 else 1,
        year_built=rng.randint(2010, 2021)
        if grade in ("super_a", "a")
        else rng.randint(2004, 2016),
        gross_area=0.0,
        property_manager=f"宁波{rng.choice(BRANDS)}物业服务有限公司",
        grade=grade,
        owner=f"宁波{brand}{rng.choice(('置业', '投资发展', '房地产开发'))}有限公司",
        manager=f"宁波{brand}{rng.choice(('商业管理', '资产管理', '商务楼宇运营'))}有限公司",
        leader=None,
        chain=chain,
        signature_industry=signature,
        signature_share=rng.choice((0.3, 0.35, 0.4, 0.5)),
        osm_ref=ref,
        occupancy=rng.uniform(*_OCCUPANCY[grade]),
        rank=rank,
    )
    return b


def plan_floors(rng: random.Random, b: BuildingPlan, units: list[UnitPlan]) -> None:
    lo, hi = _RENT[b.grade]
    base = rng.uniform(lo, hi)
    plate = rng.uniform(1700, 2500) if b.grade == "super_a" else rng.uniform(1200, 2300)
    podium = {"office": 1, "mixed": rng.randint(3, 5), "commercial": b.floors_above}[b.kind]
    total = 0.0
    for number in range(-b.floors_below, b.floors_above + 1):
        if number == 0:
            continue
        label = f"B{-number}" if number < 0 else f"{number}F"
        if number < 0:
            b.floors.append(FloorPlan(number, label, "parking"))
            continue
        if number % 15 == 0 and b.floors_above > 20 and number > podium:
            b.floors.append(FloorPlan(number, label, "refuge"))
            continue
        if number == b.floors_above and b.floors_above >= 30:
            b.floors.append(FloorPlan(number, label, "plant"))
            continue
        retail = number <= podium and (b.kind != "office")
        floor = FloorPlan(number, label, "retail" if retail or number == 1 else "office")
        if b.kind == "office" and number == 1:
            n, area = rng.randint(2, 4), plate * 0.45  # lobby with a bank, a café …
        elif retail:
            area = plate * rng.uniform(1.6, 3.0)
            n = max(4, min(12, round(area / rng.uniform(250, 450))))
        else:
            area = plate
            n = max(4, min(12, round(plate / rng.uniform(220, 360))))
        parts = [rng.uniform(0.6, 1.4) for _ in range(n)]
        s = sum(parts)
        for k, p in enumerate(parts, start=1):
            a = round(area * p / s, 2)
            if floor.use == "retail":  # shops and banks on the street pay more
                rent = min(8.0, max(2.5, base * 1.3 * rng.uniform(0.95, 1.05)))
            else:  # higher floors a little more; 2.5–6.5 CNY/m²/day
                rent = min(6.5, max(2.5, base * (1 + 0.002 * number) * rng.uniform(0.96, 1.04)))
            unit = UnitPlan(
                index=len(units),
                building=b.index,
                floor=number,
                code=f"{number}{k:02d}",
                area=a,
                asking_rent=round(rent * 20) / 20,
                retail=floor.use == "retail",
            )
            units.append(unit)
            floor.units.append(unit.index)
            total += a
        b.floors.append(floor)
    b.gross_area = round(total / 0.78 + plate * 0.6 * b.floors_below, 2)
