"""项目为王 in a real browser under the strict CSP: the project office (the demo's ``projects``
account) creates a key project, adds an indicator through the project page's HTMX panel,
reports a month's value, and sees the project's light with its reason on the board.
Screenshots go to test-output/screenshots/."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

LOGIN_BUTTON = ".login-box form button[type=submit]"
PASSWORD = "streetbrain-demo"


@pytest.fixture
def accounts(transactional_db):
    """Only the demo's org tree, departments and accounts: the project is made in the test."""
    from streetbrain.demo import core as demo
    from streetbrain.demo.context import DemoContext

    demo.load(DemoContext(password=PASSWORD))


def test_the_office_creates_a_project_adds_an_indicator_value_and_sees_the_light(
    accounts, browser, live_server, screenshot_dir
):
    from django.utils import timezone

    from streetbrain.core.models import User
    from streetbrain.projects import status
    from streetbrain.projects.models import IndicatorReport, Project

    leader = User.objects.get(username="leader")
    year = timezone.localdate().year
    last_month = timezone.localdate().replace(day=1)
    last_month = (last_month - timezone.timedelta(days=1)).replace(day=1)

    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto("/accounts/login/")
    page.fill("#id_username", "projects")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click(LOGIN_BUTTON)

    page.goto("/projects/")
    with page.expect_navigation():
        page.click("#project-add")
    page.fill("#id_code", "lyfn")
    page.fill("#id_name", "楼宇赋能提维")
    page.select_option("#id_kind", "economy")
    page.select_option("#id_leader", str(leader.pk))
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    page.screenshot(path=str(screenshot_dir / "projects-created.png"), full_page=True)
    project = Project.objects.get(code="lyfn")
    assert page.url.endswith(project.get_absolute_url())

    # The indicator's form opens in the page's panel (HTMX), and saving reloads the page.
    page.click("text=添加指标")
    page.wait_for_selector("#action-panel #id_name")
    page.fill("#action-panel #id_name", "首店引进")
    page.fill("#action-panel #id_unit", "家")
    page.fill("#action-panel #id_target", "12")
    with page.expect_navigation():
        page.click("#action-panel button[type=submit]")
    assert "首店引进" in page.inner_text("#project-indicators")

    # A month's value, reported for the office's approval.
    page.click("details summary")  # 填报月报
    page.select_option("#id_indicator", label="楼宇赋能提维 · 首店引进")
    page.fill("#id_month", last_month.strftime("%Y-%m"))
    page.fill("#id_value", "2")
    with page.expect_navigation():
        page.click("details form button")
    report = IndicatorReport.objects.get(indicator__project=project)
    assert report.value == 2 and report.month == last_month
    page.screenshot(path=str(screenshot_dir / "projects-project.png"), full_page=True)

    # The board: the project with its light and why (nothing approved yet, the year goes on).
    page.goto(f"/projects/?year={year}")
    row = page.locator("#project-board tr", has_text="楼宇赋能提维")
    assert row.count() == 1
    expected = status.project_status(project, leader, timezone.localdate())
    assert row.get_attribute("data-light") == expected.light
    assert row.locator(".light").first.is_visible()
    if expected.light != "green":  # the reason names the indicator behind (not before spring)
        assert "首店引进" in row.locator(".reasons").inner_text()
    page.screenshot(path=str(screenshot_dir / "projects-board.png"), full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e]
    context.close()
