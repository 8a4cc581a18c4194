"""What the case engine shows on other apps' pages: a street shop's cases (its page, and
its open and total cases as columns, a filter and export columns of the shops' list, 一表通查)
and the cases that concern an enterprise (its profile, 企业影像). Always the cases the user
may see (``restrict``)."""

from __future__ import annotations

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from streetbrain.core.generic import Column, table

from .models import OPEN_STATES, Case

SHOP_COLUMNS = (
    Column("open_cases", _("open cases"), order_by="open_cases"),
    Column("all_cases", _("all cases"), order_by="all_cases"),
)


def _cases_of_shop(**conditions):
    """The number of the shop's cases (``conditions``) as a subquery per row: PostgreSQL
    evaluates it for the rows of the page only (a join and GROUP BY counted every case of
    every shop before the page was cut: 0.7 s for a district's 40,000 shops)."""
    counted = (
        Case.objects.filter(shop=OuterRef("pk"), **conditions)
        .order_by()
        .values("shop")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def open_cases_of_shops():
    return _cases_of_shop(state__in=OPEN_STATES)


def all_cases_of_shops():
    return _cases_of_shop()


def with_shop_counts(queryset):
    """Shops with the number of their open cases and of all their cases (one query)."""
    return queryset.annotate(open_cases=open_cases_of_shops(), all_cases=all_cases_of_shops())


def filter_open_cases(queryset, name, value):
    """Shops with (true) or without (false) an open case."""
    if value is None:
        return queryset
    with_open = Exists(Case.objects.filter(shop=OuterRef("pk"), state__in=OPEN_STATES))
    return queryset.filter(with_open) if value else queryset.exclude(with_open)


def shop_cases(shop, user) -> dict | None:
    """The shop's cases, open ones first."""
    cases = (
        Case.objects.restrict(user)
        .filter(shop=shop)
        .annotate(still_open=Q(state__in=OPEN_STATES))
        .order_by("-still_open", "-reported_at")
    )
    columns = [
        Column("number", link=True),
        Column("title"),
        Column("state"),
        Column("reported_at"),
        Column("light", _("timeliness")),
    ]
    result = table(_("Cases of this shop (open first)"), Case, columns, cases[:200])
    return result if result["rows"] else None


def enterprise_cases(enterprise, user) -> dict:
    """Cases that concern an enterprise: those about a street shop registered under its
    credit code (a direct link), and those placed at the registry buildings of the towers
    it holds space in now (``registry_building_ids()``, the enterprise's own answer)."""
    visible = Case.objects.restrict(user, "view").select_related("component_class")
    direct = list(visible.filter(shop__credit_code=enterprise.credit_code).order_by("-pk")[:20])
    building_ids = enterprise.registry_building_ids()
    at_buildings = (
        list(
            visible.filter(building_id__in=building_ids)
            .exclude(pk__in=[c.pk for c in direct])
            .select_related("building")
            .order_by("-pk")[:20]
        )
        if building_ids
        else []
    )
    return {"cases": {"direct": direct, "at_buildings": at_buildings}}
