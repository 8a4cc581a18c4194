"""What the record linkage adds to the platform: its pages and API, its menu entry, its panel
on the cockpit, its records in the one search, the clerk's role and the leader's view of it.
Nothing else in the platform names this app."""

from django.utils.translation import gettext_lazy as _

from streetbrain.core.extension_points import CockpitPanel, Grant, MenuEntry, Role, UrlMount
from streetbrain.core.roles import VIEW_ORG

from . import panels, search

LINKAGE_VIEW = (
    "linkage.view_source",
    "linkage.view_stagedrecord",
    "linkage.view_decision",
    "linkage.view_conflict",
    "linkage.view_fieldlineage",
    "linkage.view_outboxexport",
)

menu = [
    MenuEntry(
        "linkage",
        _("Record linkage"),
        "linkage:source_list",
        _("Departments' sheets linked to the registry, review queue, outboxes (最多报一次)"),
        "linkage.view_source",
        order=60,
    ),
]

roles = [
    Role(
        "linkage",
        _("Data linkage clerk"),
        _("Loads departments' sheets, works the review queue and the conflicts, sends outboxes."),
        (
            *VIEW_ORG,
            "registry.view_resident",
            "registry.change_resident",
            "registry.view_house",
            "registry.view_building",
            "registry.view_household",
            "registry.reveal_personal_data",
            *LINKAGE_VIEW,
            "linkage.add_source",
            "linkage.change_source",
            "linkage.add_decision",
            "linkage.change_conflict",
            "linkage.add_outboxexport",
        ),
        order=80,
    ),
]

grants = [Grant("linkage.leader", "leader", LINKAGE_VIEW)]

search_providers = search.PROVIDERS

cockpit_panels = [
    CockpitPanel(
        "linkage",
        _("Record linkage"),
        "linkage.view_source",
        "linkage/cockpit/panel.html",
        panels.linkage,
        order=70,
        width=6,
    ),
]

url_mounts = [
    UrlMount("linkage", "linkage/", "streetbrain.linkage.urls", order=60),
    UrlMount("linkage.api", "linkage/", "streetbrain.linkage.api.urls", api=True, order=60),
]
