"""The residents' site and the workbench through the test client: the sign-up with the code
on screen, verification, booking with the clash message, the staff's queue, workbench, usage
report and QR codes; and who may open what."""

from __future__ import annotations

import pytest

from streetbrain.community import actions
from streetbrain.community.models import Booking, ResidentAccount

from .community_helpers import jiangcheng_fixture, next_slot, resident_id_tail, verified_account  # noqa: F401
from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_sign_up_verify_and_confirm_through_the_pages(jiangcheng, client):
    page = client.get("/community/")
    assert page.status_code == 200 and "/community/signup/" in page.content.decode()
    sent = client.post("/community/signup/", {"p-phone": "13711112222", "send": "1"})
    body = sent.content.decode()
    assert sent.status_code == 200 and 'id="demo-code"' in body
    code = body.split('id="shown-code">')[1][:6]
    wrong = client.post(
        "/community/signup/", {"phone": "13711112222", "code": "x", "password": PASSWORD}
    )
    assert wrong.status_code == 400
    done = client.post(
        "/community/signup/", {"phone": "13711112222", "code": code, "password": PASSWORD}
    )
    assert done.status_code == 302 and done["Location"] == "/community/verify/"
    zhang = jiangcheng["zhang"]
    form = {
        "name": zhang.name,
        "id_tail": "000000",
        "building": zhang.house.building_id,
        "number": zhang.house.number,
    }
    refused = client.post("/community/verify/", form)
    assert refused.status_code == 400 and "claim-errors" in refused.content.decode()
    ok = client.post("/community/verify/", {**form, "id_tail": resident_id_tail(zhang)})
    assert ok.status_code == 302
    assert 'id="pending"' in client.get("/community/").content.decode()
    account = ResidentAccount.objects.get(state="pending")
    assert client.get("/community/spaces/").status_code == 302  # not yet verified

    staff = jiangcheng["staff"]
    client.force_login(staff)
    queue = client.get("/community/manage/accounts/?state=pending")
    assert queue.status_code == 200 and account.phone_masked in queue.content.decode()
    detail = client.get(f"/community/manage/accounts/{account.pk}/")
    assert 'id="decide"' in detail.content.decode()
    client.post(f"/community/manage/accounts/{account.pk}/decide/", {"decision": "approve"})
    account.refresh_from_db()
    assert account.state == "verified"

    client.force_login(account.user)
    home = client.get("/community/").content.decode()
    assert 'id="my-house"' in home and zhang.house.number in home
    household = client.get("/community/household/").content.decode()
    assert zhang.id_number_masked in household and resident_id_tail(zhang) not in household


def test_login_by_phone(jiangcheng, client):
    verified_account(jiangcheng, jiangcheng["zhang"], "13700000031")
    bad = client.post("/community/login/", {"phone": "13700000031", "password": "nope-nope"})
    assert bad.status_code == 400
    good = client.post("/community/login/", {"phone": "13700000031", "password": PASSWORD})
    assert good.status_code == 302


def test_booking_pages_and_the_workbench(jiangcheng, client):
    zhang = verified_account(jiangcheng, jiangcheng["zhang"], "13700000032")
    reading = jiangcheng["spaces"]["阅览室"]
    start = next_slot(reading)
    client.force_login(zhang.user)
    assert client.get("/community/spaces/").status_code == 200
    page = client.get(f"/community/spaces/{reading.pk}/?day={start.date()}")
    assert page.status_code == 200 and "slot-book" in page.content.decode()
    assert client.get(f"/community/spaces/{reading.pk}/?day=garbage").status_code == 200
    booked = client.post(
        f"/community/spaces/{reading.pk}/", {"start": start.isoformat(), "people": 1}
    )
    assert booked.status_code == 302
    assert Booking.objects.filter(household=zhang.household).count() == 1
    assert "阅览室" in client.get("/community/bookings/").content.decode()
    assert client.get("/community/manage/").status_code == 403  # residents: no workbench

    client.force_login(jiangcheng["staff"])
    bench = client.get("/community/manage/").content.decode()
    assert 'id="indicators"' in bench and 'id="today-bookings"' in bench
    assert client.get("/community/manage/usage/").status_code == 200
    assert client.get("/community/manage/bookings/").status_code == 200
    space_page = client.get(f"/community/manage/spaces/{reading.pk}/").content.decode()
    assert "<svg" in space_page and reading.checkin_code in space_page


def test_grid_worker_shows_a_qr_code_for_a_resident_of_their_grid(jiangcheng, client):
    client.force_login(jiangcheng["grid_worker"])
    page = client.get(f"/community/manage/residents/{jiangcheng['zhang'].pk}/qr/")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    assert (
        client.get(f"/community/manage/residents/{jiangcheng['east_resident'].pk}/qr/").status_code
        == 404
    )
    token = page.content.decode().split('id="qr-token" class="small">')[1].split("<")[0]
    sent = actions.send_code("13700000033")
    account = actions.sign_up("13700000033", sent.shown_code, PASSWORD, jiangcheng["river"])
    client.force_login(account.user)
    assert client.post("/community/verify/", {"token": token}).status_code == 302
    account.refresh_from_db()
    assert account.state == "pending"
