"""Key figures: named numbers per org unit, precomputed so pages never count live.

Each app declares its figures (``extension_points.Figure`` in its ``extensions.py``);
``refresh_key_figures`` computes all of them for every unit in one pass and stores them as
``KeyFigure`` rows. A figure function takes the list of units and returns {unit id: value}.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from . import extension_points as ep
from .models import Department, KeyFigure, OrgUnit, User
from .scoping import ancestor_paths, within


@dataclass
class Tile:
    """One big number with its label and the list behind it (the cockpit's tiles; the
    ``tile`` template tag draws it)."""

    key: str
    label: str
    value: float | None
    url: str = ""
    unit: str = ""
    kind: str = "count"  # count | rate | area | money


def refresh_key_figures() -> int:
    """Recompute every registered key figure for every org unit (street and below, and the
    units above it); returns the number of figures written."""
    units = list(OrgUnit.objects.all())
    now = timezone.now()
    rows = []
    for figure in ep.items(ep.Figure):
        values = figure.compute(units)
        rows.extend(
            KeyFigure(org_unit_id=unit_id, key=figure.key, value=value, computed_at=now)
            for unit_id, value in values.items()
        )
    with transaction.atomic():
        KeyFigure.objects.all().delete()
        KeyFigure.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def key_figures_for(unit: OrgUnit, user=None) -> list[dict]:
    """The figures of one unit in display order, with their labels and links to the lists
    behind them. With a ``user``, only the figures of lists that user may view, and none of a
    unit outside their own subtree (the street above a grid worker's grid)."""
    if user is not None and not within(user, unit.path):
        return []
    stored = {kf.key: kf for kf in KeyFigure.objects.filter(org_unit=unit)}
    out = []
    for figure in ep.items(ep.Figure):
        if unit.level not in figure.levels:
            continue
        if user is not None and figure.permission and not user.has_perm(figure.permission):
            continue
        if user is not None and figure.unit_scope_only and getattr(user, "department_id", None):
            continue
        kf = stored.get(figure.key)
        out.append(
            {
                "key": figure.key,
                "label": figure.label,
                "unit": figure.unit,
                "value": kf.value if kf else None,
                "computed_at": kf.computed_at if kf else None,
                "link": figure.link,
            }
        )
    return out


def compared_figures(units: list[OrgUnit], user) -> tuple[list[ep.Figure], dict]:
    """The figures compared side by side for ``units`` (the units below one unit: a
    district's streets, a street's communities): those whose list takes a unit
    (``unit_param``) and that ``user`` may see for every one of the units, with
    {(unit id, key): value} from the stored rows (one query)."""
    if not units:
        return [], {}
    levels = {u.level for u in units}
    if user is not None and not all(within(user, u.path) for u in units):
        return [], {}
    shown = [
        f
        for f in ep.items(ep.Figure)
        if f.unit_param
        and f.link
        and levels <= set(f.levels)
        and not (user is not None and f.permission and not user.has_perm(f.permission))
        and not (user is not None and f.unit_scope_only and getattr(user, "department_id", None))
    ]
    values = {
        (unit_id, key): value
        for unit_id, key, value in KeyFigure.objects.filter(
            org_unit__in=units, key__in=[f.key for f in shown]
        ).values_list("org_unit_id", "key", "value")
    }
    return shown, values


def stored_per_unit(user, ids: list[int], keys: dict[str, str]) -> dict[int, dict] | None:
    """{unit id: {name: value}} of the stored key figures ``keys`` ({figure key: name}) of the
    units ``ids``, for a user who sees the whole of each of them (scoped by unit, not by a
    department): what a count in the user's scope gives, as of the last refresh (the
    15-minute task), without counting millions of rows. None where that does not hold or
    nothing is stored yet: count live then."""
    if not ids or not _sees_whole(user, ids):
        return None
    out: dict[int, dict] = {}
    for unit_id, key, value in KeyFigure.objects.filter(
        org_unit_id__in=ids, key__in=list(keys)
    ).values_list("org_unit_id", "key", "value"):
        out.setdefault(unit_id, {})[keys[key]] = int(value)
    return out or None


def stored_figure(user, key: str) -> float | None:
    """The stored key figure ``key`` of the user's own unit, for a user who sees the whole of
    it (scoped by unit, not by a department), as of the last refresh; None where that does not
    hold or nothing is stored: compute it live then."""
    unit_id = getattr(user, "org_unit_id", None)
    if unit_id is None or not _sees_whole(user, [unit_id]):
        return None
    row = KeyFigure.objects.filter(org_unit_id=unit_id, key=key).values_list("value").first()
    return None if row is None else row[0]


def _sees_whole(user, ids: list[int]) -> bool:
    """Whether ``user`` sees every row of each unit ``ids`` (what its stored figures count)."""
    if getattr(user, "department_id", None):
        return False
    if user.is_superuser:
        return True
    unit = getattr(user, "org_unit", None)
    if unit is None or not within(user, unit.path):
        return False
    if set(ids) <= {unit.pk}:
        return True  # the user's own unit: no query to ask
    return not OrgUnit.objects.filter(pk__in=ids).exclude(path__startswith=unit.path).exists()


def subtree_counts(units: Iterable, per_path: dict[str, float]) -> dict[int, float]:
    """Sum values given per org-unit path (usually per grid cell) up the tree: each unit gets
    the total of its subtree. One pass over the paths, whatever the number of rows counted."""
    totals: dict[str, float] = {}
    for path, value in per_path.items():
        for prefix in (*ancestor_paths(path), path):
            totals[prefix] = totals.get(prefix, 0.0) + value
    return {u.pk: float(totals.get(u.path, 0.0)) for u in units}


def count_per_unit(queryset, units, path_lookup: str = "org_unit__path") -> dict[int, float]:
    """Counts of ``queryset`` rows for every unit's subtree, from one GROUP BY query."""
    rows = queryset.order_by().values_list(path_lookup).annotate(n=Count("pk"))
    return subtree_counts(units, {path: n for path, n in rows})


def count_descendants(units: Iterable, level: str) -> dict[int, float]:
    rows = list(OrgUnit.objects.filter(level=level).values_list("path", flat=True))
    return {
        u.pk: float(sum(1 for p in rows if p.startswith(u.path) and p != u.path)) for u in units
    }


def area_km2(units) -> dict[int, float]:
    return {u.pk: round((u.area_m2 or 0) / 1e6, 2) for u in units}


def departments(units) -> dict[int, float]:
    rows = list(Department.objects.filter(is_active=True).values_list("org_unit__path", flat=True))
    # A unit is served by the departments of its own subtree and of its ancestors.
    return {
        u.pk: float(sum(1 for p in rows if p.startswith(u.path) or u.path.startswith(p)))
        for u in units
    }


def users(units) -> dict[int, float]:
    counts = dict(
        User.objects.filter(is_active=True, org_unit__isnull=False)
        .values_list("org_unit__path")
        .annotate(n=Count("pk"))
        .values_list("org_unit__path", "n")
    )
    return {u.pk: float(sum(n for p, n in counts.items() if p.startswith(u.path))) for u in units}
