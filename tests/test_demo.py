"""The demo district: loaded once, idempotent, and every demo account logs in to a Chinese
UI scoped to its unit."""

from __future__ import annotations

import pytest
from django.urls import reverse
from shapely.geometry import Point, shape

from streetbrain.core.figures import refresh_key_figures
from streetbrain.core.geo_lookup import invalidate, locate_point
from streetbrain.core.models import Department, KeyFigure, OrgUnit, User
from streetbrain.demo import core as demo
from streetbrain.demo.context import DemoContext
from streetbrain.demo.synth.accounts import ACCOUNTS

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_district(db):
    ctx = DemoContext(password="streetbrain-demo")
    demo.load(ctx)
    refresh_key_figures()
    invalidate()
    return ctx


def test_org_tree(demo_district):
    street = OrgUnit.objects.get(level="street")
    assert (street.code, street.name, street.illustrative) == ("330212014", "福明街道", True)
    assert street.parent.code == "330212" and street.parent.parent.code == "3302"
    communities = OrgUnit.objects.filter(level="community")
    assert communities.count() == 17
    assert "荆城楼宇社区" in set(communities.values_list("name", flat=True))
    assert all(c.code.startswith("330212014") and len(c.code) == 12 for c in communities)
    grids = OrgUnit.objects.filter(level="grid")
    assert grids.count() >= 60
    for g in grids:
        assert len(g.code) == 14 and g.code.startswith(g.parent.code) and g.code[-2:] != "00"
        assert g.geometry and g.area_m2 > 0


def test_grids_tile_each_community_as_stored(demo_district):
    import shapely

    for community in OrgUnit.objects.filter(level="community"):
        cells = [shape(g.geometry) for g in community.children.all()]
        union = shapely.union_all(cells)
        outline = shape(community.geometry)
        assert union.symmetric_difference(outline).area < 1e-12
        assert sum(c.area for c in cells) == pytest.approx(outline.area, rel=1e-9)


def test_point_lookup_from_database(demo_district):
    import random

    rng = random.Random(7)
    street = shape(OrgUnit.objects.get(level="street").geometry)
    minx, miny, maxx, maxy = street.bounds
    hits = 0
    for _ in range(300):
        lon, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        grid = locate_point(lon, lat)
        if street.contains(Point(lon, lat)):
            assert grid is not None and shape(grid.geometry).covers(Point(lon, lat))
            hits += 1
        elif not street.touches(Point(lon, lat)):
            assert grid is None
    assert hits > 100


def test_departments_and_accounts(demo_district):
    assert Department.objects.filter(kind="urban").exists()
    assert Department.objects.filter(kind="community").count() == 17
    roles = {u.username: u.role_codes for u in User.objects.all()}
    assert roles == {
        "admin": [],
        "leader": ["leader"],
        "acceptor": ["acceptor"],
        "shiftlead": ["shiftlead"],
        "dispatcher": ["dispatcher"],
        "gridworker": ["gridworker"],
        "handler": ["handler"],
        "building": ["building"],
        "investment": ["investment"],
        "community_leader": ["leader"],
        "services": ["services"],
        "enterprise": ["enterprise"],
        "districts": ["district_office"],
        "projects": ["projects"],
        "cooperatives": ["cooperatives"],
        "party": ["party"],
        "community": ["community"],
        "linkage": ["linkage"],
        "district": ["leader"],
    }
    assert User.objects.get(username="admin").is_superuser
    district = User.objects.get(username="district")  # the leader's role one level up
    assert (district.org_unit.level, district.org_unit.name) == ("district", "鄞州区")
    community_leader = User.objects.get(username="community_leader")
    assert (community_leader.org_unit.level, community_leader.org_unit.name) == (
        "community",
        "江城社区",
    )
    assert User.objects.get(username="gridworker").org_unit.level == "grid"
    assert User.objects.get(username="handler").department.code == "cg"


@pytest.mark.parametrize("username", [account[0] for account in ACCOUNTS])
def test_every_demo_account_logs_in_to_a_chinese_home(client, demo_district, username):
    response = client.post(reverse("login"), {"username": username, "password": "streetbrain-demo"})
    assert response.status_code == 302, username
    home = client.get("/").content.decode()
    assert 'lang="zh-hans"' in home
    user = User.objects.get(username=username)
    assert user.org_unit.name in home


def test_home_scoped_to_the_account(client, demo_district):
    client.force_login(User.objects.get(username="gridworker"))
    grids = client.get("/api/core/grids/").json()
    assert grids["count"] == 1
    leader_client = client.__class__()
    leader_client.force_login(User.objects.get(username="leader"))
    assert leader_client.get("/api/core/grids/").json()["count"] >= 60
    assert leader_client.get("/api/core/communities/").json()["count"] == 17


def test_key_figures_precomputed(demo_district):
    street = OrgUnit.objects.get(level="street")
    figures = dict(KeyFigure.objects.filter(org_unit=street).values_list("key", "value"))
    assert figures["communities"] == 17
    assert figures["grids"] == OrgUnit.objects.filter(level="grid").count()
    assert 10 < figures["area_km2"] < 16
    # every demo account has its unit: all but the district's leader (鄞州区) in the street
    assert figures["users"] == len(ACCOUNTS) - 1 == 18
