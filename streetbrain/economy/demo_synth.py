"""The building economy's demo at 福明 scale, computed without the database: office towers (the
real OpenStreetMap commercial buildings of Eastern New Town where the extract has them, made-up
ones elsewhere), their floors and units, about 7,600 enterprises with valid credit codes, 36
months of leases (expiries, renewals, area given up, move-ins, relocations and move-outs), tax
and headcount, and the ground truth of the move-outs.

ALL ENTERPRISES, CREDIT CODES, LEASES, TAX AND HEADCOUNT ARE SYNTHETIC. The names and outlines
of the buildings with an ``osm_ref`` are real (© OpenStreetMap contributors, ODbL); everything
about their space and tenants is made up.

:func:`plan_economy` is deterministic: the same ``World`` (grids, landmarks, the registry's
residential points, the last complete month) and seed give the same plan. The history is
simulated month by month on the units, so that no unit is ever held by two leases at once:

- At the start, each building is let to a building-specific occupancy with suites of 1–4
  adjacent units, whole floors and a few multi-floor headquarters; leases of 1–5 years started
  before the history.
- Each month: planned area reductions (a renewal with fewer units before the contract's end, the
  way ``actions.renew_lease`` records it), planned early terminations, expiries (renew, renew
  with less space, end and leave the street, relocate to another tower of the street, or close
  down), then new lettings (去化) of vacant units to new enterprises, to tenants expanding in
  their building and to a few opening a second office in another tower.
- **Move-outs** (迁出, the ground truth of the warning benchmark, :attr:`EconomyPlan.truth`):
  about 5 % of the enterprises leave the street, at a lease's end or early. Most show signals
  1–9 months before (tax falling by more than 35 %, headcount falling, area given up; a lease
  ending without renewal is a signal by itself); some leave without any. Some enterprises show
  the same signals and stay (:attr:`EconomyPlan.false_alarms`), and ordinary firms have their
  own ups and downs.
- Tax (only for enterprises registered for tax in the district: the bureau reports no other)
  follows size, industry, a trend, the filing calendar (quarterly prepayments in January,
  April, July and October, the annual settlement in May, a quiet Spring Festival month) and
  noise, then is scaled per building so that a few towers are 亿元楼宇 (≥ CNY 100 m a year),
  some just below (准亿元), a few dozen 千万元楼宇 (:data:`TAX_TIERS`).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import shapely
from shapely.geometry import Point, Polygon, mapping
from shapely.geometry.base import BaseGeometry

from streetbrain.core.months import add_months, last_day, month_start
from streetbrain.demo.synth.people import USCC_CHARS, Weighted, make_credit_code

SEED = 20_220_308  # the street's 2022 work plan: 80+ towers, 7,000+ enterprises
HISTORY_MONTHS = 36
BUILDINGS = 86  # full scale (``scale`` = 1)
DISTRICT = "330212"  # 鄞州区
BUILDING_COMMUNITY = "荆城楼宇社区"
EAST_COMMUNITIES = (
    "新城社区",
    "福城社区",
    "碧城社区",
    "宁城社区",
    "明城社区",
    "江城社区",
    "东城社区",
    "波波城社区",
)
M_LAT = 1 / 110_900  # metres to degrees around 29.87° N
M_LON = 1 / 96_300
ONE_DAY = dt.timedelta(days=1)

#: Annual tax (CNY, the last 12 months) the buildings are scaled to, by rank: six 亿元楼宇,
#: four 准亿元 (at least 80 % of CNY 100 m), thirty 千万元楼宇; the rest below CNY 10 m.
TAX_TIERS: tuple[float, ...] = (
    *(420e6, 236e6, 168e6, 139e6, 122e6, 113e6),
    *(93e6, 90e6, 87e6, 84e6),
    *(round(68e6 * (12 / 68) ** (i / 29), -5) for i in range(30)),
)

# --- reference tables -------------------------------------------------------------------------

#: Industrial chains (一楼一链): code, name, GB/T 4754-2017 prefixes, description.
CHAINS: tuple[tuple[str, str, str, str], ...] = (
    (
        "digital",
        "数字经济",
        "63,64,65",
        "软件和信息技术服务、互联网平台与数据服务、电信增值服务。",
    ),
    ("finance", "现代金融", "J", "银行、证券期货、基金与股权投资、保险及其中介、金融信息服务。"),
    (
        "shipping",
        "航运物流",
        "55,58,59,60",
        "远洋与沿海货运、国际货运代理、多式联运、仓储和快递：依托宁波舟山港。",
    ),
    (
        "services",
        "专业服务",
        "72,73,74,75",
        "企业总部与管理、法律会计咨询、人力资源、广告会展、设计检测和科技服务。",
    ),
    ("trade", "商贸", "51,52", "批发和进出口贸易、供应链、品牌零售。"),
)

#: GB/T 4754-2017 小类 typical of a CBD, by weight within their section, and the sections'
#: weights in the street's mix (mostly F, G, I, J, K, L, M).
INDUSTRIES: dict[str, tuple[float, tuple[tuple[str, float], ...]]] = {
    "F": (
        24,
        (
            ("5131", 5),
            ("5132", 4),
            ("5164", 4),
            ("5165", 2),
            ("5169", 5),
            ("5174", 3),
            ("5175", 3),
            ("5176", 3),
            ("5179", 6),
            ("5181", 10),
            ("5189", 3),
            ("5193", 4),
            ("5199", 6),
            ("5126", 1),
            ("5127", 2),
            ("5154", 3),
            ("5211", 1),
            ("5232", 1),
            ("5292", 4),
        ),
    ),
    "G": (
        14,
        (
            ("5521", 4),
            ("5522", 3),
            ("5532", 1),
            ("5539", 3),
            ("5810", 3),
            ("5821", 14),
            ("5829", 3),
            ("5920", 2),
            ("5431", 2),
            ("5433", 2),
            ("5437", 1),
            ("6020", 1),
        ),
    ),
    "I": (
        13,
        (
            ("6319", 1),
            ("6429", 2),
            ("6431", 2),
            ("6432", 2),
            ("6450", 2),
            ("6511", 1),
            ("6513", 8),
            ("6519", 2),
            ("6520", 1),
            ("6531", 5),
            ("6532", 2),
            ("6540", 2),
            ("6550", 1),
            ("6560", 4),
            ("6579", 1),
            ("6591", 1),
        ),
    ),
    "J": (
        8,
        (
            ("6621", 2),
            ("6631", 2),
            ("6635", 1),
            ("6639", 2),
            ("6712", 2),
            ("6720", 1),
            ("6731", 2),
            ("6739", 4),
            ("6760", 3),
            ("6749", 1),
            ("6820", 1),
            ("6851", 2),
            ("6852", 3),
            ("6853", 1),
            ("6940", 2),
            ("6999", 1),
        ),
    ),
    "K": (7, (("7010", 3), ("7020", 3), ("7030", 3), ("7040", 1), ("7090", 1))),
    "L": (
        17,
        (
            ("7211", 4),
            ("7212", 6),
            ("7219", 3),
            ("7221", 2),
            ("7241", 2),
            ("7243", 4),
            ("7251", 3),
            ("7259", 1),
            ("7262", 3),
            ("7263", 1),
            ("7281", 2),
            ("7284", 2),
            ("7291", 1),
            ("7299", 3),
            ("7114", 1),
        ),
    ),
    "M": (
        10,
        (
            ("7320", 1),
            ("7340", 1),
            ("7452", 2),
            ("7484", 4),
            ("7482", 2),
            ("7485", 1),
            ("7491", 2),
            ("7492", 2),
            ("7499", 1),
            ("7513", 2),
            ("7514", 1),
            ("7515", 2),
            ("7516", 1),
            ("7517", 1),
            ("7519", 4),
        ),
    ),
    "E": (3, (("4813", 1), ("4899", 1), ("5011", 2), ("5013", 1))),
    "R": (2, (("8610", 1), ("8730", 1), ("8770", 1), ("8890", 1))),
    "P": (1.5, (("8391", 1), ("8399", 1))),
    "N": (1, (("7721", 1), ("7850", 1))),
    "O": (0.5, (("8090", 1),)),
}
#: Podium tenants of mixed and commercial buildings.
RETAIL_INDUSTRIES = (
    ("5211", 2),
    ("5219", 1),
    ("5232", 5),
    ("5234", 2),
    ("5245", 1),
    ("6210", 4),
    ("6232", 3),
    ("6239", 2),
    ("6621", 2),
    ("8040", 1),
    ("8393", 1),
    ("8930", 1),
)

#: Tax intensity by GB/T 4754 division (CNY per m² a year before the per-building scaling).
_TAX_WEIGHT = {
    "66": 4.0,
    "67": 3.0,
    "68": 2.2,
    "69": 2.5,
    "55": 3.0,
    "58": 1.8,
    "72": 1.8,
    "70": 2.0,
    "51": 1.5,
    "52": 0.7,
    "62": 0.5,
}

#: Words of made-up company and building names.
_BRANDS = (
    "甬港 东港 明州 三江 宁东 海晏 会展 东湖 四明 望海 甬江 福明 鄞城 天童 港城 东钱 象山 北仑 "
    "博远 恒信 瑞丰 中晟 汇通 华策 锦程 凯越 正源 天衡 启明 星火 云帆 智汇 海纳 远景 卓越 鼎盛 "
    "嘉诚 东方 宏达 泓信 德润 盛泰 瑞和 海丰 港通 永达 汇金 创富 嘉汇 恒泰 金帆 蓝海 长风 远航 "
    "通达 联创 信诚 华瑞 中甬 泰和 安盛 合创 万达 明达 致远 巨舟 航信 腾跃 鸿鹄 青藤 凌云 新锐 "
    "思源 睿智 匠心 乐途 天润 宸宇 弘毅 立信 元亨 益丰 久安 和润 同舟 聚能 众合 普惠 信和 昌盛"
).split()
_NAME_TRADES: dict[str, tuple[str, ...]] = {
    "51": ("贸易", "进出口", "国际贸易", "供应链管理", "商贸", "实业"),
    "52": ("商业", "商贸", "电子商务", "品牌管理"),
    "55": ("海运", "航运", "船务", "远洋运输"),
    "53": ("物流",),
    "54": ("物流", "运输", "供应链管理"),
    "58": ("国际物流", "国际货运代理", "供应链管理", "物流", "船务代理"),
    "59": ("仓储", "物流"),
    "60": ("快递", "速递"),
    "63": ("通信技术", "信息技术"),
    "64": ("网络科技", "互联网科技", "数据科技", "信息科技"),
    "65": ("软件", "信息技术", "智能科技", "数字科技", "软件技术"),
    "66": ("融资租赁", "商业保理", "小额贷款"),
    "67": ("投资管理", "资产管理", "股权投资", "私募基金管理", "期货"),
    "68": ("保险代理", "保险经纪", "保险公估"),
    "69": ("金融信息服务", "金融科技"),
    "70": ("置业", "房地产开发", "物业服务", "房产经纪"),
    "71": ("设备租赁", "租赁"),
    "72": ("企业管理咨询", "人力资源", "商务信息咨询", "广告", "会展服务", "企业管理"),
    "73": ("科技研发", "生物科技"),
    "74": ("工程设计", "检测技术", "建筑设计", "工程咨询", "环境科技"),
    "75": ("科技", "科技服务", "技术服务"),
    "48": ("建设工程", "市政工程"),
    "50": ("装饰工程", "建筑装饰"),
    "62": ("餐饮管理", "餐饮"),
    "80": ("美容", "生活服务"),
    "83": ("教育科技", "培训"),
    "86": ("文化传媒",),
    "87": ("影视文化", "文化传播"),
    "88": ("文化艺术", "文化传播"),
    "89": ("体育发展", "健身"),
    "77": ("环保科技",),
    "78": ("园林绿化",),
}
#: Trades of particular classes (before the division's above).
_CLASS_TRADES: dict[str, tuple[str, ...]] = {
    "6631": ("融资租赁",),
    "6635": ("小额贷款",),
    "6639": ("商业保理", "供应链金融"),
    "6712": ("证券投资咨询",),
    "6720": ("基金管理",),
    "6731": ("创业投资",),
    "6739": ("股权投资", "私募基金管理"),
    "6749": ("期货",),
    "6760": ("投资管理", "资产管理"),
    "6851": ("保险经纪",),
    "6852": ("保险代理",),
    "6853": ("保险公估",),
    "7114": ("设备租赁",),
    "7211": ("控股", "企业管理"),
    "7212": ("投资管理", "资产管理", "投资"),
    "7221": ("园区管理", "产业园运营管理"),
    "7241": ("财务咨询", "税务师事务所", "会计服务"),
    "7243": ("企业管理咨询", "商务信息咨询", "经济咨询"),
    "7251": ("网络广告", "数字营销"),
    "7259": ("广告", "文化传播"),
    "7262": ("人力资源", "人才服务"),
    "7263": ("人力资源", "劳务服务"),
    "7281": ("会展服务",),
    "7284": ("会展服务", "文化发展"),
    "7291": ("国际旅行社",),
    "7320": ("工程技术研究院",),
    "7340": ("医药科技",),
    "7452": ("检测技术", "检验检测"),
    "7482": ("工程监理", "工程管理"),
    "7484": ("工程设计", "建筑设计"),
    "7485": ("规划设计",),
    "7491": ("工业设计",),
    "7492": ("设计",),
}
_ELSEWHERE = (  # (area code, city prefix) of enterprises registered for tax elsewhere
    ("310115", "上海"),
    ("310101", "上海"),
    ("330106", "杭州"),
    ("330108", "杭州"),
    ("440305", "深圳"),
    ("110105", "北京"),
    ("330203", "宁波"),  # 海曙区: Ningbo, but not this district
    ("330205", "宁波"),  # 江北区
    ("330206", "宁波"),  # 北仑区
)

_LEAD = Weighted([(1, 7), (2, 10), (3, 14), (4, 14), (5, 13), (6, 12), (7, 11), (8, 10), (9, 9)])
_TERM = Weighted([(1, 5), (2, 25), (3, 50), (5, 20)])
_SUITE = Weighted([(1, 66), (2, 21), (3, 8), (4, 5)])
_NEW_SUITE = Weighted([(1, 70), (2, 20), (3, 7), (4, 3)])


# --- the world and the plan ---------------------------------------------------------------


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


@dataclass(slots=True)
class UnitPlan:
    index: int
    building: int
    floor: int
    code: str
    area: float
    asking_rent: float
    retail: bool
    status: str = "vacant_available"
    holder: int = -1  # the lease holding it now in the simulation (-1: none)
    free_from: dt.date = dt.date.min


@dataclass(slots=True)
class FloorPlan:
    number: int
    label: str
    use: str
    units: list[int] = field(default_factory=list)


@dataclass(slots=True)
class BuildingPlan:
    index: int
    code: str
    name: str
    kind: str
    grid: str
    address: str
    lon: float
    lat: float
    footprint: dict
    floors_above: int
    floors_below: int
    year_built: int
    gross_area: float
    property_manager: str
    grade: str
    owner: str
    manager: str
    leader: str | None
    chain: str
    signature_industry: str
    signature_share: float
    osm_ref: str
    occupancy: float
    rank: int = 99  # prestige: the tax tiers go by it
    tax_target: float = 0.0
    floors: list[FloorPlan] = field(default_factory=list)


@dataclass(slots=True)
class EnterprisePlan:
    index: int
    credit_code: str
    name: str
    industry: str
    founded_on: dt.date
    capital: float
    local: bool
    registered_address: str = ""
    status: str = "active"
    status_changed_on: dt.date | None = None
    weight: float = 1.0  # tax intensity (relative)
    share: float = 0.4  # locally retained share of its tax
    growth: float = 0.0  # a year
    staff_per_m2: float = 0.08
    first_month: int = 0  # first month index in the street (may be < 0)
    new_firm: bool = False
    leave: LeavePlan | None = None
    dip: tuple[int, int, float] | None = None  # a false alarm's tax dip: onset, months, factor
    dip_staff: tuple[int, float] | None = None  # a false alarm's headcount fall: onset, rate
    relocating: bool = False
    tax: list[tuple[int, float, float]] = field(default_factory=list)  # month, total, local
    staff: list[tuple[int, int, int]] = field(default_factory=list)  # month, headcount, insured


@dataclass(slots=True)
class LeavePlan:
    kind: str  # "move_out" (leaves the street) or "deregister"
    month: int  # month index of the last day held
    day: dt.date  # the last day held
    mode: str  # "expiry" (at the contract's end) or "early"
    signals: tuple[str, ...]  # tax, headcount, area (expiry is implied by the mode)
    onset: int  # first month of the signals
    tax_factor: float = 1.0
    staff_rate: float = 0.0
    done: bool = False


@dataclass(slots=True)
class LeasePlan:
    index: int
    contract_number: str
    enterprise: int
    building: int
    units: list[int]
    area: float
    signed_on: dt.date
    start: dt.date
    end: dt.date
    rent_free: float
    rent: float
    state: str = "active"
    ended_on: dt.date | None = None
    renewed_from: int | None = None


@dataclass(slots=True)
class EventPlan:
    enterprise: int
    kind: str
    date: dt.date
    building: int | None = None
    lease: int | None = None
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class MoveOut:
    """One real move-out: the enterprise left the street (status 迁出) with its last day held,
    the signals it showed before (empty: none) and from which month."""

    credit_code: str
    month: dt.date  # the month of the last day held (first day)
    last_day: dt.date
    mode: str  # "expiry" or "early"
    signals: tuple[str, ...]
    onset: dt.date | None
    lead_months: int | None


@dataclass(frozen=True)
class FalseAlarm:
    credit_code: str
    signals: tuple[str, ...]
    onset: dt.date


@dataclass
class EconomyPlan:
    first_month: dt.date
    last_month: dt.date
    buildings: list[BuildingPlan]
    units: list[UnitPlan]
    enterprises: list[EnterprisePlan]
    leases: list[LeasePlan]
    events: list[EventPlan]
    truth: list[MoveOut]
    false_alarms: list[FalseAlarm]
    deregistered: list[str]

    def month(self, index: int) -> dt.date:
        return add_months(self.first_month, index)


# --- the plan -------------------------------------------------------------------------------


class _Names:
    def __init__(self):
        self.taken: set[str] = set()

    def company(self, rng: random.Random, industry: str, local: bool, city: str) -> str:
        trades = _CLASS_TRADES.get(industry) or _NAME_TRADES.get(
            industry[:2], ("科技", "实业", "商务服务")
        )
        for attempt in range(60):
            brand = rng.choice(_BRANDS)
            if attempt > 8 or rng.random() < 0.25:
                brand += rng.choice(_BRANDS)
            trade = rng.choice(trades)
            if industry == "6621":  # a branch of a (made-up) bank
                branch = rng.choice(("东部新城", "福明", "会展", "民安", "宁东"))
                name = f"{brand}银行股份有限公司宁波{branch}支行"
            elif industry in ("6811", "6820"):
                name = f"{brand}财产保险股份有限公司宁波分公司"
            elif industry[:2] == "67" and rng.random() < 0.35:
                name = f"宁波{brand}{trade}合伙企业（有限合伙）"
            elif not local and city != "宁波":
                name = f"{city}{brand}{trade}有限公司宁波分公司"
            else:
                region = "宁波" if rng.random() < 0.8 else "浙江"
                form = "股份有限公司" if rng.random() < 0.05 else "有限公司"
                name = f"{region}{brand}{trade}{form}"
            if name not in self.taken:
                self.taken.add(name)
                return name
        raise RuntimeError("no free company name")  # pragma: no cover


class _Codes:
    def __init__(self, taken: frozenset[str]):
        self.taken = set(taken)

    def credit_code(self, rng: random.Random, area: str, founded: dt.date) -> str:
        while True:
            if founded < dt.date(2015, 10, 1):  # an organisation code of the old system
                body = f"{rng.randrange(10**7, 10**8)}"
            else:  # since the reform: "MA" + the issuing office's letter + serial
                body = "MA2" + "".join(rng.choice(USCC_CHARS) for _ in range(5))
            value = make_credit_code("91", area, body)
            if value not in self.taken:
                self.taken.add(value)
                return value


def _area_code(rng: random.Random, founded: dt.date) -> str:
    if founded < dt.date(2016, 9, 1):  # before the merger: 江东区, or the city
        return "330204" if rng.random() < 0.7 else "330200"
    return DISTRICT if rng.random() < 0.85 else "330200"


class _Industries:
    def __init__(self, available: frozenset[str]):
        def check(codes):
            missing = sorted(c for c in codes if c not in available)
            if missing:
                raise ValueError(f"GB/T 4754-2017 classes missing from the table: {missing}")

        self.sections = Weighted([(s, w) for s, (w, _c) in INDUSTRIES.items()])
        self.by_section = {s: Weighted(list(c)) for s, (_w, c) in INDUSTRIES.items()}
        self.retail = Weighted(list(RETAIL_INDUSTRIES))
        all_codes = [c for _w, cs in INDUSTRIES.values() for c, _x in cs]
        check(all_codes + [c for c, _w in RETAIL_INDUSTRIES])
        self.by_prefix: dict[str, list[tuple[str, float]]] = {}
        for _s, (_w, cs) in INDUSTRIES.items():
            for code, w in cs:
                self.by_prefix.setdefault(code[:2], []).append((code, w))
        self.section_of = {c: s for s, (_w, cs) in INDUSTRIES.items() for c, _x in cs}

    def under(self, prefix: str) -> Weighted:
        if prefix.isalpha():
            return self.by_section[prefix]
        pairs = [p for code, ps in self.by_prefix.items() if code.startswith(prefix) for p in ps]
        pairs += [p for p in self.by_prefix.get(prefix[:2], []) if p[0].startswith(prefix)]
        return Weighted(sorted(set(pairs)))

    def pick(self, rng: random.Random, signature: Weighted | None, share: float) -> str:
        if signature is not None and rng.random() < share:
            return signature.pick(rng)
        return self.by_section[self.sections.pick(rng)].pick(rng)


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


def _plan_buildings(world: World, rng: random.Random, n: int) -> list[BuildingPlan]:
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
            word = rng.choice([w for w in _BRANDS if w not in _PLACE_NAMES])
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
    brand = rng.choice(_BRANDS)
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
        property_manager=f"宁波{rng.choice(_BRANDS)}物业服务有限公司",
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


def _plan_floors(rng: random.Random, b: BuildingPlan, units: list[UnitPlan]) -> None:
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


# --- the simulation -----------------------------------------------------------------------


class _Sim:
    """The month-by-month history of lettings (see the module's docstring)."""

    def __init__(self, world: World, rng: random.Random, scale: float):
        self.world = world
        self.rng = rng
        self.first = add_months(world.last_month, -(HISTORY_MONTHS - 1))
        self.last = world.last_month
        self.industries = _Industries(world.industries)
        self.names = _Names()
        self.codes = _Codes(world.taken_codes)
        self.enterprises: list[EnterprisePlan] = []
        self.leases: list[LeasePlan] = []
        self.events: list[EventPlan] = []
        self.buildings: list[BuildingPlan] = []
        self.units: list[UnitPlan] = []
        self.active: set[int] = set()
        self.held_by: dict[int, set[int]] = defaultdict(set)  # enterprise → active leases
        self.numbers: dict[str, int] = defaultdict(int)
        self.scheduled: dict[int, list[tuple[str, int]]] = defaultdict(list)  # month → actions
        self.false_alarms: list[FalseAlarm] = []
        self.scale = scale
        self.signature: dict[str, Weighted] = {}
        self.active_in: dict[int, set[int]] = defaultdict(set)  # building → active leases
        self.leaves: dict[int, list[int]] = defaultdict(list)  # month → leaving enterprises
        self.free: dict[dt.date, dict[int, list[int]]] = {}  # free units by day, building
        self.now = -1  # the month being simulated (-1: before the history)

    def activate(self, lease: LeasePlan) -> None:
        self.active.add(lease.index)
        self.active_in[lease.building].add(lease.index)
        self.held_by[lease.enterprise].add(lease.index)
        for u in lease.units:
            unit = self.units[u]
            assert unit.holder == -1 and unit.free_from <= lease.start, (unit.code, lease.start)
            unit.holder = lease.index
        for free in self.free.values():
            taken = set(lease.units)
            if lease.building in free:
                free[lease.building] = [u for u in free[lease.building] if u not in taken]

    def deactivate(self, lease: LeasePlan, free_from: dt.date) -> None:
        self.active.discard(lease.index)
        self.active_in[lease.building].discard(lease.index)
        self.held_by[lease.enterprise].discard(lease.index)
        for u in lease.units:
            unit = self.units[u]
            if unit.holder == lease.index:
                unit.holder = -1
                unit.free_from = free_from

    def free_units(self, day: dt.date) -> dict[int, list[int]]:
        """Building → its units free on ``day`` (kept up to date as units are let; units
        released after the first call are not added: a conservative view)."""
        if day not in self.free:
            free: dict[int, list[int]] = defaultdict(list)
            for unit in self.units:
                if unit.holder == -1 and unit.free_from <= day:
                    free[unit.building].append(unit.index)
            self.free[day] = free
        return self.free[day]

    # -- helpers
    def ms(self, m: int) -> dt.date:
        return add_months(self.first, m)

    def me(self, m: int) -> dt.date:
        return add_months(self.first, m + 1) - ONE_DAY

    def mi(self, day: dt.date) -> int:
        return (day.year - self.first.year) * 12 + day.month - self.first.month

    def number(self, b: BuildingPlan, start: dt.date) -> str:
        prefix = f"{b.code}-{start:%Y%m%d}-"
        self.numbers[prefix] += 1
        return f"{prefix}{self.numbers[prefix]:02d}"

    def event(self, e: int, kind: str, date: dt.date, building=None, lease=None, data=None):
        self.events.append(EventPlan(e, kind, date, building, lease, data or {}))

    # -- enterprises
    def new_enterprise(self, b: BuildingPlan, retail: bool, moved_in: dt.date, new_firm: bool):
        rng = self.rng
        if retail:
            industry = self.industries.retail.pick(rng)
        else:
            sig = self.signature.get(b.code)
            industry = self.industries.pick(rng, sig, b.signature_share + 0.12)
        if new_firm:
            founded = moved_in - dt.timedelta(days=rng.randint(10, 120))
        else:
            years = min(25.0, rng.expovariate(1 / 6.5) + 0.3)
            founded = moved_in - dt.timedelta(days=int(years * 365.25))
        local = rng.random() < 0.79
        if local:
            area, city = _area_code(rng, founded), "宁波"
        else:
            area, city = rng.choice(_ELSEWHERE)
        section = self.industries.section_of.get(industry, "F")
        capital = math.exp(rng.gauss(math.log(300 if section != "J" else 3000), 1.1))
        e = EnterprisePlan(
            index=len(self.enterprises),
            credit_code=self.codes.credit_code(rng, area, founded),
            name=self.names.company(rng, industry, local, city),
            industry=industry,
            founded_on=founded,
            capital=round(min(capital, 5e6), 2),
            local=local,
            weight=_TAX_WEIGHT.get(industry[:2], 1.0) * math.exp(rng.gauss(0, 1.0)),
            share=rng.uniform(0.30, 0.50),
            growth=rng.gauss(0.05, 0.12),
            staff_per_m2=1 / rng.uniform(7, 16) if not retail else 1 / rng.uniform(25, 60),
            first_month=self.mi(moved_in),
            new_firm=new_firm,
        )
        self.enterprises.append(e)
        return e

    # -- leases
    def sign(
        self,
        e: EnterprisePlan,
        b: BuildingPlan,
        units: list[int],
        start: dt.date,
        years: int,
        *,
        renewal_of: LeasePlan | None = None,
        end: dt.date | None = None,
        signed_before: tuple[int, int] = (10, 60),
    ) -> LeasePlan:
        rng = self.rng
        area = round(sum(self.units[u].area for u in units), 2)
        end = end or add_months(start, 12 * years) - ONE_DAY
        asking = sum(self.units[u].asking_rent * self.units[u].area for u in units) / area
        if renewal_of is not None:
            rent = renewal_of.rent * rng.choice((1.0, 1.0, 1.02, 1.03, 1.05))
            rent_free = rng.choice((0, 0, 0, 0.5, 1))
        else:
            rent = asking * rng.uniform(0.85, 1.0)
            rent_free = min(6.0, rng.choice((1, 1, 2, 2, 3)) + (area > 800) + (area > 1500))
        term = (end.year - start.year) * 12 + end.month - start.month + 1
        lease = LeasePlan(
            index=len(self.leases),
            contract_number=self.number(b, start),
            enterprise=e.index,
            building=b.index,
            units=sorted(units),
            area=area,
            signed_on=start - dt.timedelta(days=rng.randint(*signed_before)),
            start=start,
            end=end,
            rent_free=min(float(rent_free), max(0.0, term - 1.0)),
            rent=round(rent * 20) / 20,
            renewed_from=renewal_of.index if renewal_of is not None else None,
        )
        self.leases.append(lease)
        self.activate(lease)
        present = any(
            self.leases[x].building == b.index for x in self.held_by[e.index] if x != lease.index
        )
        if renewal_of is None:
            self.event(
                e.index,
                "lease_signed",
                lease.signed_on,
                b.index,
                lease.index,
                {"area_m2": f"{area:.2f}", "units": [self.units[u].code for u in lease.units]},
            )
            if not present:
                self.event(e.index, "move_in", start, b.index, lease.index)
        else:
            self.event(
                e.index,
                "lease_renewed",
                lease.signed_on,
                b.index,
                lease.index,
                {
                    "renewal_of": renewal_of.contract_number,
                    "area_m2": f"{area:.2f}",
                    "area_change_m2": f"{area - renewal_of.area:.2f}",
                },
            )
        self.plan_fate(e, lease)
        return lease

    def renew(self, lease: LeasePlan, start: dt.date, keep: list[int], end=None) -> LeasePlan:
        e = self.enterprises[lease.enterprise]
        lease.state, lease.ended_on = "renewed", start - ONE_DAY
        self.deactivate(lease, start)
        years = _TERM.pick(self.rng)
        return self.sign(
            e,
            self.buildings[lease.building],
            keep,
            start,
            years,
            renewal_of=lease,
            end=end,
            signed_before=(20, 90) if end is None else (5, 30),
        )

    def finish(self, lease: LeasePlan, last_day: dt.date) -> None:
        """The lease ends (its end) or is terminated (before) with ``last_day`` held."""
        e = self.enterprises[lease.enterprise]
        early = last_day < lease.end
        lease.state, lease.ended_on = ("terminated" if early else "ended"), last_day
        self.deactivate(lease, last_day + ONE_DAY)
        self.event(
            e.index,
            "lease_terminated" if early else "lease_ended",
            last_day,
            lease.building,
            lease.index,
            {"area_m2": f"{lease.area:.2f}"},
        )
        if not any(self.leases[x].building == lease.building for x in self.held_by[e.index]):
            self.event(e.index, "move_out", last_day, lease.building, lease.index)

    # -- fates
    def plan_fate(self, e: EnterprisePlan, lease: LeasePlan) -> None:
        """Decide, when a lease is signed, how it ends if that is within the history: leaving
        the street (with or without signals), relocating, closing down, or renewing."""
        rng = self.rng
        if e.leave is not None or e.relocating:
            return
        start_m, end_m = self.mi(max(lease.start, self.first)), self.mi(lease.end)
        horizon = HISTORY_MONTHS - 1
        # leaving early: a small monthly hazard over the lease's months in the history
        for m in range(max(start_m, 1), min(end_m, horizon) + 1):
            r = rng.random()
            if r < 0.00045:
                self.plan_leave(e, lease, m, "early", "move_out")
                return
            if r < 0.00045 + 0.00008:
                self.plan_leave(e, lease, m, "early", "deregister")
                return
        if end_m <= horizon and end_m >= 1:
            r = rng.random()
            if r < 0.032:
                self.plan_leave(e, lease, end_m, "expiry", "move_out")
            elif r < 0.036:
                self.plan_leave(e, lease, end_m, "expiry", "deregister")

    def plan_leave(self, e, lease: LeasePlan, month: int, mode: str, kind: str) -> None:
        rng = self.rng
        if mode == "expiry":
            day = lease.end
        else:
            last = self.me(month)
            day = last if rng.random() < 0.6 else last.replace(day=rng.randint(1, last.day))
            day = max(day, lease.start)
        signals: tuple[str, ...] = ()
        onset = month
        if kind == "deregister" or rng.random() < 0.78:
            picks = []
            if e.local and rng.random() < 0.72:
                picks.append("tax")
            if rng.random() < 0.6:
                picks.append("headcount")
            lead = _LEAD.pick(rng)
            onset = month - lead
            # giving up area is a renewal with fewer units at the onset: still to come
            reducible = (
                len(lease.units) >= 2 and onset > max(self.now, self.mi(lease.start)) and onset >= 0
            )
            if reducible and rng.random() < 0.45:
                picks.append("area")
            if not picks:
                picks.append("tax" if e.local else "headcount")
            signals = tuple(picks)
        e.leave = LeavePlan(
            kind=kind,
            month=month,
            day=day,
            mode=mode,
            signals=signals,
            onset=onset,
            tax_factor=rng.uniform(0.3, 0.55),
            staff_rate=rng.uniform(0.05, 0.12),
        )
        self.leaves[month].append(e.index)
        if "area" in signals:
            self.scheduled[onset].append(("reduce", lease.index))

    # -- the months
    def initial(self) -> None:
        rng = self.rng
        h0 = self.first
        for b in self.buildings:
            hq = 0
            floors = [f for f in b.floors if f.units]
            i = 0
            while i < len(floors):
                f = floors[i]
                retail = f.use == "retail"
                if not retail and f.number > 1 and rng.random() < 0.05 and i + 1 < len(floors):
                    # a whole floor, or a headquarters on 2–4 floors (one lease)
                    n = 1
                    if hq < 1 and rng.random() < 0.35:
                        n = min(rng.randint(2, 4), len(floors) - i)
                        hq += 1
                    span = [u for g in floors[i : i + n] for u in g.units]
                    if all(not self.units[u].retail for u in span):
                        self.initial_lease(b, span, retail=False)
                        i += n
                        continue
                k = 0
                while k < len(f.units):
                    if rng.random() < b.occupancy:
                        size = min(_SUITE.pick(rng), len(f.units) - k)
                        self.initial_lease(b, f.units[k : k + size], retail=retail)
                        k += size
                    else:
                        self.units[f.units[k]].free_from = h0 - dt.timedelta(
                            days=rng.randint(30, 500)
                        )
                        k += 1
                i += 1

    def initial_lease(self, b: BuildingPlan, units: list[int], retail: bool) -> None:
        rng = self.rng
        years = _TERM.pick(rng)
        start = add_months(self.first, -rng.randint(1, 12 * years - 1))
        for u in units:
            self.units[u].free_from = dt.date.min
        if start.year == self.first.year and rng.random() > 0.06:
            # Most leases starting in the history's first year (before it begins) continue an
            # earlier one: as many new lettings then as during the history, so that the year's
            # 去化 is not all the street's tenants.
            before = _TERM.pick(rng)
            moved_in = add_months(start, -12 * before)
            e = self.new_enterprise(b, retail, moved_in, new_firm=False)
            e.first_month = min(self.mi(moved_in), 0)
            earlier = self.sign(e, b, units, moved_in, before, end=start - ONE_DAY)
            self.renew(earlier, start, units, end=add_months(start, 12 * years) - ONE_DAY)
            return
        if rng.random() < 0.35 and start > dt.date(2016, 1, 1):  # a renewal: here before
            moved_in = add_months(start, -12 * rng.choice((2, 3, 3, 5)))
        else:
            moved_in = start
        e = self.new_enterprise(b, retail, moved_in, new_firm=rng.random() < 0.2)
        e.first_month = min(self.mi(moved_in), 0)
        self.sign(e, b, units, start, years)

    def month(self, m: int) -> None:
        self.now = m
        rng = self.rng
        start, end = self.ms(m), self.me(m)
        # 1. area given up before leaving (a renewal with fewer units, same end)
        for action, idx in self.scheduled.pop(m, []):
            lease = self.leases[idx]
            if action == "reduce" and lease.state == "active" and lease.start < start:
                keep = lease.units[: max(1, len(lease.units) // 2)]
                e = self.enterprises[lease.enterprise]
                new = self.renew(lease, start, keep, end=lease.end)
                if e.leave is not None:
                    e.leave.day = min(e.leave.day, new.end) if e.leave.mode == "early" else new.end
        # 2. leaving: at the contract's end or early, every lease of the enterprise
        for e_idx in sorted(self.leaves.pop(m, [])):
            e = self.enterprises[e_idx]
            leave = e.leave
            held = sorted(self.held_by[e.index])
            if not held:
                leave.done = True
                continue
            last_day = leave.day if leave.mode == "early" else end
            for idx in held:
                lease = self.leases[idx]
                self.finish(lease, min(max(last_day, lease.start), lease.end))
            leave.day = max(self.leases[i].ended_on for i in held)
            leave.done = True
            e.status = "moved_out" if leave.kind == "move_out" else "deregistered"
            e.status_changed_on = leave.day
            self.event(
                e.index, "status_changed", leave.day, data={"from": "active", "to": e.status}
            )
        # 3. expiries at the month's end: renew (maybe with less space), relocate
        for idx in sorted(i for i in self.active if self.leases[i].end == end):
            lease = self.leases[idx]
            e = self.enterprises[lease.enterprise]
            nxt = add_months(start, 1)
            r = rng.random()
            if r < 0.015 and e.leave is None and not e.relocating:
                target = self.find_space(len(lease.units), nxt, exclude=lease.building)
                if target is not None:
                    b2, units = target
                    e.relocating = True
                    self.finish(lease, end)
                    self.sign(e, b2, units, nxt, _TERM.pick(rng))
                    e.relocating = False
                    continue
            keep = lease.units
            if len(lease.units) >= 2 and r > 0.94:  # gives up space but stays (a false alarm)
                keep = lease.units[: len(lease.units) - max(1, len(lease.units) // 3)]
                self.false_alarms.append(FalseAlarm(e.credit_code, ("area",), add_months(start, 1)))
            self.renew(lease, nxt, keep)
        # 4. new lettings (去化): new enterprises, tenants expanding, second offices
        season = {1: 0.7, 2: 0.5, 3: 1.2, 4: 1.2, 5: 1.1, 6: 1.1, 9: 1.2, 10: 1.0, 11: 1.1}
        mean = 11 * self.scale * season.get(start.month, 1.0) * (1 + 0.01 * m)
        n = max(0, round(rng.gauss(mean, math.sqrt(max(mean, 1)))))
        for _ in range(n):
            size = _NEW_SUITE.pick(rng)
            found = self.find_space(size, start)
            if found is None:
                continue
            b, units = found
            retail = self.units[units[0]].retail
            r = rng.random()
            tenants = [
                x
                for x in sorted(self.tenants_of(b.index))
                if self.enterprises[x].leave is None and not self.units[units[0]].retail
            ]
            if r < 0.08 and tenants:  # an expansion in its building
                e = self.enterprises[rng.choice(tenants)]
            elif r < 0.1 and tenants:  # a second office in another tower
                others = [x for x in sorted(self.all_tenants()) if x not in tenants]
                e = self.enterprises[rng.choice(others)] if others else None
                if e is None or e.leave is not None:
                    continue
            else:
                e = self.new_enterprise(b, retail, start, new_firm=rng.random() < 0.45)
            self.sign(e, b, units, start, _TERM.pick(rng), signed_before=(10, 60))

    def tenants_of(self, b: int) -> set[int]:
        return {self.leases[i].enterprise for i in self.active_in[b]}

    def all_tenants(self) -> set[int]:
        return {self.leases[i].enterprise for i in self.active}

    def find_space(self, size: int, start: dt.date, exclude: int | None = None):
        """A building (weighted by vacant area and grade) and ``size`` adjacent free units."""
        rng = self.rng
        free = self.free_units(start)
        vacant = []
        for b in self.buildings:
            if b.index == exclude or not free.get(b.index):
                continue
            area = sum(self.units[u].area for u in free[b.index])
            pull = {"super_a": 1.6, "a": 1.3, "b": 1.0, "c": 0.7}[b.grade]
            vacant.append((b, area * pull))
        if not vacant:
            return None
        b = rng.choices([v[0] for v in vacant], weights=[v[1] for v in vacant], k=1)[0]
        here = set(free[b.index])
        runs = []
        for f in b.floors:
            run: list[int] = []
            for u in f.units:
                if u in here:
                    run.append(u)
                else:
                    if run:
                        runs.append(run)
                    run = []
            if run:
                runs.append(run)
        rng.shuffle(runs)
        for want in range(size, 0, -1):
            for r in runs:
                if len(r) >= want:
                    k = rng.randint(0, len(r) - want)
                    return b, r[k : k + want]
        return None

    def run(self) -> None:
        self.initial()
        for m in range(HISTORY_MONTHS):
            self.free.clear()
            self.month(m)
        self.false_alarm_dips()

    def false_alarm_dips(self) -> None:
        """Enterprises that stay but show the signals: a tax dip or staff cuts for a while."""
        rng = self.rng
        for e in self.enterprises:
            if e.leave is not None or e.status != "active":
                continue
            r = rng.random()
            if max(0, e.first_month + 3) > HISTORY_MONTHS - 3:
                continue
            if r < 0.03 and e.local:
                onset = rng.randint(max(0, e.first_month + 3), HISTORY_MONTHS - 3)
                e.dip = (onset, rng.randint(5, 9), rng.uniform(0.35, 0.62))
                signals: tuple[str, ...] = ("tax",)
                if rng.random() < 0.4:
                    e.dip_staff = (onset, rng.uniform(0.04, 0.09))
                    signals = ("tax", "headcount")
                self.false_alarms.append(FalseAlarm(e.credit_code, signals, self.ms(onset)))
            elif r < 0.045:
                onset = rng.randint(max(0, e.first_month + 3), HISTORY_MONTHS - 3)
                e.dip_staff = (onset, rng.uniform(0.04, 0.09))
                self.false_alarms.append(FalseAlarm(e.credit_code, ("headcount",), self.ms(onset)))


# --- tax and headcount ----------------------------------------------------------------------

_SEASON = {1: 1.3, 2: 0.72, 3: 0.9, 4: 1.25, 5: 1.45, 6: 0.92, 7: 1.2, 8: 0.9, 9: 0.93, 10: 1.2}


def _presence(sim: _Sim) -> dict[int, dict[int, dict[int, float]]]:
    """Per enterprise and month: the area held per building at the month's end."""
    out: dict[int, dict[int, dict[int, float]]] = defaultdict(lambda: defaultdict(dict))
    for lease in sim.leases:
        last = lease.ended_on or lease.end
        m0 = max(0, sim.mi(lease.start))
        m1 = min(HISTORY_MONTHS - 1, sim.mi(last))
        for m in range(m0, m1 + 1):
            if lease.start <= sim.me(m) <= last:
                held = out[lease.enterprise][m]
                held[lease.building] = held.get(lease.building, 0.0) + lease.area
    return out


def _series(sim: _Sim, rng: random.Random) -> None:
    presence = _presence(sim)
    raw: dict[int, list[tuple[int, float]]] = {}
    main: dict[int, int] = {}
    for e in sim.enterprises:
        months = presence.get(e.index, {})
        if not months:
            continue
        # months in the street: from its first month (or the history's) to leaving
        first = max(0, e.first_month)
        last = HISTORY_MONTHS - 1
        if e.leave is not None and e.leave.done:
            last = min(last, sim.mi(e.leave.day))
        held_area = {m: sum(a.values()) for m, a in months.items()}
        area = max(held_area.values())
        span = range(first, last + 1)
        # main building: the most area over the last 12 months it was there
        weights: dict[int, float] = defaultdict(float)
        recent = [m for m in months if m >= last - 11] or list(months)
        for m in recent:
            for b, a in months[m].items():
                weights[b] += a
        main[e.index] = min(weights, key=lambda b: (-weights[b], b))
        base = e.weight * area**0.9
        staff0 = max(1.0, area * e.staff_per_m2 * math.exp(rng.gauss(0, 0.25)))
        small = base < 150
        series: list[tuple[int, float]] = []
        staff: list[tuple[int, int, int]] = []
        insured_share = rng.uniform(0.78, 1.0)
        level = 1.0
        headcount = staff0
        leave = e.leave
        for m in span:
            t = (m - first) / 12
            month = sim.ms(m)
            trend = (1 + e.growth) ** ((m - 18) / 12)
            factor = trend
            if e.new_firm:
                factor *= min(1.0, 0.35 + 0.11 * (m - e.first_month))
            staff_factor = 1.0
            if leave is not None and leave.onset <= m:
                k = m - leave.onset
                if "tax" in leave.signals:
                    factor *= max(leave.tax_factor, 1 - (1 - leave.tax_factor) * (k + 1) / 2)
                if "headcount" in leave.signals:
                    staff_factor = max(0.3, (1 - leave.staff_rate) ** (k + 1))
            if e.dip is not None and e.dip[0] <= m < e.dip[0] + e.dip[1]:
                factor *= e.dip[2]
            elif e.dip is not None and m >= e.dip[0] + e.dip[1]:
                factor *= 0.92
            if e.dip_staff is not None and e.dip_staff[0] <= m < e.dip_staff[0] + 6:
                staff_factor = (1 - e.dip_staff[1]) ** (m - e.dip_staff[0] + 1)
            elif e.dip_staff is not None and m >= e.dip_staff[0] + 6:
                staff_factor = (1 - e.dip_staff[1]) ** 6
            level = 0.7 * level + 0.3 * math.exp(rng.gauss(0, 0.18))
            value = base * factor * _SEASON.get(month.month, 1.0) * level
            if small and rng.random() < 0.08:
                value = 0.0
            elif rng.random() < 0.002:
                value = -value * rng.uniform(0.05, 0.4)  # a refund (留抵退税)
            series.append((m, value))
            headcount = staff0 * (1 + e.growth * 0.5) ** t * staff_factor
            hc = max(1, round(headcount * math.exp(rng.gauss(0, 0.03))))
            staff.append((m, hc, min(hc, round(hc * insured_share))))
        e.staff = staff
        if e.local:
            raw[e.index] = series
    # scale per building: the last 12 months' tax of its tenants reaches the building's tier
    totals: dict[int, float] = defaultdict(float)
    for idx, series in raw.items():
        for m, v in series:
            if m >= HISTORY_MONTHS - 12:
                totals[main[idx]] += v
    for idx, series in raw.items():
        b = main[idx]
        k = sim.buildings[b].tax_target / totals[b] if totals[b] > 0 else 0.0
        e = sim.enterprises[idx]
        out = []
        for m, v in series:
            total = round(v * k, 2)
            local = round(total * min(1.0, e.share * rng.uniform(0.97, 1.03)), 2)
            out.append((m, total, local))
        e.tax = out


# --- entry point ----------------------------------------------------------------------------


def plan_economy(world: World, *, scale: float = 1.0, seed: int = SEED) -> EconomyPlan:
    """Everything the economy demo creates, computed without the database."""
    world = World(
        grids=sorted(world.grids, key=lambda g: g.code),
        landmarks=sorted(world.landmarks, key=lambda lm: lm.ref),
        last_month=world.last_month,
        industries=world.industries,
        homes=sorted(world.homes),
        taken_codes=world.taken_codes,
        taken_buildings=world.taken_buildings,
        leaders=world.leaders,
    )
    rng = random.Random(f"{seed}:buildings")
    n = max(2, round(BUILDINGS * scale))
    buildings = _plan_buildings(world, rng, n)
    sim = _Sim(world, random.Random(f"{seed}:history"), scale=n / BUILDINGS)
    sim.buildings = buildings
    floors_rng = random.Random(f"{seed}:floors")
    for b in buildings:
        _plan_floors(floors_rng, b, sim.units)
        sim.signature[b.code] = sim.industries.under(b.signature_industry)
    sim.run()
    _series(sim, random.Random(f"{seed}:tax"))
    _unit_status(sim, random.Random(f"{seed}:status"))
    _addresses(sim)
    truth = []
    deregistered = []
    for e in sim.enterprises:
        leave = e.leave
        if leave is None or not leave.done:
            continue
        if e.status == "deregistered":
            deregistered.append(e.credit_code)
            continue
        onset = sim.ms(leave.onset) if leave.signals else None
        truth.append(
            MoveOut(
                credit_code=e.credit_code,
                month=month_start(leave.day),
                last_day=leave.day,
                mode=leave.mode,
                signals=leave.signals,
                onset=onset,
                lead_months=sim.mi(leave.day) - leave.onset if leave.signals else None,
            )
        )
    return EconomyPlan(
        first_month=sim.first,
        last_month=sim.last,
        buildings=buildings,
        units=sim.units,
        enterprises=sim.enterprises,
        leases=sim.leases,
        events=sorted(sim.events, key=lambda ev: (ev.date, ev.enterprise)),
        truth=sorted(truth, key=lambda t: (t.last_day, t.credit_code)),
        false_alarms=sim.false_alarms,
        deregistered=sorted(deregistered),
    )


def _unit_status(sim: _Sim, rng: random.Random) -> None:
    """Today's letting status of each unit, from the leases in force: occupied; occupied but
    coming free (the tenant gave notice on a lease ending within three months); vacant and on
    the market, or not (being refitted)."""
    soon = add_months(sim.last, 4) - ONE_DAY
    noticed = {i for i in sorted(sim.active) if sim.leases[i].end <= soon and rng.random() < 0.35}
    for unit in sim.units:
        if unit.holder != -1:
            unit.status = "occupied_available" if unit.holder in noticed else "occupied"
        else:
            unit.status = "vacant_unavailable" if rng.random() < 0.08 else "vacant_available"


def _addresses(sim: _Sim) -> None:
    """Registered addresses of local tenants: their main building's."""
    first_building: dict[int, int] = {}
    for lease in sim.leases:
        first_building.setdefault(lease.enterprise, lease.building)
    for e in sim.enterprises:
        b = sim.buildings[first_building[e.index]]
        if e.local:
            e.registered_address = f"浙江省宁波市鄞州区{b.address}{b.name}"


def main_buildings(plan: EconomyPlan, on: dt.date) -> dict[int, int]:
    """Enterprise index → the building where its leases in force on ``on`` cover the most
    area (ties: the lowest building code), as ``actions.relocate_enterprise`` decides."""
    area: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for lease in plan.leases:
        if lease.state == "active":
            area[lease.enterprise][lease.building] += lease.area
    out = {}
    for e, held in area.items():
        out[e] = min(held, key=lambda b: (-held[b], plan.buildings[b].code))
    return out


def last_buildings(plan: EconomyPlan) -> dict[int, int]:
    """Enterprise index → the building of its last lease (by start, then number)."""
    out: dict[int, tuple] = {}
    for lease in plan.leases:
        key = (lease.start, lease.contract_number)
        if lease.enterprise not in out or key > out[lease.enterprise][0]:
            out[lease.enterprise] = (key, lease.building)
    return {e: b for e, (_k, b) in out.items()}


def annual_tax(plan: EconomyPlan, months: Sequence[int]) -> dict[int, float]:
    """Building index → the tax of the given month indexes, each enterprise's month split over
    the buildings where it held space at the month's end, by area (as the metrics do)."""
    held: dict[tuple[int, int], dict[int, float]] = defaultdict(lambda: defaultdict(float))
    wanted = set(months)
    for lease in plan.leases:
        last = lease.ended_on or lease.end
        for m in wanted:
            end = last_day(plan.month(m))
            if lease.start <= end <= last:
                held[(lease.enterprise, m)][lease.building] += lease.area
    out: dict[int, float] = defaultdict(float)
    for e in plan.enterprises:
        for m, total, _local in e.tax:
            if m in wanted and (e.index, m) in held:
                h = held[(e.index, m)]
                s = sum(h.values())
                for b, a in h.items():
                    out[b] += total * a / s
    return out


def world_from_files(last_month: dt.date) -> World:
    """The ``World`` from the shipped geometry and code table, without the database (tests,
    benchmarks): the demo district's grids, the OpenStreetMap landmarks inside it, no homes."""
    import csv

    from streetbrain.core.geo import GridLocator
    from streetbrain.demo.synth.district import DATA_DIR, build_demo_district, load_osm_features

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
