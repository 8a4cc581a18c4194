"""The residents' API beyond bookings: consultations (list, vote), the services catalogue and
service requests, activity sign-ups — a resident sees and writes their household's rows and
their community's public ones; staff read their area's and cannot act as a household."""

from __future__ import annotations

import pytest

from streetbrain.community.models import Proposal, Service, ServiceRequest, Signup, Vote

from .community_helpers import (
    jiangcheng_fixture,  # noqa: F401
    verified_account,
)
from .test_community_governance import make_consultation
from .test_community_neighbours import make_activity

pytestmark = pytest.mark.django_db


def test_consultations_list_and_vote(jiangcheng, api_client):
    zhang = verified_account(jiangcheng, jiangcheng["zhang"], "13700000091")
    li = verified_account(jiangcheng, jiangcheng["li"], "13700000092")
    c, yes, _no = make_consultation(jiangcheng)
    api_client.force_authenticate(zhang.user)
    listed = api_client.get("/api/community/consultations/").json()
    assert listed["count"] == 1
    assert [o["text"] for o in listed["results"][0]["options"]] == ["赞成", "反对"]
    url = f"/api/community/consultations/{c.pk}/vote/"
    other, *_ = make_consultation(jiangcheng)
    foreign = other.options.first().pk
    assert api_client.post(url, {"option": foreign}, format="json").status_code == 400
    voted = api_client.post(url, {"option": yes.pk}, format="json")
    assert voted.status_code == 201, voted.content
    assert voted.json()["household"] == zhang.household_id
    again = api_client.post(url, {"option": yes.pk}, format="json")
    assert again.status_code == 400 and Vote.objects.count() == 1
    api_client.force_authenticate(li.user)
    assert api_client.post(url, {"option": yes.pk}, format="json").status_code == 201
    api_client.force_authenticate(jiangcheng["staff"])  # staff are no household
    assert api_client.post(url, {"option": yes.pk}, format="json").status_code == 403
    assert Vote.objects.count() == 2


def test_services_and_requests_scoped_to_the_household(jiangcheng, api_client):
    grid = jiangcheng["river_grid"]
    meals = Service.objects.create(name="老年助餐", category="elderly", min_age=60, org_unit=grid)
    zhang = verified_account(jiangcheng, jiangcheng["zhang"], "13700000093")
    li = verified_account(jiangcheng, jiangcheng["li"], "13700000094")
    api_client.force_authenticate(li.user)
    services = api_client.get("/api/community/services/").json()
    assert [s["name"] for s in services["results"]] == ["老年助餐"]
    assert services["results"][0]["handling"] == "community"
    body = {"service": meals.pk, "resident": jiangcheng["li"].pk}
    made = api_client.post("/api/community/service-requests/", body, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["state"] == "requested"
    api_client.force_authenticate(zhang.user)
    assert api_client.get("/api/community/service-requests/").json()["count"] == 0
    # another household's member, and a member who is not eligible: refused, nothing stored
    assert (
        api_client.post("/api/community/service-requests/", body, format="json").status_code == 400
    )
    young = {"service": meals.pk, "resident": jiangcheng["zhang"].pk}
    refused = api_client.post("/api/community/service-requests/", young, format="json")
    assert refused.status_code == 400 and ServiceRequest.objects.count() == 1
    api_client.force_authenticate(jiangcheng["staff"])
    assert api_client.get("/api/community/service-requests/").json()["count"] == 1
    assert (
        api_client.post("/api/community/service-requests/", body, format="json").status_code == 403
    )


def test_activity_signups(jiangcheng, api_client):
    zhang = verified_account(jiangcheng, jiangcheng["zhang"], "13700000095")
    li = verified_account(jiangcheng, jiangcheng["li"], "13700000096")
    activity = make_activity(jiangcheng, capacity=1)
    api_client.force_authenticate(zhang.user)
    first = api_client.post("/api/community/signups/", {"activity": activity.pk}, format="json")
    assert first.status_code == 201 and first.json()["state"] == "confirmed"
    twice = api_client.post("/api/community/signups/", {"activity": activity.pk}, format="json")
    assert twice.status_code == 400
    api_client.force_authenticate(li.user)
    waiting = api_client.post("/api/community/signups/", {"activity": activity.pk}, format="json")
    assert waiting.json()["state"] == "waiting"
    assert api_client.get("/api/community/signups/").json()["count"] == 1  # their own only
    own = first.json()["id"]
    assert api_client.post(f"/api/community/signups/{own}/cancel/").status_code == 404
    api_client.force_authenticate(zhang.user)
    cancelled = api_client.post(f"/api/community/signups/{own}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert Signup.objects.get(household=li.household).state == "confirmed"  # moved up
    api_client.force_authenticate(jiangcheng["staff"])
    assert api_client.get("/api/community/signups/").json()["count"] == 2


def test_proposals_api_propose_list_and_review(jiangcheng, api_client, make_user):
    """/api/community/proposals/: a resident proposes (POST) and lists their household's; the
    community's staff list their area's (``?state=proposed``) and review (POST …/review/):
    declined with a reason, or accepted → a consultation with the proposed options. A
    resident cannot review; another community's staff see nothing of 江城's."""
    zhang = verified_account(jiangcheng, jiangcheng["zhang"], "13700000097")
    li = verified_account(jiangcheng, jiangcheng["li"], "13700000098")
    url = "/api/community/proposals/"
    api_client.force_authenticate(zhang.user)
    one = {"question": "增设充电棚？", "options": ["赞成"]}
    assert api_client.post(url, one, format="json").status_code == 400  # one option only
    body = {"question": "小区增设电动自行车充电棚？", "background": "楼道充电危险"}
    made = api_client.post(url, {**body, "options": ["赞成", "反对"]}, format="json")
    assert made.status_code == 201, made.content
    first = made.json()
    assert first["state"] == "proposed" and first["options"] == ["赞成", "反对"]
    assert first["household"] == zhang.household_id
    api_client.force_authenticate(li.user)
    second = api_client.post(url, {"question": "周末开放阅览室？", "options": ["是", "否"]})
    assert second.status_code == 201
    assert [p["id"] for p in api_client.get(url).json()["results"]] == [second.json()["id"]]
    review = f"{url}{first['id']}/review/"
    assert api_client.get(f"{url}{first['id']}/").status_code == 404  # not li's household
    assert api_client.post(review, {"accept": True}, format="json").status_code == 403
    api_client.force_authenticate(jiangcheng["staff"])
    assert api_client.post(url, {**body, "options": ["是", "否"]}, format="json").status_code == 403
    assert api_client.get(url).json()["count"] == 2
    assert api_client.get(url, {"state": "proposed"}).json()["count"] == 2
    no_reason = api_client.post(review, {"accept": False}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    declined = api_client.post(
        f"{url}{second.json()['id']}/review/", {"accept": False, "reason": "已有安排"}
    )
    assert declined.status_code == 200 and declined.json()["reason"] == "已有安排"
    accepted = api_client.post(review, {"accept": True}, format="json")
    assert accepted.status_code == 200, accepted.content
    proposal = Proposal.objects.get(pk=first["id"])
    assert accepted.json()["consultation"] == proposal.consultation_id is not None
    assert list(proposal.consultation.options.values_list("text", flat=True)) == ["赞成", "反对"]
    again = api_client.post(review, {"accept": True}, format="json")
    assert again.status_code == 400  # reviewed already
    assert api_client.get(url, {"state": "proposed"}).json()["count"] == 0
    outsider = make_user("east-community", role="community", unit=jiangcheng["east"])
    api_client.force_authenticate(outsider)
    assert api_client.get(url).json()["count"] == 0
    assert api_client.post(review, {"accept": False, "reason": "x"}).status_code == 404
