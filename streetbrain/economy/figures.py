"""Key figures of the building economy, precomputed per org unit with the others (home page,
unit pages, the district's streets side by side): the operating enterprises and their tax
over the last 12 months the tax bureau has reported."""

from django.db.models import Max, Sum
from django.utils.translation import gettext_lazy as _

from streetbrain.core.extension_points import Figure
from streetbrain.core.figures import count_per_unit, subtree_counts
from streetbrain.core.months import add_months

from .models import Enterprise, TaxRecord


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
]
