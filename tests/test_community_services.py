"""未来服务: the catalogue's eligibility answered from the registry (age from the ID number,
tags such as 独居老人), requests only for eligible members of the household with the deadline
the working-time calendar gives, answered by the staff."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from streetbrain.community import actions
from streetbrain.community.models import Service, ServiceRequest
from streetbrain.registry.models import ResidentTag

from .community_helpers import (
    jiangcheng_fixture,  # noqa: F401
    verified_account,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def services(jiangcheng):
    alone, _ = ResidentTag.objects.get_or_create(code="living-alone", defaults={"name": "独居老人"})
    grid = jiangcheng["river_grid"]
    meals = Service.objects.create(
        name="老年助餐", category="elderly", min_age=60, org_unit=grid, time_limit_days=3
    )
    visits = Service.objects.create(
        name="独居老人上门探访", category="elderly", tag=alone, org_unit=grid
    )
    after_school = Service.objects.create(
        name="四点半课堂", category="children", min_age=6, max_age=12, org_unit=grid
    )
    return {"meals": meals, "visits": visits, "after_school": after_school, "alone": alone}


def test_eligibility_comes_from_the_registry(jiangcheng, services):
    zhang, li = jiangcheng["zhang"], jiangcheng["li"]  # born 1980 and 1950
    assert actions.eligible(services["meals"], li)[0]
    ok, why = actions.eligible(services["meals"], zhang)
    assert not ok and "60" in why
    assert not actions.eligible(services["visits"], li)[0]
    li.tags.add(services["alone"])
    assert actions.eligible(services["visits"], li)[0]
    assert not actions.eligible(services["after_school"], zhang)[0]


def test_requests_for_eligible_members_with_a_working_day_deadline(jiangcheng, services):
    li_account = verified_account(jiangcheng, jiangcheng["li"], "13700000061")
    zhang_account = verified_account(jiangcheng, jiangcheng["zhang"], "13700000062")
    req = actions.request_service(services["meals"], jiangcheng["li"], li_account.user)
    assert req.state == "requested" and req.deadline > req.created_at
    with pytest.raises(ValidationError):
        actions.request_service(services["meals"], jiangcheng["zhang"], zhang_account.user)
    with pytest.raises(PermissionDenied):  # not a member of their household
        actions.request_service(services["meals"], jiangcheng["li"], zhang_account.user)
    with pytest.raises(PermissionDenied):
        actions.answer_request(req, li_account.user, state="done")
    actions.answer_request(req, jiangcheng["staff"], state="done", answer="已安排每日午餐")
    req.refresh_from_db()
    assert req.state == "done"
    with pytest.raises(ValidationError):
        actions.answer_request(req, jiangcheng["staff"], state="accepted")


def test_the_services_page(jiangcheng, services, client):
    li_account = verified_account(jiangcheng, jiangcheng["li"], "13700000063")
    client.force_login(li_account.user)
    page = client.get("/community/services/").content.decode()
    assert "老年助餐" in page and "service-request" in page
    client.post(
        "/community/services/",
        {"service": services["meals"].pk, "resident": jiangcheng["li"].pk},
    )
    assert ServiceRequest.objects.filter(household=li_account.household).count() == 1
    client.force_login(jiangcheng["staff"])
    assert client.get("/community/manage/requests/").status_code == 200
    req = ServiceRequest.objects.get()
    assert 'id="answer"' in client.get(f"/community/manage/requests/{req.pk}/").content.decode()


@pytest.fixture
def routed(jiangcheng):
    """A repair handled as a case of the street, and a bookable service in the elderly's
    room."""
    grid = jiangcheng["river_grid"]
    repair = Service.objects.create(
        name="公共设施报修", category="convenience", org_unit=grid, handling="case"
    )
    fitness = Service.objects.create(
        name="长者健身指导",
        category="elderly",
        min_age=60,
        org_unit=grid,
        handling="booking",
        space=jiangcheng["spaces"]["长者活动室"],
    )
    return {"repair": repair, "fitness": fitness}


def test_a_repair_request_becomes_a_case_the_resident_follows(
    case_world, jiangcheng, routed, client
):
    from streetbrain.cases.models import Case
    from streetbrain.community.models import ResidentReport

    zhang = verified_account(jiangcheng, jiangcheng["zhang"], "13700000064")
    with pytest.raises(ValidationError) as missing:  # a case needs its description
        actions.request_service(routed["repair"], jiangcheng["zhang"], zhang.user)
    assert "note" in missing.value.message_dict
    assert not ServiceRequest.objects.exists() and not Case.objects.exists()
    client.force_login(zhang.user)
    sent = client.post(
        "/community/services/",
        {
            "service": routed["repair"].pk,
            "resident": jiangcheng["zhang"].pk,
            "note": "1幢楼道灯坏了，晚上看不见",
        },
    )
    assert sent.status_code == 302
    req = ServiceRequest.objects.get()
    assert req.state == "filed" and req.report is not None
    case = req.report.case
    assert "楼道灯" in case.description and case.org_unit == jiangcheng["river_grid"]
    assert ResidentReport.objects.filter(report=req.report, household=zhang.household).exists()
    assert Case.objects.restrict(jiangcheng["grid_worker"]).filter(pk=case.pk).exists()
    page = client.get("/community/services/").content.decode()
    assert case.number in page and str(req.report.token) in page
    client.force_login(jiangcheng["staff"])
    with pytest.raises(ValidationError):  # handled as the case, not at the desk
        actions.answer_request(req, jiangcheng["staff"], state="done")


def test_a_bookable_service_becomes_a_booking_under_the_booking_rules(jiangcheng, routed, client):
    from streetbrain.community.models import Booking

    from .community_helpers import next_slot

    li = verified_account(jiangcheng, jiangcheng["li"], "13700000065")
    room = jiangcheng["spaces"]["长者活动室"]
    with pytest.raises(ValidationError) as no_slot:
        actions.request_service(routed["fitness"], jiangcheng["li"], li.user)
    assert "start" in no_slot.value.message_dict
    start = next_slot(room, hour=10)
    req = actions.request_service(routed["fitness"], jiangcheng["li"], li.user, start=start)
    assert req.state == "booked" and req.booking.space == room and req.booking.start == start
    assert req.booking.purpose == "长者健身指导"
    client.force_login(li.user)
    page = client.get("/community/services/").content.decode()
    assert (
        'name="start"' in page and start.strftime("%m-%d %H:%M") not in page.split("my-requests")[0]
    )
    # the slot is taken now: the request fails as the booking does, and nothing is kept
    with pytest.raises(actions.SlotTaken):
        actions.book(room, start, jiangcheng["staff"])
    before = ServiceRequest.objects.count()
    with pytest.raises(ValidationError):  # not one of the room's slots
        actions.request_service(
            routed["fitness"], jiangcheng["li"], li.user, start=start.replace(minute=30)
        )
    assert ServiceRequest.objects.count() == before
    assert Booking.objects.filter(space=room).count() == 1
