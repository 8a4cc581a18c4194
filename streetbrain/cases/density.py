"""The history of cases as a density, precomputed (``CaseDensity``).

Grouping a year of cases by square per request takes seconds at a million cases; the
monthly counts per base square (``BASE`` degrees, the bin of zoom ``BASE_ZOOM``) are small
(a street of 5 km × 5 km has at most ~2,500 squares a month), and any coarser zoom sums them
by an integer factor. Periods are whole months.
"""

from __future__ import annotations

import datetime as dt
import math

from django.db import transaction
from django.db.models import Count, F, Sum, Value
from django.db.models.functions import Floor, TruncMonth
from django.utils import timezone

from streetbrain.core.maps.layers import bin_size
from streetbrain.core.months import add_months, last_complete_month, month_start

from .models import Case, CaseDensity

BASE_ZOOM = 16
BASE = bin_size(BASE_ZOOM)


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def refresh(first: dt.date | None = None, last: dt.date | None = None) -> int:
    """Recompute the months ``first`` .. ``last`` (all months without them); rows written."""
    cases = Case.objects.filter(lon__isnull=False, lat__isnull=False)
    old = CaseDensity.objects.all()
    if first is not None:
        first = month_start(first)
        cases = cases.filter(reported_at__gte=_aware(first))
        old = old.filter(month__gte=first)
    if last is not None:
        end = add_months(last, 1)
        cases = cases.filter(reported_at__lt=_aware(end))
        old = old.filter(month__lt=end)
    rows = (
        cases.annotate(
            m=TruncMonth("reported_at"),
            bx_=Floor(F("lon") / Value(BASE)),
            by_=Floor(F("lat") / Value(BASE)),
        )
        .values("m", "org_unit_id", "bx_", "by_")
        .annotate(n=Count("pk"))
        .order_by()
    )
    objects = [
        CaseDensity(
            month=(r["m"].date() if isinstance(r["m"], dt.datetime) else r["m"]),
            org_unit_id=r["org_unit_id"],
            bx=int(r["bx_"]),
            by=int(r["by_"]),
            cases=r["n"],
        )
        for r in rows.iterator()
    ]
    with transaction.atomic():
        old.delete()
        CaseDensity.objects.bulk_create(objects, batch_size=5000)
    return len(objects)


def refresh_recent(today: dt.date | None = None) -> int:
    """This month and the last (the 15-minute task)."""
    today = today or timezone.localdate()
    return refresh(last_complete_month(today), month_start(today))


def bins(unit_path: str, params, since: dt.date, until: dt.date | None) -> tuple[list, float]:
    """Summed counts per square at ``params.zoom`` (below ``BASE_ZOOM``) for the months from
    ``since`` to ``until`` in the units under ``unit_path`` and the map's bbox; and the
    squares' side in degrees."""
    factor = 2 ** max(0, BASE_ZOOM - math.floor(params.zoom))
    size = BASE * factor
    qs = CaseDensity.objects.filter(
        month__gte=month_start(since), org_unit__path__startswith=unit_path
    )
    if until is not None:
        qs = qs.filter(month__lte=month_start(until))
    if params.bbox:
        x0, y0, x1, y1 = params.bbox
        qs = qs.filter(
            bx__gte=math.floor(x0 / BASE),
            bx__lte=math.floor(x1 / BASE),
            by__gte=math.floor(y0 / BASE),
            by__lte=math.floor(y1 / BASE),
        )
    rows = (
        qs.annotate(
            cx=Floor(F("bx") / Value(float(factor))), cy=Floor(F("by") / Value(float(factor)))
        )
        .values("cx", "cy")
        .annotate(n=Sum("cases"))
        .order_by()
    )
    return [
        {"lon": (r["cx"] + 0.5) * size, "lat": (r["cy"] + 0.5) * size, "count": r["n"]}
        for r in rows
    ], size
