"""What PostgreSQL's planner expects a query to give, asked without running it: the lists'
counts past ``generic.ESTIMATE_FROM`` rows."""

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
