"""The registry's part of the demo district of 福明街道, planned without the database:
residential compounds and their buildings, houses, households and residents, city components
(管理部件) and street shops, spread over the grid cells.

ALL PEOPLE, HOUSEHOLDS, BUILDINGS, HOUSES, FACILITIES AND SHOPS ARE SYNTHETIC (see
``people``).

The plan is deterministic: a fixed seed, one ``random.Random`` per part, and nothing taken
from the clock except "today" (for ages). :func:`plan_registry` computes everything, so two
loads can be compared; the registry's loader (``streetbrain/demo/registry.py``) writes it.
``scale`` multiplies the counts (tests load about 2 %).
"""

from __future__ import annotations

import datetime
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import shapely
from shapely.geometry.base import BaseGeometry

from streetbrain.core.geo import area_m2

from . import people
from .district import BUILDING_COMMUNITY_NAME

SEED = 20_160_930  # 福明街道 joined 鄞州区 in 2016
DISTRICT_AREA = "330212"

#: Full-scale counts (``scale`` = 1).
BUILDINGS = 640
SHOPS = 1600

#: Communities whose residential stock is fixed by their brief, at full scale: name →
#: (compounds, buildings). 江城社区, the community platform's pilot (issue 18), has 8 小区 and
#: 43 residential buildings. Their buildings are part of ``BUILDINGS``; the other communities
#: share the rest by area. A scaled-down plan scales both counts (at least 1 building in 1
#: compound, so the community always has homes).
FIXED_COMMUNITIES: dict[str, tuple[int, int]] = {"江城社区": (8, 43)}

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
    household: people.HouseholdSpec | None = None


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
    spec: people.ShopSpec
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
    """Grid infos from ``district.build_demo_district()`` (no database)."""
    names = {c.code: c.name for c in district.communities}
    return [
        GridInfo(g.code, names[g.community_code], g.community_code, g.polygon, area_m2(g.polygon))
        for g in district.grids
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


def fixed_counts(community: str, scale: float) -> tuple[int, int] | None:
    """(compounds, buildings) of a community of ``FIXED_COMMUNITIES`` at ``scale``, else None."""
    if community not in FIXED_COMMUNITIES:
        return None
    compounds, buildings = FIXED_COMMUNITIES[community]
    n = max(1, round(buildings * scale))
    return min(n, max(1, round(compounds * scale))), n


def _fixed_compounds(
    rng: random.Random, grids: list[GridInfo], compounds: int, total: int
) -> list[list[int]]:
    """Exactly ``compounds`` compounds of ``total`` buildings in all (sizes varying ±40 %
    around the mean, at least 1 each), dealt to ``grids`` like ``_compounds``' scaled-down
    branch: the largest first, each to the cell furthest below its share by area."""
    sizes = _allocate(total - compounds, [rng.uniform(0.6, 1.4) for _ in range(compounds)])
    sizes = [n + 1 for n in sizes]
    areas = [g.area_m2 for g in grids]
    targets = [total * a / sum(areas) for a in areas]
    assigned = [0] * len(grids)
    out: list[list[int]] = [[] for _ in grids]
    for size in sorted(sizes, reverse=True):
        i = max(range(len(grids)), key=lambda k: (targets[k] - assigned[k], -k))
        assigned[i] += size
        out[i].append(size)
    return out


def _compound_sizes(
    rng: random.Random, residential: list[GridInfo], scale: float
) -> dict[str, list[int]]:
    """Compound sizes per grid cell code: the communities of ``FIXED_COMMUNITIES`` get their
    fixed counts, the others share the rest of ``BUILDINGS`` (scaled) by area."""
    total = max(1, round(BUILDINGS * scale))
    fixed: dict[str, list[GridInfo]] = {}
    free: list[GridInfo] = []
    for g in residential:
        if fixed_counts(g.community, scale) is None:
            free.append(g)
        else:
            fixed.setdefault(g.community, []).append(g)
    plans: list[tuple[list[GridInfo], list[list[int]]]] = []
    for community, grids in sorted(fixed.items()):
        compounds, buildings = fixed_counts(community, scale)
        plans.append((grids, _fixed_compounds(rng, grids, compounds, buildings)))
        total -= buildings
    if free:
        plans.insert(0, (free, _compounds(rng, free, max(0, total))))
    return {g.code: sizes for grids, per in plans for g, sizes in zip(grids, per, strict=True)}


_USE_OLD = people.Weighted([("owner", 64), ("rented", 27), ("vacant", 5), ("commercial", 4)])
_USE_NEW = people.Weighted([("owner", 75), ("rented", 14), ("vacant", 9), ("commercial", 2)])


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
    pop: people.Population,
    scale: float,
    seed: int,
) -> list[BuildingPlan]:
    rng = random.Random(f"{seed}:buildings")
    people_rng = random.Random(f"{seed}:people")
    places = people.Places()
    residential = [g for g in grids if g.community != BUILDING_COMMUNITY_NAME]
    compounds = _compound_sizes(rng, residential, scale)
    plans: list[BuildingPlan] = []
    household_seq: dict[str, int] = {}
    for grid in residential:
        sampler, seq, centres = samplers[grid.code], 0, []
        for size in compounds[grid.code]:
            old = rng.random() < (0.7 if grid.west else 0.2)
            compound = places.compound_name(rng, old)
            road = places.road(rng, grid.west)
            lane = rng.randrange(20, 1200, 2)
            manager = places.property_manager(rng, grid.community, old)
            year0 = rng.randint(1990, 2006) if old else rng.randint(2006, 2021)
            clon, clat = _compound_centre(rng, sampler, centres)
            centres.append((clon, clat))
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
                _plan_houses(rng, people_rng, pop, b, old, units, per_floor, household_seq)
                plans.append(b)
    return plans


def _compound_centre(
    rng: random.Random, sampler: _Sampler, centres: list[tuple[float, float]]
) -> tuple[float, float]:
    """A compound's centre, 60 m inside its cell: a random point, or, when the cell already
    has compounds, the farthest from their centres of 8 random points (so that compounds
    sharing a cell do not pile onto one another)."""
    if not centres:
        return sampler.random_point(rng, 60.0)

    def room(p: tuple[float, float]) -> float:
        return min(math.hypot((p[0] - x) / M_LON, (p[1] - y) / M_LAT) for x, y in centres)

    return max((sampler.random_point(rng, 60.0) for _ in range(8)), key=room)


def _plan_houses(
    rng: random.Random,
    people_rng: random.Random,
    pop: people.Population,
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
                    house.household = pop.household(people_rng, rented=use == "rented")
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


_STATES = people.Weighted([("good", 92), ("damaged", 5), ("missing", 1.5), ("decommissioned", 1.5)])


def _plan_facilities(
    grids: list[GridInfo],
    samplers: dict[str, _Sampler],
    scale: float,
    seed: int,
    serial_base: int = 0,
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
            road = people.Places.road(rng, grid.west)
            owner, maintainer = facility_departments(code, f"sq-{grid.community_code[-3:]}")
            plans.append(
                FacilityPlan(
                    object_id=f"{DISTRICT_AREA}{code}{serial_base + serial:06d}",
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


_INSPECTION = people.Weighted([("none", 30), ("passed", 52), ("rectifying", 12), ("failed", 6)])


def _plan_shops(
    grids: list[GridInfo],
    samplers: dict[str, _Sampler],
    buildings: list[BuildingPlan],
    pop: people.Population,
    scale: float,
    seed: int,
) -> list[ShopPlan]:
    rng = random.Random(f"{seed}:shops")
    shops = people.Shops(pop, DISTRICT_AREA)
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
            address = f"{people.Places.road(rng, grid.west)}{rng.randrange(1, 1500)}号"
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
    grids: list[GridInfo],
    *,
    scale: float = 1.0,
    today: datetime.date,
    seed: int = SEED,
    population: people.Population | None = None,
    facility_serial_base: int = 0,
) -> RegistryPlan:
    """Everything the registry demo creates, computed without the database. A district of
    several streets (``bench/district``) plans each street with its own ``seed``, one
    ``population`` for the streets it plans (ID and phone numbers unique across them) and a
    ``facility_serial_base`` per street (object ids unique across the district)."""
    grids = sorted(grids, key=lambda g: g.code)
    samplers = {g.code: _Sampler(g) for g in grids}
    pop = population if population is not None else people.Population(today)
    buildings = _plan_buildings(grids, samplers, pop, scale, seed)
    facilities = _plan_facilities(grids, samplers, scale, seed, facility_serial_base)
    shops = _plan_shops(grids, samplers, buildings, pop, scale, seed)
    return RegistryPlan(buildings=buildings, facilities=facilities, shops=shops)
