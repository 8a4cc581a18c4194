"""What PostgreSQL's planner expects a query to give, asked without running it: the lists'
counts (pages and API) past ``ESTIMATE_FROM`` rows."""

from __future__ import annotations

import json
from functools import cached_property

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet


def planned_rows(queryset) -> int | None:
    """PostgreSQL's estimate of the rows ``queryset`` gives (EXPLAIN, nothing is run), or
    None on another database; 0 for a query Django knows is empty (``none()``, ``IN ()``)."""
    try:
        sql, params = queryset.order_by().query.sql_with_params()
    except EmptyResultSet:
        return 0
    if connections[queryset.db].vendor != "postgresql":
        return None
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


# From this many rows on (by PostgreSQL's planner) a list shows the planner's estimate of its
# rows, marked as such, instead of counting them: an exact COUNT over millions of rows (a
# district's cases or residents) costs more than the page itself.
ESTIMATE_FROM = 100_000


# From this many rows skipped on, a page is read in two steps (``read_deferred``).
DEFER_FROM = 1_000


def deferrable(queryset) -> bool:
    """Whether ``read_deferred`` reads ``queryset``'s rows as a slice of it would: a plain
    query (no UNION, no DISTINCT, not sliced already) of rows with a primary key."""
    if not isinstance(queryset, QuerySet):
        return False
    query = queryset.query
    return (
        query.combinator is None
        and not query.distinct
        and not query.is_sliced
        and queryset._fields is None  # model instances, not values()
    )


def read_deferred(queryset, bottom: int, top: int) -> list:
    """Rows ``bottom`` to ``top`` of ``queryset``: first their primary keys (the skipped rows
    are read for their keys and sort columns only), then those rows whole, in that order.

    ``OFFSET 10,000`` of a street's cases sorted by report time had PostgreSQL fetch 251,000
    table rows of the district (each for its unit, each with every column the page shows, its
    class and its department joined) to throw 10,000 of the street's away; asked for the
    keys alone it walks the index ``case_reported_id_unit`` without touching the table (an
    index-only scan, the unit's scope joined from the index's unit column): 312 → 142 ms."""
    pks = list(queryset.values_list("pk", flat=True)[bottom:top])
    if not pks:
        return []
    found = {obj.pk: obj for obj in queryset.order_by().filter(pk__in=pks)}
    return [found[pk] for pk in pks if pk in found]


class EstimatingPaginator(Paginator):
    """A list's pages with an exact count up to ``ESTIMATE_FROM`` rows, above it the
    planner's estimate (``estimated`` tells the page to say so)."""

    estimated = False
    at_least = False  # counted up to ``count_to`` and stopped: there are more

    def __init__(
        self, *args, count_to: int | None = None, exact: bool = False, rows=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.count_to = count_to
        self.exact = exact  # count every row, however many
        # Where the pages' rows are read, when not from the counted list itself: the same
        # rows in the same order, read by parts (``generic.Parts``).
        self.rows = rows

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        plain = self.rows is None
        if plain and (bottom < DEFER_FROM or not deferrable(self.object_list)):
            return super().page(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if plain:
            return self._get_page(read_deferred(self.object_list, bottom, top), number, self)
        return self._get_page(self.rows[bottom:top], number, self)

    @cached_property
    def count(self) -> int:
        if self.exact or not isinstance(self.object_list, QuerySet):
            return super().count  # a list computed in Python has its length
        planned = planned_rows(self.object_list)
        if planned is not None and planned >= ESTIMATE_FROM:
            self.estimated = True
            return planned
        if self.count_to is not None:
            counted = self.object_list.order_by()[: self.count_to + 1].count()
            self.at_least = counted > self.count_to
            return min(counted, self.count_to)
        return super().count
