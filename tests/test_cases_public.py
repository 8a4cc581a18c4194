"""The citizens' report page (随手拍), its tracking page and the grid worker's phone page:
what gets stored, what is refused (and then nothing is stored), the rate limit, the idempotency
key, what the public may see, the reporter's confirmation, and the worker's scope."""

from __future__ import annotations

import re
import struct
import uuid
import zlib

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import NoReverseMatch, reverse

from streetbrain.cases.channels import ratelimit
from streetbrain.cases.intake.actions import submit_report
from streetbrain.cases.intake.pipeline import ReportInput
from streetbrain.cases.models import (
    Attachment,
    Case,
    CaseEvent,
    Report,
    State,
    TimeLimitStandard,
)
from streetbrain.cases.workflow import actions
from streetbrain.core.extension_points import is_reserved
from streetbrain.core.models import ChangeLogEntry
from streetbrain.core.protected import reveal_value

EAST = (121.61, 29.865)  # 东城社区第1网格: the grid worker's grid
RIVER = (121.63, 29.865)  # 江城社区第1网格
GARBAGE = "路边有暴露垃圾，好几袋生活垃圾没人清运，已经发臭了"
PHONE = "13800138000"


def tiny_png() -> bytes:
    """A valid 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def png(name="photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, tiny_png(), content_type="image/png")


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CASES_PUBLIC_RATE = "10/h"
    cache.clear()  # the rate limit's counters live in the (process-wide) cache
    yield
    cache.clear()


def form_data(point=EAST, **overrides) -> dict:
    lon, lat = point if point else ("", "")
    data = {
        "category": "",
        "description": GARBAGE,
        "lon": str(lon),
        "lat": str(lat),
        "address": "",
        "name": "",
        "phone": "",
        "consent": "on",
        "idempotency_key": uuid.uuid4().hex,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post_report(client, point=EAST, **overrides):
    return client.post(reverse("report:new"), form_data(point, **overrides))


def token_of(response) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    match = re.match(r"^/report/thanks/([0-9a-f-]{36})/$", response["Location"])
    assert match, response["Location"]
    return match.group(1)


def nothing_stored() -> bool:
    return (
        Case.objects.count()
        == Report.objects.count()
        == CaseEvent.objects.count()
        == Attachment.objects.count()
        == 0
    )


def to_handled(case_world, case, note="垃圾已清运完毕"):
    u = case_world["users"]
    actions.perform(case, "verify", u["gridworker"], note="现场属实，内部备注")
    actions.perform(case, "accept", u["acceptor"])
    actions.perform(case, "register", u["shiftlead"])
    actions.perform(case, "dispatch", u["dispatcher"])
    actions.perform(case, "start", u["handler"])
    actions.perform(case, "complete", u["handler"], note=note)
    case.refresh_from_db()
    assert case.state == State.HANDLED
    return case


# -- the form -------------------------------------------------------------------------------


def test_form_page_offers_common_classes_a_map_and_a_fresh_key(client, case_world):
    response = client.get(reverse("report:new"))
    assert response.status_code == 200
    html = response.content.decode()
    form = response.context["form"]
    values = [v for group, options in form.fields["category"].choices[1:] for v, _label in options]
    # The classes with a 立结案标准 row, and the "not sure" choice first.
    assert "matter:06010" in values and "matter:09012" in values
    assert form.fields["category"].choices[0][0] == ""
    # ... but not the classes an app raises through its own page (the enterprises' 9000x).
    standards = TimeLimitStandard.objects.filter(is_active=True)
    expected = {
        f"{t.component_class.kind}:{t.component_class.code}"
        for t in standards
        if not is_reserved(t.component_class)
    }
    assert any(is_reserved(t.component_class) for t in standards)
    assert len(values) == len(set(values)) and set(values) == expected
    # The street and its grid cells for the map, as JSON (no inline script).
    geo = response.context["map_geojson"]
    roles = sorted(f["properties"]["role"] for f in geo["features"])
    assert roles == ["grid"] * 4 + ["street"]
    assert 'id="report-map-geojson" type="application/json"' in html
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    key = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', html)
    assert key, "no idempotency key in the form"
    again = client.get(reverse("report:new")).content.decode()
    assert key.group(1) not in again, "every rendering needs its own key"
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'accept="image/*"' in html


def test_citizen_report_opens_a_case_in_its_grid_and_protects_the_phone(client, case_world):
    response = post_report(
        client, category="matter:06010", name="王女士", phone="138 0013 8000", address="东城路口"
    )
    token = token_of(response)
    report = Report.objects.select_related("case").get()
    case = report.case
    assert str(report.token) == token
    assert report.channel == case.channel == "citizen" and report.is_primary
    assert case.org_unit == case_world["east_grid"] and case.placed
    assert case.state == State.VERIFYING  # citizens' reports are verified on site first
    assert case.component_class.code == "06010" and case.class_source == "reporter"
    assert report.idempotency_key.startswith("web:") and len(report.idempotency_key) == 36
    assert report.reporter_name == "王女士" and report.address == "东城路口"
    # The phone: encrypted, a digest and a mask; the number itself is in no column.
    assert report.phone_masked == "138****8000"
    assert report.phone_cipher and PHONE not in report.phone_cipher
    assert report.phone_digest and PHONE not in report.phone_digest
    assert report.phone == "138****8000"  # reading gives the mask
    assert reveal_value(report, "phone") == PHONE  # the cipher decrypts
    row = Report.objects.filter(pk=report.pk).values().get()
    assert not [k for k, v in row.items() if PHONE in str(v)]
    for entry in ChangeLogEntry.objects.all():
        assert PHONE not in str(entry.__dict__)
    # The thanks page: the tracking number and its link; no "merged" note.
    thanks = client.get(response["Location"])
    html = thanks.content.decode()
    assert thanks.status_code == 200
    assert f'<code id="tracking-code" class="tracking-code">{token}</code>' in html
    assert f'href="/report/track/{token}/"' in html
    assert 'id="merged-note"' not in html
    assert PHONE not in html and "王女士" not in html


def test_a_second_report_of_the_same_problem_is_merged_and_told_so(client, case_world):
    token_of(post_report(client))
    nearby = (EAST[0] + 0.0005, EAST[1] + 0.0003)
    response = post_report(client, nearby, description="这里路边垃圾堆着没人清，生活垃圾发臭")
    token = token_of(response)
    assert Case.objects.count() == 1
    case = Case.objects.get()
    assert case.report_count == 2
    second = Report.objects.get(token=token)
    assert not second.is_primary and second.case == case
    html = client.get(response["Location"]).content.decode()
    note = re.search(r'<p class="msg msg-info" id="merged-note">([^<]*)</p>', html)
    assert note and re.search(r"\b1\b", note.group(1)), "the note names how many reported it"


def _too_big_png():
    data = tiny_png() + b"\0" * (10 * 1024 * 1024)
    return SimpleUploadedFile("big.png", data, content_type="image/png")


@pytest.mark.parametrize(
    ("overrides", "point", "field"),
    [
        ({"description": "  "}, EAST, "description"),
        ({"description": "垃" * 4001}, EAST, "description"),
        ({}, None, "lon"),  # neither a point nor an address
        ({"lat": ""}, EAST, "lon"),  # half a point
        ({"lon": "abc"}, EAST, "lon"),
        ({}, (116.39, 39.90), "lon"),  # Beijing: outside the street (the intake says so)
        ({"lat": "95"}, EAST, "lat"),
        ({"phone": "12345"}, EAST, "phone"),
        ({"phone": "1380013800a"}, EAST, "phone"),
        ({"consent": None}, EAST, "consent"),
        ({"category": "matter:99999"}, EAST, "category"),
        ({"name": "王" * 61}, EAST, "name"),
        (
            {"photo": lambda: SimpleUploadedFile("x.jpg", b"not a photo", "image/jpeg")},
            EAST,
            "photo",
        ),
        ({"photo": _too_big_png}, EAST, "photo"),
    ],
)
def test_bad_input_shows_the_form_again_and_stores_nothing(
    client, case_world, overrides, point, field
):
    overrides = {k: (v() if callable(v) else v) for k, v in overrides.items()}
    response = post_report(client, point, **overrides)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    html = response.content.decode()
    assert 'id="form-errors"' in html and 'class="error"' in html
    assert nothing_stored()


def test_a_good_photo_is_kept_with_the_report(client, case_world):
    token_of(post_report(client, photo=png()))
    attachment = Attachment.objects.get()
    report = Report.objects.get()
    assert attachment.report == report and attachment.case == report.case
    assert attachment.content_type == "image/png" and attachment.size == len(tiny_png())
    assert attachment.file.read() == tiny_png()


def test_the_form_asks_for_the_photo_again_after_an_error(client, case_world):
    response = post_report(client, description="", photo=png())
    assert response.status_code == 200 and 'id="photo-again"' in response.content.decode()
    assert 'id="photo-again"' not in post_report(client, description="").content.decode()
    assert nothing_stored()


def test_a_photo_with_a_wrong_content_type_is_stored_as_what_it_is(client, case_world):
    token_of(post_report(client, photo=SimpleUploadedFile("p.jpg", tiny_png(), "image/jpeg")))
    assert Attachment.objects.get().content_type == "image/png"


def test_address_only_report_waits_unplaced_in_the_street(client, case_world):
    token_of(post_report(client, None, address="某小区门口"))
    case = Case.objects.get()
    assert not case.placed and case.org_unit == case_world["street"]


# -- rate limit and idempotency -------------------------------------------------------------


def test_rate_limit_answers_429_after_n_submissions_per_client(client, case_world, settings):
    settings.CASES_PUBLIC_RATE = "3/h"
    for i in range(3):
        token_of(post_report(client, (121.601 + i * 0.005, 29.862)))
    blocked = post_report(client)
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0
    assert 'id="rate-limited"' in blocked.content.decode()
    assert Report.objects.count() == 3
    # X-Forwarded-For is not trusted by default: a forged header does not reset the count.
    assert post_report(client, HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 429
    # Another client is not affected.
    other = Client(REMOTE_ADDR="10.0.0.2")
    token_of(post_report(other, (121.618, 29.868)))
    # Reading pages is never limited.
    assert client.get(reverse("report:new")).status_code == 200


def test_forwarded_for_counts_only_behind_a_configured_proxy(rf, settings):
    request = rf.post("/report/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 1.2.3.4")
    settings.CASES_PUBLIC_TRUSTED_PROXIES = 0
    assert ratelimit.client_ip(request) == "10.0.0.1"
    settings.CASES_PUBLIC_TRUSTED_PROXIES = 1
    assert ratelimit.client_ip(request) == "1.2.3.4"  # what our proxy saw, not the forgery
    settings.CASES_PUBLIC_TRUSTED_PROXIES = 2
    assert ratelimit.client_ip(request) == "6.6.6.6"
    assert ratelimit.client_ip(rf.get("/", REMOTE_ADDR="10.0.0.1")) == "10.0.0.1"


def test_rate_parsing_and_windows():
    from django.core.exceptions import ImproperlyConfigured

    assert ratelimit.parse_rate("10/h") == (10, 3600)
    assert ratelimit.parse_rate("5/min") == (5, 60)
    assert ratelimit.parse_rate("100/day") == (100, 86400)
    assert ratelimit.parse_rate("20/15m") == (20, 900)
    assert ratelimit.parse_rate("") is None and ratelimit.parse_rate("off") is None
    for bad in ("ten/h", "10/fortnight", "10", "10/0h"):
        with pytest.raises(ImproperlyConfigured):
            ratelimit.parse_rate(bad)
    t = 1_700_000_000.0
    t -= t % 60
    outcomes = [ratelimit.hit("t", "a", "2/min", now=t + 1) for _ in range(3)]
    assert [o.allowed for o in outcomes] == [True, True, False]
    assert outcomes[-1].retry_after == 59
    assert ratelimit.hit("t", "a", "2/min", now=t + 61).allowed  # the next window
    assert ratelimit.hit("t", "b", "2/min", now=t + 1).allowed  # another client


def test_double_submit_with_the_same_key_makes_one_report(client, case_world):
    data = form_data(category="matter:06010")
    first = client.post(reverse("report:new"), data)
    second = client.post(reverse("report:new"), data)
    assert token_of(first) == token_of(second)
    assert Report.objects.count() == 1 and Case.objects.count() == 1
    assert CaseEvent.objects.count() == 1


def test_csrf_stays_on(case_world):
    client = Client(enforce_csrf_checks=True)
    assert client.post(reverse("report:new"), form_data()).status_code == 403
    assert nothing_stored()


# -- tracking -------------------------------------------------------------------------------


def test_tracking_page_shows_the_public_side_only(client, case_world):
    users = case_world["users"]
    for key, name in (("gridworker", "张网格"), ("handler", "李处置"), ("dispatcher", "赵派遣")):
        users[key].display_name = name
        users[key].save()
    token = token_of(post_report(client, category="matter:06010", name="王女士", phone=PHONE))
    case = Case.objects.get()
    to_handled(case_world, case, note="垃圾已清运完毕")
    actions.perform(case, "note", users["dispatcher"], note="内部：处置队长电话13912345678")
    response = client.get(reverse("report:track", args=[token]))
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["case"].state == State.HANDLED
    assert "垃圾已清运完毕" in html  # what the department says it did
    for private in (
        PHONE,
        "138****",
        "王女士",
        "张网格",
        "李处置",
        "赵派遣",
        "现场属实，内部备注",
        "13912345678",
        "城管",  # the department
        case.number,
    ):
        assert private not in html, private
    labels = [e["action"] for e in response.context["timeline"]]
    assert labels == ["report", "verify", "accept", "register", "dispatch", "start", "handled"]
    assert response.context["deadline"] is None  # the clock stopped at 处置完成
    assert 'id="confirm-solved"' in html and 'id="confirm-unsolved"' in html
    assert 'id="report-count"' in html
    assert response["Cache-Control"].startswith("max-age=0")


def test_tracking_page_before_handling_shows_the_deadline_and_no_buttons(client, case_world):
    u = case_world["users"]
    token = token_of(post_report(client, category="matter:06010"))
    case = Case.objects.get()
    for name, user in (
        ("verify", "gridworker"),
        ("accept", "acceptor"),
        ("register", "shiftlead"),
        ("dispatch", "dispatcher"),
    ):
        actions.perform(case, name, u[user])
    case.refresh_from_db()
    response = client.get(reverse("report:track", args=[token]))
    assert response.context["deadline"] == case.deadline is not None
    assert response.context["limit"].startswith("4 ")  # 4 工作时, not "4.00"
    assert 'id="deadline"' in response.content.decode()
    assert 'id="confirm"' not in response.content.decode()
    # A confirmation now is refused and changes nothing.
    follow = client.post(reverse("report:confirm", args=[token]), {"answer": "solved"})
    assert follow.status_code == 302
    case.refresh_from_db()
    assert case.state == State.DISPATCHED


def test_unknown_tracking_numbers_are_404(client, case_world):
    assert client.get(f"/report/track/{uuid.uuid4()}/").status_code == 404
    assert client.get("/report/track/not-a-token/").status_code == 404
    assert client.get(f"/report/thanks/{uuid.uuid4()}/").status_code == 404
    assert client.post(f"/report/track/{uuid.uuid4()}/confirm/", {"answer": "solved"}).status_code
    lookup = client.get(reverse("report:track_lookup"), {"code": str(uuid.uuid4())})
    assert lookup.status_code == 404


def test_lookup_opens_a_pasted_tracking_number(client, case_world):
    token = token_of(post_report(client))
    response = client.get(reverse("report:track_lookup"), {"code": f"  {token.upper()} "})
    assert response.status_code == 302 and response["Location"] == f"/report/track/{token}/"
    bad = client.get(reverse("report:track_lookup"), {"code": "123"})
    assert bad.status_code == 200 and 'role="alert"' in bad.content.decode()


@pytest.mark.parametrize(
    ("answer", "state", "reworks"), [("solved", State.CHECKED, 0), ("unsolved", State.HANDLING, 1)]
)
def test_reporter_confirmation_moves_the_case(client, case_world, answer, state, reworks):
    token = token_of(post_report(client, category="matter:06010"))
    case = to_handled(case_world, Case.objects.get())
    response = client.post(
        reverse("report:confirm", args=[token]), {"answer": answer, "comment": "看过了"}
    )
    assert response.status_code == 302 and response["Location"] == f"/report/track/{token}/"
    case.refresh_from_db()
    assert case.state == state and case.rework_count == reworks
    event = case.events.order_by("-pk").first()
    assert event.note == "看过了" and event.data["satisfied"] is (answer == "solved")
    page = client.get(response["Location"]).content.decode()
    assert 'id="confirm"' not in page and 'class="msg msg-success"' in page


def test_confirmation_needs_an_answer_and_csrf(client, case_world):
    token = token_of(post_report(client, category="matter:06010"))
    case = to_handled(case_world, Case.objects.get())
    client.post(reverse("report:confirm", args=[token]), {"answer": "maybe"})
    strict = Client(enforce_csrf_checks=True)
    refused = strict.post(reverse("report:confirm", args=[token]), {"answer": "solved"})
    assert refused.status_code == 403
    assert client.get(reverse("report:confirm", args=[token])).status_code == 405
    case.refresh_from_db()
    assert case.state == State.HANDLED


# -- the grid worker's page -----------------------------------------------------------------


def citizen_case(point, **kw) -> Case:
    lon, lat = point
    return submit_report(
        ReportInput(
            channel="citizen",
            description=kw.pop("text", GARBAGE),
            lon=lon,
            lat=lat,
            requested_class="matter:06010",
            **kw,
        )
    ).case


def test_grid_page_needs_login_and_the_grid_workers_permissions(client, case_world):
    response = client.get(reverse("report:grid"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(case_world["users"]["handler"])  # no cases.verify_case
    assert client.get(reverse("report:grid")).status_code == 403
    client.force_login(case_world["users"]["gridworker"])
    assert client.get(reverse("report:grid")).status_code == 200


def test_grid_page_lists_only_the_workers_scope(client, case_world):
    mine = citizen_case(EAST)
    theirs = citizen_case(RIVER)
    done = to_handled(case_world, citizen_case((121.616, 29.862), text="路灯不亮了，晚上漆黑"))
    client.force_login(case_world["users"]["gridworker"])
    response = client.get(reverse("report:grid"))
    html = response.content.decode()
    assert [c.pk for c in response.context["verifying"]] == [mine.pk]
    assert [c.pk for c in response.context["handled"]] == [done.pk]
    assert f'id="case-{mine.pk}"' in html and f'id="case-{theirs.pk}"' not in html
    assert 'data-lon="121.610000" data-lat="29.865000"' in html  # for the distance
    assert "垃圾已清运完毕" in html  # what the department says, to check on site
    assert 'capture="environment"' in html and 'accept="image/*"' in html
    features = response.context["map_geojson"]["features"]
    own = [f["properties"]["code"] for f in features if f["properties"]["role"] == "own"]
    assert own == [case_world["east_grid"].code]
    try:
        staff_url = reverse("cases:case_detail", args=[mine.pk])
    except NoReverseMatch:
        staff_url = None
    if staff_url:
        assert f'href="{staff_url}"' in html


def test_acting_on_another_grids_case_is_refused(client, case_world):
    theirs = citizen_case(RIVER)
    client.force_login(case_world["users"]["gridworker"])
    response = client.post(
        reverse("report:grid_act", args=[theirs.pk]), {"action": "verify", "note": "属实"}
    )
    assert response.status_code == 403
    theirs.refresh_from_db()
    assert theirs.state == State.VERIFYING and theirs.events.count() == 1


def test_verify_on_site_with_a_note_and_a_photo(client, case_world):
    case = citizen_case(EAST)
    client.force_login(case_world["users"]["gridworker"])
    response = client.post(
        reverse("report:grid_act", args=[case.pk]),
        {"action": "verify", "note": "现场属实", "photo": png()},
    )
    assert response.status_code == 302 and response["Location"] == "/report/grid/#tasks"
    case.refresh_from_db()
    assert case.state == State.REPORTED
    event = case.events.get(action=CaseEvent.Action.VERIFY)
    assert event.user == case_world["users"]["gridworker"] and event.note == "现场属实"
    attachment = Attachment.objects.get()
    assert attachment.event == event and attachment.content_type == "image/png"


def test_not_true_needs_a_note_and_keeps_what_was_typed(client, case_world):
    case = citizen_case(EAST)
    client.force_login(case_world["users"]["gridworker"])
    url = reverse("report:grid_act", args=[case.pk])
    response = client.post(url, {"action": "verify_false", "note": ""})
    assert response.status_code == 200
    html = response.content.decode()
    card = html[html.index(f'id="case-{case.pk}"') :]
    assert 'class="error"' in card[: card.index("</article>")]
    bad_photo = SimpleUploadedFile("x.png", b"GIF", content_type="image/png")
    response = client.post(url, {"action": "verify_false", "note": "没找到", "photo": bad_photo})
    assert response.status_code == 200 and "没找到" in response.content.decode()
    response = client.post(url, {"action": "register", "note": "x"})  # not a field action
    assert response.status_code == 200
    assert "action" in response.context["verifying"][0].act_form.errors
    case.refresh_from_db()
    assert case.state == State.VERIFYING and case.events.count() == 1
    client.post(url, {"action": "verify_false", "note": "现场没有垃圾"})
    case.refresh_from_db()
    assert case.state == State.REJECTED


@pytest.mark.parametrize(
    ("action", "note", "state"),
    [("check_pass", "", State.CHECKED), ("check_fail", "还有两袋没清", State.HANDLING)],
)
def test_check_on_site(client, case_world, action, note, state):
    case = to_handled(case_world, citizen_case(EAST))
    client.force_login(case_world["users"]["gridworker"])
    response = client.post(
        reverse("report:grid_act", args=[case.pk]), {"action": action, "note": note}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == state


def test_grid_worker_reports_with_photos(client, case_world):
    client.force_login(case_world["users"]["gridworker"])
    data = form_data(category="matter:06036", description="楼道口乱堆杂物，影响通行")
    del data["consent"], data["name"], data["phone"]
    data["photos"] = [png("a.png"), png("b.png")]
    response = client.post(reverse("report:grid"), data)
    assert response.status_code == 302 and response["Location"] == "/report/grid/#tasks"
    report = Report.objects.select_related("case").get()
    case = report.case
    assert report.channel == case.channel == "gridworker"
    assert report.user == case_world["users"]["gridworker"]
    assert report.idempotency_key.startswith("grid:")
    assert case.state == State.REPORTED  # a grid worker's report needs no verification
    assert case.org_unit == case_world["east_grid"] and case.component_class.code == "06036"
    assert Attachment.objects.filter(report=report).count() == 2
    page = client.get(response["Location"]).content.decode()
    assert case.number in page  # the success message names the case


def test_grid_worker_report_errors_store_nothing(client, case_world):
    client.force_login(case_world["users"]["gridworker"])
    data = form_data(point=None, description="")
    data["photos"] = [png(f"{i}.png") for i in range(7)]
    response = client.post(reverse("report:grid"), data)
    assert response.status_code == 200
    assert {"description", "lon", "photos"} <= set(response.context["form"].errors)
    assert nothing_stored()
