"""The figures of a user's area, computed once and read everywhere the same way: the monthly
recomputation writes every community's and grid cell's rows with the street's definitions;
the dashboard, the cockpit and the API read those rows, so a community's leader (the demo's
``community_leader``, 江城社区) sees 江城's figures and towers and nothing of 东城's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from streetbrain.cockpit import panels
from streetbrain.core.months import add_months, last_complete_month
from streetbrain.economy import actions, metrics
from streetbrain.economy.area import area_of
from streetbrain.economy.models import (
    Floor,
    MonthlyFigure,
    OfficeBuilding,
    TaxRecord,
    Unit,
)
from streetbrain.registry.models import Building
from tests.test_economy_models import build_economy

pytestmark = pytest.mark.django_db

d = dt.date
LAST = last_complete_month()


@pytest.fixture
def world(tree, make_user):
    """东城大厦 (东城's first grid cell) with 甲软件 on 200 of its 400 m²; 江城中心 (江城's first
    grid cell, 150 m²) and 江城二号楼 (江城's second grid cell, 100 m²) both let to 乙贸易, which
    is therefore one tenant of 江城 in two buildings. Tax for 14 months: 甲软件 CNY 2 m a month
    (a 千万元楼宇), 乙贸易 CNY 1.5 m a month, split between its two buildings by area."""
    eco = build_economy(tree)
    grid2 = tree["grids"]["33021201400202"]
    second = OfficeBuilding.objects.create(
        building=Building.objects.create(
            code=f"{grid2.code}001", name="江城二号楼", address="江城路2号", kind="office",
            org_unit=grid2, floors_above=5,
        )
    )  # fmt: skip
    floor = Floor.objects.create(building=second, number=1)
    r2 = Unit.objects.create(floor=floor, code="101", area_m2=Decimal("100"))
    ent, units = eco["enterprises"], eco["units"]
    start = add_months(LAST, -14)
    actions.sign_lease(ent["soft"], [units["e101"], units["e102"]], start_date=start,
                       end_date=d(2035, 12, 31))  # fmt: skip
    actions.sign_lease(ent["trade"], [units["r101"]], start_date=start, end_date=d(2035, 6, 30))
    actions.sign_lease(ent["trade"], [r2], start_date=start, end_date=d(2035, 6, 30))
    for n in range(14):
        month = add_months(LAST, -n)
        TaxRecord.objects.create(enterprise=ent["soft"], month=month, total_tax=2_000_000,
                                 local_tax=800_000)  # fmt: skip
        TaxRecord.objects.create(enterprise=ent["trade"], month=month, total_tax=1_500_000,
                                 local_tax=600_000)  # fmt: skip
    metrics.refresh_months(add_months(LAST, -14), add_months(LAST, 1))
    return {
        **eco,
        "second_tower": second,
        "street_leader": make_user("boss", role="leader", unit=tree["street"]),
        # the demo's community_leader: the street leader's role, scoped to 江城社区
        "community_leader": make_user("jc-leader", role="leader", unit=tree["river"]),
        "grid_specialist": make_user("jc-g2", role="building", unit=grid2),
        "acceptor": make_user("slz", role="acceptor", unit=tree["river"]),
    }


def row(scope, key, month=LAST) -> MonthlyFigure:
    return MonthlyFigure.objects.get(scope=scope, key=key, month=month)


def test_every_community_and_grid_cell_with_a_tower_has_its_rows(world):
    river, east, street = world["river"], world["east"], world["street"]
    jc = row("community", river.code)
    # 江城中心 150 m² + 江城二号楼 100 m², all let; 乙贸易 counted once
    assert jc.leasable_area_m2 == Decimal("250.00") and jc.occupancy_rate == 1.0
    assert jc.tenants == 1 and jc.units_total == 2
    assert jc.tax_total == Decimal("1500000.00")
    assert jc.unit_path == river.path and jc.building is None
    dc = row("community", east.code)
    assert dc.leasable_area_m2 == Decimal("400.00") and dc.occupancy_rate == 0.5
    # the street is its areas' sum, tenants once each
    st = row("street", street.code)
    assert st.tax_total == jc.tax_total + dc.tax_total and st.tenants == 2
    # a grid cell's row: 江城二号楼 alone, with its share of 乙贸易's tax (100 of 250 m²)
    g2 = row("grid", "33021201400202")
    assert g2.leasable_area_m2 == Decimal("100.00")
    assert g2.tax_total == Decimal("600000.00") and g2.tenants == 1
    # no rows for the cells without a tower
    assert not MonthlyFigure.objects.filter(scope="grid", key="33021201400102").exists()


def test_area_rows_are_scoped_to_their_unit(world):
    seen = MonthlyFigure.objects.restrict(world["community_leader"], "view").filter(month=LAST)
    assert sorted(seen.filter(scope__in=["street", "community", "grid"]).values_list(
        "scope", "key")) == [
        ("community", world["river"].code), ("grid", "33021201400201"),
        ("grid", "33021201400202"),
    ]  # fmt: skip
    everything = MonthlyFigure.objects.restrict(world["street_leader"], "view")
    assert everything.filter(scope="community", month=LAST).count() == 2


def test_each_user_reads_their_own_areas_figures(world):
    area = area_of(world["street_leader"])
    assert (area.scope, area.key) == ("street", world["street"].code)
    area = area_of(world["community_leader"])
    assert (area.scope, area.key) == ("community", world["river"].code)
    assert area.figure() == row("community", world["river"].code)
    # the current month has rows too, but its tax is not in: the last complete month is shown
    assert area.figure().month == LAST and area.figure(add_months(LAST, -2)).month == (
        add_months(LAST, -2)
    )
    assert [t.building for t in area.towers(LAST)] == [world["river_tower"]]
    area = area_of(world["grid_specialist"])
    assert area.figure() == row("grid", "33021201400202")
    assert area_of(world["acceptor"]).figure() is None  # no permission: no figures


def test_the_community_leaders_dashboard_shows_jiangchengs_figures_only(world):
    client = Client()
    client.force_login(world["community_leader"])
    response = client.get(reverse("economy:index"))
    assert response.status_code == 200
    jc = row("community", world["river"].code)
    figures = response.context["figures"]
    for name in ("leasable_area_m2", "occupancy_rate", "tax_total_ytd", "tax_yoy", "tenants"):
        assert figures[name] == getattr(jc, name), name
    assert figures["tenants"] == 1  # 乙贸易 in two of 江城's towers is one tenant
    assert [b["name"] for b in response.context["buildings"]] == ["江城中心", "江城二号楼"]
    html = response.content.decode()
    assert "东城大厦" not in html


def economy_panel(user) -> dict:
    _unit, shown = panels.gather(user)
    return next(p.context for p in shown if p.key == "economy")


def test_the_community_leaders_cockpit_shows_jiangchengs_figures_and_towers(world):
    jc = row("community", world["river"].code)
    economy = economy_panel(world["community_leader"])
    assert economy["month"] == LAST
    tiles = {t.key: t.value for t in economy["tiles"]}
    assert tiles["occupancy"] == jc.occupancy_rate == 1.0
    assert tiles["tax_ytd"] == float(jc.tax_total_ytd)
    assert tiles["absorption"] == float(jc.leased_new_ytd_m2 or 0)
    # 江城中心 has CNY 10.8 m over 12 months; 东城大厦 (CNY 24 m) is not 江城's
    assert [b["name"] for b in economy["yi_buildings"]] == ["江城中心"]
    client = Client()
    client.force_login(world["community_leader"])
    html = client.get("/cockpit/").content.decode()
    assert "江城中心" in html and "东城大厦" not in html


def test_the_street_leaders_cockpit_still_shows_the_street(world):
    economy = economy_panel(world["street_leader"])
    tiles = {t.key: t.value for t in economy["tiles"]}
    assert tiles["tax_ytd"] == float(row("street", world["street"].code).tax_total_ytd)
    assert [b["name"] for b in economy["yi_buildings"]] == ["东城大厦", "江城中心"]


def test_the_api_lists_the_areas_rows_in_scope(world, api_client):
    api_client.force_authenticate(world["community_leader"])
    response = api_client.get(
        "/api/economy/metrics/", {"scope": "community", "month": f"{LAST:%Y-%m}"}
    )
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["scope"], r["key"]) for r in rows] == [("community", world["river"].code)]
