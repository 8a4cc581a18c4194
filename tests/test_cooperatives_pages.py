"""The cooperatives' editing pages (一社一策 plans and measures, the grading's indicators), the
members' import from Excel (ID numbers validated and protected, all-or-nothing with per-row
errors) and the disputes filed as cases of the case engine (their count per year feeds the
grading). Small fixtures: the three cooperatives of ``test_cooperatives``."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from streetbrain.cases.models import Case
from streetbrain.cooperatives import actions
from streetbrain.cooperatives.dataio_specs import MEMBERS
from streetbrain.cooperatives.models import (
    CooperativeEvent,
    Dispute,
    Indicator,
    Member,
    Plan,
    ShareClass,
)
from streetbrain.core import dataio
from streetbrain.core.models import ChangeLogEntry
from tests.test_cooperatives import ID_A, ID_B, _coop


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


@pytest.fixture
def east_officer(make_user, tree):
    return make_user("nongjing_east", role="cooperatives", unit=tree["east"])


def _errors(response) -> str:
    return response.content.decode()


# --- 一社一策 pages --------------------------------------------------------------------------


def test_the_officer_adds_a_plan_then_changes_it_and_its_measures(client, coops, officer):
    coop = coops["yellow"]
    client.force_login(officer)
    url = reverse("cooperatives:plan_add", args=[coop.pk])
    form = client.get(url, HTTP_HX_REQUEST="true")
    assert form.status_code == 200 and 'hx-target="#plan-panel"' in form.content.decode()
    # A measure without its owner: refused in the user's language, nothing written.
    client.cookies["django_language"] = "zh-hans"
    bad = client.post(url, {"year": 2026, "summary": "盘活厂房", "title": "招租", "deadline": ""})
    assert bad.status_code == 400 and "负责人" in _errors(bad)
    assert not Plan.objects.exists()
    done = client.post(
        url,
        {"year": 2026, "summary": "盘活厂房", "title": "厂房招租", "owner": "王主任",
         "deadline": "2026-06-30"},
    )  # fmt: skip
    assert done.status_code == 302
    plan = Plan.objects.get(cooperative=coop, year=2026)
    assert (plan.measures.get().owner == "王主任" and plan.colour == coop.colour) or plan.colour
    again = client.post(url, {"year": 2026, "summary": "另一个"})
    assert again.status_code == 400 and Plan.objects.filter(cooperative=coop).count() == 1

    edit = client.post(
        reverse("cooperatives:plan_edit", args=[plan.pk]),
        {"summary": "盘活厂房，开发留用地", "note": "班子会议调整"},
    )
    assert edit.status_code == 302
    plan.refresh_from_db()
    assert plan.summary == "盘活厂房，开发留用地"
    entry = ChangeLogEntry.objects.filter(object_repr=str(plan), action="update").last()
    assert entry is not None and entry.reason == "班子会议调整"

    add = client.post(
        reverse("cooperatives:measure_add", args=[plan.pk]),
        {"title": "留用地招商", "owner": "李科长", "deadline": "2026-12-31"},
    )
    assert add.status_code == 302 and plan.measures.count() == 2
    measure = plan.measures.get(title="厂房招租")
    moved = client.post(
        reverse("cooperatives:measure_edit", args=[measure.pk]),
        {"title": "厂房招租", "owner": "王主任", "deadline": "2026-09-30", "note": "租户推迟"},
    )
    assert moved.status_code == 302
    measure.refresh_from_db()
    assert measure.deadline == dt.date(2026, 9, 30)
    event = CooperativeEvent.objects.filter(kind="plan_changed").first()
    assert event.data["deadline_from"] == "2026-06-30" and event.note == "租户推迟"
    # A measure done is not changed any more.
    actions.complete_measure(measure, dt.date(2026, 1, 2), officer, now=timezone.now())
    refused = client.post(
        reverse("cooperatives:measure_edit", args=[measure.pk]),
        {"title": "x", "owner": "y", "deadline": "2027-01-01"},
    )
    assert refused.status_code == 400
    measure.refresh_from_db()
    assert measure.title == "厂房招租"
    detail = client.get(coop.get_absolute_url()).content.decode()
    assert "盘活厂房，开发留用地" in detail and "留用地招商" in detail


def test_plan_pages_are_scoped_and_need_the_role(client, coops, east_officer, make_user, tree):
    plan = actions.record_plan(coops["green"], 2026, "跟上政策", [], None)
    client.force_login(east_officer)  # 东城: the green one lies in 江城
    assert client.get(reverse("cooperatives:plan_edit", args=[plan.pk])).status_code == 404
    assert (
        client.post(
            reverse("cooperatives:plan_add", args=[coops["green"].pk]),
            {"year": 2027, "summary": "x"},
        ).status_code
        == 404
    )
    viewer = make_user("leader", role="leader", unit=tree["street"])
    client.force_login(viewer)
    assert (
        client.post(
            reverse("cooperatives:plan_edit", args=[plan.pk]), {"summary": "改"}
        ).status_code
        == 403
    )
    plan.refresh_from_db()
    assert plan.summary == "跟上政策" and Plan.objects.count() == 1


def test_an_indicator_is_changed_on_its_page_with_a_reason(client, coops, officer):
    client.force_login(officer)
    page = client.get(reverse("cooperatives:indicator_list"))
    assert page.status_code == 200
    debt = Indicator.objects.get(code="debt_ratio")
    url = reverse("cooperatives:indicator_edit", args=[debt.pk])
    data = {"weight": "0.30", "bad": "80", "good": "20", "active": "on", "note": ""}
    assert client.post(url, data).status_code == 400  # the reason is required
    assert client.post(url, {**data, "good": "80", "note": "x"}).status_code == 400  # equal
    debt.refresh_from_db()
    assert debt.bad != Decimal(80) or debt.good != Decimal(20)
    assert client.post(url, {**data, "note": "街道调整警戒线"}).status_code == 302
    debt.refresh_from_db()
    assert (debt.weight, debt.bad, debt.good) == (Decimal("0.30"), Decimal(80), Decimal(20))
    entry = ChangeLogEntry.objects.filter(object_repr=str(debt), action="update").last()
    assert entry.reason == "街道调整警戒线"
    # Switching every indicator off is refused (the grading needs one), and nothing is kept.
    others = Indicator.objects.exclude(pk=debt.pk)
    others.update(active=False)
    off = client.post(url, {**data, "active": "", "note": "停用"})
    assert off.status_code == 400
    debt.refresh_from_db()
    assert debt.active


# --- members' import from Excel ----------------------------------------------------------------


def _xlsx(rows: list[list]) -> bytes:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_members_import_from_excel_validates_id_numbers_and_writes_all_or_nothing(coops):
    coop = coops["yellow"]
    ShareClass.objects.create(cooperative=coop, name="人口股")
    code = coop.credit_code
    # 身份证号码 and 社会信用代码 are the engine's synonyms of the declared headers.
    header = ["姓名", "身份证号码", "社会信用代码", "股种", "户号", "持股数"]
    wrong_check = ID_B[:-1] + ("0" if ID_B[-1] != "0" else "1")
    bad = _xlsx([header, ["张三", ID_A, code, "人口股", "001", 1],
                 ["李四", wrong_check, code, "人口股", "002", 1],
                 ["王五", ID_B, code, "农龄股", "003", 1]])  # fmt: skip
    report = dataio.run_import(MEMBERS, bad, None, dry_run=False)
    rows = {(e.row, e.column) for e in report.errors}
    assert (3, "公民身份号码") in rows and any(r == 4 for r, _c in rows), report.errors
    assert not Member.objects.exists()  # the good first row is not written either

    good = _xlsx([header, ["张三", ID_A, code, "人口股", "001", 1],
                  ["李四", ID_B, code, "人口股", "002", "1.5"]])  # fmt: skip
    report = dataio.run_import(MEMBERS, good, None, dry_run=False)
    assert not report.errors, report.errors
    assert report.created == 2
    m = Member.objects.get(name="李四")
    assert m.cooperative_id == coop.pk and m.shares == Decimal("1.5")
    assert m.id_number_masked.startswith(ID_B[:6]) and ID_B not in m.id_number_cipher
    # Again with a change: an update on (share class, ID number), not a new member.
    again = _xlsx([header, ["李四", ID_B, code, "人口股", "002", 2]])
    report = dataio.run_import(MEMBERS, again, None, dry_run=False)
    assert not report.errors and report.updated == 1 and Member.objects.count() == 2


def test_members_import_page_is_offered_to_the_officer(client, coops, officer):
    client.force_login(officer)
    page = client.get(reverse("cooperatives:member_import"))
    assert page.status_code == 200 and "公民身份号码" in page.content.decode()


# --- disputes and petitions as cases -----------------------------------------------------------


def test_a_dispute_is_filed_as_a_case_and_counts_for_the_grading(client, coops, officer):
    coop = coops["red"]  # its accounts say 7 disputes a year (imported)
    year = timezone.localdate().year
    client.force_login(officer)
    url = reverse("cooperatives:dispute_file", args=[coop.pk])
    assert (
        client.post(url, {"kind": "petition", "channel": "phone", "title": ""}).status_code == 400
    )
    assert not Case.objects.exists()
    done = client.post(
        url,
        {"kind": "petition", "channel": "phone", "title": "分红不公", "description": "社员反映"},
    )
    assert done.status_code == 302
    dispute = Dispute.objects.get()
    case = Case.objects.get()
    assert dispute.case == case and dispute.year == year and "分红不公" in case.title
    assert case.component_class.code == "91002"
    assert CooperativeEvent.objects.filter(cooperative=coop, kind="dispute").exists()
    # From the year the first one was filed on, the count is the cases'; before, the imported.
    counted = actions.disputes_by_year(coop, {year - 1: 7, year: 7})
    assert counted == {year - 1: 7, year: 1}
    detail = client.get(coop.get_absolute_url()).content.decode()
    assert case.number in detail


def test_filing_a_dispute_needs_the_role_and_the_scope(client, coops, east_officer, make_user):
    client.force_login(east_officer)
    url = reverse("cooperatives:dispute_file", args=[coops["green"].pk])  # 江城: out of scope
    data = {"kind": "dispute", "channel": "phone", "title": "土地纠纷"}
    assert client.post(url, data).status_code == 404
    nobody = make_user("nobody")
    client.force_login(nobody)
    assert client.post(url, data).status_code == 403
    assert not Case.objects.exists() and not Dispute.objects.exists()
