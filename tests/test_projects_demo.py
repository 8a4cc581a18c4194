"""The key projects' demo and the issue's "Done when" path on it: a leader opens the board and
sees which of the ten are red and why, opens 征迁拔钉清零 and sees the burndown against
85,000 m², opens a hard case assigned to them and records a step; a resident's noise complaint
near a metro site appears on the metro project by itself; the monthly report comes out as
Excel."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from streetbrain.cases.intake.actions import submit_report
from streetbrain.cases.intake.pipeline import ReportInput
from streetbrain.core.audit import audit_context
from streetbrain.core.geo_lookup import invalidate
from streetbrain.core.models import User
from streetbrain.core.worktime import SHANGHAI
from streetbrain.demo import cases as cases_demo
from streetbrain.demo import core as core_demo
from streetbrain.demo import projects as projects_demo
from streetbrain.demo import registry as registry_demo
from streetbrain.demo.context import DemoContext
from streetbrain.projects.models import (
    STAGE_ORDER,
    HardCase,
    Household,
    IndicatorActual,
    Plot,
    Project,
    Site,
    StreetIndicator,
)

SCALE = 0.02
NOW = dt.datetime(2026, 3, 18, 15, 40, tzinfo=SHANGHAI)
TEN = {
    "楼宇赋能提维",
    "产业栽桐引凤",
    "商圈共生共荣",
    "电商借船出海",
    "征迁拔钉清零",
    "轨道保驾护航",
    "社区提亮增色",
    "股改一社一策",
    "四季党建",
    "数字福明 2.0",
}


@pytest.fixture(scope="module")
def district(django_db_setup, django_db_blocker, tmp_path_factory):
    model_path = tmp_path_factory.mktemp("projects-demo") / "classifier.joblib"
    with (
        django_db_blocker.unblock(),
        override_settings(CASES_CLASSIFIER_MODEL=str(model_path)),
        transaction.atomic(),
    ):
        ctx = DemoContext(password="streetbrain-demo")
        with audit_context(source="cli", reason="demo load"):
            core_demo.load(ctx)
            registry_demo.load(ctx, scale=SCALE)
            invalidate()
            cases_demo.load(ctx, scale=SCALE, now=NOW, background_training=False)
            projects_demo.load(ctx)
        yield ctx
        transaction.set_rollback(True)
    invalidate()


@pytest.fixture
def db_access(district, db):
    return district


def test_the_demo_has_the_ten_projects_the_plots_the_hard_cases_the_sites(db_access):
    assert set(Project.objects.values_list("name", flat=True)) == TEN
    assert set(Project.objects.values_list("data_source", flat=True)) == {"demo"}
    assert Plot.objects.count() == 5
    assert 280 <= Household.objects.count() <= 320
    hard = HardCase.objects.all()
    assert hard.count() == 20 and sum(h.area_m2 for h in hard) == 85000
    assert set(hard.values_list("stage", flat=True)) == set(STAGE_ORDER)
    assert StreetIndicator.objects.count() == 5
    assert Counter(IndicatorActual.objects.values_list("indicator__code", flat=True)) == {
        code: 24 for code in StreetIndicator.objects.values_list("code", flat=True)
    }
    assert Site.objects.count() == 4
    for site in Site.objects.all():
        assert site.issues.exists(), site  # each site has the demo's cases around it
    office = User.objects.get(username="projects")
    assert office.groups.filter(name="projects").exists()
    assert "projects: 10 projects" in "\n".join(db_access.log)


def test_loading_again_changes_nothing(db_access):
    before = (Project.objects.count(), Household.objects.count())
    projects_demo.load(DemoContext())
    assert (Project.objects.count(), Household.objects.count()) == before


def test_done_when(db_access, client):
    leader = User.objects.get(username="leader")
    client.force_login(leader)
    # The board: which of the ten are red, and why.
    board = client.get(reverse("projects:index")).content.decode()
    assert all(name in board for name in TEN)
    red_rows = re.findall(r'data-light="red">(.*?)</tr>', board, re.S)
    assert red_rows, "the demo has red projects"
    assert all('class="reasons"><div class="small">' in row for row in red_rows)
    # 征迁拔钉清零: the burndown against 85,000 m².
    bd = Project.objects.get(name="征迁拔钉清零")
    page = client.get(reverse("projects:project_detail", args=[bd.pk]))
    assert page.status_code == 200
    assert page.context["burndown"]["total_m2"] == 85000
    assert "85,000" in page.content.decode() or "85000" in page.content.decode()
    # A hard case assigned to this leader: a step recorded.
    mine = HardCase.objects.filter(leader=leader, closed_at__isnull=True).first()
    assert mine is not None
    mine_page = client.get(reverse("projects:my_hardcases")).content.decode()
    assert mine.title in mine_page
    # The overdue ones assigned to this leader show as a badge in the top bar.
    overdue = HardCase.objects.filter(
        leader=leader, closed_at__isnull=True, escalated_at__isnull=False
    ).count()
    assert 'id="hardcases-link"' in mine_page
    if overdue:
        assert re.search(rf'id="hardcases-link"[^>]*>[^<]*<span[^>]*>{overdue}</span>', mine_page)
    url = reverse("projects:hardcase_detail", args=[mine.pk])
    steps = mine.steps.count()
    today = dt.date.today().isoformat()
    r = client.post(url, {"what": "step", "kind": "meeting", "on": today, "note": "约谈户主"})
    assert r.status_code == 302 and mine.steps.count() == steps + 1
    assert "约谈户主" in client.get(url).content.decode()
    # A resident's noise complaint near a metro site: on the metro project by itself.
    metro = Project.objects.get(name="轨道保驾护航")
    site = metro.sites.first()
    case = submit_report(
        ReportInput(
            channel="citizen",
            description="地铁7号线工地夜里施工噪音很大，影响休息",
            lon=site.lon + 0.0005,
            lat=site.lat,
        )
    ).case
    page = client.get(reverse("projects:project_detail", args=[metro.pk]))
    assert case.pk in [n["case"].pk for n in page.context["near_cases"]]
    assert case.number in page.content.decode()
    # The monthly report as Excel.
    r = client.get(reverse("projects:monthly_report"))
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    names = {
        row[0] for row in load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True)
    }
    assert TEN <= names
