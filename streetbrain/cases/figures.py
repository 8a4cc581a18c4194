"""Key figures of the cases, precomputed per org unit with the others (home page, unit pages):
open cases, overdue cases and the cases reported today; over the last 12 months (from the
evaluation's monthly figures) the cases registered, 结案率 and 按期结案率 — the figures a
district compares its streets by."""

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streetbrain.core.extension_points import Figure
from streetbrain.core.figures import count_per_unit, subtree_counts
from streetbrain.core.months import add_months, month_start

from .evaluation.definitions import RATES
from .models import OPEN_STATES, Case, CaseStat

YEAR_COUNTS = ("registered", "closed", "closed_on_time", "to_close", "suspended")


def open_cases(units):
    return count_per_unit(Case.objects.filter(state__in=OPEN_STATES), units)


def overdue_cases(units):
    """Open cases with a red light (the list's 超期 view and ``overdue`` filter)."""
    return count_per_unit(Case.objects.filter(state__in=OPEN_STATES, light=Case.Light.RED), units)


def cases_today(units):
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return count_per_unit(Case.objects.filter(reported_at__gte=start), units)


def _year_sums(units) -> dict[str, dict[int, float]]:
    """The last 12 months' (this one included) evaluation counts of every unit's subtree,
    from the stat rows (one GROUP BY over them, never over the cases)."""
    first = add_months(month_start(timezone.localdate()), -11)
    rows = list(
        CaseStat.objects.filter(month__gte=first)
        .order_by()
        .values("unit_path")
        .annotate(**{key: Sum(key) for key in YEAR_COUNTS})
    )
    return {
        key: subtree_counts(units, {r["unit_path"]: r[key] or 0 for r in rows})
        for key in YEAR_COUNTS
    }


def cases_year(units):
    return _year_sums(units)["registered"]


def _rate(key: str):
    numerator, denominator = RATES[key]

    def compute(units):
        sums = _year_sums(units)
        out = {}
        for unit in units:
            counts = {k: sums[k].get(unit.pk, 0.0) for k in YEAR_COUNTS}
            den = denominator(counts)
            out[unit.pk] = round(100 * numerator(counts) / den, 1) if den > 0 else None
        return {pk: value for pk, value in out.items() if value is not None}

    return compute


FIGURES = [
    Figure(
        key,
        label,
        unit,
        compute,
        "cases:index",
        55 + order,
        permission="cases.view_case",
        unit_scope_only=True,
        unit_param="org_unit",
    )
    for order, (key, label, unit, compute) in enumerate(
        [
            ("cases_open", _("Open cases"), "", open_cases),
            ("cases_overdue", _("Overdue cases"), "", overdue_cases),
            ("cases_today", _("Cases reported today"), "", cases_today),
            ("cases_year", _("Cases registered, last 12 months"), "", cases_year),
            (
                "closing_rate_year",
                _("Closing rate (结案率), last 12 months"),
                "%",
                _rate("closing_rate"),
            ),
            (
                "closed_on_time_rate_year",
                _("On-schedule closing rate (按期结案率), last 12 months"),
                "%",
                _rate("closed_on_time_rate"),
            ),
        ]
    )
]
