"""Smoke test in a real browser: log in as demo accounts, see the home page, the community list
and a community's map, with no console errors and no failed same-origin requests."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

COMMUNITY_ROWS = "#object-table tbody tr:has(a)"
MAP_PATHS = "#unit-map .leaflet-interactive"
LOGIN_BUTTON = ".login-box form button[type=submit]"


def log_in(page, username: str, password: str, home_url: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click(LOGIN_BUTTON)
    assert page.url == home_url, f"login as {username} landed on {page.url}, not the home page"
    assert page.locator("#id_username").count() == 0, "still on the login form"


def shoot(page, screenshot_dir, username: str, name: str) -> None:
    page.screenshot(path=str(screenshot_dir / f"{username}-{name}.png"), full_page=True)


@pytest.mark.parametrize("username", ["leader", "gridworker"])
def test_login_home_communities_map(username, demo_data, open_page, live_server, screenshot_dir):
    page, problems = open_page("zh-CN")

    log_in(page, username, demo_data.password, live_server.url + "/")
    lang = page.get_attribute("html", "lang") or ""
    assert lang.startswith("zh"), f"<html lang={lang!r}>"
    if username == "leader":
        assert "福明街道" in page.locator("main").inner_text()
    shoot(page, screenshot_dir, username, "home")

    page.goto("/core/communities/")
    rows = page.locator(COMMUNITY_ROWS)
    count = rows.count()
    if username == "gridworker":
        assert count == 1, f"gridworker sees {count} communities, expected exactly their own"
    else:
        assert count >= 1, "no community listed"
    shoot(page, screenshot_dir, username, "communities")

    with page.expect_navigation():
        rows.first.locator("a").first.click()
    assert "/core/org-units/" in page.url, page.url
    page.wait_for_selector(MAP_PATHS, state="attached")
    assert page.locator(MAP_PATHS).count() >= 1, "the community map drew no outline"
    shoot(page, screenshot_dir, username, "community")

    problems.check()


def test_login_page_in_english(open_page, live_server, screenshot_dir, transactional_db):
    page, problems = open_page("en-US")
    page.goto("/accounts/login/")
    assert (page.get_attribute("html", "lang") or "").startswith("en")
    assert page.locator(LOGIN_BUTTON).inner_text().strip() == "Log in"
    shoot(page, screenshot_dir, "anonymous", "login-en")
    problems.check()


def test_grid_worker_reveals_an_id_number(demo_data, open_page, live_server, screenshot_dir):
    """The registry in a real browser: the resident list, a resident's page with masked
    values, and a reveal through HTMX (under the strict CSP) that the change log records."""
    from streetbrain.core.models import ChangeLogEntry, User
    from streetbrain.registry.models import Resident

    grid = User.objects.get(username="gridworker").org_unit
    resident = Resident(name="测试居民", residence="registered", org_unit=grid)
    resident.set_id_number("34052419800101001X")
    resident.save()

    page, problems = open_page("zh-CN")
    log_in(page, "gridworker", demo_data.password, live_server.url + "/")
    page.goto("/registry/residents/")
    rows = page.locator(COMMUNITY_ROWS)
    assert rows.count() >= 1, "the grid worker sees no residents in their grid"
    with page.expect_navigation():
        rows.first.locator("a").first.click()
    masked = page.locator("#protected-id_number .masked").inner_text()
    assert "********" in masked, masked
    page.click("#protected-id_number button")
    page.wait_for_selector("#protected-id_number .revealed")
    revealed = page.locator("#protected-id_number .revealed").inner_text()
    assert len(revealed) == 18 and "*" not in revealed
    assert revealed[:6] == masked[:6] and revealed[-4:] == masked[-4:]
    shoot(page, screenshot_dir, "gridworker", "resident-revealed")
    assert ChangeLogEntry.objects.filter(action="reveal", user_name="gridworker").count() == 1
    problems.check()


def test_import_job_page_polls_until_done(
    demo_data, open_page, live_server, screenshot_dir, settings, tmp_path
):
    """An import job's page under the strict CSP: the progress bar polls with HTMX while the
    job runs, the report replaces it when the job is done, the polling stops, and "confirm"
    imports the checked file as a new job."""
    from streetbrain.core import importjobs
    from streetbrain.core.models import ImportJob, User

    settings.IMPORT_DIR = tmp_path
    user = User.objects.get(username="gridworker")
    rows = "\r\n".join(["户号,网格编码", *(f"BR-{i},{user.org_unit.code}" for i in range(4))])
    # A job as the import page creates it, whose task has not started yet.
    job = ImportJob.objects.create(
        spec_key="households",
        user=user,
        file_name=importjobs.keep_upload(rows.encode("utf-8")),
        original_name="households.csv",
        dry_run=True,
    )
    url = f"/registry/households/import/jobs/{job.pk}/"

    page, problems = open_page("zh-CN")
    log_in(page, "gridworker", demo_data.password, live_server.url + "/")
    polls = []
    page.on("request", lambda r: polls.append(r) if r.url.endswith(url) else None)
    page.goto(url)
    page.wait_for_selector("#import-job[hx-trigger] progress")

    ImportJob.objects.filter(pk=job.pk).update(status="running", total_rows=4, done_rows=2)
    page.wait_for_selector('#import-progress[max="4"][value="2"]')
    shoot(page, screenshot_dir, "gridworker", "import-job-running")

    ImportJob.objects.filter(pk=job.pk).update(status="queued", total_rows=0, done_rows=0)
    assert importjobs.run_job(job.pk) == "done"
    page.wait_for_selector("#import-preview")
    assert page.locator("[hx-trigger]").count() == 0
    shoot(page, screenshot_dir, "gridworker", "import-job-done")
    seen = len(polls)
    page.wait_for_timeout(2500)
    assert len(polls) == seen, "the page still polls after the job is done"

    with page.expect_navigation():
        page.click("#import-confirm button[type=submit]")
    page.wait_for_selector("#import-counts")
    real = ImportJob.objects.get(dry_run=False)
    assert real.status == "done" and real.written and page.url.endswith(f"/jobs/{real.pk}/")
    assert page.locator("a[href*='request_id=']").count() == 1
    problems.check()


def test_a_filter_no_query_can_take_shows_its_error_in_the_list(
    demo_data, open_page, live_server, screenshot_dir
):
    """HTMX swaps only 2xx answers: a refused filter comes back as the table with the error in
    it, which the page shows in place of the rows (issue 12)."""
    page, problems = open_page("zh-CN")
    log_in(page, "leader", demo_data.password, live_server.url + "/")
    page.goto("/cases/")
    page.fill("input[name=reported_at_after]", "0001-01-01")
    page.locator("input[name=reported_at_after]").dispatch_event("change")
    error = page.locator("#object-table .msg-error")
    error.wait_for()
    assert "1900-01-01" in error.inner_text() and "2199-12-31" in error.inner_text()
    shoot(page, screenshot_dir, "leader", "case-list-bad-filter")
    problems.check()
