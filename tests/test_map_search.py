"""一图通览's place search (``/api/map/search/``): the kinds a user may see, in their scope,
exact and prefix matches first, every kind its share, positions in the base map's datum."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client

from streetbrain.cases.intake.actions import submit_report
from streetbrain.cases.intake.pipeline import ReportInput
from streetbrain.core import search
from streetbrain.core.identifiers import credit_check_char
from streetbrain.core.maps import gcj02
from streetbrain.registry.models import (
    Building,
    ComponentClass,
    Facility,
    IndustryClass,
    Place,
    Shop,
)

EAST = (121.61, 29.865)  # 东城社区第1网格
RIVER = (121.63, 29.865)  # 江城社区第1网格
GARBAGE = "路边有暴露垃圾，好几袋生活垃圾没人清运，已经发臭了"


def credit_code(serial: int) -> str:
    first17 = f"91330212MA{serial:07d}"
    return first17 + credit_check_char(first17)


def client_for(user, language: str = "zh-hans") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


def find(client, q, **params):
    return client.get("/api/map/search/", {"q": q, **params})


def results(client, q, **params) -> list[dict]:
    response = find(client, q, **params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def shop(name, grid, lon, lat, serial, address="", **kw) -> Shop:
    return Shop.objects.create(
        name=name,
        credit_code=credit_code(serial),
        industry=IndustryClass.objects.get(code="5251"),
        address=address or f"{name}路{serial}号",
        operator="张三",
        org_unit=grid,
        lon=lon,
        lat=lat,
        **kw,
    )


@pytest.fixture
def world(case_world, make_user):
    from streetbrain.economy.models import Enterprise, Lease, OfficeBuilding

    east_grid, river_grid = case_world["east_grid"], case_world["river_grid"]
    tower = Building.objects.create(
        code=f"{east_grid.code}001",
        name="东城大厦",
        address="宁穿路1号",
        kind="office",
        org_unit=east_grid,
        lon=EAST[0],
        lat=EAST[1],
    )
    office = OfficeBuilding.objects.create(building=tower, grade="a")
    home = Building.objects.create(
        code=f"{east_grid.code}002",
        name="东城花园1幢",
        address="东城路8号",
        kind="residential",
        org_unit=east_grid,
        lon=EAST[0] + 0.001,
        lat=EAST[1],
    )
    shops = {
        "east": shop("东城面馆", east_grid, EAST[0] + 0.002, EAST[1], 11),
        "river": shop("江城面馆", river_grid, RIVER[0], RIVER[1], 12),
        # No position of its own: found at its building's.
        "inside": shop("面馆小吃", east_grid, None, None, 13, building=home),
    }
    facility = Facility.objects.create(
        object_id="33021201001000007",
        component_class=ComponentClass.objects.get(kind="component", code="01001"),
        lon=EAST[0],
        lat=EAST[1] + 0.001,
        org_unit=east_grid,
    )
    place = Place.objects.create(
        name="东城文化广场",
        kind="commercial",
        osm_ref="way/42",
        lon=EAST[0] - 0.001,
        lat=EAST[1],
        geometry={"type": "Point", "coordinates": [EAST[0] - 0.001, EAST[1]]},
    )
    software = Enterprise.objects.create(
        credit_code=credit_code(21),
        name="甲软件",
        industry=IndustryClass.objects.get(code="6513"),
        org_unit=east_grid,
    )
    Lease.objects.create(
        contract_number="HT-1",
        enterprise=software,
        building=office,
        area_m2=Decimal("100"),
        start_date=dt.date(2025, 1, 1),
        end_date=dt.date(2030, 12, 31),
    )
    cases = {
        "east": submit_report(
            ReportInput(
                channel="gridworker",
                description=GARBAGE,
                lon=EAST[0],
                lat=EAST[1],
                requested_class="matter:06010",
            )
        ).case,
        "river": submit_report(
            ReportInput(
                channel="gridworker",
                description=GARBAGE,
                lon=RIVER[0],
                lat=RIVER[1],
                requested_class="matter:06010",
            )
        ).case,
    }
    users = {
        **case_world["users"],
        "east_leader": make_user("eastlead", role="leader", unit=case_world["east"]),
        "no_shops": make_user(
            "noshops", unit=case_world["street"], perms=("core.view_orgunit",
            "registry.view_building", "registry.view_facility")
        ),
    }  # fmt: skip
    return {
        **case_world,
        "users": users,
        "tower": tower,
        "office": office,
        "home": home,
        "shops": shops,
        "facility": facility,
        "place": place,
        "software": software,
        "cases": cases,
    }


def test_the_leader_finds_every_kind_with_its_label_position_and_page(world):
    client = client_for(world["users"]["leader"])
    found = results(client, "东城")
    kinds = {r["kind"] for r in found}
    assert {"community", "grid", "tower", "building", "shop", "landmark"} <= kinds
    for r in found:
        assert r["kind_label"] and r["name"] and r["url"].startswith("/")
        assert isinstance(r["lon"], float) and isinstance(r["lat"], float)
    community = next(r for r in found if r["kind"] == "community")
    assert community["name"] == "东城社区" and community["kind_label"] == "社区"
    assert community["bbox"] == [121.6, 29.86, 121.62, 29.88]
    assert community["url"] == world["east"].get_absolute_url()
    # A tower is found once, as a tower with its own page (not again as a building).
    assert [r["kind"] for r in found if r["name"] == "东城大厦"] == ["tower"]
    assert next(r for r in found if r["kind"] == "tower")["url"] == (
        world["office"].get_absolute_url()
    )
    (landmark,) = results(client, "文化广场")
    assert landmark["kind"] == "landmark" and landmark["url"] == world["place"].get_absolute_url()


def test_shops_by_name_address_and_credit_code_and_at_their_building_without_a_position(world):
    client = client_for(world["users"]["leader"])
    by_code = results(client, credit_code(11).lower())
    assert [(r["kind"], r["name"]) for r in by_code] == [("shop", "东城面馆")]
    by_address = results(client, "东城面馆路11号")
    assert [r["name"] for r in by_address] == ["东城面馆"]
    inside = next(r for r in results(client, "面馆小吃") if r["kind"] == "shop")
    assert (inside["lon"], inside["lat"]) == (world["home"].lon, world["home"].lat)
    assert inside["url"] == world["shops"]["inside"].get_absolute_url()


def test_facilities_by_code_and_enterprises_at_their_tower(world):
    client = client_for(world["users"]["leader"])
    (facility,) = results(client, "33021201001000007")
    assert facility["kind"] == "facility" and facility["url"].endswith(f"/{world['facility'].pk}/")
    assert facility["name"].endswith("000007")
    (enterprise,) = results(client, world["software"].credit_code)
    assert enterprise["kind"] == "enterprise" and enterprise["name"] == "甲软件"
    assert (enterprise["lon"], enterprise["lat"]) == EAST
    assert "东城大厦" in enterprise["detail"]


def test_cases_by_number_exactly_and_by_their_last_digits(world):
    client = client_for(world["users"]["leader"])
    east = world["cases"]["east"]
    (found,) = results(client, east.number)
    assert found["kind"] == "case" and found["url"] == east.get_absolute_url()
    assert found["name"].startswith(east.number)
    assert (found["lon"], found["lat"]) == EAST
    tail = results(client, east.number[-7:])
    assert east.get_absolute_url() in [r["url"] for r in tail]


def test_exact_matches_then_prefixes_then_the_rest(world):
    east_grid = world["east_grid"]
    shop("面馆", east_grid, *EAST, 31)
    shop("面馆东店", east_grid, *EAST, 32)
    found = results(client_for(world["users"]["leader"]), "面馆")
    assert found[0]["name"] == "面馆"
    assert {r["name"] for r in found[1:3]} == {"面馆小吃", "面馆东店"}
    assert {r["name"] for r in found[3:]} == {"东城面馆", "江城面馆"}
    # An area named exactly so comes before the areas whose names start with it.
    names = [r["name"] for r in results(client_for(world["users"]["leader"]), "东城社区")]
    assert names[:3] == ["东城社区", "东城社区第1网格", "东城社区第2网格"]


def test_one_kind_cannot_crowd_out_the_others(world):
    for i in range(30):
        shop(f"东城小店{i:02d}", world["east_grid"], *EAST, 100 + i)
    found = results(client_for(world["users"]["leader"]), "东城", limit=10)
    assert len(found) == 10
    kinds = [r["kind"] for r in found]
    assert {"community", "grid", "tower", "building", "shop", "landmark"} <= set(kinds)
    assert kinds.count("shop") < 5


def test_a_community_user_finds_nothing_of_another_community(world):
    client = client_for(world["users"]["east_leader"])
    assert [r["name"] for r in results(client, "江城")] == []
    assert {r["name"] for r in results(client, "面馆") if r["kind"] == "shop"} == {
        "东城面馆",
        "面馆小吃",
    }
    assert results(client, world["cases"]["river"].number) == []
    assert len(results(client, world["cases"]["east"].number)) == 1
    # A grid worker: their own cell, and their community as context.
    grid = client_for(world["users"]["gridworker"])
    assert {r["name"] for r in results(grid, "网格")} == {"东城社区第1网格"}


def test_users_without_the_shops_permission_find_no_shops(world):
    no_shops = client_for(world["users"]["no_shops"])
    assert not [r for r in results(no_shops, "面馆") if r["kind"] == "shop"]
    assert not [r for r in results(no_shops, world["cases"]["east"].number)]
    # Without the economy's permissions 东城大厦 is a building, and no enterprise is found.
    tower = [r for r in results(no_shops, "东城大厦")]
    assert [(r["kind"], r["url"]) for r in tower] == [
        ("building", world["tower"].get_absolute_url())
    ]
    assert results(no_shops, world["software"].credit_code) == []
    # A department's handler sees shops and facilities, but no buildings or landmarks.
    handler = client_for(world["users"]["handler"])
    assert {r["kind"] for r in results(handler, "东城")} == {"community", "grid", "shop"}


def test_coordinates_follow_the_base_maps_datum(world):
    client = client_for(world["users"]["leader"])
    plain = results(client, "东城")
    shifted = results(client, "东城", coords="gcj02")
    assert [r["name"] for r in plain] == [r["name"] for r in shifted]
    for a, b in zip(plain, shifted, strict=True):
        assert [round(v, 6) for v in gcj02.from_wgs84(a["lon"], a["lat"])] == [b["lon"], b["lat"]]
        if "bbox" in a:
            x0, y0 = gcj02.from_wgs84(a["bbox"][0], a["bbox"][1])
            x1, y1 = gcj02.from_wgs84(a["bbox"][2], a["bbox"][3])
            assert b["bbox"] == [round(v, 6) for v in (x0, y0, x1, y1)]


@pytest.mark.parametrize("q", ["", "   "])
def test_a_blank_query_finds_nothing(world, q):
    response = find(client_for(world["users"]["leader"]), q)
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize(
    "params, field",
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "51"}, "limit"),
        ({"limit": "x"}, "limit"),
        ({"coords": "bd09"}, "coords"),
        ({"q": "东" * 101}, "q"),
    ],
)
def test_bad_parameters_are_refused_in_the_users_language(world, params, field):
    client = client_for(world["users"]["leader"])
    response = client.get("/api/map/search/", {"q": "东城", **params})
    assert response.status_code == 400
    (message,) = response.json()[field]
    assert re.search(r"[\u4e00-\u9fff]", message), message
    english = client_for(world["users"]["leader"], "en").get(
        "/api/map/search/", {"q": "东城", **params}
    )
    assert not re.search(r"[\u4e00-\u9fff]", english.json()[field][0])


def test_the_limit_defaults_to_20_and_holds(world):
    for i in range(60):
        shop(f"东城小店{i:02d}", world["east_grid"], *EAST, 100 + i)
    client = client_for(world["users"]["leader"])
    assert len(results(client, "东城")) == search.MAP_DEFAULT_LIMIT
    assert len(results(client, "东城", limit=50)) == 50
    assert len(results(client, "东城", limit=1)) == 1


def test_a_search_costs_one_query_per_kind_however_many_rows_match(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(60):
        shop(f"东城小店{i:02d}", world["east_grid"], *EAST, 100 + i)
    client = client_for(world["users"]["leader"])
    counts = []
    for limit in (5, 50):
        with CaptureQueriesContext(connection) as ctx:
            assert len(results(client, "东城", limit=limit)) == limit
        counts.append(sum("LIKE" in q["sql"] for q in ctx.captured_queries))
    # communities, grids, buildings, towers, shops, landmarks, facilities, enterprises; no
    # case number looks like 东城.
    assert counts == [len(search.providers(world["users"]["leader"], on_map=True)) - 1] * 2


def test_anonymous_users_are_refused_and_the_endpoint_is_in_the_schema(world):
    assert Client().get("/api/map/search/", {"q": "东城"}).status_code in (401, 403)
    schema = client_for(world["users"]["leader"]).get("/api/schema/").content.decode()
    assert "/api/map/search/" in schema and "map_place_search" in schema


def test_a_facility_found_by_its_class_name_through_the_class_ids(world, monkeypatch):
    """A field across a relation (a facility's class name) is matched in its own table and
    asked of the facilities by id, so their search keeps to their own indexes; past
    ``RELATED_IDS`` matching classes it is joined, with the same answer."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user, facility = world["users"]["leader"], world["facility"]
    name = facility.component_class.name
    assert len(name) >= search.TRIGRAM_MIN

    def found() -> tuple[list, list[str]]:
        with CaptureQueriesContext(connection) as ctx:
            groups = search.search(user, name, types=["facilities"])
        rows = [r["object"] for g in groups for r in g["results"]]
        wheres = [
            q["sql"].split(" WHERE ", 1)[-1]
            for q in ctx.captured_queries
            if q["sql"].startswith('SELECT "registry_facility"')
        ]
        return rows, wheres

    rows, sql = found()
    assert facility in rows
    assert sql and all('"registry_componentclass"."name"' not in s for s in sql)
    monkeypatch.setattr(search, "RELATED_IDS", 0)
    rows, sql = found()
    assert facility in rows
    assert any('"registry_componentclass"."name"' in s for s in sql)
