"""综合评价: the evaluation of areas, departments and staff (GB/T 30428.4), from precomputed
figures. Pages and the bulletin never count cases live: ``refresh_months`` turns the case
rows into ``CaseStat`` (per month × grid × department) and ``StaffStat`` (per month × staff
member × role) rows with a few GROUP BY queries per month, and ``indicators`` sums those rows
for any period and unit. The Celery beat task ``cases.tasks.refresh_stats`` calls
``refresh_recent`` every 15 minutes; the demo calls ``refresh_all`` after loading.

Areas and departments (``CaseStat``): a cohort by the month of 立案 (``registered_at``, local
time). Each count is of the cases registered in the period; states are as of the refresh.

- 立案数: cases registered. 按时立案数: registered within ``CASES_REGISTER_LIMIT`` (working
  time of ``core.worktime.default_calendar()``) of ``reported_at``. 作废数: voided (作废).
- 应派遣数 = 应结案数: registered and not voided. 按时派遣数: of those, first dispatched within
  ``CASES_DISPATCH_LIMIT`` of 立案. 误派数 (mis-dispatched, for 准确派遣率): of those, sent back
  by an approved rollback at least once (``rollback_count > 0``).
- 应处置数: not voided and dispatched at least once (``dispatched_at`` set, or rolled back).
  处置数: handled at least once (``handled_at`` set, closed, sent back for rework or reopened).
  返工数 (rework, for 返工率): failed the check at least once (``rework_count > 0``).
  延期数: with an approved extension (``extension_count > 0``).
- 缓办数: currently suspended (挂账). 结案数: closed. 按期结案数: closed and handled within the
  (extended, pause-adjusted) limit (``closed_on_time``).

Rates (None when the denominator is 0):
结案率 = 结案数 / (应结案数 − 缓办数); 按期结案率 = 按期结案数 / (应结案数 − 缓办数);
按时结案率 = 按期结案数 / 结案数; 按时立案率 = 按时立案数 / 立案数;
准确立案率 = (立案数 − 作废数) / 立案数; 按时派遣率 = 按时派遣数 / 应派遣数;
准确派遣率 = (应派遣数 − 误派数) / 应派遣数; 返工率 = 返工数 / 处置数; 延期率 = 延期数 / 应处置数.

Rows: 网格 = the case's grid (``org_unit``), 社区 = the grid's community, the total = everything
in the viewer's scope; 部门 = the department the case is with now (``department``; a row
"not dispatched" keeps the total equal to the areas').

Staff (``StaffStat``, 岗位): counted in the month of the act, per person and role of the act:

- 值班长 (shiftlead): 立案 by ``registered_by`` (立案数, 按时立案数, 作废数 of those) and 结案 by
  ``closed_by`` of cases closed now (结案数, 按时结案数 = closed on time). 按时立案率, 准确立案率
  as above; 按时结案率 = 按时结案数 / 结案数.
- 派遣员 (dispatcher): 派遣数 = 派遣 and 改派 events by the person; 首次派遣数 = of those, the
  case's first 派遣, 按时派遣数 = first 派遣 on time; 误派数 = their 派遣/改派 undone by the next
  approved rollback of the case. 按时派遣率 = 按时派遣数 / 首次派遣数; 准确派遣率 = (派遣数 −
  误派数) / 派遣数.
- 网格员 (gridworker): 上报数 = reports they entered through the grid-worker channel, 有效上报数 =
  of those, on a case that was registered; 核实数 and 核查数 = their 核实 and 核查 events.
  有效上报率 = 有效上报数 / 上报数.
- 处置人员 (handler): 处置数 = their 处置完成 events; 按时处置数 = of those, within the limit at
  that moment (green or yellow light); 返工数 = of those, followed by a failed check.
  按时处置率 = 按时处置数 / 处置数; 返工率 = 返工数 / 处置数.

综合指标值 (0–100) = Σ weight × indicator score / Σ weight over the indicators with data, the
weights per row kind in ``settings.CASES_SCORE_WEIGHTS``. A rate scores 100 × rate (100 × (1 −
rate) for 返工率 and 延期率); a ``*_volume`` scores 100 × count / the largest count among the
rows of the same role in view. Scores are rounded to 2 decimals; equal scores share a rank.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import (
    Count,
    DateField,
    Exists,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from streetbrain.core import worktime
from streetbrain.core.models import Department, OrgUnit, User
from streetbrain.core.scoping import scope_q

from .models import Case, CaseEvent, CaseStat, Channel, Report, StaffStat, State

# -- definitions ----------------------------------------------------------------------------

CASE_COUNTS = (
    "registered",
    "registered_on_time",
    "voided",
    "to_dispatch",
    "dispatched_on_time",
    "misdispatched",
    "to_handle",
    "handled",
    "reworked",
    "extended",
    "to_close",
    "suspended",
    "closed",
    "closed_on_time",
)
STAFF_COUNTS = (
    "registered",
    "registered_on_time",
    "registered_voided",
    "closed",
    "closed_on_time",
    "dispatches",
    "first_dispatches",
    "dispatched_on_time",
    "misdispatched",
    "reports",
    "reports_registered",
    "verifications",
    "checks",
    "handled",
    "handled_on_time",
    "handled_reworked",
)

COUNT_LABELS = {
    "registered": gettext_lazy("Registered (立案数)"),
    "registered_on_time": gettext_lazy("Registered on time (按时立案数)"),
    "voided": gettext_lazy("Voided (作废数)"),
    "registered_voided": gettext_lazy("Voided (作废数)"),
    "to_dispatch": gettext_lazy("To dispatch (应派遣数)"),
    "dispatched_on_time": gettext_lazy("Dispatched on time (按时派遣数)"),
    "misdispatched": gettext_lazy("Mis-dispatched (误派数)"),
    "to_handle": gettext_lazy("To handle (应处置数)"),
    "handled": gettext_lazy("Handled (处置数)"),
    "reworked": gettext_lazy("Reworked (返工数)"),
    "handled_reworked": gettext_lazy("Reworked (返工数)"),
    "extended": gettext_lazy("Extended (延期数)"),
    "to_close": gettext_lazy("To close (应结案数)"),
    "suspended": gettext_lazy("Suspended (缓办数)"),
    "closed": gettext_lazy("Closed (结案数)"),
    "closed_on_time": gettext_lazy("Closed on schedule (按期结案数)"),
    "dispatches": gettext_lazy("Dispatches (派遣数)"),
    "first_dispatches": gettext_lazy("First dispatches (首次派遣数)"),
    "reports": gettext_lazy("Reports (上报数)"),
    "reports_registered": gettext_lazy("Valid reports (有效上报数)"),
    "verifications": gettext_lazy("Verifications (核实数)"),
    "checks": gettext_lazy("Checks (核查数)"),
    "handled_on_time": gettext_lazy("Handled on time (按时处置数)"),
}


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    formula: str
    kind: str = "rate"  # rate | volume
    lower_is_better: bool = False


INDICATORS: dict[str, Indicator] = {
    i.key: i
    for i in [
        Indicator(
            "closing_rate",
            gettext_lazy("Closing rate (结案率)"),
            gettext_lazy("closed / (to close − suspended)"),
        ),
        Indicator(
            "closed_on_time_rate",
            gettext_lazy("On-schedule closing rate (按期结案率)"),
            gettext_lazy("closed on schedule / (to close − suspended)"),
        ),
        Indicator(
            "closing_on_time_rate",
            gettext_lazy("On-time closing rate (按时结案率)"),
            gettext_lazy("closed on schedule / closed"),
        ),
        Indicator(
            "registered_on_time_rate",
            gettext_lazy("On-time registration rate (按时立案率)"),
            gettext_lazy("registered on time / registered"),
        ),
        Indicator(
            "accurate_registration_rate",
            gettext_lazy("Accurate registration rate (准确立案率)"),
            gettext_lazy("(registered − voided) / registered"),
        ),
        Indicator(
            "dispatched_on_time_rate",
            gettext_lazy("On-time dispatch rate (按时派遣率)"),
            gettext_lazy("dispatched on time / to dispatch"),
        ),
        Indicator(
            "accurate_dispatch_rate",
            gettext_lazy("Accurate dispatch rate (准确派遣率)"),
            gettext_lazy("(to dispatch − mis-dispatched) / to dispatch"),
        ),
        Indicator(
            "rework_rate",
            gettext_lazy("Rework rate (返工率)"),
            gettext_lazy("reworked / handled"),
            lower_is_better=True,
        ),
        Indicator(
            "extension_rate",
            gettext_lazy("Extension rate (延期率)"),
            gettext_lazy("extended / to handle"),
            lower_is_better=True,
        ),
        Indicator(
            "handled_on_time_rate",
            gettext_lazy("On-time handling rate (按时处置率)"),
            gettext_lazy("handled on time / handled"),
        ),
        Indicator(
            "valid_report_rate",
            gettext_lazy("Valid report rate (有效上报率)"),
            gettext_lazy("valid reports / reports"),
        ),
        Indicator(
            "dispatch_volume",
            gettext_lazy("Dispatch volume (派遣数)"),
            gettext_lazy("dispatches / the most dispatches of a dispatcher in view"),
            kind="volume",
        ),
        Indicator(
            "report_volume",
            gettext_lazy("Report volume (上报数)"),
            gettext_lazy("reports / the most reports of a grid worker in view"),
            kind="volume",
        ),
        Indicator(
            "field_check_volume",
            gettext_lazy("Verification and check volume (核实核查数)"),
            gettext_lazy("verifications and checks / the most of a grid worker in view"),
            kind="volume",
        ),
    ]
}

# Rates as (numerator, denominator) over the summed counts; a callable takes the counts.
_RATES = {
    "closing_rate": (lambda c: c["closed"], lambda c: c["to_close"] - c["suspended"]),
    "closed_on_time_rate": (
        lambda c: c["closed_on_time"],
        lambda c: c["to_close"] - c["suspended"],
    ),
    "closing_on_time_rate": (lambda c: c["closed_on_time"], lambda c: c["closed"]),
    "registered_on_time_rate": (lambda c: c["registered_on_time"], lambda c: c["registered"]),
    "accurate_registration_rate": (
        lambda c: c["registered"] - c["voided"],
        lambda c: c["registered"],
    ),
    "dispatched_on_time_rate": (lambda c: c["dispatched_on_time"], lambda c: c["to_dispatch"]),
    "accurate_dispatch_rate": (
        lambda c: c["to_dispatch"] - c["misdispatched"],
        lambda c: c["to_dispatch"],
    ),
    "rework_rate": (lambda c: c["reworked"], lambda c: c["handled"]),
    "extension_rate": (lambda c: c["extended"], lambda c: c["to_handle"]),
}
_STAFF_RATES = {
    "registered_on_time_rate": (lambda c: c["registered_on_time"], lambda c: c["registered"]),
    "accurate_registration_rate": (
        lambda c: c["registered"] - c["registered_voided"],
        lambda c: c["registered"],
    ),
    "closing_on_time_rate": (lambda c: c["closed_on_time"], lambda c: c["closed"]),
    "dispatched_on_time_rate": (
        lambda c: c["dispatched_on_time"],
        lambda c: c["first_dispatches"],
    ),
    "accurate_dispatch_rate": (
        lambda c: c["dispatches"] - c["misdispatched"],
        lambda c: c["dispatches"],
    ),
    "valid_report_rate": (lambda c: c["reports_registered"], lambda c: c["reports"]),
    "handled_on_time_rate": (lambda c: c["handled_on_time"], lambda c: c["handled"]),
    "rework_rate": (lambda c: c["handled_reworked"], lambda c: c["handled"]),
}
_VOLUMES = {
    "dispatch_volume": lambda c: c["dispatches"],
    "report_volume": lambda c: c["reports"],
    "field_check_volume": lambda c: c["verifications"] + c["checks"],
}

DIMENSIONS = {
    "grid": gettext_lazy("Grid cells (网格)"),
    "community": gettext_lazy("Communities (社区)"),
    "department": gettext_lazy("Departments (部门)"),
    "role": gettext_lazy("Roles (岗位)"),
}

SHIFTLEAD, DISPATCHER, GRIDWORKER, HANDLER = "shiftlead", "dispatcher", "gridworker", "handler"
ROLES = (SHIFTLEAD, DISPATCHER, GRIDWORKER, HANDLER)

# What each kind of table shows: count columns, then rate columns (the score comes last).
AREA_COUNTS = ("registered", "to_close", "suspended", "closed", "closed_on_time")
# The bulletin's columns: what cities publish each quarter.
BULLETIN_RATES = ("closing_rate", "closed_on_time_rate", "rework_rate", "extension_rate")
AREA_RATES = (
    "closing_rate",
    "closed_on_time_rate",
    "closing_on_time_rate",
    "registered_on_time_rate",
    "accurate_registration_rate",
    "dispatched_on_time_rate",
    "accurate_dispatch_rate",
    "rework_rate",
    "extension_rate",
)
ROLE_COLUMNS = {
    SHIFTLEAD: (
        ("registered", "registered_voided", "closed"),
        ("registered_on_time_rate", "accurate_registration_rate", "closing_on_time_rate"),
    ),
    DISPATCHER: (
        ("dispatches", "first_dispatches", "misdispatched"),
        ("dispatched_on_time_rate", "accurate_dispatch_rate"),
    ),
    GRIDWORKER: (
        ("reports", "reports_registered", "verifications", "checks"),
        ("valid_report_rate",),
    ),
    HANDLER: (("handled", "handled_reworked"), ("handled_on_time_rate", "rework_rate")),
}


def role_label(role: str) -> str:
    labels = {
        SHIFTLEAD: _("Shift leaders (值班长)"),
        DISPATCHER: _("Dispatchers (派遣员)"),
        GRIDWORKER: _("Grid workers (网格员)"),
        HANDLER: _("Department handlers (处置人员)"),
    }
    return labels.get(role, role)


# The same indicator reads differently for a person: the acts are theirs.
STAFF_FORMULAS = {
    "dispatched_on_time_rate": gettext_lazy("first dispatches on time / first dispatches"),
    "accurate_dispatch_rate": gettext_lazy("(dispatches − mis-dispatched) / dispatches"),
    "closing_on_time_rate": gettext_lazy("closed on schedule / closed (cases they closed)"),
}


def formulas(dimension: str) -> list[tuple[str, str]]:
    """(indicator, formula) for the indicators the dimension's tables show and score."""
    kinds = _kinds(dimension)
    keys: list[str] = []
    for kind in kinds:
        shown = ROLE_COLUMNS[kind][1] if kind in ROLE_COLUMNS else AREA_RATES
        for key in (*shown, *weights()[kind]):
            if key not in keys:
                keys.append(key)
    staff = dimension == "role"
    return [
        (
            str(INDICATORS[k].label),
            str((STAFF_FORMULAS.get(k) if staff else None) or INDICATORS[k].formula),
        )
        for k in keys
    ]


def _kinds(dimension: str) -> tuple[str, ...]:
    if dimension == "role":
        return ROLES
    return ("department",) if dimension == "department" else ("area",)


def definitions(dimension: str) -> list[tuple[str, str]]:
    """The footnotes of the page and the bulletin: what each count of the dimension counts
    and how the composite score is weighted."""
    out = [
        (
            _("Cohort"),
            _(
                "Areas and departments count the cases registered (立案) in the period's months, "
                "in their state at the last refresh; staff count their own acts in the period."
            ),
        )
    ]
    register_limit = _limit_text(settings.CASES_REGISTER_LIMIT)
    dispatch_limit = _limit_text(settings.CASES_DISPATCH_LIMIT)
    if dimension == "role":
        out += [
            (
                role_label(SHIFTLEAD),
                _(
                    "cases they registered (立案), on time within %(limit)s of the report, and "
                    "of those the voided ones; cases they closed (结案) and are closed now, on "
                    "schedule when handled within the time limit"
                )
                % {"limit": register_limit},
            ),
            (
                role_label(DISPATCHER),
                _(
                    "dispatches: their 派遣 and 改派 acts; first dispatches: a case's first "
                    "派遣, on time within %(limit)s of registration; mis-dispatched: acts undone "
                    "by the case's next step, an approved rollback (回退)"
                )
                % {"limit": dispatch_limit},
            ),
            (
                role_label(GRIDWORKER),
                _(
                    "reports they entered as grid workers, valid when the case was registered; "
                    "their on-site verifications (核实) and checks (核查)"
                ),
            ),
            (
                role_label(HANDLER),
                _(
                    "their 处置完成 acts, on time when within the time limit at that moment "
                    "(green or yellow light), reworked when the next check failed (返工)"
                ),
            ),
        ]
    else:
        out += [
            (
                str(COUNT_LABELS["registered"]),
                _(
                    "cases registered; on time: within %(limit)s of the report (working time, "
                    "public holidays and 调休 respected)"
                )
                % {"limit": register_limit},
            ),
            (str(COUNT_LABELS["voided"]), _("of the registered cases, those voided (作废)")),
            (
                str(COUNT_LABELS["to_dispatch"]),
                _(
                    "registered and not voided (also 应结案数); on time: first dispatched "
                    "within %(limit)s of registration"
                )
                % {"limit": dispatch_limit},
            ),
            (
                str(COUNT_LABELS["misdispatched"]),
                _("sent back to dispatch by an approved rollback (回退) at least once"),
            ),
            (
                str(COUNT_LABELS["to_handle"]),
                _("dispatched at least once; handled: handling completed at least once"),
            ),
            (str(COUNT_LABELS["reworked"]), _("failed the check (核查) at least once: 返工")),
            (str(COUNT_LABELS["extended"]), _("with an approved extension (延期)")),
            (str(COUNT_LABELS["suspended"]), _("suspended (挂账) at the last refresh")),
            (
                str(COUNT_LABELS["closed_on_time"]),
                _("closed, and handled within the time limit (extensions and suspensions counted)"),
            ),
        ]
        if dimension == "department":
            out.append(
                (
                    _("Departments (部门)"),
                    _(
                        "the department a case is with now; cases not dispatched (or sent back) "
                        "are listed apart and not ranked"
                    ),
                )
            )
    out.append(
        (
            _("Composite score (综合指标值)"),
            _(
                "0–100: the weighted mean of the indicator scores (a rate scores 100 × rate, "
                "返工率 and 延期率 100 × (1 − rate), a volume 100 × count / the largest count "
                "in view), indicators without data left out; weights: %(weights)s"
            )
            % {"weights": weights_text(_kinds(dimension))},
        )
    )
    return out


def _limit_text(limit) -> str:
    amount, unit = limit
    n = float(amount)
    count = int(n) if n.is_integer() else 2  # plural forms need an integer; 1.5 is plural
    units = {
        "minute": ngettext("%(n)s minute", "%(n)s minutes", count),
        "hour": ngettext("%(n)s calendar hour", "%(n)s calendar hours", count),
        "day": ngettext("%(n)s calendar day", "%(n)s calendar days", count),
        "work_hour": ngettext("%(n)s working hour", "%(n)s working hours", count),
        "work_day": ngettext("%(n)s working day", "%(n)s working days", count),
    }
    return units.get(unit, f"%(n)s {unit}") % {"n": f"{n:g}"}


def weights() -> dict[str, dict[str, float]]:
    """``settings.CASES_SCORE_WEIGHTS``, checked: known indicators, positive weights."""
    configured = getattr(settings, "CASES_SCORE_WEIGHTS", {})
    for kind in ("area", "department", *ROLES):
        table = configured.get(kind)
        if not table:
            raise ImproperlyConfigured(f"CASES_SCORE_WEIGHTS has no weights for {kind!r}")
        for key, weight in table.items():
            if key not in INDICATORS:
                raise ImproperlyConfigured(f"CASES_SCORE_WEIGHTS[{kind!r}]: unknown {key!r}")
            if not weight or weight < 0:
                raise ImproperlyConfigured(f"CASES_SCORE_WEIGHTS[{kind!r}][{key!r}] must be > 0")
    return configured


def weights_text(kinds: Iterable[str] = ("area", "department", *ROLES)) -> str:
    table = weights()
    labels = {"area": _("areas"), "department": _("departments")}
    parts = []
    for kind in kinds:
        total = sum(table[kind].values())
        items = "、".join(
            f"{INDICATORS[k].label} {100 * w / total:.0f}%" for k, w in table[kind].items()
        )
        parts.append(f"{labels.get(kind) or role_label(kind)}: {items}")
    return "; ".join(parts)


# -- timeliness of 立案 and 派遣 ---------------------------------------------------------------


def _within(start: dt.datetime, end: dt.datetime, limit) -> bool:
    amount, unit = limit
    return worktime.default_calendar().light(start, end, float(amount), unit) != "red"


def registered_in_time(reported_at: dt.datetime, registered_at: dt.datetime) -> bool:
    """按时立案: registered within ``CASES_REGISTER_LIMIT`` of the report (working time)."""
    return _within(reported_at, registered_at, settings.CASES_REGISTER_LIMIT)


def dispatched_in_time(registered_at: dt.datetime, dispatched_at: dt.datetime) -> bool:
    """按时派遣: first dispatched within ``CASES_DISPATCH_LIMIT`` of 立案 (working time)."""
    return _within(registered_at, dispatched_at, settings.CASES_DISPATCH_LIMIT)


def _set_flag(field_name: str, values: dict[int, bool]) -> None:
    """Write a derived flag with one UPDATE per value and chunk (no per-row queries; no
    ``updated_at`` change, so the refresh does not see its own writes as case changes)."""
    for flag in (True, False):
        pks = [pk for pk, v in values.items() if v is flag]
        for i in range(0, len(pks), 5000):
            Case.objects.filter(pk__in=pks[i : i + 5000]).update(**{field_name: flag})


def fill_timeliness(start: dt.datetime, end: dt.datetime) -> int:
    """Judge 按时立案 and 按时派遣 for the cases registered in [start, end) whose flags are
    still empty (the workflow sets them at the transition; this covers bulk-loaded and older
    rows). Returns the number of flags set."""
    cohort = Case.objects.filter(registered_at__gte=start, registered_at__lt=end)
    registered = {
        pk: registered_in_time(reported, registered)
        for pk, reported, registered in cohort.filter(registered_on_time__isnull=True).values_list(
            "pk", "reported_at", "registered_at"
        )
    }
    _set_flag("registered_on_time", registered)
    first_dispatch = (
        CaseEvent.objects.filter(case=OuterRef("pk"), action=CaseEvent.Action.DISPATCH)
        .order_by("time", "pk")
        .values("time")[:1]
    )
    rows = (
        cohort.filter(dispatched_on_time__isnull=True)
        .filter(Q(dispatched_at__isnull=False) | Q(rollback_count__gt=0))
        .annotate(first=Subquery(first_dispatch))
        .values_list("pk", "registered_at", "first", "dispatched_at")
    )
    dispatched = {}
    for pk, registered_at, first, dispatched_at in rows:
        moment = first or dispatched_at
        if moment is not None:
            dispatched[pk] = dispatched_in_time(registered_at, moment)
    _set_flag("dispatched_on_time", dispatched)
    return len(registered) + len(dispatched)


# -- refresh --------------------------------------------------------------------------------


def month_start(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[first instant, first instant of the next month) in the site's time zone."""
    tz = timezone.get_default_timezone()
    start = dt.datetime(month.year, month.month, 1, tzinfo=tz)
    nxt = add_months(month, 1)
    return start, dt.datetime(nxt.year, nxt.month, 1, tzinfo=tz)


def _case_counts(start: dt.datetime, end: dt.datetime):
    live = ~Q(state=State.VOID)
    dispatched_once = Q(dispatched_at__isnull=False) | Q(rollback_count__gt=0)
    handled_once = (
        Q(handled_at__isnull=False)
        | Q(state=State.CLOSED)
        | Q(rework_count__gt=0)
        | Q(reopen_count__gt=0)
    )
    return (
        Case.objects.filter(registered_at__gte=start, registered_at__lt=end)
        .order_by()
        .values("org_unit_id", "org_unit__path", "department_id")
        .annotate(
            registered=Count("pk"),
            registered_on_time=Count("pk", filter=Q(registered_on_time=True)),
            voided=Count("pk", filter=Q(state=State.VOID)),
            to_dispatch=Count("pk", filter=live),
            dispatched_on_time=Count("pk", filter=live & Q(dispatched_on_time=True)),
            misdispatched=Count("pk", filter=live & Q(rollback_count__gt=0)),
            to_handle=Count("pk", filter=live & dispatched_once),
            handled=Count("pk", filter=live & handled_once),
            reworked=Count("pk", filter=live & Q(rework_count__gt=0)),
            extended=Count("pk", filter=live & Q(extension_count__gt=0)),
            to_close=Count("pk", filter=live),
            suspended=Count("pk", filter=Q(state=State.SUSPENDED)),
            closed=Count("pk", filter=Q(state=State.CLOSED)),
            closed_on_time=Count("pk", filter=Q(state=State.CLOSED, closed_on_time=True)),
        )
    )


def _previous(action_q: Q):
    """Events matching ``action_q`` of the same case before the outer event."""
    return CaseEvent.objects.filter(action_q, case=OuterRef("case")).filter(
        Q(time__lt=OuterRef("time")) | Q(time=OuterRef("time"), pk__lt=OuterRef("pk"))
    )


def _next_action(actions: list[str]):
    """The action of the case's next event among ``actions`` after the outer event. The
    outer query scans one month of acts; each look-up reads one case's few events."""
    return Subquery(
        CaseEvent.objects.filter(action__in=actions, case=OuterRef("case"))
        .filter(Q(time__gt=OuterRef("time")) | Q(time=OuterRef("time"), pk__gt=OuterRef("pk")))
        .order_by("time", "pk")
        .values("action")[:1]
    )


def _staff_counts(start: dt.datetime, end: dt.datetime) -> dict[tuple[int, str], dict]:
    A = CaseEvent.Action
    out: dict[tuple[int, str], dict] = defaultdict(lambda: dict.fromkeys(STAFF_COUNTS, 0))

    def add(role: str, rows, user_key: str) -> None:
        for row in rows:
            counts = out[(row.pop(user_key), role)]
            for key, value in row.items():
                counts[key] += value

    in_month = {"time__gte": start, "time__lt": end, "user__isnull": False}
    # 值班长: 立案 and 结案.
    add(
        SHIFTLEAD,
        Case.objects.filter(
            registered_at__gte=start, registered_at__lt=end, registered_by__isnull=False
        )
        .order_by()
        .values("registered_by")
        .annotate(
            registered=Count("pk"),
            registered_on_time=Count("pk", filter=Q(registered_on_time=True)),
            registered_voided=Count("pk", filter=Q(state=State.VOID)),
        ),
        "registered_by",
    )
    add(
        SHIFTLEAD,
        Case.objects.filter(
            state=State.CLOSED, closed_at__gte=start, closed_at__lt=end, closed_by__isnull=False
        )
        .order_by()
        .values("closed_by")
        .annotate(
            closed=Count("pk"),
            closed_on_time=Count("pk", filter=Q(closed_on_time=True)),
        ),
        "closed_by",
    )
    # 派遣员: 派遣 and 改派 acts; the first 派遣 of a case is judged for timeliness; an act
    # is a mis-dispatch when the case's next dispatch-related event is an approved rollback.
    dispatch_acts = [A.DISPATCH, A.REROUTE]
    first = Q(action=A.DISPATCH, earlier=False)
    add(
        DISPATCHER,
        CaseEvent.objects.filter(action__in=dispatch_acts, **in_month)
        .annotate(
            earlier=Exists(_previous(Q(action=A.DISPATCH))),
            undone_by=_next_action([*dispatch_acts, A.APPROVE_ROLLBACK]),
        )
        .order_by()
        .values("user")
        .annotate(
            dispatches=Count("pk"),
            first_dispatches=Count("pk", filter=first),
            dispatched_on_time=Count("pk", filter=first & Q(case__dispatched_on_time=True)),
            misdispatched=Count("pk", filter=Q(undone_by=A.APPROVE_ROLLBACK)),
        ),
        "user",
    )
    # 网格员: reports through the grid-worker channel, 核实 and 核查.
    add(
        GRIDWORKER,
        Report.objects.filter(
            channel=Channel.GRIDWORKER,
            received_at__gte=start,
            received_at__lt=end,
            user__isnull=False,
        )
        .order_by()
        .values("user")
        .annotate(
            reports=Count("pk"),
            reports_registered=Count("pk", filter=Q(case__registered_at__isnull=False)),
        ),
        "user",
    )
    add(
        GRIDWORKER,
        CaseEvent.objects.filter(action__in=[A.VERIFY, A.CHECK_PASS, A.CHECK_FAIL], **in_month)
        .order_by()
        .values("user")
        .annotate(
            verifications=Count("pk", filter=Q(action=A.VERIFY)),
            checks=Count("pk", filter=Q(action__in=[A.CHECK_PASS, A.CHECK_FAIL])),
        ),
        "user",
    )
    # 处置人员: 处置完成 acts, on time by the light at that moment; reworked when the case's
    # next check or handling event is a failed check (返工).
    add(
        HANDLER,
        CaseEvent.objects.filter(action=A.HANDLED, **in_month)
        .annotate(then=_next_action([A.HANDLED, A.CHECK_FAIL]))
        .order_by()
        .values("user")
        .annotate(
            handled=Count("pk"),
            handled_on_time=Count("pk", filter=Q(data__light__in=["green", "yellow"])),
            handled_reworked=Count("pk", filter=Q(then=A.CHECK_FAIL)),
        ),
        "user",
    )
    return out


# pg_advisory_xact_lock key of the refresh: two refreshes (the beat task and a demo load,
# say) must not both delete and re-insert a month, or its rows would double.
REFRESH_LOCK = 4_302_120_140


def _begin_refresh() -> None:
    """On PostgreSQL: wait for any other refresh of a month, and switch JIT off for this
    transaction (it compiles the month's queries for longer than they run: hundreds of short
    index look-ups). SQLite serialises writing transactions by itself."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REFRESH_LOCK])
            cursor.execute("SET LOCAL jit = off")


def refresh_months(months: Iterable[dt.date]) -> int:
    """Recompute the stat rows of ``months`` (any dates; their months count) from the case
    rows, one transaction per month. Idempotent. Returns the number of stat rows written."""
    written = 0
    for month in sorted({month_start(m) for m in months}):
        start, end = month_bounds(month)
        fill_timeliness(start, end)
        with transaction.atomic():
            _begin_refresh()
            written += _refresh_month(month, start, end)
    return written


def _refresh_month(month: dt.date, start: dt.datetime, end: dt.datetime) -> int:
    now = timezone.now()
    case_rows = [
        CaseStat(
            month=month,
            org_unit_id=row.pop("org_unit_id"),
            unit_path=row.pop("org_unit__path"),
            department_id=row.pop("department_id"),
            computed_at=now,
            **row,
        )
        for row in _case_counts(start, end)
    ]
    staff = _staff_counts(start, end)
    people = {
        pk: (path or "", department)
        for pk, path, department in User.objects.filter(
            pk__in={user for user, _role in staff}
        ).values_list("pk", "org_unit__path", "department_id")
    }
    staff_rows = [
        StaffStat(
            month=month,
            user_id=user,
            role=role,
            unit_path=people[user][0],
            department_id=people[user][1],
            computed_at=now,
            **counts,
        )
        for (user, role), counts in staff.items()
        if user in people
    ]
    CaseStat.objects.filter(month=month).delete()
    CaseStat.objects.bulk_create(case_rows, batch_size=1000)
    StaffStat.objects.filter(month=month).delete()
    StaffStat.objects.bulk_create(staff_rows, batch_size=1000)
    return len(case_rows) + len(staff_rows)


def _local_month(field_name: str):
    return TruncMonth(field_name, output_field=DateField(), tzinfo=timezone.get_default_timezone())


def refresh_all() -> int:
    """Recompute every month from the first report to the latest act (or this month), and
    drop stat rows of months without cases."""
    first = Case.objects.aggregate(first=Min("reported_at"))["first"]
    if first is None:
        CaseStat.objects.all().delete()
        StaffStat.objects.all().delete()
        return 0
    latest = max(timezone.now(), CaseEvent.objects.aggregate(t=Max("time"))["t"] or timezone.now())
    month, last = month_start(first), month_start(latest)
    months = []
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    CaseStat.objects.exclude(month__in=months).delete()
    StaffStat.objects.exclude(month__in=months).delete()
    return refresh_months(months)


# Changes made while a refresh runs are caught by the next one.
REFRESH_OVERLAP = dt.timedelta(minutes=10)


def refresh_recent(now: dt.datetime | None = None) -> int:
    """The current and previous month, and every month a case changed since the last
    refresh touches (its 立案 month and the months of its events): a case registered in
    January and closed in March changes January's figures."""
    now = now or timezone.now()
    last = last_refreshed()
    if last is None:
        return refresh_all()
    this = month_start(now)
    months = {this, add_months(this, -1)}
    changed = Case.objects.filter(updated_at__gte=last - REFRESH_OVERLAP).values("pk")
    months |= set(
        Case.objects.filter(pk__in=changed, registered_at__isnull=False)
        .annotate(m=_local_month("registered_at"))
        .values_list("m", flat=True)
        .distinct()
    )
    months |= set(
        CaseEvent.objects.filter(case__in=changed)
        .annotate(m=_local_month("time"))
        .values_list("m", flat=True)
        .distinct()
    )
    return refresh_months(months)


def last_refreshed() -> dt.datetime | None:
    times = [
        CaseStat.objects.aggregate(t=Max("computed_at"))["t"],
        StaffStat.objects.aggregate(t=Max("computed_at"))["t"],
    ]
    times = [t for t in times if t is not None]
    return max(times) if times else None


# -- periods --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A span of whole months: a month, a quarter, a year or any from–to range."""

    kind: str  # month | quarter | year | range
    first: dt.date
    last: dt.date

    @property
    def months(self) -> list[dt.date]:
        out, month = [], self.first
        while month <= self.last:
            out.append(month)
            month = add_months(month, 1)
        return out

    @property
    def start_date(self) -> dt.date:
        return self.first

    @property
    def end_date(self) -> dt.date:
        return self.last.replace(day=pycalendar.monthrange(self.last.year, self.last.month)[1])

    @property
    def label(self) -> str:
        if self.kind == "quarter":
            return _("Q%(quarter)s %(year)s") % {
                "quarter": (self.first.month - 1) // 3 + 1,
                "year": self.first.year,
            }
        if self.kind == "year":
            return _("Year %(year)s") % {"year": self.first.year}
        first = date_format(self.first, "YEAR_MONTH_FORMAT")
        if self.first == self.last:
            return first
        return _("%(first)s to %(last)s") % {
            "first": first,
            "last": date_format(self.last, "YEAR_MONTH_FORMAT"),
        }

    @property
    def slug(self) -> str:
        if self.kind == "quarter":
            return f"{self.first.year}Q{(self.first.month - 1) // 3 + 1}"
        if self.kind == "year":
            return f"{self.first.year}"
        if self.first == self.last:
            return f"{self.first:%Y-%m}"
        return f"{self.first:%Y-%m}_{self.last:%Y-%m}"

    def query(self) -> dict[str, str]:
        """The GET parameters that select this period (the inverse of ``parse_period``)."""
        if self.kind == "quarter":
            return {"period": "quarter", "quarter": self.slug}
        if self.kind == "year":
            return {"period": "year", "year": self.slug}
        if self.kind == "month":
            return {"period": "month", "month": f"{self.first:%Y-%m}"}
        return {"period": "range", "from": f"{self.first:%Y-%m}", "to": f"{self.last:%Y-%m}"}


MAX_RANGE_MONTHS = 120


def quarter_of(day: dt.date) -> Period:
    first = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return Period("quarter", first, add_months(first, 2))


def _parse_month(value: str) -> dt.date | None:
    try:
        year, month = (int(p) for p in value.strip().split("-")[:2])
        return dt.date(year, month, 1) if 2000 <= year <= 2100 else None
    except (ValueError, TypeError):
        return None


def parse_period(params, today: dt.date | None = None) -> tuple[Period, bool]:
    """The period the GET parameters select, and whether they were valid; the current
    quarter when absent or invalid. ``period`` = month (``month=2026-07``), quarter
    (``quarter=2026Q3``), year (``year=2026``) or range (``from=2026-01&to=2026-06``)."""
    today = today or timezone.localdate()
    kind = params.get("period") or "quarter"
    default = quarter_of(today)
    if kind == "month":
        month = _parse_month(params.get("month") or f"{today:%Y-%m}")
        return (Period("month", month, month), True) if month else (default, False)
    if kind == "quarter":
        value = (params.get("quarter") or "").upper().replace("-", "")
        if not value:
            return default, True
        try:
            year, quarter = value.split("Q")
            year, quarter = int(year), int(quarter)
        except ValueError:
            return default, False
        if not (2000 <= year <= 2100 and 1 <= quarter <= 4):
            return default, False
        return quarter_of(dt.date(year, 3 * quarter - 2, 1)), True
    if kind == "year":
        try:
            year = int(params.get("year") or today.year)
        except ValueError:
            return default, False
        if not 2000 <= year <= 2100:
            return default, False
        return Period("year", dt.date(year, 1, 1), dt.date(year, 12, 1)), True
    if kind == "range":
        first = _parse_month(params.get("from") or "")
        last = _parse_month(params.get("to") or "")
        if first is None or last is None or last < first:
            return default, False
        if (last.year - first.year) * 12 + last.month - first.month >= MAX_RANGE_MONTHS:
            return default, False
        return Period("range", first, last), True
    return default, False


# -- reading the figures --------------------------------------------------------------------


@dataclass
class Row:
    key: str
    name: str
    counts: dict[str, int]
    rates: dict[str, float | None] = field(default_factory=dict)
    score: float | None = None
    rank: int | None = None
    detail: str = ""  # e.g. a staff member's unit or department
    url: str = ""
    ranked: bool = True  # the "not dispatched" row is shown but not ranked

    @property
    def has_data(self) -> bool:
        return any(self.counts.values())


@dataclass
class Table:
    dimension: str
    kind: str  # area | department | a role
    title: str
    count_keys: tuple[str, ...]
    rate_keys: tuple[str, ...]
    rows: list[Row]
    total: Row

    @property
    def count_columns(self) -> list[tuple[str, str]]:
        return [(k, str(COUNT_LABELS[k])) for k in self.count_keys]

    @property
    def rate_columns(self) -> list[tuple[str, str]]:
        return [(k, str(INDICATORS[k].label)) for k in self.rate_keys]


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator > 0 else None


def _score(rates: dict[str, float | None], volumes: dict[str, float | None], table: dict):
    total = weighted = 0.0
    for key, weight in table.items():
        indicator = INDICATORS[key]
        value = volumes.get(key) if indicator.kind == "volume" else rates.get(key)
        if value is None:
            continue
        points = 100 * (1 - value) if indicator.lower_is_better else 100 * value
        weighted += weight * points
        total += weight
    return round(weighted / total, 2) if total else None


def _rank(rows: list[Row]) -> list[Row]:
    """Order by score (best first); equal scores share a rank (1, 2, 2, 4)."""
    ranked = sorted(
        (r for r in rows if r.ranked and r.score is not None), key=lambda r: (-r.score, r.key)
    )
    previous, rank = None, 0
    for position, row in enumerate(ranked, start=1):
        if row.score != previous:
            rank, previous = position, row.score
        row.rank = rank
    rest = [r for r in rows if r.rank is None]
    return ranked + sorted(rest, key=lambda r: (not r.ranked, r.key))


def _finish(
    rows: list[Row], total: Row, kind: str, rates_from: dict, volume_peers: list[Row]
) -> None:
    table = weights()[kind]
    volume_keys = [k for k in table if INDICATORS[k].kind == "volume"]
    peaks = {k: max((_VOLUMES[k](r.counts) for r in volume_peers), default=0) for k in volume_keys}
    for row in [*rows, total]:
        row.rates = {
            k: _ratio(num(row.counts), den(row.counts)) for k, (num, den) in rates_from.items()
        }
        volumes = {
            k: (_VOLUMES[k](row.counts) / peaks[k] if peaks[k] else None) for k in volume_keys
        }
        if row is total and volume_keys:
            volumes = {}  # a total has no peers to be compared with
        row.score = _score(row.rates, volumes, table) if row.has_data else None


def _zero(keys) -> dict[str, int]:
    return dict.fromkeys(keys, 0)


def _add(into: dict[str, int], row: dict) -> None:
    for key in into:
        into[key] += row.get(key) or 0


def scoped_stats(model, user):
    """The stat rows ``user`` may see: the cases' permission, the cases' scope."""
    if user is None or not user.is_authenticated or not user.is_active:
        return model.objects.none()
    if user.is_superuser:
        return model.objects.all()
    if not user.has_perm("cases.view_case"):
        return model.objects.none()
    return model.objects.filter(scope_q(model, user))


def _base_path(user) -> str | None:
    """The subtree whose units are listed even without cases (None: list only units with
    figures, as for a department user, who sees only their department's cases)."""
    if not user.is_superuser and (
        user.department_id or user.org_unit_id is None or not user.has_perm("cases.view_case")
    ):
        return None
    unit = OrgUnit.home_of(user)
    return unit.path if unit is not None else None


def indicators(first_month: dt.date, last_month: dt.date, dimension: str, user) -> list[Table]:
    """The evaluation tables of ``dimension`` (grid, community, department, role) for the
    months ``first_month`` .. ``last_month``, from the stat tables only, in ``user``'s scope:
    one table (or one per role), each with its rows ranked and a total row."""
    first, last = month_start(first_month), month_start(last_month)
    if dimension == "role":
        return _role_tables(first, last, user)
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    stats = scoped_stats(CaseStat, user).filter(month__gte=first, month__lte=last).order_by()
    sums = {key: Sum(key) for key in CASE_COUNTS}
    total = Row("", _("Total"), _zero(CASE_COUNTS), ranked=False)
    rows: dict[str, Row] = {}
    if dimension == "department":
        kind = "department"
        data = list(stats.values("department_id").annotate(**sums))
        names = dict(
            Department.objects.filter(pk__in=[d["department_id"] for d in data]).values_list(
                "pk", "name"
            )
        )
        for d in data:
            pk = d["department_id"]
            if pk is None:
                row = Row(
                    "—",
                    _("Not dispatched (awaiting dispatch or sent back)"),
                    _zero(CASE_COUNTS),
                    ranked=False,
                )
            else:
                row = Row(str(pk), names.get(pk, str(pk)), _zero(CASE_COUNTS))
            rows[row.key] = row
            _add(row.counts, d)
            _add(total.counts, d)
    else:
        kind = "area"
        data = list(stats.values("org_unit_id", "unit_path").annotate(**sums))
        base = _base_path(user)
        level = OrgUnit.Level.GRID if dimension == "grid" else OrgUnit.Level.COMMUNITY
        wanted = Q(pk__in=[d["org_unit_id"] for d in data])
        if dimension == "community":
            from streetbrain.core.scoping import ancestor_paths

            wanted = Q(
                path__in={p for d in data for p in ancestor_paths(d["unit_path"])}, level=level
            )
            wanted |= Q(pk__in=[d["org_unit_id"] for d in data], level=level)
        if base is not None:
            wanted |= Q(level=level, path__startswith=base)
        units = list(OrgUnit.objects.filter(wanted).only("pk", "code", "name", "path", "level"))
        by_path = {u.path: u for u in units if u.level == level}
        case_list = reverse("cases:index")
        by_pk = {u.pk: u for u in units}
        for unit in by_path.values():
            # Every figure links to the list behind it: the unit's cases.
            rows[unit.path] = Row(
                unit.code, unit.name, _zero(CASE_COUNTS), url=f"{case_list}?org_unit={unit.pk}"
            )
        for d in data:
            path = d["unit_path"]
            target = by_path.get(path)
            if target is None:
                target = next((u for p, u in by_path.items() if path.startswith(p)), None)
            if target is None:  # a case outside any unit of this level (e.g. at the street)
                unit = by_pk.get(d["org_unit_id"])
                key = path
                if key not in rows:
                    rows[key] = Row(
                        unit.code if unit else path, unit.name if unit else path, _zero(CASE_COUNTS)
                    )
                row = rows[key]
            else:
                row = rows[target.path]
            _add(row.counts, d)
            _add(total.counts, d)
    row_list = list(rows.values())
    _finish(row_list, total, kind, _RATES, [])
    return [
        Table(
            dimension,
            kind,
            str(DIMENSIONS[dimension]),
            AREA_COUNTS,
            AREA_RATES,
            _rank(row_list),
            total,
        )
    ]


def _role_tables(first: dt.date, last: dt.date, user) -> list[Table]:
    stats = scoped_stats(StaffStat, user).filter(month__gte=first, month__lte=last).order_by()
    data = list(stats.values("user_id", "role").annotate(**{key: Sum(key) for key in STAFF_COUNTS}))
    # Names only: a user row with its org unit would drag the unit's outline along.
    people = {
        pk: (display or username, department or unit or "")
        for pk, display, username, unit, department in User.objects.filter(
            pk__in={d["user_id"] for d in data}
        ).values_list("pk", "display_name", "username", "org_unit__name", "department__name")
    }
    tables = []
    for role in ROLES:
        rows = []
        total = Row("", _("Total"), _zero(STAFF_COUNTS), ranked=False)
        for d in data:
            if d["role"] != role or d["user_id"] not in people:
                continue
            name, where = people[d["user_id"]]
            row = Row(str(d["user_id"]), name, _zero(STAFF_COUNTS), detail=where)
            _add(row.counts, d)
            _add(total.counts, d)
            rows.append(row)
        _finish(rows, total, role, _STAFF_RATES, rows)
        count_keys, rate_keys = ROLE_COLUMNS[role]
        tables.append(
            Table("role", role, role_label(role), count_keys, rate_keys, _rank(rows), total)
        )
    return tables


def trend(last_month: dt.date, user, months: int = 12) -> list[dict]:
    """结案率 and 按期结案率 per month over the ``months`` months up to ``last_month``, in the
    user's scope (one GROUP BY over the stat rows)."""
    last = month_start(last_month)
    first = add_months(last, -(months - 1))
    data = {
        d["month"]: d
        for d in scoped_stats(CaseStat, user)
        .filter(month__gte=first, month__lte=last)
        .order_by()
        .values("month")
        .annotate(**{k: Sum(k) for k in ("closed", "closed_on_time", "to_close", "suspended")})
    }
    out = []
    month = first
    while month <= last:
        d = data.get(month)
        row = {"month": f"{month:%Y-%m}", "closing_rate": None, "closed_on_time_rate": None}
        if d:
            base = (d["to_close"] or 0) - (d["suspended"] or 0)
            row["closing_rate"] = _ratio(d["closed"] or 0, base)
            row["closed_on_time_rate"] = _ratio(d["closed_on_time"] or 0, base)
        out.append(row)
        month = add_months(month, 1)
    return out


# -- the quarterly bulletin (Excel) ---------------------------------------------------------


def bulletin_unit_name(user) -> str:
    """Whose bulletin it is: the user's department, or their org unit (the street for a
    superuser without one)."""
    if getattr(user, "department_id", None) and not user.is_superuser:
        return user.department.name
    unit = OrgUnit.home_of(user)
    return unit.name if unit is not None else ""


def bulletin_title(period: Period, user) -> str:
    return _("%(unit)s digital city management case evaluation bulletin (%(period)s)") % {
        "unit": bulletin_unit_name(user),
        "period": period.label,
    }


def bulletin(period: Period, user):
    """The bulletin of ``period`` in ``user``'s scope as an openpyxl workbook: a title, the
    period, units × indicators with percentages as percent cells, a total row, the rank, and
    the formulas; one sheet per dimension (grid cells, communities, departments, roles)."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    as_of = last_refreshed()
    title = bulletin_title(period, user)
    subtitle = _("Period: %(start)s to %(end)s") % {
        "start": period.start_date.isoformat(),
        "end": period.end_date.isoformat(),
    }
    if as_of is not None:
        subtitle += "    " + _("Data as of %(time)s") % {
            "time": f"{timezone.localtime(as_of):%Y-%m-%d %H:%M}"
        }
    sheet_names = {
        "grid": _("Grid cells"),
        "community": _("Communities"),
        "department": _("Departments"),
        "role": _("Roles"),
    }
    for dimension in DIMENSIONS:
        sheet = workbook.create_sheet(_sheet_title(sheet_names[dimension]))
        tables = indicators(period.first, period.last, dimension, user)
        _write_sheet(sheet, title, subtitle, tables)
    return workbook


def _labels(keys) -> set[str]:
    return {str(INDICATORS[k].label) for k in keys}


def _sheet_title(name: str) -> str:
    for char in "[]:*?/\\":
        name = name.replace(char, " ")
    return name[:31]


def _write_sheet(sheet, title: str, subtitle: str, tables: list[Table]) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_fill = PatternFill("solid", fgColor="DCE6F1")
    total_fill = PatternFill("solid", fgColor="F2F2F2")
    dimension = tables[0].dimension
    staff = dimension == "role"

    def rate_keys(table: Table) -> tuple[str, ...]:
        return table.rate_keys if staff else BULLETIN_RATES

    width = max((1 if staff else 0) + 1 + len(t.count_keys) + len(rate_keys(t)) + 2 for t in tables)

    sheet.cell(row=1, column=1, value=title).font = Font(bold=True, size=16)
    sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(row=2, column=1, value=subtitle).alignment = Alignment(horizontal="center")
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    line = 4
    for table in tables:
        if staff:
            sheet.cell(row=line, column=1, value=table.title).font = Font(bold=True, size=12)
            line += 1
        headers = [_("Name") if staff else _("Unit")]
        if staff:
            headers.append(_("Unit or department"))
        headers += [label for _k, label in table.count_columns]
        headers += [str(INDICATORS[k].label) for k in rate_keys(table)]
        headers += [_("Composite score (综合指标值)"), _("Rank")]
        for column, text in enumerate(headers, start=1):
            cell = sheet.cell(row=line, column=column, value=text)
            cell.font, cell.fill, cell.border = Font(bold=True), head_fill, border
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.row_dimensions[line].height = 45
        if line == 4:
            sheet.freeze_panes = sheet.cell(row=5, column=2)
        line += 1
        for row in [*table.rows, table.total]:
            is_total = row is table.total
            values: list = [row.name]
            if staff:
                values.append(row.detail)
            values += [row.counts[k] for k in table.count_keys]
            rates = [row.rates.get(k) for k in rate_keys(table)]
            values += rates
            values += [row.score, row.rank]
            first_rate = len(values) - len(rates) - 2 + 1
            for column, value in enumerate(values, start=1):
                cell = sheet.cell(row=line, column=column, value=value)
                cell.border = border
                if first_rate <= column < first_rate + len(rates):
                    cell.number_format = "0.00%"
                elif column == first_rate + len(rates):
                    cell.number_format = "0.00"
                if is_total:
                    cell.font, cell.fill = Font(bold=True), total_fill
            line += 1
        line += 1
    # Notes: the formulas and the definitions, as a bulletin states them.
    sheet.cell(row=line, column=1, value=_("Notes")).font = Font(bold=True)
    line += 1
    keys: list[str] = []
    for table in tables:
        for key in (*rate_keys(table), *weights()[table.kind]):
            if key not in keys:
                keys.append(key)
    notes = [
        f"{label} = {formula}" for label, formula in formulas(dimension) if label in _labels(keys)
    ]
    notes += [f"{term}: {text}" for term, text in definitions(dimension)]
    for number, text in enumerate(notes, start=1):
        cell = sheet.cell(row=line, column=1, value=f"{number}. {text}")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.merge_cells(start_row=line, start_column=1, end_row=line, end_column=width)
        sheet.row_dimensions[line].height = 15 * max(1, len(text) // 90 + 1)
        line += 1
    sheet.column_dimensions["A"].width = 22
    if staff:
        sheet.column_dimensions["B"].width = 18
    for column in range(3 if staff else 2, width + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 11
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "4:4"
