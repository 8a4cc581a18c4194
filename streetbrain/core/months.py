"""Months as the platform counts them: a month is stored as its first day, counted as an index
(``year * 12 + month − 1``) when it is stepped through, and shown as "the last complete month"
when its figures depend on reports that arrive after it ends (tax, evaluation).

One definition of each, for the economy's figures, the cockpit, the case evaluation and the
demo's histories."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.utils import timezone

_MONTH = re.compile(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?")


def month_start(value: dt.date | dt.datetime) -> dt.date:
    """The first day of ``value``'s month (a datetime in the site's time zone)."""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.replace(day=1)


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def month_of(index: int) -> dt.date:
    """The first day of the month ``index`` counts (the inverse of ``month_index``)."""
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(index: int) -> dt.date:
    """The last day of the month ``index`` counts."""
    return month_of(index + 1) - dt.timedelta(days=1)


def add_months(day: dt.date, n: int) -> dt.date:
    """The first day of the month ``n`` months after ``day``'s (before it when ``n`` < 0)."""
    return month_of(month_index(day) + n)


def last_day(day: dt.date) -> dt.date:
    """The last day of ``day``'s month."""
    return month_end(month_index(day))


def last_complete_month(today: dt.date | None = None) -> dt.date:
    """The month before ``today``'s (its first day): the latest the bureaus have reported."""
    return add_months(today or timezone.localdate(), -1)


def latest_complete(months: Iterable[dt.date], today: dt.date | None = None) -> dt.date | None:
    """The month a page shows of figures that exist for ``months``: the latest before the
    current month (the current month's tax arrives after it ends), else the latest; None
    without months."""
    months = list(months)
    current = month_start(today or timezone.localdate())
    complete = [m for m in months if m < current]
    return max(complete) if complete else max(months, default=None)


def parse_month(text: str | None) -> dt.date | None:
    """``2025-03`` (or ``2025-3``, or any day of it: ``2025-03-15``) → 2025-03-01; None when
    ``text`` is not a month."""
    match = _MONTH.fullmatch((text or "").strip())
    if match is None:
        return None
    year, month, day = match.groups()
    try:
        dt.date(int(year), int(month), int(day or 1))
    except ValueError:
        return None
    return dt.date(int(year), int(month), 1)
