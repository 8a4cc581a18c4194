"""What the building brain (楼宇大脑) contributes through the extension points: each tower's
figures on the registry's buildings of the one map, towers and enterprises in the one
search, its panel on the cockpit, its menu entry, the 楼宇专员 role and its lists for the
street leader, and its nightly recomputation."""

from django.utils.translation import gettext_lazy as _

from streetbrain.core.extension_points import (
    CockpitPanel,
    Grant,
    MapLayerAddon,
    MenuEntry,
    PeriodicTask,
    Role,
    UrlMount,
)
from streetbrain.core.roles import VIEW_ORG
from streetbrain.registry.permissions import CODE_TABLES

from . import maplayers, panels, search
from .figures import FIGURES

# Everything of the building economy can be seen by its people and the leaders; the building
# specialists keep its data (space, enterprises, leases, tax, headcount) and handle the
# move-out warnings. The figures and the timelines are written by the system only.
ECONOMY_VIEW = tuple(
    f"economy.view_{m}"
    for m in (
        "industrychain",
        "officebuilding",
        "floor",
        "unit",
        "enterprise",
        "headcountrecord",
        "taxrecord",
        "lease",
        "enterpriseevent",
        "moveoutwarning",
        "warningevent",
        "monthlyfigure",
    )
)
ECONOMY_KEEP = tuple(
    f"economy.{a}_{m}"
    for m in (
        "officebuilding",
        "floor",
        "unit",
        "enterprise",
        "headcountrecord",
        "taxrecord",
        "lease",
    )
    for a in ("add", "change")
)
search_providers = search.PROVIDERS
figures = FIGURES

map_layer_addons = [
    MapLayerAddon(
        "economy.towers",
        "buildings",
        "economy.view_monthlyfigure",
        maplayers.tower_figures,
    ),
]

cockpit_panels = [
    CockpitPanel(
        "economy",
        _("Building economy"),
        "economy.view_monthlyfigure",
        "economy/cockpit/figures.html",
        panels.figures,
        order=50,
        width=6,
    ),
]

menu = [
    MenuEntry(
        "economy",
        _("Building brain"),
        "economy:index",
        _("Towers, space, enterprises, tax, move-out warnings (楼宇大脑)"),
        order=50,
    ),
]

roles = [
    Role(
        "building",
        _("Building specialist"),
        _("Looks after the office towers and their enterprises (楼宇专员)."),
        (
            *VIEW_ORG,
            "core.view_user",
            *CODE_TABLES,
            "registry.view_building",
            "registry.view_shop",
            *ECONOMY_VIEW,
            *ECONOMY_KEEP,
            "economy.add_moveoutwarning",
            "economy.change_moveoutwarning",
            "economy.assign_moveoutwarning",
        ),
        order=70,
    ),
]

grants = [
    Grant("economy.leader", "leader", (*ECONOMY_VIEW, "economy.assign_moveoutwarning")),
]

periodic_tasks = [
    # The building economy's monthly figures, then the move-out warnings of the last month.
    PeriodicTask("economy-nightly", "streetbrain.economy.tasks.nightly", 86400),
]

url_mounts = [
    UrlMount("economy", "economy/", "streetbrain.economy.urls", order=50),
    UrlMount("economy.api", "economy/", "streetbrain.economy.api.urls", api=True, order=50),
]
