"""The business districts in a real browser under the strict CSP: the 商圈办 opens the
dashboard (this year's sales against 100 亿, the charts drawn by ECharts, no console error),
follows the sales figure to its rows, and opens the first-store register. Screenshots go to
test-output/screenshots/."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

LOGIN_BUTTON = ".login-box form button[type=submit]"


def log_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click(LOGIN_BUTTON)
    assert page.locator("#id_username").count() == 0, f"login as {username} failed"


def test_the_district_office_dashboard(demo_data, open_page, screenshot_dir):
    from django.utils import timezone

    from streetbrain.demo import districts as districts_demo

    districts_demo.load(demo_data, scale=0.02, today=timezone.localdate())
    page, problems = open_page("zh-CN")
    log_in(page, "districts", demo_data.password)
    page.goto("/districts/")
    assert "100.00 亿元" in page.locator("#dis-kpis").inner_text()
    for chart in ("monthly", "levels", "categories", "complexes"):
        page.wait_for_selector(f"[data-chart={chart}] canvas")
    page.screenshot(path=str(screenshot_dir / "districts-dashboard.png"), full_page=True)
    with page.expect_navigation():
        page.click("#dis-sales")
    assert page.locator("#dis-sales-sum").count() == 1
    page.goto("/districts/first-stores/")
    assert "全球首店" in page.locator("#dis-levels").inner_text()
    problems.check()
