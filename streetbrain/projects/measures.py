"""The computations a project's indicator can name (``core.extension_points.Measure``), and how an
indicator's value is found.

The ones here read the economy (its street figures: 去化 m² and tax this year), the case engine
(cases within a radius of points) and this app's own campaign (m² demolished, households
signed). They are declared in ``extensions.py`` like any other app's would be: another app adds
a measure in its own ``extensions.py`` and a project's indicator names it by key — this app
never imports that app. ``value_of`` is the one place an indicator's actual is computed.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from django.db.models import Sum

from streetbrain.core import extension_points as ep
from streetbrain.core.months import month_start

from .models import STAGE_ORDER, HardCase, Household, IndicatorReport, ProjectIndicator, Stage

EARTH_M = 6_371_000.0


def _year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


# --- the economy's figures ---------------------------------------------------------------------


def _street_ytd(user, field: str, last: dt.date) -> float | None:
    """The street's year-to-date figure ``field`` of the economy's last month with figures up
    to ``last`` (the economy's own monthly rows, read through its ``area_of``)."""
    from streetbrain.economy.area import area_of

    area = area_of(user)
    if area is None:
        return None
    months = [m for m in area.months if m <= month_start(last) and m.year == last.year]
    if not months:
        return None
    row = area.rows.filter(month=max(months)).values(field).first()
    value = row and row[field]
    return None if value is None else float(value)


def absorption_m2(user, params: dict, first: dt.date, last: dt.date) -> float | None:
    """去化: m² newly leased in the street this year (the economy's ``leased_new_ytd_m2``)."""
    return _street_ytd(user, "leased_new_ytd_m2", last)


def tax_wan(user, params: dict, first: dt.date, last: dt.date) -> float | None:
    """The street's tax this year in 万元 (the economy's ``tax_total_ytd``)."""
    value = _street_ytd(user, "tax_total_ytd", last)
    return None if value is None else round(value / 10_000, 2)


# --- the case engine's cases near points ---------------------------------------------------------


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_M * math.asin(math.sqrt(a))


def cases_near(user, points, first: dt.date | None = None, last: dt.date | None = None):
    """The cases ``user`` may see reported within the radius of any of ``points`` ((lon, lat,
    radius m) triples; ``user`` None: every case), optionally between two days: a box per point
    in the database, the exact circle here. Returns ``[(case, nearest point's index, metres)]``."""
    from django.db.models import Q

    from streetbrain.cases.models import Case

    if not points:
        return []
    box = Q()
    for lon, lat, radius in points:
        dlat = radius / 111_320.0
        dlon = radius / (111_320.0 * max(math.cos(math.radians(lat)), 0.01))
        box |= Q(lon__range=(lon - dlon, lon + dlon), lat__range=(lat - dlat, lat + dlat))
    qs = (Case.objects.all() if user is None else Case.objects.restrict(user, "view")).filter(box)
    if first is not None:
        qs = qs.filter(reported_at__date__gte=first)
    if last is not None:
        qs = qs.filter(reported_at__date__lte=last)
    out = []
    for case in qs.order_by("-reported_at", "-pk"):
        best = None
        for i, (lon, lat, radius) in enumerate(points):
            d = distance_m(case.lon, case.lat, lon, lat)
            if d <= radius and (best is None or d < best[1]):
                best = (i, d)
        if best is not None:
            out.append((case, best[0], best[1]))
    return out


def cases_near_points(user, params: dict, first: dt.date, last: dt.date) -> float | None:
    """The cases reported in the period within ``params["points"]`` ([lon, lat, radius m])."""
    points = [tuple(p) for p in params.get("points") or []]
    if not points:
        return None
    return float(len(cases_near(user, points, first, last)))


# --- the campaign's own figures ----------------------------------------------------------------


def _reached(stage: str) -> list[str]:
    return STAGE_ORDER[STAGE_ORDER.index(stage) :]


def demolished_m2(user, params: dict, first: dt.date, last: dt.date) -> float | None:
    """m² of the project's households demolished (拆除 or later) by ``last``."""
    qs = Household.objects.restrict(user).filter(
        plot__project_id=params.get("project"),
        stage__in=_reached(Stage.DEMOLISHED),
        stage_on__lte=last,
    )
    return float(qs.aggregate(s=Sum("area_m2"))["s"] or 0)


def signed_households(user, params: dict, first: dt.date, last: dt.date) -> float | None:
    """Households of the project that have signed (签约 or later) by ``last``."""
    return float(
        Household.objects.restrict(user)
        .filter(
            plot__project_id=params.get("project"),
            stage__in=_reached(Stage.SIGNED),
            stage_on__lte=last,
        )
        .count()
    )


def hard_cases_cleared_m2(user, params: dict, first: dt.date, last: dt.date) -> float | None:
    """m² of the project's hard cases demolished or handed over."""
    qs = HardCase.objects.restrict(user).filter(
        plot__project_id=params.get("project"), stage__in=_reached(Stage.DEMOLISHED)
    )
    return float(qs.aggregate(s=Sum("area_m2"))["s"] or 0)


# --- an indicator's value ------------------------------------------------------------------------


def params_for(indicator: ProjectIndicator) -> dict:
    """The stored parameters, with what the project itself knows: its id and its sites as
    points (the cases near them are the project's)."""
    params = dict(indicator.params or {})
    params.setdefault("project", indicator.project_id)
    if "points" not in params:
        params["points"] = [
            [s.lon, s.lat, s.radius_m] for s in indicator.project.sites.all().order_by("pk")
        ]
    return params


def value_of(indicator: ProjectIndicator, user, year: int, today: dt.date) -> float | None:
    """The indicator's actual for ``year`` up to ``today``: the approved monthly reports summed,
    or the named measure computed (None when it is not declared or has nothing to measure)."""
    first, last = _year_bounds(year)
    last = min(last, today)
    if indicator.source == ProjectIndicator.Source.ENTERED:
        total = IndicatorReport.objects.filter(
            indicator=indicator,
            state=IndicatorReport.State.APPROVED,
            month__gte=first,
            month__lte=last,
        ).aggregate(s=Sum("value"))["s"]
        return float(total) if total is not None else 0.0
    measure = ep.registry.get(ep.Measure, indicator.measure)
    if measure is None:
        return None
    return measure.compute(user, params_for(indicator), first, last)


def progress(actual: float | None, target: Decimal | float | None) -> float | None:
    if actual is None or not target:
        return None
    return actual / float(target)
