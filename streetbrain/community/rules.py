"""When a space opens and who may book it: plain Python over the working-time calendar
(``core.worktime``), shared by the actions, the pages and the benchmarks."""

from __future__ import annotations

import datetime as dt
import functools

from streetbrain.core.worktime import SHANGHAI, default_calendar

calendar = functools.cache(default_calendar)  # the CSV is read once per process

NO_SHOW_GRACE = dt.timedelta(minutes=15)  # a booking not checked in by then is a no-show
CHECKIN_EARLY = dt.timedelta(minutes=15)  # check-in opens this long before the slot
NO_SHOW_LIMIT = 3  # no-shows within NO_SHOW_WINDOW bar the household …
NO_SHOW_WINDOW = dt.timedelta(days=30)
NO_SHOW_BAR = dt.timedelta(days=14)  # … from booking for this long after the last one
ELDERLY_AGE = 60
BOOK_AHEAD_DAYS = 14


def is_open_on(space, day: dt.date) -> bool:
    """Working-day spaces follow the calendar (调休 included); the others open every day but
    the public holidays of the State Council's notice."""
    if space.days == "working":
        return calendar().is_working_day(day)
    return day not in calendar().holidays


def slots(space, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    """The fixed slots of ``space`` on ``day`` (aware datetimes, Asia/Shanghai)."""
    if not is_open_on(space, day):
        return []
    step = dt.timedelta(minutes=space.slot_minutes)
    start = dt.datetime.combine(day, space.opens, tzinfo=SHANGHAI)
    closes = dt.datetime.combine(day, space.closes, tzinfo=SHANGHAI)
    out = []
    while start + step <= closes:
        out.append((start, start + step))
        start += step
    return out


def is_slot(space, start: dt.datetime) -> bool:
    local = start.astimezone(SHANGHAI)
    return any(s == local for s, _ in slots(space, local.date()))


def week_of(moment: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Monday 00:00 to the next Monday 00:00 (local) around ``moment``."""
    day = moment.astimezone(SHANGHAI).date()
    monday = day - dt.timedelta(days=day.weekday())
    first = dt.datetime.combine(monday, dt.time(0), tzinfo=SHANGHAI)
    return first, first + dt.timedelta(days=7)
