"""Bookings of the 城市综合服务体: the opening slots on the calendar, who may book, the weekly
limit, no double booking (the database's unique constraint: sequentially on any database, 200
concurrent attempts on PostgreSQL), the API's 409 with the slot that is taken, check-in by
the door's QR code, no-shows and the bar after three, the usage report."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, connections, transaction

from streetbrain.community import actions, rules, usage
from streetbrain.community.models import Booking, Space
from streetbrain.core.worktime import SHANGHAI

from .community_helpers import (
    bulk_verified_accounts,
    jiangcheng_fixture,  # noqa: F401
    next_slot,
    verified_account,
)


@pytest.fixture
def residents(jiangcheng):
    zhang = verified_account(jiangcheng, jiangcheng["zhang"], "13700000011")
    li = verified_account(jiangcheng, jiangcheng["li"], "13700000012")
    return {**jiangcheng, "zhang_user": zhang.user, "li_user": li.user}


@pytest.mark.django_db
def test_slots_follow_the_calendar(jiangcheng):
    reading, theatre = jiangcheng["spaces"]["阅览室"], jiangcheng["spaces"]["剧场"]
    national_day = dt.date(2026, 10, 1)  # a public holiday of the State Council's notice
    assert rules.slots(reading, national_day) == []
    saturday = dt.date(2026, 12, 5)
    assert len(rules.slots(reading, saturday)) == 13  # 08:00–21:00, hourly
    assert rules.slots(theatre, saturday) == []  # working days only
    assert rules.is_slot(reading, dt.datetime(2026, 12, 5, 9, tzinfo=SHANGHAI))
    assert not rules.is_slot(reading, dt.datetime(2026, 12, 5, 9, 30, tzinfo=SHANGHAI))


@pytest.mark.django_db
def test_the_second_resident_is_told_the_slot_is_taken(residents):
    reading = residents["spaces"]["阅览室"]
    start = next_slot(reading)
    first = actions.book(reading, start, residents["zhang_user"])
    with pytest.raises(actions.SlotTaken) as taken:
        actions.book(reading, start, residents["li_user"])
    assert taken.value.booking == first
    assert Booking.objects.filter(space=reading, start=start).count() == 1
    actions.cancel(first, residents["zhang_user"])  # a cancelled slot is free again
    again = actions.book(reading, start, residents["li_user"])
    assert again.household == residents["household2"]


@pytest.mark.django_db
def test_the_database_refuses_a_second_live_booking_of_a_slot(residents):
    reading = residents["spaces"]["阅览室"]
    start = next_slot(reading)
    actions.book(reading, start, residents["zhang_user"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(space=reading, start=start, end=start + dt.timedelta(hours=1))


@pytest.mark.django_db
def test_rules_who_how_many_and_when(residents):
    reading = residents["spaces"]["阅览室"]
    elderly, theatre = residents["spaces"]["长者活动室"], residents["spaces"]["剧场"]
    zhang, li = residents["zhang_user"], residents["li_user"]
    start = next_slot(reading, days_ahead=1)
    with pytest.raises(PermissionDenied):  # 张伟's household has nobody aged 60+
        actions.book(elderly, next_slot(elderly), zhang)
    actions.book(elderly, next_slot(elderly), li)  # 李秀兰, born 1950
    with pytest.raises(PermissionDenied):
        actions.book(theatre, next_slot(theatre), zhang)
    with pytest.raises(ValidationError):  # not a slot
        actions.book(reading, start + dt.timedelta(minutes=30), zhang)
    with pytest.raises(ValidationError):  # past
        actions.book(reading, next_slot(reading, days_ahead=-2), zhang)
    with pytest.raises(ValidationError):  # too far ahead
        actions.book(reading, next_slot(reading, days_ahead=30), zhang)
    with pytest.raises(ValidationError):
        actions.book(reading, start, zhang, people=41)
    # Two bookings per household and week; the third in the same week is refused.
    monday = start.date() + dt.timedelta(days=7 - start.date().weekday())
    slot = dt.datetime.combine(monday, dt.time(9), tzinfo=SHANGHAI)
    actions.book(reading, slot, zhang)
    actions.book(reading, slot + dt.timedelta(hours=1), zhang)
    with pytest.raises(ValidationError) as limit:
        actions.book(reading, slot + dt.timedelta(hours=2), zhang)
    assert "2" in str(limit.value)


@pytest.mark.django_db
def test_check_in_at_the_door_and_no_shows(residents):
    reading = residents["spaces"]["阅览室"]
    zhang = residents["zhang_user"]
    start = next_slot(reading)
    booking = actions.book(reading, start, zhang)
    with pytest.raises(ValidationError):  # too early
        actions.check_in_at_door(reading.checkin_code, zhang, now=start - dt.timedelta(hours=1))
    actions.check_in_at_door(reading.checkin_code, zhang, now=start + dt.timedelta(minutes=5))
    booking.refresh_from_db()
    assert booking.state == "checked_in"
    late = actions.book(reading, start + dt.timedelta(hours=2), zhang)
    assert actions.mark_no_shows(now=late.start + dt.timedelta(minutes=10)) == 0
    assert actions.mark_no_shows(now=late.start + dt.timedelta(minutes=16)) == 1
    late.refresh_from_db()
    assert late.state == "no_show"


@pytest.mark.django_db
def test_three_no_shows_bar_the_household_for_two_weeks(residents):
    reading = residents["spaces"]["阅览室"]
    household = residents["household"]
    base = next_slot(reading, days_ahead=-10)
    for i in range(3):
        Booking.objects.create(
            space=reading,
            start=base + dt.timedelta(days=i),
            end=base + dt.timedelta(days=i, hours=1),
            household=household,
            state="no_show",
        )
    with pytest.raises(ValidationError) as barred:
        actions.book(reading, next_slot(reading), residents["zhang_user"])
    assert "3" in str(barred.value)


@pytest.mark.django_db
def test_usage_report_counts_per_space_and_month(residents):
    reading = residents["spaces"]["阅览室"]
    start = next_slot(reading)
    a = actions.book(reading, start, residents["zhang_user"])
    b = actions.book(reading, start + dt.timedelta(hours=1), residents["li_user"])
    actions.cancel(b, residents["li_user"])
    month = start.astimezone(SHANGHAI).date().replace(day=1)
    rows = usage.report(Space.objects.filter(pk=reading.pk), Booking.objects.all(), month, month)
    assert len(rows) == 1
    row = rows[0]
    assert (row.booked, row.cancelled) == (1, 1)
    assert row.offered == usage.offered_slots(reading, month) > 300
    assert a.state == "booked"


@pytest.mark.django_db
def test_api_books_and_answers_409_with_the_conflicting_slot(residents, api_client):
    reading = residents["spaces"]["阅览室"]
    start = next_slot(reading)
    api_client.force_authenticate(residents["zhang_user"])
    body = {"space": reading.pk, "start": start.isoformat(), "people": 2}
    first = api_client.post("/api/community/bookings/", body, format="json")
    assert first.status_code == 201, first.content
    api_client.force_authenticate(residents["li_user"])
    clash = api_client.post("/api/community/bookings/", body, format="json")
    assert clash.status_code == 409
    assert clash.json()["conflict"]["booking"] == first.json()["id"]
    assert clash.json()["conflict"]["start"].startswith(start.strftime("%Y-%m-%dT%H:%M"))
    listed = api_client.get("/api/community/bookings/").json()
    assert listed["count"] == 0  # 李's household has none; 张's is not theirs to see
    assert api_client.get("/api/community/facilities/").json()["count"] == 4
    bad = api_client.post("/api/community/bookings/", {**body, "start": "x"}, format="json")
    assert bad.status_code == 400
    api_client.force_authenticate(residents["staff"])
    assert api_client.get("/api/community/bookings/").json()["count"] == 1


@pytest.mark.django_db
def test_the_booking_page_says_the_slot_is_taken(residents, client):
    reading = residents["spaces"]["阅览室"]
    start = next_slot(reading)
    actions.book(reading, start, residents["zhang_user"])
    client.force_login(residents["li_user"])
    page = client.post(
        f"/community/spaces/{reading.pk}/", {"start": start.isoformat(), "people": 1}
    )
    assert page.status_code == 409
    assert "book-error" in page.content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_200_concurrent_attempts_give_exactly_one_booking(jiangcheng):
    accounts = bulk_verified_accounts(jiangcheng, 200)
    reading = jiangcheng["spaces"]["阅览室"]
    start = next_slot(reading, days_ahead=2)
    threads_n = 40  # 40 connections, 5 attempts each: PostgreSQL allows 100 in all
    barrier = threading.Barrier(threads_n)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(batch):
        barrier.wait()
        try:
            for account in batch:
                try:
                    actions.book(reading, start, account.user)
                    result = "booked"
                except actions.SlotTaken:
                    result = "taken"
                except Exception as exc:  # counted, then asserted
                    result = f"error: {exc!r}"
                with lock:
                    outcomes.append(result)
        finally:
            connections.close_all()

    batches = [accounts[i::threads_n] for i in range(threads_n)]
    threads = [threading.Thread(target=attempt, args=(b,)) for b in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == 200
    assert outcomes.count("booked") == 1, [o for o in outcomes if o.startswith("error")][:3]
    assert outcomes.count("taken") == 199
    assert Booking.objects.filter(space=reading, start=start).count() == 1


@pytest.mark.services
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_the_weekly_limit_holds_for_simultaneous_bookings_of_different_slots(
    jiangcheng, monkeypatch
):
    """Two members of one household book two different slots at once: the slot constraint
    lets both through, so only the household's row lock keeps the weekly limit. The check is
    slowed down so that, without the lock, both requests would count zero bookings before
    either writes (the test then fails: two bookings)."""
    import time

    account = bulk_verified_accounts(jiangcheng, 1)[0]
    reading = jiangcheng["spaces"]["阅览室"]
    reading.weekly_limit = 1
    reading.save()
    first = next_slot(reading, days_ahead=2, hour=9)
    starts = [first, first + dt.timedelta(hours=2)]
    original = actions._check_household_rules

    def slow_check(*args, **kwargs):
        original(*args, **kwargs)
        time.sleep(0.5)

    monkeypatch.setattr(actions, "_check_household_rules", slow_check)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(start):
        barrier.wait()
        try:
            actions.book(reading, start, account.user)
            outcomes.append("booked")
        except ValidationError as exc:
            outcomes.append("refused" if "week" in str(exc) or "周" in str(exc) else repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(s,)) for s in starts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["booked", "refused"], outcomes
    assert Booking.objects.filter(household=account.household).count() == 1
