"""The building economy's part of the demo district of 福明街道: 86 office towers (the 19 real
OpenStreetMap commercial buildings of Eastern New Town that lie in the street, with their names
and outlines, and made-up ones marked as synthetic), their floors and units, about 7,600
enterprises, 36 months of leases, tax and headcount, and real-looking move-outs.

ALL ENTERPRISES, CREDIT CODES, LEASES, TAX AND HEADCOUNT ARE SYNTHETIC (``synth.economy``). Every
row is marked ``data_source="demo"`` (the pages show "Synthetic"); the towers with an
``osm_ref`` have real names and outlines (© OpenStreetMap contributors, ODbL).

The plan is computed without the database (``synth.economy``) from the grid cells,
the landmarks, the registry's residential buildings (towers keep clear of them) and the month
the demo is loaded in (the history ends with the last complete month, so every load in the same
month gives the same data), and written in bulk: towers, floors, units and enterprises with
``bulk_create``; leases (primary keys assigned up front, so that renewals point at the lease
they continue), their units, tax, headcount and the enterprises' timelines with one prepared
INSERT per chunk (``bulk.insert_rows``). Like the cases' demo, the change log gets one entry per
registry building, office building, floor, unit, enterprise and lease (``log_bulk``); tax,
headcount and timeline rows are written with their enterprise and not logged one by one. The
monthly figures are recomputed at the end when the metrics module is there.

**Ground truth of the move-outs** (for the move-out warning benchmark): the enterprises that
left the street are those with ``status="moved_out"``; each has a ``move_out`` event (per
building) and a ``status_changed`` event on its last day held (``status_changed_on``), and no
lease in force afterwards. :func:`move_outs` reads them back as ``(credit code, month left)``;
``plan_economy(...).truth`` has the same list with the signals each showed and
from which month (and ``.false_alarms`` those that showed signals and stayed).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections import Counter
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from shapely.geometry import shape

from streetbrain.core.audit import log_bulk
from streetbrain.core.extension_points import DemoLoader
from streetbrain.core.geo import GridLocator
from streetbrain.core.models import OrgUnit, User
from streetbrain.core.months import last_complete_month, month_start
from streetbrain.economy import metrics, rules
from streetbrain.economy.measures import tax_class
from streetbrain.economy.models import (
    Enterprise,
    EnterpriseEvent,
    Floor,
    HeadcountRecord,
    IndustryChain,
    Lease,
    OfficeBuilding,
    TaxRecord,
    Unit,
)
from streetbrain.registry.codes import load_code_tables
from streetbrain.registry.models import Building, IndustryClass, Shop

from .bulk import insert_objects, insert_rows, next_pk, reset_sequences
from .context import default_scale
from .synth.district import load_osm_features
from .synth.economy.planner import annual_tax, last_buildings, main_buildings, plan_economy
from .synth.economy.plans import EconomyPlan
from .synth.economy.tables import CHAINS, HISTORY_MONTHS, SEED
from .synth.economy.world import GridSpec, World, landmarks

DEMO = "demo"
CENT = Decimal("0.01")


def is_loaded() -> bool:
    return OfficeBuilding.objects.filter(data_source=DEMO).exists()


class _Clock:
    """Wall and CPU seconds per step of the load, said as it goes."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.start, self.cpu = time.perf_counter(), time.process_time()
        self.log_seconds, self.log_entries = 0.0, 0

    def step(self, label: str, fn):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        summary = result if isinstance(result, str) else None
        self.ctx.say(
            f"economy: {label}{': ' + summary if summary else ''} "
            f"({time.perf_counter() - wall:.1f} s, CPU {time.process_time() - cpu:.1f} s)"
        )
        return result

    def log(self, objs: list, chunk: int = 5000) -> None:
        start = time.perf_counter()
        for i in range(0, len(objs), chunk):
            self.log_entries += log_bulk(objs[i : i + chunk], "create")
        self.log_seconds += time.perf_counter() - start

    def total(self) -> None:
        self.ctx.say(
            f"economy: change log {self.log_entries} entries ({self.log_seconds:.1f} s); "
            f"economy total {time.perf_counter() - self.start:.1f} s "
            f"(CPU {time.process_time() - self.cpu:.1f} s)"
        )


def load(ctx, scale: float | None = None, today: dt.date | None = None) -> None:
    """Load the economy's demo data (``ctx``: a ``DemoContext``). The 36 months end
    with the month before ``today`` (default: today)."""
    if is_loaded():
        ctx.say("economy: demo data already loaded")
        return
    if not OrgUnit.objects.filter(level=OrgUnit.Level.GRID, geometry__isnull=False).exists():
        ctx.say("economy: no grid cells with outlines (load the core demo first): skipped")
        return
    if not IndustryClass.objects.exists():  # a database migrated without its signals
        load_code_tables()
    scale = default_scale() if scale is None else scale
    today = today or timezone.localdate()
    clock = _Clock(ctx)
    with transaction.atomic():
        plan = _load(ctx, clock, scale, today)
    clock.step("monthly figures", lambda: refresh_figures(plan.first_month, today))
    clock.step("move-out warnings", lambda: raise_warnings(plan.last_month))
    clock.total()


def raise_warnings(month: dt.date) -> str:
    """The rules' warnings of the last month of the history, as the nightly task raises them,
    so the demo's 楼长 and 楼宇专员 have warnings to follow up."""
    return f"{len(rules.raise_warnings(month))} raised for {month:%Y-%m}"


def world_from_db(
    today: dt.date, street: OrgUnit | None = None, code_share: tuple[int, int] = (0, 1)
) -> World:
    """The generator's ``World`` from the database (of one ``street``'s grid cells, for a
    district of several: ``bench/district``)."""
    units = OrgUnit.objects.filter(level=OrgUnit.Level.GRID, geometry__isnull=False)
    homes_qs = Building.objects.filter(kind=Building.Kind.RESIDENTIAL, lon__isnull=False)
    if street is not None:
        units = units.filter(code__startswith=street.code)
        homes_qs = homes_qs.filter(org_unit__code__startswith=street.code)
    grids = [
        GridSpec(g.code, g.parent.name if g.parent_id else "", shape(g.geometry))
        for g in units.select_related("parent").order_by("code")
    ]
    homes = list(homes_qs.values_list("lon", "lat"))
    taken = set(Shop.objects.values_list("credit_code", flat=True))
    taken |= set(Enterprise.objects.values_list("credit_code", flat=True))
    usernames = set(
        User.objects.filter(username__in=("leader", "building")).values_list("username", flat=True)
    )
    return World(
        grids=grids,
        landmarks=landmarks(grids, GridLocator, load_osm_features()),
        last_month=last_complete_month(today),
        industries=frozenset(IndustryClass.objects.values_list("code", flat=True)),
        homes=homes,
        taken_codes=frozenset(c for c in taken if c),
        taken_buildings=frozenset(Building.objects.values_list("code", flat=True)),
        leaders=tuple(u for u in ("leader", "building") if u in usernames),
        code_share=code_share,
    )


def _money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def _load(
    ctx,
    clock: _Clock,
    scale: float,
    today: dt.date,
    *,
    street: OrgUnit | None = None,
    seed: int = SEED,
    writing=contextlib.nullcontext,
    numbering=contextlib.nullcontext,
    code_share: tuple[int, int] = (0, 1),
) -> EconomyPlan:
    """The economy's history; for a district of several streets (``bench/district``) one
    ``street`` at a time with its own ``seed``, written inside ``writing()`` (the district's
    planning runs outside, each writer with its ``code_share`` of the credit codes); the leases,
    whose ids are given up front (``next_pk``), and the timelines that point at them are written
    inside ``numbering()`` too (the district's writers take turns there)."""
    world = clock.step("world read", lambda: world_from_db(today, street, code_share))
    plan = clock.step(
        f"history planned (scale {scale:g})",
        lambda: plan_economy(world, scale=scale, seed=seed),
    )
    grids = {u.code: u for u in OrgUnit.objects.filter(level=OrgUnit.Level.GRID)}
    out: dict = {}
    with writing():
        clock.step("industrial chains", lambda: _write_chains(out))
        clock.step("office buildings", lambda: _write_buildings(clock, plan, grids, out))
        clock.step("floors and units", lambda: _write_space(clock, plan, out))
        clock.step("enterprises", lambda: _write_enterprises(clock, plan, out))
        clock.step("tax and headcount", lambda: _write_monthly(plan, out))
        with numbering():
            clock.step("leases", lambda: _write_leases(clock, plan, out))
            clock.step("timelines", lambda: _write_events(plan, out))
    ctx.say("economy: " + describe(plan))
    return plan


def _write_chains(out: dict) -> str:
    chains, made = {}, 0
    for code, name, industries, description in CHAINS:
        chain = IndustryChain.objects.filter(code=code).first()
        if chain is None:
            chain = IndustryChain(
                code=code, name=name, industries=industries, description=description
            )
            chain.full_clean()
            chain.save()
            made += 1
        chains[code] = chain
    out["chains"] = chains
    return f"{made} created"


def _write_buildings(clock: _Clock, plan: EconomyPlan, grids: dict, out: dict) -> str:
    registry = []
    for b in plan.buildings:
        registry.append(
            Building(
                code=b.code,
                name=b.name,
                address=b.address,
                kind=b.kind,
                lon=b.lon,
                lat=b.lat,
                footprint=b.footprint or None,
                floors_above=b.floors_above,
                floors_below=b.floors_below,
                gross_area_m2=_money(b.gross_area),
                year_built=b.year_built,
                property_manager=b.property_manager,
                org_unit=grids[b.grid],
                data_source=DEMO,
            )
        )
    Building.objects.bulk_create(registry, batch_size=500)
    clock.log(registry)
    users = {u.username: u for u in User.objects.filter(username__in=("leader", "building"))}
    offices = []
    for b, building in zip(plan.buildings, registry, strict=True):
        offices.append(
            OfficeBuilding(
                building=building,
                grade=b.grade,
                owner=b.owner,
                manager=b.manager,
                leader=users.get(b.leader) if b.leader else None,
                chain=out["chains"][b.chain],
                signature_industry=b.signature_industry,
                signature_share=Decimal(f"{b.signature_share:.3f}"),
                osm_ref=b.osm_ref,
                org_unit=building.org_unit,
                data_source=DEMO,
            )
        )
    OfficeBuilding.objects.bulk_create(offices, batch_size=500)
    clock.log(offices)
    out["offices"] = offices
    real = sum(1 for b in plan.buildings if b.osm_ref)
    return (
        f"{len(offices)} towers ({real} real OpenStreetMap buildings, "
        f"{len(offices) - real} made up), as registry buildings and office buildings"
    )


def _write_space(clock: _Clock, plan: EconomyPlan, out: dict) -> str:
    offices = out["offices"]
    floors: list[Floor] = []
    floor_of: dict[tuple[int, int], Floor] = {}
    for b in plan.buildings:
        office = offices[b.index]
        for f in b.floors:
            floor = Floor(
                building=office,
                number=f.number,
                label=f.label,
                use=f.use,
                org_unit=office.org_unit,
                data_source=DEMO,
            )
            floors.append(floor)
            floor_of[(b.index, f.number)] = floor
    Floor.objects.bulk_create(floors, batch_size=1000)
    clock.log(floors)
    units = []
    for u in plan.units:
        floor = floor_of[(u.building, u.floor)]
        units.append(
            Unit(
                building=floor.building,
                floor=floor,
                code=u.code,
                area_m2=_money(u.area),
                status=u.status,
                asking_rent=_money(u.asking_rent),
                org_unit=floor.org_unit,
                data_source=DEMO,
            )
        )
    Unit.objects.bulk_create(units, batch_size=2000)
    clock.log(units)
    out["units"] = units
    statuses = Counter(u.status for u in plan.units)
    return (
        f"{len(floors)} floors, {len(units)} units ("
        + ", ".join(f"{k} {v}" for k, v in statuses.most_common())
        + ")"
    )


def _write_enterprises(clock: _Clock, plan: EconomyPlan, out: dict) -> str:
    industries = {c.code: c for c in IndustryClass.objects.all()}
    offices = out["offices"]
    main = main_buildings(plan, plan.last_month)
    last = last_buildings(plan)
    objs = []
    for e in plan.enterprises:
        office = offices[main.get(e.index, last[e.index])]
        objs.append(
            Enterprise(
                credit_code=e.credit_code,
                name=e.name,
                industry=industries[e.industry],
                founded_on=e.founded_on,
                registered_capital=_money(e.capital),
                locally_registered=e.local,
                registered_address=e.registered_address,
                status=e.status,
                status_changed_on=e.status_changed_on,
                org_unit=office.org_unit,
                data_source=DEMO,
            )
        )
    Enterprise.objects.bulk_create(objs, batch_size=2000)
    clock.log(objs)
    out["enterprises"] = objs
    statuses = Counter(e.status for e in plan.enterprises)
    local = sum(1 for e in plan.enterprises if e.local)
    return (
        f"{len(objs)} ("
        + ", ".join(f"{k} {v}" for k, v in statuses.most_common())
        + f"; {100 * local / max(1, len(objs)):.0f}% registered for tax locally)"
    )


def _write_leases(clock: _Clock, plan: EconomyPlan, out: dict) -> str:
    offices, enterprises, units = out["offices"], out["enterprises"], out["units"]
    first = next_pk(Lease)
    objs = []
    for lease in plan.leases:
        office = offices[lease.building]
        objs.append(
            Lease(
                id=first + lease.index,
                contract_number=lease.contract_number,
                enterprise=enterprises[lease.enterprise],
                building=office,
                area_m2=_money(lease.area),
                signed_on=lease.signed_on,
                start_date=lease.start,
                end_date=lease.end,
                rent_free_months=Decimal(f"{lease.rent_free:.1f}"),
                contract_rent=_money(lease.rent),
                state=lease.state,
                ended_on=lease.ended_on,
                renewed_from_id=(
                    first + lease.renewed_from if lease.renewed_from is not None else None
                ),
                org_unit=office.org_unit,
                data_source=DEMO,
            )
        )
    insert_objects(Lease, objs)
    through = Lease.units.through
    links = insert_rows(
        through,
        ["lease_id", "unit_id"],
        ((first + lease.index, units[u].pk) for lease in plan.leases for u in lease.units),
    )
    reset_sequences(Lease)
    # The change log's snapshots list the units: give each lease its units as prefetched.
    for lease, obj in zip(plan.leases, objs, strict=True):
        qs = Unit.objects.none()
        qs._result_cache = sorted((units[u] for u in lease.units), key=lambda x: x.pk)
        qs._prefetch_done = True
        obj._prefetched_objects_cache = {"units": qs}
    clock.log(objs)
    for obj in objs:
        obj._prefetched_objects_cache = {}
    out["leases"] = objs
    states = Counter(lease.state for lease in plan.leases)
    renewals = sum(1 for lease in plan.leases if lease.renewed_from is not None)
    return (
        f"{len(objs)} leases ("
        + ", ".join(f"{k} {v}" for k, v in states.most_common())
        + f"; {renewals} renewals), {links} lease units"
    )


def _write_monthly(plan: EconomyPlan, out: dict) -> str:
    enterprises = out["enterprises"]
    day = connection.ops.adapt_datefield_value  # as the driver takes a date (text on SQLite)
    months = [day(plan.month(m)) for m in range(HISTORY_MONTHS)]
    tax = insert_rows(
        TaxRecord,
        ["enterprise_id", "month", "total_tax", "local_tax"],
        (
            (enterprises[e.index].pk, months[m], _money(total), _money(local))
            for e in plan.enterprises
            for m, total, local in e.tax
        ),
        prepared=True,
    )
    staff = insert_rows(
        HeadcountRecord,
        ["enterprise_id", "month", "headcount", "insured"],
        (
            (enterprises[e.index].pk, months[m], hc, insured)
            for e in plan.enterprises
            for m, hc, insured in e.staff
        ),
        prepared=True,
    )
    return f"{tax} monthly tax records, {staff} headcount records"


EVENT_COLUMNS = [
    "enterprise_id",
    "kind",
    "date",
    "recorded_at",
    "building_id",
    "lease_id",
    "warning_id",
    "user_id",
    "actor_name",
    "note",
    "data",
]


def _write_events(plan: EconomyPlan, out: dict) -> str:
    enterprises, offices, leases = out["enterprises"], out["offices"], out["leases"]
    zone = timezone.get_current_timezone()
    day = connection.ops.adapt_datefield_value
    kinds = Counter()

    def rows():
        for ev in plan.events:
            kinds[ev.kind] += 1
            yield (
                enterprises[ev.enterprise].pk,
                ev.kind,
                day(ev.date),
                # recorded on the day it happened (the system's own entries, user empty)
                dt.datetime.combine(ev.date, dt.time(18, 0), tzinfo=zone),
                offices[ev.building].pk if ev.building is not None else None,
                leases[ev.lease].pk if ev.lease is not None else None,
                None,
                None,
                "",
                "",
                ev.data,
            )

    n = insert_rows(EnterpriseEvent, EVENT_COLUMNS, rows())
    return f"{n} events (" + ", ".join(f"{k} {v}" for k, v in kinds.most_common()) + ")"


def describe(plan: EconomyPlan) -> str:
    """One line of what the history holds: tax classes, move-outs, 去化."""
    last12 = annual_tax(plan, range(HISTORY_MONTHS - 12, 36))
    yi = sorted(
        ((t, plan.buildings[b].name) for b, t in last12.items() if tax_class(t) == "yi"),
        reverse=True,
    )
    classes = Counter(tax_class(t) for t in last12.values())
    near, qianwan = classes["near_yi"], classes["qianwan"]
    signalled = sum(1 for t in plan.truth if t.signals)
    year = plan.last_month.year
    leased = sum(
        lease.area
        for lease in plan.leases
        if lease.renewed_from is None
        and lease.start.year == year
        and lease.start >= plan.first_month
    )
    return (
        f"{plan.first_month:%Y-%m} to {plan.last_month:%Y-%m}: 亿元楼宇 "
        + "、".join(f"{name} {t / 1e8:.2f}亿" for t, name in yi)
        + f"; {near} 准亿元, {qianwan} 千万元楼宇 (last 12 months); {len(plan.truth)} "
        f"move-outs ({signalled} with signals before, {len(plan.truth) - signalled} without), "
        f"{len(plan.deregistered)} closed down, {len(plan.false_alarms)} signals without a "
        f"move-out; 去化 {year} to {plan.last_month:%m}: {leased:,.0f} m²"
    )


def refresh_figures(first: dt.date, today: dt.date) -> str:
    """Precompute the monthly figures of the history (as the cases demo does its evaluation
    figures), so the dashboard has figures at once."""
    return f"{metrics.refresh_months(first, month_start(today))} rows"


def move_outs() -> list[tuple[str, dt.date]]:
    """The ground truth of the demo's move-outs from the database: (credit code, month left)
    of every enterprise that left the street, by its last day held."""
    rows = Enterprise.objects.filter(status=Enterprise.Status.MOVED_OUT).values_list(
        "credit_code", "status_changed_on"
    )
    return sorted((code, month_start(day)) for code, day in rows)


LOADER = DemoLoader("economy", load, is_loaded, depends_on=("core", "registry"), order=40)
