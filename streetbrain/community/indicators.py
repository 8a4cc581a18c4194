"""The scenario indicators of the workbench, computed from the data on every view (a few
grouped counts): each with its 未来社区 scenario, its value and, where a source gives one, its
target. The reference (``data/reference/future_community.yaml``) names the scenarios and
gives no numeric targets for these items — so no target is invented here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from streetbrain.core.months import month_start
from streetbrain.registry.models import Household

from .models import Booking, ResidentAccount, Space


@dataclass(frozen=True)
class Indicator:
    scenario: str
    label: str
    value: float | int | None
    unit: str = ""
    target: str = ""


def compute(user, today: dt.date) -> list[Indicator]:
    accounts = ResidentAccount.objects.restrict(user)
    verified = accounts.filter(state=ResidentAccount.State.VERIFIED)
    households = Household.objects.restrict(user).count()
    verified_households = verified.values("household_id").distinct().count()
    first = month_start(today)
    month = Booking.objects.restrict(user).filter(start__date__gte=first, start__date__lte=today)
    c = month.aggregate(
        booked=Count("pk", filter=~Q(state=Booking.State.CANCELLED)),
        done=Count("pk", filter=Q(state__in=[Booking.State.CHECKED_IN, Booking.State.NO_SHOW])),
        no_show=Count("pk", filter=Q(state=Booking.State.NO_SHOW)),
        households=Count("household_id", distinct=True),
    )
    spaces = Space.objects.restrict(user).filter(active=True).count()
    return [
        Indicator(
            _("Governance (治理)"),
            _("Households with a verified account"),
            round(100 * verified_households / households, 1) if households else None,
            "%",
        ),
        Indicator(_("Governance (治理)"), _("Verified accounts"), verified.count()),
        Indicator(
            _("Governance (治理)"),
            _("Claims waiting for confirmation"),
            accounts.filter(state=ResidentAccount.State.PENDING).count(),
        ),
        Indicator(_("Service (服务)"), _("Bookable spaces"), spaces),
        Indicator(_("Service (服务)"), _("Bookings this month"), c["booked"]),
        Indicator(_("Service (服务)"), _("Households that booked this month"), c["households"]),
        Indicator(
            _("Service (服务)"),
            _("No-show rate this month"),
            round(100 * c["no_show"] / c["done"], 1) if c["done"] else None,
            "%",
        ),
    ]
