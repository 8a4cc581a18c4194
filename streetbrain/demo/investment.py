"""招商's part of the demo district: about 360 investment leads over the economy's 36 months in
every stage, the two e-commerce parks with their tenants and turnover, and a whitelist computed
from the demo's history and published as this year's version 1.

ALL LEADS, COMPANIES, CREDIT CODES, PARK TENANTS AND TURNOVER ARE SYNTHETIC. Every lead, park,
building, unit, enterprise and lease written here is marked ``data_source="demo"``; the
whitelist run is marked ``demo``. The two parks carry their real names (会展中心9号馆,
宁波驿淘互联网产业园, the street's cross-border e-commerce park) on made-up space; their
provincial-park criteria are illustrative targets, not an official standard (none was found:
see the note on each criterion).

**Signed leads are the demo's real leases**: about a fifth of the leads are new leases (not
renewals) the economy's demo signed in the 36 months; each such lead names the lease's
enterprise and lease, its stages end with 签约 on the day the lease was signed and 落地 on its
start, and its area range and budget are drawn around the lease's. The other leads are made-up
companies at 线索 … 洽谈 or 流失 (with a reason), older ones more often lost.

Written in bulk (leads, their timelines, the parks' space and tenants), one change-log entry
per lead, park, building, unit, enterprise and lease, in a second or two at full scale.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from streetbrain.core.audit import log_bulk
from streetbrain.core.extension_points import DemoLoader
from streetbrain.core.models import OrgUnit, User
from streetbrain.core.months import add_months, month_start
from streetbrain.economy.models import (
    Enterprise,
    EnterpriseEvent,
    Floor,
    IndustryChain,
    Lease,
    OfficeBuilding,
    Unit,
)
from streetbrain.investment import actions as investment_actions
from streetbrain.investment import whitelist
from streetbrain.investment.models import (
    EcommerceProfile,
    EcommerceTurnover,
    Lead,
    LeadEvent,
    Park,
    ParkCriterion,
    Stage,
)
from streetbrain.registry.models import Building, IndustryClass

from .context import default_scale
from .synth.economy.enterprises import Codes, Names
from .synth.economy.tables import HISTORY_MONTHS

DEMO = "demo"
SEED = 14
FULL_LEADS = 360
SIGNED_SHARE = 0.2
D = Decimal

# The classes the made-up leads come from, weighted toward the street's whitelist seeds
# (人力资源, 中介服务, 批发零售) and its chains.
LEAD_CLASSES = (
    ("7263", 6),
    ("7262", 5),
    ("7269", 3),
    ("7040", 3),
    ("7243", 3),
    ("7241", 2),
    ("5181", 4),
    ("5191", 3),
    ("5193", 3),
    ("5292", 2),
    ("6513", 4),
    ("6421", 2),
    ("6720", 2),
    ("5821", 2),
    ("7221", 1),
    ("7484", 1),
    ("7320", 1),
)
SOURCES = ("tenant", "agent", "fair", "building", "superior", "other")
LOST_REASONS = (
    "选择了其他区县的园区，租金补贴更高",
    "总部决定暂缓在宁波设立分支机构",
    "对楼宇物业和停车条件不满意",
    "面积需求变化，现有房源不匹配",
    "企业经营调整，项目取消",
)

PARKS = (
    # name, floors, units per floor, target level, description
    (
        "会展中心9号馆",
        2,
        14,
        "省级跨境电子商务产业园",
        "宁波国际会议展览中心9号馆改造的跨境电商集聚区（示例空间）。",
    ),
    (
        "宁波驿淘互联网产业园",
        4,
        10,
        "省级跨境电子商务产业园",
        "以跨境电商、直播电商和电商服务商为主的互联网产业园（示例空间）。",
    ),
)
# Illustrative criteria of a provincial cross-border e-commerce park: no official list was
# found (see ../shared/data/reference/README.md, known gaps); the street sets its own.
CRITERIA = (
    ("入驻跨境电商企业数", ParkCriterion.Metric.ENTERPRISES, D(60)),
    ("近12个月跨境电商进出口额（元）", ParkCriterion.Metric.TURNOVER, D(1_000_000_000)),
    ("园区面积（平方米）", ParkCriterion.Metric.AREA, D(20000)),
    ("入驻率", ParkCriterion.Metric.OCCUPANCY, D("0.80")),
    ("电商服务商数", ParkCriterion.Metric.SERVICE_PROVIDERS, D(10)),
)
CRITERIA_NOTE = "示例指标（演示数据）：街道自定的创建目标，并非官方认定标准"


def is_loaded() -> bool:
    return Lead.objects.filter(data_source=DEMO).exists()


def load(ctx, scale: float | None = None, today: dt.date | None = None) -> None:
    if is_loaded():
        ctx.say("investment: demo data already loaded")
        return
    if not OfficeBuilding.objects.filter(data_source=DEMO).exists():
        ctx.say("investment: no demo towers (load the economy's demo first): skipped")
        return
    scale = default_scale() if scale is None else scale
    today = today or timezone.localdate()
    start = time.perf_counter()
    rng = random.Random(SEED)
    with transaction.atomic():
        parks = _parks(rng, scale, today)
        leads, events = _leads(rng, scale, today)
    run = whitelist.compute(demo=True)
    if run is not None:
        investment_actions.publish_whitelist(
            run, year=today.year, note="演示数据计算（合成数据）", user=None
        )
    ctx.say(
        f"investment: {leads} leads ({events} timeline entries), {parks}, whitelist "
        f"{run.entries.count() if run else 0} industries ({time.perf_counter() - start:.1f} s)"
    )


# -- leads ---------------------------------------------------------------------------------------


def _pick(rng: random.Random, weighted) -> str:
    total = sum(w for _c, w in weighted)
    x = rng.random() * total
    for code, w in weighted:
        x -= w
        if x <= 0:
            return code
    return weighted[-1][0]


def _path(rng, opened: dt.date, end_stage: str, last: dt.date) -> list[tuple[str, dt.date]]:
    """The stages a lead went through from ``opened`` up to ``end_stage``, no later than
    ``last`` (dates spread between)."""
    order = [Stage.LEAD, Stage.CONTACT, Stage.INSPECTION, Stage.NEGOTIATION]
    steps = order[: order.index(end_stage) + 1] if end_stage in order else order
    out = [(Stage.LEAD, opened)]
    day = opened
    for stage in steps[1:]:
        day = min(day + dt.timedelta(days=rng.randint(5, 40)), last)
        out.append((stage, day))
    return out


def _leads(rng: random.Random, scale: float, today: dt.date) -> tuple[int, int]:
    street = OrgUnit.objects.filter(level=OrgUnit.Level.STREET).order_by("pk").first()
    owners = list(User.objects.filter(username__in=("investment", "building")).order_by("username"))
    first = add_months(month_start(today), -HISTORY_MONTHS)
    n_total = max(60, round(FULL_LEADS * scale))
    n_signed = round(n_total * SIGNED_SHARE)
    classes = dict(
        IndustryClass.objects.filter(code__in=[c for c, _w in LEAD_CLASSES]).values_list(
            "code", "pk"
        )
    )
    weighted = [(c, w) for c, w in LEAD_CLASSES if c in classes]
    leases = list(
        Lease.objects.filter(
            data_source=DEMO, renewed_from=None, start_date__gte=first + dt.timedelta(days=60)
        )
        .select_related("enterprise")
        .order_by("pk")
    )
    # The most recent leases first (their 落地 may not be confirmed yet), then a random draw.
    leases.sort(key=lambda x: (x.start_date, x.pk), reverse=True)
    recent = max(2, n_signed // 8)
    rest = leases[recent:]
    rng.shuffle(rest)
    leases = leases[:recent] + rest
    picked, seen = [], set()
    for lease in leases:
        if lease.enterprise_id in seen:
            continue
        seen.add(lease.enterprise_id)
        picked.append(lease)
        if len(picked) >= n_signed:
            break

    leads: list[Lead] = []
    paths: list[list[tuple[str, dt.date, str]]] = []

    def owner():
        return rng.choice(owners) if owners else None

    for index, lease in enumerate(picked):
        signed = lease.signed_on or lease.start_date
        opened = max(first, signed - dt.timedelta(days=rng.randint(60, 240)))
        path = [(s, d, "") for s, d in _path(rng, opened, Stage.NEGOTIATION, signed)]
        path.append((Stage.SIGNED, signed, ""))
        # 落地 is confirmed a week to two months after the move-in; for the most recent
        # leases the specialist still waits for the tax registration to move (税务迁入,
        # four months), so some leads of the demo stand at 签约.
        lag = 120 if index < recent else rng.randint(7, 60)
        landed = max(lease.start_date, signed) + dt.timedelta(days=lag)
        if landed <= today:
            path.append((Stage.LANDED, landed, ""))
        area = float(lease.area_m2)
        rent = lease.contract_rent
        leads.append(
            Lead(
                name=lease.enterprise.name,
                credit_code=lease.enterprise.credit_code,
                industry_id=lease.enterprise.industry_id,
                area_min_m2=D(f"{area * rng.uniform(0.75, 0.95):.0f}"),
                area_max_m2=D(f"{area * rng.uniform(1.05, 1.3):.0f}"),
                rent_budget=(rent * D("1.05")).quantize(D("0.01")) if rent else None,
                source=rng.choice(SOURCES),
                owner=owner(),
                expected_annual_tax=D(rng.randrange(20, 400) * 10000),
                expected_headcount=max(3, int(area / rng.uniform(8, 20))),
                opened_on=opened,
                stage=path[-1][0],
                stage_changed_on=path[-1][1],
                enterprise=lease.enterprise,
                lease=lease,
                org_unit=street,
                data_source=DEMO,
            )
        )
        paths.append(path)

    names = Names()
    names.taken.update(Enterprise.objects.values_list("name", flat=True))
    codes = Codes(frozenset(Enterprise.objects.values_list("credit_code", flat=True)))
    span = (today - first).days
    for _ in range(n_total - len(leads)):
        opened = first + dt.timedelta(days=int(span * rng.random() ** 0.8))
        age = (today - opened).days
        code = _pick(rng, weighted)
        # Older leads have more often been lost; recent ones are still at an early stage.
        if rng.random() < min(0.75, age / 900):
            reached = rng.choice([Stage.LEAD, Stage.CONTACT, Stage.INSPECTION, Stage.NEGOTIATION])
            path = [(s, d, "") for s, d in _path(rng, opened, reached, today)]
            lost_on = min(path[-1][1] + dt.timedelta(days=rng.randint(10, 90)), today)
            reason = rng.choice(LOST_REASONS)
            path.append((Stage.LOST, lost_on, reason))
        else:
            reached = rng.choice(
                [Stage.LEAD, Stage.CONTACT, Stage.CONTACT, Stage.INSPECTION, Stage.NEGOTIATION]
            )
            path = [(s, d, "") for s, d in _path(rng, opened, reached, today)]
            reason = ""
        low = rng.choice((100, 150, 200, 300, 400, 500, 800, 1000, 1500))
        known = rng.random() < 0.5
        leads.append(
            Lead(
                name=names.company(rng, code, True, "宁波"),
                credit_code=codes.credit_code(rng, "330212", opened) if known else "",
                industry_id=classes[code],
                area_min_m2=D(low),
                area_max_m2=D(int(low * rng.uniform(1.2, 1.6))),
                rent_budget=D(f"{rng.uniform(2.5, 6.0):.2f}"),
                preferred_grade=rng.choice(("", "", "a", "b")),
                source=rng.choice(SOURCES),
                owner=owner(),
                expected_annual_tax=D(rng.randrange(10, 300) * 10000),
                expected_headcount=max(3, int(low / rng.uniform(8, 20))),
                opened_on=opened,
                stage=path[-1][0],
                stage_changed_on=path[-1][1],
                lost_reason=reason,
                org_unit=street,
                data_source=DEMO,
            )
        )
        paths.append(path)
    Lead.objects.bulk_create(leads, batch_size=500)
    log_bulk(leads, "create")
    events = []
    for lead, path in zip(leads, paths, strict=True):
        previous = ""
        for stage, day, note in path:
            kind = LeadEvent.Kind.CREATED if stage == Stage.LEAD else LeadEvent.Kind.STAGE
            data = {}
            if stage == Stage.SIGNED and lead.lease_id:
                data = {"lease": lead.lease.contract_number, "area_m2": str(lead.lease.area_m2)}
            events.append(
                LeadEvent(
                    lead=lead,
                    kind=kind,
                    date=day,
                    from_stage=previous,
                    to_stage=stage,
                    actor_name=lead.owner.display_name if lead.owner else "",
                    note=note,
                    data=data,
                )
            )
            if stage == Stage.INSPECTION and rng.random() < 0.6:
                events.append(
                    LeadEvent(
                        lead=lead,
                        kind=LeadEvent.Kind.VISIT,
                        date=day,
                        note="实地考察楼宇与房源",
                        data={"booked": False},
                    )
                )
            previous = stage
    LeadEvent.objects.bulk_create(events, batch_size=2000)
    return len(leads), len(events)


# -- parks ---------------------------------------------------------------------------------------


def _parks(rng: random.Random, scale: float, today: dt.date) -> str:
    """The two parks: a registry building, an office building with its floors and units,
    e-commerce tenants with their leases, modes and monthly turnover, the criteria."""
    anchor = (
        OfficeBuilding.objects.filter(data_source=DEMO, building__lat__isnull=False)
        .select_related("building")
        .order_by("-building__lat", "pk")
        .first()
    )
    if anchor is None:
        return "no parks (no located tower)"
    grid = anchor.building.org_unit
    chain = IndustryChain.objects.filter(code="trade").first()
    classes = dict(
        IndustryClass.objects.filter(code__in=("5292", "5193", "7299", "5181")).values_list(
            "code", "pk"
        )
    )
    names = Names()
    names.taken.update(Enterprise.objects.values_list("name", flat=True))
    codes = Codes(frozenset(Enterprise.objects.values_list("credit_code", flat=True)))
    first = add_months(month_start(today), -HISTORY_MONTHS)
    last_month = add_months(month_start(today), -1)
    tenants_per_park = max(4, round(30 * scale))
    modes = ("9610", "9710", "9810", "1210")
    taken = Building.objects.filter(code__startswith=grid.code).values_list("code", flat=True)
    sequence = max(
        (int(c[len(grid.code) :]) for c in taken if c[len(grid.code) :].isdigit()), default=0
    )
    created = {"parks": 0, "enterprises": 0, "turnover": 0}
    for i, (name, n_floors, per_floor, level, description) in enumerate(PARKS):
        building = Building.objects.create(
            code=f"{grid.code}{sequence + 1 + i:03d}",
            name=name,
            address=f"会展路{181 + i * 2}号",
            kind="commercial",
            lon=anchor.building.lon + 0.002 * (i + 1),
            lat=anchor.building.lat + 0.001,
            floors_above=n_floors,
            org_unit=grid,
            data_source=DEMO,
        )
        office = OfficeBuilding.objects.create(
            building=building,
            grade="b",
            chain=chain,
            signature_industry="52",
            owner="宁波会展中心（示例）",
            manager="园区运营公司（示例）",
            data_source=DEMO,
        )
        units = []
        for f in range(1, n_floors + 1):
            floor = Floor.objects.create(building=office, number=f, data_source=DEMO)
            for u in range(1, per_floor + 1):
                units.append(
                    Unit(
                        building=office,
                        floor=floor,
                        code=f"{f}{u:02d}",
                        area_m2=D(rng.choice((120, 180, 240, 300, 400))),
                        asking_rent=D(f"{rng.uniform(1.6, 2.8):.2f}"),
                        org_unit=floor.org_unit,
                        data_source=DEMO,
                    )
                )
        Unit.objects.bulk_create(units)
        log_bulk([building, office, *units], "create")
        park = Park.objects.create(
            name=name,
            building=office,
            target_level=level,
            description=description,
            data_source=DEMO,
        )
        ParkCriterion.objects.bulk_create(
            [
                ParkCriterion(
                    park=park, label=label, metric=metric, target=target, source_note=CRITERIA_NOTE
                )
                for label, metric, target in CRITERIA
            ]
        )
        rng.shuffle(units)
        for n, unit in enumerate(units[:tenants_per_park]):
            service = n % 6 == 5
            code = "7299" if service else rng.choice(("5292", "5193", "5181"))
            start = first + dt.timedelta(days=rng.randint(0, 700))
            ent = Enterprise.objects.create(
                credit_code=codes.credit_code(rng, "330212", start),
                name=names.company(rng, code, True, "宁波"),
                industry_id=classes[code],
                org_unit=grid,
                founded_on=start - dt.timedelta(days=rng.randint(30, 2000)),
                data_source=DEMO,
            )
            lease = Lease.objects.create(
                contract_number=f"{building.code}-{start:%Y%m%d}-{n:02d}",
                enterprise=ent,
                building=office,
                area_m2=unit.area_m2,
                signed_on=start,
                start_date=start,
                end_date=start + dt.timedelta(days=3 * 365 - 1),
                contract_rent=unit.asking_rent,
                org_unit=grid,
                data_source=DEMO,
            )
            lease.units.set([unit])
            Unit.objects.filter(pk=unit.pk).update(status=Unit.Status.OCCUPIED)
            EnterpriseEvent.objects.create(
                enterprise=ent,
                kind=EnterpriseEvent.Kind.MOVE_IN,
                date=start,
                building=office,
                lease=lease,
            )
            log_bulk([ent, lease], "create")
            EcommerceProfile.objects.create(
                enterprise=ent,
                mode=rng.choice(modes),
                is_service_provider=service,
                data_source=DEMO,
            )
            if not service:
                size = rng.uniform(0.5, 8.0) * 1_000_000
                rows, month = [], month_start(start)
                while month <= last_month:
                    growth = 1 + 0.02 * len(rows)
                    rows.append(
                        EcommerceTurnover(
                            enterprise=ent,
                            month=month,
                            import_cny=D(f"{size * 0.2 * growth * rng.uniform(0.7, 1.3):.2f}"),
                            export_cny=D(f"{size * growth * rng.uniform(0.7, 1.3):.2f}"),
                        )
                    )
                    month = add_months(month, 1)
                EcommerceTurnover.objects.bulk_create(rows)
                created["turnover"] += len(rows)
            created["enterprises"] += 1
        created["parks"] += 1
    return (
        f"{created['parks']} parks with {created['enterprises']} e-commerce tenants and "
        f"{created['turnover']} months of turnover"
    )


LOADER = DemoLoader("investment", load, is_loaded, depends_on=("core", "economy"), order=60)
