"""The investment dashboard's figures, for the user's scope: the funnel, conversion between
stages, days per stage, what the open pipeline holds (area, expected tax), 去化 this year
against the street's 80,000 m² target, and leads by whitelist industry and by owner.

The funnel counts the leads that ever **reached** each stage (their timeline's stage events),
so a lead that signed counts under 线索 … 签约; conversion is reached(next) / reached(this).
Days per stage are the mean time leads spent in a stage before they left it. 去化 this year is
the area of the new leases (not renewals) signed this year in the towers the user sees — the
economy's definition of newly let space, read from the leases so that a signature shows at
once (the economy's monthly figures follow at their next computation).

These are a few grouped queries over the leads (hundreds to thousands of rows), cheap enough
for a page view; nothing here walks the economy's millions of tax rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from itertools import pairwise

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone

from streetbrain.core.figures import stored_figure
from streetbrain.economy.figures import new_leases
from streetbrain.economy.models import Lease, Unit

from . import whitelist
from .models import FUNNEL, OPEN_STAGES, Lead, LeadEvent, Stage


def reached(leads) -> dict[str, int]:
    """Leads (of the queryset ``leads``) that reached each funnel stage."""
    rows = (
        LeadEvent.objects.filter(lead__in=leads, to_stage__in=list(FUNNEL))
        .values("to_stage")
        .annotate(n=Count("lead", distinct=True))
    )
    got = {r["to_stage"]: r["n"] for r in rows}
    # A stage reached implies every earlier one (a lead may skip 接洽 straight to 考察).
    out, running = {}, 0
    for stage in reversed(FUNNEL):
        running = max(running, got.get(stage, 0))
        out[stage] = running
    return {s: out[s] for s in FUNNEL}


def days_per_stage(leads) -> dict[str, float | None]:
    """Mean days spent in each stage by the leads that left it."""
    events = (
        LeadEvent.objects.filter(lead__in=leads)
        .exclude(to_stage="")
        .order_by("lead_id", "date", "pk")
        .values_list("lead_id", "to_stage", "date")
    )
    spans: dict[str, list[int]] = defaultdict(list)
    previous: tuple[int, str, dt.date] | None = None
    for lead_id, stage, date in events:
        if previous is not None and previous[0] == lead_id:
            spans[previous[1]].append((date - previous[2]).days)
        previous = (lead_id, stage, date)
    return {s: (round(sum(spans[s]) / len(spans[s]), 1) if spans[s] else None) for s in FUNNEL[:-1]}


def absorption(user, today: dt.date, *, stored: bool = False) -> dict:
    """去化 this year: new leases (not renewals) signed this year, in the user's towers; with
    ``stored`` the key figure of the user's unit where it counts what the user sees."""
    done = stored_figure(user, "absorption_year") if stored else None
    if done is None:
        leases = new_leases(today).restrict(user, "view")
        done = float(leases.aggregate(a=Sum("area_m2"))["a"] or 0)
    target = settings.ECONOMY_ABSORPTION_TARGET_M2
    return {"done": done, "target": target, "share": done / target if target else None}


def occupancy(user, today: dt.date, *, stored: bool = False) -> float | None:
    """The share of the towers' unit area held by leases today (the economy's reading: from
    the leases' dates, not the units' status); with ``stored`` the key figure of the user's
    unit where it counts what the user sees."""
    figure = stored_figure(user, "tower_occupancy") if stored else None
    if figure is not None:
        return figure / 100
    total = Unit.objects.restrict(user, "view").aggregate(a=Sum("area_m2"))["a"]
    if not total:
        return None
    held = Lease.objects.restrict(user, "view").held_on(today).aggregate(a=Sum("area_m2"))["a"]
    return min(float(held or 0) / float(total), 1.0)


def summary(user, today: dt.date | None = None, *, stored: bool = False) -> dict:
    """The 招商 dashboard's figures. ``stored``: occupancy and 去化 from the key figures of the
    user's unit (the cockpit, whose tiles are all as of the last 15-minute refresh; a
    district's 527,830 leases are not summed on each visit); the dashboard itself sums them
    live, so a lease just signed shows at once."""
    today = today or timezone.localdate()
    leads = Lead.objects.restrict(user, "view")
    by_stage = dict(leads.values_list("stage").annotate(n=Count("pk")).values_list("stage", "n"))
    funnel = reached(leads)
    conversion = {}
    for a, b in pairwise(FUNNEL):
        conversion[b] = funnel[b] / funnel[a] if funnel[a] else None
    open_leads = leads.filter(stage__in=OPEN_STAGES)
    pipeline = open_leads.aggregate(
        area_min=Sum("area_min_m2"), area_max=Sum("area_max_m2"), tax=Sum("expected_annual_tax")
    )
    by_owner = list(
        leads.values("owner__display_name", "owner__username")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=Q(stage__in=OPEN_STAGES)),
            signed=Count("pk", filter=Q(stage__in=[Stage.SIGNED, Stage.LANDED])),
        )
        .order_by("-total")[:10]
    )
    by_division = list(
        leads.values("industry__division")
        .annotate(
            total=Count("pk"),
            signed=Count("pk", filter=Q(stage__in=[Stage.SIGNED, Stage.LANDED])),
        )
        .order_by("-total")[:12]
    )
    # Each division with its place on the whitelist in force (the published version, else
    # the latest computation): are the leads where the whitelist says they should be?
    run = whitelist.published() or whitelist.latest_run()
    listed = {}
    if run is not None:
        listed = {
            e.code: e
            for e in run.entries.filter(
                level="division", code__in=[r["industry__division"] for r in by_division]
            )
        }
    for row in by_division:
        entry = listed.get(row["industry__division"])
        row["name"] = entry.name if entry else ""
        row["rank"] = entry.rank if entry else None
        row["score"] = entry.score if entry else None
        row["excluded"] = bool(entry and entry.decision == "exclude")
    return {
        "today": today,
        "total": sum(by_stage.values()),
        "by_stage": [(s, Stage(s).label, by_stage.get(s, 0)) for s in Stage.values],
        "funnel": [(s, Stage(s).label, funnel[s]) for s in FUNNEL],
        "conversion": [(s, Stage(s).label, conversion[s]) for s in FUNNEL[1:]],
        "days": [(s, Stage(s).label, d) for s, d in days_per_stage(leads).items()],
        "lost": by_stage.get(Stage.LOST, 0),
        "pipeline_area_min": float(pipeline["area_min"] or 0),
        "pipeline_area_max": float(pipeline["area_max"] or 0),
        "pipeline_tax": float(pipeline["tax"] or 0),
        "absorption": absorption(user, today, stored=stored),
        "occupancy": occupancy(user, today, stored=stored),
        "by_owner": by_owner,
        "by_division": by_division,
    }
