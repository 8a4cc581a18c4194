"""The usage report: per space and month, the slots it offered (its opening slots on the
calendar), booked, checked in, no-shows and cancelled, and the share of slots used. Computed
from the bookings in one grouped query; the offered slots from ``rules.slots``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from streetbrain.core.months import add_months, month_start

from . import rules
from .models import Booking


@dataclass
class UsageRow:
    space: object
    month: dt.date
    offered: int
    booked: int
    checked_in: int
    no_show: int
    cancelled: int

    @property
    def utilisation(self) -> float | None:
        """Share of the offered slots that were booked (not cancelled)."""
        return self.booked / self.offered if self.offered else None

    @property
    def no_show_rate(self) -> float | None:
        done = self.checked_in + self.no_show
        return self.no_show / done if done else None


def offered_slots(space, month: dt.date) -> int:
    day, end = month, add_months(month, 1)
    n = 0
    while day < end:
        n += len(rules.slots(space, day))
        day += dt.timedelta(days=1)
    return n


def report(spaces, bookings, first: dt.date, last: dt.date) -> list[UsageRow]:
    """Rows per space and month from ``first``'s month to ``last``'s (the bookings already
    restricted to the reader)."""
    first, last = month_start(first), month_start(last)
    counts = (
        bookings.filter(start__date__gte=first, start__date__lt=add_months(last, 1))
        .annotate(month=TruncMonth("start"))
        .values("space_id", "month")
        .annotate(
            booked=Count("pk", filter=~Q(state=Booking.State.CANCELLED)),
            checked_in=Count("pk", filter=Q(state=Booking.State.CHECKED_IN)),
            no_show=Count("pk", filter=Q(state=Booking.State.NO_SHOW)),
            cancelled=Count("pk", filter=Q(state=Booking.State.CANCELLED)),
        )
    )
    by_key = {}
    for row in counts:
        month = row["month"]
        month = month.date() if isinstance(month, dt.datetime) else month
        by_key[(row["space_id"], month)] = row
    rows = []
    for space in spaces:
        month = first
        while month <= last:
            c = by_key.get((space.pk, month), {})
            rows.append(
                UsageRow(
                    space,
                    month,
                    offered_slots(space, month),
                    c.get("booked", 0),
                    c.get("checked_in", 0),
                    c.get("no_show", 0),
                    c.get("cancelled", 0),
                )
            )
            month = add_months(month, 1)
    return rows
