"""What AI企服 contributes through the extension points: its pages and API, its menu entry,
the policies in the one search, its cockpit panel, the enterprise's matches and notices on
the building brain's enterprise page, the roles 企服专员 (services) and 企业 (enterprise: an
enterprise's own account) with a grant for the street leader, and the nightly matching."""

from django.utils.translation import gettext_lazy as _

from streetbrain.core.extension_points import (
    CockpitPanel,
    Grant,
    MenuEntry,
    MenuItem,
    PeriodicTask,
    RelatedPanel,
    ReservedClasses,
    Role,
    SearchProvider,
    UrlMount,
)
from streetbrain.core.roles import VIEW_ORG

from . import panels, requests, views

SERVICES_VIEW = tuple(
    f"services.view_{m}"
    for m in ("policy", "clause", "match", "notice", "noticeevent", "enterprisefacts")
)
SERVICES_KEEP = (
    "services.add_policy",
    "services.change_policy",
    "services.add_match",  # start the matching
    "services.add_notice",
    "services.change_notice",
    "services.add_enterprisefacts",
    "services.change_enterprisefacts",
    "services.view_enterpriserequest",
)

url_mounts = [
    UrlMount("services", "services/", "streetbrain.services.urls", order=60),
    UrlMount("services.api", "services/", "streetbrain.services.api.urls", api=True, order=60),
]

menu = [
    MenuEntry(
        "services",
        _("Enterprise services"),
        "services:index",
        _("Policies matched to enterprises, with reasons; notices and grants (AI企服)"),
        permission="services.view_policy",
        order=55,
        children=(
            MenuItem(_("Policies"), "services:index", "services.view_policy"),
            MenuItem(_("Notices"), "services:notice_list", "services.view_notice"),
            MenuItem(_("Import policies"), "services:policy_import", "services.add_policy"),
        ),
    ),
    MenuEntry(
        "services.me",
        _("My enterprise"),
        "services:me",
        _("Policies matched to your enterprise, notices and requests"),
        permission="services.use_enterprise_page",
        order=56,
        group="account",
    ),
]

search_providers = [
    SearchProvider(
        "services.policies",
        _("Policies"),
        "services.Policy",
        name="title",
        codes=("doc_no",),
        others=("issuer",),
        describe=lambda p: p.doc_no or p.issuer,
        order=80,
    )
]

cockpit_panels = [
    CockpitPanel(
        "services",
        _("Enterprise services"),
        "services.view_match",
        "services/cockpit.html",
        panels.overview,
        order=55,
        width=6,
    )
]

related_panels = [
    RelatedPanel(
        "services.enterprise",
        "economy.enterprise",
        "services.view_match",
        views.enterprise_panel,
        template="services/related_enterprise.html",
        order=60,
    )
]

roles = [
    Role(
        "services",
        _("Enterprise services officer"),
        _("Matches policies to enterprises, sends notices and follows them (企服专员)."),
        (
            *VIEW_ORG,
            "economy.view_enterprise",
            "economy.view_officebuilding",
            "economy.view_taxrecord",
            "economy.view_headcountrecord",
            *SERVICES_VIEW,
            *SERVICES_KEEP,
        ),
        order=75,
    ),
    Role(
        "enterprise",
        _("Enterprise"),
        _("An enterprise's own account: its matched policies, notices and requests."),
        ("services.use_enterprise_page",),
        order=200,
    ),
]

grants = [Grant("services.leader", "leader", SERVICES_VIEW)]

periodic_tasks = [
    PeriodicTask("services-nightly", "streetbrain.services.tasks.recompute", 86400),
]

# The enterprises' 诉求 classes (90001–90009) are raised on the enterprise's own page: the
# residents' report form and Open311's service list do not offer them.
reserved_classes = [ReservedClasses("services.requests", major_codes=(requests.MAJOR_CODE,))]
