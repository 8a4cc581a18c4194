"""招商's input and output: leads imported from a spreadsheet all or nothing with their row
errors in Chinese; refused page input changes nothing; the API's routes in the schema; the
cockpit panel and the menu for the investment specialist."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from streetbrain.core import dataio
from streetbrain.investment.dataio_specs import LEADS
from streetbrain.investment.models import Lead, LeadEvent, WhitelistFactor

from .test_investment import _world, new_lead  # noqa: F401  (_world: the fixture)

pytestmark = pytest.mark.django_db
d = dt.date

HEADER = [
    "企业名称",
    "统一社会信用代码",
    "行业代码",
    "最小面积（平方米）",
    "最大面积（平方米）",
    "租金预算（元/平方米/天）",
    "线索来源",
    "所属区域编码",
]


def csv_bytes(rows):
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


def test_lead_import_is_all_or_nothing(world):
    user = world["users"]["investment"]
    street = world["street"].code
    good = [
        HEADER,
        ["宁波甲人力资源有限公司", "", "7263", "800", "1200", "4", "中介", street],
        ["宁波乙贸易有限公司", "", "5181", "200", "300", "3.5", "展会", ""],
    ]
    bad = [*good, ["宁波丙咨询有限公司", "", "7243", "500", "300", "3", "其他", street]]
    with translation.override("zh-hans"):
        report = dataio.run_import(LEADS, csv_bytes(bad), user, dry_run=False)
    assert not report.ok and Lead.objects.count() == 0
    messages = " ".join(e.message for e in report.errors)
    assert "最大需求面积小于最小需求面积" in messages
    with translation.override("zh-hans"):
        report = dataio.run_import(LEADS, csv_bytes(good), user, dry_run=False)
    assert report.ok and report.created == 2
    lead = Lead.objects.get(name="宁波甲人力资源有限公司")
    assert lead.stage == "lead" and lead.source == "agent" and lead.org_unit == world["street"]


def test_imported_leads_open_their_timeline(world):
    """An imported lead's timeline starts like a lead opened on the page: one "created" entry
    on its opened_on, by the importing user; a dry run and a re-import (an update) add none."""
    from django.contrib.contenttypes.models import ContentType

    from streetbrain.core.models import ChangeLogEntry

    user = world["users"]["investment"]
    rows = [
        [*HEADER, "登记日期"],
        ["宁波甲人力资源有限公司", "", "7263", "800", "1200", "4", "中介", "", "2025-11-03"],
        ["宁波乙贸易有限公司", "", "5181", "200", "300", "3.5", "展会", "", ""],
    ]
    report = dataio.run_import(LEADS, csv_bytes(rows), user, dry_run=True)
    assert report.ok and LeadEvent.objects.count() == 0
    report = dataio.run_import(LEADS, csv_bytes(rows), user, dry_run=False, reason="展会名单")
    assert report.ok and report.created == 2
    lead = Lead.objects.get(name="宁波甲人力资源有限公司")
    events = list(LeadEvent.objects.filter(lead=lead))
    assert [(e.kind, e.date, e.to_stage, e.user) for e in events] == [
        ("created", d(2025, 11, 3), "lead", user)
    ]
    assert lead.stage_changed_on == d(2025, 11, 3)  # at 线索 since it was opened
    # The creation is in the change log with the import's reason, as the page's would be.
    lead_type = ContentType.objects.get_for_model(Lead)
    entry = ChangeLogEntry.objects.get(
        content_type=lead_type, object_id=str(lead.pk), action="create"
    )
    assert entry.reason == "展会名单" and entry.source == "import"
    rows[1][5] = "3.8"
    report = dataio.run_import(LEADS, csv_bytes(rows), user, dry_run=False)
    assert report.ok and report.updated == 1
    assert LeadEvent.objects.filter(lead=lead).count() == 1
    assert LeadEvent.objects.filter(kind="created").count() == 2


def test_refused_page_input_changes_nothing(world, client):
    user = world["users"]["investment"]
    client.force_login(user)
    factor = WhitelistFactor.objects.get(key="tax_per_m2")
    url = reverse("investment:whitelistfactor_edit", args=[factor.pk])
    response = client.post(url, {"weight": "40", "reason": ""})
    assert response.status_code == 400
    factor.refresh_from_db()
    assert factor.weight == 30
    response = client.post(url, {"weight": "40", "reason": "税收优先"})
    assert response.status_code == 302
    factor.refresh_from_db()
    assert factor.weight == 40
    # A new lead whose area range is upside down: the form says why, nothing is written.
    response = client.post(
        reverse("investment:lead_add"),
        {
            "name": "X",
            "industry": "",
            "area_min_m2": "500",
            "area_max_m2": "100",
            "source": "other",
            "opened_on": "2026-01-01",
        },
    )
    assert response.status_code == 400 and not Lead.objects.exists()
    lead = new_lead(world)
    step = reverse("investment:lead_step", args=[lead.pk, "lose"])
    assert client.post(step, {"on": "2026-01-06", "note": ""}).status_code == 400
    lead.refresh_from_db()
    assert lead.stage == "lead"
    assert client.post(step, {"on": "2026-01-06", "note": "不来了"}).status_code == 302
    lead.refresh_from_db()
    assert lead.stage == "lost"


def test_api_in_schema(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(out))
    text = out.read_text()
    for path in (
        "/api/investment/whitelist/",
        "/api/investment/leads/",
        "/api/investment/leads/{id}/matches/",
        "/api/investment/parks/",
    ):
        assert path in text


def test_cockpit_panel_and_menu(world, client):
    new_lead(world)
    client.force_login(world["users"]["investment"])
    assert reverse("investment:index") in client.get("/").content.decode()
    # The leader sees the funnel on the cockpit.
    client.force_login(world["users"]["leader"])
    cockpit = client.get("/cockpit/")
    assert cockpit.status_code == 200
    html = cockpit.content.decode()
    assert 'id="investment-funnel"' in html
    funnel = cockpit.context["cockpit_charts"]["investment-funnel"]
    assert funnel["series"][0]["values"][0] == 1


def test_park_progress_from_its_tenants_and_imported_turnover(world):
    from streetbrain.investment import parks
    from streetbrain.investment.dataio_specs import ECOMMERCE_PROFILES, ECOMMERCE_TURNOVER
    from streetbrain.investment.models import EcommerceTurnover, Park, ParkCriterion

    user = world["users"]["investment"]
    park = Park.objects.create(name="宁波驿淘互联网产业园", building=world["river_tower"])
    for label, metric, target in (
        ("企业", "enterprises", 2),
        ("进出口额", "turnover", 1_000_000),
        ("入驻率", "occupancy", "0.8"),
    ):
        ParkCriterion.objects.create(park=park, label=label, metric=metric, target=target)
    code = world["enterprises"]["trade"].credit_code  # holds 江城中心's only unit
    with translation.override("zh-hans"):
        bad = dataio.run_import(
            ECOMMERCE_TURNOVER,
            csv_bytes(
                [
                    ["统一社会信用代码", "月份", "进口额（元）", "出口额（元）"],
                    [code, "2026-01", "100000", "500000"],
                    [code, "2026-02", "-1", "0"],
                ]
            ),
            user,
            dry_run=False,
        )
    assert not bad.ok and not EcommerceTurnover.objects.exists()
    with translation.override("zh-hans"):
        report = dataio.run_import(
            ECOMMERCE_PROFILES,
            csv_bytes(
                [["统一社会信用代码", "跨境电商监管方式", "电商服务商"], [code, "9610", "否"]]
            ),
            user,
            dry_run=False,
        )
        assert report.ok, report.errors
        report = dataio.run_import(
            ECOMMERCE_TURNOVER,
            csv_bytes(
                [
                    ["统一社会信用代码", "月份", "进口额（元）", "出口额（元）"],
                    [code, "2026-01", "100000", "500000"],
                    [code, "2026-02", "0", "300000"],
                ]
            ),
            user,
            dry_run=False,
        )
    assert report.ok and report.created == 2
    progress = {p["criterion"].metric: p for p in parks.progress(park, today=dt.date(2026, 3, 18))}
    assert progress["enterprises"]["current"] == 1 and progress["enterprises"]["gap"] == 1
    assert progress["turnover"]["current"] == 900_000 and progress["turnover"]["gap"] == 100_000
    # 江城中心's one unit is held by the trader's lease (2023–2030): occupancy 100 %, met.
    assert progress["occupancy"]["current"] == 1.0 and progress["occupancy"]["met"]


def test_parks_layer_shows_each_criterion_against_its_target(world, client):
    from streetbrain.investment.models import Park, ParkCriterion

    building = world["river_tower"].building
    building.lon, building.lat = 121.56, 29.87
    building.save()
    park = Park.objects.create(
        name="宁波驿淘互联网产业园",
        building=world["river_tower"],
        target_level="省级跨境电商产业园",
    )
    ParkCriterion.objects.create(park=park, label="电商企业", metric="enterprises", target=100)
    ParkCriterion.objects.create(park=park, label="入驻率", metric="occupancy", target="0.8")
    client.force_login(world["users"]["investment"])
    layers = {x["name"] for x in client.get("/api/map/layers/").json()["layers"]}
    assert "investment_parks" in layers
    (feature,) = client.get("/api/map/layers/investment_parks/").json()["features"]
    props = feature["properties"]
    assert props["name"] == "宁波驿淘互联网产业园" and props["url"] == park.get_absolute_url()
    # 江城中心's only unit is let: full occupancy; no e-commerce enterprise yet.
    assert props["rows"] == [["电商企业", "0 / 100"], ["入驻率", "100.0% / 80.0%"]]
    assert feature["geometry"]["coordinates"] == [121.56, 29.87]
    # A grid worker of 东城 does not see 江城's park; without the permission, no layer.
    client.force_login(world["users"]["grid"])
    assert client.get("/api/map/layers/investment_parks/").json()["features"] == []
    outsider = world["users"]["leader"]
    outsider.groups.clear()
    client.force_login(outsider)
    assert client.get("/api/map/layers/investment_parks/").status_code == 403
