"""The clock of a case (时限): the limit runs from 派遣 in the case's units (working hours,
working days or calendar time, ``core.worktime``), paused while it is suspended (挂账) and
lengthened by approved extensions; the deadline and the light (green / yellow / red) follow
from it. ``clock_of`` is what pages, the API and the CLI show. 按时立案 and 按时派遣 are the
same working-time rule against ``CASES_REGISTER_LIMIT`` and ``CASES_DISPATCH_LIMIT``: the
workflow judges them at the step, the evaluation where older rows left them empty."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from streetbrain.core import worktime

from ..models import CLOCK_STATES, Case, State


def _parse(value) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value)


def pauses_of(case: Case) -> list[tuple[dt.datetime, dt.datetime | None]]:
    return [(_parse(a), _parse(b)) for a, b in (case.pauses or [])]


def extensions_of(case: Case) -> list[tuple[float, str]]:
    return [(float(a), u) for a, u in (case.extensions or [])]


def clock_start(case: Case) -> dt.datetime | None:
    """The handling clock starts at 派遣 (dispatch)."""
    return case.dispatched_at


def compute_deadline(case: Case) -> dt.datetime | None:
    start = clock_start(case)
    if start is None or case.limit_amount is None or not case.limit_unit:
        return None
    pauses = pauses_of(case)
    if any(end is None for _, end in pauses):
        return None  # suspended: the deadline is undefined until the clock runs again
    return worktime.default_calendar().deadline(
        start, float(case.limit_amount), case.limit_unit, pauses, extensions_of(case)
    )


def compute_light(case: Case, now: dt.datetime | None = None) -> str:
    """green / yellow / red for a case whose clock has started ("" otherwise). A handled case
    is judged at ``handled_at`` (its clock stopped there)."""
    start = clock_start(case)
    if start is None or case.limit_amount is None or not case.limit_unit:
        return ""
    end = case.handled_at or now or timezone.now()
    return worktime.default_calendar().light(
        start, end, float(case.limit_amount), case.limit_unit, pauses_of(case), extensions_of(case)
    )


def used_fraction(case: Case, now: dt.datetime | None = None) -> float | None:
    start = clock_start(case)
    if start is None or case.limit_amount is None or not case.limit_unit:
        return None
    end = case.handled_at or now or timezone.now()
    return worktime.default_calendar().used_fraction(
        start, end, float(case.limit_amount), case.limit_unit, pauses_of(case), extensions_of(case)
    )


def clock_running(case: Case) -> bool:
    return case.state in CLOCK_STATES


@dataclass
class ClockView:
    """What a page shows about a case's clock."""

    deadline: dt.datetime | None
    light: str
    used: float | None
    running: bool
    suspended: bool
    extensions: list = field(default_factory=list)


def clock_of(case: Case, now: dt.datetime | None = None) -> ClockView:
    return ClockView(
        deadline=case.deadline,
        light=compute_light(case, now) if case.dispatched_at else "",
        used=used_fraction(case, now),
        running=case.state in CLOCK_STATES,
        suspended=case.state == State.SUSPENDED,
        extensions=extensions_of(case),
    )


# -- 按时立案 and 按时派遣 ------------------------------------------------------------------


def _within(start: dt.datetime, end: dt.datetime, limit) -> bool:
    amount, unit = limit
    return worktime.default_calendar().light(start, end, float(amount), unit) != "red"


def registered_in_time(reported_at: dt.datetime, registered_at: dt.datetime) -> bool:
    """按时立案: registered within ``CASES_REGISTER_LIMIT`` of the report (working time)."""
    return _within(reported_at, registered_at, settings.CASES_REGISTER_LIMIT)


def dispatched_in_time(registered_at: dt.datetime, dispatched_at: dt.datetime) -> bool:
    """按时派遣: first dispatched within ``CASES_DISPATCH_LIMIT`` of 立案 (working time)."""
    return _within(registered_at, dispatched_at, settings.CASES_DISPATCH_LIMIT)
