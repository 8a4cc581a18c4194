"""What other apps may read of the districts, without importing their models: the year's
retail sales of the street's business districts. The projects app (the five economic
indicators pressed down to projects, 限上批零 among them) is meant to read this; no app imports
it yet, and an app that does must sit above ``districts`` in the import-linter layers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Sum

from .models import BusinessDistrict, SalesRecord, targets_of_year


def district_sales(year: int, *, district: str | None = None, user=None) -> dict:
    """The retail sales of ``year``: ``{"year", "sales", "target", "months", "districts":
    [{"code", "name", "sales", "target"}]}`` — all districts, or the one whose ``code`` is
    given. ``user``: read through that user's scope; None reads everything (a task).
    ``months`` are the months of the year that have sales (a year in progress)."""
    districts = (
        BusinessDistrict.objects.all() if user is None else BusinessDistrict.objects.restrict(user)
    )
    sales = SalesRecord.objects.all() if user is None else SalesRecord.objects.restrict(user)
    if district is not None:
        districts = districts.filter(code=district)
    sales = sales.filter(
        district__in=districts, month__gte=dt.date(year, 1, 1), month__lte=dt.date(year, 12, 1)
    )
    per = dict(sales.values_list("district").annotate(s=Sum("amount")).values_list("district", "s"))
    districts = list(districts.order_by("name"))
    targets = targets_of_year(districts, year)
    rows = [
        {
            "code": d.code,
            "name": d.name,
            "sales": per.get(d.pk, Decimal(0)),
            "target": targets[d.pk][0],
        }
        for d in districts
    ]
    months = sorted({m.month for m in sales.values_list("month", flat=True).distinct()})
    return {
        "year": year,
        "sales": sum((r["sales"] for r in rows), Decimal(0)),
        "target": sum((r["target"] for r in rows), Decimal(0)),
        "months": months,
        "districts": rows,
    }
