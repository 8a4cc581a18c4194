"""Key figures of the cases, precomputed per org unit with the others (home page, unit pages):
open cases, overdue cases and the cases reported today."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streetbrain.core.figures import Figure, count_per_unit, register

from .models import OPEN_STATES, Case


def _cases():
    return Case.objects.all()


def open_cases(units):
    return count_per_unit(_cases().filter(state__in=OPEN_STATES), units)


def overdue_cases(units):
    """Open cases with a red light (the list's 超期 view and ``overdue`` filter)."""
    return count_per_unit(_cases().filter(state__in=OPEN_STATES, light=Case.Light.RED), units)


def cases_today(units):
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return count_per_unit(_cases().filter(reported_at__gte=start), units)


for order, (key, label, compute) in enumerate(
    [
        ("cases_open", _("Open cases"), open_cases),
        ("cases_overdue", _("Overdue cases"), overdue_cases),
        ("cases_today", _("Cases reported today"), cases_today),
    ]
):
    register(
        Figure(
            key,
            label,
            "",
            compute,
            "cases:index",
            55 + order,
            permission="cases.view_case",
            unit_scope_only=True,
        )
    )
