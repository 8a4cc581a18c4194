"""What the cooperatives (股改一社一策) contribute through the extension points: their
dashboard on the cockpit, the menu entry, the one search, the 农经 role and the leaders'
view, and their pages and API."""

from django.utils.translation import gettext_lazy as _

from streetbrain.core.extension_points import (
    CockpitPanel,
    Grant,
    MenuEntry,
    ReservedClasses,
    Role,
    UrlMount,
)
from streetbrain.core.roles import VIEW_ORG

from . import disputes, panels, search

MODELS = (
    "cooperative",
    "shareclass",
    "member",
    "asset",
    "annualaccount",
    "indicator",
    "colourband",
    "grade",
    "plan",
    "measure",
    "exitprocess",
    "cooperativeevent",
    "dispute",
)
COOPERATIVES_VIEW = tuple(f"cooperatives.view_{m}" for m in MODELS)
COOPERATIVES_KEEP = tuple(
    f"cooperatives.{a}_{m}"
    for m in ("cooperative", "shareclass", "member", "asset", "annualaccount", "plan", "measure")
    for a in ("add", "change")
)

search_providers = search.PROVIDERS

cockpit_panels = [
    CockpitPanel(
        "cooperatives",
        _("Shareholding cooperatives"),
        "cooperatives.view_cooperative",
        "cooperatives/cockpit/panel.html",
        panels.colours,
        order=60,
        width=4,
    ),
]

menu = [
    MenuEntry(
        "cooperatives",
        _("Cooperatives"),
        "cooperatives:index",
        _("The shareholding cooperatives under 红黄绿 management (股改一社一策)"),
        order=60,
    ),
]

roles = [
    Role(
        "cooperatives",
        _("Collective economy officer"),
        _("Grades the shareholding cooperatives, keeps their plans and leads the exits (农经)."),
        (
            *VIEW_ORG,
            "registry.view_resident",
            *COOPERATIVES_VIEW,
            *COOPERATIVES_KEEP,
            "cooperatives.grade_cooperative",
            "cooperatives.exit_cooperative",
            "cooperatives.reveal_member",
            "cooperatives.add_dispute",
        ),
        order=80,
    ),
]

grants = [
    Grant(
        "cooperatives.leader",
        "leader",
        tuple(p for p in COOPERATIVES_VIEW if p != "cooperatives.view_member"),
    ),
]

url_mounts = [
    UrlMount("cooperatives", "cooperatives/", "streetbrain.cooperatives.urls", order=60),
    UrlMount(
        "cooperatives.api", "cooperatives/", "streetbrain.cooperatives.api.urls", api=True, order=60
    ),
]

# The disputes' and petitions' classes (91001, 91002) are filed on a cooperative's page, linked
# to it: the residents' report form and Open311's service list do not offer them.
reserved_classes = [ReservedClasses("cooperatives.disputes", major_codes=(disputes.MAJOR_CODE,))]
