"""Working-time calendar: the 2025/2026 holiday data against the State Council notices, 工作时
and 工作日 arithmetic, 挂账 pauses, 延期 extensions, the timeliness light, and round-trip
properties. Pure Python: no database."""

from __future__ import annotations

import csv
import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streetbrain.core.worktime import (
    HOLIDAYS_CSV,
    SHANGHAI,
    NaiveDatetimeError,
    WorkCalendar,
    default_calendar,
)

CAL = default_calendar()
HOUR = 3600


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def days(first: str, last: str) -> list[dt.date]:
    start, end = d(first), d(last)
    return [start + dt.timedelta(n) for n in range((end - start).days + 1)]


# -- the data --

# (first, last) of each 放假 span and the 调休上班 days, as printed in 国办发明电〔2024〕12号
# and in the 2026 notice of 2025-11-04.
OFF = {
    2025: [
        ("2025-01-01", "2025-01-01"),
        ("2025-01-28", "2025-02-04"),
        ("2025-04-04", "2025-04-06"),
        ("2025-05-01", "2025-05-05"),
        ("2025-05-31", "2025-06-02"),
        ("2025-10-01", "2025-10-08"),
    ],
    2026: [
        ("2026-01-01", "2026-01-03"),
        ("2026-02-15", "2026-02-23"),
        ("2026-04-04", "2026-04-06"),
        ("2026-05-01", "2026-05-05"),
        ("2026-06-19", "2026-06-21"),
        ("2026-09-25", "2026-09-27"),
        ("2026-10-01", "2026-10-07"),
    ],
}
MAKE_UP = {
    2025: ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"],
    2026: ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"],
}
OFF_DAYS = [day for spans in OFF.values() for span in spans for day in days(*span)]
MAKE_UP_DAYS = [d(x) for xs in MAKE_UP.values() for x in xs]


def test_csv_rows_are_exactly_the_notices():
    rows = list(csv.DictReader(HOLIDAYS_CSV.open(encoding="utf-8")))
    assert sorted(d(r["date"]) for r in rows if r["kind"] == "holiday") == sorted(OFF_DAYS)
    assert sorted(d(r["date"]) for r in rows if r["kind"] == "workday") == sorted(MAKE_UP_DAYS)
    assert all(r["name"] and r["source"] for r in rows)
    assert not any("unverified" in r["source"] for r in rows)
    assert {r["source"].split(" ")[0] for r in rows if r["date"] < "2026"} == {
        "国办发明电〔2024〕12号"
    }


@pytest.mark.parametrize("day", OFF_DAYS, ids=str)
def test_holidays_are_off(day):
    assert not CAL.is_working_day(day)
    assert CAL.covers(day)


@pytest.mark.parametrize("day", MAKE_UP_DAYS, ids=str)
def test_make_up_days_are_weekends_that_work(day):
    assert day.weekday() >= 5
    assert CAL.is_working_day(day)


def test_named_examples():
    assert CAL.is_working_day(d("2026-02-14"))  # Saturday, 春节 make-up
    assert CAL.is_working_day(d("2025-09-28"))  # Sunday, 国庆 make-up
    assert not any(CAL.is_working_day(x) for x in days("2025-10-01", "2025-10-08"))
    assert CAL.is_working_day(d("2025-10-09"))
    assert not CAL.is_working_day(d("2025-10-12"))  # an ordinary Sunday
    assert CAL.holiday_name(d("2026-02-14")) == "春节"
    assert CAL.holiday_name(d("2025-10-03")) == "国庆节、中秋节"
    assert CAL.holiday_name(d("2025-03-03")) is None


@pytest.mark.parametrize("year", [2025, 2026])
def test_each_year_has_weekdays_minus_the_13_statutory_days(year):
    # 全国年节及纪念日放假办法 (2024 revision): 13 statutory days; make-up days only move rest days.
    all_days = days(f"{year}-01-01", f"{year}-12-31")
    weekdays = sum(x.weekday() < 5 for x in all_days)
    assert sum(CAL.is_working_day(x) for x in all_days) == weekdays - 13 == 248


def test_years_outside_the_data_fall_back_to_monday_to_friday():
    assert not CAL.covers(d("2027-01-01"))
    assert not CAL.covers(d("2024-12-31"))
    assert CAL.is_working_day(d("2027-01-01"))  # a Friday: unknown holidays are not guessed
    assert not CAL.is_working_day(d("2027-01-02"))
    assert CAL.add(at(2031, 1, 3, 16), 4, "work_hour") == at(2031, 1, 6, 11)  # Fri → Mon


def test_explicit_sets_and_hours():
    cal = WorkCalendar(
        holidays={d("2030-05-01"): "劳动节"},
        workdays=["2030-05-04"],
        hours=[("09:00", "12:00"), (dt.time(14), "18:00")],
    )
    assert cal.years == {2030}
    assert cal.day_us == 7 * HOUR * 1_000_000
    assert not cal.is_working_day(d("2030-05-01"))
    assert cal.is_working_day(d("2030-05-04"))
    assert cal.holiday_name(d("2030-05-01")) == "劳动节"
    # Tuesday 16:00 + 4 工作时: 2 h Tuesday, skip the Wednesday holiday, 2 h Thursday.
    assert cal.add(at(2030, 4, 30, 16), 4, "work_hour") == at(2030, 5, 2, 11)


def test_bad_data_is_refused(tmp_path):
    with pytest.raises(ValueError, match="both holiday and make-up"):
        WorkCalendar(holidays=["2030-05-01"], workdays=["2030-05-01"])
    with pytest.raises(ValueError, match="increasing"):
        WorkCalendar(hours=[("13:00", "17:00"), ("08:00", "12:00")])
    bad = tmp_path / "bad.csv"
    bad.write_text("date,kind,name,source\n2030-01-01,vacation,元旦,x\n", encoding="utf-8")
    with pytest.raises(ValueError, match="kind must be"):
        WorkCalendar.from_csv(bad)
    bad.write_text(
        "date,kind,name,source\n2030-01-01,holiday,元旦,x\n2030-01-01,holiday,元旦,x\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="listed twice"):
        WorkCalendar.from_csv(bad)


# -- 工作时 --


@pytest.mark.parametrize(
    ("start", "end"),
    [
        pytest.param(at(2025, 3, 10, 10), at(2025, 3, 10, 15, 30), id="across-lunch"),
        pytest.param(at(2025, 3, 10, 16), at(2025, 3, 11, 11), id="across-end-of-day"),
        pytest.param(at(2025, 3, 14, 16), at(2025, 3, 17, 11), id="across-weekend"),
        pytest.param(at(2025, 1, 27, 16), at(2025, 2, 5, 11), id="across-spring-festival-2025"),
        pytest.param(at(2026, 2, 14, 16), at(2026, 2, 24, 11), id="across-spring-festival-2026"),
        pytest.param(at(2026, 2, 13, 16), at(2026, 2, 14, 11), id="into-make-up-saturday"),
        pytest.param(at(2025, 3, 10, 8, 30), at(2025, 3, 10, 14), id="from-opening"),
        pytest.param(at(2025, 3, 10, 12, 30), at(2025, 3, 10, 17, 30), id="from-lunch"),
        pytest.param(at(2025, 3, 8, 10), at(2025, 3, 10, 14), id="from-saturday"),
        pytest.param(at(2025, 3, 10, 20), at(2025, 3, 11, 14), id="from-evening"),
    ],
)
def test_four_working_hours(start, end):
    assert CAL.add(start, 4, "work_hour") == end
    assert CAL.add(start, 4, "工作时") == end
    assert CAL.working_seconds_between(start, end) == 4 * HOUR


def test_the_morning_ends_at_noon_not_after_lunch():
    assert CAL.add(at(2025, 3, 10, 8, 30), 3.5, "work_hour") == at(2025, 3, 10, 12)
    assert CAL.add(at(2025, 3, 10, 8, 30), 7.5, "work_hour") == at(2025, 3, 10, 17, 30)


def test_working_seconds_between():
    assert CAL.working_seconds_between(at(2025, 3, 10, 0), at(2025, 3, 11, 0)) == 7.5 * HOUR
    assert CAL.working_seconds_between(at(2025, 3, 8, 9), at(2025, 3, 9, 17)) == 0  # weekend
    assert CAL.working_seconds_between(at(2025, 9, 30), at(2025, 10, 9)) == 7.5 * HOUR
    assert CAL.working_seconds_between(at(2025, 3, 10, 15), at(2025, 3, 10, 11)) == -2.5 * HOUR
    # Across a whole year: 248 working days of 7.5 h.
    assert CAL.working_seconds_between(at(2026, 1, 1), at(2027, 1, 1)) == 248 * 7.5 * HOUR


def test_other_zones_are_converted_and_results_are_shanghai_time():
    start = dt.datetime(2025, 3, 10, 2, tzinfo=dt.UTC)  # 10:00 in Shanghai
    end = CAL.add(start, 4, "work_hour")
    assert end == at(2025, 3, 10, 15, 30)
    assert end.tzinfo is SHANGHAI


# -- 工作日 --


@pytest.mark.parametrize(
    ("start", "amount", "end"),
    [
        pytest.param(at(2025, 3, 14, 10), 1, at(2025, 3, 17, 10), id="friday-10h-to-monday"),
        pytest.param(at(2025, 9, 26, 10), 1, at(2025, 9, 28, 10), id="friday-to-make-up-sunday"),
        pytest.param(at(2025, 9, 30, 10), 1, at(2025, 10, 9, 10), id="over-national-day"),
        pytest.param(at(2025, 3, 10, 10), 3, at(2025, 3, 13, 10), id="three-days"),
        pytest.param(at(2025, 3, 14, 12, 45), 1, at(2025, 3, 17, 12, 45), id="lunch-same-clock"),
        pytest.param(at(2025, 3, 14, 13, 30), 1, at(2025, 3, 17, 13, 30), id="afternoon-opening"),
        pytest.param(at(2025, 3, 14, 8, 30), 1, at(2025, 3, 17, 8, 30), id="at-opening"),
        pytest.param(at(2025, 3, 14, 17, 30), 1, at(2025, 3, 17, 17, 30), id="at-closing"),
        pytest.param(at(2025, 3, 14, 18), 1, at(2025, 3, 17, 17, 30), id="after-hours"),
        pytest.param(at(2025, 3, 15, 10), 1, at(2025, 3, 17, 17, 30), id="saturday"),
        pytest.param(at(2025, 3, 17, 7), 1, at(2025, 3, 17, 17, 30), id="before-opening"),
        pytest.param(at(2025, 3, 17, 7), 2, at(2025, 3, 18, 17, 30), id="before-opening-2"),
        pytest.param(at(2025, 10, 3, 10), 1, at(2025, 10, 9, 17, 30), id="holiday"),
        pytest.param(at(2025, 3, 10, 8, 30), 0.5, at(2025, 3, 10, 13, 45), id="half-day"),
    ],
)
def test_working_days(start, amount, end):
    assert CAL.add(start, amount, "work_day") == end
    assert CAL.add(start, amount, "工作日") == end
    assert CAL.working_seconds_between(start, end) == amount * 7.5 * HOUR


# -- calendar units --


def test_calendar_units_ignore_holidays_and_nights():
    start = at(2025, 10, 1, 9)  # National Day
    assert CAL.add(start, 24, "hour") == at(2025, 10, 2, 9)
    assert CAL.add(start, 3, "day") == at(2025, 10, 4, 9)
    assert CAL.add(start, 90, "minute") == at(2025, 10, 1, 10, 30)
    assert CAL.add(at(2025, 3, 10, 23, 30), 60, "分钟") == at(2025, 3, 11, 0, 30)
    assert CAL.add(at(2025, 3, 10, 9), 1.5, "小时") == at(2025, 3, 10, 10, 30)


# -- 挂账 and 延期 --


def test_pause_over_a_night_counts_only_its_working_time():
    start = at(2025, 3, 10, 16)
    assert CAL.deadline(start, 4, "work_hour") == at(2025, 3, 11, 11)
    # Paused Mon 17:00 → Tue 09:00: 0.5 h Monday + 0.5 h Tuesday of working time.
    pause = [(at(2025, 3, 10, 17), at(2025, 3, 11, 9))]
    assert CAL.deadline(start, 4, "work_hour", pauses=pause) == at(2025, 3, 11, 12)


def test_pause_over_a_holiday():
    start = at(2025, 9, 30, 9)
    assert CAL.deadline(start, 1, "work_day") == at(2025, 10, 9, 9)
    # Paused Tue 15:00 → Thu Oct 9 10:00: 2.5 h + 1.5 h; 4.5 h used before, 3 h left after.
    pause = [(at(2025, 9, 30, 15), at(2025, 10, 9, 10))]
    assert CAL.deadline(start, 1, "work_day", pauses=pause) == at(2025, 10, 9, 14, 30)
    # In calendar hours the same pause shifts by its whole length (8 days 19 h).
    assert CAL.deadline(start, 24, "hour", pauses=pause) == at(2025, 10, 10, 4)


def test_pause_outside_working_time_changes_nothing():
    start = at(2025, 3, 14, 16)
    weekend = [(at(2025, 3, 14, 18), at(2025, 3, 17, 8))]
    assert CAL.deadline(start, 4, "work_hour", pauses=weekend) == CAL.add(start, 4, "work_hour")


def test_overlapping_early_and_late_pauses():
    start = at(2025, 3, 10, 10)
    pauses = [
        (at(2025, 3, 10, 8), at(2025, 3, 10, 10, 30)),  # began before the case: 30 min count
        (at(2025, 3, 10, 14), at(2025, 3, 10, 15)),
        (at(2025, 3, 10, 14, 30), at(2025, 3, 10, 15, 30)),  # overlaps the previous one
        (at(2025, 3, 20, 9), at(2025, 3, 21, 9)),  # after the deadline
    ]
    # 4 h + 0.5 h + 1.5 h of pauses = 6 h of working time from Monday 10:00.
    assert CAL.deadline(start, 4, "work_hour", pauses=pauses) == at(2025, 3, 10, 17, 30)
    assert CAL.deadline(start, 5, "work_hour", pauses=pauses) == at(2025, 3, 11, 9, 30)


def test_calendar_pause_and_open_pause():
    start = at(2025, 3, 10, 10)
    assert CAL.deadline(start, 2, "hour", [(at(2025, 3, 10, 10, 30), at(2025, 3, 10, 11))]) == (
        at(2025, 3, 10, 12, 30)
    )
    with pytest.raises(ValueError, match="undefined"):
        CAL.deadline(start, 2, "hour", [(at(2025, 3, 10, 11), None)])
    with pytest.raises(ValueError, match="ends before"):
        CAL.deadline(start, 2, "hour", [(at(2025, 3, 10, 11), at(2025, 3, 10, 10))])


def test_extensions_add_to_the_limit():
    start = at(2025, 3, 10, 10)
    assert CAL.deadline(start, 4, "work_hour", extensions=[(2, "work_hour")]) == (
        at(2025, 3, 10, 17, 30)
    )
    assert CAL.deadline(start, 4, "work_hour", extensions=[(2.5, "work_hour")]) == (
        at(2025, 3, 11, 9)
    )
    assert CAL.deadline(start, 1, "work_day", extensions=[(1, "工作日"), (0.5, "work_day")]) == (
        at(2025, 3, 12, 15, 15)  # 2.5 working days: Wednesday 10:00 + 3.75 h
    )
    assert CAL.deadline(start, 2, "hour", extensions=[(30, "minute"), (1, "day")]) == (
        at(2025, 3, 11, 12, 30)
    )
    with pytest.raises(ValueError, match="do not convert"):
        CAL.deadline(start, 4, "work_hour", extensions=[(2, "hour")])
    pause = [(at(2025, 3, 10, 11), at(2025, 3, 10, 12))]
    assert CAL.deadline(start, 3, "work_hour", pause, [(1, "work_hour")]) == at(2025, 3, 10, 16, 30)


# -- used fraction and light --


@pytest.mark.parametrize(
    ("fraction", "colour"),
    [(0, "green"), (0.5, "green"), (0.8, "green"), (0.81, "yellow"), (1.0, "yellow"), (1.2, "red")],
)
@pytest.mark.parametrize("unit", ["minute", "hour", "work_hour", "work_day"])
def test_used_fraction_and_light(fraction, colour, unit):
    start = at(2025, 9, 26, 14)  # Friday afternoon, before a make-up Sunday and National Day
    amount = 100 if unit == "minute" else 10
    limit_in_unit = Fraction(str(fraction)) * amount
    now = CAL.add(start, limit_in_unit, unit)
    assert CAL.used_fraction(start, now, amount, unit) == pytest.approx(fraction, abs=1e-12)
    assert CAL.light(start, now, amount, unit) == colour


def test_light_with_pause_and_extension():
    start = at(2025, 3, 10, 9)  # 4 工作时 due at 14:30
    now = at(2025, 3, 10, 14, 30)
    assert CAL.light(start, now, 4, "work_hour") == "yellow"
    assert CAL.light(start, at(2025, 3, 10, 15), 4, "work_hour") == "red"
    # Finished during lunch after the 12:00 of a 3-工作时 limit: no working time was lost.
    assert CAL.light(start, at(2025, 3, 10, 12, 45), 3, "work_hour") == "yellow"
    # A running 挂账 since 11:00 stops the clock at 2 h used.
    open_pause = [(at(2025, 3, 10, 11), None)]
    assert CAL.used_fraction(start, at(2025, 3, 10, 16), 4, "work_hour", open_pause) == 0.5
    assert CAL.light(start, at(2025, 3, 11, 16), 4, "work_hour", open_pause) == "green"
    assert CAL.light(start, at(2025, 3, 10, 16), 4, "work_hour", extensions=[(4, "work_hour")]) == (
        "green"  # 5.5 h of 8 h
    )
    assert CAL.used_fraction(start, at(2025, 3, 10, 8), 4, "work_hour") == 0
    assert CAL.used_fraction(start, at(2025, 3, 10, 10), 0, "work_hour") == float("inf")


# -- errors --


def test_naive_datetimes_are_refused():
    naive = dt.datetime(2025, 3, 10, 10)
    aware = at(2025, 3, 10, 10)
    with pytest.raises(NaiveDatetimeError, match="naive datetime"):
        CAL.add(naive, 4, "work_hour")
    with pytest.raises(NaiveDatetimeError):
        CAL.add(naive, 4, "hour")
    with pytest.raises(NaiveDatetimeError):
        CAL.working_seconds_between(aware, naive)
    with pytest.raises(NaiveDatetimeError):
        CAL.deadline(aware, 4, "work_hour", pauses=[(naive, aware)])
    with pytest.raises(NaiveDatetimeError):
        CAL.used_fraction(aware, naive, 4, "work_hour")
    with pytest.raises(NaiveDatetimeError):
        CAL.is_working_day(naive)
    assert issubclass(NaiveDatetimeError, ValueError)


def test_bad_units_and_amounts():
    with pytest.raises(ValueError, match="unknown time-limit unit"):
        CAL.add(at(2025, 3, 10, 10), 1, "week")
    with pytest.raises(ValueError, match="negative"):
        CAL.add(at(2025, 3, 10, 10), -1, "work_hour")
    assert CAL.add(at(2025, 3, 10, 20), 0, "work_hour") == at(2025, 3, 10, 20)


def test_far_years_grow_the_table():
    assert CAL.add(at(2099, 12, 31, 16), 4, "work_hour") == at(2100, 1, 1, 11)
    assert CAL.add(at(1990, 1, 5, 16), 4, "work_hour") == at(1990, 1, 8, 11)
    assert CAL.add(at(2025, 1, 2, 9), 100_000, "work_hour").year > 2075


# -- properties --

STARTS = st.datetimes(
    min_value=dt.datetime(2024, 12, 1),
    max_value=dt.datetime(2027, 1, 31),
    timezones=st.just(SHANGHAI),
)
MINUTES = st.integers(min_value=0, max_value=600 * 60)


@given(STARTS, MINUTES)
def test_add_then_measure_round_trips(start, minutes):
    a = Fraction(minutes, 60)  # working hours
    end = CAL.add(start, a, "work_hour")
    assert CAL.working_seconds_between(start, end) == a * 3600
    assert end >= start


@given(STARTS, st.floats(min_value=0, max_value=2000, allow_nan=False))
def test_add_then_measure_round_trips_for_floats(start, a):
    end = CAL.add(start, a, "work_hour")
    assert CAL.working_seconds_between(start, end) == pytest.approx(a * 3600, abs=1e-6)


@given(STARTS, MINUTES, MINUTES)
def test_add_is_monotonic(start, m1, m2):
    lo, hi = sorted((m1, m2))
    assert CAL.add(start, Fraction(lo, 60), "work_hour") <= CAL.add(
        start, Fraction(hi, 60), "work_hour"
    )


@given(STARTS, st.integers(min_value=0, max_value=40))
def test_working_days_are_whole_days_of_working_time(start, n):
    end = CAL.add(start, n, "work_day")
    assert CAL.working_seconds_between(start, end) == n * 7.5 * 3600
    if n and start.hour * 60 + start.minute in range(8 * 60 + 30, 17 * 60 + 30):
        if CAL.is_working_day(start.date()):
            assert end.time() == start.time()  # inside hours: the same clock time


@settings(max_examples=300)
@given(
    STARTS,
    st.integers(min_value=1, max_value=30 * 60),
    st.sampled_from(["minute", "hour", "day", "work_hour", "work_day"]),
    st.lists(st.tuples(st.integers(-3000, 30000), st.integers(0, 6000)), max_size=3),
)
def test_deadline_uses_exactly_the_limit(start, minutes, unit, raw_pauses):
    """At the deadline the used fraction is exactly 1, whatever the pauses; pauses never make
    a deadline earlier."""
    amount = Fraction(minutes, 60) if unit != "minute" else minutes
    if unit in ("day", "work_day"):
        amount /= 8
    pauses = [
        (start + dt.timedelta(minutes=a), start + dt.timedelta(minutes=a + length))
        for a, length in raw_pauses
    ]
    due = CAL.deadline(start, amount, unit, pauses=pauses)
    assert due >= CAL.deadline(start, amount, unit)
    assert CAL.used_fraction(start, due, amount, unit, pauses) == 1.0
    assert CAL.light(start, due, amount, unit, pauses) == "yellow"
