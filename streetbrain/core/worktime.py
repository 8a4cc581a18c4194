"""Working-time calendar: the clock behind case deadlines (处置时限).

Time limits are set per 小类 in 工作时 (working hours), 工作日 (working days), or, for urgent
items, in minutes and calendar hours/days. 挂账 (suspension) stops the clock and approved
extensions (延期) add to the limit. This module answers, for one calendar:

- ``is_working_day(date)``: weekends are off unless the State Council notice makes them a
  make-up working day (调休上班); public holidays (放假) are off. Years the data does not cover
  fall back to Monday–Friday; ``covers(date)`` says whether a date's year is covered.
- ``working_seconds_between(start, end)`` and ``add(start, amount, unit)``.
- ``deadline(start, amount, unit, pauses, extensions)``, ``used_fraction(...)`` and
  ``light(...)`` (green ≤ 80 % of the limit used, yellow ≤ 100 %, red beyond).

Units: ``minute``, ``hour``, ``day`` are *calendar* time (elapsed time; holidays and nights
count); ``work_hour`` (工作时) counts only time inside the working intervals of working days;
``work_day`` (工作日) is the working time of one full working day (7.5 h with the default
hours) with this rule for where the deadline falls:

- start inside working hours (on a working day, from the first opening to the last closing,
  lunch included): the same clock time on the Nth working day after — reported Friday 10:00,
  1 工作日 → next working day 10:00; reported 12:45 (lunch) → 12:45;
- start outside working hours (before opening, after closing, weekend, holiday): the close of
  business (last closing time) of the Nth working day, counting the first working day that
  begins after the start as day 1 — reported Friday 18:00 or Saturday → Monday 17:30, reported
  Monday 07:00 → Monday 17:30.

Both cases add exactly N working days of working time; they only choose, among the instants
with the same working time, the one people expect. Fractional and pause-shifted ``work_day``
deadlines follow the same rule when the start's clock time lies on the target's plateau, and
otherwise fall at the earliest instant with the target working time (``work_hour`` always
does: 4 工作时 from 08:30 end at 12:00, not 13:30).

"Used" time and the light are measured in the limit's own clock: a case finished during lunch
at 12:30 against a 12:00 deadline has used no more working time than the limit (yellow, not
red). Callers should therefore judge timeliness with ``used_fraction``/``light``, not by
comparing timestamps.

Implementation: wall-clock working time is mapped to an integer microsecond axis ``W`` through
a per-day table (working flag and cumulative working time at each midnight), so
``working_seconds_between`` is O(1) and ``add`` is a binary search over the table, never a
minute-by-minute walk. The table covers 2000–2060 at first and grows on demand. All datetimes
must be timezone-aware; results are aware datetimes in the calendar's zone (Asia/Shanghai by
default). Working hours are wall-clock times, so the zone should have no DST transitions in
the span used (Asia/Shanghai has none since 1991).

Holiday data: ``streetbrain/data/calendar/cn_public_holidays.csv`` (date, kind = holiday |
workday, name, source), one row per day of the 国务院办公厅 notices; a city can edit the file
or build a calendar from its own sets.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import functools
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOLIDAYS_CSV = (
    Path(__file__).resolve().parent.parent / "data" / "calendar" / "cn_public_holidays.csv"
)

# 08:30–12:00 and 13:30–17:30: the common office hours of street offices (7.5 h a day).
DEFAULT_HOURS: tuple[tuple[str, str], ...] = (("08:30", "12:00"), ("13:30", "17:30"))

US = 1_000_000  # microseconds per second
CALENDAR_UNITS = {"minute": 60 * US, "hour": 3600 * US, "day": 86400 * US}
WORKING_UNITS = ("work_hour", "work_day")
UNITS = (*CALENDAR_UNITS, *WORKING_UNITS)
# Limits are configured as data by Chinese users; accept the domain's words too.
UNIT_ALIASES = {
    "分钟": "minute",
    "小时": "hour",
    "天": "day",
    "自然日": "day",
    "工作时": "work_hour",
    "工作小时": "work_hour",
    "工作日": "work_day",
}
LIGHTS = ("green", "yellow", "red")

_TABLE_FIRST = dt.date(2000, 1, 1).toordinal()
_TABLE_LAST = dt.date(2060, 12, 31).toordinal()
_TABLE_MARGIN = 366 * 10  # days added beyond a request when the table grows

Pause = tuple[dt.datetime, dt.datetime | None]
Extension = tuple[float, str]


class NaiveDatetimeError(ValueError):
    """A naive datetime reached the calendar: its wall clock could be in any zone."""


def normalise_unit(unit: str) -> str:
    """The canonical unit name for ``unit`` (also accepts 工作时, 工作日, 分钟, 小时, 天)."""
    canonical = UNIT_ALIASES.get(unit, unit)
    if canonical not in UNITS:
        raise ValueError(f"unknown time-limit unit {unit!r}; use one of {', '.join(UNITS)}")
    return canonical


def _parse_clock(value: str | dt.time) -> int:
    """Microseconds after midnight; accepts ``datetime.time`` or "HH:MM[:SS]" ("24:00" too)."""
    if isinstance(value, dt.time):
        return ((value.hour * 60 + value.minute) * 60 + value.second) * US + value.microsecond
    parts = [int(p) for p in value.split(":")]
    if len(parts) not in (2, 3):
        raise ValueError(f"working-hour time {value!r} is not HH:MM or HH:MM:SS")
    hours, minutes, seconds = (*parts, 0)[:3]
    us = ((hours * 60 + minutes) * 60 + seconds) * US
    if not (0 <= minutes < 60 and 0 <= seconds < 60 and 0 <= us <= 86400 * US):
        raise ValueError(f"working-hour time {value!r} is out of range")
    return us


def _as_date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.datetime):
        raise TypeError("expected a date, got a datetime")
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


class _Table:
    """Per-day working flags and cumulative working time for ordinals ``base .. base+n-1``.

    ``cum[i]`` is the working time (µs) from the table's first midnight to the midnight that
    starts day ``i``; ``cum[n]`` closes the last day. Immutable once built, so a calendar can
    swap in a larger table while other threads still read the old one.
    """

    __slots__ = ("base", "cum", "n", "work")

    def __init__(self, base: int, n: int, work: bytearray, day_us: int) -> None:
        self.base = base
        self.n = n
        self.work = bytes(work)
        cum = [0] * (n + 1)
        total = 0
        for i in range(n):
            cum[i] = total
            if work[i]:
                total += day_us
        cum[n] = total
        self.cum = cum

    def holds(self, ordinal: int) -> bool:
        return self.base <= ordinal < self.base + self.n


class _OutOfTable(Exception):
    def __init__(self, ordinal: int) -> None:
        self.ordinal = ordinal


class WorkCalendar:
    """Working days and hours of one jurisdiction.

    ``holidays`` and ``workdays`` are dates (or mappings date → name); a workday is a weekend
    day made a working day (调休上班). ``years`` are the years the data fully covers; by default
    every year that has at least one entry (a notice lists a whole year at once).
    ``hours`` are the daily working intervals, in order and not overlapping.
    """

    def __init__(
        self,
        holidays: Iterable[dt.date | str] | Mapping[dt.date, str] = (),
        workdays: Iterable[dt.date | str] | Mapping[dt.date, str] = (),
        *,
        hours: Sequence[tuple[str | dt.time, str | dt.time]] = DEFAULT_HOURS,
        tz: dt.tzinfo = SHANGHAI,
        years: Iterable[int] | None = None,
    ) -> None:
        self.tz = tz
        self.names: dict[dt.date, str] = {}
        for source in (holidays, workdays):
            if isinstance(source, Mapping):
                self.names.update({_as_date(d): str(n) for d, n in source.items() if n})
        self.holidays = frozenset(_as_date(d) for d in holidays)
        self.workdays = frozenset(_as_date(d) for d in workdays)
        both = self.holidays & self.workdays
        if both:
            raise ValueError(f"dates both holiday and make-up workday: {sorted(both)}")
        self.years = frozenset(
            years if years is not None else {d.year for d in self.holidays | self.workdays}
        )
        self._holiday_ordinals = frozenset(d.toordinal() for d in self.holidays)
        self._workday_ordinals = frozenset(d.toordinal() for d in self.workdays)

        intervals = [(_parse_clock(a), _parse_clock(b)) for a, b in hours]
        if not intervals:
            raise ValueError("a calendar needs at least one working interval")
        previous_end = 0
        for start, end in intervals:
            if not previous_end <= start < end:
                raise ValueError("working intervals must be increasing and not overlap")
            previous_end = end
        self.intervals: tuple[tuple[int, int], ...] = tuple(intervals)
        self.day_us = sum(end - start for start, end in intervals)
        self.opens_us = intervals[0][0]
        self.closes_us = intervals[-1][1]
        self._lock = threading.Lock()
        self._table: _Table | None = None

    # -- construction --
    @classmethod
    def from_csv(cls, path: str | Path = HOLIDAYS_CSV, **kwargs) -> WorkCalendar:
        """Load ``date,kind,name,source`` rows (kind = holiday | workday)."""
        holidays: dict[dt.date, str] = {}
        workdays: dict[dt.date, str] = {}
        with Path(path).open(encoding="utf-8", newline="") as fh:
            for line, row in enumerate(csv.DictReader(fh), start=2):
                try:
                    day = dt.date.fromisoformat(row["date"].strip())
                except (KeyError, ValueError) as exc:
                    raise ValueError(f"{path}:{line}: bad date {row.get('date')!r}") from exc
                kind = (row.get("kind") or "").strip()
                target = {"holiday": holidays, "workday": workdays}.get(kind)
                if target is None:
                    raise ValueError(
                        f"{path}:{line}: kind must be holiday or workday, not {kind!r}"
                    )
                if day in holidays or day in workdays:
                    raise ValueError(f"{path}:{line}: {day} is listed twice")
                target[day] = (row.get("name") or "").strip()
        return cls(holidays, workdays, **kwargs)

    # -- days --
    def covers(self, day: dt.date) -> bool:
        """Whether the holiday data covers ``day``'s year (else Monday–Friday is assumed)."""
        return day.year in self.years

    def is_working_day(self, day: dt.date) -> bool:
        if isinstance(day, dt.datetime):
            day = self._local(day).date()
        return self._is_working_ordinal(day.toordinal())

    def holiday_name(self, day: dt.date) -> str | None:
        """The festival a holiday or make-up workday belongs to (春节, 国庆节 …), or None."""
        return self.names.get(day)

    def _is_working_ordinal(self, ordinal: int) -> bool:
        if ordinal in self._holiday_ordinals:
            return False
        if ordinal in self._workday_ordinals:
            return True
        return (ordinal + 6) % 7 < 5  # ordinal 1 (0001-01-01) is a Monday

    def _table_covering(self, *ordinals: int) -> _Table:
        table = self._table
        if table is not None and all(table.holds(o) for o in ordinals):
            return table
        with self._lock:
            table = self._table
            if table is not None and all(table.holds(o) for o in ordinals):
                return table
            lo, hi = _TABLE_FIRST, _TABLE_LAST
            if table is not None:
                lo, hi = table.base, table.base + table.n - 1
            if ordinals:
                if min(ordinals) < lo:
                    lo = min(ordinals) - _TABLE_MARGIN
                if max(ordinals) > hi:
                    hi = max(ordinals) + _TABLE_MARGIN
            lo = max(lo, 1)
            work = bytearray(self._is_working_ordinal(o) for o in range(lo, hi + 1))
            table = _Table(lo, hi - lo + 1, work, self.day_us)
            self._table = table
            return table

    # -- instants --
    def _local(self, moment: dt.datetime) -> dt.datetime:
        if not isinstance(moment, dt.datetime):
            raise TypeError(f"expected an aware datetime, got {type(moment).__name__}")
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise NaiveDatetimeError(
                f"naive datetime {moment.isoformat()} refused: pass an aware datetime "
                "(e.g. django.utils.timezone.now() or datetime(..., tzinfo=SHANGHAI))"
            )
        return moment.astimezone(self.tz)

    def _split(self, moment: dt.datetime) -> tuple[int, int]:
        """(date ordinal, µs after local midnight) of an aware datetime."""
        loc = self._local(moment)
        return loc.toordinal(), (
            (loc.hour * 60 + loc.minute) * 60 + loc.second
        ) * US + loc.microsecond

    def _within_day(self, clock_us: int) -> int:
        total = 0
        for start, end in self.intervals:
            if clock_us <= start:
                break
            total += (clock_us if clock_us < end else end) - start
        return total

    def _w(self, table: _Table, ordinal: int, clock_us: int) -> int:
        i = ordinal - table.base
        if not 0 <= i < table.n:
            raise _OutOfTable(ordinal)
        if table.work[i]:
            return table.cum[i] + self._within_day(clock_us)
        return table.cum[i]

    def _instant(self, ordinal: int, clock_us: int) -> dt.datetime:
        day = dt.date.fromordinal(ordinal)
        return dt.datetime(day.year, day.month, day.day, tzinfo=self.tz) + dt.timedelta(
            microseconds=clock_us
        )

    def _earliest(self, table: _Table, target: int, from_index: int) -> tuple[int, int]:
        """(ordinal, clock µs) of the earliest instant whose W is ``target`` (> W at day
        ``from_index``'s midnight)."""
        j = bisect.bisect_left(table.cum, target, from_index + 1)
        if j > table.n:
            raise _OutOfTable(table.base + table.n + (target - table.cum[-1]) // self.day_us + 1)
        i = j - 1
        rest = target - table.cum[i]
        for start, end in self.intervals:
            if rest <= end - start:
                return table.base + i, start + rest
            rest -= end - start
        raise AssertionError("cumulative table out of step with the working intervals")

    def _retry(self, compute, *ordinals: int):
        """Run ``compute(table)``, growing the table while it reaches past either end."""
        needed = list(ordinals)
        while True:
            table = self._table_covering(*needed)
            try:
                return compute(table)
            except _OutOfTable as exc:
                needed.append(exc.ordinal)

    # -- public arithmetic --
    def working_seconds_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Working seconds in [start, end) (negative when end is before start)."""
        (o1, c1), (o2, c2) = self._split(start), self._split(end)
        return self._retry(lambda t: self._w(t, o2, c2) - self._w(t, o1, c1), o1, o2) / US

    def add(self, start: dt.datetime, amount: float, unit: str) -> dt.datetime:
        """``start`` plus ``amount`` of ``unit`` (see the module docstring for the units)."""
        return self.deadline(start, amount, unit)

    def deadline(
        self,
        start: dt.datetime,
        amount: float,
        unit: str,
        pauses: Iterable[Pause] = (),
        extensions: Iterable[Extension] = (),
    ) -> dt.datetime:
        """When a limit of ``amount`` ``unit`` that started at ``start`` runs out.

        ``pauses`` are 挂账 intervals (from, to): the clock stops inside them (for calendar
        units by their elapsed length, for working units by the working time inside them);
        they may overlap and may begin before ``start``. ``extensions`` are approved 延期 as
        (amount, unit) pairs of the same family as ``unit`` (calendar or working).
        """
        unit = normalise_unit(unit)
        limit = self._limit_us(amount, unit, extensions)
        pause_list = list(pauses)
        for _, end in pause_list:
            if end is None:
                raise ValueError(
                    "a 挂账 without an end stops the clock: the deadline is undefined until it "
                    "ends (used_fraction/light accept open pauses)"
                )
        if unit in CALENDAR_UNITS:
            start_local = self._local(start)
            target = self._shift_by_pauses(
                0, limit, self._calendar_pauses(start_local, pause_list, None)
            )
            return (start_local + dt.timedelta(microseconds=target)).astimezone(self.tz)

        o0, c0 = self._split(start)
        split_pauses = [(self._split(a), self._split(b)) for a, b in pause_list]
        pause_ordinals = [o for pair in split_pauses for o, _ in pair]

        def compute(table: _Table) -> dt.datetime:
            w0 = self._w(table, o0, c0)
            spans = [(self._w(table, *a), self._w(table, *b)) for a, b in split_pauses]
            target = self._shift_by_pauses(w0, limit, spans)
            if target == w0:
                return self._local(start)
            ordinal, clock = self._earliest(table, target, o0 - table.base)
            if unit == "work_day" and self._in_hours(table, o0, c0):
                same_clock_day = self._same_clock(table, target, ordinal, clock, c0)
                if same_clock_day is not None:
                    return self._instant(same_clock_day, c0)
            return self._instant(ordinal, clock)

        return self._retry(compute, o0, *pause_ordinals)

    def used_fraction(
        self,
        start: dt.datetime,
        now: dt.datetime,
        amount: float,
        unit: str,
        pauses: Iterable[Pause] = (),
        extensions: Iterable[Extension] = (),
    ) -> float:
        """Share of the (extended) limit used by ``now``, pauses excluded: 0 .. ∞.

        A pause whose end is None is still running and counts up to ``now``.
        """
        used, limit = self._used_and_limit(start, now, amount, unit, pauses, extensions)
        if limit == 0:
            return 0.0 if used <= 0 else float("inf")
        return max(used, 0) / limit

    def light(
        self,
        start: dt.datetime,
        now: dt.datetime,
        amount: float,
        unit: str,
        pauses: Iterable[Pause] = (),
        extensions: Iterable[Extension] = (),
    ) -> str:
        """Timeliness light: "green" (≤ 80 % of the limit used), "yellow" (≤ 100 %), "red"."""
        used, limit = self._used_and_limit(start, now, amount, unit, pauses, extensions)
        # Integer comparison: exactly 80 % is green, exactly 100 % is yellow.
        if used * 5 <= limit * 4:
            return "green"
        return "yellow" if used <= limit else "red"

    # -- helpers --
    def _limit_us(self, amount: float, unit: str, extensions: Iterable[Extension]) -> int:
        total = self._amount_us(amount, unit)
        calendar = unit in CALENDAR_UNITS
        for ext_amount, ext_unit in extensions:
            ext_unit = normalise_unit(ext_unit)
            if (ext_unit in CALENDAR_UNITS) != calendar:
                raise ValueError(
                    f"extension in {ext_unit} cannot extend a limit in {unit}: "
                    "calendar and working time do not convert"
                )
            total += self._amount_us(ext_amount, ext_unit)
        return total

    def _amount_us(self, amount: float, unit: str) -> int:
        if amount < 0:
            raise ValueError(f"a time limit cannot be negative ({amount} {unit})")
        if unit in CALENDAR_UNITS:
            return round(amount * CALENDAR_UNITS[unit])
        if unit == "work_hour":
            return round(amount * 3600 * US)
        return round(amount * self.day_us)

    def _in_hours(self, table: _Table, ordinal: int, clock_us: int) -> bool:
        i = ordinal - table.base
        return bool(table.work[i]) and self.opens_us <= clock_us <= self.closes_us

    def _same_clock(
        self, table: _Table, target: int, ordinal: int, clock: int, start_clock: int
    ) -> int | None:
        """The day on which ``start_clock`` has working time ``target`` at or after the
        earliest instant (ordinal, clock), if it lies on that plateau."""
        if start_clock >= clock and self._w(table, ordinal, start_clock) == target:
            return ordinal
        following = ordinal + 1
        while True:
            if not table.holds(following):
                raise _OutOfTable(following)
            if table.work[following - table.base]:
                break
            following += 1
        if self._w(table, following, start_clock) == target:
            return following
        return None

    @staticmethod
    def _shift_by_pauses(origin: int, limit: int, spans: Iterable[tuple[int, int]]) -> int:
        """Target position on a clock axis: ``origin + limit`` pushed later by every pause
        that begins before the (pushed) target; overlapping pauses count once."""
        target = origin + limit
        covered = origin  # pause time before this point is already accounted for
        for a, b in sorted(spans):
            a = max(a, covered)
            if b <= a:
                continue
            if a >= target:
                break
            target += b - a
            covered = b
        return target

    def _calendar_pauses(
        self, start_local: dt.datetime, pauses: list[Pause], now: dt.datetime | None
    ) -> list[tuple[int, int]]:
        spans = []
        for a, b in pauses:
            a_local = self._local(a)
            b_local = self._local(b) if b is not None else now
            if b_local is None:
                raise ValueError("an open pause needs a 'now'")
            if b_local < a_local:
                raise ValueError(f"pause ends before it starts: {a.isoformat()} → {b}")
            spans.append((_us_between(start_local, a_local), _us_between(start_local, b_local)))
        return spans

    def _used_and_limit(
        self,
        start: dt.datetime,
        now: dt.datetime,
        amount: float,
        unit: str,
        pauses: Iterable[Pause],
        extensions: Iterable[Extension],
    ) -> tuple[int, int]:
        unit = normalise_unit(unit)
        limit = self._limit_us(amount, unit, extensions)
        now_local = self._local(now)
        pause_list = [(a, b if b is not None else now_local) for a, b in pauses]
        for a, b in pause_list:
            if self._local(b) < self._local(a):
                raise ValueError(f"pause ends before it starts: {a.isoformat()} → {b.isoformat()}")
        if unit in CALENDAR_UNITS:
            start_local = self._local(start)
            end = _us_between(start_local, now_local)
            spans = self._calendar_pauses(start_local, pause_list, now_local)
            return end - _covered(0, end, spans), limit

        o0, c0 = self._split(start)
        o1, c1 = self._split(now_local)
        split_pauses = [(self._split(a), self._split(b)) for a, b in pause_list]
        ordinals = [o for pair in split_pauses for o, _ in pair]

        def compute(table: _Table) -> int:
            w0, w1 = self._w(table, o0, c0), self._w(table, o1, c1)
            spans = [(self._w(table, *a), self._w(table, *b)) for a, b in split_pauses]
            return w1 - w0 - _covered(w0, w1, spans)

        return self._retry(compute, o0, o1, *ordinals), limit


def _us_between(a: dt.datetime, b: dt.datetime) -> int:
    delta = b - a
    return (delta.days * 86400 + delta.seconds) * US + delta.microseconds


def _covered(lo: int, hi: int, spans: Iterable[tuple[int, int]]) -> int:
    """Length of the union of ``spans`` inside [lo, hi]."""
    total = 0
    covered = lo
    for a, b in sorted(spans):
        a = max(a, covered)
        b = min(b, hi)
        if b > a:
            total += b - a
            covered = b
    return total


@functools.cache
def default_calendar() -> WorkCalendar:
    """The national calendar from the shipped CSV with the default office hours."""
    return WorkCalendar.from_csv()
