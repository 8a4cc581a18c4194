"""What the 人房物 registry contributes through the extension points: its layers of the one
map and the population it adds to the grid cells and communities, its kinds in the one
search, its key figures, its panel on the cockpit, its menu entry, and its lists for the
roles of the core (the street leader, the grid worker, the data administrator)."""

from django.utils.translation import gettext_lazy as _

from streetbrain.core.extension_points import (
    CockpitPanel,
    Grant,
    MapLayer,
    MapLayerAddon,
    MenuEntry,
    MenuItem,
    UrlMount,
)
from streetbrain.core.maps.layers import OSM_ATTRIBUTION

from . import maplayers, panels, search
from .figures import FIGURES
from .permissions import CODE_TABLES, KEPT, PEOPLE, THINGS, crud

search_providers = search.PROVIDERS

map_layers = [
    MapLayer(
        "buildings",
        _("Buildings"),
        "registry.view_building",
        maplayers.building_layer,
        OSM_ATTRIBUTION,
        order=40,
        default_on=True,
        style="buildings",
    ),
    MapLayer(
        "landmarks",
        _("Landmarks (OpenStreetMap)"),
        "registry.view_building",
        maplayers.landmark_layer,
        OSM_ATTRIBUTION,
        order=50,
        style="landmarks",
    ),
    MapLayer(
        "facilities",
        _("Facilities"),
        "registry.view_facility",
        maplayers.facility_layer,
        order=60,
        style="facilities",
    ),
    MapLayer(
        "shops",
        _("Street shops"),
        "registry.view_shop",
        maplayers.shop_layer,
        order=70,
        style="shops",
    ),
]

map_layer_addons = [
    MapLayerAddon(
        "registry.population.communities",
        "communities",
        "registry.view_resident",
        maplayers.population("community"),
    ),
    MapLayerAddon(
        "registry.population.grids",
        "grids",
        "registry.view_resident",
        maplayers.population("grid"),
    ),
]

figures = FIGURES

cockpit_panels = [
    CockpitPanel(
        "people",
        _("Population by community"),
        "registry.view_resident",
        "registry/cockpit/people.html",
        panels.people,
        order=60,
        width=6,
    ),
]

menu = [
    MenuEntry(
        "registry",
        _("People, houses, things"),
        "registry:index",
        _("Residents, houses, buildings, facilities, street shops (人房物, 一表通查)"),
        order=30,
        children=(
            MenuItem(_("Residents"), "registry:resident_list", "registry.view_resident"),
            MenuItem(_("Houses"), "registry:house_list", "registry.view_house"),
            MenuItem(_("Buildings"), "registry:building_list", "registry.view_building"),
            MenuItem(_("Facilities"), "registry:facility_list", "registry.view_facility"),
            MenuItem(_("Street shops"), "registry:shop_list", "registry.view_shop"),
        ),
    ),
]

grants = [
    Grant("registry.leader", "leader", (*CODE_TABLES, *THINGS, *PEOPLE)),
    Grant(
        "registry.gridworker",
        "gridworker",
        (*CODE_TABLES, *crud(*KEPT), "registry.reveal_personal_data"),
    ),
    Grant(
        "registry.dataadmin",
        "dataadmin",
        (
            *CODE_TABLES,
            *crud(*KEPT),
            *(f"registry.delete_{m}" for m in KEPT),
            "registry.reveal_personal_data",
        ),
    ),
]

url_mounts = [
    UrlMount("registry", "registry/", "streetbrain.registry.urls", order=30),
    UrlMount("registry.api", "registry/", "streetbrain.registry.api.urls", api=True, order=30),
]
