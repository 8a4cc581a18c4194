"""The staff pages of the case engine: the list (scope, filters, quick tabs, export), a case's
page and its action forms (each step, refused roles, bad input that changes nothing), the
intake form, staff corrections, photos, notifications, configuration pages, search and the
key figures."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

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
    State,
    TimeLimitStandard,
    TrainingExample,
)
from streetbrain.cases.workflow import actions
from streetbrain.core.models import ChangeLogEntry
from streetbrain.core.worktime import SHANGHAI
from streetbrain.registry.models import ComponentClass

EAST = (121.61, 29.865)  # 东城社区第1网格
RIVER = (121.63, 29.865)  # 江城社区第1网格
GARBAGE = "路边有暴露垃圾，好几袋生活垃圾没人清运，已经发臭了"
LAMP = "路灯不亮了，晚上这一段漆黑一片，灯杆也歪了"
# A 1×1 PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
INDEX = reverse("cases:index")
NEW = reverse("cases:report_new")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def submit(channel="citizen", point=EAST, text=GARBAGE, **kw) -> IntakeResult:
    lon, lat = point if point else (None, None)
    return submit_report(ReportInput(channel=channel, description=text, lon=lon, lat=lat, **kw))


@pytest.fixture
def world(case_world, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return case_world


def login(client, user):
    client.force_login(user)
    return client


def act(client, case, name, **data):
    return client.post(reverse("cases:case_act", args=[case.pk, name]), data)


def to_dispatched(world, case, department=None, now=None):
    u = world["users"]
    actions.perform(case, "accept", u["acceptor"], now=now)
    actions.perform(case, "register", u["shiftlead"], now=now)
    actions.perform(case, "dispatch", u["dispatcher"], department=department, now=now)
    case.refresh_from_db()
    return case


def numbers(response) -> set[str]:
    return set(re.findall(r"\b(20\d{13})\b", response.content.decode()))


# -- the list ------------------------------------------------------------------------------


def test_list_is_scoped_to_the_grid_and_the_department(world, client):
    u = world["users"]
    east = submit().case
    river = submit(point=RIVER, text=LAMP).case
    dispatched = to_dispatched(world, submit(point=(121.61, 29.875), text=LAMP).case)
    assert dispatched.department == world["departments"]["urban"]

    leader = login(client, u["leader"]).get(INDEX)
    assert leader.status_code == 200
    assert numbers(leader) == {east.number, river.number, dispatched.number}

    grid = login(client, u["gridworker"]).get(INDEX)  # the east grid only
    assert numbers(grid) == {east.number}
    assert client.get(river.get_absolute_url()).status_code == 404

    handler = login(client, u["handler"]).get(INDEX)  # what was dispatched to 城管 only
    assert numbers(handler) == {dispatched.number}
    assert client.get(east.get_absolute_url()).status_code == 404
    assert numbers(login(client, u["river_handler"]).get(INDEX)) == set()


def test_anonymous_users_are_sent_to_log_in(world, client):
    response = client.get(INDEX)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_filters_and_quick_tabs(world, client):
    u = world["users"]
    garbage = submit(received_at=at(2026, 3, 2, 9, 0)).case  # citizen: 待核实
    lamp = submit(point=RIVER, text=LAMP, channel="gridworker").case  # grid worker: 上报
    triage = submit(point=(121.61, 29.875), text="你好", channel="gridworker").case
    dispatched = to_dispatched(world, submit(point=(121.63, 29.875), text=LAMP).case)
    Case.objects.filter(pk=dispatched.pk).update(light=Case.Light.RED)
    closed = submit(point=(121.605, 29.862), text=LAMP, channel="gridworker").case
    to_dispatched(world, closed)
    actions.perform(closed, "complete", u["handler"], note="修好了")
    actions.perform(closed, "check_pass", u["gridworker"])
    actions.perform(closed, "close", u["shiftlead"])

    login(client, u["leader"])
    assert numbers(client.get(INDEX, {"state": "verifying"})) == {garbage.number}
    assert numbers(client.get(INDEX, {"channel": "gridworker", "state": "reported"})) == {
        lamp.number,
        triage.number,
    }
    several = client.get(INDEX, {"state": ["verifying", "handling", "dispatched"]})
    assert numbers(several) == {garbage.number, dispatched.number}
    assert numbers(client.get(INDEX, {"state": ""})) == numbers(client.get(INDEX))
    form = client.get(INDEX).content.decode()
    assert re.search(r'<select name="state"[^>]*>\s*<option value="">', form)
    assert numbers(client.get(INDEX, {"community": world["river"].pk})) == {
        lamp.number,
        dispatched.number,
    }
    assert numbers(client.get(INDEX, {"needs_triage": "true"})) == {triage.number}
    assert numbers(client.get(INDEX, {"overdue": "true"})) == {dispatched.number}
    assert numbers(client.get(INDEX, {"light": "red"})) == {dispatched.number}
    assert numbers(client.get(INDEX, {"q": "路灯"})) == {
        lamp.number,
        dispatched.number,
        closed.number,
    }
    assert numbers(client.get(INDEX, {"q": garbage.number})) == {garbage.number}
    river = world["river"]
    assert numbers(client.get(INDEX, {"org_unit": river.pk})) == {lamp.number, dispatched.number}
    urban = world["departments"]["urban"]
    assert numbers(client.get(INDEX, {"department": urban.pk})) == {
        dispatched.number,
        closed.number,
    }
    lamp_class = ComponentClass.objects.get(kind="matter", code=lamp.component_class.code)
    assert lamp.number in numbers(client.get(INDEX, {"component_class": lamp_class.pk}))
    assert numbers(
        client.get(INDEX, {"reported_at_after": "2026-03-01", "reported_at_before": "2026-03-03"})
    ) == {garbage.number}
    assert garbage.number not in numbers(client.get(INDEX, {"period": "today"}))

    assert numbers(client.get(INDEX, {"tab": "verifying"})) == {garbage.number}
    assert numbers(client.get(INDEX, {"tab": "registering"})) == {lamp.number, triage.number}
    assert numbers(client.get(INDEX, {"tab": "handling"})) == {dispatched.number}
    assert numbers(client.get(INDEX, {"tab": "overdue"})) == {dispatched.number}
    assert numbers(client.get(INDEX, {"tab": "closed"})) == {closed.number}
    # A tab and a filter together.
    assert numbers(client.get(INDEX, {"tab": "registering", "q": "你好"})) == {triage.number}
    # Sorting by a column, and an unknown sort falls back to the default order.
    page = client.get(INDEX, {"sort": "number"}).content.decode()
    assert page.index(garbage.number) < page.index(closed.number)
    assert client.get(INDEX, {"sort": "password"}).status_code == 200


@pytest.mark.parametrize(
    "role, expected",
    [
        ("gridworker", {"verifying"}),  # 核实
        ("acceptor", {"verifying", "reported"}),  # 受理
        ("shiftlead", {"verifying", "reported", "accepted"}),  # 受理, 立案
        ("dispatcher", {"registered"}),  # 派遣
        ("handler", {"dispatched"}),  # 处置
        ("leader", set()),  # sees everything, has no next step to take
    ],
)
def test_my_work_follows_role_and_state(world, client, role, expected):
    u = world["users"]
    cases = {
        "verifying": submit().case,
        "reported": submit(point=(121.605, 29.862), text=LAMP, channel="gridworker").case,
    }
    accepted = submit(point=(121.608, 29.868), text=LAMP, channel="gridworker").case
    actions.perform(accepted, "accept", u["acceptor"])
    cases["accepted"] = accepted
    registered = submit(point=(121.615, 29.866), text=LAMP, channel="gridworker").case
    actions.perform(registered, "accept", u["acceptor"])
    actions.perform(registered, "register", u["shiftlead"])
    cases["registered"] = registered
    cases["dispatched"] = to_dispatched(
        world, submit(point=(121.611, 29.861), text=LAMP, channel="gridworker").case
    )
    response = login(client, u[role]).get(INDEX, {"tab": "mine"})
    assert numbers(response) == {cases[k].number for k in expected}


def test_the_list_does_not_query_per_row(world, client, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    u = world["users"]
    login(client, u["leader"])
    points = [(121.601 + 0.004 * i, 29.861 + 0.004 * (i % 4)) for i in range(8)]
    for point in points[:2]:
        to_dispatched(world, submit(point=point, text=LAMP).case)
    with CaptureQueriesContext(connection) as few:
        client.get(INDEX)
    for point in points[2:]:
        to_dispatched(world, submit(point=point, text=LAMP).case)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(INDEX)
    assert len(response.context["rows"]) == 8


# -- a case's page -------------------------------------------------------------------------


def test_case_page_shows_the_case(world, client):
    u = world["users"]
    first = submit(reporter_name="张三", phone="13912345678", received_at=at(2026, 3, 2, 9, 0))
    again = submit(
        point=(EAST[0] + 0.0007, EAST[1] + 0.0006),
        text="这里路边垃圾堆着没人清，生活垃圾发臭",
        received_at=at(2026, 3, 2, 10, 0),
    )
    case = first.case
    assert again.case.pk == case.pk
    response = login(client, u["acceptor"]).get(case.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    ctx = response.context
    assert case.number in page and case.component_class.name in page
    assert len(ctx["reports"]) == 2 and ctx["case"].report_count == 2
    assert "13912345678" not in page and "139****5678" in page  # the phone only masked
    assert any("垃圾" in w["word"] for w in ctx["explanation"])  # the words behind the guess
    assert {t.name for t in ctx["transitions"]} == {"accept", "reject", "note"}
    for name in ("accept", "reject", "note"):
        assert reverse("cases:case_act", args=[case.pk, name]) in page
    assert reverse("cases:case_act", args=[case.pk, "dispatch"]) not in page
    assert [e.action for e in ctx["events"]] == [CaseEvent.Action.REPORT, CaseEvent.Action.MERGE]
    geo = ctx["geojson"]["features"]
    assert geo[0]["properties"]["role"] == "area" and geo[-1]["geometry"]["type"] == "Point"
    assert 'id="case-geojson"' in page and "<script>" not in page  # data, no inline script
    assert 'id="changelog"' in page
    # The acceptor may split the further report off, not the first one.
    split_urls = re.findall(r"/cases/reports/(\d+)/split/", page)
    assert split_urls == [str(again.report.pk)]


def test_clock_and_duplicate_candidates(world, client):
    u = world["users"]
    start = at(2026, 3, 2, 9, 0)
    case = to_dispatched(world, submit(received_at=start).case, now=start)  # long overdue
    # An open case of a related class (杂物 for 垃圾) at the same place, kept apart: a
    # candidate for the staff to review.
    other = submit(
        text="楼道口堆了很多纸箱", channel="gridworker", requested_class="matter:06036"
    ).case
    assert other.pk != case.pk
    response = login(client, u["leader"]).get(case.get_absolute_url())
    ctx = response.context
    assert ctx["clock"].deadline is not None and ctx["clock"].light == "red"
    assert ctx["used_percent"] > 100 and ctx["used_bar"] == 100
    page = response.content.decode()
    assert 'class="light light-red"' in page
    assert other.number in {m.case.number for m in ctx["candidates"]}


def test_photos_are_served_only_within_the_scope(world, client):
    u = world["users"]
    photo = SimpleUploadedFile("a.png", PNG, "image/png")
    case = submit(photos=[photo]).case
    attachment = case.attachments.get()
    url = reverse("cases:attachment", args=[attachment.pk])
    login(client, u["gridworker"])
    page = client.get(case.get_absolute_url()).content.decode()
    assert url in page and "/media/" not in page  # never a public MEDIA URL
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG
    assert response["Cache-Control"] == "private, no-store"  # a photo of a case is personal
    assert login(client, u["river_handler"]).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_phone_reveal_is_for_those_allowed_and_logged(world, client):
    u = world["users"]
    case = submit(reporter_name="张三", phone="13912345678").case
    report = case.reports.get()
    reveal = reverse("cases:report_reveal", args=[report.pk])
    page = login(client, u["acceptor"]).get(case.get_absolute_url()).content.decode()
    assert reveal not in page  # the 受理员 has no reveal permission
    assert client.post(reveal, {"field": "phone"}).status_code == 403
    page = login(client, u["gridworker"]).get(case.get_absolute_url()).content.decode()
    assert reveal in page
    response = client.post(reveal, {"field": "phone"})
    assert response.status_code == 200 and "13912345678" in response.content.decode()
    assert ChangeLogEntry.objects.filter(action="reveal", user_name="grid").count() == 1


# -- the workflow through the page ---------------------------------------------------------


def test_a_case_goes_through_every_step_on_the_page(world, client):
    u = world["users"]
    case = submit().case
    urban = world["departments"]["urban"]

    r = act(login(client, u["gridworker"]), case, "verify", note="现场属实")
    assert r.status_code == 302 and r["Location"] == case.get_absolute_url()
    assert act(login(client, u["acceptor"]), case, "accept").status_code == 302
    assert act(login(client, u["shiftlead"]), case, "register").status_code == 302

    login(client, u["dispatcher"])
    form = client.get(reverse("cases:case_act", args=[case.pk, "dispatch"]))
    assert form.status_code == 200
    assert set(form.context["form"].fields) == {"department", "note"}
    assert form.context["form"].fields["department"].initial == urban.pk
    assert re.search(rf'<option value="{urban.pk}" selected>', form.content.decode())
    assert act(client, case, "dispatch", department=urban.pk, note="请处理").status_code == 302
    case.refresh_from_db()
    assert case.state == State.DISPATCHED and case.department == urban and case.deadline

    login(client, u["handler"])
    assert act(client, case, "start").status_code == 302
    photo = SimpleUploadedFile("done.png", PNG, "image/png")
    r = act(client, case, "complete", note="已清运", photos=[photo])
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.state == State.HANDLED
    event = case.events.get(action=CaseEvent.Action.HANDLED)
    assert event.note == "已清运" and event.attachments.count() == 1

    assert act(login(client, u["gridworker"]), case, "check_pass").status_code == 302
    assert act(login(client, u["shiftlead"]), case, "close").status_code == 302
    case.refresh_from_db()
    assert case.state == State.CLOSED
    actions_done = list(case.events.values_list("action", flat=True))
    assert actions_done == [
        "report",
        "verify",
        "accept",
        "register",
        "dispatch",
        "start",
        "handled",
        "check_ok",
        "close",
    ]
    page = client.get(case.get_absolute_url()).content.decode()
    assert "已清运" in page  # the timeline shows the note and the photo
    assert reverse("cases:attachment", args=[event.attachments.get().pk]) in page


def prepare(world, start: str) -> Case:
    """A case in the situation ``start``, brought there through the actions."""
    u = world["users"]
    steps = {
        "verifying": [],
        "reported": [],
        "accepted": [("accept", "acceptor", {})],
        "registered": ["accepted", ("register", "shiftlead", {})],
        "dispatched": ["registered", ("dispatch", "dispatcher", {})],
        "handling": ["dispatched", ("start", "handler", {})],
        "ext_pending": [
            "handling",
            ("request_extension", "handler", {"amount": "2", "unit": "work_hour", "note": "等"}),
        ],
        "back_pending": ["handling", ("request_rollback", "handler", {"note": "不归我们"})],
        "suspended": ["handling", ("suspend", "shiftlead", {"note": "等施工"})],
        "handled": ["handling", ("complete", "handler", {"note": "已处理"})],
        "checked": ["handled", ("check_pass", "gridworker", {})],
        "closed": ["checked", ("close", "shiftlead", {})],
        "published": ["handling", ("publish", "shiftlead", {})],
    }
    case = submit(channel="citizen" if start == "verifying" else "gridworker").case

    def run(name):
        for step in steps[name]:
            if isinstance(step, str):
                run(step)
            else:
                action, role, inputs = step
                actions.perform(case, action, u[role], **inputs)

    run(start)
    case.refresh_from_db()
    return case


# Every transition through its page form: (name, situation, role, inputs, event written).
EVERY_STEP = [
    ("verify", "verifying", "gridworker", {"note": "属实"}, "verify"),
    ("verify_false", "verifying", "gridworker", {"note": "现场没有"}, "verify"),
    ("accept", "reported", "acceptor", {}, "accept"),
    ("reject", "verifying", "acceptor", {"note": "重复"}, "reject"),
    ("register", "accepted", "shiftlead", {}, "register"),
    ("dispatch", "registered", "dispatcher", {"department": "urban"}, "dispatch"),
    ("reroute", "dispatched", "dispatcher", {"department": "east", "note": "归社区"}, "reroute"),
    ("start", "dispatched", "handler", {}, "start"),
    ("complete", "handling", "handler", {"note": "已清运"}, "handled"),
    (
        "request_extension",
        "handling",
        "handler",
        {"amount": "1", "unit": "work_hour", "note": "等车"},
        "req_ext",
    ),
    ("approve_extension", "ext_pending", "shiftlead", {}, "ext_ok"),
    ("deny_extension", "ext_pending", "shiftlead", {"note": "不必"}, "ext_no"),
    ("request_rollback", "handling", "handler", {"note": "不归我们"}, "req_back"),
    ("approve_rollback", "back_pending", "dispatcher", {}, "back_ok"),
    ("deny_rollback", "back_pending", "dispatcher", {"note": "归你们"}, "back_no"),
    ("suspend", "handling", "shiftlead", {"note": "等施工"}, "suspend"),
    ("resume", "suspended", "shiftlead", {}, "resume"),
    ("check_pass", "handled", "gridworker", {}, "check_ok"),
    ("check_fail", "handled", "gridworker", {"note": "没清干净"}, "check_no"),
    ("close", "checked", "shiftlead", {}, "close"),
    ("reopen", "closed", "shiftlead", {"note": "又有了"}, "reopen"),
    ("void", "accepted", "shiftlead", {"note": "误报"}, "void"),
    ("note", "handling", "acceptor", {"note": "市民来电催办"}, "note"),
    ("publish", "handling", "shiftlead", {}, "publish"),
    ("unpublish", "published", "shiftlead", {"note": "涉及隐私"}, "unpublish"),
]


def test_every_transition_has_a_page_test():
    assert {row[0] for row in EVERY_STEP} == set(actions.TRANSITIONS)


@pytest.mark.parametrize("name, start, role, inputs, event", EVERY_STEP)
def test_every_step_through_its_form(world, client, name, start, role, inputs, event):
    case = prepare(world, start)
    user = world["users"][role]
    login(client, user)
    page = client.get(case.get_absolute_url()).content.decode()
    url = reverse("cases:case_act", args=[case.pk, name])
    assert url in page, f"no {name} button for the {role}"
    form = client.get(url, HTTP_HX_REQUEST="true").context["form"]
    data = dict(inputs)
    if "department" in data:
        data["department"] = world["departments"][data["department"]].pk
    assert set(data) <= set(form.fields), (name, set(form.fields))
    before = case.events.count()
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response.get("HX-Redirect"), response.content[:500]
    last = case.events.order_by("-pk").first()
    assert case.events.count() == before + 1 and last.action == event and last.user == user
    assert last.note == data.get("note", "")


def test_the_wrong_role_gets_403_and_nothing_changes(world, client):
    u = world["users"]
    case = submit(channel="gridworker").case  # 上报
    before = case.events.count()
    login(client, u["acceptor"])
    assert act(client, case, "register").status_code == 403  # 立案 is the 值班长's
    assert act(client, case, "dispatch", department=1).status_code == 403
    assert client.get(reverse("cases:case_act", args=[case.pk, "dispatch"])).status_code == 403
    case.refresh_from_db()
    assert case.state == State.REPORTED and case.events.count() == before
    # Outside the scope the case does not exist for the user.
    assert act(login(client, u["river_handler"]), case, "start").status_code == 404
    assert client.get(reverse("cases:case_act", args=[case.pk, "nonsense"])).status_code == 404


def test_a_missing_reason_shows_the_error_and_changes_nothing(world, client):
    u = world["users"]
    case = submit().case
    before = list(case.events.values_list("pk", flat=True))
    login(client, u["acceptor"])
    response = act(client, case, "reject", note="  ")
    assert response.status_code == 400
    form = response.context["form"]
    assert "note" in form.errors
    assert "Give a reason." in response.content.decode()
    # Through HTMX: the form fragment with its error, as 200 so that HTMX swaps it in.
    htmx = client.post(
        reverse("cases:case_act", args=[case.pk, "reject"]), {"note": ""}, HTTP_HX_REQUEST="true"
    )
    assert htmx.status_code == 200 and "<html" not in htmx.content.decode()
    assert 'id="action-form"' in htmx.content.decode() and "Give a reason." in htmx.content.decode()
    case.refresh_from_db()
    assert case.state == State.VERIFYING
    assert list(case.events.values_list("pk", flat=True)) == before


def test_errors_of_the_action_land_on_the_form(world, client):
    u = world["users"]
    case = submit(point=(121.61, 29.875), text="你好", channel="gridworker").case  # unclassified
    actions.perform(case, "accept", u["acceptor"])
    login(client, u["shiftlead"])
    response = act(client, case, "register")
    assert response.status_code == 400
    assert "Classify the case before registering it." in response.content.decode()
    case.refresh_from_db()
    assert case.state == State.ACCEPTED
    # A step the state does not allow.
    response = act(client, case, "close")
    assert response.status_code == 400 and case.events.count() == 2
    form = client.get(reverse("cases:case_act", args=[case.pk, "close"]))
    assert form.status_code == 409 and "not possible" in form.content.decode()


def test_extension_form_has_amount_and_unit_and_validates(world, client):
    u = world["users"]
    case = to_dispatched(world, submit().case)
    login(client, u["handler"])
    form = client.get(
        reverse("cases:case_act", args=[case.pk, "request_extension"]), HTTP_HX_REQUEST="true"
    )
    assert set(form.context["form"].fields) == {"amount", "unit", "note"}
    assert "<html" not in form.content.decode()  # a fragment for HTMX
    bad = act(client, case, "request_extension", amount="-1", unit="work_hour", note="等配件")
    assert bad.status_code == 400 and "amount" in bad.context["form"].errors
    mixed = act(client, case, "request_extension", amount="2", unit="day", note="等配件")
    assert mixed.status_code == 400 and "unit" in mixed.context["form"].errors
    case.refresh_from_db()
    assert case.pending_request == ""
    ok = client.post(
        reverse("cases:case_act", args=[case.pk, "request_extension"]),
        {"amount": "2", "unit": "work_hour", "note": "等配件"},
        HTTP_HX_REQUEST="true",
    )
    assert ok.status_code == 200 and ok["HX-Redirect"] == case.get_absolute_url()
    case.refresh_from_db()
    assert case.pending_request == "extension"
    assert case.pending_request_data == {"amount": "2", "unit": "work_hour"}


def test_a_photo_that_is_not_a_photo_is_refused(world, client):
    u = world["users"]
    case = to_dispatched(world, submit().case)
    login(client, u["handler"])
    text = SimpleUploadedFile("a.txt", b"hello", "text/plain")
    response = act(client, case, "complete", note="完成", photos=[text])
    assert response.status_code == 400 and "photos" in response.context["form"].errors
    case.refresh_from_db()
    assert case.state == State.DISPATCHED and not case.attachments.exists()


# -- staff corrections ---------------------------------------------------------------------


def test_triage_banner_and_reclassify(world, client):
    u = world["users"]
    case = submit(text="你好").case
    assert case.needs_triage
    url = reverse("cases:case_reclassify", args=[case.pk])
    page = login(client, u["acceptor"]).get(case.get_absolute_url()).content.decode()
    assert 'id="triage"' in page and url in page
    matter = ComponentClass.objects.get(kind="matter", code="06036")
    component = ComponentClass.objects.filter(kind="component").first()

    bad = client.post(url, {"component_class": component.pk})  # not a 管理事项
    assert bad.status_code == 400 and bad.context["reclassify_form"].errors
    assert (
        login(client, u["gridworker"]).post(url, {"component_class": matter.pk}).status_code == 403
    )
    case.refresh_from_db()
    assert case.needs_triage and not TrainingExample.objects.exists()

    r = login(client, u["acceptor"]).post(url, {"component_class": matter.pk, "note": "杂物"})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.component_class == matter and not case.needs_triage
    assert TrainingExample.objects.get().label == "matter:06036"
    assert 'id="triage"' not in client.get(case.get_absolute_url()).content.decode()


def test_place_an_unplaced_case(world, client):
    u = world["users"]
    case = submit(point=None, channel="hotline", address="不存在的路1号").case
    assert not case.placed
    url = reverse("cases:case_place", args=[case.pk])
    login(client, u["acceptor"])
    assert 'id="unplaced"' in client.get(case.get_absolute_url()).content.decode()
    outside = client.post(url, {"lon": "116.39", "lat": "39.9"})
    assert outside.status_code == 400 and "outside" in outside.content.decode()
    assert client.post(url, {"lon": "x", "lat": "29.865"}).status_code == 400
    assert client.post(url, {"lon": EAST[0], "lat": EAST[1]}).status_code == 302
    case.refresh_from_db()
    assert case.placed and case.org_unit == world["east_grid"]


def test_split_a_wrongly_merged_report(world, client):
    u = world["users"]
    first = submit(received_at=at(2026, 3, 2, 9, 0))
    again = submit(
        point=(EAST[0] + 0.0007, EAST[1] + 0.0006),
        text="这里路边垃圾堆着没人清，生活垃圾发臭",
        received_at=at(2026, 3, 2, 10, 0),
    )
    assert again.case.pk == first.case.pk
    login(client, u["shiftlead"])
    primary = reverse("cases:report_split", args=[first.report.pk])
    refused = client.post(primary, {"note": "不是同一件事"})
    assert refused.status_code == 400 and "cannot be split" in refused.content.decode()
    url = reverse("cases:report_split", args=[again.report.pk])
    assert client.post(url, {"note": ""}).status_code == 400  # a reason is required
    assert Case.objects.count() == 1
    assert login(client, u["gridworker"]).post(url, {"note": "x"}).status_code == 403
    r = login(client, u["shiftlead"]).post(url, {"note": "不是同一件事"})
    assert Case.objects.count() == 2
    new = Case.objects.exclude(pk=first.case.pk).get()
    assert r.status_code == 302 and r["Location"] == new.get_absolute_url()
    first.case.refresh_from_db()
    assert first.case.report_count == 1


# -- intake (受理登记) -------------------------------------------------------------------------


def intake(**overrides) -> dict:
    data = {
        "channel": "hotline",
        "external_id": "GD20260302001",
        "reporter_name": "王女士",
        "phone": "139-1234-5678",
        "title": "",
        "description": GARBAGE,
        "component_class": "",
        "address": "东城路88号",
        "lon": EAST[0],
        "lat": EAST[1],
        "submission": "0123456789abcdef0123456789abcdef",
    }
    data.update(overrides)
    return data


def test_the_intake_form_opens_a_case(world, client):
    u = world["users"]
    login(client, u["acceptor"])
    page = client.get(NEW)
    assert page.status_code == 200 and 'id="pick-map"' in page.content.decode()
    photo = SimpleUploadedFile("a.png", PNG, "image/png")
    response = client.post(NEW, intake(photos=[photo]), follow=True)
    case = Case.objects.get()
    assert response.redirect_chain[-1][0] == case.get_absolute_url()
    assert f"New case {case.number} opened." in response.content.decode()
    report = case.reports.get()
    assert report.channel == "hotline" and report.external_id == "GD20260302001"
    assert report.phone_masked == "139****5678" and report.user == u["acceptor"]
    assert report.reporter_name == "王女士" and case.attachments.count() == 1
    assert case.state == State.VERIFYING and case.org_unit == world["east_grid"]
    # Submitting the same form again (a double click) stores nothing new.
    again = client.post(NEW, intake(), follow=True)
    assert Report.objects.count() == 1
    assert "already registered" in again.content.decode()


def test_the_intake_form_merges_a_repeat_and_takes_a_class(world, client):
    u = world["users"]
    first = submit().case
    login(client, u["acceptor"])
    response = client.post(
        NEW,
        intake(
            channel="phone",
            external_id="",
            description="这里路边垃圾堆着没人清，生活垃圾发臭",
            lon=EAST[0] + 0.0007,
            lat=EAST[1] + 0.0006,
            submission="1" * 32,
        ),
        follow=True,
    )
    first.refresh_from_db()
    assert first.report_count == 2 and Case.objects.count() == 1
    text = response.content.decode()
    assert f"Merged into the open case {first.number}" in text and "2 reports" in text
    matter = ComponentClass.objects.get(kind="matter", code="01037")  # chosen by the clerk
    client.post(
        NEW,
        intake(
            description="这里有问题",
            lon=RIVER[0],
            lat=RIVER[1],
            submission="2" * 32,
            component_class=matter.pk,
        ),
    )
    chosen = Case.objects.latest("pk")
    assert chosen.component_class == matter and chosen.class_source == "reporter"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"description": ""}, "description"),
        ({"external_id": ""}, "external_id"),  # a hotline transfer has a work order
        ({"phone": "12ab"}, "phone"),
        ({"lon": "", "lat": "", "address": ""}, "address"),  # no place at all
        ({"lat": ""}, "lat"),
        ({"lon": "116.39", "lat": "39.9"}, "address"),  # Beijing: outside the street
        ({"channel": "open311"}, "channel"),
        ({"component_class": "999999"}, "component_class"),
    ],
)
def test_bad_intake_input_is_refused_and_stores_nothing(world, client, overrides, field):
    login(client, world["users"]["acceptor"])
    response = client.post(NEW, intake(**overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors, response.context["form"].errors
    assert not Case.objects.exists() and not Report.objects.exists()


def test_a_photo_that_is_not_a_photo_is_refused_by_the_intake(world, client):
    login(client, world["users"]["acceptor"])
    text = SimpleUploadedFile("a.txt", b"hello", "text/plain")
    response = client.post(NEW, intake(photos=[text]))
    assert response.status_code == 400 and "photos" in response.context["form"].errors
    assert not Case.objects.exists()


def test_intake_needs_the_add_permission(world, client):
    login(client, world["users"]["dispatcher"])
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, intake()).status_code == 403
    assert not Case.objects.exists()


# -- export --------------------------------------------------------------------------------


def read_xlsx(content: bytes) -> list[list]:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return [list(row) for row in wb.active.iter_rows(values_only=True)]


def test_export_follows_scope_tab_and_filters(world, client):
    u = world["users"]
    east = submit(reporter_name="张三", phone="13912345678").case
    lamp = submit(point=(121.605, 29.862), text=LAMP, channel="gridworker").case
    river = submit(point=RIVER, text=LAMP).case
    url = reverse("cases:case_export")

    response = login(client, u["gridworker"]).get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    rows = read_xlsx(response.content)
    header = rows[0]
    assert header[:4] == ["案件编号", "标题", "问题描述", "状态"]
    assert {r[0] for r in rows[1:]} == {east.number, lamp.number}  # not the river case
    assert "13912345678" not in str(rows)
    filtered = read_xlsx(client.get(url, {"state": "verifying"}).content)
    assert [r[0] for r in filtered[1:]] == [east.number]
    tab = read_xlsx(client.get(url, {"tab": "registering"}).content)
    assert [r[0] for r in tab[1:]] == [lamp.number]
    all_rows = read_xlsx(login(client, u["leader"]).get(url).content)
    assert river.number in {r[0] for r in all_rows[1:]}
    assert isinstance(all_rows[1][0], str)  # case numbers stay text
    login(client, world["users"]["leader"])
    page = client.get(INDEX, {"state": "verifying"}).content.decode()
    assert f"{url}?state=verifying" in page


# -- notifications -------------------------------------------------------------------------


def test_notifications_page_badge_and_mark_read(world, client):
    u = world["users"]
    case = to_dispatched(world, submit().case)  # notifies the 城管 handler
    assert Notification.objects.filter(user=u["handler"]).count() == 1
    login(client, u["handler"])
    home = client.get("/").content.decode()
    assert reverse("cases:notifications") in home and re.search(
        r'id="notif-link"[^>]*>.*?1</span>', home
    )
    page = client.get(reverse("cases:notifications"))
    assert page.status_code == 200 and case.number in page.content.decode()
    assert page.context["unread_count"] == 1
    note = Notification.objects.get(user=u["handler"])
    # Someone else's notification cannot be marked or opened.
    other = Notification.objects.create(
        user=u["leader"], case=case, kind="overdue", created_at=case.reported_at
    )
    client.post(reverse("cases:notifications"), {"id": other.pk})
    other.refresh_from_db()
    assert other.read_at is None
    assert client.get(reverse("cases:notification_open", args=[other.pk])).status_code == 404
    opened = client.get(reverse("cases:notification_open", args=[note.pk]))
    assert opened.status_code == 302 and opened["Location"] == case.get_absolute_url()
    note.refresh_from_db()
    assert note.read_at is not None
    Notification.objects.create(
        user=u["handler"], case=case, kind="warn", created_at=case.reported_at
    )
    client.post(reverse("cases:notifications"), {"all": "1"})
    assert not Notification.objects.filter(user=u["handler"], read_at__isnull=True).exists()
    assert 'class="badge badge-warn"' not in client.get("/").content.decode().split("whoami")[0]


# -- configuration -------------------------------------------------------------------------


@pytest.fixture
def dataadmin(world, make_user):
    return make_user("admin1", role="dataadmin", unit=world["street"])


def test_routing_rules_are_edited_by_admins_with_a_reason(world, client, dataadmin):
    u = world["users"]
    listing = reverse("cases:routing_list")
    add = reverse("cases:routing_add")
    assert login(client, u["handler"]).get(listing).status_code == 403
    login(client, u["shiftlead"])  # may read the rules, not change them
    assert client.get(listing).status_code == 200
    assert client.get(add).status_code == 403
    matter = ComponentClass.objects.get(kind="matter", code="06010")
    data = {
        "component_class": matter.pk,
        "major_code": "",
        "area": world["east"].pk,
        "department": world["departments"]["east"].pk,
        "priority": 100,
        "is_active": "on",
        "note": "东城的垃圾归居委会",
    }
    assert client.post(add, data).status_code == 403
    login(client, dataadmin)
    page = client.get(listing)
    assert page.status_code == 200 and len(page.context["rows"]) == 2
    missing = client.post(add, data)  # no reason
    assert missing.status_code == 400 and "_change_reason" in missing.context["form"].errors
    assert RoutingRule.objects.count() == 2
    both = client.post(add, {**data, "major_code": "06", "_change_reason": "x"})
    assert both.status_code == 400 and "major_code" in both.context["form"].errors
    ok = client.post(add, {**data, "_change_reason": "区里的分工调整"})
    assert ok.status_code == 302 and ok["Location"] == listing
    rule = RoutingRule.objects.get(component_class=matter)
    logged = ChangeLogEntry.objects.filter(content_type__model="routingrule", object_id=rule.pk)
    assert logged.get(action="create").reason == "区里的分工调整"
    # The new rule routes the next report.
    assert submit().case.suggested_department == world["departments"]["east"]
    edit = client.get(reverse("cases:routing_edit", args=[rule.pk]))
    assert edit.status_code == 200 and 'id="changelog"' in edit.content.decode()
    delete = reverse("cases:routing_delete", args=[rule.pk])
    assert client.post(delete, {"_change_reason": ""}).status_code == 400
    assert RoutingRule.objects.filter(pk=rule.pk).exists()
    assert client.post(delete, {"_change_reason": "撤销"}).status_code == 302
    assert not RoutingRule.objects.filter(pk=rule.pk).exists()
    assert logged.get(action="delete").reason == "撤销"


def test_time_limits_are_edited_with_a_reason(world, client, dataadmin):
    standard = TimeLimitStandard.objects.get(component_class__code="06010", condition="")
    url = reverse("cases:timelimit_edit", args=[standard.pk])
    assert (
        login(client, world["users"]["acceptor"]).get(reverse("cases:timelimit_list")).status_code
        == 200
    )
    assert client.get(url).status_code == 403
    login(client, dataadmin)
    data = {
        "component_class": standard.component_class_id,
        "condition": "",
        "limit_amount": "6",
        "limit_unit": "work_hour",
        "filing_condition": standard.filing_condition,
        "closing_condition": standard.closing_condition,
        "duplicate_radius_m": 250,
        "duplicate_window_days": 30,
        "is_active": "on",
    }
    assert client.post(url, {**data, "limit_amount": "0", "_change_reason": "x"}).status_code == 400
    assert client.post(url, {**data, "_change_reason": "新标准"}).status_code == 302
    standard.refresh_from_db()
    assert standard.limit_amount == 6
    assert submit().case.limit_amount == 6


def test_sensors_list_and_edit(world, client, dataadmin):
    listing = reverse("cases:sensor_list")
    assert login(client, world["users"]["shiftlead"]).get(listing).status_code == 403
    login(client, dataadmin)
    add = reverse("cases:sensor_add")
    data = {
        "device_id": "cam-001",
        "name": "东城路口摄像头",
        "kind": "camera",
        "component_class": "",
        "lon": EAST[0],
        "lat": EAST[1],
        "org_unit": "",
        "merge_window_minutes": 60,
        "is_active": "on",
    }
    assert client.post(add, data).status_code == 400  # no reason
    outside = client.post(add, {**data, "lon": "116.39", "lat": "39.9", "_change_reason": "x"})
    assert outside.status_code == 400 and not Sensor.objects.exists()
    assert client.post(add, {**data, "_change_reason": "新装"}).status_code == 302
    sensor = Sensor.objects.get()
    assert sensor.org_unit == world["east_grid"]  # placed by its position
    assert "cam-001" in client.get(listing).content.decode()
    r = client.post(
        reverse("cases:sensor_edit", args=[sensor.pk]),
        {**data, "name": "东城路口摄像头2", "_change_reason": "改名"},
    )
    assert r.status_code == 302
    sensor.refresh_from_db()
    assert sensor.name == "东城路口摄像头2"


# -- search and key figures ----------------------------------------------------------------


def test_search_finds_cases_by_number_and_title_within_the_scope(world, client):
    from streetbrain.core.search import search

    u = world["users"]
    case = submit(point=RIVER, text=LAMP).case
    titles = lambda user, q: {  # noqa: E731
        r["title"] for g in search(user, q) if g["key"] == "cases" for r in g["results"]
    }
    assert str(case) in titles(u["leader"], case.number)
    assert str(case) in titles(u["leader"], case.number[-5:])
    assert str(case) in titles(u["leader"], "路灯")
    assert titles(u["gridworker"], case.number) == set()  # the river grid is not theirs
    page = login(client, u["leader"]).get(reverse("search"), {"q": case.number})
    assert case.get_absolute_url() in page.content.decode()
    # A long number is a code or an identifier: looked for as one, not inside titles and
    # addresses (where a district's search paid most of its time for it).
    titled = submit(point=EAST, text="编号330212014001的监控杆倒了，路口监控杆倒伏").case
    Case.objects.filter(pk=titled.pk).update(title="监控杆330212014001倒伏")
    titled.refresh_from_db()
    assert titles(u["leader"], "杆330212014001") == {str(titled)}
    assert titles(u["leader"], "330212014001") == set()
    assert titles(u["leader"], "2120140") == {str(titled)}  # seven digits: still text
    assert titles(u["leader"], titled.number) == {str(titled)}


def test_key_figures(world, make_user):
    from streetbrain.core.figures import key_figures_for, refresh_key_figures

    u = world["users"]
    submit()
    submit(point=RIVER, text=LAMP)
    late = to_dispatched(world, submit(point=(121.61, 29.875), text=LAMP).case)
    Case.objects.filter(pk=late.pk).update(light=Case.Light.RED)
    refresh_key_figures()
    figures = {f["key"]: f["value"] for f in key_figures_for(world["street"], u["leader"])}
    assert figures["cases_open"] == 3 and figures["cases_overdue"] == 1
    assert figures["cases_today"] == 3
    east = {f["key"]: f["value"] for f in key_figures_for(world["east"], u["leader"])}
    assert east["cases_open"] == 2
    # Only for those who may see the case list.
    other = make_user("bld", role="building", unit=world["street"])
    assert "cases_open" not in {f["key"] for f in key_figures_for(world["street"], other)}
    # Not for a department's handler: the count covers cases their list does not show.
    assert "cases_open" not in {f["key"] for f in key_figures_for(world["street"], u["handler"])}
