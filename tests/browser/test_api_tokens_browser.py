"""我的API令牌 in a real browser: from the menu, make a token, see its key once, use it, revoke
it; no console errors, no failed same-origin requests."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

PASSWORD = "browser-token-test"


def log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click(".login-box form button[type=submit]")
    assert page.locator("#id_username").count() == 0, "still on the login form"


def shoot(page, screenshot_dir, name: str) -> None:
    page.screenshot(path=str(screenshot_dir / f"leader1-{name}.png"), full_page=True)


def test_make_use_and_revoke_a_token(
    transactional_db, tree, make_user, open_page, live_server, screenshot_dir
):
    user = make_user("leader1", role="leader", unit=tree["street"])
    user.set_password(PASSWORD)
    user.save()
    page, problems = open_page("zh-CN")
    log_in(page, "leader1")

    with page.expect_navigation():
        page.click("#nav-api_tokens")
    assert page.locator("h1").inner_text().startswith("我的API令牌")
    page.fill("#id_name", "浏览器测试")
    with page.expect_navigation():
        page.click("#new-token-form button[type=submit]")
    key = page.locator("#new-token-key").inner_text().strip()
    assert key.startswith("sb_") and len(key) == 43
    shoot(page, screenshot_dir, "api-tokens-made")

    me = live_server.url + "/api/core/users/me/"
    used = page.request.get(me, headers={"Authorization": f"Token {key}"})
    assert used.status == 200 and used.json()["username"] == "leader1"

    page.goto("/accounts/tokens/")
    assert page.locator("#new-token-key").count() == 0, "the key shows again"
    row = page.locator("#api-tokens tbody tr", has_text="浏览器测试")
    assert key[:10] in row.inner_text()
    with page.expect_navigation():
        row.locator("a").click()
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "已吊销" in page.locator(".messages").inner_text()
    assert "浏览器测试" not in page.locator("#api-tokens").inner_text()
    assert page.request.get(me, headers={"Authorization": f"Token {key}"}).status == 401
    shoot(page, screenshot_dir, "api-tokens-revoked")

    problems.check()
