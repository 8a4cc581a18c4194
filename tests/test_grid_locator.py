"""GridLocator gives exactly shapely's ``covers`` answer (lowest code on shared edges).

Plain pytest, no Django: run with ``-p no:django`` if no settings exist.
"""

import itertools
import math
import random

import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, box

from streetbrain.core.geo import GridLocator, area_m2
from streetbrain.demo.synth.district import build_demo_district


@pytest.fixture(scope="module")
def district():
    return build_demo_district()


@pytest.fixture(scope="module")
def cells(district):
    return [(g.code, g.polygon) for g in district.grids]


@pytest.fixture(scope="module")
def locator(cells):
    return GridLocator(cells)


def expected(cells, lon, lat):
    """The reference answer: lowest code among the cells that cover the point."""
    p = Point(lon, lat)
    hits = [code for code, poly in cells if poly.covers(p)]
    return min(hits) if hits else None


def reference_many(cells, lons, lats):
    """Vectorised reference (same semantics as ``expected``), for many points."""
    pts = shapely.points(lons, lats)
    out = [None] * len(pts)
    for code, poly in sorted(cells, key=lambda c: c[0], reverse=True):
        hit = shapely.covers(poly, pts)
        for k in np.flatnonzero(hit).tolist():
            out[k] = code
    return out


def random_points(bounds, n, seed, margin=0.2):
    rng = random.Random(seed)
    minx, miny, maxx, maxy = bounds
    w, h = maxx - minx, maxy - miny
    lons = [rng.uniform(minx - margin * w, maxx + margin * w) for _ in range(n)]
    lats = [rng.uniform(miny - margin * h, maxy + margin * h) for _ in range(n)]
    return lons, lats


def test_random_points_agree_with_shapely(cells, locator, district):
    lons, lats = random_points(district.street.polygon.bounds, 20_000, seed=20240601)
    want = reference_many(cells, lons, lats)
    got = [locator.locate(x, y) for x, y in zip(lons, lats, strict=True)]
    assert got == want
    assert locator.locate_many(lons, lats) == want
    assert sum(w is None for w in want) > 1000  # some fell outside
    assert len({w for w in want if w}) == len(cells)  # every cell was hit


def test_spot_check_reference(cells, locator, district):
    lons, lats = random_points(district.street.polygon.bounds, 300, seed=7)
    for x, y in zip(lons, lats, strict=True):
        assert locator.locate(x, y) == expected(cells, x, y)


def boundary_points(cells):
    """Every vertex and every edge midpoint of every cell (edge midpoints are rounded
    floats, so they land on either side of the edge or on it: all three cases matter)."""
    pts = set()
    for _, poly in cells:
        coords = list(poly.exterior.coords)
        for (x0, y0), (x1, y1) in itertools.pairwise(coords):
            pts.add((x0, y0))
            pts.add(((x0 + x1) / 2, (y0 + y1) / 2))
            pts.add((x0 + (x1 - x0) / 3, y0 + (y1 - y0) / 3))
    return sorted(pts)


def test_vertices_and_edges_agree_with_shapely(cells, locator):
    pts = boundary_points(cells)
    assert len(pts) > 1000
    lons = [p[0] for p in pts]
    lats = [p[1] for p in pts]
    want = reference_many(cells, lons, lats)
    assert [locator.locate(x, y) for x, y in pts] == want
    assert locator.locate_many(lons, lats) == want
    assert None not in [want[k] for k, p in enumerate(pts) if p in _vertex_set(cells)]


def _vertex_set(cells):
    return {c for _, poly in cells for c in poly.exterior.coords}


def test_shared_vertex_resolves_to_lowest_code(cells, locator):
    owners = {}
    for code, poly in cells:
        for c in poly.exterior.coords:
            owners.setdefault(c, set()).add(code)
    shared = [(c, codes) for c, codes in owners.items() if len(codes) >= 3]
    assert shared
    for (x, y), codes in shared:
        assert locator.locate(x, y) == min(codes)


def test_outside_is_none(locator, district):
    minx, miny, maxx, maxy = district.street.polygon.bounds
    for x, y in [
        (minx - 1e-6, (miny + maxy) / 2),
        (maxx + 1e-6, (miny + maxy) / 2),
        ((minx + maxx) / 2, miny - 1e-6),
        ((minx + maxx) / 2, maxy + 1e-6),
        (minx, miny),  # bbox corner, outside the rounded outline
        (maxx, maxy),
        (0.0, 0.0),
        (-121.6, -29.86),
        (math.nan, 29.86),
        (121.6, math.nan),
        (math.inf, 29.86),
        (121.6, -math.inf),
    ]:
        assert locator.locate(x, y) is None, (x, y)
        assert locator.locate_many([x], [y]) == [None]


def test_locate_many_matches_locate(locator, district):
    lons, lats = random_points(district.street.polygon.bounds, 5_000, seed=3)
    lons += [math.nan, 121.6]
    lats += [29.86, math.inf]
    assert locator.locate_many(np.array(lons), np.array(lats)) == [
        locator.locate(x, y) for x, y in zip(lons, lats, strict=True)
    ]
    assert locator.locate_many([], []) == []
    with pytest.raises(ValueError):
        locator.locate_many([1.0, 2.0], [1.0])


def test_street_centre_is_found(locator, district):
    p = district.street.polygon.representative_point()
    assert locator.locate(p.x, p.y) is not None


def test_toy_tiling_edges_and_ties():
    # Four unit squares meeting at (1, 1); codes chosen so the lowest is not the first given.
    cells = [
        ("d", box(1, 1, 2, 2)),
        ("c", box(0, 1, 1, 2)),
        ("b", box(1, 0, 2, 1)),
        ("a", box(0, 0, 1, 1)),
    ]
    loc = GridLocator(cells, buckets=16)
    assert loc.locate(1, 1) == "a"  # shared by all four
    assert loc.locate(1.5, 1) == "b"  # edge b|d
    assert loc.locate(1, 1.5) == "c"  # edge c|d
    assert loc.locate(1.5, 1.5) == "d"
    assert loc.locate(2, 2) == "d"  # outer corner
    assert loc.locate(2.0000001, 2) is None
    lons, lats = random_points((0, 0, 2, 2), 2_000, seed=11)
    grid_pts = [(i / 4, j / 4) for i in range(-1, 10) for j in range(-1, 10)]
    lons += [p[0] for p in grid_pts]
    lats += [p[1] for p in grid_pts]
    want = reference_many(cells, lons, lats)
    assert [loc.locate(x, y) for x, y in zip(lons, lats, strict=True)] == want
    assert loc.locate_many(lons, lats) == want


def test_holes_multipolygons_and_gaps():
    ring = Polygon([(0, 0), (4, 0), (4, 4), (0, 4)], [[(1, 1), (3, 1), (3, 3), (1, 3)]])
    islands = MultiPolygon([box(1, 1, 1.5, 1.5), box(2.5, 2.5, 3, 3)])
    cells = [("ring", ring), ("islands", islands)]
    loc = GridLocator(cells, buckets=64)
    assert loc.locate(0.5, 0.5) == "ring"
    assert loc.locate(2, 2) is None  # in the hole, not on an island
    assert loc.locate(1.25, 1.25) == "islands"
    assert loc.locate(1, 1) == "islands"  # "islands" < "ring"
    lons, lats = random_points((0, 0, 4, 4), 5_000, seed=5)
    want = reference_many(cells, lons, lats)
    assert [loc.locate(x, y) for x, y in zip(lons, lats, strict=True)] == want
    assert loc.locate_many(lons, lats) == want


@pytest.mark.parametrize("buckets", [1, 7, 1000, 1 << 16])
def test_any_bucket_count_is_exact(cells, district, buckets):
    loc = GridLocator(cells, buckets=buckets)
    lons, lats = random_points(district.street.polygon.bounds, 2_000, seed=buckets)
    want = reference_many(cells, lons, lats)
    assert [loc.locate(x, y) for x, y in zip(lons, lats, strict=True)] == want


def test_input_validation():
    with pytest.raises(ValueError):
        GridLocator([("a", box(0, 0, 1, 1)), ("a", box(1, 0, 2, 1))])
    with pytest.raises(TypeError):
        GridLocator([("a", Point(0, 0))])
    with pytest.raises(TypeError):
        GridLocator([(1, box(0, 0, 1, 1))])
    empty = GridLocator([])
    assert empty.locate(0, 0) is None
    assert empty.locate_many([0.0], [0.0]) == [None]
    # GeoJSON-like mappings are accepted
    loc = GridLocator(
        [("a", {"type": "Polygon", "coordinates": [[(0, 0), (1, 0), (1, 1), (0, 0)]]})]
    )
    assert loc.locate(0.9, 0.1) == "a"


def test_area_m2():
    # 0.01° x 0.01° at the equator: 1113.19 m x 1105.74 m (WGS-84)
    sq = box(0, 0, 0.01, 0.01)
    assert area_m2(sq) == pytest.approx(1_230_900, rel=1e-3)
    assert area_m2(sq.reverse()) == pytest.approx(area_m2(sq))
    holed = Polygon(sq.exterior.coords, [box(0.0025, 0.0025, 0.0075, 0.0075).exterior.coords])
    assert area_m2(holed) == pytest.approx(area_m2(sq) * 0.75, rel=1e-6)
    multi = MultiPolygon([sq, box(1, 0, 1.01, 0.01)])
    assert area_m2(multi) == pytest.approx(2 * area_m2(sq), rel=1e-6)
    assert area_m2(Polygon()) == 0.0
    with pytest.raises(TypeError):
        area_m2(Point(0, 0))
