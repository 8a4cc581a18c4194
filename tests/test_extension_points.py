"""The extension points: a new app (tests/exampleapp, the street's wells) appears on the map,
in the one search, on the cockpit, in the menu, in the key figures and on another app's
page, with a role for its users — by declaring it in its own extensions.py, nothing else.
And the registry's rules: fixed kinds, typed declarations, unique keys, checked names."""

from __future__ import annotations

import pytest
from django.test import Client

from streetbrain.core import extension_points as ep
from streetbrain.core.checks import check_extensions
from streetbrain.core.figures import refresh_key_figures
from streetbrain.core.roles import roles, sync_roles
from tests.exampleapp.models import Well

EAST = (121.61, 29.865)
RIVER = (121.63, 29.865)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def wells(tree, make_user):
    sync_roles()
    east = Well.objects.create(
        name="东城古井", depth_m=12, lon=EAST[0], lat=EAST[1], org_unit=tree["east_grid"]
    )
    river = Well.objects.create(
        name="江城古井", depth_m=4, lon=RIVER[0], lat=RIVER[1], org_unit=tree["river_grid"]
    )
    users = {
        "leader": make_user("boss", role="leader", unit=tree["street"]),
        "east_keeper": make_user("keeper", role="wellkeeper", unit=tree["east"]),
        "gridworker": make_user("grid", role="gridworker", unit=tree["east_grid"]),
    }
    return {**tree, "east_well": east, "river_well": river, "users": users}


def test_the_apps_extensions_are_discovered_and_the_example_app_opts_in():
    discovered = ep.registry.discovered
    for name in (
        "streetbrain.core.extensions",
        "streetbrain.registry.extensions",
        "streetbrain.cases.extensions",
        "streetbrain.economy.extensions",
        "streetbrain.cockpit.extensions",
        "tests.exampleapp.extensions",
    ):
        assert name in discovered
    assert ep.registry.origin(ep.MapLayer, "wells") == "tests.exampleapp.extensions"
    # The system check finds nothing wrong with any app's declarations.
    assert check_extensions() == []


def test_a_new_app_is_on_the_map_in_its_users_scope(wells):
    leader = client_for(wells["users"]["leader"])
    layers = {layer["name"] for layer in leader.get("/api/map/layers/").json()["layers"]}
    assert "wells" in layers
    names = [
        f["properties"]["name"] for f in leader.get("/api/map/layers/wells/").json()["features"]
    ]
    assert names == ["东城古井", "江城古井"]
    keeper = client_for(wells["users"]["east_keeper"])
    features = keeper.get("/api/map/layers/wells/").json()["features"]
    assert [f["properties"]["name"] for f in features] == ["东城古井"]
    # A user without the permission neither sees the layer nor gets it.
    grid = client_for(wells["users"]["gridworker"])
    assert "wells" not in {x["name"] for x in grid.get("/api/map/layers/").json()["layers"]}
    assert grid.get("/api/map/layers/wells/").status_code == 403
    page = leader.get("/map/").content.decode()
    assert 'value="wells" data-style="points" data-color="#1f7a8c"' in page


def test_a_new_app_is_in_the_one_search_and_on_the_maps_search(wells):
    keeper = client_for(wells["users"]["east_keeper"])
    groups = keeper.get("/api/search/", {"q": "古井"}).json()["groups"]
    (group,) = [g for g in groups if g["type"] == "wells"]
    assert [r["title"] for r in group["results"]] == ["东城古井"]
    places = keeper.get("/api/map/search/", {"q": "古井"}).json()["results"]
    assert [(p["kind"], p["name"], p["lon"]) for p in places] == [("well", "东城古井", EAST[0])]
    assert places[0]["url"] == wells["east_well"].get_absolute_url()


def test_a_new_app_has_its_panel_on_the_cockpit_and_its_menu_entry(wells):
    keeper = client_for(wells["users"]["east_keeper"])
    response = keeper.get("/cockpit/")
    assert response.status_code == 200
    (panel,) = [p for p in response.context["panels"] if p.key == "wells"]
    assert {t.key: t.value for t in panel.context["tiles"]} == {"wells": 1, "deep": 1}
    assert 'data-panel="wells"' in response.content.decode()
    home = keeper.get("/").content.decode()
    assert 'href="/wells/"' in home and "The street&#x27;s historical wells" in home
    # A user without the app's permission has neither its panel nor its menu entry.
    grid = client_for(wells["users"]["gridworker"])
    assert "wells" not in [p.key for p in grid.get("/cockpit/").context["panels"]]
    assert 'href="/wells/"' not in grid.get("/").content.decode()


def test_a_new_app_adds_its_key_figure_and_its_panel_on_another_apps_page(wells):
    refresh_key_figures()
    leader = client_for(wells["users"]["leader"])
    home = leader.get("/")
    figures = {f["key"]: f["value"] for f in home.context["figures"]}
    assert figures["wells"] == 2
    unit = leader.get(wells["east"].get_absolute_url())
    (panel,) = [p for p in unit.context["related_panels"] if p["key"] == "wells.unit"]
    assert "东城古井" in panel["html"] and "江城古井" not in panel["html"]


def test_a_new_app_declares_its_role_and_grants_the_leader_its_list(wells):
    declared = roles()
    assert declared["wellkeeper"].permissions == ("exampleapp.view_well",)
    assert "exampleapp.view_well" in declared["leader"].permissions
    assert wells["users"]["leader"].has_perm("exampleapp.view_well")


def test_a_failing_panel_shows_an_error_box_not_a_broken_cockpit(wells, caplog):
    def broken(user, unit, today):
        raise RuntimeError("panel on fire")

    failing = ep.CockpitPanel("broken", "Broken", "", "exampleapp/cockpit.html", broken, order=1)
    with ep.override(failing), caplog.at_level("ERROR", logger="streetbrain.cockpit.panels"):
        response = client_for(wells["users"]["leader"]).get("/cockpit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-panel="broken"' in html and "本面板暂时无法显示" in html
    assert "panel on fire" not in html and "panel on fire" in caplog.text
    assert 'data-panel="wells"' in html  # the others are drawn


def test_the_registry_refuses_wrong_declarations():
    layer = ep.MapLayer("wells", "Other wells", "", lambda user, params: {})
    with pytest.raises(ep.ExtensionError, match=r"already declared by tests\.exampleapp"):
        ep.registry.register(layer, origin="another app")
    with pytest.raises(ep.ExtensionError, match="not a declaration of a known kind"):
        ep.registry.register(object(), origin="another app")

    class Module:
        map_layers = [ep.MenuEntry("x", "X", "home")]

    with pytest.raises(ep.ExtensionError, match="not a MapLayer"):
        ep.registry.load_module(Module, origin="bad.extensions")
    # Registering the same declaration again (a second ready()) changes nothing.
    ep.registry.register(ep.registry.get(ep.MapLayer, "wells"), origin="again")


def test_override_adds_for_a_block_and_restores_exactly():
    before = [m.key for m in ep.items(ep.MenuEntry)]
    extra = ep.MenuEntry("temporary", "Temporary", "home", order=1)
    with ep.override(extra):
        assert ep.items(ep.MenuEntry)[0].key == "temporary"
    with ep.override(replace=(ep.MenuEntry,)):
        assert ep.items(ep.MenuEntry) == []
    assert [m.key for m in ep.items(ep.MenuEntry)] == before


def test_the_system_check_names_what_is_wrong():
    bad = [
        ep.MenuEntry("nowhere", "Nowhere", "no:such-page"),
        ep.CockpitPanel("blank", "Blank", "", "no/such/template.html", lambda u, n, t: {}),
        ep.RelatedPanel("lost", "nosuch.model", "", lambda obj, user: None),
        ep.MapLayerAddon("orphan", "no-such-layer", "", lambda u, p, ids: {}),
        ep.Grant("stray", "no-such-role", ("core.view_orgunit",)),
    ]
    with ep.override(*bad):
        found = {e.id: e.msg for e in check_extensions()}
        messages = " ".join(e.msg for e in check_extensions())
    assert set(found) == {
        "streetbrain.E001",
        "streetbrain.E002",
        "streetbrain.E003",
        "streetbrain.E004",
        "streetbrain.E005",
    }
    for key in ("nowhere", "blank", "lost", "orphan", "stray"):
        assert repr(key) in messages
