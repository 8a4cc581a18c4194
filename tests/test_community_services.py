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
