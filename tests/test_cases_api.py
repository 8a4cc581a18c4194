"""The cases REST API: scoped case lists with the shared filter set, the timeline and reports,
the workflow's steps as the caller may take them, intake with idempotency keys, the
reference data (routing rules, time limits, sensors) and the caller's notifications."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.client import RequestFactory
from django.test.utils import CaptureQueriesContext

from streetbrain.cases.filtersets import CaseFilterSet
from streetbrain.cases.intake.actions import submit_report
from streetbrain.cases.intake.pipeline import ReportInput
from streetbrain.cases.intake.store import IntakeResult
from streetbrain.cases.models import (
    Case,
    CaseEvent,
    Notification,
    Report,
    RoutingRule,
    Sensor,
    TimeLimitStandard,
)
from streetbrain.cases.workflow import actions
from streetbrain.core.models import ChangeLogEntry
from streetbrain.core.protected import reveal_value
from streetbrain.core.worktime import SHANGHAI

EAST = (121.61, 29.865)  # 东城社区第1网格
RIVER = (121.63, 29.865)  # 江城社区第1网格
GARBAGE = "路边有暴露垃圾，好几袋生活垃圾没人清运，已经发臭了"
LAMP = "路灯不亮了，晚上这一段漆黑一片，灯杆也歪了"
CASES = "/api/cases/cases/"
REPORTS = "/api/cases/reports/"


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def submit(point=EAST, text=GARBAGE, channel="citizen", **kw) -> IntakeResult:
    lon, lat = point if point else (None, None)
    return submit_report(ReportInput(channel=channel, description=text, lon=lon, lat=lat, **kw))


def as_user(api_client, user):
    api_client.force_authenticate(user)
    return api_client


# -- intake -----------------------------------------------------------------------------------


def test_intake_creates_a_case_and_an_idempotency_key_replays_it(api_client, case_world):
    acceptor = case_world["users"]["acceptor"]
    client = as_user(api_client, acceptor)
    body = {
        "channel": "hotline",
        "description": GARBAGE,
        "lon": EAST[0],
        "lat": EAST[1],
        "reporter_name": "王女士",
        "phone": "138 0000 1234",
        "external_id": "12345-0001",
    }
    first = client.post(REPORTS, body, format="json", HTTP_IDEMPOTENCY_KEY="order-1")
    assert first.status_code == 201, first.json()
    data = first.json()
    case = Case.objects.get()
    assert data["number"] == case.number and data["case"] == case.pk
    assert data["merged"] is False and data["replayed"] is False
    assert data["component_class"] == "matter:06010" and data["state"] == "verifying"
    report = Report.objects.get()
    assert report.user == acceptor and report.channel == "hotline"
    assert report.idempotency_key == f"api:{acceptor.pk}:order-1"
    assert reveal_value(report, "phone") == "13800001234" and report.phone == "138****1234"
    # The change log names the user and the API as the channel.
    entry = ChangeLogEntry.objects.get(
        content_type__model="case", object_id=str(case.pk), action="create"
    )
    assert entry.user == acceptor and entry.source == "api"

    replay = client.post(REPORTS, body, format="json", HTTP_IDEMPOTENCY_KEY="order-1")
    assert replay.status_code == 200
    assert replay.json()["number"] == case.number and replay.json()["replayed"] is True
    assert replay.json()["report"] == data["report"]
    assert Report.objects.count() == 1 and Case.objects.count() == 1

    # The key is per user: another clerk's "order-1" is another report (here: a duplicate).
    other = case_world["users"]["shiftlead"]
    again = as_user(api_client, other).post(
        REPORTS, body, format="json", HTTP_IDEMPOTENCY_KEY="order-1"
    )
    assert again.status_code == 201 and again.json()["merged"] is True
    assert again.json()["number"] == case.number
    case.refresh_from_db()
    assert case.report_count == 2 and Report.objects.count() == 2


def test_intake_defaults_to_the_api_channel_and_takes_a_class(api_client, case_world):
    client = as_user(api_client, case_world["users"]["gridworker"])
    response = client.post(
        REPORTS,
        {
            "title": "井盖",
            "description": "井盖破损",
            "lon": EAST[0],
            "lat": EAST[1],
            "component_class": "component:01001",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    case = Case.objects.get(pk=response.json()["case"])
    assert case.channel == "api" and case.component_class.code == "01001"
    assert case.class_source == "reporter"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"description": "", "lon": EAST[0], "lat": EAST[1]}, "description"),
        ({"description": GARBAGE}, "location"),
        ({"description": GARBAGE, "lon": 116.39, "lat": 39.9}, "location"),
        ({"description": GARBAGE, "lon": EAST[0]}, "lat"),
        ({"description": GARBAGE, "lon": 500, "lat": EAST[1]}, "lon"),
        ({"description": GARBAGE, "lon": EAST[0], "lat": EAST[1], "channel": "citizen"}, "channel"),
        (
            {"description": GARBAGE, "lon": EAST[0], "lat": EAST[1], "component_class": "x:1"},
            "component_class",
        ),
        ({"description": GARBAGE, "lon": EAST[0], "lat": EAST[1], "phone": "12ab"}, "phone"),
        ({"description": GARBAGE, "lon": EAST[0], "lat": EAST[1], "facility": "nope"}, "facility"),
        ({"description": "x" * 4001, "lon": EAST[0], "lat": EAST[1]}, "description"),
    ],
)
def test_bad_intake_is_refused_with_the_field_and_stores_nothing(
    api_client, case_world, body, field
):
    client = as_user(api_client, case_world["users"]["acceptor"])
    response = client.post(REPORTS, body, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Case.objects.exists() and not Report.objects.exists()
    assert not CaseEvent.objects.exists()


def test_intake_needs_the_add_permission_and_a_sane_key(api_client, case_world):
    body = {"description": GARBAGE, "lon": EAST[0], "lat": EAST[1]}
    assert api_client.post(REPORTS, body, format="json").status_code in (401, 403)
    handler = as_user(api_client, case_world["users"]["handler"])  # no cases.add_case
    assert handler.post(REPORTS, body, format="json").status_code == 403
    client = as_user(api_client, case_world["users"]["acceptor"])
    long_key = client.post(REPORTS, body, format="json", HTTP_IDEMPOTENCY_KEY="k" * 101)
    assert long_key.status_code == 400 and "idempotency_key" in long_key.json()
    assert not Report.objects.exists()


def test_intake_takes_photos(api_client, case_world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client = as_user(api_client, case_world["users"]["gridworker"])
    photo = SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "image/png")
    response = client.post(
        REPORTS,
        {
            "channel": "gridworker",
            "description": GARBAGE,
            "lon": EAST[0],
            "lat": EAST[1],
            "photos": [photo],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    case = Case.objects.get()
    assert case.attachments.count() == 1 and case.state == "reported"  # no verification
    text = SimpleUploadedFile("a.txt", b"hello", "text/plain")
    bad = client.post(
        REPORTS,
        {"description": LAMP, "lon": RIVER[0], "lat": RIVER[1], "photos": [text]},
        format="multipart",
    )
    assert bad.status_code == 400 and "photo" in bad.json()
    assert Case.objects.count() == 1


# -- lists, filters, details ------------------------------------------------------------------


@pytest.fixture
def some_cases(case_world):
    east = submit(received_at=at(2026, 3, 2, 9, 0), reporter_name="张三", phone="13912345678")
    river = submit(point=RIVER, text=LAMP, channel="hotline", received_at=at(2026, 3, 5, 9, 0))
    triage = submit(point=(121.61, 29.875), text="你好", received_at=at(2026, 3, 9, 9, 0))
    return {"east": east.case, "river": river.case, "triage": triage.case}


def test_list_is_scoped(api_client, case_world, some_cases):
    u = case_world["users"]
    numbers = {c["number"] for c in as_user(api_client, u["leader"]).get(CASES).json()["results"]}
    assert numbers == {c.number for c in some_cases.values()}
    grid = as_user(api_client, u["gridworker"]).get(CASES).json()
    assert [c["number"] for c in grid["results"]] == [some_cases["east"].number]
    assert api_client.get(f"{CASES}{some_cases['river'].pk}/").status_code == 404
    # A department sees only what was dispatched to it: nothing yet.
    assert as_user(api_client, u["handler"]).get(CASES).json()["count"] == 0


def test_list_fields(api_client, case_world, some_cases):
    client = as_user(api_client, case_world["users"]["leader"])
    east = some_cases["east"]
    row = next(r for r in client.get(CASES).json()["results"] if r["number"] == east.number)
    assert row["state"] == "verifying" and row["state_label"]
    assert row["component_class"] == "matter:06010" and row["class_name"]
    assert 0.5 <= row["class_confidence"] <= 1
    assert row["grid"] == "33021201400101" and row["community"] == "330212014001"
    assert row["suggested_department"] == "cg" and row["department"] is None
    assert row["report_count"] == 1 and row["deadline"] is None and row["light"] == ""
    assert row["reported_at"].startswith("2026-03-02T09:00:00")
    detail = client.get(row["url"]).json()
    assert detail["clock"] == {
        "deadline": None,
        "light": "",
        "used": None,
        "running": False,
        "suspended": False,
    }


def test_list_query_count_does_not_grow_with_the_cases(api_client, case_world, some_cases):
    client = as_user(api_client, case_world["users"]["leader"])
    client.get(CASES)  # the user's permissions are cached from here on
    with CaptureQueriesContext(connection) as few:
        assert client.get(CASES).status_code == 200
    for i in range(4):
        submit(point=(121.605 + i * 0.003, 29.862), text=LAMP)
    with CaptureQueriesContext(connection) as more:
        assert client.get(CASES).json()["count"] == 7
    assert len(more) == len(few)


def test_filters(api_client, case_world, some_cases):
    client = as_user(api_client, case_world["users"]["leader"])
    east, river, triage = some_cases["east"], some_cases["river"], some_cases["triage"]

    def numbers(**params):
        response = client.get(CASES, params)
        assert response.status_code == 200, response.json()
        return {r["number"] for r in response.json()["results"]}

    assert numbers(channel="hotline") == {river.number}
    assert numbers(org_unit=case_world["river"].pk) == {river.number}
    assert numbers(org_unit=case_world["street"].pk) == {east.number, river.number, triage.number}
    assert numbers(org_unit=case_world["east_grid"].pk) == {east.number}
    assert numbers(community=case_world["east"].pk) == {east.number, triage.number}
    assert numbers(needs_triage="true") == {triage.number}
    assert numbers(component_class=east.component_class_id) == {east.number}
    assert numbers(major="01") == {river.number}
    assert numbers(q=east.number) == {east.number}
    assert numbers(q="路灯") == {river.number}
    assert numbers(reported_at_after="2026-03-05") == {river.number, triage.number}
    assert numbers(reported_at_after="2026-03-03", reported_at_before="2026-03-05") == {
        river.number
    }
    actions.perform(east, "accept", case_world["users"]["acceptor"])
    assert numbers(state=["accepted", "reported"]) == {east.number}
    assert numbers(state=["verifying"]) == {river.number, triage.number}
    # The light comes from the deadline task; an overdue case is red and still open.
    Case.objects.filter(pk=river.pk).update(light="red")
    Case.objects.filter(pk=triage.pk).update(light="red", state="closed")
    assert numbers(light="red") == {river.number, triage.number}
    assert numbers(overdue="true") == {river.number}
    assert numbers(overdue="false") == {east.number, triage.number}
    actions.perform(east, "register", case_world["users"]["shiftlead"])
    actions.perform(east, "dispatch", case_world["users"]["dispatcher"])
    assert numbers(department=case_world["departments"]["urban"].pk) == {east.number}
    # Unknown values are refused, not ignored.
    assert client.get(CASES, {"state": "nonsense"}).status_code == 400


def test_filter_choices_are_scoped(case_world):
    worker = case_world["users"]["gridworker"]
    request = RequestFactory().get("/")
    request.user = worker
    form = CaseFilterSet(data={}, queryset=Case.objects.none(), request=request).form
    units = set(form.fields["org_unit"].queryset.values_list("code", flat=True))
    assert "33021201400101" in units and "330212014002" not in units
    communities = set(form.fields["community"].queryset.values_list("code", flat=True))
    assert "330212014002" not in communities
    departments = set(form.fields["department"].queryset.values_list("code", flat=True))
    assert "bz-cg" not in departments
    # Filtering by a unit outside the scope is refused.
    filtered = CaseFilterSet(
        data={"org_unit": case_world["river"].pk}, queryset=Case.objects.all(), request=request
    )
    assert not filtered.is_valid() and "org_unit" in filtered.errors


def test_timeline_and_reports(api_client, case_world, some_cases):
    east = some_cases["east"]
    submit(
        point=(EAST[0] + 0.0005, EAST[1]),
        text="路边生活垃圾没人清运",
        phone="13700000000",
        received_at=at(2026, 3, 2, 10, 0),
    )
    client = as_user(api_client, case_world["users"]["leader"])
    events = client.get(f"{CASES}{east.pk}/events/").json()
    assert [e["action"] for e in events] == ["report", "merge"]
    assert events[0]["action_label"] and events[0]["to_state"] == "verifying"
    reports = client.get(f"{CASES}{east.pk}/reports/").json()
    assert len(reports) == 2 and reports[0]["is_primary"] and not reports[1]["is_primary"]
    assert reports[0]["phone"] == "139****5678" and reports[0]["reporter_name"] == "张三"
    text = str(reports)
    assert "13912345678" not in text and "13700000000" not in text
    assert "token" not in reports[0] and "phone_cipher" not in reports[0]
    # Out of scope: 404, not an empty list.
    worker = as_user(api_client, case_world["users"]["gridworker"])
    assert worker.get(f"{CASES}{some_cases['river'].pk}/events/").status_code == 404
    assert worker.get(f"{CASES}{some_cases['river'].pk}/reports/").status_code == 404


# -- the workflow -----------------------------------------------------------------------------


def step(api_client, user, case, name, **body):
    return as_user(api_client, user).post(f"{CASES}{case.pk}/actions/{name}/", body, format="json")


def test_available_actions_follow_role_and_state(api_client, case_world, some_cases):
    u, east = case_world["users"], some_cases["east"]
    names = {
        a["name"]
        for a in as_user(api_client, u["gridworker"]).get(f"{CASES}{east.pk}/actions/").json()
    }
    assert {"verify", "verify_false", "note"} <= names and "register" not in names
    accept = next(
        a
        for a in as_user(api_client, u["acceptor"]).get(f"{CASES}{east.pk}/actions/").json()
        if a["name"] == "reject"
    )
    assert accept["note_required"] is True and "note" in accept["inputs"] and accept["label"]


def test_the_workflow_through_the_api(api_client, case_world, some_cases):
    u, east = case_world["users"], some_cases["east"]
    response = step(api_client, u["gridworker"], east, "verify", note="属实")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "reported"
    assert step(api_client, u["acceptor"], east, "accept").json()["state"] == "accepted"
    assert step(api_client, u["shiftlead"], east, "register").json()["state"] == "registered"
    dispatched = step(api_client, u["dispatcher"], east, "dispatch", department="sq-001")
    assert dispatched.status_code == 200, dispatched.json()
    assert dispatched.json()["department"] == "sq-001" and dispatched.json()["deadline"]
    assert dispatched.json()["clock"]["running"] is True
    rerouted = step(api_client, u["dispatcher"], east, "reroute", department="cg", note="城管")
    assert rerouted.json()["department"] == "cg"
    # The handler asks for more time; the amount is checked.
    bad = step(api_client, u["handler"], east, "request_extension", amount="-1", note="吊车")
    assert bad.status_code == 400 and "amount" in bad.json()
    asked = step(
        api_client,
        u["handler"],
        east,
        "request_extension",
        amount="2",
        unit="work_hour",
        note="需要吊车",
    )
    assert asked.status_code == 200 and asked.json()["pending_request"] == "extension"
    approved = step(api_client, u["shiftlead"], east, "approve_extension")
    assert approved.json()["extension_count"] == 1
    east.refresh_from_db()
    assert [e.action for e in east.events.all()] == [
        "report",
        "verify",
        "accept",
        "register",
        "dispatch",
        "reroute",
        "req_ext",
        "ext_ok",
    ]
    assert east.events.get(action="verify").user == u["gridworker"]
    assert ChangeLogEntry.objects.filter(
        content_type__model="case", object_id=str(east.pk), source="api", user=u["dispatcher"]
    ).exists()


def test_refusals_change_nothing(api_client, case_world, some_cases):
    u, east = case_world["users"], some_cases["east"]
    events = east.events.count()
    # The wrong role: 403.
    denied = step(api_client, u["dispatcher"], east, "accept")
    assert denied.status_code == 403
    # The wrong state: 400, not tied to a field.
    wrong = step(api_client, u["dispatcher"], east, "dispatch", department="cg")
    assert wrong.status_code == 400 and "non_field_errors" in wrong.json()
    register = step(api_client, u["shiftlead"], east, "register")
    assert register.status_code == 400 and "non_field_errors" in register.json()
    # A missing reason names the field.
    reject = step(api_client, u["acceptor"], east, "reject")
    assert reject.status_code == 400 and "note" in reject.json()
    # An input the step does not take is refused.
    odd = step(api_client, u["acceptor"], east, "accept", department="cg")
    assert odd.status_code == 400 and "department" in odd.json()
    # An unknown step and a case out of scope: 404.
    assert step(api_client, u["acceptor"], east, "teleport").status_code == 404
    river = some_cases["river"]
    assert step(api_client, u["gridworker"], river, "verify").status_code == 404
    assert (
        as_user(api_client, u["gridworker"]).get(f"{CASES}{river.pk}/actions/").status_code == 404
    )
    east.refresh_from_db()
    assert east.state == "verifying" and east.events.count() == events


def test_a_dispatch_unknown_department_names_the_field(api_client, case_world, some_cases):
    u, east = case_world["users"], some_cases["east"]
    actions.perform(east, "accept", u["acceptor"])
    actions.perform(east, "register", u["shiftlead"])
    response = step(api_client, u["dispatcher"], east, "dispatch", department="nope")
    assert response.status_code == 400 and "department" in response.json()
    east.refresh_from_db()
    assert east.state == "registered" and east.department is None


def test_reclassify_and_place(api_client, case_world, some_cases):
    u, triage = case_world["users"], some_cases["triage"]
    client = as_user(api_client, u["acceptor"])
    url = f"{CASES}{triage.pk}/reclassify/"
    assert client.post(url, {"component_class": "x:99"}, format="json").status_code == 400
    response = client.post(url, {"component_class": "matter:06036", "note": "杂物"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["component_class"] == "matter:06036"
    assert response.json()["needs_triage"] is False
    # A grid worker sees the case of their grid but may not classify it.
    denied = as_user(api_client, u["gridworker"]).post(
        f"{CASES}{some_cases['east'].pk}/reclassify/",
        {"component_class": "matter:06036"},
        format="json",
    )
    assert denied.status_code == 403
    # An address nobody knows: the case waits unplaced at the street.
    unplaced = submit_report(
        ReportInput(channel="hotline", description=GARBAGE, address="不存在的路1号")
    ).case
    place = f"{CASES}{unplaced.pk}/place/"
    client = as_user(api_client, u["acceptor"])
    outside = client.post(place, {"lon": 116.39, "lat": 39.9}, format="json")
    assert outside.status_code == 400 and "location" in outside.json()
    placed = client.post(
        place, {"lon": RIVER[0], "lat": RIVER[1], "note": "电话核实"}, format="json"
    )
    assert placed.status_code == 200, placed.json()
    assert placed.json()["grid"] == "33021201400201" and placed.json()["placed"] is True
    assert placed.json()["community"] == "330212014002"


def test_split_a_wrongly_merged_report(api_client, case_world, some_cases):
    east = some_cases["east"]
    merged = submit(
        point=(EAST[0] + 0.0005, EAST[1]),
        text="路边生活垃圾没人清运",
        received_at=at(2026, 3, 2, 10, 0),
    )
    assert merged.case.pk == east.pk
    client = as_user(api_client, case_world["users"]["acceptor"])
    primary = east.reports.get(is_primary=True)
    refused = client.post(f"{REPORTS}{primary.pk}/split/", {}, format="json")
    assert refused.status_code == 400
    response = client.post(f"{REPORTS}{merged.report.pk}/split/", {"note": "两处"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["number"] != east.number
    east.refresh_from_db()
    assert east.report_count == 1
    handler = as_user(api_client, case_world["users"]["handler"])
    assert handler.post(f"{REPORTS}{primary.pk}/split/", {}, format="json").status_code == 404


def test_reports_cursor_pages_read_unit_by_unit_and_keep_the_cases_scope(api_client, case_world):
    """A narrow scope's cursor pages of reports go one unit at a time along the reports' copy
    of their case's unit (``Report.org_unit``) where the database allows it; who sees a report
    is still decided by its case, even where the copy were wrong."""
    from streetbrain.core.models import OrgUnit

    points = [EAST, RIVER, (EAST[0] + 0.004, EAST[1]), (RIVER[0] + 0.003, RIVER[1])]
    for n in range(9):  # apart in place or by months: nine cases, no merges
        submit(point=points[n % 4], received_at=at(2026, 1 + n, 2, 9, 0))
    assert Report.objects.count() == 9
    elsewhere = OrgUnit.objects.create(
        code="33021200100101", name="百丈第1网格", level="grid", parent=case_world["other_street"]
    )
    stray = submit(point=EAST, text=LAMP, received_at=at(2026, 3, 20, 9, 0))
    Case.objects.filter(pk=stray.case.pk).update(org_unit=elsewhere)  # the copy left behind
    assert Report.objects.get(pk=stray.report.pk).org_unit == case_world["east_grid"]

    def walk(client, params):
        seen, body = [], client.get(REPORTS, params).json()
        while True:
            seen += [row["id"] for row in body["results"]]
            if not body["next"]:
                return seen
            body = client.get(body["next"]).json()

    by_unit = connection.features.supports_slicing_ordering_in_compound
    for who, where in (("leader", case_world["street"]), ("gridworker", case_world["east_grid"])):
        client = as_user(api_client, case_world["users"][who])
        expected = list(
            Report.objects.filter(case__org_unit__path__startswith=where.path)
            .order_by("-pk")
            .values_list("pk", flat=True)
        )
        assert stray.report.pk not in expected and len(expected) >= 3
        with CaptureQueriesContext(connection) as queries:
            assert walk(client, {"cursor": "", "page_size": 2}) == expected
        assert any("UNION ALL" in q["sql"] for q in queries.captured_queries) == (
            by_unit and who == "leader"
        )
        assert walk(client, {"cursor": "", "page_size": 4, "ordering": "id"}) == expected[::-1]


def test_report_list_is_scoped_and_masked(api_client, case_world, some_cases):
    body = as_user(api_client, case_world["users"]["gridworker"]).get(REPORTS).json()
    assert [r["case_number"] for r in body["results"]] == [some_cases["east"].number]
    assert body["results"][0]["phone"] == "139****5678"


# -- reference data ---------------------------------------------------------------------------


def test_routing_rules_crud_needs_the_permissions(api_client, case_world, make_user):
    url = "/api/cases/routing-rules/"
    admin = make_user("da", role="dataadmin", unit=case_world["street"])
    client = as_user(api_client, admin)
    body = {
        "component_class": "matter:06010",
        "area": "330212014001",
        "department": "sq-001",
        "priority": 50,
        "note": "东城的垃圾归社区",
    }
    created = client.post(url, body, format="json")
    assert created.status_code == 201, created.json()
    rule = RoutingRule.objects.get(pk=created.json()["id"])
    assert rule.component_class.code == "06010" and rule.area.code == "330212014001"
    assert created.json()["department_name"] == "东城社区居委会"
    # The rule now routes new reports in 东城.
    assert submit().case.suggested_department.code == "sq-001"
    bad = client.post(url, {**body, "major_code": "01"}, format="json")
    assert bad.status_code == 400 and "major_code" in bad.json()
    unknown = client.post(url, {**body, "department": "nope"}, format="json")
    assert unknown.status_code == 400 and "department" in unknown.json()
    patched = client.patch(f"{url}{rule.pk}/", {"priority": 10}, format="json")
    assert patched.status_code == 200 and patched.json()["priority"] == 10
    assert client.get(url).json()["count"] == RoutingRule.objects.count()
    # Shift leaders may read the rules, not change them.
    lead = as_user(api_client, case_world["users"]["shiftlead"])
    assert lead.get(url).status_code == 200
    assert lead.post(url, body, format="json").status_code == 403
    assert lead.delete(f"{url}{rule.pk}/").status_code == 403
    assert as_user(api_client, case_world["users"]["handler"]).get(url).status_code == 403
    assert as_user(api_client, admin).delete(f"{url}{rule.pk}/").status_code == 204
    assert not RoutingRule.objects.filter(pk=rule.pk).exists()


def test_time_limits_crud(api_client, case_world, make_user):
    url = "/api/cases/time-limits/"
    client = as_user(api_client, make_user("da", role="dataadmin", unit=case_world["street"]))
    existing = TimeLimitStandard.objects.filter(condition="").select_related("component_class")
    assert client.get(url).json()["count"] == TimeLimitStandard.objects.count() > 0
    taken = existing.first()
    clash = client.post(
        url,
        {
            "component_class": f"{taken.component_class.kind}:{taken.component_class.code}",
            "limit_amount": "2",
            "limit_unit": "work_hour",
        },
        format="json",
    )
    assert clash.status_code == 400 and "condition" in clash.json()
    body = {
        "component_class": "matter:06010",
        "condition": "节假日",
        "limit_amount": "0",
        "limit_unit": "work_hour",
    }
    assert client.post(url, body, format="json").status_code == 400
    created = client.post(url, {**body, "limit_amount": "2"}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["component_class"] == "matter:06010"
    acceptor = as_user(api_client, case_world["users"]["acceptor"])
    assert acceptor.get(url).status_code == 200
    assert (
        acceptor.patch(
            f"{url}{created.json()['id']}/", {"limit_amount": "9"}, format="json"
        ).status_code
        == 403
    )


def test_sensors_are_scoped(api_client, case_world, make_user):
    url = "/api/cases/sensors/"
    east_admin = make_user("da-east", role="dataadmin", unit=case_world["east"])
    client = as_user(api_client, east_admin)
    body = {
        "device_id": "CAM-001",
        "name": "东城路口摄像头",
        "kind": "camera",
        "component_class": "matter:06010",
        "lon": EAST[0],
        "lat": EAST[1],
    }
    created = client.post(url, body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["grid"] == "33021201400101"
    # Outside the admin's unit: refused and rolled back.
    outside = client.post(
        url, {**body, "device_id": "CAM-002", "lon": RIVER[0], "lat": RIVER[1]}, format="json"
    )
    assert outside.status_code == 403
    assert not Sensor.objects.filter(device_id="CAM-002").exists()
    for bad, field in (
        ({**body, "device_id": "cam/+"}, "device_id"),
        ({**body, "device_id": "CAM-003", "lon": None, "lat": None}, "grid"),
        ({**body, "device_id": "CAM-003", "lat": None}, "lat"),
        ({**body, "device_id": "CAM-001"}, "device_id"),
    ):
        response = client.post(url, bad, format="json")
        assert response.status_code == 400 and field in response.json(), response.json()
    Sensor.objects.create(device_id="RIV-1", name="江城水位", org_unit=case_world["river_grid"])
    assert [s["device_id"] for s in client.get(url).json()["results"]] == ["CAM-001"]
    street_admin = make_user("da-street", role="dataadmin", unit=case_world["street"])
    assert as_user(api_client, street_admin).get(url).json()["count"] == 2
    # Roles without the sensor permissions see nothing.
    assert as_user(api_client, case_world["users"]["leader"]).get(url).status_code == 403


# -- notifications ----------------------------------------------------------------------------


def test_notifications_are_the_callers_own(api_client, case_world, some_cases):
    u, east = case_world["users"], some_cases["east"]
    actions.perform(east, "accept", u["acceptor"])
    actions.perform(east, "register", u["shiftlead"])
    actions.perform(east, "dispatch", u["dispatcher"])  # notifies the 城管 handlers
    mine = Notification.objects.get(user=u["handler"])
    client = as_user(api_client, u["handler"])
    body = client.get("/api/cases/notifications/").json()
    assert [n["id"] for n in body["results"]] == [mine.pk]
    assert body["results"][0]["case_number"] == east.number
    assert body["results"][0]["kind"] == "dispatched" and body["results"][0]["read_at"] is None
    assert client.get("/api/cases/notifications/", {"unread": "true"}).json()["count"] == 1
    read = client.post(f"/api/cases/notifications/{mine.pk}/read/")
    assert read.status_code == 200 and read.json()["read_at"]
    first_read = read.json()["read_at"]
    assert client.post(f"/api/cases/notifications/{mine.pk}/read/").json()["read_at"] == first_read
    assert client.get("/api/cases/notifications/", {"unread": "true"}).json()["count"] == 0
    other = as_user(api_client, u["river_handler"])
    assert other.get("/api/cases/notifications/").json()["count"] == 0
    assert other.post(f"/api/cases/notifications/{mine.pk}/read/").status_code == 404
    Notification.objects.create(
        user=u["handler"], case=east, kind="warn", created_at=at(2026, 3, 3)
    )
    marked = as_user(api_client, u["handler"]).post("/api/cases/notifications/read-all/")
    assert marked.json() == {"marked": 1}
    assert not Notification.objects.filter(user=u["handler"], read_at__isnull=True).exists()
    assert api_client.logout() is None
    api_client.force_authenticate(None)
    assert api_client.get("/api/cases/notifications/").status_code in (401, 403)


def test_schema_lists_the_cases_endpoints(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in (
        "/api/cases/cases/{id}/actions/{name}/",
        "/api/cases/cases/{id}/events/",
        "/api/cases/reports/",
        "/api/cases/reports/{id}/split/",
        "/api/cases/notifications/{id}/read/",
        "/api/cases/sensors/",
        "/api/cases/routing-rules/",
        "/api/cases/time-limits/",
    ):
        assert f"{path}:" in text, path
