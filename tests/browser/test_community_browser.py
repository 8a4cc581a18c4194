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


def test_resident_takes_part_earns_points_votes_and_reports_a_street_lamp(
    jiangcheng, open_page, settings, tmp_path, live_server, screenshot_dir
):
    """The rest of the path at a phone's size: an activity's sign-up, the points its
    attendance earns (marked by the staff), a vote, and a broken street lamp reported from the
    account that the grid worker then verifies on their phone page."""
    from django.utils import timezone

    from streetbrain.cases.models import Case
    from streetbrain.community.models import Activity, Consultation, ConsultationOption

    settings.CASES_HOME_UNIT = jiangcheng["street"].code
    settings.CASES_CLASSIFIER_MODEL = str(tmp_path / "no-model.joblib")  # the reporter chooses
    verified_account(jiangcheng, jiangcheng["zhang"], "13755556666")
    now = timezone.now()
    activity = Activity.objects.create(
        title="楼道清洁志愿行动",
        kind="volunteer",
        starts=now + dt.timedelta(days=1),
        ends=now + dt.timedelta(days=1, hours=2),
        place="江城1幢",
        capacity=10,
        points=10,
        volunteer_hours=2,
        org_unit=jiangcheng["river_grid"],
    )
    consultation = Consultation.objects.create(
        question="是否增设充电棚？",
        opens=now - dt.timedelta(days=1),
        closes=now + dt.timedelta(days=5),
        org_unit=jiangcheng["river_grid"],
    )
    yes = ConsultationOption.objects.create(consultation=consultation, text="赞成", position=0)
    ConsultationOption.objects.create(consultation=consultation, text="反对", position=1)

    page, problems = phone(open_page)
    page.goto("/community/login/")
    page.fill("#id_phone", "13755556666")
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url("**/community/")

    # Sign up for the activity.
    page.click("#activities-link")
    page.locator(f"#activity-{activity.pk} .activity-join").click()
    expect(page.locator(f"#activity-{activity.pk} .signup-state")).to_be_visible()

    # It takes place; the staff mark the household as attended: 10 points and 2 hours.
    Activity.objects.filter(pk=activity.pk).update(
        starts=now - dt.timedelta(hours=1), ends=now + dt.timedelta(hours=1)
    )
    desk, desk_problems = open_page("zh-CN")
    staff_login(desk, "jc-staff")
    desk.goto(f"/community/manage/activities/{activity.pk}/")
    desk.locator("#signups button[value=yes]").click()
    expect(desk.locator("#signups")).to_contain_text("已出席")
    page.goto("/community/points/")
    expect(page.locator("#points-balance")).to_have_text("10")

    # Vote in the consultation.
    page.goto("/community/consultations/")
    page.locator(f"#consultation-{consultation.pk} input[name=option][value='{yes.pk}']").check()
    page.locator(f"#consultation-{consultation.pk} .vote-submit").click()
    expect(page.locator(f"#consultation-{consultation.pk} .voted")).to_be_visible()

    # Report a broken street lamp from the account; it is placed at the resident's building.
    page.goto("/community/")
    page.click("#report-link")
    page.select_option("#id_category", "matter:01037")
    page.fill("#id_description", "1幢楼下的路灯坏了，晚上不亮")
    page.click("#resident-report-submit")
    page.wait_for_url("**/community/reports/")
    case = Case.objects.get()
    assert case.state == "verifying" and case.org_unit == jiangcheng["river_grid"]
    expect(page.locator("#my-reports")).to_contain_text(case.number)
    page.screenshot(path=str(screenshot_dir / "community-report.png"), full_page=True)

    # The grid worker of 江城's grid verifies it on their phone page.
    grid, grid_problems = phone(open_page)
    grid.context.set_geolocation({"longitude": 121.63, "latitude": 29.865, "accuracy": 12})
    grid.context.grant_permissions(["geolocation"], origin=live_server.url)
    grid.goto("/accounts/login/?next=/report/grid/")
    grid.fill("#id_username", "jc-grid")
    grid.fill("#id_password", PASSWORD)
    with grid.expect_navigation():
        grid.click(LOGIN_BUTTON)
    card = grid.locator(f"#case-{case.pk}")
    card.locator("textarea[name=note]").fill("现场属实，路灯不亮")
    with grid.expect_navigation():
        card.locator("button[value=verify]").click()
    case.refresh_from_db()
    assert case.state == "reported" and grid.locator(".msg-success").count() == 1
    page.goto("/community/reports/")
    expect(page.locator("#my-reports .report-state")).not_to_have_text("")

    for p in (problems, desk_problems, grid_problems):
        p.check()


def test_resident_proposes_a_question_and_requests_a_repair_on_a_phone(
    jiangcheng, case_world, open_page, settings, tmp_path, screenshot_dir
):
    """A resident proposes a question at a phone's size; the staff put it to the vote on the
    workbench; the resident finds it among the consultations. A repair requested from the
    services page becomes a case of the street, followed on the same page. The staff's life
    circle page draws its map."""
    from streetbrain.community.models import Proposal, Service, ServiceRequest

    settings.CASES_HOME_UNIT = jiangcheng["street"].code
    settings.CASES_CLASSIFIER_MODEL = str(tmp_path / "no-model.joblib")
    Service.objects.create(
        name="公共设施报修",
        category="convenience",
        org_unit=jiangcheng["river_grid"],
        handling="case",
    )
    verified_account(jiangcheng, jiangcheng["zhang"], "13766667777")
    page, problems = phone(open_page)
    page.goto("/community/login/")
    page.fill("#id_phone", "13766667777")
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url("**/community/")

    page.click("#proposals-link")
    page.fill("#id_question", "2幢北侧是否增设快递柜？")
    page.fill("#id_options", "赞成\n不赞成")
    page.click("#proposal-submit")
    page.wait_for_url("**/community/proposals/")
    expect(page.locator("#my-proposals .proposal-proposed")).to_have_count(1)
    page.screenshot(path=str(screenshot_dir / "community-proposal.png"), full_page=True)
    proposal = Proposal.objects.get()

    desk, desk_problems = open_page("zh-CN")
    staff_login(desk, "jc-staff")
    desk.goto(f"/community/manage/proposals/{proposal.pk}/")
    desk.select_option("#id_decision", "accept")
    desk.click("#review-submit")
    proposal.refresh_from_db()
    assert proposal.state == "accepted" and proposal.consultation is not None
    desk.goto("/community/manage/lifecircle/")
    expect(desk.locator("#lifecircle-map .leaflet-interactive").first).to_be_attached()
    desk.screenshot(path=str(screenshot_dir / "community-lifecircle.png"), full_page=True)

    page.goto("/community/proposals/")
    page.locator("#my-proposals .proposal-accepted a").click()
    expect(page.locator(f"#consultation-{proposal.consultation_id} .vote-form")).to_be_visible()

    page.goto("/community/services/")
    form = page.locator(".service-form").first
    form.locator("textarea[name=note]").fill("1幢二楼楼道灯不亮")
    form.locator("button").click()
    page.wait_for_url("**/community/services/")
    req = ServiceRequest.objects.get()
    assert req.state == "filed"
    expect(page.locator("#my-requests")).to_contain_text(req.report.case.number)
    page.screenshot(path=str(screenshot_dir / "community-service-case.png"), full_page=True)
    for p in (problems, desk_problems):
        p.check()
