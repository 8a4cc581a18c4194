"""What the pages, the API, the cockpit and the report compute from the rows: a project's light
with its reasons, the street indicators' gap and projection, and the campaign's burndown.

The light (green / yellow / red) is never typed in:

- a milestone not reached by its planned day is *late*: yellow; late by more than
  ``LATE_RED_DAYS``: red;
- an indicator's progress (actual / target) is compared with the share of the project's year
  gone by: more than ``BEHIND_YELLOW`` behind it is yellow, more than ``BEHIND_RED`` red;
- the worst of these decides, and every one of them is a reason shown with the light.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from .measures import progress, value_of
from .models import (
    STAGE_ORDER,
    HardCase,
    HardCaseStep,
    Household,
    IndicatorActual,
    IndicatorTarget,
    Project,
    Stage,
    StreetIndicator,
)

LATE_RED_DAYS = 30
BEHIND_YELLOW = 0.10
BEHIND_RED = 0.25
RANK = {"green": 0, "yellow": 1, "red": 2}


@dataclass
class IndicatorStatus:
    pk: int
    name: str
    unit: str
    source: str
    target: float
    actual: float | None
    progress: float | None
    feeds: str = ""


@dataclass
class ProjectStatus:
    light: str
    reasons: list[str] = field(default_factory=list)
    indicators: list[IndicatorStatus] = field(default_factory=list)
    elapsed: float = 0.0


def elapsed_share(project: Project, today: dt.date) -> float:
    """The share of the project's year gone by at the end of the last complete month before
    ``today`` (0..1): the indicators are reported monthly, so a project is measured against
    the months that could have been reported, not against the days of the current month."""
    start = max(project.start_date, dt.date(project.year, 1, 1))
    end = min(project.end_date, dt.date(project.year, 12, 31))
    today = today.replace(day=1)
    if today <= start:
        return 0.0
    if today >= end or end <= start:
        return 1.0
    return (today - start).days / (end - start).days


def project_status(project: Project, user, today: dt.date) -> ProjectStatus:
    """The light of ``project`` on ``today`` with its reasons and its indicators' values."""
    light, reasons = "green", []

    def worse(to: str, reason: str) -> None:
        nonlocal light
        reasons.append(reason)
        if RANK[to] > RANK[light]:
            light = to

    for m in project.milestones.all():
        if m.done_on is None and m.planned_on < today:
            late = (today - m.planned_on).days
            worse(
                "red" if late > LATE_RED_DAYS else "yellow",
                _("Milestone “%(name)s” is %(days)s days late.") % {"name": m.name, "days": late},
            )
    elapsed = elapsed_share(project, today)
    indicators = []
    for ind in project.indicators.all():
        actual = value_of(ind, user, project.year, today)
        share = progress(actual, ind.target)
        indicators.append(
            IndicatorStatus(
                ind.pk,
                ind.name,
                ind.unit,
                ind.source,
                float(ind.target),
                actual,
                share,
                ind.feeds.name if ind.feeds_id else "",
            )
        )
        if share is None:
            continue
        behind = elapsed - share
        if behind > BEHIND_YELLOW:
            worse(
                "red" if behind > BEHIND_RED else "yellow",
                _("“%(name)s” at %(done).0f%% of its target with %(due).0f%% of the year gone.")
                % {"name": ind.name, "done": share * 100, "due": elapsed * 100},
            )
    return ProjectStatus(light, reasons, indicators, elapsed)


# --- the street's indicators ---------------------------------------------------------------------


@dataclass
class StreetStatus:
    indicator: StreetIndicator
    year: int
    target: float | None
    raised_target: float | None
    month: dt.date | None
    actual: float | None
    projection: float | None
    gap: float | None  # to the raised target when there is one, else to the target
    series: list[tuple[dt.date, float]] = field(default_factory=list)
    contributions: list[dict] = field(default_factory=list)


def project_year_end(indicator: StreetIndicator, year: int, this_year, last_year) -> float | None:
    """The year-end figure the year's trajectory points to. ``this_year`` and ``last_year``
    are {month number: year-to-date value}.

    An amount: the year to date scaled by last year's share of its total reached by the same
    month (its seasonality) when last year is complete, else the run rate × 12. A rate: the
    least-squares line through this year's year-to-date rates, read at December (a single
    month: that rate)."""
    if not this_year:
        return None
    latest = max(this_year)
    value = this_year[latest]
    if latest == 12:
        return value
    if indicator.kind == StreetIndicator.Kind.AMOUNT:
        if 12 in last_year and last_year.get(latest):
            return value * last_year[12] / last_year[latest]
        return value * 12 / latest
    if len(this_year) == 1:
        return value
    xs, ys = list(this_year), [this_year[m] for m in this_year]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx if sxx else 0
    return my + slope * (12 - mx)


def street_status(indicator: StreetIndicator, year: int, user, today: dt.date) -> StreetStatus:
    target = IndicatorTarget.objects.filter(indicator=indicator, year=year).first()
    rows = IndicatorActual.objects.filter(
        indicator=indicator, month__year__in=(year, year - 1)
    ).values_list("month", "value")
    this_year, last_year = {}, {}
    for month, value in rows:
        (this_year if month.year == year else last_year)[month.month] = float(value)
    series = [(dt.date(year, m, 1), this_year[m]) for m in sorted(this_year)]
    actual = series[-1][1] if series else None
    projection = project_year_end(indicator, year, this_year, last_year)
    goal = None
    if target is not None:
        goal = float(target.raised_target if target.raised_target is not None else target.target)
    gap = None if goal is None or projection is None else projection - goal
    contributions = []
    for ind in indicator.contributions.select_related("project").filter(project__year=year):
        if ind.project not in Project.objects.restrict(user):
            continue
        contributions.append(
            {
                "project": ind.project,
                "indicator": ind.name,
                "unit": ind.unit,
                "target": float(ind.target),
                "actual": value_of(ind, user, year, today),
            }
        )
    return StreetStatus(
        indicator,
        year,
        float(target.target) if target else None,
        float(target.raised_target) if target and target.raised_target is not None else None,
        series[-1][0] if series else None,
        actual,
        None if projection is None else round(projection, 2),
        None if gap is None else round(gap, 2),
        series,
        contributions,
    )


# --- the campaign's burndown -------------------------------------------------------------------


def stage_counts(households) -> dict[str, dict]:
    """Households and m² per stage (the stage they are in now), every stage present."""
    out = {s: {"households": 0, "area_m2": 0.0} for s in STAGE_ORDER}
    out[""] = {"households": 0, "area_m2": 0.0}
    for stage, n, area in (
        households.values("stage")
        .annotate(n=Count("pk"), a=Sum("area_m2"))
        .values_list("stage", "n", "a")
    ):
        out[stage] = {"households": n, "area_m2": float(area or 0)}
    return out


def reached(counts: dict[str, dict], stage: str) -> dict:
    """Households and m² at ``stage`` or beyond."""
    later = STAGE_ORDER[STAGE_ORDER.index(stage) :]
    return {
        "households": sum(counts[s]["households"] for s in later),
        "area_m2": sum(counts[s]["area_m2"] for s in later),
    }


def hard_case_burndown(project: Project, user, today: dt.date) -> dict:
    """The hard cases' m² still standing month by month of the project's year against the
    straight line from the total to zero at the year's end: a case stops standing on the day
    its 拆除 step was recorded (or it starts the year demolished)."""
    cases = list(HardCase.objects.restrict(user).filter(plot__project=project))
    total = sum(float(c.area_m2) for c in cases)
    cleared_on: dict[int, dt.date] = {}
    for hc_id, on, data in (
        HardCaseStep.objects.filter(hard_case__in=cases, kind=HardCaseStep.Kind.STAGE)
        .order_by("on", "pk")
        .values_list("hard_case_id", "on", "data")
    ):
        if (data or {}).get("to") in (Stage.DEMOLISHED, Stage.HANDED_OVER):
            cleared_on.setdefault(hc_id, on)
    done = set(STAGE_ORDER[STAGE_ORDER.index(Stage.DEMOLISHED) :])
    for c in cases:
        if c.stage in done and c.pk not in cleared_on:
            cleared_on[c.pk] = dt.date(project.year, 1, 1)
    months, standing, plan = [], [], []
    for m in range(1, 13):
        end = (dt.date(project.year, m, 28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(
            days=1
        )
        plan.append(round(total * (12 - m) / 12, 1))
        months.append(f"{project.year}-{m:02d}")
        if end.replace(day=1) > today:
            standing.append(None)
            continue
        gone = sum(
            float(c.area_m2) for c in cases if c.pk in cleared_on and cleared_on[c.pk] <= end
        )
        standing.append(round(total - gone, 1))
    remaining = total - sum(float(c.area_m2) for c in cases if c.pk in cleared_on)
    by_stage = defaultdict(lambda: {"cases": 0, "area_m2": 0.0})
    for c in cases:
        by_stage[c.stage]["cases"] += 1
        by_stage[c.stage]["area_m2"] += float(c.area_m2)
    return {
        "total_m2": total,
        "remaining_m2": remaining,
        "months": months,
        "standing": standing,
        "plan": plan,
        "by_stage": [{"stage": s, "label": Stage(s).label, **by_stage[s]} for s in STAGE_ORDER],
    }


def campaign(project: Project, user) -> dict:
    """Households and m² per stage for the project and per plot, against each plot's plan."""
    households = Household.objects.restrict(user).filter(plot__project=project)
    counts = stage_counts(households)
    plots = []
    for plot in project.plots.all():
        pc = stage_counts(households.filter(plot=plot))
        plots.append(
            {
                "plot": plot,
                "counts": pc,
                "stage_list": [pc[s] for s in STAGE_ORDER],
                "signed": reached(pc, Stage.SIGNED),
                "cleared": reached(pc, Stage.DEMOLISHED),
                "planned_households": plot.planned_households,
                "planned_area_m2": float(plot.planned_area_m2 or Decimal(0)),
            }
        )
    return {
        "counts": counts,
        "stages": [{"stage": s, "label": Stage(s).label, **counts[s]} for s in STAGE_ORDER],
        "signed": reached(counts, Stage.SIGNED),
        "cleared": reached(counts, Stage.DEMOLISHED),
        "plots": plots,
    }
