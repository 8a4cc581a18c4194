"""On PostgreSQL the search's "contains" over cases is served by the trigram indexes of
cases/0008: the index expressions must be the very SQL Django writes for ``icontains``, or
the planner never uses them (and a district's search scans 1.3 M cases, bench/)."""

import pytest
from django.db import connection, transaction
from django.db.models import Q

from streetbrain.cases.models import Case

pytestmark = pytest.mark.django_db


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        # A test database's few rows make any scan cheapest: forbid it to see what can serve.
        # (an ordered index walked whole, too: only what can find the rows is left).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's")
def test_contains_on_title_and_address_uses_the_trigram_indexes():
    q = "330903199001015170"
    matches = Case.objects.filter(Q(title__icontains=q) | Q(address__icontains=q))
    plan = _plan(matches.order_by().values("id"))
    assert "cases_case_title_trgm" in plan, plan
    assert "cases_case_address_trgm" in plan, plan


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite side")
def test_sqlite_has_no_trigram_index_and_still_searches():
    with connection.cursor() as cursor:
        names = {i for i in connection.introspection.get_constraints(cursor, "cases_case")}
    assert "cases_case_title_trgm" not in names
    assert list(Case.objects.filter(title__icontains="井盖").values("id")) == []
