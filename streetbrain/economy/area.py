"""The building economy's figures of a user's area (辖区): the precomputed ``MonthlyFigure`` rows of
their street, community or grid cell, picked the same way for every page that shows "our
figures" — the economy's dashboard, the cockpit — so that they show the same numbers for the
same month. Nothing here computes a figure: ``metrics`` writes the rows of every area with the
same definitions as the street's, and each row is scoped to its own unit.

    area = area_of(user)                 # None: the user sees no area's figures
    figure = area.figure()               # the last complete month's row (or None)
    figure = area.figure(month)          # that month's, if it has figures, else as above
    towers = area.towers(figure.month)   # its 千万元楼宇 and 亿元楼宇, the highest tax first
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings

from streetbrain.core.models import OrgUnit
from streetbrain.core.months import latest_complete

from .measures import QIANWAN
from .models import MonthlyFigure

# The scope of an area's rows by the level of the user's unit; users above the street (a
# district's) read a street's.
AREA_SCOPES = {
    OrgUnit.Level.COMMUNITY: MonthlyFigure.Scope.COMMUNITY,
    OrgUnit.Level.GRID: MonthlyFigure.Scope.GRID,
}


@dataclass
class Area:
    """The rows of one area as ``user`` may see them."""

    user: object
    scope: str  # street, community or grid
    key: str  # the area's org-unit code
    path: str  # and its path

    @cached_property
    def rows(self):
        return MonthlyFigure.objects.restrict(self.user, "view").filter(
            scope=self.scope, key=self.key
        )

    @cached_property
    def months(self) -> list[dt.date]:
        """The months with figures, the newest first."""
        return list(self.rows.order_by("-month").values_list("month", flat=True))

    def month(self, wanted: dt.date | None = None, today: dt.date | None = None) -> dt.date | None:
        """``wanted`` if it has figures, else the last complete month with figures (the
        current month's tax arrives after it ends), else the latest; None without figures."""
        if wanted in self.months:
            return wanted
        return latest_complete(self.months, today)

    def figure(self, month: dt.date | None = None, today: dt.date | None = None):
        """The area's row for ``month`` as ``month()`` picks it, or None."""
        picked = self.month(month, today)
        return None if picked is None else self.rows.filter(month=picked).first()

    def between(self, first: dt.date, last: dt.date, fields: tuple[str, ...]) -> dict:
        """The rows of the months ``first`` to ``last`` as dicts of ``fields``, by month."""
        rows = self.rows.filter(month__gte=first, month__lte=last).values("month", *fields)
        return {r["month"]: r for r in rows}

    def buildings(self, month: dt.date):
        """The office buildings' rows of ``month`` in the area the user sees."""
        return MonthlyFigure.objects.restrict(self.user, "view").filter(
            scope=MonthlyFigure.Scope.BUILDING,
            month=month,
            building__isnull=False,
            unit_path__startswith=self.path,
        )

    def towers(self, month: dt.date, at_least=QIANWAN):
        """The buildings of ``month`` whose last 12 months' tax reaches ``at_least`` (千万元楼宇
        and up by default), the highest first."""
        return (
            self.buildings(month)
            .filter(tax_total_12m__gte=at_least)
            .select_related("building__building")
            .order_by("-tax_total_12m", "key")
        )


def area_of(user) -> Area | None:
    """The area whose figures are ``user``'s: their community's or grid cell's rows for users
    of a community or a grid cell; a street's for everyone above (the site's street,
    ``ROOT_UNIT_CODE``, when they see it). None when the user sees no area's rows."""
    if not user.is_authenticated:
        return None
    unit = getattr(user, "org_unit", None)
    if unit is not None and unit.level in AREA_SCOPES:
        return Area(user, AREA_SCOPES[unit.level], unit.code, unit.path)
    streets = dict(
        MonthlyFigure.objects.restrict(user, "view")
        .filter(scope=MonthlyFigure.Scope.STREET)
        .values_list("key", "unit_path")
        .distinct()
        .order_by("key")[:100]
    )
    if not streets:
        return None
    root = settings.STREETBRAIN.get("ROOT_UNIT_CODE")
    key = root if root in streets else min(streets)
    return Area(user, MonthlyFigure.Scope.STREET, key, streets[key])
