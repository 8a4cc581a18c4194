"""一图通览 in a real browser: the leader opens the map, every layer loads and toggles, a
click on a feature opens its popup with a link, filters reload the layers; no console error
or failed request on the way."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

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

    from streetbrain.cases.intake.actions import submit_report
    from streetbrain.cases.intake.pipeline import ReportInput
    from streetbrain.core.models import OrgUnit

    settings.CASES_CLASSIFIER_MODEL = str(case_model_path)
    grids = OrgUnit.objects.filter(level="grid", geometry__isnull=False).order_by("code")[:3]
    for grid in grids:
        point = shape(grid.geometry).representative_point()
        submit_report(
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

    from streetbrain.cases.evaluation import stats
    from streetbrain.cases.intake.actions import submit_report
    from streetbrain.cases.intake.pipeline import ReportInput
    from streetbrain.cases.models import Case
    from streetbrain.core.figures import refresh_key_figures
    from streetbrain.core.models import OrgUnit

    settings.CASES_CLASSIFIER_MODEL = str(case_model_path)
    for grid in OrgUnit.objects.filter(level="grid", geometry__isnull=False).order_by("code")[:6]:
        point = shape(grid.geometry).representative_point()
        submit_report(
            ReportInput(
                channel="gridworker",
                description="人行道上井盖破损，行人容易踩空，存在安全隐患",
                lon=point.x,
                lat=point.y,
                requested_class="component:01001",
            )
        )
    refresh_key_figures()
    stats.refresh_recent()

    page, problems = open_page("zh-CN")
    log_in(page, "leader", demo_data.password)
    page.goto("/cockpit/")
    page.wait_for_selector("#chart-community svg")
    feed = page.locator("[data-panel=feed] .feed li")  # the cases' panel of new reports
    assert feed.count() == 6
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
    assert feed.count() == 6
    assert not page.locator("nav.sidebar").is_visible()
    page.screenshot(path=str(screenshot_dir / "leader-cockpit-wall.png"))
    # The feed polls its panel (/cockpit/feed/) through HTMX: a new report shows up in it.
    grid = OrgUnit.objects.filter(level="grid", geometry__isnull=False).order_by("-code").first()
    point = shape(grid.geometry).representative_point()
    submit_report(
        ReportInput(
            channel="citizen",
            description="小区门口的路灯不亮了，晚上很黑",
            lon=point.x,
            lat=point.y,
        )
    )
    expect(feed).to_have_count(7, timeout=25_000)

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


def _zoom(url: str) -> float:
    from urllib.parse import parse_qs, urlsplit

    return float(parse_qs(urlsplit(url).query).get("zoom", ["0"])[0])


def _unique_shop():
    """A shop whose name no other place of the demo shares, with its own position."""
    from collections import Counter

    from streetbrain.registry.models import Shop

    shops = list(Shop.objects.filter(lon__isnull=False).order_by("pk").values("name", "lon", "lat"))
    counts = Counter(s["name"] for s in shops)
    return next(s for s in shops if counts[s["name"]] == 1)


def test_leader_finds_a_shop_with_its_layer_off_and_flies_to_it(
    demo_data, open_page, screenshot_dir
):
    shop = _unique_shop()
    page, problems = open_page("zh-CN")
    log_in(page, "leader", demo_data.password)
    page.goto("/map/")
    page.wait_for_selector("#onemap path.leaflet-interactive", state="attached")
    assert not page.locator("input[name=layer][value=shops]").is_checked()

    box = page.locator("#onemap-q")
    with page.expect_response(lambda r: "/api/map/search/" in r.url and r.status == 200):
        box.fill(shop["name"])
    options = page.locator("#onemap-results [role=option]")
    options.first.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    names = page.locator("#onemap-results .onemap-result-name").all_inner_texts()
    assert shop["name"] in names
    index = names.index(shop["name"])
    assert "沿街店铺" in options.nth(index).inner_text()  # its kind, translated
    shoot(page, screenshot_dir, "leader", "map-search-results")

    # Keyboard: arrows move the active option, Escape closes, Enter chooses.
    for _ in range(index + 1):
        box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == f"onemap-result-{index}"
    assert options.nth(index).get_attribute("aria-selected") == "true"
    box.press("Escape")
    assert page.locator("#onemap-results").is_hidden()
    assert box.get_attribute("aria-expanded") == "false"
    box.press("ArrowDown")  # opens the list again
    options.first.wait_for()
    for _ in range(index + 1):
        box.press("ArrowDown")
    # Choosing flies there: the point layers reload for the view at zoom 17 or more.
    with page.expect_response(lambda r: "/api/map/layers/cases/" in r.url and _zoom(r.url) >= 17):
        box.press("Enter")
    popup = page.locator(".leaflet-popup-content .onemap-popup")
    popup.wait_for()
    assert popup.locator("h4").inner_text() == shop["name"]
    assert "沿街店铺" in popup.inner_text()
    assert "/registry/shops/" in popup.locator("a").get_attribute("href")
    assert page.locator("#onemap-results").is_hidden()
    marker = page.locator("#onemap path.onemap-found").bounding_box()
    frame = page.locator("#onemap").bounding_box()
    assert frame["x"] < marker["x"] < frame["x"] + frame["width"]
    assert frame["y"] < marker["y"] < frame["y"] + frame["height"]
    shoot(page, screenshot_dir, "leader", "map-search-chosen")
    problems.check()


def test_the_search_falls_back_to_the_names_on_the_map(demo_data, open_page):
    from streetbrain.core.models import OrgUnit

    grid = OrgUnit.objects.filter(level="grid", geometry__isnull=False).order_by("code").first()
    page, problems = open_page("zh-CN")
    log_in(page, "leader", demo_data.password)
    page.route("**/api/map/search/**", lambda route: route.abort())
    page.goto("/map/")
    page.wait_for_selector("#onemap path.leaflet-interactive", state="attached")
    page.wait_for_load_state("networkidle")  # the grid cells are on the map
    page.fill("#onemap-q", grid.name)
    page.locator("#onemap-results [role=option]").first.wait_for()
    names = page.locator("#onemap-results .onemap-result-name").all_inner_texts()
    assert grid.name in names
    page.press("#onemap-q", "Enter")
    page.wait_for_selector(".leaflet-popup-content .onemap-popup")
    # The refused search requests were ours; nothing else may have failed.
    problems.items = [p for p in problems.items if "/api/map/search/" not in p]
    problems.check()


def test_the_javascript_gcj02_shift_is_the_servers(demo_data, open_page):
    from streetbrain.core.maps import gcj02

    page, problems = open_page("zh-CN")
    log_in(page, "leader", demo_data.password)
    page.goto("/map/")
    page.wait_for_selector("#onemap path.leaflet-interactive", state="attached")
    points = [(121.61, 29.865), (116.397, 39.908), (87.6, 43.8), (113.26, 23.13), (2.35, 48.85)]
    for lon, lat in points:
        js = page.evaluate("([x, y]) => window.StreetBrainMap.gcj02FromWgs84(x, y)", [lon, lat])
        py = gcj02.from_wgs84(lon, lat)
        assert js == pytest.approx(py, abs=1e-9), (lon, lat)
    problems.check()


def test_a_link_to_a_point_lands_on_it_on_a_gcj02_base_map(demo_data, open_page, monkeypatch):
    """``?at=`` is WGS-84; on a GCJ-02 base map (高德) the link's marker must sit where the
    server draws the same shop (shifted by about 500 m), not half a kilometre away."""
    from streetbrain.cockpit import views

    # 高德's datum without its tiles (the tests reach no tile server).
    monkeypatch.setattr(views, "basemap", lambda: {"kind": "amap", "datum": "gcj02", "layers": []})
    shop = _unique_shop()
    page, problems = open_page("zh-CN")
    log_in(page, "leader", demo_data.password)
    with page.expect_response(
        lambda r: "/api/map/layers/shops/" in r.url and "coords=gcj02" in r.url
    ):
        page.goto(f"/map/?at={shop['lon']},{shop['lat']},18&layers=shops")
    page.wait_for_selector("#onemap path.onemap-at", state="attached")
    page.wait_for_load_state("networkidle")
    centres = page.eval_on_selector_all(
        "#onemap path.leaflet-interactive:not(.onemap-at)",
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return [r.x + r.width / 2, r.y + r.height / 2, r.width]; })",
    )
    # The shops' markers: Leaflet empties the paths outside the view (a zero-size box), and
    # the street's outline (kept on to frame the map) is large.
    centres = [(x, y) for x, y, width in centres if 0 < width < 30]
    box = page.locator("#onemap path.onemap-at").bounding_box()
    at = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert centres, "no shop is drawn in the view around the link's point"
    nearest = min(((x - at[0]) ** 2 + (y - at[1]) ** 2) ** 0.5 for x, y in centres)
    assert nearest < 2, f"the link's marker is {nearest:.0f} px from the shop"
    problems.check()
