"""The cases in the one search: by number (whole, its beginning, or — four digits or more —
its end, as people read out the last digits on the phone), title or address; on the map by
number only (a title word would scatter the map with cases)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streetbrain.core.extension_points import SearchProvider
from streetbrain.core.search import NAME_CONTAINS, at_point, has_point

from . import numbers


def _tail(q: str):
    if q.isdigit() and 4 <= len(q) < 15:
        return numbers.tail_q(q)
    return None


def _describe(case) -> str:
    where = case.org_unit.name if case.placed else case.address or "—"
    return (
        f"{case.get_state_display()} · {where} · "
        f"{timezone.localtime(case.reported_at):%Y-%m-%d %H:%M}"
    )


CASES = SearchProvider(
    "cases",
    _("Cases"),
    "cases.Case",
    name="title",
    codes=("number",),
    others=("address",),
    exact=_tail,
    exact_rank=NAME_CONTAINS,  # the tail: after the whole number and its beginning
    describe=_describe,
    select_related=("org_unit",),
    tiebreak=("-reported_at",),
    min_length=2,
    order=15,
    map_kind="case",
    map_order=90,
    map_filter=has_point(),
    locate=at_point(),
    map_title=lambda c: f"{c.number} {c.title}",
    map_detail=lambda c: c.address or (c.org_unit.name if c.org_unit_id else ""),
    map_text=False,
)
