"""Key figures: named numbers per org unit, precomputed so pages never count live.

Each domain registers its figures here (``register``); ``actions.refresh_key_figures``
computes all of them for every unit in one pass and stores them as ``KeyFigure`` rows.
A figure function takes the list of units and returns {unit id: value}.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    unit: str
    compute: Callable[[list], dict[int, float]]
    link: str = ""  # URL name of the list behind the figure
    order: int = 100
    levels: tuple[str, ...] = ("city", "district", "street", "community", "grid")
    # Who may see the figure: the permission of the list behind it (a count is a view of
    # that list); empty for figures anyone may see.
    permission: str = ""
    # Counted per org unit: a user scoped to a department (条), whose list shows only what was
    # dispatched to it, would see more in the count than in the list. Hide it from them.
    unit_scope_only: bool = False


FIGURES: dict[str, Figure] = {}


def register(figure: Figure) -> Figure:
    FIGURES[figure.key] = figure
    return figure


def subtree_counts(units: Iterable, per_path: dict[str, float]) -> dict[int, float]:
    """Sum values given per org-unit path (usually per grid cell) up the tree: each unit gets
    the total of its subtree. One pass over the paths, whatever the number of rows counted."""
    from .scoping import ancestor_paths

    totals: dict[str, float] = {}
    for path, value in per_path.items():
        for prefix in (*ancestor_paths(path), path):
            totals[prefix] = totals.get(prefix, 0.0) + value
    return {u.pk: float(totals.get(u.path, 0.0)) for u in units}


def count_per_unit(queryset, units, path_lookup: str = "org_unit__path") -> dict[int, float]:
    """Counts of ``queryset`` rows for every unit's subtree, from one GROUP BY query."""
    rows = queryset.order_by().values_list(path_lookup).annotate(n=Count("pk"))
    return subtree_counts(units, {path: n for path, n in rows})


def _count_descendants(units: Iterable, level: str) -> dict[int, float]:
    from .models import OrgUnit

    rows = list(OrgUnit.objects.filter(level=level).values_list("path", flat=True))
    return {
        u.pk: float(sum(1 for p in rows if p.startswith(u.path) and p != u.path)) for u in units
    }


def _area_km2(units) -> dict[int, float]:
    return {u.pk: round((u.area_m2 or 0) / 1e6, 2) for u in units}


def _departments(units) -> dict[int, float]:
    from .models import Department

    rows = list(Department.objects.filter(is_active=True).values_list("org_unit__path", flat=True))
    # A unit is served by the departments of its own subtree and of its ancestors.
    return {
        u.pk: float(sum(1 for p in rows if p.startswith(u.path) or u.path.startswith(p)))
        for u in units
    }


def _users(units) -> dict[int, float]:
    from .models import User

    counts = dict(
        User.objects.filter(is_active=True, org_unit__isnull=False)
        .values_list("org_unit__path")
        .annotate(n=Count("pk"))
        .values_list("org_unit__path", "n")
    )
    return {u.pk: float(sum(n for p, n in counts.items() if p.startswith(u.path))) for u in units}


ABOVE_COMMUNITY = ("city", "district", "street")
ABOVE_GRID = (*ABOVE_COMMUNITY, "community")

register(
    Figure(
        "communities",
        _("Communities"),
        "",
        lambda units: _count_descendants(units, "community"),
        "core:community_list",
        10,
        ABOVE_COMMUNITY,
        "core.view_orgunit",
    )
)
register(
    Figure(
        "grids",
        _("Grid cells"),
        "",
        lambda units: _count_descendants(units, "grid"),
        "core:grid_list",
        20,
        ABOVE_GRID,
        "core.view_orgunit",
    )
)
register(Figure("area_km2", _("Area"), "km²", _area_km2, "", 30))
register(
    Figure(
        "departments",
        _("Departments"),
        "",
        _departments,
        "core:department_list",
        40,
        permission="core.view_department",
    )
)
register(
    Figure(
        "users",
        _("Staff accounts"),
        "",
        _users,
        "core:user_list",
        50,
        permission="core.view_user",
    )
)
