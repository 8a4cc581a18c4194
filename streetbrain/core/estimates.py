"""What PostgreSQL's planner expects a query to give, asked without running it: the lists'
counts past ``generic.ESTIMATE_FROM`` rows and the search's choice of how to read a scope."""

from __future__ import annotations

import json

from django.core.exceptions import EmptyResultSet
from django.db import connections


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


_TABLE_ROWS: dict[str, tuple[float, dict[str, int]]] = {}
TABLE_ROWS_TTL = 300  # seconds: the statistics change slowly; one query per process per TTL


def table_rows(model) -> int | None:
    """PostgreSQL's statistics' row count of ``model``'s table (``pg_class.reltuples``, kept
    by ANALYZE and autovacuum), read for all tables at once and kept ``TABLE_ROWS_TTL``
    seconds; None on another database or for a table never analysed."""
    import time

    alias = model.objects.db
    if connections[alias].vendor != "postgresql":
        return None
    now = time.monotonic()
    cached = _TABLE_ROWS.get(alias)
    if cached is None or now - cached[0] > TABLE_ROWS_TTL:
        with connections[alias].cursor() as cursor:
            cursor.execute(
                "SELECT relname, reltuples::bigint FROM pg_class "
                "WHERE relkind IN ('r', 'p') AND relnamespace = 'public'::regnamespace"
            )
            cached = (now, {name: int(n) for name, n in cursor.fetchall()})
        _TABLE_ROWS[alias] = cached
    found = cached[1].get(model._meta.db_table)
    return found if found is not None and found >= 0 else None
