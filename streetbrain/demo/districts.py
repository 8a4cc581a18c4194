"""The business districts' part of the demo district of 福明街道: the 百亿商圈 around its three
real anchors — 宁波阪急, 宁波文化广场 and 宏泰广场, with their OpenStreetMap names and outlines
(© OpenStreetMap contributors, ODbL) —, stores in them, the first-store register, 24 months of
sales (per store, and per mall for what the malls do not report store by store) and one
消费联盟 campaign.

ALL STORES, BRANDS, CREDIT CODES, FIRST STORES, SALES AND COUPONS ARE SYNTHETIC. Every row is
marked ``data_source="demo"`` (the pages show "Synthetic"). The district's outline is drawn
around the anchors' real outlines (illustrative, like the street's). A few stores are the same
entities as demo shops of the registry and demo enterprises of the building economy (their
credit codes), linked as an import links them (``actions.link_store``).

The history ends with the last complete month of the day the demo is loaded, so every load in
the same month gives the same data; numbers come from a seeded generator. Rows are written
with ``bulk_create``; the change log gets one entry per district, mall, store, first store and
campaign (``log_bulk``); sales rows are not logged one by one (like the economy's tax).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from shapely.geometry import Point, mapping, shape
from shapely.ops import unary_union

from streetbrain.core.audit import log_bulk
from streetbrain.core.extension_points import DemoLoader
from streetbrain.core.models import OrgUnit
from streetbrain.core.months import add_months, last_complete_month
from streetbrain.districts import actions
from streetbrain.districts.models import (
    BusinessDistrict,
    Campaign,
    Category,
    Complex,
    FirstStore,
    SalesRecord,
    Store,
)
from streetbrain.economy.models import Enterprise
from streetbrain.registry.models import Shop

from .context import default_scale
from .synth.district import load_osm_features

DEMO = "demo"
MONTHS = 24
CENT = Decimal("0.01")
OSM = "© OpenStreetMap contributors (ODbL)"

# The three anchors: their OpenStreetMap names, kind, and the monthly sales the mall reports
# for the stores it does not report one by one (synthetic, CNY).
ANCHORS = [
    ("宁波阪急", Complex.Kind.DEPARTMENT_STORE, 210_000_000),
    ("宁波文化广场", Complex.Kind.COMPLEX, 150_000_000),
    ("宏泰广场", Complex.Kind.MALL, 240_000_000),
]

# Monthly seasonality of retail in a Chinese city (spring festival, golden week, 双十一).
SEASON = [1.18, 1.05, 0.92, 0.93, 0.98, 0.96, 0.94, 0.95, 0.99, 1.08, 1.07, 1.05]
GROWTH = 0.075  # a year

SYLLABLES = "禾岚栖木澄野拾光屿见青柚半山朴素鹿鸣云舍梧桐花间拾味观澜"
SUFFIX = {
    Category.RETAIL: ["生活馆", "买手店", "美妆", "服饰", "家居", "潮玩", "眼镜", "运动"],
    Category.CATERING: ["小馆", "咖啡", "茶饮", "面包工坊", "火锅", "料理"],
    Category.LODGING: ["酒店"],
    Category.OTHER: ["影城", "健身", "亲子乐园"],
}
LEVELS = [
    (FirstStore.Level.CHINA, 1),
    (FirstStore.Level.REGION, 1),
    (FirstStore.Level.PROVINCE, 2),
    (FirstStore.Level.CITY, 5),
    (FirstStore.Level.FLAGSHIP, 1),
    (FirstStore.Level.CONCEPT, 1),
]


def is_loaded() -> bool:
    return BusinessDistrict.objects.filter(data_source=DEMO).exists()


def _anchor_geometries() -> dict[str, object]:
    """The anchors' real outlines; 宏泰广场 is two OSM polygons, taken together."""
    wanted = {name for name, _kind, _monthly in ANCHORS}
    parts: dict[str, list] = {}
    for props, geom in load_osm_features():
        if props.get("name") in wanted:
            parts.setdefault(props["name"], []).append(geom)
    return {name: unary_union(geoms) for name, geoms in parts.items()}


def _geojson(geom) -> dict:
    def lists(value):
        return [lists(v) for v in value] if isinstance(value, list | tuple) else round(value, 7)

    geo = mapping(geom)
    return {"type": geo["type"], "coordinates": lists(geo["coordinates"])}


def _grid_of(point: Point, grids: list[tuple[OrgUnit, object]], street: OrgUnit) -> OrgUnit:
    for unit, polygon in grids:
        if polygon.covers(point):
            return unit
    return street


def _brand(rng: random.Random, category: str, taken: set[str]) -> str:
    while True:
        name = rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + rng.choice(SUFFIX[category])
        if name not in taken:
            taken.add(name)
            return name


def load(ctx, scale: float | None = None, today: dt.date | None = None) -> None:
    if is_loaded():
        ctx.say("districts: demo data already loaded")
        return
    street = OrgUnit.objects.filter(level=OrgUnit.Level.STREET).first()
    if street is None:
        ctx.say("districts: no street (load the core demo first): skipped")
        return
    geometries = _anchor_geometries()
    if len(geometries) < len(ANCHORS):
        ctx.say("districts: the anchors' OpenStreetMap outlines are missing: skipped")
        return
    scale = default_scale() if scale is None else scale
    today = today or timezone.localdate()
    last = last_complete_month(today)
    months = [add_months(last, -k) for k in range(MONTHS - 1, -1, -1)]
    rng = random.Random(15)
    grids = [
        (unit, shape(unit.geometry))
        for unit in OrgUnit.objects.filter(level=OrgUnit.Level.GRID, geometry__isnull=False)
    ]
    with transaction.atomic():
        _load(ctx, rng, street, grids, geometries, months, scale)


def _load(ctx, rng, street, grids, geometries, months, scale) -> None:
    outline = unary_union(list(geometries.values())).convex_hull.buffer(0.0012).simplify(0.0002)
    district = BusinessDistrict.objects.create(
        code="fuming-baiyi",
        name="福明百亿商圈",
        description=(
            "宁波阪急、宁波文化广场、宏泰广场三大商业体及周边街区（示例数据：门店、首店、销售额均为合成）。"
        ),
        geometry=_geojson(outline),
        sales_target=Decimal("10000000000"),
        first_store_target=12,
        attribution=f"{OSM}; the district's outline is illustrative, drawn around the anchors",
        org_unit=street,
        data_source=DEMO,
    )
    complexes = []
    for name, kind, _monthly in ANCHORS:
        geom = geometries[name]
        centre = geom.representative_point()
        complexes.append(
            Complex(
                district=district,
                name=name,
                kind=kind,
                geometry=_geojson(geom),
                lon=round(centre.x, 7),
                lat=round(centre.y, 7),
                osm_name=name,
                org_unit=_grid_of(centre, grids, street),
                data_source=DEMO,
            )
        )
    Complex.objects.bulk_create(complexes)

    stores = _stores(rng, district, complexes, scale)
    Store.objects.bulk_create(stores)
    firsts = _first_stores(rng, district, stores, months)
    FirstStore.objects.bulk_create(firsts)
    sales = _sales(rng, district, complexes, stores, months)
    SalesRecord.objects.bulk_create(sales, batch_size=2000)
    _campaign(rng, district, stores, months)

    log_bulk([*complexes, *stores, *firsts], "create")  # the district and campaign: signals
    linked = sum(1 for s in stores if s.shop_id or s.enterprise_id)
    ctx.say(
        f"districts: 1 district, {len(complexes)} malls, {len(stores)} stores "
        f"({linked} linked to shops or enterprises), {len(firsts)} first stores, "
        f"{len(sales)} monthly sales rows, 1 campaign"
    )


def _stores(rng, district, complexes, scale) -> list[Store]:
    count = max(15, round(120 * scale))
    taken: set[str] = set()
    stores: list[Store] = []
    # A few stores are the same legal entities as the registry's shops and the economy's
    # retail and catering enterprises (synthetic too): linked by their credit codes.
    same = [
        (s.name, s.credit_code, Category.RETAIL)
        for s in Shop.objects.exclude(credit_code="").order_by("pk")[:3]
    ] + [
        (
            e.name,
            e.credit_code,
            Category.CATERING if e.industry.code.startswith("62") else Category.RETAIL,
        )
        for e in Enterprise.objects.filter(industry__code__regex=r"^(52|62)")
        .select_related("industry")
        .order_by("pk")[:3]
    ]
    for k in range(count):
        mall = complexes[k % len(complexes)] if k % 7 else None
        if k < len(same):
            name, credit_code, category = same[k]
            taken.add(name)
        else:
            category = rng.choices(
                [Category.RETAIL, Category.CATERING, Category.OTHER, Category.LODGING],
                weights=[62, 28, 8, 2],
            )[0]
            name, credit_code = _brand(rng, category, taken), ""
        store = Store(
            district=district,
            complex=mall,
            code=f"FM-{k + 1:04d}",
            name=name,
            brand=name,
            category=category,
            credit_code=credit_code,
            location=f"{rng.randint(1, 6)}F-{rng.randint(1, 60):02d}" if mall else "",
            area_m2=Decimal(rng.choice([60, 90, 120, 180, 260, 400, 800])),
            opened_on=dt.date(rng.randint(2012, 2024), rng.randint(1, 12), rng.randint(1, 28)),
            org_unit=mall.org_unit if mall else district.org_unit,
            data_source=DEMO,
        )
        actions.link_store(store, None, save=False)
        stores.append(store)
    return stores


def _first_stores(rng, district, stores, months) -> list[FirstStore]:
    this_year = months[-1].year
    out = []
    taken: set[str] = set()
    for year, share in ((this_year - 1, 1.0), (this_year, months[-1].month / 12)):
        for level, n in LEVELS:
            for _ in range(max(1, round(n * share))):
                store = (
                    rng.choice([s for s in stores if s.complex_id]) if rng.random() < 0.5 else None
                )
                last_month = months[-1].month if year == this_year else 12
                brand = (
                    store.brand
                    if store and store.brand not in taken
                    else _brand(rng, Category.RETAIL, taken)
                )
                taken.add(brand)
                out.append(
                    FirstStore(
                        district=district,
                        complex=store.complex
                        if store
                        else rng.choice([s.complex for s in stores if s.complex_id]),
                        store=store,
                        brand=brand,
                        level=level,
                        opened_on=dt.date(year, rng.randint(1, last_month), rng.randint(1, 28)),
                        area_m2=Decimal(rng.choice([120, 200, 350, 600, 1200])),
                        org_unit=district.org_unit,
                        data_source=DEMO,
                    )
                )
    for f in out:
        if f.complex_id:
            f.org_unit = f.complex.org_unit
    return out


def _sales(rng, district, complexes, stores, months) -> list[SalesRecord]:
    rows = []
    first_year = months[0].year
    for store in stores:
        base = {
            Category.RETAIL: 900_000,
            Category.CATERING: 450_000,
            Category.LODGING: 1_600_000,
            Category.OTHER: 300_000,
        }[store.category] * math.exp(rng.gauss(0, 0.7))
        for month in months:
            growth = (1 + GROWTH) ** (month.year - first_year + month.month / 12)
            amount = base * SEASON[month.month - 1] * growth * rng.uniform(0.9, 1.1)
            rows.append(
                SalesRecord(
                    district=district,
                    store=store,
                    category=store.category,
                    month=month,
                    amount=Decimal(amount).quantize(CENT),
                    org_unit=store.org_unit,
                    data_source=DEMO,
                )
            )
    for mall, (_name, _kind, monthly) in zip(complexes, ANCHORS, strict=True):
        for month in months:
            growth = (1 + GROWTH) ** (month.year - first_year + month.month / 12)
            amount = monthly * SEASON[month.month - 1] * growth * rng.uniform(0.95, 1.05)
            rows.append(
                SalesRecord(
                    district=district,
                    complex=mall,
                    category=Category.RETAIL,
                    month=month,
                    amount=Decimal(amount).quantize(CENT),
                    org_unit=mall.org_unit,
                    data_source=DEMO,
                )
            )
    return rows


def _campaign(rng, district, stores, months) -> Campaign:
    """The alliance's golden-week campaign of the history's last October (or its latest
    month's when there is none): 1 October to 7 October."""
    octobers = [m for m in months if m.month == 10 and m.year > months[0].year]
    start = octobers[-1] if octobers else months[-1]
    issued = 50_000
    redeemed = int(issued * rng.uniform(0.55, 0.7))
    campaign = Campaign.objects.create(
        district=district,
        name=f"{start.year}甬城消费季·福明商圈消费联盟",
        starts_on=start,
        ends_on=start + dt.timedelta(days=6),
        coupons_issued=issued,
        coupons_redeemed=redeemed,
        coupon_value=Decimal(redeemed * 50),
        note="满200减50 电子消费券（示例数据）",
        org_unit=district.org_unit,
        data_source=DEMO,
    )
    campaign.members.set([s for k, s in enumerate(stores) if k % 5 < 2])
    return campaign


LOADER = DemoLoader(
    "districts", load, is_loaded, depends_on=("core", "registry", "economy"), order=50
)
