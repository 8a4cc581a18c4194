"""Issue 4's "done when", end to end through the pages and Open311 as each role would do it:
a citizen's report from the public page and one by Open311 become one case in the right grid
(the second merges into the first), it is verified, accepted, registered, dispatched, handled,
checked and closed by the right roles, with the clock right across the 国庆 holiday of 2026,
and the evaluation shows it."""

import datetime as dt
import re
import uuid
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from streetbrain.cases.channels.open311 import keys
from streetbrain.cases.evaluation import scores, stats
from streetbrain.cases.models import Case, CaseEvent, Report, State
from streetbrain.core.worktime import SHANGHAI

EAST = (121.61, 29.865)  # inside 东城社区第1网格 (33021201400101)


@pytest.fixture
def clock(monkeypatch):
    """The wall clock the pages and actions read (django.utils.timezone.now)."""
    state = {"now": None}
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: state["now"] or real_now())

    def set_to(*args):
        state["now"] = dt.datetime(*args, tzinfo=SHANGHAI)

    return set_to


def logged_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def act(user, case, name, **data):
    response = logged_in(user).post(reverse("cases:case_act", args=[case.pk, name]), data)
    assert response.status_code in (200, 302), response.content.decode()[:1500]
    case.refresh_from_db()
    return case


def test_citizen_and_open311_report_become_one_case_handled_across_a_holiday(
    case_world, clock, settings
):
    settings.CASES_PUBLIC_RATE = "100/h"
    cache.clear()
    u = case_world["users"]
    _key, plain = keys.create_api_key("市民通 App")

    # 1. A resident reports rubbish on the public page (no account), on 30 Sep at 15:00.
    clock(2026, 9, 30, 15, 0)
    response = Client().post(
        reverse("report:new"),
        {
            "category": "",
            "description": "小区门口路边有暴露垃圾，好几袋生活垃圾没人清运，已经发臭了",
            "lon": str(EAST[0]),
            "lat": str(EAST[1]),
            "phone": "13812345678",
            "consent": "on",
            "idempotency_key": uuid.uuid4().hex,
        },
    )
    assert response.status_code == 302
    token = re.search(r"/report/thanks/([0-9a-f-]{36})/", response["Location"]).group(1)
    case = Report.objects.get(token=token).case
    assert case.org_unit == case_world["east_grid"] and case.channel == "citizen"
    assert case.component_class.code == "06010" and case.state == State.VERIFYING

    # 2. An Open311 client reports the same rubbish 80 m away ten minutes later: it merges.
    clock(2026, 9, 30, 15, 10)
    response = Client().post(
        "/open311/v2/requests.json",
        urlencode(
            {
                "api_key": plain,
                "service_code": "06010",
                "lat": str(EAST[1] + 0.0005),
                "long": str(EAST[0] + 0.0006),
                "description": "路边生活垃圾堆着没人清，发臭",
            }
        ),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200, response.content
    request_id = response.json()[0]["service_request_id"]
    assert Report.objects.get(pk=request_id).case_id == case.pk
    case.refresh_from_db()
    assert case.report_count == 2 and Case.objects.count() == 1

    # 3. The workflow, each step by its role through the case page's forms.
    clock(2026, 9, 30, 15, 20)
    act(u["gridworker"], case, "verify", note="现场属实")
    clock(2026, 9, 30, 15, 30)
    act(u["acceptor"], case, "accept")
    clock(2026, 9, 30, 15, 40)
    act(u["shiftlead"], case, "register")
    # The wrong role is refused and nothing changes (the 城管 handler does not even see the
    # case before it is dispatched to 城管; the grid worker sees it but may not dispatch).
    clock(2026, 9, 30, 15, 50)
    hidden = logged_in(u["handler"]).get(reverse("cases:case_detail", args=[case.pk]))
    assert hidden.status_code == 404
    refused = logged_in(u["gridworker"]).post(
        reverse("cases:case_act", args=[case.pk, "dispatch"]), {"department": "cg"}
    )
    assert refused.status_code == 403
    case.refresh_from_db()
    assert case.state == State.REGISTERED and case.department is None
    clock(2026, 9, 30, 16, 0)
    act(u["dispatcher"], case, "dispatch", department=case_world["departments"]["urban"].pk)
    # 4 工作时 from Wed 30 Sep 16:00: 1.5 h that day, then 1–7 Oct are the 国庆 holiday, so the
    # remaining 2.5 h run on Thu 8 Oct from 08:30.
    assert case.deadline == dt.datetime(2026, 10, 8, 11, 0, tzinfo=SHANGHAI)
    clock(2026, 10, 8, 9, 0)
    act(u["handler"], case, "start")
    clock(2026, 10, 8, 10, 30)
    act(u["handler"], case, "complete", note="垃圾已清运")
    assert case.state == State.HANDLED and case.light == "yellow"  # 3.5 of 4 h used

    # The citizen sees the handling on the tracking page and confirms the fix.
    clock(2026, 10, 8, 11, 30)
    track = Client().get(reverse("report:track", args=[token]))
    assert "垃圾已清运" in track.content.decode()
    Client().post(reverse("report:confirm", args=[token]), {"answer": "solved", "comment": ""})
    case.refresh_from_db()
    assert case.state == State.CHECKED

    clock(2026, 10, 8, 14, 0)
    act(u["shiftlead"], case, "close")
    assert case.state == State.CLOSED and case.closed_on_time is True
    assert list(case.events.values_list("action", flat=True)) == [
        CaseEvent.Action.REPORT,
        CaseEvent.Action.MERGE,
        CaseEvent.Action.VERIFY,
        CaseEvent.Action.ACCEPT,
        CaseEvent.Action.REGISTER,
        CaseEvent.Action.DISPATCH,
        CaseEvent.Action.START,
        CaseEvent.Action.HANDLED,
        CaseEvent.Action.CONFIRM,
        CaseEvent.Action.CLOSE,
    ]

    # Both reporters follow it: the Open311 request is closed too.
    feed = Client().get(f"/open311/v2/requests/{request_id}.json").json()
    assert feed[0]["status"] == "closed"

    # 4. The evaluation of the quarter of 立案 shows it: registered, dispatched and closed on
    # time in 东城社区第1网格.
    stats.refresh_all()
    page = logged_in(u["leader"]).get(
        reverse("cases:evaluation"), {"period": "quarter", "quarter": "2026-Q3", "dim": "grid"}
    )
    assert page.status_code == 200
    tables = scores.indicators(dt.date(2026, 7, 1), dt.date(2026, 9, 1), "grid", u["leader"])
    grid_row = next(r for r in tables[0].rows if r.key == case_world["east_grid"].code)
    assert grid_row.counts["registered"] == 1 and grid_row.counts["closed"] == 1
    assert grid_row.counts["closed_on_time"] == 1
    assert grid_row.rates["closing_rate"] == 1.0
