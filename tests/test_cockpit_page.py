"""驾驶舱: the leaders' dashboard from precomputed figures, its live feed and wall mode."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from streetbrain.cases.evaluation import stats
from streetbrain.cases.intake.actions import submit_report
from streetbrain.cases.intake.pipeline import ReportInput
from streetbrain.cockpit import panels
from streetbrain.core.figures import refresh_key_figures

EAST = (121.61, 29.865)
RIVER = (121.63, 29.865)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def report(lon, lat, text="路边有暴露垃圾，好几袋生活垃圾没人清运"):
    return submit_report(
        ReportInput(
            channel="gridworker",
            description=text,
            lon=lon,
            lat=lat,
            requested_class="matter:06010",
        )
    )


@pytest.fixture
def world(case_world):
    first = report(*EAST)
    second = report(*RIVER, text="江边绿化带里堆了很多建筑垃圾")
    refresh_key_figures()
    stats.refresh_recent()
    return {**case_world, "reports": [first.report, second.report]}


def test_the_leader_sees_todays_cases_with_links_to_their_lists(world):
    response = client_for(world["users"]["leader"]).get("/cockpit/")
    assert response.status_code == 200
    shown = {p.key: p for p in response.context["panels"]}
    # The domains' panels in their declared order (the test app's wells come after them).
    assert list(shown)[:5] == ["cases", "feed", "community", "class", "people"]
    tiles = {t.key: t for t in shown["cases"].context["tiles"]}
    assert tiles["today"].value == 2 and tiles["open"].value == 2
    assert tiles["overdue"].value == 0
    assert tiles["today"].url == "/cases/?period=today"
    assert tiles["overdue"].url == "/cases/?tab=overdue"
    html = response.content.decode()
    assert 'href="/cases/?period=today"' in html
    assert 'id="chart-community"' in html and "streetbrain/cockpit.js" in html
    classes = response.context["cockpit_charts"]["chart-class"]["items"]
    assert [(c["name"], c["value"]) for c in classes] == [
        (world["reports"][0].case.component_class.major_name, 2)
    ]
    assert classes[0]["url"].startswith("/cases/?major=06&")


def test_the_feed_lists_the_newest_reports_in_the_users_scope(world):
    leader = client_for(world["users"]["leader"]).get("/cockpit/feed/").content.decode()
    for r in world["reports"]:
        assert f"/cases/{r.case_id}/" in leader
    mine = client_for(world["users"]["gridworker"]).get("/cockpit/feed/").content.decode()
    east, river = world["reports"]
    assert f"/cases/{east.case_id}/" in mine and f"/cases/{river.case_id}/" not in mine


def test_wall_mode_hides_the_menus(world):
    html = client_for(world["users"]["leader"]).get("/cockpit/?wall=1").content.decode()
    assert '<body class="cockpit-page wall"' in html


def test_a_department_handler_has_no_cockpit(world):
    response = client_for(world["users"]["handler"]).get("/cockpit/")
    assert response.status_code == 403


def test_the_building_economy_appears_once_it_has_figures(world):
    from streetbrain.economy.models import MonthlyFigure

    from .test_economy_models import build_economy

    economy = build_economy(world)
    this_month = timezone.localdate().replace(day=1)
    month = (this_month - dt.timedelta(days=1)).replace(day=1)  # the last complete month
    street = world["street"]
    # The current month's figures lack its tax (the bureau reports after the month): the
    # cockpit shows the last complete month's.
    MonthlyFigure.objects.create(
        scope="street", key=street.code, month=this_month, unit_path=street.path,
        occupancy_rate=0.10,
    )  # fmt: skip
    MonthlyFigure.objects.create(
        scope="street",
        key=street.code,
        month=month,
        unit_path=street.path,
        occupancy_rate=0.82,
        tax_total_ytd=Decimal("123456789"),
        tax_yoy=0.05,
        leased_new_ytd_m2=Decimal("40000"),
    )
    tower = economy["east_tower"]
    MonthlyFigure.objects.create(
        scope="building",
        key=tower.building.code,
        month=month,
        building=tower,
        unit_path=tower.org_unit.path,
        tax_total_12m=Decimal("150000000"),
    )
    _unit, shown = panels.gather(world["users"]["leader"])
    economy_panel = next(p.context for p in shown if p.key == "economy")
    assert economy_panel["month"] == month
    tiles = {t.key: t.value for t in economy_panel["tiles"]}
    assert tiles["occupancy"] == 0.82 and tiles["absorption"] == 40000.0
    assert economy_panel["absorption"] == {"done": 40000.0, "target": 80000, "share": 0.5}
    assert [(b["name"], b["yi"]) for b in economy_panel["yi_buildings"]] == [
        (tower.building.name, True)
    ]
    html = client_for(world["users"]["leader"]).get("/cockpit/").content.decode()
    assert "亿元楼宇" in html and "1.50 亿元" in html


def test_no_unit_no_cockpit(db, make_user):
    assert panels.gather(make_user("floating")) == (None, [])
