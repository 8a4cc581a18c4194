"""The registry's part of the demo district of 福明街道: resident tags, residential compounds
and their buildings, houses, households and residents, city components (管理部件), street
shops, and the real OpenStreetMap landmarks.

ALL PEOPLE, HOUSEHOLDS, BUILDINGS, HOUSES, FACILITIES AND SHOPS ARE SYNTHETIC (see
``synth``); only the landmarks (``Place``) are real, © OpenStreetMap contributors (ODbL).

The load is deterministic: a fixed seed, one ``random.Random`` per part, and nothing taken
from the clock except "today" (for ages). :func:`plan_registry` computes everything without
the database, so two loads can be compared; :func:`load` writes it with ``bulk_create`` and
writes one change-log entry per created object (``log_bulk``). ``scale`` multiplies the
counts (tests load about 2 %).
"""

from __future__ import annotations

import datetime
import math
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import shapely
from django.conf import settings
from django.db import transaction
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from streetbrain.core.audit import log_bulk
from streetbrain.core.geo import GridLocator
from streetbrain.core.models import Department, OrgUnit
from streetbrain.demo.synth.district import BUILDING_COMMUNITY_NAME, load_osm_features

from . import synth
from .models import (
    Building,
    ComponentClass,
    Facility,
    House,
    Household,
    IndustryClass,
    Place,
    Resident,
    ResidentTag,
    Shop,
)

SEED = 20_160_930  # 福明街道 joined 鄞州区 in 2016
DISTRICT_AREA = "330212"
DEMO = "demo"
OSM_ATTRIBUTION = "© OpenStreetMap contributors (ODbL)"

#: Full-scale counts (``scale`` = 1).
BUILDINGS = 640
SHOPS = 1600

#: Metres to degrees around 29.87° N.
M_LAT = 1 / 110_900
M_LON = 1 / 96_300
WEST_OF = 121.607  # the older neighbourhoods lie west of this longitude

#: GB/T 47678.5 component classes and how many of each a 13 km² street has (full scale).
FACILITY_COUNTS: dict[str, int] = {
    # 01 市政公用设施
    "01001": 200,  # 供水井盖
    "01002": 350,  # 污水井盖
    "01003": 400,  # 雨水井盖
    "01004": 500,  # 雨水箅子
    "01005": 150,  # 电力井盖
    "01006": 60,  # 路灯井盖
    "01007": 200,  # 通信井盖
    "01011": 100,  # 燃气井盖
    "01012": 20,  # 公安井盖
    "01013": 250,  # 消防设施 (消火栓)
    "01017": 40,  # 电缆井盖
    "01018": 60,  # 化粪池井盖
    "01023": 20,  # 不明井盖
    "01027": 60,  # 通信交接箱
    "01028": 40,  # 电力设施
    "01030": 30,  # 电力立杆
    "01031": 30,  # 通信立杆
    "01037": 700,  # 路灯
    "01038": 40,  # 地灯
    "01039": 100,  # 景观灯
    "01040": 5,  # 报刊亭
    "01042": 5,  # 邮筒
    "01045": 10,  # 自动售货机
    "01046": 50,  # 户外健身设施
    "01048": 60,  # 变压器（箱）
    "01049": 15,  # 燃气调压站（箱）
    "01050": 200,  # 监控电子眼设施
    "01051": 3,  # 治安岗亭
    "01054": 60,  # 充电桩
    "01059": 40,  # 旧衣物回收箱
    "01060": 30,  # 路灯配电箱
    "01062": 20,  # 通信基站
    "01065": 30,  # 管理责任公示牌
    "01066": 10,  # 紧急报警点SOS
    "01075": 40,  # 快递柜
    "01077": 40,  # 综合杆
    # 02 交通设施
    "02001": 30,  # 停车场
    "02003": 30,  # 停车计费设备
    "02004": 50,  # 公交站设施 (公交站亭)
    "02005": 5,  # 出租车停靠站
    "02006": 2,  # 过街天桥
    "02007": 1,  # 地下通道
    "02009": 6,  # 跨河桥
    "02010": 200,  # 交通标志牌及标线
    "02012": 80,  # 路名牌
    "02013": 20,  # 地名牌
    "02014": 60,  # 交通信号灯
    "02016": 3,  # 交通岗亭
    "02017": 80,  # 交通护栏
    "02020": 40,  # 人行横道桩
    "02021": 200,  # 便道桩
    "02025": 60,  # 非机动车停放点
    "02026": 25,  # 自行车租赁点
    "02034": 30,  # 无障碍设施
    "02035": 10,  # 应急避难指示牌
    "02043": 40,  # 减速带
    # 03 市容环卫设施
    "03001": 20,  # 公共厕所
    "03002": 20,  # 公厕指示牌
    "03004": 40,  # 垃圾间（楼）
    "03005": 450,  # 垃圾箱
    "03006": 60,  # 户外广告
    "03007": 100,  # 牌匾标识
    "03008": 40,  # 宣传栏
    "03010": 3,  # 环保监测站
    "03013": 4,  # 噪声显示屏
    "03014": 15,  # 环卫工具间（箱）
    "03016": 40,  # 烟头收集器或灭烟处
    # 04 园林绿化设施
    "04001": 2,  # 古树名木
    "04002": 800,  # 行道树
    "04003": 80,  # 独立树
    "04004": 40,  # 护树设施
    "04005": 60,  # 花架花钵
    "04006": 10,  # 雕塑
    "04007": 100,  # 街头座椅
    "04008": 30,  # 绿地护栏
    "04010": 3,  # 喷泉
    "04011": 120,  # 树池树穴
    "04013": 40,  # 绿地
    # 05 其他管理部件
    "05002": 10,  # 公房地下室
    "05003": 2,  # 车辆加油（气、电）站
    "05009": 1,  # 文物古迹
}

#: Components that stand along the streets (placed along the edges of the grid cell).
_ALONG_STREETS = set(
    "01001 01002 01003 01004 01005 01006 01007 01011 01012 01013 01017 01018 01023 01030 "
    "01031 01037 01050 01060 01077 02003 02004 02010 02012 02014 02017 02020 02021 02043 "
    "03005 03016 04002 04004 04011".split()
)

#: Components with a name of their own ("{road}…").
_NAMED = {"02004": "{road}站", "03001": "{road}公厕", "02001": "{road}公共停车场"}


def facility_departments(code: str, community_dept: str) -> tuple[str | None, str | None]:
    """(owner, maintainer) department codes of a component class (core demo departments)."""
    groups: list[tuple[str, tuple[str | None, str | None]]] = [
        ("01001 01002 01003 01004 01018 01019 01024 01025 01026 01067 01072 01073", ("sw", "sw")),
        ("01005 01017 01028 01029 01030 01047 01048", ("gd", "gd")),
        ("01006 01037 01038 01039 01060 01065 01077", ("cg", "cg")),
        ("01007 01008 01009 01027 01031 01062", (None, "cg")),  # the carriers' own
        ("01011 01021 01049 01057", ("zj", "zj")),
        ("01012 01050 01051 01066", ("ga", "ga")),
        ("01013", ("xf", "sw")),  # hydrants: the fire service's, kept up by the water works
        ("01046 01058 01059 03008", (community_dept, community_dept)),
        ("01040 01041 01042 01043 01044 01045 01053 01054 01075", (None, "cg")),
        ("02001 02002 02003 02025 02026 02027", ("cg", "cg")),
        ("02014 02015 02016 02017 02018 02020 02022 02033", ("ga", "ga")),  # traffic police
        ("03009 03010 03011 03012 03013", ("hb", "hb")),
        ("03003", ("sw", "sw")),
        ("03006 03007", (None, "cg")),  # advertisers' and shops' own, supervised by 城管
        ("05002", ("zj", "wy")),
        ("05003", (None, "scjg")),
        ("05009", ("zj", "zj")),
    ]
    for codes, pair in groups:
        if code in codes.split():
            return pair
    if code.startswith("02"):
        return ("jt", "jt")
    return ("cg", "cg")


# --- plan (no database) ---------------------------------------------------------------------


@dataclass(frozen=True)
class GridInfo:
    code: str
    community: str
    community_code: str
    polygon: BaseGeometry
    area_m2: float

    @property
    def west(self) -> bool:
        return self.polygon.centroid.x < WEST_OF


@dataclass(slots=True)
class HousePlan:
    number: str
    floor: int
    area: Decimal
    use: str
    household_code: str = ""
    household: synth.HouseholdSpec | None = None


@dataclass(slots=True)
class BuildingPlan:
    code: str
    name: str
    address: str
    compound: str
    grid: str
    lon: float
    lat: float
    floors_above: int
    floors_below: int
    year: int
    gross_area: Decimal
    manager: str
    road: str
    houses: list[HousePlan] = field(default_factory=list)


@dataclass(slots=True)
class FacilityPlan:
    object_id: str
    class_code: str
    grid: str
    lon: float
    lat: float
    name: str
    address: str
    owner: str | None
    maintainer: str | None
    state: str
    installed_on: datetime.date


@dataclass(slots=True)
class ShopPlan:
    spec: synth.ShopSpec
    grid: str
    building: str | None
    address: str
    lon: float
    lat: float
    status: str
    inspection: str
    inspected_on: datetime.date | None


@dataclass
class RegistryPlan:
    buildings: list[BuildingPlan]
    facilities: list[FacilityPlan]
    shops: list[ShopPlan]

    def houses(self) -> Iterable[tuple[BuildingPlan, HousePlan]]:
        for b in self.buildings:
            for h in b.houses:
                yield b, h


def grids_from_district(district) -> list[GridInfo]:
    """Grid infos from ``demo_geometry.build_demo_district()`` (no database)."""
    from streetbrain.core.geo import area_m2

    names = {c.code: c.name for c in district.communities}
    return [
        GridInfo(g.code, names[g.community_code], g.community_code, g.polygon, area_m2(g.polygon))
        for g in district.grids
    ]


def grids_from_db() -> list[GridInfo]:
    grids = (
        OrgUnit.objects.filter(level=OrgUnit.Level.GRID, geometry__isnull=False)
        .select_related("parent")
        .order_by("code")
    )
    return [
        GridInfo(g.code, g.parent.name, g.parent.code, shape(g.geometry), g.area_m2 or 0.0)
        for g in grids
    ]


class _Sampler:
    """Deterministic points strictly inside a grid cell (kept off its edges)."""

    def __init__(self, grid: GridInfo):
        self.grid = grid
        self._inner: dict[float, BaseGeometry] = {}
        self._rings: dict[float, tuple[BaseGeometry, float]] = {}

    def inner(self, inset_m: float) -> BaseGeometry:
        if inset_m not in self._inner:
            geom = self.grid.polygon.buffer(-inset_m * M_LAT)
            if geom.is_empty:
                geom = self.grid.polygon.buffer(-1 * M_LAT)
            shapely.prepare(geom)
            self._inner[inset_m] = geom
        return self._inner[inset_m]

    def inside(self, lon: float, lat: float, inset_m: float = 2.0) -> bool:
        return bool(shapely.contains_xy(self.inner(inset_m), lon, lat))

    def random_point(self, rng: random.Random, inset_m: float = 5.0) -> tuple[float, float]:
        geom = self.inner(inset_m)
        minx, miny, maxx, maxy = geom.bounds
        while True:
            lon = round(rng.uniform(minx, maxx), 7)
            lat = round(rng.uniform(miny, maxy), 7)
            if shapely.contains_xy(geom, lon, lat):
                return lon, lat

    def near(
        self, rng: random.Random, lon: float, lat: float, radius_m: float, inset_m: float = 5.0
    ) -> tuple[float, float]:
        for _ in range(40):
            a, r = rng.uniform(0, 2 * math.pi), radius_m * math.sqrt(rng.random())
            x = round(lon + r * math.cos(a) * M_LON, 7)
            y = round(lat + r * math.sin(a) * M_LAT, 7)
            if shapely.contains_xy(self.inner(inset_m), x, y):
                return x, y
        return self.random_point(rng, inset_m)

    def along_edge(self, rng: random.Random, inset_m: float) -> tuple[float, float]:
        """A point along the cell's edge (its streets), ``inset_m`` inside it."""
        if inset_m not in self._rings:
            geom = self.inner(inset_m)
            if geom.geom_type != "Polygon":
                geom = max(shapely.get_parts(geom), key=lambda p: p.area)
            ring = geom.exterior
            self._rings[inset_m] = (ring, ring.length)
        ring, length = self._rings[inset_m]
        for _ in range(20):
            p = ring.interpolate(rng.uniform(0, length))
            x, y = round(p.x, 7), round(p.y, 7)
            if self.inside(x, y, 1.0):
                return x, y
        return self.random_point(rng, inset_m)


def _allocate(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` proportionally to ``weights`` (largest remainder, ties by index)."""
    s = sum(weights)
    if total <= 0 or s <= 0:
        return [0] * len(weights)
    raw = [total * w / s for w in weights]
    out = [math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - out[i]), i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def _compounds(rng: random.Random, grids: list[GridInfo], total: int) -> list[list[int]]:
    """Compound sizes per grid cell: ``total`` buildings spread over the cells by area, in
    compounds of about 6–20 buildings. At full scale every cell gets its share (split into
    compounds); when there are too few buildings for that (a scaled-down load), whole
    compounds are dealt to the cells furthest below their share."""
    areas = [g.area_m2 for g in grids]
    if total >= 6 * len(grids):
        out = []
        for n in _allocate(total, areas):
            if n <= 20:
                out.append([n] if n else [])
                continue
            parts = max(2, math.ceil(n / rng.uniform(12, 18)))
            out.append(_allocate(n, [rng.uniform(0.8, 1.2) for _ in range(parts)]))
        return out
    sizes: list[int] = []
    while sum(sizes) < total:
        size = rng.randint(6, 12) if rng.random() < 0.7 else rng.randint(13, 20)
        sizes.append(min(size, total - sum(sizes)))
    if len(sizes) > 1 and sizes[-1] < 4:
        last = sizes.pop()
        sizes[-1] += last
    targets = [total * a / sum(areas) for a in areas]
    assigned = [0] * len(grids)
    out = [[] for _ in grids]
    for size in sorted(sizes, reverse=True):
        i = max(range(len(grids)), key=lambda k: (targets[k] - assigned[k], -k))
        assigned[i] += size
        out[i].append(size)
    return out


_USE_OLD = synth.Weighted([("owner", 64), ("rented", 27), ("vacant", 5), ("commercial", 4)])
_USE_NEW = synth.Weighted([("owner", 75), ("rented", 14), ("vacant", 9), ("commercial", 2)])


def _building_shape(rng: random.Random, old: bool) -> tuple[int, int, int, int]:
    """(floors above, floors below, units, flats per floor per unit)."""
    if old:
        floors = 6 if rng.random() < 0.8 else 7
        units = rng.choices((2, 3, 4), (45, 40, 15))[0]
        return floors, 0, units, 2
    r = rng.random()
    floors = 11 if r < 0.3 else 18 if r < 0.65 else rng.randint(24, 33)
    units = 1 if rng.random() < 0.9 else 2
    per_floor = 2 if rng.random() < 0.9 else 3
    return floors, rng.choice((1, 1, 2)), units, per_floor


def _plan_buildings(
    grids: list[GridInfo],
    samplers: dict[str, _Sampler],
    pop: synth.Population,
    scale: float,
    seed: int,
) -> list[BuildingPlan]:
    rng = random.Random(f"{seed}:buildings")
    people = random.Random(f"{seed}:people")
    places = synth.Places()
    residential = [g for g in grids if g.community != BUILDING_COMMUNITY_NAME]
    compounds = _compounds(rng, residential, max(1, round(BUILDINGS * scale)))
    plans: list[BuildingPlan] = []
    household_seq: dict[str, int] = {}
    for grid, sizes in zip(residential, compounds, strict=True):
        sampler, seq = samplers[grid.code], 0
        for size in sizes:
            old = rng.random() < (0.7 if grid.west else 0.2)
            compound = places.compound_name(rng, old)
            road = places.road(rng, grid.west)
            lane = rng.randrange(20, 1200, 2)
            manager = places.property_manager(rng, grid.community, old)
            year0 = rng.randint(1990, 2006) if old else rng.randint(2006, 2021)
            clon, clat = sampler.random_point(rng, 60.0)
            cols = math.ceil(math.sqrt(size * 1.5))
            rows = math.ceil(size / cols)
            for k in range(1, size + 1):
                seq += 1
                dx = ((k - 1) % cols - (cols - 1) / 2) * 40 + rng.uniform(-4, 4)
                dy = ((k - 1) // cols - (rows - 1) / 2) * 45 + rng.uniform(-4, 4)
                lon, lat = round(clon + dx * M_LON, 7), round(clat + dy * M_LAT, 7)
                if not sampler.inside(lon, lat, 8.0):
                    lon, lat = sampler.near(rng, clon, clat, 200, 8.0)
                floors, below, units, per_floor = _building_shape(rng, old)
                year = min(2022, year0 + rng.choice((0, 0, 0, 1)))
                b = BuildingPlan(
                    code=f"{grid.code}{seq:03d}",
                    name=f"{compound}{k}幢",
                    address=f"{road}{lane}弄{k}号",
                    compound=compound,
                    grid=grid.code,
                    lon=lon,
                    lat=lat,
                    floors_above=floors,
                    floors_below=below,
                    year=year,
                    gross_area=Decimal(0),
                    manager=manager,
                    road=road,
                )
                _plan_houses(rng, people, pop, b, old, units, per_floor, household_seq)
                plans.append(b)
    return plans


def _plan_houses(
    rng: random.Random,
    people: random.Random,
    pop: synth.Population,
    b: BuildingPlan,
    old: bool,
    units: int,
    per_floor: int,
    household_seq: dict[str, int],
) -> None:
    lo, hi = (48, 92) if old else (78, 178)
    plans = [rng.uniform(lo, hi) for _ in range(per_floor)]  # one floor plan per stack
    uses = _USE_OLD if old else _USE_NEW
    total = 0.0
    for unit in range(1, units + 1):
        for floor in range(1, b.floors_above + 1):
            for room in range(1, per_floor + 1):
                area = min(180.0, max(45.0, plans[room - 1] + rng.uniform(-1.5, 1.5)))
                use = uses.pick(rng)
                house = HousePlan(
                    number=f"{unit}-{floor}{room:02d}",
                    floor=floor,
                    area=Decimal(f"{area:.2f}"),
                    use=use,
                )
                if use in ("owner", "rented"):
                    n = household_seq.get(b.grid, 0) + 1
                    household_seq[b.grid] = n
                    house.household_code = f"{b.grid}{n:05d}"
                    house.household = pop.household(people, rented=use == "rented")
                b.houses.append(house)
                total += area
    b.gross_area = Decimal(f"{total * rng.uniform(1.15, 1.3):.2f}")


def _facility_counts(scale: float) -> dict[str, int]:
    counts = {code: round(n * scale) for code, n in FACILITY_COUNTS.items()}
    # every major class is represented, however small the scale
    for major in sorted({code[:2] for code in FACILITY_COUNTS}):
        top = max((c for c in FACILITY_COUNTS if c[:2] == major), key=FACILITY_COUNTS.get)
        counts[top] = max(1, counts[top])
    return counts


_STATES = synth.Weighted([("good", 92), ("damaged", 5), ("missing", 1.5), ("decommissioned", 1.5)])


def _plan_facilities(
    grids: list[GridInfo], samplers: dict[str, _Sampler], scale: float, seed: int
) -> list[FacilityPlan]:
    rng = random.Random(f"{seed}:facilities")
    cum = list(_cumulative([g.area_m2 for g in grids]))
    plans: list[FacilityPlan] = []
    first = datetime.date(1995, 1, 1)
    span = (datetime.date(2024, 12, 31) - first).days
    for code, n in _facility_counts(scale).items():
        for serial in range(1, n + 1):
            grid = rng.choices(grids, cum_weights=cum, k=1)[0]
            sampler = samplers[grid.code]
            if code in _ALONG_STREETS:
                lon, lat = sampler.along_edge(rng, rng.choice((6.0, 8.0, 10.0, 12.0)))
            else:
                lon, lat = sampler.random_point(rng, 5.0)
            road = synth.Places.road(rng, grid.west)
            owner, maintainer = facility_departments(code, f"sq-{grid.community_code[-3:]}")
            plans.append(
                FacilityPlan(
                    object_id=f"{DISTRICT_AREA}{code}{serial:06d}",
                    class_code=code,
                    grid=grid.code,
                    lon=lon,
                    lat=lat,
                    name=_NAMED[code].format(road=road) if code in _NAMED else "",
                    address=f"{road}{rng.randrange(1, 1500)}号附近",
                    owner=owner,
                    maintainer=maintainer,
                    state=_STATES.pick(rng),
                    installed_on=first + datetime.timedelta(days=rng.randrange(span + 1)),
                )
            )
    return plans


_INSPECTION = synth.Weighted([("none", 30), ("passed", 52), ("rectifying", 12), ("failed", 6)])


def _plan_shops(
    grids: list[GridInfo],
    samplers: dict[str, _Sampler],
    buildings: list[BuildingPlan],
    pop: synth.Population,
    scale: float,
    seed: int,
) -> list[ShopPlan]:
    rng = random.Random(f"{seed}:shops")
    shops = synth.Shops(pop, DISTRICT_AREA)
    weights = [
        g.area_m2 * (0.6 if g.community == BUILDING_COMMUNITY_NAME else 1.3 if g.west else 1.0)
        for g in grids
    ]
    cum = list(_cumulative(weights))
    by_grid: dict[str, list[BuildingPlan]] = {}
    for b in buildings:
        by_grid.setdefault(b.grid, []).append(b)
    first = datetime.date(2024, 1, 1)
    span = (datetime.date(2025, 6, 30) - first).days
    plans: list[ShopPlan] = []
    for _ in range(max(1, round(SHOPS * scale))):
        grid = rng.choices(grids, cum_weights=cum, k=1)[0]
        sampler = samplers[grid.code]
        spec = shops.shop(rng)
        candidates = by_grid.get(grid.code, [])
        building = None
        if candidates and rng.random() < 0.35:  # a ground-floor shop of a residential building
            building = rng.choice(candidates)
            lon, lat = sampler.near(rng, building.lon, building.lat, 25, 5.0)
            address = f"{building.address}（{building.name}底商）"
        else:  # street-front
            lon, lat = sampler.along_edge(rng, rng.choice((12.0, 15.0, 18.0)))
            address = f"{synth.Places.road(rng, grid.west)}{rng.randrange(1, 1500)}号"
        status = "open" if rng.random() < 0.94 else "closed"
        inspection = _INSPECTION.pick(rng)
        inspected = (
            None
            if inspection == "none"
            else first + datetime.timedelta(days=rng.randrange(span + 1))
        )
        plans.append(
            ShopPlan(
                spec=spec,
                grid=grid.code,
                building=building.code if building else None,
                address=address,
                lon=lon,
                lat=lat,
                status=status,
                inspection=inspection,
                inspected_on=inspected,
            )
        )
    return plans


def _cumulative(weights: Iterable[float]) -> Iterable[float]:
    total = 0.0
    for w in weights:
        total += w
        yield total


def plan_registry(
    grids: list[GridInfo], *, scale: float = 1.0, today: datetime.date, seed: int = SEED
) -> RegistryPlan:
    """Everything the registry demo creates, computed without the database."""
    grids = sorted(grids, key=lambda g: g.code)
    samplers = {g.code: _Sampler(g) for g in grids}
    pop = synth.Population(today)
    buildings = _plan_buildings(grids, samplers, pop, scale, seed)
    facilities = _plan_facilities(grids, samplers, scale, seed)
    shops = _plan_shops(grids, samplers, buildings, pop, scale, seed)
    return RegistryPlan(buildings=buildings, facilities=facilities, shops=shops)


# --- load (database) ------------------------------------------------------------------------


class _Timer:
    def __init__(self, ctx):
        self.ctx = ctx
        self.log_seconds = 0.0
        self.log_entries = 0

    def log(self, objs: Sequence, chunk: int = 5000) -> None:
        """Change-log entries for created objects, in chunks (bounded memory)."""
        start = time.perf_counter()
        for i in range(0, len(objs), chunk):
            self.log_entries += log_bulk(objs[i : i + chunk], "create")
        self.log_seconds += time.perf_counter() - start


def _create(model, objs: list, batch_size: int = 1000) -> list:
    model.objects.bulk_create(objs, batch_size=batch_size)
    return objs


def default_scale() -> float:
    return float(getattr(settings, "STREETBRAIN", {}).get("DEMO_SCALE", 1.0))


def is_loaded() -> bool:
    return Building.objects.filter(data_source=DEMO).exists()


def load(ctx, scale: float | None = None) -> None:
    """Load the registry's demo data (``ctx``: ``core.demo.DemoContext``)."""
    if is_loaded():
        ctx.say("registry: demo data already loaded")
        return
    if not OrgUnit.objects.filter(level=OrgUnit.Level.GRID, geometry__isnull=False).exists():
        ctx.say("registry: no grid cells with outlines (load the core demo first): skipped")
        return
    scale = default_scale() if scale is None else scale
    with transaction.atomic():
        if not ComponentClass.objects.exists():  # a database migrated without its signals
            from .codes import load_code_tables

            load_code_tables()
        _load(ctx, scale)


def _step(ctx, timer: _Timer, label: str, fn: Callable[[], str]) -> None:
    start, logged, entries = time.perf_counter(), timer.log_seconds, timer.log_entries
    summary = fn()
    total = time.perf_counter() - start
    log_s, log_n = timer.log_seconds - logged, timer.log_entries - entries
    ctx.say(
        f"{label}: {summary} ({total:.1f} s, of which change log {log_s:.1f} s for {log_n} entries)"
    )


def _load(ctx, scale: float) -> None:
    timer = _Timer(ctx)
    today = datetime.date.today()
    start = time.perf_counter()
    grid_units = {
        g.code: g for g in OrgUnit.objects.filter(level=OrgUnit.Level.GRID).order_by("code")
    }
    grids = grids_from_db()
    plan = plan_registry(grids, scale=scale, today=today)
    ctx.say(
        f"registry plan (synthetic people, houses and shops; scale {scale:g}): "
        f"{time.perf_counter() - start:.1f} s"
    )
    tags = {}
    _step(ctx, timer, "resident tags", lambda: _load_tags(timer, tags))
    buildings: dict[str, Building] = {}
    _step(ctx, timer, "buildings", lambda: _load_buildings(timer, plan, grid_units, buildings))
    houses: list[tuple[House, HousePlan]] = []
    _step(ctx, timer, "houses", lambda: _load_houses(timer, plan, buildings, houses))
    _step(ctx, timer, "households and residents", lambda: _load_people(timer, houses, tags))
    _step(ctx, timer, "facilities", lambda: _load_facilities(timer, plan, grid_units))
    _step(ctx, timer, "shops", lambda: _load_shops(timer, plan, grid_units, buildings))
    _step(ctx, timer, "named places", lambda: _load_places(timer, grids, grid_units))
    ctx.say(
        f"registry change log: {timer.log_entries} entries ({timer.log_seconds:.1f} s); "
        f"registry total {time.perf_counter() - start:.1f} s"
    )


def _load_tags(timer: _Timer, tags: dict[str, ResidentTag]) -> str:
    existing = {t.code: t for t in ResidentTag.objects.all()}
    new = [
        ResidentTag(code=code, name=name, sensitive=sensitive)
        for code, name, sensitive in synth.TAGS
        if code not in existing
    ]
    _create(ResidentTag, new)
    timer.log(new)
    tags.update(existing)
    tags.update({t.code: t for t in new})
    return f"{len(new)} created"


def _load_buildings(
    timer: _Timer, plan: RegistryPlan, grid_units: dict[str, OrgUnit], out: dict[str, Building]
) -> str:
    objs = [
        Building(
            code=b.code,
            name=b.name,
            address=b.address,
            kind=Building.Kind.RESIDENTIAL,
            compound=b.compound,
            lon=b.lon,
            lat=b.lat,
            floors_above=b.floors_above,
            floors_below=b.floors_below,
            gross_area_m2=b.gross_area,
            year_built=b.year,
            property_manager=b.manager,
            org_unit=grid_units[b.grid],
            data_source=DEMO,
        )
        for b in plan.buildings
    ]
    _create(Building, objs)
    timer.log(objs)
    out.update({o.code: o for o in objs})
    compounds = len({b.compound for b in plan.buildings})
    return f"{len(objs)} residential buildings in {compounds} compounds"


def _load_houses(
    timer: _Timer,
    plan: RegistryPlan,
    buildings: dict[str, Building],
    out: list[tuple[House, HousePlan]],
) -> str:
    for b, h in plan.houses():
        building = buildings[b.code]
        house = House(
            building=building,
            number=h.number,
            floor=h.floor,
            area_m2=h.area,
            use=h.use,
            org_unit=building.org_unit,
            data_source=DEMO,
        )
        out.append((house, h))
    objs = [house for house, _ in out]
    _create(House, objs)
    timer.log(objs)
    uses: dict[str, int] = {}
    for o in objs:
        uses[o.use] = uses.get(o.use, 0) + 1
    mix = ", ".join(f"{k} {100 * v / max(1, len(objs)):.0f}%" for k, v in sorted(uses.items()))
    return f"{len(objs)} houses ({mix})"


def _load_people(
    timer: _Timer, houses: list[tuple[House, HousePlan]], tags: dict[str, ResidentTag]
) -> str:
    households: list[Household] = []
    residents: list[Resident] = []
    resident_tags: list[list[str]] = []
    for house, h in houses:
        if h.household is None:
            continue
        hh = Household(
            code=h.household_code,
            house=house,
            kind=h.household.kind,
            org_unit=house.org_unit,
            data_source=DEMO,
        )
        households.append(hh)
        for p in h.household.members:
            r = Resident(
                name=p.name,
                residence=p.residence,
                household=hh,
                relation=p.relation,
                house=house,
                org_unit=house.org_unit,
                data_source=DEMO,
            )
            # The model's own method: validates, encrypts (Fernet), digests, masks, and
            # derives sex and birth date from the number (a few µs each).
            r.set_id_number(p.id_number)
            r.phone = p.phone
            residents.append(r)
            resident_tags.append(p.tags)
    _create(Household, households)
    timer.log(households)
    _create(Resident, residents, batch_size=2000)
    through = Resident.tags.through
    links = [
        through(resident_id=r.pk, residenttag_id=tags[code].pk)
        for r, codes in zip(residents, resident_tags, strict=True)
        for code in codes
    ]
    _create(through, links, batch_size=5000)
    _cache_tags(residents, resident_tags, tags)
    timer.log(residents)
    return f"{len(households)} households, {len(residents)} residents, {len(links)} tag marks"


def _cache_tags(
    residents: list[Resident], resident_tags: list[list[str]], tags: dict[str, ResidentTag]
) -> None:
    """Give each resident its tags as a prefetched result, as ``prefetch_related`` would, so
    that the change-log snapshots do not query the tags of every resident one by one."""
    empty = ResidentTag.objects.none()
    empty._result_cache, empty._prefetch_done = [], True
    for r, codes in zip(residents, resident_tags, strict=True):
        if codes:
            qs = ResidentTag.objects.none()
            qs._result_cache = sorted((tags[c] for c in codes), key=lambda t: t.code)
            qs._prefetch_done = True
        else:
            qs = empty
        r._prefetched_objects_cache = {"tags": qs}


def _load_facilities(timer: _Timer, plan: RegistryPlan, grid_units: dict[str, OrgUnit]) -> str:
    classes = {c.code: c for c in ComponentClass.objects.filter(kind=ComponentClass.Kind.COMPONENT)}
    departments = {d.code: d for d in Department.objects.all()}
    objs = [
        Facility(
            object_id=f.object_id,
            component_class=classes[f.class_code],
            name=f.name,
            lon=f.lon,
            lat=f.lat,
            address=f.address,
            owner=departments.get(f.owner) if f.owner else None,
            maintainer=departments.get(f.maintainer) if f.maintainer else None,
            state=f.state,
            installed_on=f.installed_on,
            org_unit=grid_units[f.grid],
            data_source=DEMO,
        )
        for f in plan.facilities
    ]
    _create(Facility, objs)
    timer.log(objs)
    majors = len({f.class_code[:2] for f in plan.facilities})
    kinds = len({f.class_code for f in plan.facilities})
    return f"{len(objs)} facilities of {kinds} classes in {majors} major classes"


def _load_shops(
    timer: _Timer,
    plan: RegistryPlan,
    grid_units: dict[str, OrgUnit],
    buildings: dict[str, Building],
) -> str:
    industries = {c.code: c for c in IndustryClass.objects.all()}
    objs = []
    for s in plan.shops:
        shop = Shop(
            name=s.spec.name,
            credit_code=s.spec.credit_code,
            licence_no=s.spec.licence_no,
            industry=industries[s.spec.industry],
            building=buildings[s.building] if s.building else None,
            address=s.address,
            operator=s.spec.operator,
            lon=s.lon,
            lat=s.lat,
            status=s.status,
            inspection=s.inspection,
            inspected_on=s.inspected_on,
            org_unit=grid_units[s.grid],
            data_source=DEMO,
        )
        shop.phone = s.spec.phone
        objs.append(shop)
    _create(Shop, objs)
    timer.log(objs)
    linked = sum(1 for s in plan.shops if s.building)
    return f"{len(objs)} shops ({linked} in residential buildings)"


def _lists(value):
    return [_lists(v) for v in value] if isinstance(value, list | tuple) else value


def _load_places(timer: _Timer, grids: list[GridInfo], grid_units: dict[str, OrgUnit]) -> str:
    locator = GridLocator([(g.code, g.polygon) for g in grids])
    kinds = {k.value for k in Place.Kind}
    existing = set(Place.objects.values_list("osm_ref", flat=True))
    objs = []
    for i, (props, geom) in enumerate(load_osm_features()):
        name = (props.get("name") or "").strip()
        ref = f"eastern_new_town_osm#{i}"  # the extract carries no OSM ids: file + feature
        if not name or ref in existing:
            continue
        centroid = geom.centroid
        code = locator.locate(centroid.x, centroid.y)
        geo = mapping(geom)
        objs.append(
            Place(
                name=name[:100],
                kind=props.get("kind") if props.get("kind") in kinds else Place.Kind.OTHER,
                osm_ref=ref,
                geometry={"type": geo["type"], "coordinates": _lists(geo["coordinates"])},
                lon=round(centroid.x, 7),
                lat=round(centroid.y, 7),
                org_unit=grid_units.get(code) if code else None,
                attribution=OSM_ATTRIBUTION,
            )
        )
    _create(Place, objs)
    timer.log(objs)
    inside = sum(1 for o in objs if o.org_unit_id)
    return f"{len(objs)} OpenStreetMap landmarks ({inside} inside 福明街道)"
