"""The registry (人房物): every object type scoped to the user's unit, personal data encrypted
at rest, masked everywhere, revealed only with the permission and always logged; global search."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.urls import reverse

from streetbrain.core.models import ChangeLogEntry
from streetbrain.core.protected import lookup, reveal_value
from streetbrain.registry.models import (
    Building,
    ComponentClass,
    Facility,
    House,
    Household,
    IndustryClass,
    Resident,
    Shop,
)

pytestmark = pytest.mark.django_db

EAST_ID = "11010519491231002X"  # GB 11643 example: female, born 1949-12-31
RIVER_ID = "360426199101010071"  # male, born 1991-01-01


def make_place(grid, tag: str):
    building = Building.objects.create(
        code=f"{grid.code}001",
        name=f"{tag}1幢",
        address=f"{tag}路1号",
        kind="residential",
        org_unit=grid,
        lon=121.61,
        lat=29.865,
    )
    house = House.objects.create(
        building=building, number="1-101", floor=1, area_m2=88, use="owner", org_unit=grid
    )
    household = Household.objects.create(code=f"H{grid.code}", house=house, org_unit=grid)
    return building, house, household


@pytest.fixture
def registry(tree, departments):
    east, river = tree["east_grid"], tree["river_grid"]
    eb, eh, ehh = make_place(east, "东")
    rb, rh, rhh = make_place(river, "江")
    alice = Resident(
        name="王秀英",
        residence="registered",
        household=ehh,
        house=eh,
        org_unit=east,
        relation="head",
    )
    alice.set_id_number(EAST_ID)
    alice.phone = "13800138000"
    alice.save()
    bob = Resident(
        name="李建国",
        residence="floating",
        household=rhh,
        house=rh,
        org_unit=river,
        relation="head",
    )
    bob.set_id_number(RIVER_ID)
    bob.phone = "139-0013-9001"
    bob.save()
    cls = ComponentClass.objects.get(kind="component", code="01001")
    fac_e = Facility.objects.create(
        object_id="33021201001000001",
        component_class=cls,
        lon=121.61,
        lat=29.865,
        org_unit=east,
        maintainer=departments["urban"],
    )
    fac_r = Facility.objects.create(
        object_id="33021201001000002", component_class=cls, lon=121.63, lat=29.865, org_unit=river
    )
    industry = IndustryClass.objects.get(code="6210")
    shop_e = Shop(
        name="东城面馆",
        credit_code="92340602MA2PBMEM24",
        industry=industry,
        address="东城路2号",
        operator="张三",
        org_unit=east,
        building=eb,
    )
    shop_e.phone = "0574-87654321"
    shop_e.save()
    shop_r = Shop.objects.create(
        name="江城药店",
        credit_code="91310115MA1K3BTP2B",
        industry=IndustryClass.objects.get(code="5251"),
        address="江城路3号",
        operator="李四",
        org_unit=river,
    )
    return {
        "east": {
            "building": eb,
            "house": eh,
            "household": ehh,
            "resident": alice,
            "facility": fac_e,
            "shop": shop_e,
        },
        "river": {
            "building": rb,
            "house": rh,
            "household": rhh,
            "resident": bob,
            "facility": fac_r,
            "shop": shop_r,
        },
    }


def test_code_tables_loaded():
    assert ComponentClass.objects.filter(kind="component").count() > 100
    assert ComponentClass.objects.filter(kind="matter").count() > 200
    assert IndustryClass.objects.count() == 1381
    from streetbrain.registry.models import Division

    assert Division.objects.get(code="330212014").name == "福明街道"


def test_resident_derived_fields(registry):
    alice = registry["east"]["resident"]
    assert alice.sex == "F" and alice.birth_date == datetime.date(1949, 12, 31)
    bob = registry["river"]["resident"]
    assert bob.sex == "M" and bob.birth_date == datetime.date(1991, 1, 1)


def test_personal_data_encrypted_at_rest(registry):
    alice = registry["east"]["resident"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM registry_resident WHERE id = %s", [alice.pk])
        raw = " ".join(str(v) for v in cursor.fetchone())
    assert EAST_ID not in raw and "13800138000" not in raw
    assert "110105********002X" in raw and "138****8000" in raw
    assert reveal_value(alice, "id_number") == EAST_ID
    assert reveal_value(alice, "phone") == "13800138000"


def test_exact_search_through_digest(registry):
    found = Resident.objects.filter(**lookup(Resident, "id_number", EAST_ID.lower()))
    assert list(found) == [registry["east"]["resident"]]
    found = Resident.objects.filter(**lookup(Resident, "phone", "139 0013 9001"))
    assert list(found) == [registry["river"]["resident"]]


def test_change_log_never_holds_personal_data(registry):
    alice = registry["east"]["resident"]
    entry = ChangeLogEntry.objects.filter(
        object_id=str(alice.pk), content_type__model="resident"
    ).first()
    text = str(entry.postchange)
    assert EAST_ID not in text and "13800138000" not in text
    assert entry.postchange["id_number_masked"] == "110105********002X"


OBJECT_TYPES = ["building", "house", "household", "resident", "facility", "shop"]
LIST_URLS = {t: f"registry:{t}_list" for t in OBJECT_TYPES}
API = {
    "building": "buildings",
    "house": "houses",
    "household": "households",
    "resident": "residents",
    "facility": "facilities",
    "shop": "shops",
}


@pytest.fixture
def east_worker(tree, make_user):
    return make_user("east_gw", role="gridworker", unit=tree["east_grid"])


@pytest.mark.parametrize("kind", OBJECT_TYPES)
def test_pages_scoped_per_type(client, registry, east_worker, kind):
    client.force_login(east_worker)
    inside, outside = registry["east"][kind], registry["river"][kind]
    listing = client.get(reverse(LIST_URLS[kind]))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert inside.get_absolute_url() in html
    assert outside.get_absolute_url() not in html
    assert client.get(inside.get_absolute_url()).status_code == 200
    assert client.get(outside.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("kind", OBJECT_TYPES)
def test_api_scoped_per_type(api_client, registry, east_worker, kind):
    api_client.force_authenticate(east_worker)
    body = api_client.get(f"/api/registry/{API[kind]}/").json()
    assert body["count"] == 1
    assert body["results"][0]["id"] == registry["east"][kind].pk
    other = registry["river"][kind]
    assert api_client.get(f"/api/registry/{API[kind]}/{other.pk}/").status_code == 404


def test_leader_sees_all(api_client, registry, tree, make_user):
    api_client.force_authenticate(make_user("l", role="leader", unit=tree["street"]))
    for kind in OBJECT_TYPES:
        assert api_client.get(f"/api/registry/{API[kind]}/").json()["count"] == 2, kind


def test_api_masks_personal_data(api_client, registry, tree, make_user):
    api_client.force_authenticate(make_user("l", role="leader", unit=tree["street"]))
    body = api_client.get("/api/registry/residents/").json()
    text = str(body)
    assert EAST_ID not in text and "13800138000" not in text
    row = next(r for r in body["results"] if r["name"] == "王秀英")
    assert row["id_number_masked"] == "110105********002X" and row["phone_masked"] == "138****8000"
    shops = str(api_client.get("/api/registry/shops/").json())
    assert "87654321" not in shops and "0574****4321" in shops


def test_reveal_needs_permission(api_client, registry, tree, make_user):
    alice = registry["east"]["resident"]
    api_client.force_authenticate(make_user("l", role="leader", unit=tree["street"]))
    response = api_client.post(
        f"/api/registry/residents/{alice.pk}/reveal/", {"fields": ["id_number"]}, format="json"
    )
    assert response.status_code == 403
    assert not ChangeLogEntry.objects.filter(action="reveal").exists()


def test_reveal_out_of_scope_is_404(api_client, registry, east_worker):
    bob = registry["river"]["resident"]
    api_client.force_authenticate(east_worker)
    response = api_client.post(
        f"/api/registry/residents/{bob.pk}/reveal/", {"fields": ["id_number"]}, format="json"
    )
    assert response.status_code == 404


def test_reveal_is_logged(api_client, registry, east_worker):
    alice = registry["east"]["resident"]
    api_client.force_authenticate(east_worker)
    response = api_client.post(
        f"/api/registry/residents/{alice.pk}/reveal/",
        {"fields": ["id_number", "phone"], "reason": "入户走访"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["values"] == {"id_number": EAST_ID, "phone": "13800138000"}
    entry = ChangeLogEntry.objects.get(action="reveal")
    assert entry.user == east_worker and entry.object_id == str(alice.pk)
    assert entry.changed_fields == ["id_number", "phone"] and entry.reason == "入户走访"
    assert EAST_ID not in str(entry.prechange) + str(entry.postchange)


def test_reveal_on_the_page(client, registry, east_worker):
    alice = registry["east"]["resident"]
    client.force_login(east_worker)
    page = client.get(alice.get_absolute_url()).content.decode()
    assert "110105********002X" in page and EAST_ID not in page
    assert reverse("registry:resident_reveal", args=[alice.pk]) in page
    fragment = client.post(
        reverse("registry:resident_reveal", args=[alice.pk]), {"field": "id_number"}
    )
    assert fragment.status_code == 200 and EAST_ID in fragment.content.decode()
    assert ChangeLogEntry.objects.filter(action="reveal", source="web").count() == 1


def test_no_reveal_button_without_permission(client, registry, tree, make_user):
    client.force_login(make_user("l", role="leader", unit=tree["street"]))
    page = client.get(registry["east"]["resident"].get_absolute_url()).content.decode()
    assert "110105********002X" in page
    assert "/reveal/" not in page


def test_create_resident_through_api_validates_id(api_client, registry, east_worker, tree):
    api_client.force_authenticate(east_worker)
    bad = api_client.post(
        "/api/registry/residents/",
        {
            "name": "测试",
            "id_number": "110105194912310021",
            "residence": "registered",
            "grid": tree["east_grid"].code,
        },
        format="json",
    )
    assert bad.status_code == 400
    assert "校验码" in str(bad.json())
    ok = api_client.post(
        "/api/registry/residents/",
        {
            "name": "测试",
            "id_number": "34052419800101001X",
            "residence": "registered",
            "grid": tree["east_grid"].code,
            "phone": "13700000000",
        },
        format="json",
    )
    assert ok.status_code == 201, ok.json()
    assert ok.json()["id_number_masked"] == "340524********001X"
    assert ok.json()["sex"] == "M"
    duplicate = api_client.post(
        "/api/registry/residents/",
        {
            "name": "重复",
            "id_number": "34052419800101001X",
            "residence": "registered",
            "grid": tree["east_grid"].code,
        },
        format="json",
    )
    assert duplicate.status_code == 400


def test_create_outside_scope_rolls_back(api_client, registry, east_worker, tree):
    api_client.force_authenticate(east_worker)
    before = Resident.objects.count()
    response = api_client.post(
        "/api/registry/residents/",
        {
            "name": "越界",
            "id_number": "34052419800101001X",
            "residence": "registered",
            "grid": tree["river_grid"].code,
        },
        format="json",
    )
    assert response.status_code == 403
    assert Resident.objects.count() == before


def test_page_edit_resident(client, registry, east_worker):
    alice = registry["east"]["resident"]
    client.force_login(east_worker)
    url = reverse("registry:resident_edit", args=[alice.pk])
    form = client.get(url).content.decode()
    assert "110105********002X" in form and EAST_ID not in form
    response = client.post(
        url,
        {
            "name": "王秀英",
            "residence": "permanent",
            "org_unit": alice.org_unit_id,
            "household": alice.household_id,
            "relation": "head",
            "house": alice.house_id,
            "id_number_input": "",
            "phone_input": "13911112222",
            "_change_reason": "电话更新",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    alice.refresh_from_db()
    assert reveal_value(alice, "id_number") == EAST_ID  # kept
    assert reveal_value(alice, "phone") == "13911112222"
    entry = ChangeLogEntry.objects.filter(
        content_type__model="resident", object_id=str(alice.pk), action="update"
    ).last()
    assert set(entry.changed_fields) >= {"phone_masked", "residence"}
    assert entry.reason == "电话更新"


def test_search_scoped_and_exact(client, registry, east_worker, tree, make_user):
    from streetbrain.core.search import search

    leader = make_user("l", role="leader", unit=tree["street"])
    names = {r["title"] for g in search(leader, "王秀英") for r in g["results"]}
    assert "王秀英" in names
    by_id = search(leader, EAST_ID)
    assert [r["title"] for g in by_id for r in g["results"]] == ["王秀英"]
    assert search(leader, "110105") == [] or all(
        g["key"] != "residents" for g in search(leader, "110105")
    )  # no partial ID search
    worker_hits = {r["title"] for g in search(east_worker, "李建国") for r in g["results"]}
    assert "李建国" not in worker_hits  # out of the grid worker's scope
    shop = search(leader, "91310115MA1K3BTP2B")
    assert [r["title"] for g in shop for r in g["results"]] == ["江城药店"]
    client.force_login(east_worker)
    page = client.get(reverse("search"), {"q": "面馆"}).content.decode()
    assert "东城面馆" in page
    api = client.get("/api/search/", {"q": "药店"}).json()
    assert api["groups"] == []


def test_registry_index_and_figures(client, registry, tree, make_user):
    from streetbrain.core.figures import refresh_key_figures
    from streetbrain.core.models import KeyFigure

    refresh_key_figures()
    street = dict(KeyFigure.objects.filter(org_unit=tree["street"]).values_list("key", "value"))
    assert street["residents"] == 2 and street["shops"] == 2 and street["houses"] == 2
    east = dict(KeyFigure.objects.filter(org_unit=tree["east"]).values_list("key", "value"))
    assert east["residents"] == 1
    client.force_login(make_user("l", role="leader", unit=tree["street"]))
    assert client.get(reverse("registry:index")).status_code == 200


def test_handler_cannot_see_residents(client, registry, tree, departments, make_user):
    handler = make_user("h", role="handler", unit=tree["street"], department=departments["urban"])
    client.force_login(handler)
    assert client.get(reverse("registry:resident_list")).status_code == 403
    assert client.get(reverse("registry:shop_list")).status_code == 200


def test_key_rotation_keeps_values_readable(registry, settings):
    from django.core.management import call_command

    from streetbrain.core.protected import _fernet

    alice = registry["east"]["resident"]
    old_token = Resident.objects.get(pk=alice.pk).id_number_cipher
    settings.STREETBRAIN_DATA_KEYS = ["a-brand-new-key", *settings.STREETBRAIN_DATA_KEYS]
    call_command("rotate_data_key")
    rotated = Resident.objects.get(pk=alice.pk)
    assert rotated.id_number_cipher != old_token
    settings.STREETBRAIN_DATA_KEYS = ["a-brand-new-key"]  # old key retired
    _fernet.cache_clear()
    assert reveal_value(rotated, "id_number") == EAST_ID
    assert reveal_value(Shop.objects.get(pk=registry["east"]["shop"].pk), "phone") == "057487654321"


def test_wrong_key_fails_loudly(registry, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.STREETBRAIN_DATA_KEYS = ["not-the-key"]
    with pytest.raises(ImproperlyConfigured):
        reveal_value(Resident.objects.get(pk=registry["east"]["resident"].pk), "id_number")


def test_reference_pages(client, tree, make_user):
    from streetbrain.registry.models import Place

    place = Place.objects.create(
        name="宁波文化广场",
        kind="commercial",
        osm_ref="way/1",
        lon=121.6,
        lat=29.87,
        geometry={
            "type": "Polygon",
            "coordinates": [[[121.6, 29.87], [121.61, 29.87], [121.61, 29.88], [121.6, 29.87]]],
        },
    )
    client.force_login(make_user("gw", role="gridworker", unit=tree["east_grid"]))
    listing = client.get(reverse("registry:place_list")).content.decode()
    assert "宁波文化广场" in listing and "© OpenStreetMap contributors" in listing
    assert client.get(place.get_absolute_url()).status_code == 200
    codes = client.get(reverse("registry:componentclass_list"), {"q": "井盖"}).content.decode()
    assert "供水井盖" in codes
    industries = client.get(reverse("registry:industryclass_list"), {"q": "6210"})
    assert "正餐服务" in industries.content.decode()


def test_grid_follows_the_building_or_house(registry, tree):
    house = registry["east"]["house"]
    house.org_unit = tree["river_grid"]  # inconsistent on purpose
    house.save()
    assert house.org_unit == tree["east_grid"]
    alice = registry["east"]["resident"]
    alice.org_unit = tree["river_grid"]
    alice.save()
    assert alice.org_unit == tree["east_grid"]


def test_page_create_house_takes_the_buildings_grid(client, registry, east_worker):
    client.force_login(east_worker)
    building = registry["east"]["building"]
    response = client.post(
        reverse("registry:house_add"),
        {
            "building": building.pk,
            "number": "2-201",
            "floor": 2,
            "area_m2": "76.5",
            "use": "rented",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    house = House.objects.get(building=building, number="2-201")
    assert house.org_unit == building.org_unit


def test_page_shop_phone_kept_changed_and_removed(client, registry, east_worker):
    shop = registry["east"]["shop"]
    client.force_login(east_worker)
    url = reverse("registry:shop_edit", args=[shop.pk])
    data = {
        f: getattr(shop, f) or ""
        for f in (
            "name",
            "credit_code",
            "licence_no",
            "address",
            "operator",
            "status",
            "inspection",
        )
    }
    data.update(industry=shop.industry_id, org_unit=shop.org_unit_id, building=shop.building_id)
    assert client.post(url, {**data, "phone_input": ""}).status_code == 302
    assert reveal_value(Shop.objects.get(pk=shop.pk), "phone") == "057487654321"
    assert client.post(url, {**data, "phone_input": "13600001111"}).status_code == 302
    assert reveal_value(Shop.objects.get(pk=shop.pk), "phone") == "13600001111"
    assert client.post(url, {**data, "phone_input": "-"}).status_code == 302
    assert Shop.objects.get(pk=shop.pk).phone_masked == ""


def test_a_short_fragment_reads_prefixes_anywhere_and_the_newest_rows_a_longer_one_all(
    registry, tree, make_user, monkeypatch
):
    """Under three characters (no trigram for an index) the search reads bounded sets only:
    names beginning with the fragment anywhere (an index), and names containing it among the
    newest ``SHORT_ROWS`` rows; from three characters on it ranks every match, exact first."""
    from streetbrain.core import search as one_search

    leader = make_user("l", role="leader", unit=tree["street"])
    house = registry["east"]["house"]
    household = registry["east"]["household"]

    from streetbrain.core.identifiers import id_check_char

    def resident(name):
        r = Resident(
            name=name, residence="registered", household=household, house=house,
            org_unit=tree["east_grid"], relation="other",
        )  # fmt: skip
        first17 = f"33020419800101{Resident.objects.count():03d}"
        r.set_id_number(first17 + id_check_char(first17))
        r.save()
        return r

    resident("王勇军")  # the oldest: the prefix (and exact) match
    newer = [resident(f"欧阳王勇军{i}") for i in range(3)]
    monkeypatch.setattr(one_search, "SHORT_ROWS", 2)

    def titles(q):
        return [r["title"] for g in one_search.search(leader, q) if g["key"] == "residents"
                for r in g["results"]]  # fmt: skip

    # Two characters: the name beginning with them although it is the oldest, then the
    # names containing them among the two newest rows only (newer[0] is not read).
    assert titles("王勇") == ["王勇军", newer[1].name, newer[2].name]
    assert titles("阳王") == [newer[1].name, newer[2].name]
    # At most SHORT_SCAN of the newest rows' matches.
    monkeypatch.setattr(one_search, "SHORT_SCAN", 1)
    assert titles("阳王") == [newer[2].name]
    # Three: all four, the exact match first although it is the oldest.
    assert titles("王勇军") == ["王勇军", *(r.name for r in newer)]
    monkeypatch.setattr(one_search, "SHORT_ROWS", 20_000)
    monkeypatch.setattr(one_search, "SHORT_SCAN", 200)
    assert titles("王勇") == ["王勇军", *(r.name for r in newer)]
    # A community's (or a grid's) scope is read whole, whatever the bound on the newest.
    monkeypatch.setattr(one_search, "SHORT_ROWS", 2)
    community = make_user("c", role="leader", unit=tree["east"])
    assert [r["title"] for g in one_search.search(community, "阳王") if g["key"] == "residents"
            for r in g["results"]] == [r.name for r in newer]  # fmt: skip
    # Either way, only the scope's rows: leaders of the other community find none of them.
    for unit in (tree["river"], tree["river_grid"]):
        other = make_user(f"o{unit.pk}", role="leader", unit=unit)
        assert not [g for g in one_search.search(other, "阳王") if g["key"] == "residents"]
    monkeypatch.setattr(one_search, "SHORT_ROWS", 20_000)
    assert not [g for g in one_search.search(other, "阳王") if g["key"] == "residents"]


def test_residents_are_listed_by_grid_then_as_registered(client, registry, tree, make_user):
    """The list and the API's numbered pages go by grid cell, then by id: the order the
    ``org_unit_id`` index gives any scope (by id alone a street's first page read every
    resident of the streets loaded before it)."""
    later_east = Resident(
        name="东城后来者", residence="registered", household=registry["east"]["household"],
        house=registry["east"]["house"], org_unit=tree["east_grid"], relation="other",
    )  # fmt: skip
    from streetbrain.core.identifiers import id_check_char

    first17 = "33020419900101123"
    later_east.set_id_number(first17 + id_check_char(first17))
    later_east.save()
    assert tree["east_grid"].pk < tree["river_grid"].pk  # 李建国 (river) has the lower id
    client.force_login(make_user("lo", role="leader", unit=tree["street"]))
    page = client.get(reverse("registry:resident_list"))
    names = [obj.name for obj, _cells in page.context["rows"]]
    assert names == ["王秀英", "东城后来者", "李建国"]
    api = client.get("/api/registry/residents/").json()["results"]
    assert [r["name"] for r in api] == ["王秀英", "东城后来者", "李建国"]
