"""The cases' search provider: cases by number (or its tail), title or address."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streetbrain.core.search import SearchProvider, register

from . import numbers
from .models import Case


def _number(q: str):
    # A whole case number finds exactly that case; a shorter run of digits its tail too
    # (people read out the last digits on the phone).
    if q.isdigit() and len(q) >= 4:
        return Q(number=q) if len(q) >= 15 else numbers.tail_q(q)
    return None


def _describe(case: Case) -> str:
    where = case.org_unit.name if case.placed else case.address or "—"
    return (
        f"{case.get_state_display()} · {where} · "
        f"{timezone.localtime(case.reported_at):%Y-%m-%d %H:%M}"
    )


register(
    SearchProvider(
        "cases",
        Case,
        _("Cases"),
        ("title", "address"),
        exact=_number,
        describe=_describe,
        select_related=("org_unit",),
        order=15,
        min_length=2,
    )
)
