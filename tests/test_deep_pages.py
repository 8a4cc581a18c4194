"""Deep pages read in two steps (``core.estimates.read_deferred``): the keys of the page's
rows first, then those rows whole. The rows and their order are those of the list's own
slice, whatever the list's joins, annotations and prefetches."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.db.models import Count, F, Value
from django.db.models.functions import Concat
from django.test.utils import CaptureQueriesContext

from streetbrain.core import estimates
from streetbrain.core.estimates import EstimatingPaginator, deferrable
from streetbrain.core.models import OrgUnit

pytestmark = pytest.mark.django_db


def _units(tree):
    for i in range(23):  # units sharing names, so the order needs its tiebreak
        OrgUnit.objects.create(
            code=f"3302120149{i:02d}", name=f"单元{i % 4}", level="community", parent=tree["street"]
        )
    return (
        OrgUnit.objects.filter(path__startswith=tree["district"].path)
        .select_related("parent")
        .prefetch_related("children")
        .annotate(kids=Count("children"), label=Concat(F("name"), Value("·"), F("code")))
    )


@pytest.mark.parametrize("order", [("name", "pk"), ("-kids", "-pk"), ("label",)])
def test_every_deep_page_holds_the_rows_of_the_plain_slice(tree, monkeypatch, order):
    monkeypatch.setattr(estimates, "DEFER_FROM", 3)
    qs = _units(tree).order_by(*order)
    expected = list(qs)
    paginator = EstimatingPaginator(qs, 4, exact=True)
    assert paginator.count == len(expected) > 12
    read = []
    for number in paginator.page_range:
        page = paginator.page(number)
        read += list(page.object_list)
        assert [u.pk for u in page.object_list] == [
            u.pk for u in expected[(number - 1) * 4 : number * 4]
        ]
    assert [u.pk for u in read] == [u.pk for u in expected]
    deep = paginator.page(3).object_list[0]  # read through the keys: still whole
    with CaptureQueriesContext(connection) as queries:
        assert deep.parent.code and deep.label.startswith(deep.name)
        assert list(deep.children.all()) == list(OrgUnit.objects.filter(parent=deep))
        assert deep.kids == OrgUnit.objects.filter(parent=deep).count()
    assert len(queries) == 2  # the two counts above; parent and children came with the page


def test_a_deep_page_is_read_as_keys_then_rows_and_a_first_page_as_one_slice(tree, monkeypatch):
    monkeypatch.setattr(estimates, "DEFER_FROM", 3)
    qs = _units(tree).order_by("name", "pk")
    paginator = EstimatingPaginator(qs, 4, exact=True)
    with CaptureQueriesContext(connection) as first:
        list(paginator.page(1).object_list)
    with CaptureQueriesContext(connection) as deep:
        list(paginator.page(3).object_list)
    rows = [q["sql"] for q in first if '"core_orgunit"' in q["sql"] and "LIMIT" in q["sql"]]
    assert len(rows) == 1 and "OFFSET" not in rows[0]
    keys, *rest = [q["sql"] for q in deep if "LIMIT" in q["sql"] and "OFFSET" in q["sql"]]
    assert not rest and re.match(r'SELECT "core_orgunit"\."id"( AS "pk")? FROM', keys)
    assert any('"core_orgunit"."id" IN (' in q["sql"] and "OFFSET" not in q["sql"] for q in deep)


def test_lists_not_read_through_their_keys(tree):
    units = OrgUnit.objects.all()
    assert deferrable(units.order_by("name"))
    assert not deferrable(units.values("name"))
    assert not deferrable(units.distinct())
    assert not deferrable(units.filter(level="grid").union(units.filter(level="street")))
    assert not deferrable(list(units))


def test_the_case_list_deep_page_as_a_street_leader(case_world, client, monkeypatch):
    """The case list's deep pages through the view: the same cases as the list's own order
    gives them, for a user whose scope is a street (the scope joined in the keys' query)."""
    from django.urls import reverse
    from django.utils import timezone

    from streetbrain.cases.models import Case

    monkeypatch.setattr(estimates, "DEFER_FROM", 10)
    street, grids = case_world["street"], list(case_world["grids"].values())
    other = case_world["other_street"]
    leader = case_world["users"]["leader"]
    now = timezone.now()
    cases = [
        Case(
            number=f"2026120700{i:05d}",
            title=f"事件{i}",
            org_unit=other if i % 5 == 0 else grids[i % len(grids)],
            reported_at=now - timezone.timedelta(minutes=i // 2),  # ties: the id breaks them
        )
        for i in range(80)
    ]
    Case.objects.bulk_create(cases)
    mine = list(
        Case.objects.filter(org_unit__path__startswith=street.path).order_by("-reported_at", "-pk")
    )
    client.force_login(leader)
    seen = []
    for number in (1, 2, 3, 4, 5):
        response = client.get(reverse("cases:index"), {"page": number, "per_page": 10})
        assert response.status_code == 200
        seen += [obj.pk for obj, _cells in response.context["rows"]]
    assert seen == [c.pk for c in mine[:50]]
