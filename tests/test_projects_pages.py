"""The key projects' create and edit pages (a project, its task force, milestones, indicators,
plots, a hard case opened on a plot, a street indicator's month and target), each through
``actions`` onto the project's timeline and the change log, scoped, with the errors in the
user's language and nothing changed; and the notice an escalated hard case leaves its
project's leader."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from streetbrain.core.models import ChangeLogEntry
from streetbrain.projects import actions
from streetbrain.projects.models import (
    HardCase,
    HardCaseNotice,
    IndicatorActual,
    IndicatorTarget,
    Milestone,
    Plot,
    Project,
    ProjectEvent,
    ProjectIndicator,
    StreetIndicator,
    TaskForceMember,
)
from tests import test_projects
from tests.test_projects import _hard_case

pytestmark = pytest.mark.django_db
world = test_projects.world  # the same small world: a street, its office, leaders, a plot


def _project_form(world, **over):
    year = timezone.localdate().year
    return {
        "code": "xm-new",
        "name": "楼宇赋能提维",
        "kind": "economy",
        "year": year,
        "description": "",
        "leader": world["leader"].pk,
        "office": "",
        "start_date": f"{year}-01-01",
        "end_date": f"{year}-12-31",
        **over,
    }


def test_the_office_creates_and_edits_a_project_on_its_timeline(world, client):
    client.force_login(world["office"])
    assert client.get(reverse("projects:project_add")).status_code == 200
    r = client.post(reverse("projects:project_add"), _project_form(world))
    assert r.status_code == 302
    p = Project.objects.get(code="xm-new")
    assert r["Location"] == p.get_absolute_url()
    assert p.org_unit == world["office"].org_unit and p.leader == world["leader"]
    assert p.events.get().action == ProjectEvent.Action.CREATED
    url = reverse("projects:project_edit", args=[p.pk])
    r = client.post(url, _project_form(world, name="楼宇赋能", _change_reason="更名"))
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.name == "楼宇赋能" and p.events.filter(action="changed").count() == 1
    entry = ChangeLogEntry.objects.filter(object_id=str(p.pk), action="update").latest("pk")
    assert entry.reason == "更名"


def test_a_bad_project_is_explained_in_chinese_and_nothing_is_saved(world, client):
    client.force_login(world["office"])
    form = _project_form(world, start_date="2026-06-01", end_date="2026-01-01")
    r = client.post(reverse("projects:project_add"), form, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 400
    assert "结束" in r.content.decode() or "早于" in r.content.decode()
    assert not Project.objects.filter(code="xm-new").exists()
    # Same code twice: the model's own uniqueness, said on the field.
    r = client.post(reverse("projects:project_add"), _project_form(world, code="2026-bd"))
    assert r.status_code == 400 and Project.objects.filter(code="2026-bd").count() == 1


def test_projects_are_made_only_by_the_office_and_only_in_its_own_street(world, client):
    client.force_login(world["leader"])
    assert client.post(reverse("projects:project_add"), _project_form(world)).status_code == 403
    client.force_login(world["outsider"])  # the other street's office
    url = reverse("projects:project_edit", args=[world["project"].pk])
    assert client.get(url).status_code == 404
    assert client.post(url, _project_form(world, code="2026-bd")).status_code == 404
    # A leader of another street is no choice for this office.
    with pytest.raises(ValidationError) as exc:
        actions.save_project(
            user=world["office"],
            **{**_values(world), "leader": world["outsider"]},
        )
    assert "leader" in exc.value.message_dict
    assert not Project.objects.filter(code="xm-new").exists()


def _values(world):
    year = timezone.localdate().year
    return {
        "code": "xm-new",
        "name": "n",
        "kind": "economy",
        "year": year,
        "leader": world["leader"],
        "start_date": dt.date(year, 1, 1),
        "end_date": dt.date(year, 12, 31),
    }


def test_members_milestones_indicators_and_plots_are_added_and_changed(world, client):
    project, office = world["project"], world["office"]
    client.force_login(office)
    add = lambda name: reverse("projects:part_add", args=[project.pk, name])  # noqa: E731
    # The form comes as an HTMX fragment into the project page's panel.
    r = client.get(add("member"), HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and b"<html" not in r.content
    r = client.post(add("member"), {"user": world["other_leader"].pk, "role": "副组长"})
    assert r.status_code == 302
    member = TaskForceMember.objects.get(project=project)
    r = client.post(add("milestone"), {"name": "签约过半", "planned_on": "2026-08-01"})
    assert r.status_code == 302
    r = client.post(
        add("indicator"),
        {"name": "签约户数", "unit": "户", "target": "120", "source": "entered"},
    )
    assert r.status_code == 302
    r = client.post(
        add("plot"),
        {
            "code": "BD-02",
            "name": "孔家地块",
            "planned_households": "40",
            "planned_area_m2": "6000",
            "geometry": '{"type": "Polygon", "coordinates": [[[121.60, 29.86], [121.61, 29.86],'
            " [121.61, 29.87], [121.60, 29.86]]]}",
        },
    )
    assert r.status_code == 302
    plot = Plot.objects.get(code="BD-02")
    assert plot.centroid_lon == pytest.approx((121.60 + 121.61 + 121.61) / 3)
    ind = ProjectIndicator.objects.get(project=project, name="签约户数")
    edit = reverse("projects:part_edit", args=["indicator", ind.pk])
    r = client.post(edit, {"name": "签约户数", "unit": "户", "target": "150", "source": "entered"})
    assert r.status_code == 302
    ind.refresh_from_db()
    assert ind.target == Decimal(150)
    ms = Milestone.objects.get(project=project)
    edit = reverse("projects:part_edit", args=["milestone", ms.pk])
    assert client.post(edit, {"name": "签约过半", "planned_on": "2026-09-01"}).status_code == 302
    r = client.post(reverse("projects:member_remove", args=[member.pk]), {})
    assert r.status_code == 302 and not TaskForceMember.objects.filter(project=project).exists()
    actions_seen = list(project.events.values_list("action", flat=True))
    assert actions_seen.count("created") == 4 and actions_seen.count("changed") == 2
    assert actions_seen.count("removed") == 1
    # Every row is in the change log too.
    assert ChangeLogEntry.objects.filter(object_id=str(plot.pk), action="create").exists()


def test_bad_parts_are_refused_with_the_reason_and_nothing_changes(world, client):
    project, office = world["project"], world["office"]
    client.force_login(office)
    add = lambda name: reverse("projects:part_add", args=[project.pk, name])  # noqa: E731
    # A computed indicator must name a declared computation.
    r = client.post(
        add("indicator"),
        {"name": "x", "target": "1", "source": "computed", "measure": ""},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert r.status_code == 400 and not project.indicators.exists()
    # A plot whose outline is not a polygon.
    r = client.post(
        add("plot"),
        {
            "code": "BD-09",
            "name": "x",
            "planned_households": "1",
            "planned_area_m2": "1",
            "geometry": '{"type": "Point", "coordinates": [121.6, 29.8]}',
        },
    )
    assert r.status_code == 400 and not Plot.objects.filter(code="BD-09").exists()
    assert "GeoJSON" in r.content.decode()
    # The same plot code twice in one project.
    r = client.post(
        add("plot"),
        {"code": "BD-01", "name": "x", "planned_households": "1", "planned_area_m2": "1"},
    )
    assert r.status_code == 400 and Plot.objects.filter(code="BD-01").count() == 1
    # An unknown part, a role without the permission, another street's project.
    assert client.get(add("budget")).status_code == 404
    client.force_login(world["leader"])
    assert (
        client.post(add("milestone"), {"name": "m", "planned_on": "2026-08-01"}).status_code == 403
    )
    client.force_login(world["outsider"])
    assert (
        client.post(add("milestone"), {"name": "m", "planned_on": "2026-08-01"}).status_code == 404
    )
    with pytest.raises(PermissionDenied):
        actions.save_part(
            Milestone,
            project,
            values={"name": "m", "planned_on": dt.date(2026, 8, 1)},
            user=world["outsider"],
        )
    assert not project.milestones.exists() and not project.events.exists()


def test_a_hard_case_is_opened_on_a_plot_and_advanced_by_its_leader(world, client):
    plot, office = world["plot"], world["office"]
    client.force_login(office)
    url = reverse("projects:hardcase_open", args=[plot.pk])
    form = {
        "title": "违建仓库",
        "area_m2": "1200",
        "leader": world["leader"].pk,
        "plan": "约谈、评估复核",
        "limit_days": "60",
        "stage": "signed",
    }
    r = client.post(url, {**form, "limit_days": "0"})
    assert r.status_code == 400 and not HardCase.objects.exists()
    r = client.post(url, form)
    hc = HardCase.objects.get()
    assert r.status_code == 302 and r["Location"] == hc.get_absolute_url()
    assert hc.leader == world["leader"] and hc.deadline > hc.opened_at
    # Its leader moves it on from its page (the existing action).
    client.force_login(world["leader"])
    r = client.post(
        hc.get_absolute_url(),
        {"what": "advance", "on": timezone.localdate().isoformat(), "note": "腾空验收"},
    )
    assert r.status_code == 302
    hc.refresh_from_db()
    assert hc.stage == "vacated"
    # Leaders do not open hard cases; another street's office cannot reach the plot.
    assert client.post(url, form).status_code == 403
    client.force_login(world["outsider"])
    assert client.post(url, form).status_code == 404
    assert HardCase.objects.count() == 1


def test_a_street_indicators_month_and_target_are_entered(world, client):
    ind = StreetIndicator.objects.create(
        code="tax", name="税收", kind="amount", unit="万元", org_unit=world["street"]
    )
    client.force_login(world["office"])
    url = reverse("projects:indicator_step", args=[ind.pk, "value"])
    assert client.post(url, {"month": "2026-03", "value": "5200"}).status_code == 302
    assert client.post(url, {"month": "2026-03", "value": "5300"}).status_code == 302
    assert IndicatorActual.objects.get(indicator=ind).value == Decimal(5300)  # corrected
    future = (timezone.localdate() + dt.timedelta(days=40)).strftime("%Y-%m")
    assert client.post(url, {"month": future, "value": "1"}).status_code == 400
    assert client.post(url, {"month": "March", "value": "1"}).status_code == 400
    url = reverse("projects:indicator_step", args=[ind.pk, "target"])
    r = client.post(url, {"year": "2026", "target": "20000", "raised_target": "22000"})
    assert r.status_code == 302
    t = IndicatorTarget.objects.get(indicator=ind, year=2026)
    assert t.raised_target == Decimal(22000)
    client.force_login(world["leader"])
    assert client.post(url, {"year": "2026", "target": "1"}).status_code == 403
    client.force_login(world["outsider"])
    assert client.get(url).status_code == 404


def test_an_escalated_hard_case_notifies_the_projects_leader_once(world, client):
    project = world["project"]
    project.leader = world["other_leader"]  # the project's leader is not the case's own
    project.save()
    hc = _hard_case(world, limit=5)
    assert actions.escalate_overdue(hc.deadline + dt.timedelta(hours=1)) == 1
    assert actions.escalate_overdue(hc.deadline + dt.timedelta(days=2)) == 0
    notice = HardCaseNotice.objects.get()
    assert notice.user == world["other_leader"] and notice.hard_case == hc
    assert notice.read_at is None
    client.force_login(world["other_leader"])
    r = client.get(reverse("projects:notices"))
    assert r.status_code == 200 and hc.title in r.content.decode()
    # The badge in the top bar counts it until it is opened.
    assert 'href="/projects/notices/"' in client.get(reverse("projects:index")).content.decode()
    r = client.get(notice.get_absolute_url())
    assert r.status_code == 302 and r["Location"] == hc.get_absolute_url()
    notice.refresh_from_db()
    assert notice.read_at is not None
    # Nobody opens another's notice.
    client.force_login(world["leader"])
    assert client.get(notice.get_absolute_url()).status_code == 404


def test_the_weekly_report_says_what_the_week_brought_and_what_falls_due(world):
    from streetbrain.projects import report
    from streetbrain.projects.models import Household

    project, office = world["project"], world["office"]
    today = timezone.localdate()
    year = project.year = today.year
    project.start_date, project.end_date = dt.date(year, 1, 1), dt.date(year, 12, 31)
    project.save()
    ms = Milestone.objects.create(project=project, name="入户调查完成", planned_on=today)
    Milestone.objects.create(
        project=project, name="远期节点", planned_on=today + dt.timedelta(days=30)
    )
    actions.reach_milestone(ms, done_on=today, evidence="调查表", user=office)
    Milestone.objects.create(
        project=project, name="签约过半", planned_on=today + dt.timedelta(days=3)
    )
    h = Household.objects.create(plot=world["plot"], number="7", owner_name="x", area_m2=80)
    actions.advance_household(h, "survey", on=today, evidence="调查表", user=office)
    old = ProjectEvent.objects.create(
        project=project, action="meeting", at=timezone.now() - dt.timedelta(days=10), note="旧会"
    )
    with translation.override("en"):
        weekly = report.build(office, year, today, "week")
        monthly = report.build(office, year, today, "month")
    titles = [t.title for t in weekly.tables]
    assert titles[1:4] == ["This week", "Households moved on this week", "Due next week"]
    week, moved, due = weekly.tables[1:4]
    notes = [r[3] for r in week.rows]
    assert "入户调查完成" in notes and old.note not in notes
    assert moved.rows == [[project.name, "Survey", 1]]
    assert [r[2] for r in due.rows] == ["Milestone：签约过半"]  # not the reached, not the far one
    assert [t.title for t in monthly.tables] == ["Projects", "Street indicators"]
    # Another street's office: none of it.
    other = report.build(world["outsider"], year, today, "week")
    assert other.tables[0].rows == [] and other.tables[1].rows == []


def test_the_report_comes_as_pdf_and_excel_monthly_and_weekly(world, client):
    import io

    from openpyxl import load_workbook

    client.force_login(world["office"])
    year = world["project"].year
    for period in ("month", "week"):
        r = client.get(reverse("projects:report_pdf") + f"?year={year}&period={period}")
        assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
        assert r.content.startswith(b"%PDF-") and b"STSong-Light" in r.content
        assert f"projects-{period}-{year}-" in r["Content-Disposition"]
        r = client.get(reverse("projects:monthly_report") + f"?year={year}&period={period}")
        wb = load_workbook(io.BytesIO(r.content))
        assert len(wb.worksheets) == (2 if period == "month" else 5)
    client.force_login(world["grid"])
    assert client.get(reverse("projects:report_pdf")).status_code == 403
