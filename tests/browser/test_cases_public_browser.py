"""The phone pages in a real browser at a phone's viewport, under the strict CSP: a citizen
reports a problem (marking the place with a tap on the map), corrects what the server refused,
gets the tracking number and opens the tracking page; a grid worker's page takes the phone's
position by itself, shows how far each task is, and verifies one on site. Any console error or
failed request fails the test."""

from __future__ import annotations

import re

import pytest

# Waits go through Playwright's own matchers: ``wait_for_function`` polls by evaluating its
# string in the page, which the page's CSP (no 'unsafe-eval') refuses whenever the condition
# is not already true at the first check.
expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser

PHONE_VIEWPORT = {"width": 390, "height": 844}
LOGIN_BUTTON = ".login-box form button[type=submit]"
GARBAGE = "路边有暴露垃圾，好几袋生活垃圾没人清运，已经发臭了"
GRID_PATHS = "#report-map path.leaflet-interactive"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@pytest.fixture
def street(tree, settings, tmp_path):
    from django.core.cache import cache

    settings.CASES_HOME_UNIT = tree["street"].code
    settings.CASES_CLASSIFIER_MODEL = str(tmp_path / "no-model.joblib")  # the reporter chooses
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()  # no rate-limit counts from other tests
    return tree


def phone_page(open_page, live_server):
    page, problems = open_page("zh-CN")
    page.set_viewport_size(PHONE_VIEWPORT)
    return page, problems


def shoot(page, screenshot_dir, name: str) -> None:
    page.screenshot(path=str(screenshot_dir / f"public-{name}.png"), full_page=True)


def tap_grid_cell(page, index: int) -> None:
    """Tap the middle of the index-th grid cell drawn on the map (0 is the street outline;
    the cells follow in the order of their codes)."""
    page.wait_for_selector(GRID_PATHS, state="attached")
    box = page.locator(GRID_PATHS).nth(index).bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def test_citizen_reports_with_a_map_tap_and_follows_the_report(
    street, open_page, live_server, screenshot_dir
):
    from streetbrain.cases.models import Case, Report, State

    page, problems = phone_page(open_page, live_server)
    page.goto("/report/")
    assert (page.get_attribute("html", "lang") or "").startswith("zh")
    # The page fits a phone: nothing wider than the screen.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_VIEWPORT["width"], f"the page is {width}px wide on a phone"
    page.select_option("#id_category", "matter:06010")
    page.fill("#id_description", GARBAGE)
    tap_grid_cell(page, 1)  # 东城社区第1网格
    lon, lat = float(page.input_value("#id_lon")), float(page.input_value("#id_lat"))
    assert 121.60 < lon < 121.62 and 29.86 < lat < 29.87, (lon, lat)
    assert page.locator("#location-status").inner_text().strip()
    assert page.locator(GRID_PATHS).count() == 6  # the street, 4 cells and the marker
    page.fill("#id_name", "王女士")
    page.fill("#id_phone", "12345")  # not a phone number: the server refuses it
    page.check("#id_consent")
    with page.expect_navigation():
        page.click("#report-submit")
    assert page.locator("#field-phone .error").count() == 1
    assert Case.objects.count() == 0
    shoot(page, screenshot_dir, "report-errors")
    # What was entered survives the round trip, the point is drawn again.
    assert float(page.input_value("#id_lon")) == pytest.approx(lon)
    assert float(page.input_value("#id_lat")) == pytest.approx(lat)
    page.wait_for_selector(f"{GRID_PATHS} >> nth=5", state="attached")
    assert page.input_value("#id_description") == GARBAGE and page.is_checked("#id_consent")
    page.fill("#id_phone", "13800138000")
    shoot(page, screenshot_dir, "report-form")
    with page.expect_navigation():
        page.click("#report-submit")

    report = Report.objects.select_related("case").get()
    code = page.locator("#tracking-code").inner_text().strip()
    assert UUID.match(code) and code == str(report.token)
    assert report.case.org_unit == street["east_grid"] and report.case.state == State.VERIFYING
    assert report.phone_masked == "138****8000"
    assert page.get_attribute("#tracking-link", "href") == f"/report/track/{code}/"
    shoot(page, screenshot_dir, "report-thanks")
    # The copy button copies (or, without clipboard access, selects) the number.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    before = page.locator("[data-copy-target]").inner_text()
    page.click("[data-copy-target]")
    expect(page.locator("[data-copy-target]")).not_to_have_text(before, timeout=10_000)
    assert page.evaluate("navigator.clipboard.readText()") == code

    with page.expect_navigation():
        page.click("#tracking-link")
    assert page.locator("#state-text").inner_text().strip()
    assert page.locator("#timeline li").count() == 1
    assert "13800138000" not in page.content() and "王女士" not in page.content()
    shoot(page, screenshot_dir, "report-track")
    assert Case.objects.count() == 1
    problems.check()


def test_grid_worker_page_locates_the_phone_and_verifies_a_task(
    street, make_user, open_page, live_server, screenshot_dir
):
    from streetbrain.cases.intake.actions import submit_report
    from streetbrain.cases.intake.pipeline import ReportInput
    from streetbrain.cases.models import State
    from tests.conftest import PASSWORD

    make_user("grid", role="gridworker", unit=street["east_grid"])
    case = submit_report(
        ReportInput(
            channel="citizen",
            description=GARBAGE,
            lon=121.612,
            lat=29.866,
            requested_class="matter:06010",
        )
    ).case

    page, problems = phone_page(open_page, live_server)
    page.context.set_geolocation({"longitude": 121.61, "latitude": 29.865, "accuracy": 12})
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.goto("/accounts/login/?next=/report/grid/")
    page.fill("#id_username", "grid")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click(LOGIN_BUTTON)
    assert page.url.endswith("/report/grid/"), page.url

    # The phone's position fills the report's point and the tasks' distances by itself.
    expect(page.locator("#id_lon")).not_to_have_value("", timeout=10_000)
    assert float(page.input_value("#id_lon")) == pytest.approx(121.61)
    card = page.locator(f"#case-{case.pk}")
    expect(card.locator(".distance")).to_have_text(re.compile(r"\d"), timeout=10_000)
    assert re.search(r"\d+", card.locator(".distance").inner_text())
    shoot(page, screenshot_dir, "grid-page")

    card.locator("textarea[name=note]").fill("现场属实")
    with page.expect_navigation():
        card.locator("button[value=verify]").click()
    case.refresh_from_db()
    assert case.state == State.REPORTED
    assert page.locator(".msg-success").count() == 1
    assert page.locator(f"#case-{case.pk}").count() == 0
    problems.check()
