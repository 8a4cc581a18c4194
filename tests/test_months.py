"""Months as the platform counts them (``core.months``): one definition for the economy, the
cockpit and the demo's histories."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from streetbrain.core import months

d = dt.date


def test_month_arithmetic_crosses_years():
    assert months.add_months(d(2025, 11, 17), 3) == d(2026, 2, 1)
    assert months.add_months(d(2025, 1, 31), -1) == d(2024, 12, 1)
    assert months.add_months(d(2025, 3, 1), -27) == d(2022, 12, 1)
    assert months.month_of(months.month_index(d(2024, 12, 9))) == d(2024, 12, 1)
    assert months.month_end(months.month_index(d(2024, 2, 1))) == d(2024, 2, 29)
    assert months.last_day(d(2025, 12, 5)) == d(2025, 12, 31)


def test_month_start_of_an_aware_time_is_the_sites_month(settings):
    # 2025-03-31 20:00 UTC is already April in Ningbo (UTC+8).
    late = dt.datetime(2025, 3, 31, 20, tzinfo=dt.UTC)
    assert months.month_start(late) == d(2025, 4, 1)
    assert months.month_start(d(2025, 3, 31)) == d(2025, 3, 1)


def test_the_last_complete_month():
    assert months.last_complete_month(d(2025, 3, 15)) == d(2025, 2, 1)
    assert months.last_complete_month(d(2025, 1, 1)) == d(2024, 12, 1)
    today = timezone.localdate()
    assert months.last_complete_month() == months.add_months(today, -1)


def test_the_month_a_page_shows_is_the_latest_complete_one_with_figures():
    today = d(2025, 3, 15)
    with_current = [d(2025, 3, 1), d(2025, 2, 1), d(2025, 1, 1)]
    assert months.latest_complete(with_current, today) == d(2025, 2, 1)
    # figures that stop earlier: their latest month, even if not last month
    assert months.latest_complete([d(2024, 11, 1), d(2024, 10, 1)], today) == d(2024, 11, 1)
    # only the current month has figures: it is all there is
    assert months.latest_complete([d(2025, 3, 1)], today) == d(2025, 3, 1)
    assert months.latest_complete([], today) is None
    # any order, any iterable
    assert months.latest_complete(iter(reversed(with_current)), today) == d(2025, 2, 1)


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("2025-03", d(2025, 3, 1)),
        (" 2025-3 ", d(2025, 3, 1)),
        ("2025-03-15", d(2025, 3, 1)),
        ("2025-13", None),
        ("2025-02-30", None),
        ("202503", None),
        ("2025-03-15x", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_month(text, month):
    assert months.parse_month(text) == month
