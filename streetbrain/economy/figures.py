"""Key figures of the building economy, precomputed per org unit with the others (home page,
unit pages, the district's streets side by side): the operating enterprises and their tax
over the last 12 months the tax bureau has reported; the towers' occupancy today and the new
leases' area this year (去化), which the cockpit's 招商 panel reads instead of summing a
district's 527,830 leases and 381,315 units on every visit."""

import datetime as dt

from django.db.models import Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streetbrain.core.extension_points import Figure
from streetbrain.core.figures import count_per_unit, subtree_counts
from streetbrain.core.months import add_months

from .models import Enterprise, Lease, TaxRecord, Unit


def enterprises(units):
    return count_per_unit(
        Enterprise.objects.filter(status=Enterprise.Status.ACTIVE), units, "org_unit__path"
    )


def tax_year(units):
    """The total tax (万元) of the last 12 reported months, by the enterprises' units."""
    last = TaxRecord.objects.aggregate(last=Max("month"))["last"]
    if last is None:
        return {}
    rows = (
        TaxRecord.objects.filter(month__gt=add_months(last, -12))
        .order_by()
        .values_list("enterprise__org_unit__path")
        .annotate(total=Sum("total_tax"))
    )
    totals = subtree_counts(units, {path: float(total or 0) for path, total in rows})
    return {pk: round(value / 10_000, 1) for pk, value in totals.items()}


def _area_per_unit(queryset, units) -> dict[int, float]:
    rows = queryset.order_by().values_list("org_unit__path").annotate(a=Sum("area_m2"))
    return subtree_counts(units, {path: float(area or 0) for path, area in rows})


def occupancy(units):
    """The share (%) of the towers' unit area held by leases today (from the leases' dates,
    not the units' status), each unit's subtree."""
    total = _area_per_unit(Unit.objects.all(), units)
    held = _area_per_unit(Lease.objects.held_on(timezone.localdate()), units)
    return {pk: round(min(100 * held[pk] / area, 100.0), 1) for pk, area in total.items() if area}


def new_leases(day: dt.date):
    """The new leases (not renewals) signed from the year's first day to ``day`` (去化)."""
    first = dt.date(day.year, 1, 1)
    return Lease.objects.filter(renewed_from=None).filter(
        Q(signed_on__gte=first, signed_on__lte=day)
        | Q(signed_on=None, start_date__gte=first, start_date__lte=day)
    )


def absorption_year(units):
    """The area (m²) of the new leases signed this year, each unit's subtree."""
    return _area_per_unit(new_leases(timezone.localdate()), units)


FIGURES = [
    Figure(
        "enterprises",
        _("Operating enterprises"),
        "",
        enterprises,
        "economy:enterprise_list",
        80,
        permission="economy.view_enterprise",
        unit_param="unit",
    ),
    Figure(
        "tax_year",
        _("Tax, last 12 months"),
        "万元",
        tax_year,
        "economy:enterprise_list",
        81,
        permission="economy.view_enterprise",
        unit_param="unit",
    ),
    Figure(
        "tower_occupancy",
        _("Tower occupancy today"),
        "%",
        occupancy,
        "economy:unit_list",
        82,
        permission="economy.view_unit",
    ),
    Figure(
        "absorption_year",
        _("New leases this year (去化)"),
        "m²",
        absorption_year,
        "economy:lease_list",
        83,
        permission="economy.view_lease",
    ),
]
