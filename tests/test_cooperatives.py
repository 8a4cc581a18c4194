"""The cooperatives (股改一社一策): the grading (indicators as data, every contribution shown,
unknown indicators left out), the override and the history, the exit's declared steps with
their evidence and majority, members linked to residents by ID number, the 浙农经管 import,
the pages (the "Done when" path: the 16 → why red → one exit step) and the API, scoped."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from streetbrain.cooperatives import actions, exit, grading
from streetbrain.cooperatives.dataio_specs import ZHENONG_ACCOUNTS
from streetbrain.cooperatives.models import (
    AnnualAccount,
    Asset,
    Colour,
    Cooperative,
    CooperativeEvent,
    ExitProcess,
    ExitStage,
    Indicator,
    Member,
    ShareClass,
)
from streetbrain.core import dataio
from streetbrain.core.models import ChangeLogEntry, User
from streetbrain.demo.synth.people import make_credit_code, make_id_number
from streetbrain.registry.models import Resident

ID_A = make_id_number("330212", dt.date(1980, 1, 1), "M", 123)
ID_B = make_id_number("330212", dt.date(1990, 2, 2), "F", 45)


def _code(n: int) -> str:
    return make_credit_code("N2", "330212", f"{9100 + n:08d}")


def _coop(community, n, profile):
    c = Cooperative.objects.create(
        org_unit=community, name=f"合作社{n}", credit_code=_code(n), former_village=f"村{n}"
    )
    growth, debt, dividend, disputes, survey = {
        "red": (-0.15, 0.8, 0, 7, 20),
        "yellow": (0.0, 0.5, 250, 2, 60),
        "green": (0.08, 0.2, 800, 0, 90),
    }[profile]
    for k in range(5):
        income = Decimal(str(round(1000 * (1 + growth) ** k, 2)))
        AnnualAccount.objects.create(
            cooperative=c, year=2021 + k, income=income, net_income=income / 3,
            distribution_per_share=dividend, total_assets=Decimal(5000),
            liabilities=Decimal(5000) * Decimal(str(debt)), disputes=disputes,
            survey_continue_pct=survey if k == 4 else None,
        )  # fmt: skip
    in_use = profile != "red"
    Asset.objects.create(cooperative=c, kind="building", name="厂房", book_value=100, in_use=in_use)
    if profile == "green":
        Asset.objects.create(
            cooperative=c, kind="reserved_land", name="留用地", book_value=1, in_use=True,
            development="operating",
        )  # fmt: skip
    return c


@pytest.fixture
def coops(tree):
    return {
        "red": _coop(tree["east"], 1, "red"),
        "yellow": _coop(tree["east"], 2, "yellow"),
        "green": _coop(tree["river"], 3, "green"),
    }


@pytest.fixture
def officer(make_user, tree):
    return make_user("nongjing", role="cooperatives", unit=tree["street"])


# --- grading -----------------------------------------------------------------------------------


def test_points_run_between_the_thresholds_either_way():
    assert grading.points(Decimal(50), Decimal(70), Decimal(30)) == 50  # lower is better
    assert grading.points(Decimal(90), Decimal(70), Decimal(30)) == 0
    assert grading.points(Decimal(5), Decimal(-10), Decimal(5)) == 100
    assert grading.points(Decimal("-2.5"), Decimal(-10), Decimal(5)) == 50


def test_unknown_indicators_are_left_out_and_the_others_share_their_weight():
    facts = grading.Facts(
        [grading.Year(2025, Decimal(100), Decimal(600), Decimal(100), Decimal(30), 0)]
    )
    rules = [
        grading.Rule("debt_ratio", "d", Decimal("0.5"), Decimal(70), Decimal(30)),
        grading.Rule("survey", "s", Decimal("0.5"), Decimal(30), Decimal(80)),
    ]
    result = grading.compute(facts, rules, [("green", Decimal(70)), ("yellow", Decimal(45))])
    debt, survey = result.indicators
    assert survey["value"] is None and survey["contribution"] is None
    assert debt["value"] == "30.0" and debt["points"] == "100.0"
    assert debt["contribution"] == "100.0" and result.score == 100
    assert result.colour == "green"


def test_grading_gives_every_colour_with_the_contributions_adding_up(coops):
    for profile, coop in coops.items():
        g = actions.grade(coop)
        coop.refresh_from_db()
        assert coop.colour == g.colour == g.computed_colour == profile
        contributions = [Decimal(i["contribution"]) for i in g.indicators if i["contribution"]]
        assert abs(sum(contributions) - g.score) <= Decimal("0.5")
        assert {i["code"] for i in g.indicators} == set(
            Indicator.objects.values_list("code", flat=True)
        )
    assert CooperativeEvent.objects.filter(kind="graded").count() == 3


def test_indicators_are_data_a_weight_changed_changes_the_score(coops):
    before = actions.grade(coops["yellow"]).score
    Indicator.objects.filter(code="dividend").update(weight=Decimal("0.90"))
    after = actions.grade(coops["yellow"]).score
    assert after != before
    assert coops["yellow"].grades.count() == 2  # the history keeps both


def test_override_needs_a_reason_and_keeps_the_history(coops, officer):
    actions.grade(coops["green"], officer)
    with pytest.raises(ValidationError):
        actions.override_colour(coops["green"], Colour.YELLOW, "  ", officer)
    g = actions.override_colour(coops["green"], Colour.YELLOW, "留用地停滞", officer)
    coops["green"].refresh_from_db()
    assert coops["green"].colour == "yellow" and g.computed_colour == "green" and g.overridden
    assert [x.colour for x in coops["green"].grades.order_by("graded_at", "pk")] == [
        "green",
        "yellow",
    ]


def test_a_community_officer_cannot_grade_another_community(coops, make_user, tree):
    east = make_user("east", role="cooperatives", unit=tree["east"])
    actions.grade(coops["red"], east)
    with pytest.raises(PermissionDenied):
        actions.grade(coops["green"], east)
    assert not coops["green"].grades.exists()


# --- the exit -------------------------------------------------------------------------------


def test_the_exit_steps_in_order_with_evidence_and_the_majority(coops, officer):
    red = coops["red"]
    actions.grade(red, officer)
    with pytest.raises(ValidationError):
        exit.open_exit(coops["green"], officer)  # not red
    process = exit.open_exit(red, officer)
    today = dt.date.today()
    with pytest.raises(ValidationError) as no_evidence:
        exit.perform(process, "resolve", officer, resolved_on=today, members_due=90, votes_for=80)
    assert "evidence" in no_evidence.value.message_dict
    with pytest.raises(ValidationError) as too_few:
        exit.perform(process, "resolve", officer, resolved_on=today, members_due=90,
                     votes_for=59, evidence="决议1号")  # fmt: skip
    assert "60" in str(too_few.value.message_dict["votes_for"])
    with pytest.raises(ValidationError):  # out of order
        exit.perform(process, "value", officer, valued_on=today, valuation=1, evidence="x")
    exit.perform(process, "resolve", officer, resolved_on=today, members_due=90, votes_for=60,
                 evidence="决议1号")  # fmt: skip
    exit.perform(
        process, "value", officer, valued_on=today, valuation=Decimal(100), evidence="评估"
    )
    with pytest.raises(ValidationError):
        exit.perform(process, "settle", officer, settled_on=today, settled_amount=Decimal(101),
                     evidence="结算")  # fmt: skip
    exit.perform(process, "settle", officer, settled_on=today, settled_amount=Decimal(100),
                 evidence="结算")  # fmt: skip
    exit.perform(process, "deregister", officer, deregistered_on=today, evidence="注销通知书")
    process.refresh_from_db()
    red.refresh_from_db()
    assert process.stage == ExitStage.DEREGISTERED and red.status == "deregistered"
    steps = list(
        CooperativeEvent.objects.filter(cooperative=red, kind="exit_step")
        .order_by("at", "pk")
        .values_list("step", "evidence")
    )
    assert steps == [("resolve", "决议1号"), ("value", "评估"), ("settle", "结算"),
                     ("deregister", "注销通知书")]  # fmt: skip
    assert exit.available(process, officer) == []


def test_exit_needs_the_role(coops, make_user, tree):
    actions.grade(coops["red"])
    leader = make_user("boss", role="leader", unit=tree["street"])
    with pytest.raises(PermissionDenied):
        exit.open_exit(coops["red"], leader)
    assert not ExitProcess.objects.exists()


# --- members -------------------------------------------------------------------------------------


def test_members_are_protected_and_linked_to_residents_by_id_number(coops, tree):
    coop = coops["yellow"]
    sc = ShareClass.objects.create(cooperative=coop, name="人口股")
    resident = Resident(name="张三", residence="registered", org_unit=tree["east_grid"])
    resident.set_id_number(ID_A)
    resident.save()
    m = Member(cooperative=coop, name="张三", share_class=sc, shares=1)
    with pytest.raises(ValidationError):
        m.set_id_number(ID_A[:-1] + ("0" if ID_A[-1] != "0" else "1"))  # wrong check character
    m.set_id_number(ID_A)
    m.save()
    other = Member(cooperative=coop, name="李四", share_class=sc, shares=1)
    other.id_number = ID_B
    other.save()
    assert m.id_number == ID_A[:6] + "*" * 8 + ID_A[-4:] and ID_A not in m.id_number_cipher
    assert actions.link_residents() == 1
    m.refresh_from_db()
    other.refresh_from_db()
    assert m.resident_id == resident.pk and other.resident_id is None
    entry = ChangeLogEntry.objects.filter(object_repr="张三", action="update").last()
    assert entry is not None and ID_A not in str(entry.postchange)
    assert entry.changed_fields == ["resident"]


# --- the 浙农经管 import ------------------------------------------------------------------------

HEADER = (
    "统一社会信用代码,年度,总收入（万元）,净收益（万元）,每股分红（元）,"
    "资产总计（万元）,负债合计（万元）,矛盾纠纷（件）,社员存续意愿（%）\n"
)


def test_zhenong_accounts_import_upserts_and_refuses_all_on_a_bad_row(coops):
    code = coops["green"].credit_code
    good = (
        HEADER + f"{code},2025,1500,500,820,6000,1000,0,91\n{code},2026,1600,520,850,6100,900,,\n"
    )
    report = dataio.run_import(ZHENONG_ACCOUNTS, good.encode(), None, dry_run=False)
    assert not report.errors, report.errors
    a25 = AnnualAccount.objects.get(cooperative=coops["green"], year=2025)
    assert a25.income == Decimal(1500) and a25.survey_continue_pct == Decimal(91)
    assert AnnualAccount.objects.get(cooperative=coops["green"], year=2026).disputes == 0
    bad = HEADER + f"{code},2024,1,1,1,1,1,0,\nN2330212XXXXXXXXXX,2025,1,1,1,1,1,0,\n"
    report = dataio.run_import(ZHENONG_ACCOUNTS, bad.encode(), None, dry_run=False)
    assert report.errors and report.errors[0].row == 3
    assert AnnualAccount.objects.get(cooperative=coops["green"], year=2024).income != 1


# --- pages and API: the "Done when" path ----------------------------------------------------


def test_done_when_the_officer_sees_why_red_and_advances_the_exit(client, coops, officer):
    for c in coops.values():
        actions.grade(c)
    process = exit.open_exit(coops["red"], None)
    client.force_login(User.objects.get(username="nongjing"))
    page = client.get(reverse("cooperatives:index"))
    assert page.status_code == 200
    html = page.content.decode()
    for c in coops.values():
        assert c.name in html
    assert 'id="coop-group-red"' in html
    detail = client.get(coops["red"].get_absolute_url()).content.decode()
    assert 'data-code="debt_ratio"' in detail and "coop-indicators" in detail
    url = reverse("cooperatives:exit_step", args=[process.pk, "resolve"])
    assert url in detail
    refused = client.post(url, {"resolved_on": "2026-01-05", "members_due": 30,
                                "votes_for": 10, "evidence": "决议"})  # fmt: skip
    assert refused.status_code == 400
    process.refresh_from_db()
    assert process.stage == ExitStage.OPENED
    done = client.post(url, {"resolved_on": "2026-01-05", "members_due": 30,
                             "votes_for": 25, "evidence": "股社〔2026〕1号"})  # fmt: skip
    assert done.status_code == 302
    process.refresh_from_db()
    assert process.stage == ExitStage.RESOLVED and process.votes_for == 25
    event = CooperativeEvent.objects.get(kind="exit_step")
    assert event.evidence == "股社〔2026〕1号" and event.user.username == "nongjing"


def test_override_page_and_grade_page(client, coops, officer):
    actions.grade(coops["green"])
    client.force_login(User.objects.get(username="nongjing"))
    url = reverse("cooperatives:cooperative_override", args=[coops["green"].pk])
    assert client.post(url, {"colour": "red", "note": ""}).status_code == 400
    assert client.post(url, {"colour": "red", "note": "债务风险"}).status_code == 302
    coops["green"].refresh_from_db()
    assert coops["green"].colour == "red"
    detail = client.get(coops["green"].get_absolute_url()).content.decode()
    assert "债务风险" in detail


def test_api_lists_colour_score_and_indicators_in_scope(api_client, coops, make_user, tree):
    for c in coops.values():
        actions.grade(c)
    east = make_user("east", role="cooperatives", unit=tree["east"])
    api_client.force_authenticate(east)
    data = api_client.get("/api/cooperatives/").json()
    assert data["count"] == 2
    by_name = {r["name"]: r for r in data["results"]}
    assert set(by_name) == {coops["red"].name, coops["yellow"].name}
    red = by_name[coops["red"].name]
    assert red["colour"] == "red" and Decimal(red["score"]) < 45
    assert {i["code"] for i in red["indicators"]} >= {"debt_ratio", "income_trend"}
    assert api_client.get(f"/api/cooperatives/{coops['green'].pk}/").status_code == 404
    assert api_client.get("/api/cooperatives/?colour=red").json()["count"] == 1
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    assert "/api/cooperatives/" in schema["paths"]


def test_anonymous_and_roles_without_permission_are_refused(client, api_client, coops, make_user):
    assert client.get(reverse("cooperatives:index")).status_code == 302
    assert api_client.get("/api/cooperatives/").status_code == 401
    make_user("nobody")
    client.force_login(User.objects.get(username="nobody"))
    assert client.get(reverse("cooperatives:index")).status_code == 403


def test_the_cockpit_shows_the_colours_to_the_leader(client, coops, make_user, tree):
    for c in coops.values():
        actions.grade(c)
    leader = make_user("boss", role="leader", unit=tree["street"])
    client.force_login(leader)
    html = client.get(reverse("cockpit:index")).content.decode()
    assert 'id="h-cooperatives"' in html
    assert coops["red"].name in html  # the red ones are listed by score
    search = client.get("/api/search/", {"q": coops["red"].credit_code}).json()
    assert coops["red"].name in str(search)


def test_the_indicators_are_tuned_in_the_admin_and_audited(client, coops, make_user):
    admin_user = make_user("root", superuser=True)
    client.force_login(admin_user)
    ind = Indicator.objects.get(code="debt_ratio")
    url = reverse("admin:cooperatives_indicator_change", args=[ind.pk])
    assert client.get(url).status_code == 200
    data = {"name": ind.name, "unit": ind.unit, "weight": "0.30", "bad": "80", "good": "20",
            "active": "on", "order": ind.order}  # fmt: skip
    assert client.post(url, data).status_code == 302
    ind.refresh_from_db()
    assert ind.weight == Decimal("0.30") and ind.bad == 80
    assert ChangeLogEntry.objects.filter(object_id=str(ind.pk), action="update").exists()
    assert client.get(reverse("admin:party_starindicator_changelist")).status_code == 200
