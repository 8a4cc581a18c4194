"""The case pages in a real browser under the strict CSP: a 受理员 registers a 12345 hotline
transfer on the intake form (picking the place on the map), lands on the new case's page
(its map drawn), and accepts it through the HTMX action form."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

LOGIN_BUTTON = ".login-box form button[type=submit]"

GARBAGE = "路边有暴露垃圾，好几袋生活垃圾没人清运，已经发臭了"


def log_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click(LOGIN_BUTTON)
    assert page.locator("#id_username").count() == 0, f"login as {username} failed"


def shoot(page, screenshot_dir, username: str, name: str) -> None:
    page.screenshot(path=str(screenshot_dir / f"{username}-{name}.png"), full_page=True)


def test_acceptor_registers_a_hotline_report(
    demo_data, open_page, live_server, screenshot_dir, settings, case_model_path, tmp_path
):
    from shapely.geometry import shape

    from streetbrain.cases.models import Case, CaseEvent, State
    from streetbrain.core.models import OrgUnit

    settings.CASES_CLASSIFIER_MODEL = str(case_model_path)
    settings.MEDIA_ROOT = tmp_path
    grid = OrgUnit.objects.filter(level="grid", geometry__isnull=False).order_by("code").first()
    inside = shape(grid.geometry).representative_point()

    page, problems = open_page("zh-CN")
    log_in(page, "acceptor", demo_data.password)
    page.goto("/cases/new/")
    page.wait_for_selector("#pick-map .leaflet-interactive", state="attached")
    # A click on the map fills the point in.
    page.locator("#pick-map").click()
    assert page.input_value("#id_lon") and page.input_value("#id_lat"), "the map set no point"
    # … and typed coordinates (a known point inside a grid cell) move it.
    page.fill("#id_lon", f"{inside.x:.6f}")
    page.fill("#id_lat", f"{inside.y:.6f}")
    page.check("input[name=channel][value=hotline]")
    page.fill("#id_external_id", "GD2026112700017")
    page.fill("#id_reporter_name", "王女士")
    page.fill("#id_phone", "13912345678")
    page.fill("#id_description", GARBAGE)
    shoot(page, screenshot_dir, "acceptor", "case-intake")
    with page.expect_navigation():
        page.click("#intake-form button[type=submit]")

    case = Case.objects.get()
    assert page.url.endswith(case.get_absolute_url()), page.url
    assert case.state == State.VERIFYING and case.org_unit == grid
    report = case.reports.get()
    assert report.external_id == "GD2026112700017" and report.phone_masked == "139****5678"
    assert case.number in page.locator(".msg-success").inner_text()
    page.wait_for_selector("#case-map .leaflet-interactive", state="attached")
    assert "139****5678" in page.locator("#reports").inner_text()
    shoot(page, screenshot_dir, "acceptor", "case-page")

    # 受理 through the HTMX form: the fragment loads, the post reloads the page.
    page.click("#case-actions [data-action=accept]")
    page.wait_for_selector("#action-panel #action-form[data-action=accept] textarea")
    page.fill("#action-panel textarea", "热线转办，已电话回访")
    shoot(page, screenshot_dir, "acceptor", "case-accept-form")
    with page.expect_navigation():
        page.click("#action-panel button[type=submit]")
    case.refresh_from_db()
    assert case.state == State.ACCEPTED
    event = case.events.get(action=CaseEvent.Action.ACCEPT)
    assert event.note == "热线转办，已电话回访"
    assert "热线转办，已电话回访" in page.locator("#timeline").inner_text()
    # The list shows the case; the header links to the notifications.
    page.goto("/cases/")
    assert case.number in page.locator("#object-table").inner_text()
    assert page.locator("#notif-link").count() == 1
    shoot(page, screenshot_dir, "acceptor", "case-list")
    problems.check()
