"""The case engine's panels on the cockpit (驾驶舱), from precomputed figures of the user's own
unit: today's and the month's case figures (key figures and the evaluation's monthly
figures, refreshed every 15 minutes), the month per community and by major class, and the
feed of new reports. Shown to users whose case scope is their unit (a department's handler
sees only what was dispatched to it, which is not the unit's picture)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from streetbrain.core.figures import Tile
from streetbrain.core.models import KeyFigure

from .evaluation import scores
from .models import OPEN_STATES, Case, Report

FEED_SIZE = 12


def _unit_scoped(user) -> bool:
    return not getattr(user, "department_id", None)


def _month_query(month: dt.date) -> str:
    return f"reported_at_after={month.isoformat()}"


def figures(user, unit, today: dt.date) -> dict | None:
    """Today's and the month's case figures as tiles, each linking to the list behind it."""
    if not _unit_scoped(user):
        return None
    month = today.replace(day=1)
    cases_url = reverse("cases:index")
    open_query = urlencode([("state", state) for state in sorted(OPEN_STATES)])
    key = dict(
        KeyFigure.objects.filter(
            org_unit=unit, key__in=["cases_today", "cases_open", "cases_overdue"]
        ).values_list("key", "value")
    )
    total = scores.total(month, month, user)
    counts, rates = total.counts, total.rates
    month_query = _month_query(month)
    evaluation_url = reverse("cases:evaluation")
    tiles = [
        Tile("today", _("Reported today"), key.get("cases_today"), f"{cases_url}?period=today"),
        Tile("open", _("Open cases"), key.get("cases_open"), f"{cases_url}?{open_query}"),
        Tile("overdue", _("Overdue cases"), key.get("cases_overdue"), f"{cases_url}?tab=overdue"),
        Tile(
            "registered",
            _("Registered this month"),
            counts.get("registered"),
            f"{cases_url}?{month_query}",
        ),
        Tile(
            "closed",
            _("Closed this month"),
            counts.get("closed"),
            f"{cases_url}?tab=closed&{month_query}",
        ),
        Tile(
            "closing_rate",
            _("Closing rate"),
            rates.get("closing_rate"),
            evaluation_url,
            kind="rate",
        ),
        Tile(
            "closed_on_time_rate",
            _("Closed on time"),
            rates.get("closed_on_time_rate"),
            evaluation_url,
            kind="rate",
        ),
    ]
    return {"month": month, "tiles": tiles}


def by_community(user, unit, today: dt.date) -> dict | None:
    """The month's registered and closed cases per community (the evaluation's figures); on
    a district's cockpit per street, one level up by the same query."""
    if not _unit_scoped(user):
        return None
    month = today.replace(day=1)
    month_query = _month_query(month)
    by_street = scores.area_dimension_below(unit) == "street"
    dimension = "street" if by_street else "community"
    rows = [
        {
            "name": row.name,
            "registered": row.counts.get("registered", 0),
            "closed": row.counts.get("closed", 0),
            "closing_rate": row.rates.get("closing_rate"),
            "url": f"{row.url}&{month_query}" if row.url else "",
        }
        for table in scores.indicators(month, month, dimension, user)
        for row in table.rows
    ]
    chart = {
        "type": "bars",
        "categories": [r["name"].replace("社区", "").replace("街道", "") for r in rows],
        "series": [
            {
                "name": _("Registered"),
                "values": [r["registered"] for r in rows],
                "color": "#4f9bd8",
            },
            {
                "name": pgettext("case state", "Closed"),
                "values": [r["closed"] for r in rows],
                "color": "#2e9d55",
            },
        ],
        "urls": [r["url"] for r in rows],
        "label": _("Cases registered and closed this month by street")
        if by_street
        else _("Cases registered and closed this month by community"),
    }
    return {"rows": rows, "by_street": by_street, "charts": {"chart-community": chart}}


def by_class(user, unit, today: dt.date) -> dict | None:
    """The month's cases by GB/T 47678.5 major class: a GROUP BY over one month, on the
    indexed time."""
    if not _unit_scoped(user):
        return None
    month = today.replace(day=1)
    cases_url = reverse("cases:index")
    month_query = _month_query(month)
    start = timezone.make_aware(dt.datetime.combine(month, dt.time.min))
    rows = (
        Case.objects.restrict(user)
        .filter(reported_at__gte=start, component_class__isnull=False)
        .values_list("component_class__major_code", "component_class__major_name")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    items = [
        {"name": name, "value": n, "url": f"{cases_url}?major={code}&{month_query}"}
        for code, name, n in rows
    ]
    chart = {"type": "pie", "items": items[:10], "label": _("Cases this month by major class")}
    return {"items": items, "charts": {"chart-class": chart}}


def feed(user, unit, today: dt.date) -> dict | None:
    """The newest reports in the user's scope (the panel polls every 15 seconds)."""
    if not _unit_scoped(user):
        return None
    reports = list(
        Report.objects.restrict(user)
        .select_related("case__org_unit")
        .order_by("-received_at", "-pk")[:FEED_SIZE]
    )
    return {"reports": reports}
