"""未来邻里: activities with places and a waiting list (the first waiting moves up), attendance
earning points and volunteer hours as ledger entries with their reason (once per activity),
spending never below zero, notices; the resident's pages and the API, scoped."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from streetbrain.community import actions
from streetbrain.community.models import Activity, Notice, PointEntry, Signup

from .community_helpers import (
    bulk_verified_accounts,
    jiangcheng_fixture,  # noqa: F401
    verified_account,
)

pytestmark = pytest.mark.django_db


def make_activity(world, *, capacity=2, points=10, hours=0, days=2, **kw):
    starts = timezone.now() + dt.timedelta(days=days)
    return Activity.objects.create(
        title=kw.pop("title", "社区读书会"),
        kind=kw.pop("kind", "culture"),
        starts=starts,
        ends=starts + dt.timedelta(hours=2),
        place="阅览室",
        capacity=capacity,
        points=points,
        volunteer_hours=hours,
        org_unit=world["river_grid"],
        **kw,
    )


def test_places_then_the_waiting_list_then_moving_up(jiangcheng):
    a, b, c = (x.user for x in bulk_verified_accounts(jiangcheng, 3))
    activity = make_activity(jiangcheng, capacity=2)
    assert actions.join_activity(activity, a).state == "confirmed"
    second = actions.join_activity(activity, b)
    third = actions.join_activity(activity, c)
    assert (second.state, third.state) == ("confirmed", "waiting")
    with pytest.raises(ValidationError):
        actions.join_activity(activity, a)  # once per household
    actions.leave_activity(second, b)
    third.refresh_from_db()
    assert third.state == "confirmed"
    again = actions.join_activity(activity, b)  # the cancelled row comes back, now waiting
    assert again.pk == second.pk and again.state == "waiting"


def test_attendance_earns_points_once_with_the_reason(jiangcheng):
    account = bulk_verified_accounts(jiangcheng, 1)[0]
    activity = make_activity(jiangcheng, points=15, hours=2, kind="volunteer")
    signup = actions.join_activity(activity, account.user)
    with pytest.raises(ValidationError):  # not begun yet
        actions.mark_attendance(signup, jiangcheng["staff"], attended=True)
    later = activity.starts + dt.timedelta(minutes=30)
    with pytest.raises(PermissionDenied):  # residents do not mark themselves
        actions.mark_attendance(signup, account.user, attended=True, now=later)
    actions.mark_attendance(signup, jiangcheng["staff"], attended=True, now=later)
    actions.mark_attendance(signup, jiangcheng["staff"], attended=True, now=later)
    entries = PointEntry.objects.filter(household=account.household)
    assert entries.count() == 1
    entry = entries.get()
    assert (entry.points, entry.hours, entry.kind) == (15, 2, "volunteer")
    assert activity.title in entry.reason
    assert actions.balance(account.household_id) == 15


def test_spending_needs_a_reason_and_the_balance(jiangcheng):
    account = bulk_verified_accounts(jiangcheng, 1)[0]
    household, staff = account.household, jiangcheng["staff"]
    PointEntry.objects.create(
        household=household,
        kind="adjusted",
        points=20,
        reason="开户赠送",
        org_unit=jiangcheng["river_grid"],
    )
    with pytest.raises(ValidationError):
        actions.spend_points(household, staff, 5, "")
    with pytest.raises(ValidationError):
        actions.spend_points(household, staff, 25, "兑换雨伞")
    actions.spend_points(household, staff, 12, "兑换雨伞")
    assert actions.balance(household.pk) == 8
    with pytest.raises(PermissionDenied):
        actions.spend_points(household, account.user, 1, "自己兑换")


def test_residents_see_their_households_points_and_the_communitys_activities(
    jiangcheng, client, api_client
):
    zhang = verified_account(jiangcheng, jiangcheng["zhang"], "13700000041")
    li = verified_account(jiangcheng, jiangcheng["li"], "13700000042")
    activity = make_activity(jiangcheng)
    for acc, pts in ((zhang, 5), (li, 7)):
        PointEntry.objects.create(
            household=acc.household,
            kind="adjusted",
            points=pts,
            reason="测试",
            org_unit=jiangcheng["river_grid"],
        )
    Notice.objects.create(
        title="停水通知",
        body="明日停水",
        published=timezone.now(),
        org_unit=jiangcheng["river_grid"],
    )
    client.force_login(zhang.user)
    home = client.get("/community/").content.decode()
    assert "停水通知" in home
    page = client.get("/community/activities/").content.decode()
    assert activity.title in page
    assert client.post("/community/activities/", {"activity": activity.pk}).status_code == 302
    assert Signup.objects.get(activity=activity).household == zhang.household
    points = client.get("/community/points/").content.decode()
    assert 'id="points-balance">5<' in points
    api_client.force_authenticate(zhang.user)
    body = api_client.get("/api/community/points/").json()
    assert body["count"] == 1 and body["results"][0]["points"] == 5
    assert api_client.get("/api/community/activities/").json()["count"] == 1
    api_client.force_authenticate(jiangcheng["staff"])
    assert api_client.get("/api/community/points/").json()["count"] == 2


def test_staff_pages_for_activities_points_and_notices(jiangcheng, client):
    activity = make_activity(jiangcheng, days=-1)
    account = bulk_verified_accounts(jiangcheng, 1)[0]
    signup = Signup.objects.create(
        activity=activity, household=account.household, state="confirmed"
    )
    client.force_login(jiangcheng["staff"])
    assert client.get("/community/manage/activities/").status_code == 200
    detail = client.get(f"/community/manage/activities/{activity.pk}/").content.decode()
    assert 'id="signups"' in detail
    client.post(
        f"/community/manage/activities/{activity.pk}/attendance/",
        {"signup": signup.pk, "attended": "yes"},
    )
    signup.refresh_from_db()
    assert signup.state == "attended"
    assert PointEntry.objects.filter(household=account.household).count() == 1
    add = client.get("/community/manage/activities/add/")
    assert add.status_code == 200
    assert client.get("/community/manage/points/").status_code == 200
    spend = client.post(
        "/community/manage/points/spend/",
        {"household": account.household.pk, "points": 5, "reason": "兑换"},
    )
    assert spend.status_code == 302
    assert actions.balance(account.household_id) == 5
    assert client.get("/community/manage/notices/add/").status_code == 200
