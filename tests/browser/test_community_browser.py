"""The residents' community site in a real browser at a phone's viewport (the "Done when" path
of issue 18, as far as it is built): a resident signs up with the code shown on screen (the
demo's SMS gateway), verifies against the registry, the community staff confirm on the
workbench, the resident books the reading room, a second resident who had the same slot open is
told it is taken, and the staff see the day's bookings and the scenario indicators. Any console
error or failed request fails the test (the 409 of the clash is expected and filtered)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.community_helpers import (
    jiangcheng_fixture,  # noqa: F401
    next_slot,
    resident_id_tail,
    verified_account,
)
from tests.conftest import PASSWORD

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser

PHONE_VIEWPORT = {"width": 390, "height": 844}
LOGIN_BUTTON = ".login-box form button[type=submit]"


def phone(open_page):
    page, problems = open_page("zh-CN")
    page.set_viewport_size(PHONE_VIEWPORT)
    return page, problems


def staff_login(page, username):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click(LOGIN_BUTTON)


def test_resident_signs_up_is_verified_and_books_the_reading_room(
    jiangcheng, open_page, screenshot_dir
):
    from streetbrain.community.models import Booking, ResidentAccount

    zhang = jiangcheng["zhang"]
    reading = jiangcheng["spaces"]["阅览室"]
    start = next_slot(reading, days_ahead=1, hour=10)

    # 1. Sign up on a phone: the demo's gateway shows the code on the page, and says so.
    page, problems = phone(open_page)
    page.goto("/community/")
    page.click("#signup-link")
    page.fill("#id_p-phone", "13722223333")
    page.click("#send-code")
    expect(page.locator("#demo-code")).to_be_visible()
    code = page.locator("#shown-code").inner_text()
    page.fill("#id_code", code)
    page.fill("#id_password", PASSWORD)
    page.click("#signup-submit")
    page.wait_for_url("**/community/verify/")

    # 2. Verify against the registry: name, the ID number's last 6, the house.
    page.fill("#id_name", zhang.name)
    page.fill("#id_id_tail", resident_id_tail(zhang))
    page.select_option("#id_building", str(zhang.house.building_id))
    page.fill("#id_number", zhang.house.number)
    page.click("#claim-submit")
    expect(page.locator("#pending")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "community-pending.png"), full_page=True)

    # 3. The community staff confirm it on the workbench (a desktop browser).
    desk, desk_problems = open_page("zh-CN")
    staff_login(desk, "jc-staff")
    desk.goto("/community/manage/accounts/?state=pending")
    desk.locator("#object-table a").first.click()
    desk.select_option("#id_decision", "approve")
    desk.click("#decide-submit")
    account = ResidentAccount.objects.get(phone_masked="137****3333")
    assert account.state == "verified"

    # 4. A second resident (李秀兰, verified) opens the same day of the reading room first.
    verified_account(jiangcheng, jiangcheng["li"], "13744445555")
    other, other_problems = phone(open_page)
    other.goto("/community/login/")
    other.fill("#id_phone", "13744445555")
    other.fill("#id_password", PASSWORD)
    other.click("#login-submit")
    other.wait_for_url("**/community/")
    other.goto(f"/community/spaces/{reading.pk}/?day={start.date()}")

    # 5. The first resident books 10:00.
    page.goto("/community/")
    expect(page.locator("#my-house")).to_contain_text(zhang.house.number)
    page.click("#book-link")
    page.locator(".space-link[data-kind=reading]").click()
    page.select_option("#day", start.date().isoformat())
    page.locator("form.day-picker button").click()
    page.locator(".slot-book[data-start='10:00']").click()
    page.wait_for_url("**/community/bookings/")
    expect(page.locator(".booking").first).to_contain_text("阅览室")
    page.screenshot(path=str(screenshot_dir / "community-booked.png"), full_page=True)
    assert Booking.objects.filter(space=reading, start=start, household=zhang.household).exists()

    # 6. The second resident tries the same slot: told it is taken (409), nothing booked.
    other.locator(".slot-book[data-start='10:00']").click()
    expect(other.locator("#book-error")).to_be_visible()
    expect(other.locator(".slot-taken")).to_have_count(1)
    other.screenshot(path=str(screenshot_dir / "community-taken.png"), full_page=True)
    assert Booking.objects.filter(space=reading, start=start).count() == 1
    other_problems.items = [p for p in other_problems.items if "409" not in p]  # the clash

    # 7. The staff see the day's bookings and the scenario indicators.
    today = dt.datetime.now(start.tzinfo).replace(hour=20, minute=0, second=0, microsecond=0)
    Booking.objects.create(
        space=reading,
        start=today,
        end=today + dt.timedelta(hours=1),
        household=jiangcheng["household2"],
        purpose="阅读会",
    )
    desk.goto("/community/manage/")
    expect(desk.locator("#today-bookings tbody tr")).to_have_count(1)
    expect(desk.locator("#indicators tbody tr")).to_have_count(7)
    desk.screenshot(path=str(screenshot_dir / "community-workbench.png"), full_page=True)

    for p in (problems, desk_problems, other_problems):
        p.check()
