"""What 招商 contributes through the extension points: its pages and API, its menu entry, its
cockpit panel (the funnel and 去化), the parks' map layer (criteria against targets), leads
and parks in the one search, the 招商专员 role and
what the leaders see, and the nightly recomputation of the whitelist."""

from django.utils.translation import gettext_lazy as _

from streetbrain.core.extension_points import (
    CockpitPanel,
    Grant,
    MapLayer,
    MenuEntry,
    PeriodicTask,
    Role,
    UrlMount,
)
from streetbrain.core.roles import VIEW_ORG
from streetbrain.registry.permissions import CODE_TABLES

from . import maplayers, panels, search

INVESTMENT_VIEW = tuple(
    f"investment.view_{m}"
    for m in (
        "whitelistfactor",
        "industryoverride",
        "whitelistrun",
        "whitelistentry",
        "lead",
        "leadevent",
        "park",
        "parkcriterion",
        "ecommerceprofile",
        "ecommerceturnover",
    )
)
INVESTMENT_KEEP = (
    "investment.add_lead",
    "investment.change_lead",
    "investment.change_whitelistfactor",
    "investment.add_industryoverride",
    "investment.add_whitelistrun",
    "investment.publish_whitelistrun",
    "investment.change_parkcriterion",
    "investment.add_ecommerceprofile",
    "investment.change_ecommerceprofile",
    "investment.add_ecommerceturnover",
    "investment.change_ecommerceturnover",
)
# What signing needs of the building economy: see its space, register the company, lease;
# and the chains' class lists the whitelist's chain gap reads, changed with a reason.
ECONOMY_FOR_SIGNING = (
    "economy.view_industrychain",
    "economy.change_industrychain",
    "economy.view_officebuilding",
    "economy.view_floor",
    "economy.view_unit",
    "economy.change_unit",
    "economy.view_enterprise",
    "economy.add_enterprise",
    "economy.view_lease",
    "economy.add_lease",
    "economy.view_monthlyfigure",
    "economy.view_taxrecord",
    "economy.view_headcountrecord",
)

search_providers = search.PROVIDERS

map_layers = [
    MapLayer(
        "investment_parks",
        _("E-commerce parks (电商园区)"),
        "investment.view_park",
        maplayers.parks_layer,
        order=72,
        color="#c27c2c",
    )
]

cockpit_panels = [
    CockpitPanel(
        "investment",
        _("Investment promotion (招商)"),
        "investment.view_lead",
        "investment/cockpit.html",
        panels.funnel,
        order=55,
        width=6,
    ),
]

menu = [
    MenuEntry(
        "investment",
        _("Investment promotion"),
        "investment:index",
        _("Whitelist, leads, space matching, parks (招商)"),
        "investment.view_lead",
        order=55,
    ),
]

roles = [
    Role(
        "investment",
        _("Investment specialist"),
        _("Finds and follows companies to bring into the towers (招商专员)."),
        (
            *VIEW_ORG,
            "core.view_user",
            *CODE_TABLES,
            "registry.view_building",
            *INVESTMENT_VIEW,
            *INVESTMENT_KEEP,
            *ECONOMY_FOR_SIGNING,
        ),
        order=75,
    ),
]

grants = [Grant("investment.leader", "leader", INVESTMENT_VIEW)]

periodic_tasks = [
    PeriodicTask("investment-whitelist", "streetbrain.investment.tasks.recompute", 86400),
]

url_mounts = [
    UrlMount("investment", "investment/", "streetbrain.investment.urls", order=55),
    UrlMount(
        "investment.api", "investment/", "streetbrain.investment.api.urls", api=True, order=55
    ),
]
