"""The monthly figures (``economy.metrics``): hand-computed numbers on the small world, the
recomputation test (a seeded random world recomputed from scratch by a deliberately simple
implementation, every column of every row compared), idempotence and a query bound."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from streetbrain.economy import measures, metrics
from streetbrain.economy.models import (
    Enterprise,
    Floor,
    IndustryChain,
    Lease,
    MonthlyFigure,
    OfficeBuilding,
    TaxRecord,
    Unit,
)
from streetbrain.registry.models import Building, IndustryClass
from tests.test_economy_models import build_economy, credit_code

pytestmark = pytest.mark.django_db

M = dt.date


def _lease(eco, number, enterprise, units, start, end, **kw) -> Lease:
    lease = Lease.objects.create(
        contract_number=number,
        enterprise=eco["enterprises"][enterprise],
        building=eco["units"][units[0]].building,
        area_m2=sum(eco["units"][u].area_m2 for u in units),
        start_date=start,
        end_date=end,
        **kw,
    )
    lease.units.set([eco["units"][u] for u in units])
    return lease


def _months(first: dt.date, last: dt.date):
    m = first
    while m <= last:
        yield m
        m = (m + dt.timedelta(days=32)).replace(day=1)


@pytest.fixture
def small(tree):
    """build_economy plus: 甲软件 (6513, I) in 东城 101+102 (200 m²) 2024–2025; 乙贸易 (5181, F,
    not locally registered) in 东城 201 (200 m²) 2024-03-15 → 2025-03-31 and in 江城 101 (150
    m²) from 2024-06 (renewed from 2024-12); 丙咨询 (7241, L) in 东城 201 from 2025-05.
    Tax: 甲 10,000/4,000 a month in 2024, 12,000/5,000 in 2025; 乙 7,000/3,500 from 2024-03 to
    2025-03; 丙 5,000/2,000 from 2025-05."""
    eco = build_economy(tree)
    ent = eco["enterprises"]
    ent["trade"].locally_registered = False
    ent["trade"].save()
    _lease(eco, "L1", "soft", ["e101", "e102"], M(2024, 1, 1), M(2025, 12, 31))
    _lease(eco, "L2", "trade", ["e201"], M(2024, 3, 15), M(2025, 3, 31))
    old = _lease(
        eco, "L3", "trade", ["r101"], M(2024, 6, 1), M(2024, 11, 30),
        state="renewed", ended_on=M(2024, 11, 30),
    )  # fmt: skip
    _lease(eco, "L4", "trade", ["r101"], M(2024, 12, 1), M(2026, 11, 30), renewed_from=old)
    _lease(eco, "L5", "consult", ["e201"], M(2025, 5, 1), M(2027, 4, 30))
    rows = []
    for month in _months(M(2024, 1, 1), M(2025, 12, 1)):
        soft = ("10000", "4000") if month.year == 2024 else ("12000", "5000")
        rows.append(TaxRecord(enterprise=ent["soft"], month=month, total_tax=soft[0],
                              local_tax=soft[1]))  # fmt: skip
        if M(2024, 3, 1) <= month <= M(2025, 3, 1):
            rows.append(TaxRecord(enterprise=ent["trade"], month=month, total_tax="7000",
                                  local_tax="3500"))  # fmt: skip
        if month >= M(2025, 5, 1):
            rows.append(TaxRecord(enterprise=ent["consult"], month=month, total_tax="5000",
                                  local_tax="2000"))  # fmt: skip
    TaxRecord.objects.bulk_create(rows)
    return eco


def _fig(scope, key, month) -> MonthlyFigure:
    return MonthlyFigure.objects.get(scope=scope, key=key, month=month)


def test_hand_computed_december_2024(small):
    metrics.refresh_month(M(2024, 12, 1))
    east = _fig("building", small["east_tower"].building.code, M(2024, 12, 1))
    assert east.building == small["east_tower"]
    assert east.unit_path == small["east_grid"].path
    assert (east.leasable_area_m2, east.occupied_area_m2) == (Decimal("400.00"), Decimal("400.00"))
    assert (east.units_total, east.units_occupied) == (3, 3)
    assert (east.occupancy_rate, east.occupancy_rate_by_count, east.vacancy_rate) == (1, 1, 0)
    # 乙贸易's 201 ends on 2025-03-31 without renewal: on the market within three months.
    assert east.available_area_m2 == Decimal("200.00")
    assert east.net_absorption_m2 == Decimal("0.00")
    assert (east.leased_new_m2, east.leased_new_ytd_m2) == (Decimal("0.00"), Decimal("400.00"))
    # 乙贸易's 7,000 is split 200 : 150 between 东城 and 江城 → 4,000 / 3,000 (local 2,000 / 1,500).
    assert (east.tax_total, east.tax_local) == (Decimal("14000.00"), Decimal("6000.00"))
    # 2024: 甲 12 × 10,000; 乙 3 × 7,000 (Mar–May, only in 东城) + 7 × 4,000 (Jun–Dec).
    assert east.tax_total_ytd == Decimal("169000.00")
    assert east.tax_local_ytd == Decimal("48000.00") + Decimal("10500.00") + Decimal("14000.00")
    assert east.tax_yoy is None  # nothing in 2023
    assert east.tax_total_12m == Decimal("169000.00")
    assert east.tax_per_m2 == Decimal("422.50")  # 169,000 / 400 m²
    assert (east.tenants, east.tenants_local, east.local_registration_rate) == (2, 1, 0.5)
    assert east.dominant_industry == "65"
    assert east.dominant_share == pytest.approx(120 / 169)
    assert east.concentration_hhi == pytest.approx((120**2 + 49**2) / 169**2)
    assert east.meets_signature_target is True  # I: 71 % ≥ 30 %

    river = _fig("building", small["river_tower"].building.code, M(2024, 12, 1))
    assert river.occupied_area_m2 == Decimal("150.00")
    assert river.available_area_m2 == Decimal("0.00")  # renewed: not coming free
    assert river.net_absorption_m2 == Decimal("0.00")  # the renewal follows on the next day
    assert (river.leased_new_m2, river.leased_new_ytd_m2) == (Decimal("0.00"), Decimal("150.00"))
    assert (river.tax_total, river.tax_total_12m) == (Decimal("3000.00"), Decimal("21000.00"))
    assert river.tax_per_m2 == Decimal("140.00")
    assert (river.tenants, river.tenants_local, river.local_registration_rate) == (1, 0, 0.0)
    assert (river.dominant_industry, river.dominant_share, river.concentration_hhi) == (
        "51", 1.0, 1.0,
    )  # fmt: skip
    assert river.meets_signature_target is False

    for scope, key in (("chain", "digital"), ("street", "330212014")):
        row = _fig(scope, key, M(2024, 12, 1))
        assert row.building is None
        assert row.unit_path == small["street"].path
        assert (row.leasable_area_m2, row.occupied_area_m2) == (Decimal("550.00"),) * 2
        assert (row.units_total, row.units_occupied) == (4, 4)
        assert (row.tenants, row.tenants_local) == (2, 1)  # 乙贸易 counted once
        assert (row.tax_total, row.tax_total_12m) == (Decimal("17000.00"), Decimal("190000.00"))
        assert row.tax_per_m2 == Decimal("345.45")  # 190,000 / 550
        assert row.meets_signature_target is None

    section_i = _fig("section", "I", M(2024, 12, 1))
    assert section_i.leasable_area_m2 is None and section_i.occupancy_rate is None
    assert (section_i.occupied_area_m2, section_i.units_occupied) == (Decimal("200.00"), 2)
    assert section_i.tax_total_12m == Decimal("120000.00")
    assert section_i.tax_per_m2 == Decimal("600.00")  # per occupied m²
    assert (section_i.dominant_industry, section_i.dominant_share) == ("65", 1.0)
    section_f = _fig("section", "F", M(2024, 12, 1))
    assert section_f.tax_total_12m == Decimal("70000.00")  # Mar–Dec 2024, all of it
    assert section_f.tenants == 1 and section_f.occupied_area_m2 == Decimal("350.00")
    assert _fig("division", "51", M(2024, 12, 1)).dominant_industry == "518"
    # 丙咨询 had no space in the last 12 months: no row for L.
    assert not MonthlyFigure.objects.filter(scope="section", key="L").exists()


def test_hand_computed_may_2025(small):
    metrics.refresh_months(M(2025, 3, 1), M(2025, 5, 1))
    code = small["east_tower"].building.code
    march = _fig("building", code, M(2025, 3, 1))
    # 201 is held to its last day, 2025-03-31, and comes free the day after.
    assert march.occupied_area_m2 == Decimal("400.00")
    assert march.available_area_m2 == Decimal("200.00")
    april = _fig("building", code, M(2025, 4, 1))
    assert april.net_absorption_m2 == Decimal("-200.00")
    assert (april.occupancy_rate, april.vacancy_rate) == (0.5, 0.5)
    assert april.occupancy_rate_by_count == pytest.approx(2 / 3)
    assert april.available_area_m2 == Decimal("200.00")

    east = _fig("building", code, M(2025, 5, 1))
    assert east.occupied_area_m2 == Decimal("400.00")
    assert east.net_absorption_m2 == Decimal("200.00")
    assert (east.leased_new_m2, east.leased_new_ytd_m2) == (Decimal("200.00"), Decimal("200.00"))
    assert (east.tax_total, east.tax_local) == (Decimal("17000.00"), Decimal("7000.00"))
    # 2025 to May: 甲 5 × 12,000 + 乙 3 × 4,000 + 丙 5,000 = 77,000; same months of 2024:
    # 甲 5 × 10,000 + 乙 3 × 7,000 = 71,000.
    assert east.tax_total_ytd == Decimal("77000.00")
    assert east.tax_yoy == pytest.approx(77000 / 71000 - 1)
    # Jun 2024 – May 2025: 甲 130,000, 乙 10 × 4,000, 丙 5,000.
    assert east.tax_total_12m == Decimal("175000.00")
    assert east.tax_per_m2 == Decimal("437.50")
    assert (east.tenants, east.tenants_local, east.local_registration_rate) == (2, 2, 1.0)
    assert east.dominant_industry == "65"
    assert east.dominant_share == pytest.approx(130 / 175)
    assert east.concentration_hhi == pytest.approx((130**2 + 40**2 + 5**2) / 175**2)
    assert east.meets_signature_target is True

    river = _fig("building", small["river_tower"].building.code, M(2025, 5, 1))
    assert river.tax_total == Decimal("0.00")
    assert river.tax_total_ytd == Decimal("9000.00")
    assert river.tax_yoy is None  # nothing in 江城 in Jan–May 2024
    assert river.tax_total_12m == Decimal("30000.00")

    street = _fig("street", "330212014", M(2025, 5, 1))
    assert (street.tenants, street.tenants_local) == (3, 2)
    assert street.local_registration_rate == pytest.approx(2 / 3)
    assert street.net_absorption_m2 == Decimal("200.00")
    section_l = _fig("section", "L", M(2025, 5, 1))
    assert (section_l.tenants, section_l.tax_total_12m) == (1, Decimal("5000.00"))
    assert section_l.tax_per_m2 == Decimal("25.00")
    assert _fig("division", "72", M(2025, 5, 1)).dominant_industry == "724"

    # A higher 一楼一品 target is not met.
    tower = small["east_tower"]
    tower.signature_share = Decimal("0.800")
    tower.save()
    metrics.refresh_month(M(2025, 5, 1))
    assert _fig("building", code, M(2025, 5, 1)).meets_signature_target is False


def test_tax_classes():
    assert measures.tax_class(Decimal("120000000")) == "yi"
    assert measures.tax_class(85_000_000) == "near_yi"
    assert measures.tax_class(10_000_000) == "qianwan"
    assert measures.tax_class(8_000_000) == "near_qianwan"
    assert measures.tax_class(7_999_999) == ""
    assert measures.tax_class(None) == ""


# --- the recomputation test --------------------------------------------------------------------

CLASSES = ["6513", "6510", "6420", "6621", "6911", "7211", "7241", "7320", "5181", "5191",
           "7010", "5131"]  # fmt: skip


def build_random_world(tree, *, seed=5, enterprises=300, buildings=6) -> dict:
    """Buildings with 3 floors × 8 units, two chains (one building without), ``enterprises``
    across 12 classes of I, J, L, M, F, K; per unit a sequence of leases from 2023 to 2025 with
    gaps, renewals (40 %), early ends (20 %) and some two-unit leases; monthly tax 2023–2025
    (80 % of months, some refunds)."""
    rng = random.Random(seed)
    classes = list(IndustryClass.objects.filter(code__in=CLASSES))
    chains = [
        IndustryChain.objects.create(code="digital", name="数字经济", industries="I"),
        IndustryChain.objects.create(code="finance", name="金融服务", industries="J"),
    ]
    grids = list(tree["grids"].values())
    towers, units = [], []
    for i in range(buildings):
        building = Building.objects.create(
            code=f"{grids[i % len(grids)].code}{i + 1:03d}",
            name=f"测试大厦{i}",
            address=f"测试路{i}号",
            kind="office",
            org_unit=grids[i % len(grids)],
            floors_above=10,
        )
        tower = OfficeBuilding.objects.create(
            building=building,
            chain=chains[i % 2] if i < buildings - 1 else None,
            signature_industry=["I", "65", "J", "L", "", "7241"][i % 6],
            signature_share=Decimal(["0.150", "0.100", "0.100", "0.100", "0.300", "0.500"][i % 6]),
            leasable_area_m2=Decimal("5000.00") if i == 0 else None,
        )
        towers.append(tower)
        for f in range(1, 4):
            floor = Floor.objects.create(building=tower, number=f)
            for u in range(1, 9):
                units.append(
                    Unit.objects.create(
                        floor=floor,
                        code=f"{f}{u:02d}",
                        area_m2=Decimal(rng.randrange(4000, 40000)) / 100,
                    )
                )
    ents = Enterprise.objects.bulk_create(
        Enterprise(
            credit_code=credit_code(1000 + i),
            name=f"企业{i}",
            industry=rng.choice(classes),
            org_unit=tree["street"],
            locally_registered=rng.random() < 0.7,
        )
        for i in range(enterprises)
    )
    start, end = M(2023, 1, 1), M(2025, 12, 31)
    number = 0
    i = 0
    while i < len(units):
        group = units[i : i + 2] if rng.random() < 0.15 and i + 1 < len(units) else [units[i]]
        if len({u.building_id for u in group}) > 1:
            group = [units[i]]
        i += len(group)
        day = start + dt.timedelta(days=rng.randrange(0, 200))
        while day < end:
            enterprise = rng.choice(ents)
            previous = None
            while day < end:
                length = rng.randrange(90, 720)
                last = day + dt.timedelta(days=length)
                number += 1
                lease = Lease(
                    contract_number=f"R{number:05d}",
                    enterprise=enterprise,
                    building_id=group[0].building_id,
                    area_m2=sum(u.area_m2 for u in group),
                    start_date=day,
                    end_date=last,
                    renewed_from=previous,
                )
                roll = rng.random()
                if last >= M(2026, 6, 1):
                    lease.save()
                    lease.units.set(group)
                    day = end
                    break
                if roll < 0.4:  # renewed: the next lease follows the day after
                    lease.state, lease.ended_on = Lease.State.RENEWED, last
                    lease.save()
                    lease.units.set(group)
                    previous, day = lease, last + dt.timedelta(days=1)
                    continue
                if roll < 0.6:  # terminated early
                    lease.state = Lease.State.TERMINATED
                    lease.ended_on = day + dt.timedelta(days=rng.randrange(0, length))
                elif last < M(2025, 12, 1):
                    lease.state, lease.ended_on = Lease.State.ENDED, last
                lease.save()
                lease.units.set(group)
                day = lease.last_day + dt.timedelta(days=rng.randrange(1, 150))
                break
    taxes = []
    for enterprise in ents:
        level = rng.choice([2_000, 20_000, 200_000])
        for month in _months(M(2023, 1, 1), M(2025, 12, 1)):
            if rng.random() < 0.8:
                total = Decimal(rng.randrange(-level // 10, level) * 100 + rng.randrange(100)) / 100
                taxes.append(
                    TaxRecord(
                        enterprise=enterprise,
                        month=month,
                        total_tax=total,
                        local_tax=(total * Decimal("0.4")).quantize(Decimal("0.01")),
                    )
                )
    TaxRecord.objects.bulk_create(taxes)
    return {"towers": towers, "enterprises": ents, "chains": chains}


def _eom(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def _add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return M(index // 12, index % 12 + 1, 1)


SPACES = ("building", "chain", "street", "community", "grid")  # the scopes with space of their own


def reference_figures(months: list[dt.date], street) -> dict:
    """The figures recomputed from scratch, one row at a time, straight from the definitions
    in ``economy.metrics``' docstring: every row loops over the month's leases and tax."""
    towers = {t.pk: t for t in OfficeBuilding.objects.select_related("building", "org_unit")}
    chain_of = {pk: (t.chain.code if t.chain else None) for pk, t in towers.items()}
    ents = {
        e.pk: (e.industry.code, e.industry.division, e.industry.group, e.industry.section.code,
               e.locally_registered)
        for e in Enterprise.objects.select_related("industry__section")
    }  # fmt: skip
    units_of = defaultdict(list)
    for lease_id, unit_id in Lease.units.through.objects.values_list("lease_id", "unit_id"):
        units_of[lease_id].append(unit_id)
    all_leases = list(Lease.objects.all())
    renewed = {lease.renewed_from_id for lease in all_leases if lease.renewed_from_id}
    tax = {(t.enterprise_id, t.month): (float(t.total_tax), float(t.local_tax))
           for t in TaxRecord.objects.all()}  # fmt: skip
    first_tax = min((month for _e, month in tax), default=None)
    held_cache: dict = {}

    def held(month):  # leases held at the month's end, by the model's own query
        if month not in held_cache:
            held_cache[month] = list(Lease.objects.held_on(_eom(month)))
        return held_cache[month]

    # The communities and grid cells with a tower: the towers whose unit lies under theirs.
    areas = {}
    for t in towers.values():
        for unit in (t.org_unit, t.org_unit.parent):
            areas[(unit.level, unit.code)] = unit.path

    def in_scope(kind, key, building, enterprise):
        return {
            "building": lambda: towers[building].building.code == key,
            "chain": lambda: chain_of[building] == key,
            "street": lambda: True,
            "community": lambda: towers[building].org_unit.path.startswith(areas[(kind, key)]),
            "grid": lambda: towers[building].org_unit.path == areas[(kind, key)],
            "section": lambda: ents[enterprise][3] == key,
            "division": lambda: ents[enterprise][1] == key,
        }[kind]()

    allocated_cache: dict = {}

    def allocated(month):  # (building, enterprise, total, local) of the month's tax
        # Kept per month like ``held``: every row of the month reads the same allocation, and
        # recomputing it per row (30,000 times) was most of this suite's slowest test.
        if month not in allocated_cache:
            allocated_cache[month] = _allocate(month)
        return allocated_cache[month]

    def _allocate(month):
        area = defaultdict(float)
        for lease in held(month):
            area[(lease.enterprise_id, lease.building_id)] += float(lease.area_m2)
        out = []
        for (enterprise, building), a in area.items():
            whole = sum(v for (e, _b), v in area.items() if e == enterprise)
            if (enterprise, month) in tax:
                t, loc = tax[(enterprise, month)]
                out.append((building, enterprise, t * a / whole, loc * a / whole))
        return out

    def tax_sum(kind, key, month_list, local=False):
        return sum(
            (x[3] if local else x[2])
            for mo in month_list
            for x in allocated(mo)
            if in_scope(kind, key, x[0], x[1])
        )

    def occupied(kind, key, month):
        return sum(
            float(lease.area_m2)
            for lease in held(month)
            if in_scope(kind, key, lease.building_id, lease.enterprise_id)
        )

    def tenants(kind, key, month):
        return {
            lease.enterprise_id
            for lease in held(month)
            if in_scope(kind, key, lease.building_id, lease.enterprise_id)
        }

    def leased_new(kind, key, first, last):
        return sum(
            float(lease.area_m2)
            for lease in all_leases
            if lease.renewed_from_id is None
            and first <= lease.start_date <= _eom(last)
            and lease.last_day >= lease.start_date
            and in_scope(kind, key, lease.building_id, lease.enterprise_id)
        )

    scopes = [("building", t.building.code) for t in towers.values()]
    scopes += [("chain", c.code) for c in IndustryChain.objects.all()]
    scopes += [("street", street.code), *areas]
    sections = sorted({e[3] for e in ents.values()})
    divisions = sorted({e[1] for e in ents.values()})
    out = {}
    for month in months:
        year_months = [_add_months(month, -i) for i in range(12)]
        jan = M(month.year, 1, 1)
        ytd_months = [m for m in year_months if m >= jan]
        rows = list(scopes)
        for kind, keys in (("section", sections), ("division", divisions)):
            for key in keys:
                if any(tenants(kind, key, m) for m in year_months) or leased_new(
                    kind, key, jan, month
                ):
                    rows.append((kind, key))
        for kind, key in rows:
            tower = next((t for t in towers.values() if t.building.code == key), None)
            tower = tower if kind == "building" else None
            members = [
                t for t in towers.values()
                if kind in SPACES and in_scope(kind, key, t.pk, None)
            ]  # fmt: skip
            occ = occupied(kind, key, month)
            ten = tenants(kind, key, month)
            units_held = {
                u
                for lease in held(month)
                if in_scope(kind, key, lease.building_id, lease.enterprise_id)
                for u in units_of[lease.pk]
            }
            t12 = tax_sum(kind, key, year_months)
            ytd = tax_sum(kind, key, ytd_months)
            ytd_last = tax_sum(kind, key, [_add_months(m, -12) for m in ytd_months])
            # Year on year only where last year's same months lie inside the tax records.
            comparable = first_tax is not None and _add_months(ytd_months[0], -12) >= first_tax
            by_class = defaultdict(float)
            for mo in year_months:
                for b, e, t, _loc in allocated(mo):
                    if in_scope(kind, key, b, e):
                        by_class[ents[e][0]] += t
            weights = {k: round(v, 2) for k, v in by_class.items() if round(v, 2) > 0}
            if not weights:
                for lease in held(month):
                    if in_scope(kind, key, lease.building_id, lease.enterprise_id):
                        code = ents[lease.enterprise_id][0]
                        weights[code] = weights.get(code, 0.0) + float(lease.area_m2)
            level = 3 if kind == "division" else 2
            shares = defaultdict(float)
            for code, w in weights.items():
                shares[code[:level]] += w / sum(weights.values())
            dominant = sorted(shares.items(), key=lambda kv: (-kv[1], kv[0]))[:1]
            row = {
                "building": tower.pk if tower else None,
                "unit_path": tower.org_unit.path if tower else areas.get((kind, key), street.path),
                "occupied_area_m2": occ,
                "net_absorption_m2": occ - occupied(kind, key, _add_months(month, -1)),
                "leased_new_m2": leased_new(kind, key, month, month),
                "leased_new_ytd_m2": leased_new(kind, key, jan, month),
                "units_occupied": len(units_held),
                "tax_total": tax_sum(kind, key, [month]),
                "tax_local": tax_sum(kind, key, [month], local=True),
                "tax_total_ytd": ytd,
                "tax_local_ytd": tax_sum(kind, key, ytd_months, local=True),
                "tax_yoy": ytd / ytd_last - 1 if ytd_last > 0 and comparable else None,
                "tax_total_12m": t12,
                "tenants": len(ten),
                "tenants_local": sum(1 for e in ten if ents[e][4]),
                "local_registration_rate": (
                    sum(1 for e in ten if ents[e][4]) / len(ten) if ten else None
                ),
                "dominant_industry": dominant[0][0] if dominant else "",
                "dominant_share": dominant[0][1] if dominant else None,
                "concentration_hhi": sum(s * s for s in shares.values()) if shares else None,
                "meets_signature_target": None,
            }
            if kind in SPACES:
                leasable = sum(
                    float(t.leasable_area_m2)
                    if t.leasable_area_m2 is not None
                    else sum(float(u.area_m2) for u in t.units.all())
                    for t in members
                )
                n_units = sum(t.units.count() for t in members)
                coming = sum(
                    float(lease.area_m2)
                    for lease in held(month)
                    if in_scope(kind, key, lease.building_id, lease.enterprise_id)
                    and lease.pk not in renewed
                    and lease.last_day <= _eom(_add_months(month, 3))
                )
                row.update(
                    leasable_area_m2=leasable,
                    available_area_m2=max(leasable - occ, 0) + coming,
                    units_total=n_units,
                    occupancy_rate=occ / leasable if leasable else None,
                    occupancy_rate_by_count=len(units_held) / n_units if n_units else None,
                    vacancy_rate=1 - occ / leasable if leasable else None,
                    tax_per_m2=t12 / leasable if leasable else None,
                )
            else:
                row.update(
                    leasable_area_m2=None, available_area_m2=None, units_total=None,
                    occupancy_rate=None, occupancy_rate_by_count=None, vacancy_rate=None,
                    tax_per_m2=t12 / occ if occ else None,
                )  # fmt: skip
            if tower is not None and tower.signature_industry and weights:
                prefix = tower.signature_industry
                hit = sum(w for code, w in weights.items() if _under(code, prefix))
                row["meets_signature_target"] = (
                    hit / sum(weights.values()) >= float(tower.signature_share) - 1e-9
                )
            out[(kind, key, month)] = row
    return out


def _under(code: str, prefix: str) -> bool:
    if prefix.isalpha():
        return IndustryClass.objects.get(code=code).section.code == prefix
    return code.startswith(prefix)


COLUMNS = [
    "building", "unit_path", "leasable_area_m2", "occupied_area_m2", "available_area_m2",
    "units_total", "units_occupied", "occupancy_rate", "occupancy_rate_by_count", "vacancy_rate",
    "net_absorption_m2", "leased_new_m2", "leased_new_ytd_m2", "tax_total", "tax_local",
    "tax_total_ytd", "tax_local_ytd", "tax_yoy", "tax_total_12m", "tax_per_m2", "tenants",
    "tenants_local", "local_registration_rate", "dominant_industry", "dominant_share",
    "concentration_hhi", "meets_signature_target",
]  # fmt: skip


def _same(got, want) -> bool:
    if want is None or got is None:
        return got is None and want is None
    if isinstance(got, Decimal):  # rounded to cents from float sums: a cent either way
        return abs(float(got) - want) <= 0.0100001
    if isinstance(got, float):
        return math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9)
    return got == want


def test_recomputation_from_scratch(tree):
    build_random_world(tree)
    metrics.refresh_months(M(2024, 1, 1), M(2025, 12, 1))
    months = list(_months(M(2024, 1, 1), M(2025, 12, 1)))
    want = reference_figures(months, tree["street"])
    got = {(f.scope, f.key, f.month): f for f in MonthlyFigure.objects.all()}
    assert set(got) == set(want)
    assert len(got) > 24 * 15
    mismatches = []
    for key, row in want.items():
        figure = got[key]
        for column in COLUMNS:
            value = figure.building_id if column == "building" else getattr(figure, column)
            if not _same(value, row[column]):
                mismatches.append((key, column, value, row[column]))
    assert mismatches == []
    # The world is not trivial: move-outs, renewals, multi-building enterprises, refunds.
    assert MonthlyFigure.objects.filter(net_absorption_m2__lt=0).exists()
    assert MonthlyFigure.objects.filter(meets_signature_target=True).exists()
    assert MonthlyFigure.objects.filter(meets_signature_target=False).exists()
    assert Lease.objects.filter(renewed_from__isnull=False).count() > 20


def _snapshot():
    return sorted(
        tuple(v for k, v in row.items() if k not in ("id", "computed_at"))
        for row in MonthlyFigure.objects.values()
    )


def test_refresh_is_idempotent_and_ranges_agree(tree):
    build_random_world(tree, enterprises=80, buildings=3)
    metrics.refresh_months(M(2024, 1, 1), M(2025, 6, 1))
    once = _snapshot()
    metrics.refresh_months(M(2024, 1, 1), M(2025, 6, 1))
    assert _snapshot() == once
    # One month alone gives the same rows as within a range.
    metrics.refresh_month(M(2025, 3, 1))
    assert _snapshot() == once
    MonthlyFigure.objects.filter(month=M(2025, 3, 1)).update(tax_total=0)
    metrics.refresh_month(M(2025, 3, 1))
    assert _snapshot() == once


def _queries(month) -> int:
    with CaptureQueriesContext(connection) as ctx:
        metrics.refresh_month(month)
    return len(ctx.captured_queries)


def test_refresh_month_query_count_does_not_grow(tree):
    build_random_world(tree, enterprises=40, buildings=2)
    small = _queries(M(2025, 6, 1))
    before = Enterprise.objects.count()
    # Ten times the enterprises, with leases and tax: the same number of queries.
    _more_enterprises(tree, 400)
    assert Enterprise.objects.count() > before * 5
    assert _queries(M(2025, 6, 1)) == small
    assert small <= 16


def _more_enterprises(tree, n):
    """More enterprises, each leasing a fresh unit of a new tower, with a year of tax."""
    rng = random.Random(9)
    building = Building.objects.create(
        code=f"{tree['east_grid'].code}900", name="加测大厦", address="加测路1号", kind="office",
        org_unit=tree["east_grid"], floors_above=30,
    )  # fmt: skip
    tower = OfficeBuilding.objects.create(building=building)
    floor = Floor.objects.create(building=tower, number=1)
    classes = list(IndustryClass.objects.filter(code__in=CLASSES))
    for i in range(n):
        unit = Unit.objects.create(floor=floor, code=f"X{i:04d}", area_m2=Decimal("50"))
        enterprise = Enterprise.objects.create(
            credit_code=credit_code(50_000 + i), name=f"加测{i}", industry=rng.choice(classes),
            org_unit=tree["street"],
        )  # fmt: skip
        lease = Lease.objects.create(
            contract_number=f"X{i:05d}", enterprise=enterprise, building=tower,
            area_m2=Decimal("50"), start_date=M(2024, 1, 1), end_date=M(2026, 12, 31),
        )  # fmt: skip
        lease.units.set([unit])
        TaxRecord.objects.bulk_create(
            TaxRecord(enterprise=enterprise, month=m, total_tax="1000", local_tax="400")
            for m in _months(M(2024, 7, 1), M(2025, 6, 1))
        )


def test_refresh_all_and_the_command(small, capsys):
    written = metrics.refresh_all()
    first, last = metrics.data_months()
    assert first == M(2024, 1, 1)
    months = MonthlyFigure.objects.values_list("month", flat=True).distinct()
    assert min(months) == first and max(months) == last
    assert written == MonthlyFigure.objects.count()
    call_command("economy", "recompute", "--month", "2024-12")
    assert "2024-12" in capsys.readouterr().out
    assert _fig("building", small["east_tower"].building.code, M(2024, 12, 1)).tax_total == (
        Decimal("14000.00")
    )
    call_command("economy", "recompute", "--all")
    assert MonthlyFigure.objects.count() == written


def test_figures_appear_in_the_api(small, client, django_user_model):
    metrics.refresh_month(M(2024, 12, 1))
    admin = django_user_model.objects.create_superuser("root", password="x-pass-123456")
    client.force_login(admin)
    tower = small["east_tower"]
    response = client.get(f"/api/economy/metrics/?building={tower.pk}&month=2024-12")
    assert response.status_code == 200
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    assert len(rows) == 1
    assert rows[0]["scope"] == "building" and rows[0]["key"] == tower.building.code
    assert Decimal(rows[0]["tax_total_12m"]) == Decimal("169000.00")
    assert rows[0]["dominant_industry"] == "65"
    response = client.get("/api/economy/metrics/?scope=street&month=2024-12")
    rows = response.json()["results"]
    assert [r["key"] for r in rows] == ["330212014"]


def test_no_year_on_year_where_last_year_is_not_in_the_tax_records(small):
    # The records begin in December 2023 (one month of 甲's tax in a short lease before L1).
    _lease(small, "L0", "soft", ["e101"], M(2023, 12, 1), M(2023, 12, 31), state="ended",
           ended_on=M(2023, 12, 31))  # fmt: skip
    TaxRecord.objects.create(
        enterprise=small["enterprises"]["soft"], month=M(2023, 12, 1), total_tax="1000",
        local_tax="400",
    )  # fmt: skip
    metrics.refresh_months(M(2024, 12, 1), M(2025, 1, 1))
    code = small["east_tower"].building.code
    # 2024 against 2023, of which the records hold December only: no comparison (it was
    # +16,800 % before), though last year's total is not zero.
    assert _fig("building", code, M(2024, 12, 1)).tax_yoy is None
    # January 2025 against January 2024, inside the records: 甲 12,000 + 乙's 东城 share 4,000
    # against 甲 10,000.
    assert _fig("building", code, M(2025, 1, 1)).tax_yoy == pytest.approx(16000 / 10000 - 1)
