"""Case numbers and the search by their tail: a lookup by id, found exactly as
``number LIKE '%tail'`` would find it."""

import datetime as dt
import random

import pytest
from django.utils import timezone

from streetbrain.cases import numbers
from streetbrain.cases.intake.actions import submit_report


def test_number_is_the_local_day_and_the_id():
    # 2026-11-27 17:30 UTC is already the 28th in Ningbo.
    at = dt.datetime(2026, 11, 27, 17, 30, tzinfo=dt.UTC)
    with timezone.override("Asia/Shanghai"):
        assert numbers.number(at, 1234) == "202611280001234"
        assert numbers.number(at, 12_345_678) == "2026112812345678"


@pytest.mark.parametrize("max_id", [9, 5_000, 1_000_000, 12_000_000])
def test_tail_ids_are_exactly_the_ids_whose_number_can_end_so(max_id):
    rng = random.Random(max_id)
    at = dt.datetime(2026, 3, 1, 4, tzinfo=dt.UTC)
    for _ in range(200):
        q = str(rng.randint(0, 10 ** rng.randint(1, 9)))
        if rng.random() < 0.3:
            q = q.zfill(rng.randint(4, 9))
        found = set(numbers.tail_ids(q, max_id))
        assert len(found) <= numbers.MAX_TAIL_IDS
        assert all(1 <= i <= max_id or i == 0 for i in found)
        # Every id in range whose number ends in q is among them, or the list is full and
        # holds only more recent ids than the missing one.
        step = 10 ** min(len(q), numbers.ID_DIGITS)
        first = int(q[-min(len(q), numbers.ID_DIGITS) :])
        expected = range(first, max_id + 1, step)
        if len(expected) <= numbers.MAX_TAIL_IDS:
            assert found == set(expected)
        else:
            assert found == set(expected[-numbers.MAX_TAIL_IDS :])
        for i in list(found)[:20]:
            number = numbers.number(at, i)
            if len(q) <= numbers.ID_DIGITS:
                assert number.endswith(q)


@pytest.mark.django_db
def test_tail_search_finds_what_a_scan_finds(case_world):
    from streetbrain.cases.intake.pipeline import ReportInput
    from streetbrain.cases.models import Case

    for i in range(12):
        submit_report(
            ReportInput(
                channel="hotline",
                description=f"路灯不亮 第{i}处",
                lon=121.61 + i * 0.0001,
                lat=29.866,
                requested_class="matter:06010",
            )
        )
    numbers_now = list(Case.objects.values_list("number", flat=True))
    assert numbers_now
    for sample in numbers_now[:5]:
        for n in (4, 5, 7, 9, len(sample)):
            q = sample[-n:]
            by_id = set(Case.objects.filter(numbers.tail_q(q)).values_list("number", flat=True))
            by_scan = set(Case.objects.filter(number__endswith=q).values_list("number", flat=True))
            assert by_id == by_scan and sample in by_id
    assert not Case.objects.filter(numbers.tail_q("12a4")).exists()
