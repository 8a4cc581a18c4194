"""What the case engine contributes through the extension points: its layers of the one map
and the open cases it counts on the grid cells and communities, its kind in the one search,
its key figures and cockpit panels, its menu entry and the notifications in the top bar, a
shop's cases on the registry's pages and an enterprise's on the building brain's, its roles
(受理员, 值班长, 派遣员, 处置人员) and its permissions for the core's roles, its periodic tasks."""

import django_filters
from django.utils.translation import gettext_lazy as _

from streetbrain.core.dataio import ReportColumn
from streetbrain.core.extension_points import (
    CockpitPanel,
    Grant,
    HeaderLink,
    ListExtra,
    MapLayer,
    MapLayerAddon,
    MenuEntry,
    MenuItem,
    PeriodicTask,
    RelatedPanel,
    Role,
    UrlMount,
)
from streetbrain.core.roles import VIEW_ORG
from streetbrain.registry.permissions import CODE_TABLES, THINGS

from . import maplayers, panels, related
from .figures import FIGURES
from .models import State
from .search import CASES

CASES_VIEW = ("cases.view_case", "cases.view_report", "cases.view_caseevent")


def _configuration(user) -> str | None:
    """The first configuration page the user may open."""
    for permission, url_name in (
        ("cases.view_routingrule", "cases:routing_list"),
        ("cases.view_timelimitstandard", "cases:timelimit_list"),
        ("cases.view_sensor", "cases:sensor_list"),
    ):
        if user.has_perm(permission):
            return url_name
    return None


search_providers = [CASES]

map_layers = [
    MapLayer(
        "cases",
        _("Cases"),
        "cases.view_case",
        maplayers.case_layer,
        order=80,
        default_on=True,
        style="cases",
        controls="cases/map/controls.html",
        legend="cases/map/legend.html",
        controls_context=lambda: {"case_states": list(State.choices)},
        refresh=maplayers.refresh_density,
    ),
    MapLayer(
        "sensors",
        _("Sensors"),
        "cases.view_case",
        maplayers.sensor_layer,
        order=90,
        color="#7a3fb0",
    ),
]

map_layer_addons = [
    MapLayerAddon(
        "cases.open.communities",
        "communities",
        "cases.view_case",
        maplayers.open_cases("community"),
        defaults={"open_cases": 0},
    ),
    MapLayerAddon(
        "cases.open.grids",
        "grids",
        "cases.view_case",
        maplayers.open_cases("grid"),
        defaults={"open_cases": 0},
    ),
]

figures = FIGURES

cockpit_panels = [
    CockpitPanel(
        "cases",
        _("Cases"),
        "cases.view_case",
        "cases/cockpit/figures.html",
        panels.figures,
        order=10,
        width=8,
    ),
    CockpitPanel(
        "feed",
        _("New reports"),
        "cases.view_case",
        "cases/cockpit/feed.html",
        panels.feed,
        order=20,
        width=4,
        rows=2,
        poll=15,
    ),
    CockpitPanel(
        "community",
        _("This month by community"),
        "cases.view_case",
        "cases/cockpit/by_community.html",
        panels.by_community,
        order=30,
        width=4,
    ),
    CockpitPanel(
        "class",
        _("This month by class"),
        "cases.view_case",
        "cases/cockpit/by_class.html",
        panels.by_class,
        order=40,
        width=4,
    ),
]

menu = [
    MenuEntry(
        "cases",
        _("Cases"),
        "cases:index",
        _("Reports, dispatch, handling, verification, evaluation (一键通达, 一网通管)"),
        order=40,
        children=(
            MenuItem(_("Register a report"), "cases:report_new", "cases.add_case"),
            MenuItem(
                _("Grid worker's phone page"), "report:grid", "cases.verify_case,cases.add_case"
            ),
            MenuItem(_("Evaluation"), "cases:evaluation"),
            MenuItem(_("Notifications"), "cases:notifications"),
            MenuItem(_("Case configuration"), _configuration),
        ),
    ),
]

header_links = [
    HeaderLink(
        "notif",
        _("Notifications"),
        "cases:notifications",
        lambda user: user.case_notifications.filter(read_at__isnull=True).count(),
    ),
]

related_panels = [
    RelatedPanel("cases.shop", "registry.shop", "cases.view_case", related.shop_cases),
    RelatedPanel(
        "cases.enterprise",
        "economy.enterprise",
        "cases.view_case",
        related.enterprise_cases,
        template="cases/related/enterprise_cases.html",
    ),
]

list_extras = [
    ListExtra(
        "cases.shop_counts",
        "registry.shop",
        "cases.view_case",
        annotate=related.with_shop_counts,
        columns=related.SHOP_COLUMNS,
        filters={
            "has_open_cases": django_filters.BooleanFilter(
                method=related.filter_open_cases, label=_("Has open cases")
            )
        },
        report=(
            ReportColumn("未结案件数", "report_open_cases", related.open_cases_of_shops()),
            ReportColumn("案件总数", "report_all_cases", related.all_cases_of_shops()),
        ),
    ),
]

roles = [
    Role(
        "acceptor",
        _("Intake clerk"),
        _("Registers reports from calls and the 12345 hotline (受理员)."),
        (
            *VIEW_ORG,
            *CODE_TABLES,
            *THINGS,
            "registry.view_house",
            *CASES_VIEW,
            "cases.add_case",
            "cases.accept_case",
            "cases.view_timelimitstandard",
        ),
        order=20,
    ),
    Role(
        "shiftlead",
        _("Shift leader"),
        _("Registers (立案) and closes (结案) cases (值班长)."),
        (
            *VIEW_ORG,
            "core.view_user",
            *CODE_TABLES,
            *THINGS,
            *CASES_VIEW,
            "cases.add_case",
            "cases.accept_case",
            "cases.register_case",
            "cases.approve_case",
            "cases.reopen_case",
            "cases.view_timelimitstandard",
            "cases.view_routingrule",
        ),
        order=30,
    ),
    Role(
        "dispatcher",
        _("Dispatcher"),
        _("Dispatches cases to the responsible department (派遣员)."),
        (
            *VIEW_ORG,
            *CODE_TABLES,
            *THINGS,
            *CASES_VIEW,
            "cases.dispatch_case",
            "cases.view_routingrule",
        ),
        order=40,
    ),
    Role(
        "handler",
        _("Department handler"),
        _("Handles the cases dispatched to their department (处置人员)."),
        (
            *VIEW_ORG,
            *CODE_TABLES,
            "registry.view_facility",
            "registry.view_shop",
            *CASES_VIEW,
            "cases.handle_case",
        ),
        order=60,
    ),
]

grants = [
    Grant("cases.leader", "leader", (*CASES_VIEW, "cases.reopen_case")),
    Grant("cases.gridworker", "gridworker", (*CASES_VIEW, "cases.add_case", "cases.verify_case")),
    Grant(
        "cases.dataadmin",
        "dataadmin",
        (
            *CASES_VIEW,
            *(
                f"cases.{a}_{m}"
                for m in ("timelimitstandard", "routingrule", "sensor", "serviceattribute")
                for a in ("view", "add", "change", "delete")
            ),
            "cases.view_apikey",
        ),
    ),
]

periodic_tasks = [
    PeriodicTask("flag-case-deadlines", "streetbrain.cases.tasks.flag_deadlines", 300),
    PeriodicTask("refresh-case-stats", "streetbrain.cases.tasks.refresh_stats", 900),
    # Incoming reports start the intake queue themselves; this catches a lost start.
    PeriodicTask("process-intake", "streetbrain.cases.tasks.process_intake", 30),
]

url_mounts = [
    UrlMount("cases", "cases/", "streetbrain.cases.urls", order=40),
    UrlMount("cases.public", "report/", "streetbrain.cases.channels.urls", order=41),
    UrlMount("cases.open311", "open311/v2/", "streetbrain.cases.channels.open311.urls", order=42),
    UrlMount("cases.api", "cases/", "streetbrain.cases.api.urls", api=True, order=40),
]
