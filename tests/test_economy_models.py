"""楼宇经济 models: office buildings on registry buildings, floors and units, enterprises with
validated credit codes, monthly tax and headcount, leases and what they hold when, warnings
(one open per enterprise), the monthly figures, roles and the change log.

``build_economy`` is the small world the other economy test files share."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from streetbrain.core.identifiers import credit_check_char
from streetbrain.core.models import ChangeLogEntry
from streetbrain.core.months import month_start
from streetbrain.economy.models import (
    Enterprise,
    Floor,
    HeadcountRecord,
    IndustryChain,
    Lease,
    MonthlyFigure,
    MoveOutWarning,
    OfficeBuilding,
    TaxRecord,
    Unit,
    industry_q,
    occupied_area,
    validate_industry_prefix,
)
from streetbrain.registry.models import Building, IndustryClass

pytestmark = pytest.mark.django_db

EAST_GRID = "33021201400101"
RIVER_GRID = "33021201400201"


def credit_code(serial: int) -> str:
    first17 = f"91330212MA{serial:07d}"
    return first17 + credit_check_char(first17)


def build_economy(tree) -> dict:
    """Two towers: 东城大厦 in 东城社区's first grid (floors 1–2, units 101 80 m², 102 120 m²,
    201 200 m²) and 江城中心 in 江城社区's first grid (floor 1, unit 101 150 m²); a chain;
    three enterprises: 甲软件 (software, in 东城), 乙贸易 (trade, in 江城), 丙咨询 (consulting,
    the street's: no space yet)."""
    chain = IndustryChain.objects.create(code="digital", name="数字经济", industries="I,72")
    towers = {}
    for key, grid, name in (
        ("east", tree["east_grid"], "东城大厦"),
        ("river", tree["river_grid"], "江城中心"),
    ):
        building = Building.objects.create(
            code=f"{grid.code}001",
            name=name,
            address=f"{name}路1号",
            kind="office",
            org_unit=grid,
            floors_above=20,
        )
        towers[key] = OfficeBuilding.objects.create(
            building=building, grade="a", chain=chain, signature_industry="I"
        )
    east, river = towers["east"], towers["river"]
    f1 = Floor.objects.create(building=east, number=1)
    f2 = Floor.objects.create(building=east, number=2)
    rf1 = Floor.objects.create(building=river, number=1)
    units = {
        "e101": Unit.objects.create(floor=f1, code="101", area_m2=Decimal("80")),
        "e102": Unit.objects.create(floor=f1, code="102", area_m2=Decimal("120")),
        "e201": Unit.objects.create(floor=f2, code="201", area_m2=Decimal("200")),
        "r101": Unit.objects.create(floor=rf1, code="101", area_m2=Decimal("150")),
    }
    software = IndustryClass.objects.get(code="6513")
    trade = IndustryClass.objects.get(code="5181")
    consulting = IndustryClass.objects.get(code="7241")
    enterprises = {
        "soft": Enterprise.objects.create(
            credit_code=credit_code(1), name="甲软件", industry=software, org_unit=tree["east_grid"]
        ),
        "trade": Enterprise.objects.create(
            credit_code=credit_code(2), name="乙贸易", industry=trade, org_unit=tree["river_grid"]
        ),
        "consult": Enterprise.objects.create(
            credit_code=credit_code(3), name="丙咨询", industry=consulting, org_unit=tree["street"]
        ),
    }
    return {
        **tree,
        "chain": chain,
        "east_tower": east,
        "river_tower": river,
        "floors": {"e1": f1, "e2": f2, "r1": rf1},
        "units": units,
        "enterprises": enterprises,
    }


@pytest.fixture
def eco(tree):
    return build_economy(tree)


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


# --- space ---------------------------------------------------------------------------------


def test_space_lies_in_its_buildings_grid(eco):
    unit = eco["units"]["e201"]
    assert unit.building == eco["east_tower"]
    assert unit.org_unit == eco["east_grid"]
    assert eco["floors"]["e2"].org_unit == eco["east_grid"]
    assert eco["east_tower"].org_unit == eco["east_grid"]
    assert eco["east_tower"].units_area() == Decimal("400.00")
    assert str(unit) == "东城大厦 201"
    assert eco["floors"]["e2"].display_label == "2F"
    assert Floor(building=eco["east_tower"], number=-1).display_label == "B1"


def test_only_office_kinds_are_office_buildings(eco):
    home = Building.objects.create(
        code=f"{EAST_GRID}002", name="东城小区1幢", address="x", kind="residential",
        org_unit=eco["east_grid"],
    )  # fmt: skip
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        OfficeBuilding(building=home).full_clean()
    assert exc.value.message_dict["building"] == ["只有办公、商业或综合楼宇才能作为楼宇。"]


def test_floor_zero_and_unit_codes(eco):
    with pytest.raises(ValidationError) as exc:
        Floor(building=eco["east_tower"], number=0).full_clean()
    assert "number" in exc.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Floor.objects.create(building=eco["east_tower"], number=0)
    # Unit numbers are unique per building, not across buildings.
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.create(floor=eco["floors"]["e2"], code="101", area_m2="10")
    again = Unit.objects.create(floor=eco["floors"]["r1"], code="102", area_m2="10")
    assert again.building == eco["river_tower"]


def test_unit_on_another_buildings_floor_is_refused(eco):
    unit = Unit(
        building=eco["east_tower"],
        floor=eco["floors"]["r1"],
        org_unit=eco["east_grid"],
        code="999",
        area_m2="10",
    )
    with pytest.raises(ValidationError) as exc:
        unit.full_clean()
    assert list(exc.value.message_dict) == ["floor"]


def test_industry_prefixes(eco):
    for good in ("I", "65", "651", "6513", "L"):
        validate_industry_prefix(good)
    with translation.override("zh-hans"):
        for bad, code in (
            ("I65", "invalid_industry_prefix"),
            ("Z", "invalid_industry_prefix"),
            ("99", "unknown_industry_prefix"),
            ("6", "invalid_industry_prefix"),
        ):
            with pytest.raises(ValidationError) as exc:
                validate_industry_prefix(bad)
            assert exc.value.code == code, bad
    software = Enterprise.objects.filter(industry_q("I"))
    assert [e.name for e in software] == ["甲软件"]
    assert [e.name for e in Enterprise.objects.filter(industry_q("72"))] == ["丙咨询"]
    assert [e.name for e in Enterprise.objects.filter(industry_q("51"))] == ["乙贸易"]
    chain = IndustryChain(code="x", name="坏链", industries="I, 99")
    with pytest.raises(ValidationError) as exc:
        chain.full_clean()
    assert list(exc.value.message_dict) == ["industries"]
    assert eco["chain"].industry_prefixes == ["I", "72"]


# --- enterprises, tax, headcount -------------------------------------------------------------


def test_credit_code_is_validated(eco):
    software = IndustryClass.objects.get(code="6513")
    good = credit_code(7)
    wrong_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    cases = {
        wrong_check: "统一社会信用代码校验码错误。",
        good[:17]: "统一社会信用代码应为 18 位。",
        good[:-1] + "I": "统一社会信用代码由数字和大写字母组成，不含 I、O、Z、S、V。",
    }
    for code, message in cases.items():
        enterprise = Enterprise(
            credit_code=code, name="坏企业", industry=software, org_unit=eco["street"]
        )
        with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
            enterprise.full_clean()
        assert exc.value.message_dict["credit_code"] == [message], code
    Enterprise(
        credit_code=good, name="好企业", industry=software, org_unit=eco["street"]
    ).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Enterprise.objects.create(
            credit_code=credit_code(1), name="重复", industry=software, org_unit=eco["street"]
        )


def test_monthly_rows_are_stored_by_their_first_day(eco):
    soft = eco["enterprises"]["soft"]
    assert month_start(dt.date(2025, 3, 17)) == dt.date(2025, 3, 1)
    with pytest.raises(ValidationError) as exc:
        TaxRecord(
            enterprise=soft, month=dt.date(2025, 3, 17), total_tax=1, local_tax=1
        ).full_clean()
    assert list(exc.value.message_dict) == ["month"]
    with pytest.raises(IntegrityError), transaction.atomic():
        TaxRecord.objects.create(
            enterprise=soft, month=dt.date(2025, 3, 17), total_tax=1, local_tax=1
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        HeadcountRecord.objects.create(enterprise=soft, month=dt.date(2025, 3, 2), headcount=5)
    TaxRecord.objects.create(enterprise=soft, month=dt.date(2025, 3, 1), total_tax=10, local_tax=4)
    with pytest.raises(IntegrityError), transaction.atomic():
        TaxRecord.objects.create(
            enterprise=soft, month=dt.date(2025, 3, 1), total_tax=1, local_tax=1
        )


def test_local_tax_cannot_exceed_total(eco):
    soft = eco["enterprises"]["soft"]
    bad = TaxRecord(enterprise=soft, month=dt.date(2025, 1, 1), total_tax=100, local_tax=101)
    with pytest.raises(ValidationError) as exc:
        bad.full_clean()
    assert list(exc.value.message_dict) == ["local_tax"]
    # A refund month may be negative.
    TaxRecord(enterprise=soft, month=dt.date(2025, 1, 1), total_tax=-50, local_tax=-20).full_clean()


# --- leases -----------------------------------------------------------------------------------


def test_leases_hold_their_space_between_start_and_last_day(eco):
    d = dt.date
    early = _lease(eco, "A-1", "soft", ["e101"], d(2024, 1, 1), d(2025, 12, 31))
    early.state, early.ended_on = Lease.State.TERMINATED, d(2024, 6, 30)
    early.save()
    _lease(eco, "A-2", "trade", ["e102", "e201"], d(2024, 3, 1), d(2026, 2, 28))
    _lease(eco, "R-1", "trade", ["r101"], d(2024, 1, 1), d(2024, 12, 31))
    east = eco["east_tower"]

    def held(day):
        return sorted(Lease.objects.held_on(day).values_list("contract_number", flat=True))

    assert held(d(2023, 12, 31)) == []
    assert held(d(2024, 1, 1)) == ["A-1", "R-1"]
    assert held(d(2024, 6, 30)) == ["A-1", "A-2", "R-1"]
    assert held(d(2024, 7, 1)) == ["A-2", "R-1"]  # terminated: its last day was 30 June
    assert held(d(2025, 1, 1)) == ["A-2"]  # R-1 ran out at its contract's end
    between = Lease.objects.held_between(d(2024, 7, 1), d(2024, 12, 31))
    assert sorted(between.values_list("contract_number", flat=True)) == ["A-2", "R-1"]
    assert occupied_area(east, d(2024, 2, 1)) == Decimal("80.00")
    assert occupied_area(east, d(2024, 3, 1)) == Decimal("400.00")
    assert occupied_area(east, d(2024, 7, 1)) == Decimal("320.00")
    assert occupied_area(eco["river_tower"], d(2025, 1, 1)) == Decimal(0)
    assert list(
        Lease.objects.current().order_by("pk").values_list("contract_number", flat=True)
    ) == [
        "A-2",
        "R-1",
    ]


def test_lease_term_and_effective_rent(eco):
    lease = Lease(
        start_date=dt.date(2024, 1, 1),
        end_date=dt.date(2026, 12, 31),
        contract_rent=Decimal("4.50"),
        rent_free_months=Decimal("3"),
    )
    assert lease.term_months == Decimal(36)
    assert lease.effective_rent == Decimal("4.13")  # 4.50 × 33/36
    assert lease.last_day == dt.date(2026, 12, 31)
    lease.ended_on = dt.date(2025, 5, 31)
    assert lease.last_day == dt.date(2025, 5, 31)
    assert Lease(start_date=dt.date(2024, 1, 15), end_date=dt.date(2024, 3, 14)).term_months == 2


def test_lease_checks(eco):
    lease = Lease(
        contract_number="X-1",
        enterprise=eco["enterprises"]["soft"],
        building=eco["east_tower"],
        org_unit=eco["east_grid"],
        area_m2=80,
        start_date=dt.date(2024, 1, 1),
        end_date=dt.date(2023, 12, 31),
        state=Lease.State.ENDED,
        rent_free_months=Decimal("1"),
    )
    with pytest.raises(ValidationError) as exc:
        lease.full_clean()
    assert set(exc.value.message_dict) == {"end_date", "ended_on"}
    with pytest.raises(IntegrityError), transaction.atomic():
        lease.save()
    lease.end_date, lease.ended_on = dt.date(2024, 1, 31), dt.date(2024, 1, 31)
    lease.rent_free_months = Decimal("2")
    with pytest.raises(ValidationError) as exc:
        lease.full_clean()
    assert list(exc.value.message_dict) == ["rent_free_months"]


# --- warnings and figures ---------------------------------------------------------------------


def test_one_warning_not_closed_per_enterprise(eco):
    soft = eco["enterprises"]["soft"]
    MoveOutWarning.objects.create(enterprise=soft, raised_on=dt.date(2025, 1, 1), risk_score=60)
    with pytest.raises(IntegrityError), transaction.atomic():
        MoveOutWarning.objects.create(enterprise=soft, raised_on=dt.date(2025, 2, 1), risk_score=70)
    with pytest.raises(IntegrityError), transaction.atomic():  # closed needs an outcome
        MoveOutWarning.objects.create(
            enterprise=soft, raised_on=dt.date(2025, 2, 1), risk_score=70, state="closed"
        )
    MoveOutWarning.objects.create(
        enterprise=soft,
        raised_on=dt.date(2024, 6, 1),
        risk_score=40,
        state="closed",
        outcome="retained",
    )
    assert soft.warnings.count() == 2


def test_monthly_figures_are_unique_per_scope_and_month(eco):
    east = eco["east_tower"]
    MonthlyFigure.objects.create(
        scope="building",
        key=east.building.code,
        building=east,
        month=dt.date(2025, 1, 1),
        unit_path=east.org_unit.path,
        occupied_area_m2=Decimal("320"),
        dominant_industry="I",
        meets_signature_target=True,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        MonthlyFigure.objects.create(
            scope="building", key=east.building.code, month=dt.date(2025, 1, 1), unit_path="x"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        MonthlyFigure.objects.create(
            scope="street", key="330212014", month=dt.date(2025, 1, 5), unit_path="x"
        )


# --- scope, roles, change log -------------------------------------------------------------------


def test_scoped_by_the_grid_of_the_building(eco, make_user):
    river_specialist = make_user("jc", role="building", unit=eco["river"])
    street_specialist = make_user("fm", role="building", unit=eco["street"])
    visible = Enterprise.objects.restrict(river_specialist)
    assert [e.name for e in visible] == ["乙贸易"]
    assert Enterprise.objects.restrict(street_specialist).count() == 3
    assert [str(u) for u in Unit.objects.restrict(river_specialist)] == ["江城中心 101"]
    assert Unit.objects.restrict(make_user("nobody", unit=eco["street"])).count() == 0


def test_roles_carry_the_economy_permissions(make_user, tree):
    specialist = make_user("bld", role="building", unit=tree["street"])
    leader = make_user("boss", role="leader", unit=tree["street"])
    for perm in (
        "economy.view_enterprise",
        "economy.add_lease",
        "economy.change_lease",
        "economy.add_taxrecord",
        "economy.add_moveoutwarning",
        "economy.change_moveoutwarning",
        "economy.assign_moveoutwarning",
    ):
        assert specialist.has_perm(perm), perm
    assert leader.has_perm("economy.view_monthlyfigure")
    assert leader.has_perm("economy.assign_moveoutwarning")
    assert not leader.has_perm("economy.change_lease")
    assert not leader.has_perm("economy.change_monthlyfigure")
    assert (
        Group.objects.get(name="building")
        .permissions.filter(content_type__app_label="economy")
        .count()
        == 12 + 14 + 3
    )


def test_changes_are_in_the_change_log_and_show_on_the_enterprise(eco):
    lease = _lease(eco, "A-1", "soft", ["e101"], dt.date(2024, 1, 1), dt.date(2025, 12, 31))
    ct = ContentType.objects.get_for_model(Lease)
    entries = ChangeLogEntry.objects.filter(content_type=ct, object_id=str(lease.pk))
    assert [e.action for e in entries.order_by("pk")] == ["create", "update"]  # then its units
    assert entries.order_by("pk").last().changed_fields == ["units"]
    soft = eco["enterprises"]["soft"]
    on_soft = ChangeLogEntry.objects.filter(
        related_content_type=ContentType.objects.get_for_model(Enterprise),
        related_object_id=str(soft.pk),
    )
    assert on_soft.filter(content_type=ct).count() == 2
    assert entries.first().org_unit_path == eco["east_grid"].path
