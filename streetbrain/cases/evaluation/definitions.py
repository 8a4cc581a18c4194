"""What the evaluation counts and rates, as GB/T 30428.4 names them: the counts of
the stat rows, the indicators with their formulas, the tables' columns, the score's weights
(``settings.CASES_SCORE_WEIGHTS``) and the footnotes the page and the bulletin print.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

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
RATES = {
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
STAFF_RATES = {
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
VOLUMES = {
    "dispatch_volume": lambda c: c["dispatches"],
    "report_volume": lambda c: c["reports"],
    "field_check_volume": lambda c: c["verifications"] + c["checks"],
}

DIMENSIONS = {
    "street": gettext_lazy("Streets (街道)"),
    "grid": gettext_lazy("Grid cells (网格)"),
    "community": gettext_lazy("Communities (社区)"),
    "department": gettext_lazy("Departments (部门)"),
    "role": gettext_lazy("Roles (岗位)"),
}

# The area dimensions and the level of their rows; a user sees those below their own unit.
AREA_LEVELS = {"street": "street", "community": "community", "grid": "grid"}

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
