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
