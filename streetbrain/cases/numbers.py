"""Case numbers (案件编号): the reporting day in local time and the case's id in at least
seven digits, ``20261127`` + ``0001234``. Every writer of cases numbers them with ``number``.

People read the last digits out on the phone, so the searches find a case by the tail of its
number. A tail is a lookup by id, not a scan: the cases whose number ends in ``q`` have ids
that end in ``q``'s last seven digits or fewer (``ids ≡ tail (mod 10ⁿ)``), a short list the
primary key finds at once, where ``number LIKE '%q'`` reads every case (3.5 s among 1,000,000
in PostgreSQL, measured by ``bench/bench_map.py``).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Max, Q
from django.utils import timezone

from .models import Case

ID_DIGITS = 7
MAX_TAIL_IDS = 1000  # the most recent ids with that tail; older ones by the whole number


def number(reported_at: dt.datetime, pk: int) -> str:
    """The number of case ``pk`` reported at ``reported_at`` (aware; its local day counts)."""
    return f"{timezone.localtime(reported_at):%Y%m%d}{pk:0{ID_DIGITS}d}"


def tail_ids(q: str, max_id: int) -> range:
    """The ids (up to ``max_id``) of the cases whose number may end in the digits ``q``, most
    recent last; at most ``MAX_TAIL_IDS`` of them."""
    n = min(len(q), ID_DIGITS)
    step, first = 10**n, int(q[-n:])
    if first > max_id:
        return range(0)
    last = first + (max_id - first) // step * step
    return range(max(first, last - (MAX_TAIL_IDS - 1) * step), last + 1, step)


def tail_q(q: str, queryset=None) -> Q:
    """A filter for the cases whose number ends in the digits ``q`` (by id, then the exact
    tail); nothing if ``q`` is not digits."""
    if not q.isdigit():
        return Q(pk__in=[])
    if queryset is None:
        queryset = Case.objects
    max_id = queryset.aggregate(m=Max("pk"))["m"] or 0
    return Q(pk__in=list(tail_ids(q, max_id)), number__endswith=q)
