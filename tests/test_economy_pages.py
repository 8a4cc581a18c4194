"""The building brain's pages: the dashboard from the precomputed figures, office buildings and
their stacking plan, units, enterprises and their profile (企业影像), the move-out warnings and
their workflow through the HTMX forms; scope (another community's tower is a 404), roles (a
role without the economy is a 403), bad input that changes nothing, and query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from streetbrain.core.months import add_months
from streetbrain.economy import actions, metrics
from streetbrain.economy.models import (
    EnterpriseEvent,
    HeadcountRecord,
    MonthlyFigure,
    MoveOutWarning,
    TaxRecord,
    WarningEvent,
)
from tests.test_economy_models import build_economy, credit_code

pytestmark = pytest.mark.django_db

d = dt.date
EVIDENCE = [
    {
        "rule": "tax_drop",
        "text": "税收连续两个季度同比下降超过35%",
        "values": {"q1": -0.41, "q2": -0.52},
    },
    {
        "rule": "lease_expiry",
        "text": "租约6个月内到期且未续签",
        "values": {"leases": [{"contract": "HT-0042", "ends": "2026-03-31"}], "months": 6},
    },
]


def month_back(n: int) -> dt.date:
    return add_months(timezone.localdate(), -n)


@pytest.fixture
def eco(tree, make_user, client):
    world = build_economy(tree)
    users = {
        "specialist": make_user("fm-bld", role="building", unit=tree["street"]),
        "east_specialist": make_user("dc-bld", role="building", unit=tree["east"]),
        "river_specialist": make_user("jc-bld", role="building", unit=tree["river"]),
        "leader": make_user("boss", role="leader", unit=tree["street"]),
        "acceptor": make_user("slz", role="acceptor", unit=tree["street"]),
    }
    world["users"] = users
    east, river = world["east_tower"], world["river_tower"]
    east.leader = users["east_specialist"]
    east.owner = "东城置业有限公司"
    east.save()
    ent, units = world["enterprises"], world["units"]
    start = month_back(14)
    world["lease"] = actions.sign_lease(
        ent["soft"], [units["e101"], units["e102"]], start_date=start, end_date=d(2030, 12, 31)
    )
    actions.sign_lease(ent["trade"], [units["r101"]], start_date=start, end_date=d(2030, 6, 30))
    for n in range(12):
        month = month_back(n + 1)
        TaxRecord.objects.create(
            enterprise=ent["soft"], month=month, total_tax=Decimal(1_200_000 + n * 1000),
            local_tax=Decimal(400_000),
        )  # fmt: skip
        HeadcountRecord.objects.create(enterprise=ent["soft"], month=month, headcount=120 - n)
    latest = month_back(1)
    world["month"] = latest
    for n in range(3):
        month = month_back(n + 1)
        MonthlyFigure.objects.create(
            scope="street", key=tree["street"].code, month=month, unit_path=tree["street"].path,
            leasable_area_m2=Decimal("550"), occupied_area_m2=Decimal("350"),
            available_area_m2=Decimal("200"), units_total=4, units_occupied=3,
            occupancy_rate=350 / 550, vacancy_rate=200 / 550, leased_new_m2=Decimal("0"),
            leased_new_ytd_m2=Decimal("12345"), net_absorption_m2=Decimal("0"),
            tax_total=Decimal("3200000"), tax_local=Decimal("900000"),
            tax_total_ytd=Decimal("32100000"), tax_local_ytd=Decimal("9000000"),
            tax_yoy=0.125, tax_total_12m=Decimal("123456789"), tax_per_m2=Decimal("224466.89"),
            tenants=2, tenants_local=2, local_registration_rate=1.0,
            dominant_industry="I", dominant_share=0.7, concentration_hhi=0.58,
        )  # fmt: skip
        for tower, tax in ((east, "123456789"), (river, "85000000")):
            MonthlyFigure.objects.create(
                scope="building", key=tower.building.code, building=tower, month=month,
                unit_path=tower.org_unit.path, leasable_area_m2=Decimal("400"),
                occupied_area_m2=Decimal("200"), occupancy_rate=0.5, vacancy_rate=0.5,
                tax_total_12m=Decimal(tax), tax_total=Decimal("1000000"),
                tax_total_ytd=Decimal("9000000"), tax_yoy=-0.2, tax_per_m2=Decimal("308642.0"),
                tenants=1, tenants_local=1, dominant_industry="I", dominant_share=1.0,
                meets_signature_target=tower is east,
            )  # fmt: skip
    for section, tax in (("I", "100000000"), ("F", "23456789")):
        MonthlyFigure.objects.create(
            scope="section", key=section, month=latest, unit_path=tree["street"].path,
            tenants=1, tax_total_12m=Decimal(tax),
        )  # fmt: skip
    world["warning"] = actions.raise_warning(
        ent["soft"], risk_score=72, evidence=EVIDENCE, building=east,
        raised_on=timezone.localdate() - dt.timedelta(days=20),
    )  # fmt: skip
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    return world


def page(client, user, name, *args, **params):
    client.force_login(user)
    return client.get(reverse(name, args=args), params)


def text(response) -> str:
    return response.content.decode()


# --- the dashboard ---------------------------------------------------------------------------


def test_dashboard_shows_the_streets_figures(client, eco):
    response = page(client, eco["users"]["specialist"], "economy:index")
    assert response.status_code == 200
    body = text(response)
    assert "楼宇经济" in body or "Building economy" in body
    # occupancy 350/550, the 去化 gauge against the 80,000 m² target, tax YTD in 万元, YoY
    assert "63.6%" in body
    assert "12,345" in body and "80,000" in body and "15.4%" in body
    assert "3,210.0" in body and "+12.5%" in body
    # the ranking links to each tower; the tiers: 东城大厦 ≥ 1 亿, 江城中心 准亿元
    assert eco["east_tower"].get_absolute_url() in body
    assert 'id="tier-yi"' in body
    tiers = body[body.index('id="tier-yi"') : body.index('id="eco-industries"')]
    yi, near = tiers.split('id="tier-near"')[0], tiers.split('id="tier-near"')[1]
    assert "东城大厦" in yi and "江城中心" not in yi
    assert "江城中心" in near.split('id="tier-qianwan"')[0]
    # industry structure from the section rows, linked to the list behind it
    assert "?industry=I&amp;status=active" in body or "?industry=I&status=active" in body
    # open warnings: one, linking to the warning list
    assert reverse("economy:moveoutwarning_list") in body
    assert 'id="eco-trend"' in body


def test_dashboard_month_and_empty_state(client, eco):
    user = eco["users"]["leader"]
    earlier = month_back(3)
    response = page(client, user, "economy:index", month=f"{earlier:%Y-%m}")
    assert response.status_code == 200 and response.context["month"] == earlier
    response = page(client, user, "economy:index", month="1999-01")
    assert response.context["month"] == eco["month"] and response.context["month_invalid"]
    MonthlyFigure.objects.all().delete()
    response = page(client, user, "economy:index")
    assert response.status_code == 200 and response.context["month"] is None


def test_dashboard_of_a_community_shows_its_communitys_figures(client, eco):
    metrics.refresh_months(month_back(3), month_back(1))
    response = page(client, eco["users"]["east_specialist"], "economy:index")
    assert response.status_code == 200
    assert not response.context["is_street"] and response.context["month"] == eco["month"]
    figures = response.context["figures"]
    # 东城大厦's 400 m², half of it let to 甲软件
    assert figures["leasable_area_m2"] == Decimal("400") and figures["occupancy_rate"] == 0.5
    assert figures["tenants"] == 1 and figures["dominant_industry"] == "65"
    names = [b["name"] for b in response.context["buildings"]]
    assert names == ["东城大厦"]


def test_dashboard_reads_a_handful_of_queries(client, eco, django_assert_max_num_queries):
    client.force_login(eco["users"]["specialist"])
    with django_assert_max_num_queries(16):  # session and permissions included
        assert client.get(reverse("economy:index")).status_code == 200


# --- office buildings --------------------------------------------------------------------------


def test_building_list_with_figures_filters_and_export(client, eco):
    response = page(client, eco["users"]["specialist"], "economy:officebuilding_list")
    assert response.status_code == 200
    body = text(response)
    assert "东城大厦" in body and "江城中心" in body and "12,345.7" in body
    response = page(client, eco["users"]["specialist"], "economy:officebuilding_list", q="江城")
    assert "东城大厦" not in text(response)
    response = page(
        client, eco["users"]["specialist"], "economy:officebuilding_list", sort="-fig_tax_12m"
    )
    assert [r[0].name for r in response.context["rows"]] == ["东城大厦", "江城中心"]
    export = page(
        client, eco["users"]["specialist"], "economy:officebuilding_export", format="xlsx"
    )
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd")


def test_building_page_shows_the_stacking_plan(client, eco):
    east = eco["east_tower"]
    response = page(client, eco["users"]["specialist"], "economy:officebuilding_detail", east.pk)
    assert response.status_code == 200
    body = text(response)
    plan = response.context["plan"]
    assert [f.label for f in plan.floors] == ["2F", "1F"]  # top floor first
    cells = {c.code: c for f in plan.floors for c in f.cells}
    assert cells["101"].tenant == "甲软件" and cells["101"].section == "I"
    assert cells["101"].status == "occupied" and cells["201"].status == "vacant_available"
    assert cells["201"].tenant == "" and cells["201"].section == "none"
    assert cells["102"].lease_end == "2030-12-31"
    assert [(i.key, i.count) for i in plan.status_legend][:2] == [
        ("occupied", 2),
        ("vacant_available", 1),
    ]
    assert [(i.key, i.label) for i in plan.industry_legend] == [
        ("I", "信息传输、软件和信息技术服务业")
    ]
    assert [(t.name, [u.code for u in t.units]) for t in plan.tenants] == [
        ("甲软件", ["101", "102"])
    ]
    assert 'id="unit-' in body and "flex-grow: 200.00" in body  # width by area
    assert "dc-bld" in body  # the 楼长
    # the figures link to the lists behind them
    assert f"/economy/units/?building={east.pk}&amp;status=vacant_available" in body
    assert f"/economy/enterprises/?building={east.pk}" in body
    assert "数字经济" in body  # the chain
    assert "I 信息传输、软件和信息技术服务业" in body  # 一楼一品 with its GB/T 4754 name
    assert "甲软件" in body[body.index('id="tenants"') :]
    assert eco["warning"].get_absolute_url() in body
    assert 'id="eco-trend"' in body


def test_building_page_query_count(client, eco, django_assert_max_num_queries):
    from streetbrain.economy.models import Floor, Unit

    east = eco["east_tower"]
    floor = Floor.objects.create(building=east, number=3)
    for i in range(30):  # more units and tenants must not mean more queries
        unit = Unit.objects.create(floor=floor, code=f"3{i:02d}", area_m2=Decimal("50"))
        enterprise = eco["enterprises"]["soft"].__class__.objects.create(
            credit_code=credit_code(100 + i), name=f"企业{i}",
            industry=eco["enterprises"]["soft"].industry, org_unit=eco["east_grid"],
        )  # fmt: skip
        actions.sign_lease(enterprise, [unit], start_date=month_back(2), end_date=d(2031, 1, 31))
    client.force_login(eco["users"]["specialist"])
    url = reverse("economy:officebuilding_detail", args=[east.pk])
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.status_code == 200 and "企业29" in text(response)


def test_unit_list_filters_by_status(client, eco):
    response = page(
        client, eco["users"]["specialist"], "economy:unit_list", status="vacant_available"
    )
    assert response.status_code == 200
    codes = sorted(r[0].code for r in response.context["rows"])
    assert codes == ["201"]


# --- enterprises -------------------------------------------------------------------------------


def test_enterprise_list_filters(client, eco):
    user = eco["users"]["specialist"]
    body = text(page(client, user, "economy:enterprise_list"))
    assert "甲软件" in body and "乙贸易" in body and "丙咨询" in body
    rows = page(client, user, "economy:enterprise_list", q=credit_code(2)).context["rows"]
    assert [r[0].name for r in rows] == ["乙贸易"]
    response = page(client, user, "economy:enterprise_list", industry="I")
    assert [r[0].name for r in response.context["rows"]] == ["甲软件"]
    assert '<option value="I" selected>I 信息传输、软件和信息技术服务业</option>' in text(response)
    rows = page(client, user, "economy:enterprise_list", industry="6513").context["rows"]
    assert [r[0].name for r in rows] == ["甲软件"]  # a longer GB/T 4754 prefix works too
    rows = page(client, user, "economy:enterprise_list", building=eco["river_tower"].pk).context[
        "rows"
    ]
    assert [r[0].name for r in rows] == ["乙贸易"]


def test_enterprise_list_query_count(client, eco, django_assert_max_num_queries):
    soft = eco["enterprises"]["soft"]
    for i in range(40):
        soft.__class__.objects.create(
            credit_code=credit_code(200 + i), name=f"列表企业{i}", industry=soft.industry,
            org_unit=eco["east_grid"],
        )  # fmt: skip
    client.force_login(eco["users"]["specialist"])
    # PostgreSQL asks its planner first (one EXPLAIN) whether the list is big enough to show
    # an estimated count instead of counting (core.estimates.EstimatingPaginator).
    budget = 14 + (connection.vendor == "postgresql")
    with django_assert_max_num_queries(budget):
        response = client.get(reverse("economy:enterprise_list"))
    assert response.status_code == 200 and "列表企业1" in text(response)


def test_enterprise_profile(client, eco):
    soft = eco["enterprises"]["soft"]
    response = page(client, eco["users"]["leader"], "economy:enterprise_detail", soft.pk)
    assert response.status_code == 200
    body = text(response)
    assert soft.credit_code in body
    assert "6513" in body and "应用软件开发" in body and "信息传输、软件和信息技术服务业" in body
    assert "东城大厦" in body[body.index('id="where"') :]
    assert eco["lease"].contract_number in body
    chart = response.context["tax_chart"]
    assert len(chart["months"]) == 12 and chart["total"][-1] == 120.0
    assert response.context["head_chart"]["headcount"][-1] == 120
    kinds = [e.kind for e in response.context["events"]]
    assert EnterpriseEvent.Kind.MOVE_IN in kinds and EnterpriseEvent.Kind.WARNING_RAISED in kinds
    assert eco["warning"].get_absolute_url() in body
    # The leader may see cases: the case engine's section is there (no cases yet); a
    # specialist may not see cases, and gets no section.
    assert [p["key"] for p in response.context["related_panels"]] == ["cases.enterprise"]
    assert response.context["cases"] == {"direct": [], "at_buildings": []}
    response = page(client, eco["users"]["specialist"], "economy:enterprise_detail", soft.pk)
    assert response.context["related_panels"] == [] and 'id="cases"' not in text(response)


def test_enterprise_profile_shows_cases_at_its_building(client, eco):
    from streetbrain.cases.models import Case

    soft, east = eco["enterprises"]["soft"], eco["east_tower"]
    case = Case.objects.create(
        title="大堂漏水", org_unit=eco["east_grid"], building=east.building,
        reported_at=timezone.now(),
    )  # fmt: skip
    response = page(client, eco["users"]["leader"], "economy:enterprise_detail", soft.pk)
    assert [c.pk for c in response.context["cases"]["at_buildings"]] == [case.pk]
    assert case.get_absolute_url() in text(response)


# --- scope and roles ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("economy:officebuilding_detail", "east_tower"),
        ("economy:enterprise_detail", "soft"),
        ("economy:moveoutwarning_detail", "warning"),
    ],
)
def test_another_communitys_objects_are_not_found(client, eco, name, key):
    obj = eco["enterprises"][key] if key == "soft" else eco[key]
    response = page(client, eco["users"]["river_specialist"], name, obj.pk)
    assert response.status_code == 404
    response = page(client, eco["users"]["east_specialist"], name, obj.pk)
    assert response.status_code == 200


def test_lists_are_scoped(client, eco):
    user = eco["users"]["river_specialist"]
    body = text(page(client, user, "economy:officebuilding_list"))
    assert "江城中心" in body and "东城大厦" not in body
    body = text(page(client, user, "economy:enterprise_list"))
    assert "乙贸易" in body and "甲软件" not in body
    rows = page(client, user, "economy:moveoutwarning_list", tab="all").context["rows"]
    assert rows == []


@pytest.mark.parametrize(
    "name",
    [
        "economy:index",
        "economy:officebuilding_list",
        "economy:unit_list",
        "economy:enterprise_list",
        "economy:moveoutwarning_list",
    ],
)
def test_roles_without_the_economy_are_refused(client, eco, name):
    assert page(client, eco["users"]["acceptor"], name).status_code == 403
    client.logout()
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_detail_pages_refuse_roles_without_the_economy(client, eco):
    user = eco["users"]["acceptor"]
    east = eco["east_tower"]
    assert page(client, user, "economy:officebuilding_detail", east.pk).status_code == 403
    warning = eco["warning"]
    url = reverse("economy:moveoutwarning_act", args=[warning.pk, "close"])
    response = client.post(url, {"outcome": "retained", "note": "x"})
    assert response.status_code in (403, 404)
    warning.refresh_from_db()
    assert warning.state == "open"


# --- warnings ------------------------------------------------------------------------------------


def test_warning_list_tabs(client, eco):
    user = eco["users"]["east_specialist"]
    rows = page(client, user, "economy:moveoutwarning_list").context["rows"]
    assert [r[0].pk for r in rows] == [eco["warning"].pk]
    assert page(client, user, "economy:moveoutwarning_list", tab="mine").context["rows"] == []
    actions.assign_warning(eco["warning"], user, user=eco["users"]["leader"])
    response = page(client, user, "economy:moveoutwarning_list", tab="mine")
    assert [r[0].pk for r in response.context["rows"]] == [eco["warning"].pk]
    assert response.context["mine_count"] == 1
    rows = page(
        client, user, "economy:moveoutwarning_list", building=eco["river_tower"].pk
    ).context["rows"]
    assert rows == []


def test_warning_page_shows_evidence_and_steps(client, eco):
    warning = eco["warning"]
    response = page(client, eco["users"]["leader"], "economy:moveoutwarning_detail", warning.pk)
    assert response.status_code == 200
    body = text(response)
    assert "税收连续两个季度同比下降超过35%" in body and "-0.52" in body and "72" in body
    # a list of records found by a rule shows as a small table
    assert "<th>contract</th>" in body and "<td>HT-0042</td>" in body
    # a leader assigns; only the building staff follow up
    assert [s["name"] for s in response.context["steps"]] == ["assign"]
    response = page(
        client, eco["users"]["east_specialist"], "economy:moveoutwarning_detail", warning.pk
    )
    assert [s["name"] for s in response.context["steps"]] == ["assign", "note", "close"]


def post_step(client, user, warning, step, data, htmx=True):
    client.force_login(user)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    url = reverse("economy:moveoutwarning_act", args=[warning.pk, step])
    return client.post(url, data, **headers)


def snapshot(warning) -> tuple:
    warning.refresh_from_db()
    return (
        warning.state,
        warning.assignee_id,
        warning.outcome,
        WarningEvent.objects.count(),
        EnterpriseEvent.objects.count(),
    )


def test_warning_workflow_through_the_pages(client, eco):
    warning, users = eco["warning"], eco["users"]
    specialist = users["east_specialist"]
    form = page(client, users["leader"], "economy:moveoutwarning_act", warning.pk, "assign")
    assert form.status_code == 200
    assert "dc-bld" in text(form) and "jc-bld" not in text(form)  # only who may follow it up
    response = post_step(
        client, users["leader"], warning, "assign", {"assignee": specialist.pk, "note": "请走访"}
    )
    assert response.status_code == 200 and response["HX-Redirect"] == warning.get_absolute_url()
    warning.refresh_from_db()
    assert warning.state == "assigned" and warning.assignee == specialist

    today = timezone.localdate()
    response = post_step(
        client, specialist, warning, "visit",
        {"visited_on": today.isoformat(), "note": "企业计划缩减面积，仍在谈续租"},
    )  # fmt: skip
    assert response.status_code == 200 and "HX-Redirect" in response
    response = post_step(client, specialist, warning, "note", {"note": "已协调房东降租"})
    assert "HX-Redirect" in response
    response = post_step(
        client,
        specialist,
        warning,
        "close",
        {"outcome": "retained", "note": "续签三年"},
        htmx=False,
    )
    assert response.status_code == 302
    warning.refresh_from_db()
    assert warning.state == "closed" and warning.outcome == "retained"
    steps = list(warning.events.values_list("action", "user__username"))
    assert steps == [
        ("raised", None),
        ("assigned", "boss"),
        ("visit", "dc-bld"),
        ("note", "dc-bld"),
        ("closed", "dc-bld"),
    ]
    assert warning.events.get(action="visit").visited_on == today
    soft = eco["enterprises"]["soft"]
    assert soft.events.filter(kind="warning_closed", data={"outcome": "retained"}).exists()
    body = text(page(client, specialist, "economy:moveoutwarning_detail", warning.pk))
    assert "续签三年" in body and "已留住" in body
    # closed: only a note is left
    response = page(client, specialist, "economy:moveoutwarning_detail", warning.pk)
    assert [s["name"] for s in response.context["steps"]] == ["note"]


def test_bad_input_shows_the_error_in_chinese_and_changes_nothing(client, eco):
    warning, users = eco["warning"], eco["users"]
    specialist = users["east_specialist"]
    before = snapshot(warning)
    # a visit before the warning is assigned
    response = post_step(
        client, specialist, warning, "visit",
        {"visited_on": timezone.localdate().isoformat(), "note": "走访"},
    )  # fmt: skip
    assert response.status_code == 200 and "请先指派预警，再登记走访。" in text(response)
    assert snapshot(warning) == before
    # assigning someone who may not follow it up (another community)
    response = post_step(
        client, users["leader"], warning, "assign", {"assignee": users["river_specialist"].pk}
    )
    assert "has-error" in text(response) and snapshot(warning) == before
    actions.assign_warning(warning, specialist, user=users["leader"])
    before = snapshot(warning)
    # a visit in the future
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = post_step(
        client, specialist, warning, "visit", {"visited_on": tomorrow.isoformat(), "note": "走访"}
    )
    assert response.status_code == 200 and "走访日期不能晚于今天。" in text(response)
    assert snapshot(warning) == before
    # closing without a note
    response = post_step(client, specialist, warning, "close", {"outcome": "retained", "note": ""})
    assert "请填写情况说明。" in text(response)
    assert snapshot(warning) == before
    # an unknown outcome, without HTMX: a 400 with the form
    response = post_step(
        client, specialist, warning, "close", {"outcome": "maybe", "note": "x"}, htmx=False
    )
    assert response.status_code == 400 and snapshot(warning) == before
    # a leader may not close (no change permission): 403, nothing changed
    response = post_step(
        client, users["leader"], warning, "close", {"outcome": "left", "note": "x"}
    )
    assert response.status_code == 403 and snapshot(warning) == before


def test_english_pages(client, eco):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = page(client, eco["users"]["specialist"], "economy:index")
    assert "Building economy" in text(response) and "Stacking plan" not in text(response)
    response = page(
        client, eco["users"]["specialist"], "economy:officebuilding_detail", eco["east_tower"].pk
    )
    assert "Stacking plan" in text(response)


def test_navigation_links_the_economy(client, eco):
    body = text(page(client, eco["users"]["specialist"], "home"))
    assert reverse("economy:index") in body
    assert MoveOutWarning.objects.count() == 1


def test_no_inline_scripts(client, eco):
    """The CSP forbids inline scripts: charts read their data from JSON script elements."""
    import re

    user = eco["users"]["specialist"]
    for name, args in (
        ("economy:index", ()),
        ("economy:officebuilding_detail", (eco["east_tower"].pk,)),
        ("economy:enterprise_detail", (eco["enterprises"]["soft"].pk,)),
        ("economy:moveoutwarning_detail", (eco["warning"].pk,)),
    ):
        html = text(page(client, user, name, *args))
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (name, tag)


def test_the_assign_step_offers_only_accounts_the_assigner_may_see(client, eco):
    """The street's specialist may follow up a warning in 东城, but a 东城 specialist
    assigning it cannot see the street's accounts: they are not offered (the action refuses
    them too)."""
    warning, users = eco["warning"], eco["users"]
    by_leader = text(
        page(client, users["leader"], "economy:moveoutwarning_act", warning.pk, "assign")
    )
    assert "fm-bld" in by_leader and "dc-bld" in by_leader
    by_east = page(
        client, users["east_specialist"], "economy:moveoutwarning_act", warning.pk, "assign"
    )
    assert by_east.status_code == 200
    assert "dc-bld" in text(by_east) and "fm-bld" not in text(by_east)
