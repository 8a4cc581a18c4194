"""The key projects (项目为王): the light and its reasons, computed indicators through declared
measures, monthly reports approved by the office, the street indicators' projection and gap,
the households' declared stages, the hard cases' clock, steps and escalation, the cases near a
metro site, and the API and pages over them — scoped."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from streetbrain.core import extension_points as ep
from streetbrain.core import worktime
from streetbrain.core.dataio import get_spec, run_import
from streetbrain.core.models import ChangeLogEntry
from streetbrain.projects import actions, status
from streetbrain.projects.measures import cases_near, distance_m, value_of
from streetbrain.projects.models import (
    STAGE_ORDER,
    STAGE_REFERENCE,
    HardCase,
    HardCaseStep,
    Household,
    HouseholdEvent,
    IndicatorActual,
    IndicatorReport,
    IndicatorTarget,
    Milestone,
    Plot,
    Project,
    ProjectEvent,
    ProjectIndicator,
    Site,
    Stage,
    StreetIndicator,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 7, 1)  # half the year gone


@pytest.fixture
def world(tree, departments, make_user):
    street = tree["street"]
    office = make_user("xmb", role="projects", unit=street)
    leader = make_user("boss", role="leader", unit=street)
    other_leader = make_user("boss2", role="leader", unit=street)
    outsider = make_user("bz", role="projects", unit=tree["other_street"])
    grid = make_user("gw", role="gridworker", unit=tree["east_grid"])
    project = Project.objects.create(
        code="2026-bd",
        name="征迁拔钉清零",
        kind="demolition",
        year=2026,
        org_unit=street,
        leader=leader,
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
    )
    plot = Plot.objects.create(
        project=project,
        code="BD-01",
        name="董家跟地块",
        planned_households=3,
        centroid_lon=121.61,
        centroid_lat=29.865,
        geometry={
            "type": "Polygon",
            "coordinates": [
                [[121.609, 29.864], [121.611, 29.864], [121.611, 29.866], [121.609, 29.864]]
            ],
        },
    )
    return {
        **tree,
        "departments": departments,
        "office": office,
        "leader": leader,
        "other_leader": other_leader,
        "outsider": outsider,
        "grid": grid,
        "project": project,
        "plot": plot,
    }


# --- the light and its reasons -------------------------------------------------------------------


def test_a_project_is_green_on_track_yellow_when_late_red_when_far_behind(world):
    project, office = world["project"], world["office"]
    ind = ProjectIndicator.objects.create(project=project, name="签约户数", unit="户", target=100)
    st = status.project_status(project, office, TODAY)
    # Entered, nothing approved: 0 % with half the year gone → red, with the reason.
    assert st.light == "red"
    assert any("签约户数" in r and "0%" in r for r in st.reasons)
    for month in range(1, 7):
        IndicatorReport.objects.create(
            indicator=ind, month=dt.date(2026, month, 1), value=8, state="approved"
        )
    st = status.project_status(project, office, TODAY)
    assert st.indicators[0].actual == 48 and st.light == "green" and st.reasons == []
    # A pending report does not count.
    IndicatorReport.objects.create(indicator=ind, month=dt.date(2026, 7, 1), value=50)
    assert status.project_status(project, office, TODAY).indicators[0].actual == 48
    Milestone.objects.create(project=project, name="入户调查", planned_on=dt.date(2026, 6, 20))
    st = status.project_status(project, office, TODAY)
    assert st.light == "yellow" and "11" in st.reasons[0]
    Milestone.objects.create(project=project, name="签约", planned_on=dt.date(2026, 5, 1))
    st = status.project_status(project, office, TODAY)
    assert st.light == "red" and len(st.reasons) == 2


def test_a_computed_indicator_reads_a_declared_measure_without_importing_its_app(world):
    project, office = world["project"], world["office"]
    seen = {}

    def compute(user, params, first, last):
        seen.update(user=user, params=params, first=first, last=last)
        return 42.0

    ind = ProjectIndicator.objects.create(
        project=project,
        name="x",
        target=84,
        source="computed",
        measure="elsewhere.thing",
        params={"k": 1},
    )
    assert value_of(ind, office, 2026, TODAY) is None  # not declared: nothing to show
    with ep.override(ep.Measure("elsewhere.thing", "Thing", "", compute)):
        assert value_of(ind, office, 2026, TODAY) == 42.0
        st = status.project_status(project, office, TODAY)
    assert seen["params"]["k"] == 1 and seen["params"]["project"] == project.pk
    assert seen["first"] == dt.date(2026, 1, 1) and seen["last"] == TODAY
    assert st.indicators[0].progress == 0.5 and st.light == "green"


def test_the_declared_measures_are_registered():
    keys = {m.key for m in ep.items(ep.Measure)}
    assert {"economy.absorption_m2", "economy.tax", "cases.near_sites", "projects.signed"} <= keys


# --- monthly reports -----------------------------------------------------------------------------


def test_a_report_is_submitted_then_approved_by_the_office_not_by_its_author(world, make_user):
    project, office, leader = world["project"], world["office"], world["leader"]
    ind = ProjectIndicator.objects.create(project=project, name="签约户数", target=100)
    r = actions.submit_report(ind, month=dt.date(2026, 3, 1), value="12", user=office, today=TODAY)
    assert r.state == "submitted"
    with pytest.raises(ValidationError) as e:
        actions.submit_report(ind, month=dt.date(2026, 3, 1), value="3", user=office, today=TODAY)
    assert "month" in e.value.message_dict
    with pytest.raises(PermissionDenied):
        actions.decide_report(r, approve=True, user=office)  # own report
    other = make_user("xmb2", role="projects", unit=world["street"])
    handler = make_user(
        "cg", role="projects", unit=world["street"], department=world["departments"]["urban"]
    )
    project.office = world["departments"]["east"]
    project.save()
    with pytest.raises(PermissionDenied):
        actions.decide_report(r, approve=True, user=handler)  # not the project's office
    with pytest.raises(PermissionDenied):
        actions.decide_report(r, approve=True, user=leader)  # a leader may not approve
    actions.decide_report(r, approve=True, user=other)
    assert value_of(ind, office, 2026, TODAY) == 12
    assert ProjectEvent.objects.filter(project=project, action="approve").exists()
    with pytest.raises(ValidationError):
        actions.submit_report(ind, month=dt.date(2026, 9, 1), value="1", user=office, today=TODAY)
    with pytest.raises(ValidationError):
        actions.submit_report(ind, month=dt.date(2026, 4, 1), value="abc", user=office, today=TODAY)


def test_a_computed_indicator_takes_no_report(world):
    ind = ProjectIndicator.objects.create(
        project=world["project"], name="m²", target=1, source="computed", measure="projects.signed"
    )
    with pytest.raises(ValidationError):
        actions.submit_report(
            ind, month=dt.date(2026, 3, 1), value=1, user=world["office"], today=TODAY
        )
    assert not IndicatorReport.objects.exists()


# --- the street's indicators ---------------------------------------------------------------------


def _street_indicator(world, kind="amount"):
    return StreetIndicator.objects.create(
        code="tax" if kind == "amount" else "gdp_growth",
        name="税收",
        kind=kind,
        unit="亿元",
        org_unit=world["street"],
    )


def test_an_amount_is_projected_with_last_years_seasonality_and_the_gap_to_the_raised_target(
    world,
):
    ind = _street_indicator(world)
    IndicatorTarget.objects.create(indicator=ind, year=2026, target=100, raised_target=110)
    for m in range(1, 13):
        IndicatorActual.objects.create(indicator=ind, month=dt.date(2025, m, 1), value=8 * m)
    for m in range(1, 7):
        IndicatorActual.objects.create(indicator=ind, month=dt.date(2026, m, 1), value=9 * m)
    s = status.street_status(ind, 2026, world["office"], TODAY)
    # Last year reached 48 of 96 by June: this year's 54 by June points to 108.
    assert s.actual == 54 and s.projection == 108 and s.gap == -2
    assert s.target == 100 and s.raised_target == 110
    # Without last year: the run rate.
    IndicatorActual.objects.filter(month__year=2025).delete()
    assert status.street_status(ind, 2026, world["office"], TODAY).projection == 108


def test_a_rate_is_projected_along_its_line(world):
    ind = _street_indicator(world, "rate")
    for m, v in ((1, 5.0), (2, 5.5), (3, 6.0)):
        IndicatorActual.objects.create(indicator=ind, month=dt.date(2026, m, 1), value=v)
    assert status.street_status(ind, 2026, world["office"], TODAY).projection == 10.5


def test_the_bureaus_sheet_imports_all_or_nothing(world):
    ind = _street_indicator(world)
    spec = get_spec("indicator-actuals")

    def sheet(rows):
        wb = Workbook()
        ws = wb.active
        ws.append(["指标代码", "指标名称", "月份", "本年累计"])
        for row in rows:
            ws.append(row)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    bad = run_import(
        spec,
        sheet([["tax", "", "2026-01", "10"], ["nope", "", "2026-02", "x"]]),
        world["office"],
        dry_run=False,
    )
    assert bad.errors and not IndicatorActual.objects.exists()
    ok = run_import(
        spec,
        sheet([["tax", "", "2026-01", "10"], ["tax", "", "2026年2月", "21.5"]]),
        world["office"],
        dry_run=False,
    )
    assert not ok.errors
    assert list(IndicatorActual.objects.values_list("value", flat=True)) == [
        Decimal("10.00"),
        Decimal("21.50"),
    ]
    assert ind.actuals.count() == 2
    # Out of scope: another street's user does not see the indicator.
    other = run_import(
        spec, sheet([["tax", "", "2026-03", "30"]]), world["outsider"], dry_run=False
    )
    assert other.errors and ind.actuals.count() == 2


# --- households: the declared stages -------------------------------------------------------------


def test_the_stages_follow_the_regulation_reference():
    import yaml

    from streetbrain.projects.models import __file__ as models_file

    path = __import__("pathlib").Path(models_file).parents[1] / "data/reference/expropriation.yaml"
    keys = {s["key"] for s in yaml.safe_load(path.read_text(encoding="utf-8"))["stages"]}
    assert {ref for ref in STAGE_REFERENCE.values() if ref} <= keys
    assert list(STAGE_REFERENCE) == [Stage(s) for s in STAGE_ORDER]


def test_a_household_moves_through_the_stages_with_evidence_one_at_a_time(world):
    office = world["office"]
    h = Household.objects.create(plot=world["plot"], number="001", owner_name="王某", area_m2=120)
    h.phone = "13800001111"
    h.save()
    assert [t.name for t in actions.available(h, office)] == ["survey"]
    with pytest.raises(ValidationError):
        actions.advance_household(
            h, "sign", on=TODAY, evidence="x", user=office, today=TODAY, option="money"
        )
    with pytest.raises(ValidationError) as e:
        actions.advance_household(h, "survey", on=TODAY, evidence=" ", user=office, today=TODAY)
    assert "evidence" in e.value.message_dict
    on = dt.date(2026, 3, 1)
    actions.advance_household(h, "survey", on=on, evidence="调查表", user=office, today=TODAY)
    with pytest.raises(ValidationError) as e:
        actions.advance_household(h, "value", on=on, evidence="报告", user=office, today=TODAY)
    assert "valuation" in e.value.message_dict
    with pytest.raises(ValidationError):  # before the survey
        actions.advance_household(
            h,
            "value",
            on=dt.date(2026, 2, 1),
            evidence="报告",
            valuation="2400000",
            user=office,
            today=TODAY,
        )
    actions.advance_household(
        h, "value", on=on, evidence="报告", valuation="2400000", user=office, today=TODAY
    )
    with pytest.raises(ValidationError) as e:
        actions.advance_household(h, "sign", on=on, evidence="协议", user=office, today=TODAY)
    assert "option" in e.value.message_dict
    actions.advance_household(
        h, "sign", on=on, evidence="协议", option="swap", user=office, today=TODAY
    )
    h.refresh_from_db()
    assert h.stage == Stage.SIGNED and h.option == "swap" and h.valuation == 2400000
    assert list(HouseholdEvent.objects.filter(household=h).values_list("to_stage", flat=True)) == [
        "survey",
        "valuation",
        "signed",
    ]
    with pytest.raises(PermissionDenied):
        actions.advance_household(
            h, "vacate", on=on, evidence="x", user=world["leader"], today=TODAY
        )
    with pytest.raises(PermissionDenied):
        actions.advance_household(
            h, "vacate", on=on, evidence="x", user=world["outsider"], today=TODAY
        )
    # The phone is protected: encrypted, masked, not in the change log.
    assert h.phone != "13800001111" and "1111" in h.phone and h.phone_cipher
    logged = ChangeLogEntry.objects.filter(object_id=str(h.pk), content_type__model="household")
    assert logged.exists() and all("13800001111" not in str(e.postchange) for e in logged)


def test_the_campaign_counts_households_and_m2_per_stage(world):
    plot = world["plot"]
    for i, (stage, area) in enumerate([("", 50), ("signed", 100), ("demolished", 70)]):
        Household.objects.create(
            plot=plot,
            number=f"{i}",
            owner_name="x",
            area_m2=area,
            stage=stage,
            stage_on=dt.date(2026, 3, 1) if stage else None,
        )
    c = status.campaign(world["project"], world["office"])
    assert c["signed"] == {"households": 2, "area_m2": 170.0}
    assert c["cleared"] == {"households": 1, "area_m2": 70.0}
    assert c["plots"][0]["planned_households"] == 3
    assert status.campaign(world["project"], world["outsider"])["signed"]["households"] == 0


# --- hard cases ----------------------------------------------------------------------------------


def _hard_case(world, area=5000, stage=Stage.SIGNED, opened=None, limit=20):
    opened = opened or dt.datetime(2026, 3, 2, 9, tzinfo=worktime.SHANGHAI)
    return actions.open_hard_case(
        world["plot"],
        title="违建厂房",
        area_m2=area,
        leader=world["leader"],
        plan="约谈",
        limit_days=limit,
        stage=stage,
        user=world["office"],
        now=opened,
    )


def test_a_hard_case_is_timed_in_working_days_on_the_case_engines_calendar(world):
    hc = _hard_case(world)
    expected = worktime.default_calendar().deadline(hc.opened_at, 20.0, "work_day")
    assert hc.deadline == expected and hc.deadline > hc.opened_at + dt.timedelta(days=20)
    assert actions.light_of(hc, hc.opened_at + dt.timedelta(days=1)) == "green"
    assert actions.light_of(hc, hc.deadline + dt.timedelta(days=1)) == "red"


def test_its_leader_records_a_step_others_may_not(world):
    hc = _hard_case(world)
    step = actions.record_step(
        hc,
        kind="meeting",
        on=dt.date(2026, 3, 5),
        note="约谈户主",
        user=world["leader"],
        today=TODAY,
    )
    assert step.user == world["leader"] and step.kind == "meeting"
    with pytest.raises(PermissionDenied):
        actions.record_step(
            hc,
            kind="step",
            on=dt.date(2026, 3, 5),
            note="x",
            user=world["other_leader"],
            today=TODAY,
        )
    with pytest.raises(PermissionDenied):
        actions.record_step(
            hc, kind="step", on=dt.date(2026, 3, 5), note="x", user=world["outsider"], today=TODAY
        )
    with pytest.raises(ValidationError):
        actions.record_step(
            hc, kind="step", on=dt.date(2026, 2, 1), note="x", user=world["leader"], today=TODAY
        )
    # The office may work on any.
    actions.record_step(
        hc, kind="step", on=dt.date(2026, 3, 6), note="评估复核", user=world["office"], today=TODAY
    )
    assert hc.steps.count() == 3  # the assignment, the meeting, the office's step


def test_overdue_hard_cases_escalate_once_to_the_projects_leader(world):
    hc = _hard_case(world, limit=5)
    assert actions.escalate_overdue(hc.deadline - dt.timedelta(minutes=1)) == 0
    assert actions.escalate_overdue(hc.deadline + dt.timedelta(hours=1)) == 1
    assert actions.escalate_overdue(hc.deadline + dt.timedelta(days=3)) == 0
    step = hc.steps.get(kind="escalated")
    assert step.data["to"] == world["project"].leader_id


def test_the_burndown_counts_m2_standing_until_demolished(world):
    hc = _hard_case(world, area=60000, stage=Stage.VACATED)
    _hard_case(world, area=25000, stage=Stage.SURVEY)
    actions.advance_hard_case(
        hc, on=dt.date(2026, 4, 10), note="拆除", user=world["leader"], today=TODAY
    )
    b = status.hard_case_burndown(world["project"], world["office"], TODAY)
    assert b["total_m2"] == 85000 and b["remaining_m2"] == 25000
    assert b["standing"][:4] == [85000, 85000, 85000, 25000]
    assert b["standing"][6] == 25000 and b["standing"][7:] == [None] * 5  # months to come
    assert b["plan"][0] == round(85000 * 11 / 12, 1) and b["plan"][-1] == 0
    hc.refresh_from_db()
    assert hc.stage == Stage.DEMOLISHED and hc.closed_at is None
    actions.advance_hard_case(
        hc, on=dt.date(2026, 4, 20), note="交地", user=world["leader"], today=TODAY
    )
    hc.refresh_from_db()
    assert hc.closed_at is not None
    with pytest.raises(ValidationError):
        actions.record_step(
            hc, kind="step", on=dt.date(2026, 5, 1), note="x", user=world["leader"], today=TODAY
        )


# --- metro-7: cases near a site ------------------------------------------------------------------


def test_distance_and_cases_near_points(case_world):
    from tests.test_cases_workflow import report

    # 0.01° of longitude at 29.865° N: 111.32 km × cos(29.865°) / 100 ≈ 965 m.
    assert 960 < distance_m(121.61, 29.865, 121.62, 29.865) < 970
    near = report(text="地铁工地夜间施工噪音太大，睡不着觉", point=(121.6102, 29.8651)).case
    report(text="地铁工地夜间施工噪音太大", point=(121.63, 29.865))  # 2 km away
    leader = case_world["users"]["leader"]
    found = cases_near(leader, [(121.61, 29.865, 300)])
    assert [c.pk for c, _i, _d in found] == [near.pk]
    grid_worker = case_world["users"]["river_handler"]
    assert cases_near(grid_worker, [(121.61, 29.865, 300)]) == []  # not in their scope


# --- API -----------------------------------------------------------------------------------------


def test_the_api_answers_lights_indicators_plots_and_hard_cases_scoped(world, api_client):
    project, office = world["project"], world["office"]
    ProjectIndicator.objects.create(project=project, name="签约户数", target=100)
    Household.objects.create(
        plot=world["plot"],
        number="1",
        owner_name="x",
        area_m2=80,
        stage="signed",
        stage_on=dt.date(2026, 3, 1),
    )
    _hard_case(world, area=4000)
    ind = _street_indicator(world)
    IndicatorTarget.objects.create(indicator=ind, year=timezone.localdate().year, target=50)
    api_client.force_authenticate(office)
    body = api_client.get("/api/projects/").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["status_light"] in ("green", "yellow", "red") and row["status_reasons"]
    assert row["indicators"][0]["target"] == 100 and row["indicators"][0]["actual"] == 0
    assert api_client.get(f"/api/projects/{project.pk}/").json()["name"] == "征迁拔钉清零"
    ind_row = api_client.get("/api/projects/indicators/").json()["results"][0]
    assert ind_row["target"] == 50 and "projection" in ind_row and "actual" in ind_row
    plot = api_client.get("/api/projects/plots/").json()["results"][0]
    assert plot["area_m2"] == 80 and plot["households"] == 1
    assert {"stage": "signed", "households": 1, "area_m2": 80.0} in plot["households_by_stage"]
    hc = api_client.get("/api/projects/hard-cases/").json()["results"][0]
    assert Decimal(hc["area_m2"]) == 4000 and hc["leader"] == world["leader"].pk
    assert hc["stage"] == "signed" and hc["deadline"]
    api_client.force_authenticate(world["outsider"])
    for url in (
        "/api/projects/",
        "/api/projects/plots/",
        "/api/projects/hard-cases/",
        "/api/projects/indicators/",
    ):
        assert api_client.get(url).json()["count"] == 0
    assert api_client.get(f"/api/projects/{project.pk}/").status_code == 404


def test_the_api_is_in_the_schema(world, api_client):
    api_client.force_authenticate(world["office"])
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json")
    text = schema.content.decode()
    for path in (
        "/api/projects/",
        "/api/projects/indicators/",
        "/api/projects/plots/",
        "/api/projects/hard-cases/",
    ):
        assert f"{path}:" in text or f'"{path}"' in text
    assert "status_light" in text and "projection" in text


# --- pages ---------------------------------------------------------------------------------------


def test_the_pages_render_for_the_office_and_refuse_outsiders(world, client):
    project = world["project"]
    Household.objects.create(plot=world["plot"], number="1", owner_name="x", area_m2=80)
    hc = _hard_case(world)
    site = Site.objects.create(
        project=project, name="福明路站", kind="station", lon=121.61, lat=29.865
    )
    client.force_login(world["office"])
    for url in (
        reverse("projects:index"),
        reverse("projects:project_detail", args=[project.pk]),
        reverse("projects:indicators"),
        reverse("projects:plot_list"),
        reverse("projects:plot_detail", args=[world["plot"].pk]),
        reverse("projects:hardcase_list"),
        reverse("projects:hardcase_detail", args=[hc.pk]),
        reverse("projects:site_detail", args=[site.pk]),
    ):
        assert client.get(url).status_code == 200, url
    client.logout()
    client.force_login(world["outsider"])
    assert client.get(reverse("projects:project_detail", args=[project.pk])).status_code == 404
    assert client.get(reverse("projects:hardcase_detail", args=[hc.pk])).status_code == 404
    client.logout()
    client.force_login(world["grid"])
    assert client.get(reverse("projects:index")).status_code == 403


def test_a_household_step_from_the_page_and_a_bad_one_explained(world, client):
    h = Household.objects.create(plot=world["plot"], number="1", owner_name="x", area_m2=80)
    client.force_login(world["office"])
    url = reverse("projects:household_advance", args=[h.pk, "sign"])
    r = client.post(url, {"on": "2026-03-01", "evidence": "协议", "option": "money"})
    assert r.status_code == 400
    h.refresh_from_db()
    assert h.stage == ""
    url = reverse("projects:household_advance", args=[h.pk, "survey"])
    day = timezone.localdate().isoformat()
    r = client.post(url, {"on": day, "evidence": "调查表"})
    assert r.status_code == 302
    h.refresh_from_db()
    assert h.stage == "survey"


def test_the_monthly_report_is_an_excel_workbook(world, client):
    ProjectIndicator.objects.create(
        project=world["project"], name="签约户数", unit="户", target=100
    )
    _street_indicator(world)
    client.force_login(world["office"])
    r = client.get(reverse("projects:monthly_report") + "?year=2026")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    wb = load_workbook(io.BytesIO(r.content))
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert any(row[0] == "征迁拔钉清零" and row[7] == 100 for row in rows)
    assert [r[0] for r in wb.worksheets[1].iter_rows(min_row=2, values_only=True)] == ["税收"]


def test_every_change_is_in_the_change_log(world):
    hc = _hard_case(world)
    assert ChangeLogEntry.objects.filter(content_type__model="hardcase", object_id=str(hc.pk))
    assert HardCaseStep.objects.filter(hard_case=hc).exists()
    assert HardCase.objects.count() == 1
    assert Project.objects.restrict(world["outsider"]).count() == 0


def test_the_task_force_pages_assign_issues_record_meetings_and_follow_ups(case_world, client):
    from streetbrain.core.models import User
    from tests.test_cases_workflow import report

    street = case_world["street"]
    leader = case_world["users"]["leader"]
    office = User.objects.create(username="xmb", org_unit=street)
    from django.contrib.auth.models import Group

    office.groups.add(Group.objects.get(name="projects"))
    office = User.objects.get(pk=office.pk)
    metro = Project.objects.create(
        code="gd7",
        name="轨道保驾护航",
        kind="infrastructure",
        year=2026,
        org_unit=street,
        leader=leader,
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
    )
    site = Site.objects.create(
        project=metro, name="福明路站", kind="station", lon=121.61, lat=29.865
    )
    case = report(text="地铁工地夜间施工噪音太大，睡不着觉", point=(121.6102, 29.8651)).case
    m = Milestone.objects.create(project=metro, name="站点交地", planned_on=dt.date(2026, 3, 1))
    client.force_login(office)
    page = client.get(reverse("projects:site_detail", args=[site.pk])).content.decode()
    assert case.number in page
    url = reverse("projects:site_issue", args=[site.pk])
    urban = case_world["departments"]["urban"]
    r = client.post(url, {"case": case.pk, "leader": leader.pk, "departments": [urban.pk]})
    assert r.status_code == 302
    issue = site.issues.get()
    assert (
        issue.case == case and issue.leader == leader and list(issue.departments.all()) == [urban]
    )
    r = client.post(url, {"case": case.pk, "leader": leader.pk})
    assert r.status_code == 400 and site.issues.count() == 1  # once
    today = timezone.localdate()
    r = client.post(
        reverse("projects:meeting_add", args=[metro.pk]),
        {
            "held_on": today.isoformat(),
            "title": "专班例会",
            "decisions": "围挡优化",
            "item_0": "夜间施工降噪",
            "owner_0": leader.pk,
            "due_0": today.isoformat(),
            "item_1": "只有内容",
        },
    )
    assert r.status_code == 400 and not metro.meetings.exists()  # a half-filled item: refused
    r = client.post(
        reverse("projects:meeting_add", args=[metro.pk]),
        {
            "held_on": today.isoformat(),
            "title": "专班例会",
            "decisions": "围挡优化",
            "item_0": "夜间施工降噪",
            "owner_0": leader.pk,
            "due_0": today.isoformat(),
        },
    )
    assert r.status_code == 302
    follow_up = metro.meetings.get().follow_ups.get()
    assert follow_up.owner == leader and follow_up.done_on is None
    client.force_login(leader)  # its owner marks it done
    r = client.post(
        reverse("projects:followup_done", args=[follow_up.pk]), {"done_on": today.isoformat()}
    )
    assert r.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.done_on == today
    client.force_login(office)
    r = client.post(
        reverse("projects:milestone_reach", args=[m.pk]),
        {"done_on": today.isoformat(), "evidence": "交地确认书"},
    )
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.done_on == today and m.evidence == "交地确认书"
    assert set(metro.events.values_list("action", flat=True)) == {
        "issue",
        "meeting",
        "follow_up",
        "milestone",
    }


def test_the_map_the_search_and_the_cockpit_show_the_projects(world, client, api_client):
    from streetbrain.projects.panels import projects_panel

    office, plot = world["office"], world["plot"]
    Household.objects.create(
        plot=plot,
        number="1",
        owner_name="x",
        area_m2=80,
        stage="signed",
        stage_on=dt.date(2026, 3, 1),
    )
    Site.objects.create(
        project=world["project"], name="福明路站", kind="station", lon=121.61, lat=29.865
    )
    api_client.force_authenticate(office)
    names = {layer["name"] for layer in api_client.get("/api/map/layers/").json()["layers"]}
    assert {"demolition_plots", "metro_sites"} <= names
    plots = api_client.get("/api/map/layers/demolition_plots/").json()["features"]
    assert plots[0]["properties"]["n_signed"] == 1 and plots[0]["properties"]["stage"] == "signed"
    assert plots[0]["properties"]["color"] == "#d4a017"  # the map colours a plot by its stage
    sites = api_client.get("/api/map/layers/metro_sites/").json()["features"]
    assert sites[0]["geometry"]["coordinates"] == [121.61, 29.865]
    api_client.force_authenticate(world["outsider"])
    assert api_client.get("/api/map/layers/demolition_plots/").json()["features"] == []
    client.force_login(office)
    page = client.get(reverse("search"), {"q": "董家跟"}).content.decode()
    assert "董家跟地块" in page
    panel = projects_panel(office, world["street"], TODAY)
    assert panel["year"] == 2026 and sum(t.value for t in panel["tiles"][:3]) == 1
    assert projects_panel(world["outsider"], world["other_street"], TODAY) is None


def test_the_household_register_imports_all_or_nothing_and_never_sets_a_stage(world):
    spec = get_spec("expropriation-households")

    def sheet(
        rows, header=("地块编码", "户号", "产权人", "联系电话", "面积（平方米）", "合法建筑")
    ):
        wb = Workbook()
        ws = wb.active
        ws.append(list(header))
        for row in rows:
            ws.append(row)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    bad = run_import(
        spec,
        sheet(
            [
                ["BD-01", "001", "王某", "13800001111", "120", "是"],
                ["BD-99", "002", "李某", "12", "x", "是"],
            ]
        ),
        world["office"],
        dry_run=False,
    )
    assert len(bad.errors) >= 3 and not Household.objects.exists()
    ok = run_import(
        spec,
        sheet(
            [
                ["BD-01", "001", "王某", "13800001111", "120", "是"],
                ["BD-01", "002", "李某", "", "88.5", "否"],
            ]
        ),
        world["office"],
        dry_run=False,
    )
    assert not ok.errors
    h1, h2 = Household.objects.order_by("number")
    assert h1.stage == "" and h1.phone_cipher and "1111" in h1.phone and not h2.legal
    # The stage is for reading: a column named 阶段 in the file changes nothing.
    again = run_import(
        spec,
        sheet(
            [["BD-01", "001", "王某", "13800001111", "120", "是", "handed_over"]],
            header=("地块编码", "户号", "产权人", "联系电话", "面积（平方米）", "合法建筑", "阶段"),
        ),
        world["office"],
        dry_run=False,
    )
    assert not again.errors
    h1.refresh_from_db()
    assert h1.stage == ""
    outside = run_import(
        spec, sheet([["BD-01", "003", "张某", "", "60", "是"]]), world["outsider"], dry_run=False
    )
    assert outside.errors and Household.objects.count() == 2
