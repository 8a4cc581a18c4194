"""What party building (党建) contributes through the extension points: the towers' coverage
on the map and the cockpit, the menu entry, the one search, the 党建办 role and the leaders'
view, its pages and API."""

from django.utils.translation import gettext_lazy as _

from streetbrain.core.extension_points import (
    CockpitPanel,
    Grant,
    MapLayer,
    MenuEntry,
    Role,
    UrlMount,
)
from streetbrain.core.roles import VIEW_ORG

from . import maplayers, panels, search

MODELS = ("organisation", "partymember", "alliance", "activity", "starindicator", "starrating")
PARTY_VIEW = tuple(f"party.view_{m}" for m in MODELS)
PARTY_KEEP = tuple(
    f"party.{a}_{m}"
    for m in ("organisation", "partymember", "alliance", "activity", "starrating")
    for a in ("add", "change")
)
# The coverage reads the towers, their tenants and headcounts.
ECONOMY_READ = (
    "economy.view_officebuilding",
    "economy.view_enterprise",
    "economy.view_lease",
    "economy.view_headcountrecord",
    "registry.view_building",
)

search_providers = search.PROVIDERS

map_layers = [
    MapLayer(
        "party_coverage",
        _("Party coverage of the towers"),
        "party.view_organisation",
        maplayers.coverage_layer,
        order=70,
        color="#b71c1c",
    )
]

cockpit_panels = [
    CockpitPanel(
        "party",
        _("Party building"),
        "party.view_organisation",
        "party/cockpit/panel.html",
        panels.towers,
        order=65,
        width=4,
    ),
]

menu = [
    MenuEntry(
        "party",
        _("Party building"),
        "party:index",
        _("Party organisations in the towers and enterprises, coverage, alliances (党建)"),
        order=65,
    ),
]

roles = [
    Role(
        "party",
        _("Party-building officer"),
        _("Keeps the party organisations, their members and activities (党建办)."),
        (*VIEW_ORG, *ECONOMY_READ, *PARTY_VIEW, *PARTY_KEEP, "party.reveal_partymember"),
        order=85,
    ),
]

grants = [
    Grant(
        "party.leader",
        "leader",
        tuple(p for p in PARTY_VIEW if p != "party.view_partymember"),
    ),
]

url_mounts = [
    UrlMount("party", "party/", "streetbrain.party.urls", order=65),
    UrlMount("party.api", "party/", "streetbrain.party.api.urls", api=True, order=65),
]
