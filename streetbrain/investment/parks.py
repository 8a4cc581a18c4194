"""The parks' progress toward the level they work for (a provincial cross-border e-commerce
park): each criterion's current figure, read from the park's building in the economy (its
tenants, leases and area) and the e-commerce turnover of its tenants, against its target."""

from __future__ import annotations

import datetime as dt

from django.db.models import Sum
from django.utils import timezone

from streetbrain.core.months import add_months, month_start
from streetbrain.economy.models import Lease, Unit, occupied_area

from .models import EcommerceProfile, EcommerceTurnover, Park, ParkCriterion


def tenants(park: Park, day: dt.date) -> list[int]:
    return list(
        Lease.objects.held_on(day)
        .filter(building_id=park.building_id)
        .values_list("enterprise_id", flat=True)
        .distinct()
    )


def current(park: Park, today: dt.date | None = None) -> dict[str, float]:
    """The park's figures now: e-commerce enterprises, service providers, turnover of the last
    12 complete months, area and occupancy."""
    today = today or timezone.localdate()
    ents = tenants(park, today)
    profiles = EcommerceProfile.objects.filter(enterprise_id__in=ents)
    last = add_months(month_start(today), -1)
    turnover = EcommerceTurnover.objects.filter(
        enterprise_id__in=ents, month__gte=add_months(last, -11), month__lte=last
    ).aggregate(i=Sum("import_cny"), e=Sum("export_cny"))
    total = float(
        Unit.objects.filter(building_id=park.building_id).aggregate(a=Sum("area_m2"))["a"] or 0
    )
    # Occupancy as the economy reads it: the area of the leases holding space today.
    let = float(occupied_area(park.building, today))
    return {
        ParkCriterion.Metric.ENTERPRISES: float(profiles.filter(is_service_provider=False).count()),
        ParkCriterion.Metric.SERVICE_PROVIDERS: float(
            profiles.filter(is_service_provider=True).count()
        ),
        ParkCriterion.Metric.TURNOVER: float((turnover["i"] or 0) + (turnover["e"] or 0)),
        ParkCriterion.Metric.AREA: total,
        ParkCriterion.Metric.OCCUPANCY: min(let / total, 1.0) if total else 0.0,
    }


def progress(park: Park, user=None, today: dt.date | None = None) -> list[dict]:
    """Each criterion with its target, current figure, gap (target − current, 0 once met)."""
    figures = current(park, today)
    out = []
    for c in park.criteria.all():
        value = (
            float(c.manual_value or 0)
            if c.metric == ParkCriterion.Metric.MANUAL
            else figures.get(c.metric, 0.0)
        )
        target = float(c.target)
        out.append(
            {
                "criterion": c,
                "target": target,
                "current": value,
                "gap": max(target - value, 0.0),
                "met": value >= target,
                "share": min(value / target, 1.0) if target else 1.0,
            }
        )
    return out
