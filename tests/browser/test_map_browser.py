"""一图通览 in a real browser: the leader opens the map, every layer loads and toggles, a
click on a feature opens its popup with a link, filters reload the layers; no console error
or failed request on the way."""

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


def shoot(page, screenshot_dir, username: str, name: str) -> None:
    page.screenshot(path=str(screenshot_dir / f"{username}-{name}.png"), full_page=True)


def test_leader_opens_the_one_map_and_toggles_every_layer(
    demo_data, open_page, screenshot_dir, settings, case_model_path
):
    from shapely.geometry import shape

    from streetbrain.cases import actions
    from streetbrain.cases.intake import ReportInput
    from streetbrain.core.models import OrgUnit

    settings.CASES_CLASSIFIER_MODEL = str(case_model_path)
    grids = OrgUnit.objects.filter(level="grid", geometry__isnull=False).order_by("code")[:3]
    for grid in grids:
        point = shape(grid.geometry).representative_point()
        actions.submit_report(
            ReportInput(
                channel="gridworker",
                description="路边有暴露垃圾，好几袋生活垃圾没人清运",
                lon=point.x,
                lat=point.y,
                requested_class="matter:06010",
            )
        )

    page, problems = open_page("zh-CN")
    log_in(page, "leader", demo_data.password)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto("/map/")
    page.wait_for_selector("#onemap path.leaflet-interactive", state="attached")
    boxes = page.locator("input[name=layer]")
    names = [boxes.nth(i).get_attribute("value") for i in range(boxes.count())]
    assert {"street", "communities", "grids", "buildings", "cases", "shops"} <= set(names)
    for i in range(boxes.count()):
        box = boxes.nth(i)
        with page.expect_response(lambda r, n=names[i]: f"/api/map/layers/{n}/" in r.url):
            if box.is_checked():
                box.uncheck()
                box.check()
            else:
                box.check()
    page.wait_for_load_state("networkidle")
    shoot(page, screenshot_dir, "leader", "map-all-layers")

    # Off and on again: the layer leaves the map and comes back.
    grids_box = page.locator("input[name=layer][value=grids]")
    before = page.locator("#onemap path.leaflet-interactive").count()
    grids_box.uncheck()
    assert page.locator("#onemap path.leaflet-interactive").count() < before
    with page.expect_response(lambda r: "/api/map/layers/grids/" in r.url):
        grids_box.check()

    # A click on a case bin or marker opens its popup.
    page.locator("#onemap path.leaflet-interactive").last.click(force=True)
    page.wait_for_selector(".leaflet-popup-content .onemap-popup")
    page.wait_for_timeout(400)  # the popup fades in
    shoot(page, screenshot_dir, "leader", "map-popup")

    # A filter reloads the layers for that community only.
    with page.expect_response(lambda r: "community=" in r.url and "/layers/cases/" in r.url):
        page.select_option("select[name=community]", index=1)
    page.wait_for_load_state("networkidle")
    shoot(page, screenshot_dir, "leader", "map-community")
    problems.check()


def test_leader_opens_the_cockpit_and_its_wall_mode(
    demo_data, open_page, screenshot_dir, settings, case_model_path
):
    from shapely.geometry import shape

    from streetbrain.cases import actions, evaluation
    from streetbrain.cases.intake import ReportInput
    from streetbrain.cases.models import Case
    from streetbrain.core.actions import refresh_key_figures
    from streetbrain.core.models import OrgUnit

    settings.CASES_CLASSIFIER_MODEL = str(case_model_path)
    for grid in OrgUnit.objects.filter(level="grid", geometry__isnull=False).order_by("code")[:6]:
        point = shape(grid.geometry).representative_point()
        actions.submit_report(
            ReportInput(
                channel="gridworker",
                description="人行道上井盖破损，行人容易踩空，存在安全隐患",
                lon=point.x,
                lat=point.y,
                requested_class="component:01001",
            )
        )
    refresh_key_figures()
    evaluation.refresh_recent()

    page, problems = open_page("zh-CN")
    log_in(page, "leader", demo_data.password)
    page.goto("/cockpit/")
    page.wait_for_selector("#chart-community svg")
    page.wait_for_selector("#feed .feed li")  # the live feed arrived through HTMX
    assert page.locator("#feed .feed li").count() == 6
    cases = Case.objects.count()  # neighbouring cells' reports may merge (最多报一次)
    assert page.locator(".tile[data-key=today] .tile-value").inner_text() == str(cases)
    shoot(page, screenshot_dir, "leader", "cockpit")
    # Every tile links to the list behind it.
    with page.expect_navigation():
        page.click(".tile[data-key=today]")
    assert "/cases/" in page.url and "period=today" in page.url

    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto("/cockpit/?wall=1")
    page.wait_for_selector("#chart-class svg")
    page.wait_for_selector("#feed .feed li")
    assert not page.locator("nav.sidebar").is_visible()
    page.screenshot(path=str(screenshot_dir / "leader-cockpit-wall.png"))

    # 一表通查: the shops' table with their cases, a shop's page, the shop on the map.
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/registry/shops/?has_open_cases=false")
    page.wait_for_selector("table.table tbody tr")
    shoot(page, screenshot_dir, "leader", "shops-table")
    with page.expect_navigation():
        page.locator("table.table tbody tr td a").first.click()
    if page.locator("#shop-on-map").count():
        with page.expect_navigation():
            page.click("#shop-on-map")
        page.wait_for_selector("#onemap path.leaflet-interactive", state="attached")
        shoot(page, screenshot_dir, "leader", "shop-on-map")
    problems.check()
