"""The 15-minute life circle: walking minutes as straight line × the detour factor, the
nearest service per category for every house's building, coverage per circle and the gaps;
the categories and circles as the copied 未来社区 reference names them."""

from __future__ import annotations

from pathlib import Path

import pytest

from streetbrain.community import lifecircle
from streetbrain.registry.models import Place

from .community_helpers import jiangcheng_fixture  # noqa: F401

REFERENCE = (
    Path(__file__).resolve().parent.parent / "streetbrain/data/reference/future_community.yaml"
)


def test_walk_minutes_is_straight_line_times_the_detour():
    # 0.01° of latitude ≈ 1,112 m → × 1.3 / 75 m a minute ≈ 19.3 minutes
    assert lifecircle.walk_minutes(121.6, 29.86, 121.6, 29.87) == pytest.approx(19.27, abs=0.05)


@pytest.mark.django_db
def test_houses_get_their_nearest_services_and_the_gaps(jiangcheng, client):
    Place.objects.create(
        name="江城小学", kind="school", osm_ref="way/1", geometry={}, lon=121.632, lat=29.866
    )
    Place.objects.create(
        name="远处医院", kind="hospital", osm_ref="way/2", geometry={}, lon=121.70, lat=29.90
    )
    circle = lifecircle.compute(jiangcheng["river"])
    assert circle.houses == 2  # the two 江城 houses of one building (the east one is out)
    assert circle.compounds == 1  # 江城花园, as the registry names the building's compound
    b = circle.buildings[0]
    assert b.nearest["education"] < 5
    assert b.nearest["health"] > 15
    assert b.nearest["shopping"] is None
    cover = {row["key"]: row for row in circle.coverage()}
    assert cover["education"]["shares"] == [100.0, 100.0, 100.0] and not cover["education"]["gap"]
    assert cover["health"]["shares"][-1] == 0 and cover["health"]["gap"]
    client.force_login(jiangcheng["staff"])
    page = client.get("/community/manage/lifecircle/").content.decode()
    assert 'id="straight-line"' in page and "江城1幢" in page
    assert "<td>江城花园</td><td>江城1幢</td>" in page
    assert "1 个小区 1 栋楼共 2 套房屋" in page


def test_the_categories_are_the_references():
    yaml = pytest.importorskip("yaml")
    ref = yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))
    matrix = ref["framework_2023_一统三化九场景"]["public_service_matrix"]["一老一小"]
    assert set(lifecircle.NOT_LOCATED) == set(matrix)
    circles = [c["minutes"] for c in ref["creation_types"]["service_circles"]]
    assert set(circles) <= set(lifecircle.CIRCLES)


@pytest.mark.django_db
def test_the_map_data_has_the_buildings_the_services_near_and_the_reach(jiangcheng, client):
    Place.objects.create(
        name="江城小学", kind="school", osm_ref="way/1", geometry={}, lon=121.632, lat=29.866
    )
    Place.objects.create(
        name="远处医院", kind="hospital", osm_ref="way/2", geometry={}, lon=121.70, lat=29.90
    )
    circle = lifecircle.compute(jiangcheng["river"])
    data = lifecircle.map_data(jiangcheng["river"], circle)
    roles = [f["properties"]["role"] for f in data["features"]]
    assert roles.count("building") == 1
    services = {
        f["properties"]["name"] for f in data["features"] if f["properties"]["role"] == "service"
    }
    assert "江城小学" in services and "远处医院" not in services  # beyond any 15-minute reach
    building = next(f for f in data["features"] if f["properties"]["role"] == "building")
    assert building["properties"]["minutes"]["education"] < 5
    assert data["radius_m"] == round(15 * lifecircle.WALK_M_PER_MIN / lifecircle.DETOUR)
    client.force_login(jiangcheng["staff"])
    page = client.get("/community/manage/lifecircle/").content.decode()
    assert 'id="lifecircle-map"' in page and 'id="lifecircle-geojson"' in page
    assert "vendor/leaflet/leaflet.js" in page
