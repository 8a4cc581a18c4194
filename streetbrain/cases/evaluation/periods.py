"""The months the figures are kept by, and the periods a reader asks for: a month, a
quarter, a year or a from–to range of whole months (``parse_period`` reads them from GET
parameters).
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from streetbrain.core.months import add_months, parse_month

# -- months (their arithmetic is the core's: core/months.py) -------------------------------------


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[first instant, first instant of the next month) in the site's time zone."""
    tz = timezone.get_default_timezone()
    start = dt.datetime(month.year, month.month, 1, tzinfo=tz)
    nxt = add_months(month, 1)
    return start, dt.datetime(nxt.year, nxt.month, 1, tzinfo=tz)


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
    """A month the figures may hold (2000–2100), or None."""
    month = parse_month(value)
    return month if month is not None and 2000 <= month.year <= 2100 else None


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
