"""The record linkage in a real browser: the linkage clerk opens the review queue, sees a
department's record beside the registry's resident with each field's contribution, and
decides that they are the same person; the record is then linked, by a clerk. Screenshots go
to test-output/screenshots/."""

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


def test_the_linkage_clerk_reviews_a_pair(demo_data, open_page, screenshot_dir):
    from streetbrain.demo import linkage as linkage_demo
    from streetbrain.linkage.models import StagedRecord

    linkage_demo.load(demo_data)
    rec = StagedRecord.objects.filter(state="review").order_by("-probability", "pk").first()
    if rec is None:  # the demo's noise decides how many there are: make one
        rec = StagedRecord.objects.filter(state="linked", how="auto").first()
        rec.state, rec.how = "review", ""
        rec.save()
    page, problems = open_page("zh-CN")
    log_in(page, "linkage", demo_data.password)
    page.goto("/linkage/review/")
    with page.expect_navigation():
        page.click(f"a[href='/linkage/records/{rec.pk}/']")
    assert "waterfall" in (page.locator("table.waterfall").get_attribute("class") or "")
    page.screenshot(path=str(screenshot_dir / "linkage-review.png"), full_page=True)
    with page.expect_navigation():
        page.click("button[name=outcome][value=match]")
    rec.refresh_from_db()
    assert rec.state == "linked" and rec.how == "clerk"
    problems.check()
