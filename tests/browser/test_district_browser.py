"""A district leader drills from 鄞州区 to a grid cell in a real browser: the district's page
lists its streets side by side with their figures (each a link to its rows), the street's its
communities, the community's its grid cells. The small test demo has one street."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

LOGIN_BUTTON = ".login-box form button[type=submit]"
BELOW = "section.card:has(h2:has-text('下级单位')) tbody tr"


def log_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click(LOGIN_BUTTON)
    assert page.locator("#id_username").count() == 0, "still on the login form"


def shoot(page, screenshot_dir, name: str) -> None:
    page.screenshot(path=str(screenshot_dir / f"district-{name}.png"), full_page=True)


def _open_first_below(page) -> str:
    row = page.locator(BELOW).first
    name = row.locator("td").nth(1).inner_text()
    with page.expect_navigation():
        row.locator("td").first.locator("a").click()
    return name


def test_district_leader_drills_to_a_grid(demo_data, open_page, live_server, screenshot_dir):
    from streetbrain.core.models import OrgUnit

    district = OrgUnit.objects.get(level="district", name="鄞州区")
    page, problems = open_page("zh-CN")
    log_in(page, "district", demo_data.password)
    assert "鄞州区" in page.locator("main h1").inner_text()

    page.goto(district.get_absolute_url())
    rows = page.locator(BELOW)
    assert rows.count() == 1  # the test demo's one street
    headers = page.locator("section.card:has(h2:has-text('下级单位')) thead").inner_text()
    for label in ("实有人口", "近12个月结案率", "近12个月按期结案率", "在营企业"):
        assert label in headers, label
    residents = rows.first.locator("a[href*='/registry/residents/?unit=']")
    assert residents.inner_text() not in ("", "—")  # the street's residents, precomputed
    shoot(page, screenshot_dir, "district")

    street = _open_first_below(page)
    assert page.locator("h1").inner_text().endswith(street)
    community = _open_first_below(page)
    assert community.endswith("社区")
    grid = _open_first_below(page)
    assert "网格" in grid
    assert page.locator(".crumbs").inner_text().startswith("宁波市 › 鄞州区 › " + street)
    shoot(page, screenshot_dir, "grid")

    # A figure leads to its rows: the street's residents.
    page.goto(district.get_absolute_url())
    with page.expect_navigation():
        page.locator(BELOW).first.locator("a[href*='/registry/residents/?unit=']").click()
    assert "/registry/residents/" in page.url
    assert page.locator("#object-table tbody tr").count() >= 1
    problems.check()
