"""What the business districts (商圈共生共荣) contribute through the extension points: the
districts' and malls' outlines on the one map, districts, malls and stores in the one search,
the cockpit's panel (sales this year against the target, first stores), the menu entry, the
商圈办 role and the districts' lists for the street leader, and the URL mounts."""

from django.utils.translation import gettext_lazy as _

from streetbrain.core.extension_points import (
    CockpitPanel,
    Grant,
    MapLayer,
    MenuEntry,
    MenuItem,
    RelatedPanel,
    Role,
    UrlMount,
)
from streetbrain.core.roles import VIEW_ORG

from . import maplayers, panels, related, search

MODELS = ("businessdistrict", "complex", "store", "firststore", "salesrecord", "campaign")
DISTRICTS_VIEW = tuple(f"districts.view_{m}" for m in MODELS)
# The office keeps the registers and the sales, adds malls to its districts and sets their
# yearly targets; districts (outlines) are set up by the administrator (or the demo).
DISTRICTS_KEEP = tuple(
    f"districts.{a}_{m}"
    for m in ("complex", "store", "firststore", "salesrecord", "campaign")
    for a in ("add", "change")
)

search_providers = search.PROVIDERS

map_layers = [
    MapLayer(
        "districts",
        _("Business districts"),
        "districts.view_businessdistrict",
        maplayers.districts_layer,
        attribution="© OpenStreetMap contributors (ODbL)",
        order=70,
        style="areas",
    )
]

cockpit_panels = [
    CockpitPanel(
        "districts",
        _("Business districts"),
        "districts.view_salesrecord",
        "districts/cockpit/panel.html",
        panels.districts_panel,
        order=55,
        width=6,
    ),
]

menu = [
    MenuEntry(
        "districts",
        _("Business districts"),
        "districts:index",
        _("The 百亿商圈: malls, stores, first stores, sales, 消费联盟 (商圈共生共荣)"),
        "districts.view_businessdistrict",
        order=55,
        children=(
            MenuItem(_("Stores"), "districts:store_list", "districts.view_store"),
            MenuItem(_("First stores"), "districts:firststore_list", "districts.view_firststore"),
            MenuItem(
                _("Monthly sales"), "districts:salesrecord_list", "districts.view_salesrecord"
            ),
            MenuItem(
                _("Consumption campaigns"), "districts:campaign_list", "districts.view_campaign"
            ),
        ),
    ),
]

related_panels = [
    RelatedPanel(
        "districts.shop", "registry.shop", "districts.view_store", related.stores_of_shop, order=80
    ),
    RelatedPanel(
        "districts.enterprise",
        "economy.enterprise",
        "districts.view_store",
        related.stores_of_enterprise,
        order=80,
    ),
]

roles = [
    Role(
        "district_office",
        _("Business-district office (商圈办)"),
        _("Looks after the business districts: stores, first stores, sales and campaigns."),
        (
            *VIEW_ORG,
            "registry.view_shop",
            "economy.view_enterprise",
            *DISTRICTS_VIEW,
            *DISTRICTS_KEEP,
            "districts.change_businessdistrict",
        ),
        order=75,
    ),
]

grants = [Grant("districts.leader", "leader", DISTRICTS_VIEW)]

url_mounts = [
    UrlMount("districts", "districts/", "streetbrain.districts.urls", order=55),
    UrlMount("districts.api", "districts/", "streetbrain.districts.api.urls", api=True, order=55),
]
