"""一图通览: the map page and its scoped GeoJSON layers."""

from __future__ import annotations

import math

import pytest
from django.test import Client

from streetbrain.cases.intake.actions import submit_report
from streetbrain.cases.intake.pipeline import ReportInput
from streetbrain.core import extension_points as ep
from streetbrain.core.maps import basemaps, gcj02, layers
from streetbrain.registry.models import Building

EAST = (121.61, 29.865)  # 东城社区第1网格
RIVER = (121.63, 29.865)  # 江城社区第1网格
GARBAGE = "路边有暴露垃圾，好几袋生活垃圾没人清运，已经发臭了"
NOISE = "楼下饭店晚上唱歌喝酒声音很大，噪声扰民，影响休息"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def get(client, name, **params):
    return client.get(f"/api/map/layers/{name}/", params)


def report(lon, lat, text=GARBAGE, cls="matter:06010"):
    return submit_report(
        ReportInput(channel="gridworker", description=text, lon=lon, lat=lat, requested_class=cls)
    ).case


@pytest.fixture
def world(case_world):
    cases = [
        report(*EAST),
        report(EAST[0] + 0.004, EAST[1] + 0.002, NOISE, "matter:06028"),
        report(*RIVER),
    ]
    Building.objects.create(
        code="33021201400101001",
        name="东城大厦",
        address="宁穿路1号",
        kind="office",
        org_unit=case_world["east_grid"],
        lon=EAST[0],
        lat=EAST[1],
    )
    return {**case_world, "cases": cases}


def test_the_leader_sees_every_layer_and_the_page(world):
    leader = world["users"]["leader"]
    client = client_for(leader)
    names = {layer["name"] for layer in client.get("/api/map/layers/").json()["layers"]}
    assert {"street", "communities", "grids", "buildings", "cases", "shops"} <= names
    page = client.get("/map/")
    assert page.status_code == 200
    html = page.content.decode()
    for name in names:
        assert f'value="{name}"' in html
    assert "vendor/leaflet/leaflet.js" in html and "streetbrain/map.js" in html


def test_the_street_outline_is_marked_as_a_sketch(world):
    data = get(client_for(world["users"]["leader"]), "street").json()
    assert data["type"] == "FeatureCollection"
    (feature,) = data["features"]
    assert feature["properties"]["code"] == "330212014"
    assert feature["properties"]["schematic"] is True
    assert feature["geometry"]["type"] == "Polygon"


def test_grid_cells_carry_their_open_case_counts_and_follow_the_users_scope(world):
    leader = get(client_for(world["users"]["leader"]), "grids").json()
    counts = {f["properties"]["code"]: f["properties"]["open_cases"] for f in leader["features"]}
    assert counts == {
        "33021201400101": 2,
        "33021201400102": 0,
        "33021201400201": 1,
        "33021201400202": 0,
    }
    # A grid worker sees their own cell only.
    mine = get(client_for(world["users"]["gridworker"]), "grids").json()
    assert [f["properties"]["code"] for f in mine["features"]] == ["33021201400101"]


def test_area_counts_come_from_the_stored_figures_once_they_exist(world):
    """At a district's scale the area layers read the key figures (refreshed every 15
    minutes) instead of counting millions of rows; before the first refresh they count."""
    from streetbrain.core.figures import refresh_key_figures
    from streetbrain.core.models import KeyFigure

    refresh_key_figures()
    client = client_for(world["users"]["leader"])
    counts = {f["properties"]["code"]: f["properties"]["open_cases"]
              for f in get(client, "grids").json()["features"]}  # fmt: skip
    assert counts["33021201400101"] == 2 and counts["33021201400201"] == 1
    KeyFigure.objects.filter(org_unit__code="33021201400101", key="cases_open").update(value=7)
    counts = {f["properties"]["code"]: f["properties"]["open_cases"]
              for f in get(client, "grids").json()["features"]}  # fmt: skip
    assert counts["33021201400101"] == 7  # the stored figure, not a count


def test_area_outlines_far_from_the_view_are_not_sent(world):
    from shapely.geometry import shape

    from streetbrain.core.models import OrgUnit

    for unit in OrgUnit.objects.filter(level="grid"):  # as the demo and imports keep them
        polygon = shape(unit.geometry)
        OrgUnit.objects.filter(pk=unit.pk).update(
            centroid_lon=polygon.centroid.x, centroid_lat=polygon.centroid.y, area_m2=250_000
        )
    client = client_for(world["users"]["leader"])
    everything = {f["properties"]["code"] for f in get(client, "grids").json()["features"]}
    assert len(everything) == 4
    near_east = f"{EAST[0] - 0.001},{EAST[1] - 0.001},{EAST[0] + 0.001},{EAST[1] + 0.001}"
    near = {f["properties"]["code"]
            for f in get(client, "grids", bbox=near_east, zoom=17).json()["features"]}  # fmt: skip
    assert "33021201400101" in near
    far = get(client, "grids", bbox="100.0,20.0,100.01,20.01", zoom=17).json()
    assert far["features"] == []


def test_cases_are_points_close_up_and_bins_from_afar(world):
    client = client_for(world["users"]["leader"])
    close = get(client, "cases", zoom=18).json()
    assert close["aggregated"] is False
    numbers = sorted(f["properties"]["number"] for f in close["features"])
    assert numbers == sorted(c.number for c in world["cases"])
    assert all(f["properties"]["url"].startswith("/cases/") for f in close["features"])
    far = get(client, "cases", zoom=12).json()
    assert far["aggregated"] is True
    assert sum(f["properties"]["count"] for f in far["features"]) == 3
    assert far["bin_degrees"] == pytest.approx(layers.bin_size(12))
    # At zoom 12 a bin is about 4 km wide: the whole test street falls into one or two.
    assert 1 <= len(far["features"]) <= 2


def test_the_bbox_and_the_filters_narrow_the_cases(world):
    client = client_for(world["users"]["leader"])
    east_only = get(client, "cases", zoom=18, bbox="121.60,29.86,121.62,29.88").json()
    assert len(east_only["features"]) == 2
    noise = get(client, "cases", zoom=18, **{"class": "06028"}).json()
    assert [f["properties"]["title"][:4] for f in noise["features"]] == [NOISE[:4]]
    river = get(client, "cases", zoom=18, community="330212014002").json()
    assert len(river["features"]) == 1
    history = get(client, "cases", zoom=18, history="1").json()
    assert history["aggregated"] is True  # history is always a density
    assert sum(f["properties"]["count"] for f in history["features"]) == 3


def test_a_grid_worker_sees_only_the_cases_of_their_cell(world):
    data = get(client_for(world["users"]["gridworker"]), "cases", zoom=18).json()
    assert len(data["features"]) == 2


@pytest.mark.parametrize(
    "params, field",
    [
        ({"bbox": "121.6,29.8"}, "bbox"),
        ({"bbox": "121.7,29.8,121.6,29.9"}, "bbox"),
        ({"zoom": "x"}, "zoom"),
        ({"since": "2026-13-01"}, "since"),
        ({"coords": "bd09"}, "coords"),
    ],
)
def test_bad_parameters_are_refused_with_a_message(world, params, field):
    response = get(client_for(world["users"]["leader"]), "cases", **params)
    assert response.status_code == 400
    assert field in response.json()


def test_unknown_layers_anonymous_users_and_missing_permissions(world, make_user):
    client = client_for(world["users"]["leader"])
    assert get(client, "nonsense").status_code == 404
    assert get(Client(), "cases").status_code in (401, 403)
    nobody = make_user("nobody", unit=world["street"])
    assert get(client_for(nobody), "cases").status_code == 403
    assert client_for(nobody).get("/map/").status_code == 403


def test_buildings_are_features_with_their_page_and_osm_attribution(world):
    data = get(client_for(world["users"]["leader"]), "buildings").json()
    (feature,) = data["features"]
    building = Building.objects.get()
    assert feature["properties"]["name"] == "东城大厦"
    assert feature["properties"]["kind"] == "office" and data["kinds"]["office"]
    assert data["url"].replace("{id}", str(feature["properties"]["id"])) == (
        building.get_absolute_url()
    )
    assert data["attribution"] == "© OpenStreetMap contributors"
    assert feature["geometry"]["type"] == "Point"  # no footprint: a point at every zoom


def test_more_buildings_in_view_than_points_come_as_bins(world, monkeypatch):
    from streetbrain.registry import maplayers

    Building.objects.create(
        code="33021201400101002", name="东城二号楼", address="宁穿路2号", kind="office",
        org_unit=world["east_grid"], lon=EAST[0] + 0.001, lat=EAST[1],
    )  # fmt: skip
    monkeypatch.setattr(maplayers, "MAX_POINTS", 1)
    data = get(client_for(world["users"]["leader"]), "buildings", zoom=12).json()
    assert data["aggregated"] is True
    assert sum(f["properties"]["count"] for f in data["features"]) == 2


def test_facilities_are_bins_from_afar_and_points_with_their_class_close_up(world):
    from streetbrain.registry.models import ComponentClass, Facility

    cover = ComponentClass.objects.get(kind="component", code="01001")
    for i in range(5):
        Facility.objects.create(
            object_id=f"33021201400101{i:03d}",
            component_class=cover,
            lon=EAST[0] + i * 1e-4,
            lat=EAST[1],
            org_unit=world["east_grid"],
        )
    client = client_for(world["users"]["leader"])
    far = get(client, "facilities", zoom=13).json()
    assert far["aggregated"] is True
    assert [f["properties"]["count"] for f in far["features"]] == [5]
    close = get(client, "facilities", zoom=18).json()
    assert close["aggregated"] is False and len(close["features"]) == 5
    assert {f["properties"]["class"] for f in close["features"]} == {"01001"}
    assert close["classes"]["01001"]["name"] == cover.name


def test_no_layer_draws_residents(world):
    assert not any("resident" in layer.key for layer in ep.items(ep.MapLayer))


def test_gcj02_shifts_points_about_half_a_kilometre_here_and_nothing_abroad():
    lon, lat = gcj02.from_wgs84(*EAST)
    dx = (lon - EAST[0]) * 111_320 * math.cos(math.radians(EAST[1]))
    dy = (lat - EAST[1]) * 110_540
    assert 400 < math.hypot(dx, dy) < 600  # domain.md: ≈ 490 m off in Eastern New Town
    assert gcj02.from_wgs84(2.35, 48.85) == (2.35, 48.85)  # Paris: unchanged
    square = {"type": "Polygon", "coordinates": [[[121.6, 29.86], [121.61, 29.86], [121.6, 29.87]]]}
    shifted = gcj02.geometry_from_wgs84(square)
    assert shifted["coordinates"][0][0] == [round(v, 7) for v in gcj02.from_wgs84(121.6, 29.86)]


def test_layers_follow_the_base_maps_datum(world):
    client = client_for(world["users"]["leader"])
    plain = get(client, "cases", zoom=18, bbox="121.60,29.86,121.62,29.88").json()
    shifted = get(client, "cases", zoom=18, bbox="121.60,29.86,121.62,29.88", coords="gcj02").json()
    a = {f["properties"]["number"]: f["geometry"]["coordinates"] for f in plain["features"]}
    b = {f["properties"]["number"]: f["geometry"]["coordinates"] for f in shifted["features"]}
    for number, (lon, lat) in a.items():
        assert [round(v, 6) for v in gcj02.from_wgs84(lon, lat)] == b[number]


def test_base_maps_and_their_image_hosts():
    assert basemaps.config("none")["layers"] == []
    assert basemaps.config("tianditu")["kind"] == "none"  # no key, no tiles
    tianditu = basemaps.config("tianditu", tianditu_key="k")
    assert tianditu["datum"] == "wgs84" and len(tianditu["layers"]) == 2
    assert "https://t0.tianditu.gov.cn" in basemaps.image_hosts(tianditu)
    amap = basemaps.config("amap")
    assert amap["datum"] == "gcj02"
    assert basemaps.image_hosts(amap) == [f"https://webrd0{i}.is.autonavi.com" for i in "1234"]
    xyz = basemaps.config("xyz", xyz_url="https://tiles.example.org/{z}/{x}/{y}.png")
    assert basemaps.image_hosts(xyz) == ["https://tiles.example.org"]


def test_the_history_comes_from_precomputed_densities_and_matches_the_cases(world):
    from streetbrain.cases import density
    from streetbrain.cases.models import CaseDensity

    assert density.refresh() == CaseDensity.objects.count() > 0
    rows = sorted(CaseDensity.objects.values_list("month", "bx", "by", "cases"))
    assert density.refresh() == len(rows)  # idempotent
    assert sorted(CaseDensity.objects.values_list("month", "bx", "by", "cases")) == rows
    client = client_for(world["users"]["leader"])
    for zoom in (12, 13.5, 15):
        data = get(client, "cases", zoom=zoom, history="1").json()
        assert data["precomputed"] is True
        assert sum(f["properties"]["count"] for f in data["features"]) == 3
    mine = get(client_for(world["users"]["gridworker"]), "cases", zoom=13, history="1").json()
    assert sum(f["properties"]["count"] for f in mine["features"]) == 2
    river = get(client, "cases", zoom=13, history="1", community="330212014002").json()
    assert sum(f["properties"]["count"] for f in river["features"]) == 1
    # A department sees only what was dispatched to it: counted live, not from the densities.
    handler = get(client_for(world["users"]["handler"]), "cases", zoom=13, history="1").json()
    assert "precomputed" not in handler
    assert sum(f["properties"]["count"] for f in handler["features"]) == 0


def test_the_densities_task_and_command(world):
    from io import StringIO

    from django.core.management import call_command

    from streetbrain.cases.models import CaseDensity
    from streetbrain.cockpit.tasks import refresh_density

    assert refresh_density() == CaseDensity.objects.count() > 0
    out = StringIO()
    call_command("cockpit", "refresh", "--all", stdout=out)
    assert str(CaseDensity.objects.count()) in out.getvalue()


def test_the_map_page_offers_the_case_states_as_a_filter(world):
    html = client_for(world["users"]["leader"]).get("/map/").content.decode()
    assert '<select name="state">' in html and 'value="verifying"' in html
    data = get(client_for(world["users"]["leader"]), "cases", zoom=18, state="closed").json()
    assert data["features"] == []


def test_office_towers_carry_the_last_complete_months_occupancy_and_tax(world):
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from streetbrain.economy.models import MonthlyFigure, OfficeBuilding

    building = Building.objects.get()
    tower = OfficeBuilding.objects.create(building=building, grade="a")
    this_month = timezone.localdate().replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    for month, occupancy, tax in ((last_month, 0.9, "120000000"), (this_month, 0.1, "1")):
        MonthlyFigure.objects.create(
            scope="building", key=building.code, month=month, building=tower,
            unit_path=building.org_unit.path, occupancy_rate=occupancy,
            tax_total_12m=Decimal(tax),
        )  # fmt: skip
    (feature,) = get(client_for(world["users"]["leader"]), "buildings").json()["features"]
    props = feature["properties"]
    assert props["occupancy"] == 0.9 and props["tax_12m"] == 120000000.0
    assert props["figures_month"] == last_month.isoformat()[:7]


def test_a_gcj02_maps_view_is_read_in_gcj02(world):
    """A map drawn in GCJ-02 sends its view (bbox) in GCJ-02: a close view around where a case
    is drawn finds it, though its stored WGS-84 point lies about 500 m away."""
    lon, lat = gcj02.from_wgs84(*EAST)
    assert gcj02.to_wgs84(lon, lat) == pytest.approx(EAST, abs=1e-9)
    bbox = f"{lon - 0.001},{lat - 0.001},{lon + 0.001},{lat + 0.001}"
    client = client_for(world["users"]["leader"])
    shifted = get(client, "cases", zoom=18, bbox=bbox, coords="gcj02").json()
    assert [f["geometry"]["coordinates"] for f in shifted["features"]] == [
        [round(lon, 6), round(lat, 6)]
    ]
    assert get(client, "cases", zoom=18, bbox=bbox).json()["features"] == []
