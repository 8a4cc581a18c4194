"""The building economy's demo: the full-scale plan without the database (80+ towers, 7,000+
enterprises with valid credit codes, a CBD's industry mix, tax tiers, 去化, move-outs with and
without signals), determinism, and a small load checked row by row against the model's rules
(no unit let twice at once, renewal chains, move-outs with their events and nothing held
after, timelines, unit statuses, the change log) and against the plan it came from."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.db import connection, transaction
from shapely.geometry import Point, shape

from streetbrain.core import extension_points as ep
from streetbrain.core.audit import audit_context
from streetbrain.core.identifiers import is_valid_credit_code
from streetbrain.core.models import ChangeLogEntry, OrgUnit
from streetbrain.core.months import add_months, last_complete_month, last_day
from streetbrain.demo import core as core_demo
from streetbrain.demo import economy as economy_demo
from streetbrain.demo import registry as registry_demo
from streetbrain.demo.context import DemoContext
from streetbrain.demo.extensions import in_order
from streetbrain.demo.synth.economy.planner import annual_tax, plan_economy
from streetbrain.demo.synth.economy.plans import EconomyPlan
from streetbrain.demo.synth.economy.tax import _SEASON
from streetbrain.demo.synth.economy.world import World, world_from_files
from streetbrain.economy.models import (
    OFFICE_KINDS,
    Enterprise,
    EnterpriseEvent,
    Floor,
    HeadcountRecord,
    IndustryChain,
    Lease,
    MonthlyFigure,
    MoveOutWarning,
    OfficeBuilding,
    TaxRecord,
    Unit,
    validate_industry_prefix,
)
from streetbrain.registry.models import Building, Shop

SCALE = 0.05  # 4 towers
TODAY = dt.date(2026, 3, 18)
LAST = dt.date(2026, 2, 1)  # the last complete month on TODAY
FIRST = dt.date(2023, 3, 1)


# --- the plan without the database ------------------------------------------------------------


@pytest.fixture(scope="module")
def full_plan():
    return plan_economy(world_from_files(LAST), scale=1.0)


def _fingerprint(plan: EconomyPlan) -> tuple:
    return (
        [(b.code, b.name, b.grade, b.tax_target, len(b.floors)) for b in plan.buildings],
        [(u.building, u.code, u.area, u.status) for u in plan.units],
        [(e.credit_code, e.name, e.industry, e.status, e.tax, e.staff) for e in plan.enterprises],
        [
            (x.contract_number, x.enterprise, x.units, x.start, x.end, x.state, x.ended_on)
            for x in plan.leases
        ],
        [(ev.enterprise, ev.kind, ev.date, ev.lease) for ev in plan.events],
        plan.truth,
    )


def test_full_scale_meets_the_brief(full_plan):
    plan = full_plan
    assert (plan.first_month, plan.last_month) == (FIRST, LAST)
    assert len(plan.buildings) == 86
    real = {b.name: b for b in plan.buildings if b.osm_ref}
    assert len(real) == 19
    ifc = real["宁波国际金融服务中心"]
    assert ifc.osm_ref.startswith("eastern_new_town_osm#") and ifc.footprint["type"] == "Polygon"
    assert all(b.kind in OFFICE_KINDS for b in plan.buildings)
    assert len({b.code for b in plan.buildings}) == 86
    assert len({b.name for b in plan.buildings}) == 86
    active = [e for e in plan.enterprises if e.status == "active"]
    assert len(plan.enterprises) >= 7500 and len(active) >= 7000
    assert 15_000 <= len(plan.leases) <= 25_000
    assert 11_000 <= len(plan.units) <= 16_000


def test_credit_codes_are_valid_unique_and_well_formed(full_plan):
    codes = [e.credit_code for e in full_plan.enterprises]
    assert len(set(codes)) == len(codes)
    assert all(is_valid_credit_code(c) for c in codes)
    assert all(c[:2] == "91" for c in codes)
    local_areas = Counter(e.credit_code[2:8] for e in full_plan.enterprises if e.local)
    assert set(local_areas) == {"330212", "330204", "330200"}
    # the organisation code (positions 9–17) carries its own GB 11714 check character
    from streetbrain.demo.synth.people import gb11714_check_char

    assert all(gb11714_check_char(c[8:16]) == c[16] for c in codes)
    names = [e.name for e in full_plan.enterprises]
    assert len(set(names)) == len(names)


def test_industry_mix_is_a_cbds(full_plan):
    enterprises = full_plan.enterprises
    section_of = _sections()
    sections = Counter(section_of[e.industry] for e in enterprises)
    main = sum(sections[s] for s in "FGIJKLM")
    assert main / len(enterprises) >= 0.85
    for s in "FGIJKLM":
        assert sections[s] / len(enterprises) >= 0.03, s
    local = sum(e.local for e in enterprises) / len(enterprises)
    assert 0.70 <= local <= 0.85


def _sections() -> dict[str, str]:
    """GB/T 4754-2017 小类 → 门类, from the shipped table."""
    import csv

    from streetbrain.demo.synth.district import DATA_DIR

    with open(DATA_DIR / "standards" / "gbt4754_2017_classes.csv", encoding="utf-8") as f:
        return {row["class_code"]: row["section"] for row in csv.DictReader(f)}


def test_floors_and_units_are_realistic(full_plan):
    units = full_plan.units
    for b in full_plan.buildings:
        if b.kind != "commercial":
            assert 14 <= b.floors_above <= 42, b.name
        office = [f for f in b.floors if f.use == "office" and f.units]
        for f in office:
            assert 4 <= len(f.units) <= 12
            area = sum(units[u].area for u in f.units)
            assert 1200 - 0.1 <= area <= 2500 + 0.1
        assert all(f.number != 0 for f in b.floors)
        assert len({units[u].code for f in b.floors for u in f.units}) == sum(
            len(f.units) for f in b.floors
        )
    rents = [u.asking_rent for u in units if not u.retail]
    assert 2.5 <= min(rents) and max(rents) <= 6.5


def test_tax_tiers_and_lease_up(full_plan):
    plan = full_plan
    last12 = annual_tax(plan, range(24, 36))
    yi = sorted((t, plan.buildings[b].name) for b, t in last12.items() if t >= 1e8)
    assert len(yi) == 6
    assert yi[-1][1] == "宁波国际金融服务中心" and yi[-1][0] > 4e8
    near = [t for t in last12.values() if 0.8e8 <= t < 1e8]
    assert len(near) == 4
    assert sum(1 for t in last12.values() if 1e7 <= t < 0.8e8) >= 25
    assert 2e9 <= sum(last12.values()) <= 4e9
    months = {m for e in plan.enterprises for m, _t, _l in e.tax}
    assert months == set(range(36))
    total = sum(t for e in plan.enterprises for _m, t, _l in e.tax)
    local = sum(x for e in plan.enterprises for _m, _t, x in e.tax)
    assert 0.30 <= local / total <= 0.50
    # 去化: tens of thousands of m² a year of new leases (renewals excluded)
    by_year = Counter()
    for lease in plan.leases:
        if lease.renewed_from is None and lease.start >= plan.first_month:
            by_year[lease.start.year] += lease.area
    for year in (2024, 2025):
        assert 40_000 <= by_year[year] <= 150_000, (year, by_year[year])


def test_move_outs_and_their_signals(full_plan):
    plan = full_plan
    truth = plan.truth
    assert 200 <= len(truth) <= 500
    signalled = [t for t in truth if t.signals]
    assert 0.65 <= len(signalled) / len(truth) <= 0.9
    assert {t.mode for t in truth} == {"expiry", "early"}
    assert {t.lead_months for t in signalled} <= set(range(1, 10))
    assert len({t.lead_months for t in signalled}) == 9
    assert len(plan.false_alarms) >= 100
    codes = {e.credit_code: e for e in plan.enterprises}
    assert all(codes[t.credit_code].status == "moved_out" for t in truth)
    assert sum(e.status == "moved_out" for e in plan.enterprises) == len(truth)
    index = {e.credit_code: e.index for e in plan.enterprises}
    checked = fell = 0
    for t in signalled:
        e = codes[t.credit_code]
        onset = (t.onset.year - FIRST.year) * 12 + t.onset.month - FIRST.month
        left = (t.month.year - FIRST.year) * 12 + t.month.month - FIRST.month
        if "tax" in t.signals and onset >= 3 and left - onset >= 5:
            tax = {m: v for m, v, _l in e.tax}
            season = _SEASON
            before = sum(
                tax.get(m, 0) / season.get(plan.month(m).month, 1) for m in range(onset - 3, onset)
            )
            after = sum(
                tax.get(m, 0) / season.get(plan.month(m).month, 1) for m in range(left - 3, left)
            )
            fell += after < 0.65 * before
            checked += 1
        if "area" in t.signals:
            mine = [x for x in plan.leases if x.enterprise == index[t.credit_code]]
            assert any(
                x.renewed_from is not None
                and x.area < plan.leases[x.renewed_from].area
                and t.onset <= x.start <= t.last_day
                for x in mine
            ), t
    # tax down by more than 35 % (seasons taken out) in the quarter before leaving against
    # the quarter before the signals began, for nearly all (noise and zero months aside)
    assert checked >= 30 and fell / checked >= 0.85


def test_plan_is_deterministic():
    world = world_from_files(LAST)
    a = plan_economy(world, scale=0.1)
    b = plan_economy(world, scale=0.1)
    assert _fingerprint(a) == _fingerprint(b)
    reordered = World(
        grids=list(reversed(world.grids)),
        landmarks=list(reversed(world.landmarks)),
        last_month=world.last_month,
        industries=world.industries,
    )
    assert _fingerprint(plan_economy(reordered, scale=0.1)) == _fingerprint(a)
    other = plan_economy(world, scale=0.1, seed=1)
    assert _fingerprint(other) != _fingerprint(a)
    assert last_complete_month(dt.date(2026, 3, 1)) == last_complete_month(TODAY) == LAST


# --- a small load -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def district(django_db_setup, django_db_blocker):
    """Core, registry (2 %) and economy demo (4 towers) on TODAY, loaded once for the module
    and rolled back after; the plan computed from the same database state before the load."""
    with django_db_blocker.unblock(), transaction.atomic():
        ctx = DemoContext(password="streetbrain-demo")
        with audit_context(source="cli", reason="demo load"):
            core_demo.load(ctx)
            registry_demo.load(ctx, scale=0.02)
            plan = plan_economy(economy_demo.world_from_db(TODAY), scale=SCALE)
            economy_demo.load(ctx, scale=SCALE, today=TODAY)
        yield ctx, plan
        transaction.set_rollback(True)


def test_the_economy_loads_after_the_registry_and_the_cases():
    keys = [loader.key for loader in in_order(ep.items(ep.DemoLoader))]
    assert keys.index("economy") > keys.index("registry")
    assert keys.index("economy") > keys.index("cases")


@pytest.mark.django_db
def test_load_writes_the_plan(district):
    ctx, plan = district
    assert economy_demo.is_loaded()
    assert OfficeBuilding.objects.count() == len(plan.buildings) == 4
    assert Floor.objects.count() == sum(len(b.floors) for b in plan.buildings)
    assert Unit.objects.count() == len(plan.units)
    assert Enterprise.objects.count() == len(plan.enterprises)
    assert set(Enterprise.objects.values_list("credit_code", flat=True)) == {
        e.credit_code for e in plan.enterprises
    }
    assert Lease.objects.count() == len(plan.leases)
    assert TaxRecord.objects.count() == sum(len(e.tax) for e in plan.enterprises)
    assert HeadcountRecord.objects.count() == sum(len(e.staff) for e in plan.enterprises)
    # The history's events, plus one per warning the rules raised at the end of the load.
    raised = EnterpriseEvent.objects.filter(kind="warning_raised")
    assert EnterpriseEvent.objects.exclude(kind="warning_raised").count() == len(plan.events)
    assert raised.count() == MoveOutWarning.objects.count()
    assert Lease.units.through.objects.count() == sum(len(x.units) for x in plan.leases)
    total = sum(Decimal(f"{t:.2f}") for e in plan.enterprises for _m, t, _l in e.tax)
    assert sum(TaxRecord.objects.values_list("total_tax", flat=True)) == total
    assert IndustryChain.objects.count() == 5
    said = "\n".join(ctx.log)
    assert "economy: office buildings: 4 towers" in said and "economy total" in said


@pytest.mark.django_db
def test_towers_are_registry_buildings_marked_as_demo(district):
    street = shape(OrgUnit.objects.get(level="street").geometry)
    for office in OfficeBuilding.objects.select_related("building", "org_unit", "chain"):
        b = office.building
        assert b.kind in OFFICE_KINDS and b.data_source == office.data_source == "demo"
        assert office.org_unit_id == b.org_unit_id
        assert shape(b.org_unit.geometry).covers(Point(b.lon, b.lat))
        assert street.covers(shape(b.footprint).centroid)
        assert office.chain is not None
        validate_industry_prefix(office.signature_industry)
        office.full_clean()
        b.full_clean()
    ifc = OfficeBuilding.objects.get(building__name="宁波国际金融服务中心")
    assert ifc.osm_ref and ifc.grade == "super_a" and ifc.leader.username == "leader"
    made_up = OfficeBuilding.objects.filter(osm_ref="")
    assert made_up.count() == 3
    assert all(o.leader is None or o.leader.username in ("leader", "building") for o in made_up)
    assert all(c.full_clean() is None for c in IndustryChain.objects.all())


@pytest.mark.django_db
def test_credit_codes_valid_unique_and_apart_from_the_shops(district):
    codes = list(Enterprise.objects.values_list("credit_code", flat=True))
    assert len(codes) == len(set(codes)) and all(is_valid_credit_code(c) for c in codes)
    assert not set(codes) & set(Shop.objects.values_list("credit_code", flat=True))
    for e in Enterprise.objects.order_by("pk")[:60]:
        e.full_clean()


@pytest.mark.django_db
def test_no_unit_is_let_twice_at_once(district):
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM economy_lease_units a
            JOIN economy_lease_units b ON a.unit_id = b.unit_id AND a.lease_id < b.lease_id
            JOIN economy_lease la ON la.id = a.lease_id
            JOIN economy_lease lb ON lb.id = b.lease_id
            WHERE la.start_date <= COALESCE(lb.ended_on, lb.end_date)
              AND lb.start_date <= COALESCE(la.ended_on, la.end_date)
            """
        )
        assert cursor.fetchone()[0] == 0
    assert Lease.units.through.objects.count() > 1.5 * Unit.objects.count()  # renewed, re-let
    for lease in Lease.objects.prefetch_related("units").order_by("pk")[:400]:
        units = list(lease.units.all())
        assert {u.building_id for u in units} == {lease.building_id}
        assert lease.area_m2 == sum(u.area_m2 for u in units)
        lease.full_clean()


@pytest.mark.django_db
def test_lease_states_and_renewal_chains(district):
    leases = {x.pk: x for x in Lease.objects.select_related("enterprise")}
    renewed_events = {
        ev.lease_id: ev for ev in EnterpriseEvent.objects.filter(kind="lease_renewed")
    }
    renewals = 0
    for lease in leases.values():
        if lease.state == "active":
            assert lease.ended_on is None and lease.end_date >= LAST
        else:
            assert lease.ended_on is not None and lease.ended_on < TODAY
        if lease.state == "ended":
            assert lease.ended_on == lease.end_date
        if lease.state == "terminated":
            assert lease.ended_on < lease.end_date
        if lease.renewed_from_id:
            old = leases[lease.renewed_from_id]
            assert old.state == "renewed" and old.ended_on == lease.start_date - dt.timedelta(1)
            assert (old.enterprise_id, old.building_id) == (lease.enterprise_id, lease.building_id)
            event = renewed_events[lease.pk]
            assert event.data["renewal_of"] == old.contract_number
            assert Decimal(event.data["area_change_m2"]) == lease.area_m2 - old.area_m2
            renewals += 1
    assert renewals == len(renewed_events) > 100
    renewed = [x for x in leases.values() if x.state == "renewed"]
    assert all(hasattr(x, "renewal") for x in renewed)
    assert sum(1 for x in leases.values() if x.state in ("ended", "terminated")) > 10


@pytest.mark.django_db
def test_move_outs_have_their_events_and_hold_nothing_after(district):
    _ctx, plan = district
    moved = Enterprise.objects.filter(status="moved_out")
    assert moved.count() == len(plan.truth) >= 5
    truth = economy_demo.move_outs()
    assert truth == sorted((t.credit_code, t.month) for t in plan.truth)
    for e in moved:
        left = e.status_changed_on
        assert not e.leases.filter(state="active").exists()
        assert max(x.last_day for x in e.leases.all()) == left
        kinds = set(e.events.filter(date=left).values_list("kind", flat=True))
        assert {"move_out", "status_changed"} <= kinds
        assert not e.tax_records.filter(month__gt=left).exists()
        assert not e.headcounts.filter(month__gt=left).exists()
    for e in Enterprise.objects.filter(status="active"):
        assert e.leases.filter(state="active").exists()


@pytest.mark.django_db
def test_timelines_follow_the_leases(district):
    events = defaultdict(list)
    for ev in EnterpriseEvent.objects.order_by("date", "pk"):
        events[ev.enterprise_id].append(ev)
        assert ev.date <= TODAY
    for e in Enterprise.objects.prefetch_related("leases"):
        leases = sorted(e.leases.all(), key=lambda x: (x.start_date, x.pk))
        mine = events[e.pk]
        first = leases[0]
        assert any(
            ev.kind == "move_in" and ev.date == first.start_date and ev.lease_id == first.pk
            for ev in mine
        )
        signed = {ev.lease_id for ev in mine if ev.kind == "lease_signed"}
        assert signed == {x.pk for x in leases if not x.renewed_from_id}
        ended = {ev.lease_id for ev in mine if ev.kind in ("lease_ended", "lease_terminated")}
        assert ended == {x.pk for x in leases if x.state in ("ended", "terminated")}
        outs = Counter(ev.building_id for ev in mine if ev.kind == "move_out")
        ins = Counter(ev.building_id for ev in mine if ev.kind == "move_in")
        for building, n in outs.items():
            assert n <= ins[building]


@pytest.mark.django_db
def test_unit_statuses_agree_with_the_leases_in_force(district):
    held = set(
        Lease.units.through.objects.filter(lease__state="active").values_list("unit_id", flat=True)
    )
    statuses = Counter()
    for unit in Unit.objects.all():
        statuses[unit.status] += 1
        if unit.pk in held:
            assert unit.status in Unit.LET
        else:
            assert unit.status not in Unit.LET
        assert unit.asking_rent is not None and Decimal("2.5") <= unit.asking_rent <= 8
    assert statuses["occupied"] > statuses["vacant_available"] > 0


@pytest.mark.django_db
def test_enterprises_are_scoped_by_their_main_building(district):
    for e in Enterprise.objects.filter(status="active").prefetch_related("leases__building"):
        area = defaultdict(Decimal)
        for x in e.leases.all():
            if x.state == "active":
                area[x.building] += x.area_m2
        main = min(area, key=lambda b: (-area[b], b.building.code))
        assert e.org_unit_id == main.org_unit_id


@pytest.mark.django_db
def test_the_tallest_tower_pays_over_a_hundred_million(district):
    _ctx, plan = district
    months = set(range(24, 36))
    held = defaultdict(lambda: defaultdict(Decimal))
    for x in Lease.objects.select_related("building__building"):
        for m in months:
            end = last_day(add_months(FIRST, m))
            if x.start_date <= end <= x.last_day:
                held[(x.enterprise_id, end.replace(day=1))][x.building.building.name] += x.area_m2
    tax = defaultdict(Decimal)
    for enterprise, month, total in TaxRecord.objects.filter(
        month__gte=add_months(FIRST, 24)
    ).values_list("enterprise_id", "month", "total_tax"):
        share = held.get((enterprise, month))
        if share:
            whole = sum(share.values())
            for name, area in share.items():
                tax[name] += total * area / whole
    assert tax["宁波国际金融服务中心"] >= 100_000_000
    assert sum(1 for t in tax.values() if t >= 100_000_000) == sum(
        1 for b in plan.buildings if b.tax_target >= 1e8
    )


@pytest.mark.django_db
def test_change_log_has_the_rows(district):
    entries = ChangeLogEntry.objects.filter(source="cli", reason="demo load", action="create")
    for model in (OfficeBuilding, Floor, Unit, Enterprise, Lease):
        name = model._meta.model_name
        logged = entries.filter(content_type__app_label="economy", content_type__model=name)
        assert logged.count() == model.objects.count(), name
    lease = Lease.objects.filter(renewed_from__isnull=False).first()
    entry = entries.get(content_type__model="lease", object_id=str(lease.pk))
    assert entry.postchange["units"] == sorted(lease.units.values_list("pk", flat=True))
    assert entry.related_object_id == str(lease.enterprise_id)
    offices = Building.objects.filter(kind__in=OFFICE_KINDS).count()
    assert entries.filter(content_type__model="building").count() >= offices


@pytest.mark.django_db
def test_monthly_figures_computed(district):
    figures = MonthlyFigure.objects.filter(scope="street")
    assert figures.filter(month=FIRST).exists() and figures.filter(month=LAST).exists()


@pytest.mark.django_db
def test_second_load_is_skipped_and_two_loads_are_the_same(district):
    ctx = DemoContext(password="streetbrain-demo")
    before = _db_fingerprint()
    economy_demo.load(ctx, scale=SCALE, today=TODAY)
    assert ctx.log == ["economy: demo data already loaded"]
    assert _db_fingerprint() == before
    with transaction.atomic():
        _delete_economy_demo()
        assert not economy_demo.is_loaded()
        economy_demo.load(DemoContext(), scale=SCALE, today=TODAY)
        assert _db_fingerprint() == before
        transaction.set_rollback(True)


def _db_fingerprint() -> tuple:
    return (
        sorted(
            Enterprise.objects.values_list(
                "credit_code", "name", "industry__code", "status", "status_changed_on", "org_unit"
            )
        ),
        sorted(
            Lease.objects.values_list(
                "contract_number",
                "enterprise__credit_code",
                "building__building__code",
                "area_m2",
                "start_date",
                "end_date",
                "state",
                "ended_on",
                "renewed_from__contract_number",
            )
        ),
        sorted(Unit.objects.values_list("building__building__code", "code", "area_m2", "status")),
        sorted(
            TaxRecord.objects.values_list(
                "enterprise__credit_code", "month", "total_tax", "local_tax"
            )
        ),
        sorted(
            EnterpriseEvent.objects.values_list(
                "enterprise__credit_code", "kind", "date", "lease__contract_number"
            )
        ),
    )


def _delete_economy_demo() -> None:
    """Remove the economy demo's rows without signals (the change log keeps its entries)."""
    from streetbrain.economy.models import MoveOutWarning

    for model in (EnterpriseEvent, TaxRecord, HeadcountRecord, MonthlyFigure, MoveOutWarning):
        model.objects.all()._raw_delete(connection.alias)
    Lease.units.through.objects.all()._raw_delete(connection.alias)
    Lease.objects.update(renewed_from=None)
    for model in (Lease, Unit, Floor, Enterprise, OfficeBuilding):
        model.objects.all()._raw_delete(connection.alias)
    Building.objects.filter(kind__in=OFFICE_KINDS, data_source="demo")._raw_delete(connection.alias)


@pytest.mark.django_db
def test_scaled_counts(district):
    _ctx, plan = district
    assert len(plan.buildings) == max(2, round(86 * SCALE)) == 4
    assert len(plan_economy(world_from_files(LAST), scale=0.01).buildings) == 2
