"""What the key projects (项目为王) contribute through the extension points: the computations
their indicators name (the economy's 去化 and tax, the cases near the metro sites, the
campaign's own m² and households), the plots and sites on the map, the projects in the one
search, the cockpit's panel, the menu, the 项目办 role and what the street leader gets, the
nightly escalation of hard cases, and the pages and API."""

from django.utils.translation import gettext_lazy as _

from streetbrain.core.extension_points import (
    CockpitPanel,
    Grant,
    HeaderLink,
    MapLayer,
    Measure,
    MenuEntry,
    MenuItem,
    PeriodicTask,
    Role,
    UrlMount,
)
from streetbrain.core.roles import VIEW_ORG

from . import maplayers, panels, search
from . import measures as compute

MODELS = (
    "project",
    "taskforcemember",
    "milestone",
    "projectevent",
    "streetindicator",
    "indicatortarget",
    "indicatoractual",
    "projectindicator",
    "indicatorreport",
    "plot",
    "household",
    "householdevent",
    "hardcase",
    "hardcasestep",
    "site",
    "siteissue",
    "meeting",
    "followup",
    "hardcasenotice",
)
PROJECTS_VIEW = tuple(f"projects.view_{m}" for m in MODELS)
EVENTS = ("projectevent", "householdevent", "hardcasestep", "hardcasenotice")  # view only
PROJECTS_KEEP = tuple(
    f"projects.{a}_{m}" for m in MODELS if m not in EVENTS for a in ("add", "change")
)

search_providers = search.PROVIDERS

map_layers = [
    MapLayer(
        "demolition_plots",
        _("Demolition plots"),
        "projects.view_plot",
        maplayers.plots_layer,
        order=70,
        style="areas",
    ),
    MapLayer(
        "metro_sites",
        _("Metro-7 sites"),
        "projects.view_site",
        maplayers.sites_layer,
        order=71,
        color="#7b3fa0",
    ),
]

cockpit_panels = [
    CockpitPanel(
        "projects",
        _("Key projects"),
        "projects.view_project",
        "projects/cockpit/panel.html",
        panels.projects_panel,
        order=55,
        width=6,
    ),
]

menu = [
    MenuEntry(
        "projects",
        _("Key projects"),
        "projects:index",
        _("The ten projects, the five indicators, 拔钉清零 and the metro-7 task force"),
        "projects.view_project",
        order=55,
        children=(
            MenuItem(_("Board"), "projects:index", "projects.view_project"),
            MenuItem(
                _("Street indicators"), "projects:indicators", "projects.view_streetindicator"
            ),
            MenuItem(_("Plots"), "projects:plot_list", "projects.view_plot"),
            MenuItem(_("Hard cases"), "projects:hardcase_list", "projects.view_hardcase"),
        ),
    ),
]

roles = [
    Role(
        "projects",
        _("Project office"),
        _("Keeps the key projects, their reports, the campaign and the task forces (项目办)."),
        (
            *VIEW_ORG,
            "core.view_user",
            "cases.view_case",
            *PROJECTS_VIEW,
            *PROJECTS_KEEP,
            "projects.report_project",
            "projects.approve_project",
            "projects.reveal_household",
            "projects.delete_taskforcemember",
        ),
        order=75,
    ),
]

grants = [
    # The leaders see everything and work on the hard cases assigned to them (the actions let
    # a case's own leader record steps; the project office changes any).
    Grant("projects.leader", "leader", PROJECTS_VIEW),
]


def _escalated_to_me(user) -> int:
    """Open hard cases of the user's (包案) that are past their deadline: the badge is the
    escalation's notice, on the working calendar the case engine's notifications use."""
    from .models import HardCase

    return (
        HardCase.objects.restrict(user)
        .filter(leader=user, closed_at__isnull=True, escalated_at__isnull=False)
        .count()
    )


def _unread_notices(user) -> int:
    from .models import HardCaseNotice

    return HardCaseNotice.objects.restrict(user).filter(user=user, read_at__isnull=True).count()


header_links = [
    HeaderLink(
        "hardcase-notices",
        _("Hard-case notices"),
        "projects:notices",
        _unread_notices,
        permission="projects.view_hardcasenotice",
    ),
    HeaderLink(
        "hardcases",
        _("My overdue hard cases"),
        "projects:my_hardcases",
        _escalated_to_me,
        permission="projects.view_hardcase",
    ),
]

periodic_tasks = [
    PeriodicTask("projects-escalate", "streetbrain.projects.tasks.escalate", 3600),
]

url_mounts = [
    UrlMount("projects", "projects/", "streetbrain.projects.urls", order=55),
    UrlMount("projects.api", "projects/", "streetbrain.projects.api.urls", api=True, order=55),
]

measures = [
    Measure("economy.absorption_m2", _("去化 this year (m²)"), "m²", compute.absorption_m2),
    Measure("economy.tax", _("Street tax this year (万元)"), "万元", compute.tax_wan),
    Measure("cases.near_sites", _("Cases near the sites"), "", compute.cases_near_points),
    Measure("projects.demolished_m2", _("m² demolished"), "m²", compute.demolished_m2),
    Measure("projects.signed", _("Households signed"), "", compute.signed_households),
    Measure(
        "projects.hard_cases_cleared_m2",
        _("Hard cases cleared (m²)"),
        "m²",
        compute.hard_cases_cleared_m2,
    ),
]
