"""The illustrative 福明街道 demo district: codes, topology, placement, determinism.

Plain pytest, no Django: run with ``-p no:django`` if no settings exist.
"""

import csv
import itertools
import json
import time

import pytest
import shapely

from streetbrain.core.geo import area_m2
from streetbrain.demo.synth.district import (
    BUILDING_COMMUNITY_NAME,
    DATA_DIR,
    LANDMARK_NAMES,
    PRECISION,
    STREET_CODE,
    build_demo_district,
    district_geojson,
    load_osm_features,
    load_yinzhou_outline,
)


@pytest.fixture(scope="module")
def district():
    return build_demo_district()


@pytest.fixture(scope="module")
def tolerance(district):
    # planar area (deg²) below which an overlap or a gap counts as zero
    return district.street.polygon.area * 1e-9


def communities_2016():
    with (DATA_DIR / "fuming" / "communities_2016.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_street(district):
    s = district.street
    assert s.code == STREET_CODE == "330212014"
    assert s.name == "福明街道"
    assert s.illustrative is True
    assert s.polygon.geom_type == "Polygon"
    assert 10e6 < area_m2(s.polygon) < 16e6


def test_communities_are_the_16_of_2016_plus_the_building_community(district):
    rows = communities_2016()
    assert len(rows) == 16
    names = [c.name for c in district.communities]
    assert len(district.communities) == 17
    assert sorted(names) == sorted([r["name"] for r in rows] + [BUILDING_COMMUNITY_NAME])
    by_name = {c.name: c for c in district.communities}
    for r in rows:
        c = by_name[r["name"]]
        assert c.code_2016 == r["code_2016"]
        assert c.code == "330212014" + r["code_2016"][-3:]
    max_suffix = max(int(r["code_2016"][-3:]) for r in rows)
    building = by_name[BUILDING_COMMUNITY_NAME]
    assert building.code_2016 is None
    assert building.code == f"330212014{max_suffix + 1:03d}" == "330212014030"
    for c in district.communities:
        assert len(c.code) == 12 and c.code.isdigit() and c.code.startswith(STREET_CODE)


def test_grid_codes(district):
    grids = district.grids
    assert len(grids) >= 60
    codes = [g.code for g in grids]
    assert len(set(codes)) == len(codes)
    community_codes = {c.code for c in district.communities}
    names = {c.code: c.name for c in district.communities}
    for g in grids:
        assert len(g.code) == 14 and g.code.isdigit(), g.code
        assert g.community_code in community_codes
        assert g.code.startswith(g.community_code)
        assert int(g.code[12:]) >= 1  # 00 is reserved for a community-level grid
        assert g.name == f"{names[g.community_code]}第{int(g.code[12:])}网格"
    for c in district.communities:
        seqs = sorted(int(g.code[12:]) for g in district.grids_of(c.code))
        assert 3 <= len(seqs) <= 6, c.name
        assert seqs == list(range(1, len(seqs) + 1))


def all_polygons(district):
    yield district.street.polygon
    yield from (c.polygon for c in district.communities)
    yield from (g.polygon for g in district.grids)


def test_polygons_valid_and_on_the_precision_grid(district):
    for poly in all_polygons(district):
        assert poly.geom_type == "Polygon"
        assert poly.is_valid and not poly.is_empty and poly.area > 0
        assert not poly.interiors
        assert poly.exterior.is_ccw  # RFC 7946 winding
        snapped = shapely.set_precision(poly, PRECISION)
        assert shapely.equals_exact(snapped.normalize(), poly.normalize(), tolerance=0)


def assert_no_overlaps(polys, tolerance):
    tree = shapely.STRtree(polys)
    left, right = tree.query(polys, predicate="intersects")
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i < j:
            overlap = shapely.intersection(polys[i], polys[j]).area
            assert overlap <= tolerance, (i, j, overlap)


def test_no_overlaps(district, tolerance):
    assert_no_overlaps([c.polygon for c in district.communities], tolerance)
    assert_no_overlaps([g.polygon for g in district.grids], tolerance)


def test_no_gaps(district, tolerance):
    for c in district.communities:
        union = shapely.union_all([g.polygon for g in district.grids_of(c.code)])
        assert shapely.symmetric_difference(union, c.polygon).area <= tolerance, c.name
    union = shapely.union_all([c.polygon for c in district.communities])
    assert shapely.symmetric_difference(union, district.street.polygon).area <= tolerance
    # and the parts add up exactly
    street = district.street.polygon.area
    assert sum(c.polygon.area for c in district.communities) == pytest.approx(street, rel=1e-9)
    assert sum(g.polygon.area for g in district.grids) == pytest.approx(street, rel=1e-9)


def test_neighbours_share_identical_edges(district):
    """Adjacent cells meet along lines, never along slivers or with T-gaps."""
    polys = [g.polygon for g in district.grids]
    shared = 0
    for a, b in itertools.combinations(polys, 2):
        if a.touches(b):
            common = a.intersection(b)
            assert common.area == 0
            shared += common.length > 0
    assert shared >= len(polys)  # a real tiling: more shared edges than cells


def test_street_inside_yinzhou(district):
    assert load_yinzhou_outline().contains(district.street.polygon)


def test_landmarks_inside_street(district):
    found = {}
    for props, geom in load_osm_features():
        if props.get("name") in LANDMARK_NAMES:
            found.setdefault(props["name"], []).append(geom)
    assert set(found) == set(LANDMARK_NAMES)
    for name, geoms in found.items():
        for geom in geoms:
            assert district.street.polygon.contains(geom.centroid), name
    ifc = found["宁波国际金融服务中心"][0].centroid
    building = next(c for c in district.communities if c.name == BUILDING_COMMUNITY_NAME)
    assert building.polygon.contains(ifc)


def test_deterministic(district):
    again = build_demo_district()
    assert again == district  # dataclass equality compares the shapely geometries exactly
    for a, b in zip(all_polygons(district), all_polygons(again), strict=True):
        assert shapely.equals_exact(a, b, tolerance=0)
    assert json.dumps(district_geojson(again)) == json.dumps(district_geojson(district))


def test_fast():
    start = time.perf_counter()
    build_demo_district()
    assert time.perf_counter() - start < 2.0


def test_geojson(district):
    doc = district_geojson(district)
    assert doc["type"] == "FeatureCollection"
    levels = [f["properties"]["level"] for f in doc["features"]]
    assert levels.count("street") == 1
    assert levels.count("community") == 17
    assert levels.count("grid") == len(district.grids)
    by_code = {f["properties"]["code"]: f["properties"] for f in doc["features"]}
    assert by_code[STREET_CODE]["parent_code"] == "330212"
    for g in district.grids:
        assert by_code[g.code]["parent_code"] == g.community_code
        assert by_code[g.code]["name"] == g.name
    for c in district.communities:
        assert by_code[c.code]["parent_code"] == STREET_CODE
    json.dumps(doc, ensure_ascii=False)  # serialisable
    for f in doc["features"]:
        assert shapely.geometry.shape(f["geometry"]).is_valid
