"""The projects' kinds in the one search: projects by name or code, plots (on the map at their
centre), metro-7 sites (at their point) and hard cases by title."""

from django.utils.translation import gettext_lazy as _

from streetbrain.core.extension_points import SearchProvider
from streetbrain.core.search import at_point, has_point

PROVIDERS = [
    SearchProvider(
        "projects",
        _("Projects"),
        "projects.Project",
        codes=("code",),
        describe=lambda p: p.get_kind_display(),
        order=60,
    ),
    SearchProvider(
        "plots",
        _("Plots"),
        "projects.Plot",
        codes=("code",),
        describe=lambda p: p.project.name,
        select_related=("project",),
        order=61,
        map_kind="plot",
        map_order=61,
        map_filter=has_point("centroid_lon", "centroid_lat"),
        locate=at_point("centroid_lon", "centroid_lat"),
    ),
    SearchProvider(
        "sites",
        _("Metro sites"),
        "projects.Site",
        describe=lambda s: s.project.name,
        select_related=("project",),
        order=62,
        map_kind="site",
        map_order=62,
        map_filter=has_point(),
        locate=at_point(),
    ),
    SearchProvider(
        "hard_cases",
        _("Hard cases"),
        "projects.HardCase",
        name="title",
        describe=lambda h: f"{h.plot.name} · {h.leader}",
        select_related=("plot", "leader"),
        order=63,
    ),
]
