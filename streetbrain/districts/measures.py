"""The districts' figures, each a sum over a filter of the monthly sales (or a count of the
first-store register) that the pages link to: the filter that made a figure is the list that
shows its rows (``sales_url``/``first_stores_url``).

- A district's **sales of a year**: the sum of its rows in the year's months; against its
  target (百亿: 10 billion CNY). **Year on year** compares the same months: the year's months
  that have sales with the same months a year before (a year in progress is not compared with
  a whole year).
- **限额以上**: a store whose sales in a year reach its trade's threshold (``reference``; the
  statistics measure the legal entity's main-business revenue: a store's sales stand in for
  it, which the page says).
- A **campaign**'s sales: its member stores' sales in its window, each month's sales counted
  for the share of its days the window covers (sales are monthly), against the same window a
  year before.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse

from . import reference
from .models import (
    BusinessDistrict,
    Campaign,
    Category,
    Complex,
    FirstStore,
    SalesRecord,
    targets_of_year,
)

ZERO = Decimal(0)


# The mall a sales row counts for: its own (a mall's figure) or its store's.
MALL = Coalesce("complex", "store__complex")


def in_mall(complex_id) -> Q:
    """The sales rows of a mall (None: those outside every mall)."""
    if complex_id is None:
        return Q(complex__isnull=True, store__complex__isnull=True)
    return Q(complex=complex_id) | Q(store__complex=complex_id)


def sales_url(**filters) -> str:
    """The sales list filtered as a figure was computed."""
    query = {k: v for k, v in filters.items() if v not in (None, "")}
    return reverse("districts:salesrecord_list") + ("?" + urlencode(query) if query else "")


def first_stores_url(**filters) -> str:
    query = {k: v for k, v in filters.items() if v not in (None, "")}
    return reverse("districts:firststore_list") + ("?" + urlencode(query) if query else "")


def _year(qs, year: int):
    return qs.filter(month__gte=dt.date(year, 1, 1), month__lte=dt.date(year, 12, 1))


def months_with_sales(qs, year: int) -> list[int]:
    return sorted({m.month for m in _year(qs, year).values_list("month", flat=True).distinct()})


def total(qs) -> Decimal:
    return qs.aggregate(s=Sum("amount"))["s"] or ZERO


def _change(now, before) -> float | None:
    return (float(now / before) - 1) if before else None


def ratio(part, whole) -> float | None:
    return float(part / whole) if whole else None


def year_on_year(qs, year: int) -> dict:
    """This year's sales in its months with sales against the same months a year before."""
    months = months_with_sales(qs, year)
    now = total(_year(qs, year))
    before = (
        total(qs.filter(month__in=[dt.date(year - 1, m, 1) for m in months])) if months else ZERO
    )
    return {
        "months": months,
        "last_month": months[-1] if months else None,
        "sales": now,
        "before": before,
        "change": (float(now / before) - 1) if before else None,
    }


def district_year(user, district: BusinessDistrict, year: int) -> dict:
    """Everything the dashboard shows of ``district`` in ``year``, read through the user's
    scope, each figure with the link to the rows it sums."""
    sales = SalesRecord.objects.restrict(user).filter(district=district)
    year_qs = _year(sales, year)
    yoy = year_on_year(sales, year)
    base = {"district": district.pk, "year": year}
    target = district.target_for(year).sales_target
    same_months = sales.filter(month__in=[dt.date(year - 1, m, 1) for m in yoy["months"]])
    labels = dict(Category.choices)
    before = dict(same_months.values_list("category").annotate(s=Sum("amount")))
    by_category = [
        {
            "key": row["category"],
            "label": str(labels.get(row["category"], row["category"])),
            "sales": row["s"],
            "before": before.get(row["category"], ZERO),
            "change": _change(row["s"], before.get(row["category"])),
            "url": sales_url(**base, category=row["category"]),
        }
        for row in year_qs.values("category").annotate(s=Sum("amount")).order_by("-s")
    ]
    names = dict(Complex.objects.filter(district=district).values_list("pk", "name"))
    before = {
        row["mall"]: row["s"]
        for row in same_months.annotate(mall=MALL).values("mall").annotate(s=Sum("amount"))
    }
    by_complex = [
        {
            "key": row["mall"],
            "label": names.get(row["mall"], ""),
            "sales": row["s"],
            "before": before.get(row["mall"], ZERO),
            "change": _change(row["s"], before.get(row["mall"])),
            "url": sales_url(**base, complex=row["mall"])
            if row["mall"]
            else sales_url(**base, no_complex="true"),
        }
        for row in year_qs.annotate(mall=MALL)
        .values("mall")
        .annotate(s=Sum("amount"))
        .order_by("-s")
    ]
    monthly = {m: ZERO for m in range(1, 13)}
    for row in year_qs.values("month").annotate(s=Sum("amount")):
        monthly[row["month"].month] = row["s"]
    monthly_before = {m: ZERO for m in range(1, 13)}
    for row in _year(sales, year - 1).values("month").annotate(s=Sum("amount")):
        monthly_before[row["month"].month] = row["s"]
    firsts = first_stores(user, district, year)
    return {
        "district": district,
        "year": year,
        "sales": yoy["sales"],
        "target": target,
        "share": ratio(yoy["sales"], target),
        "yoy": yoy,
        "sales_url": sales_url(**base),
        "by_category": by_category,
        "by_complex": by_complex,
        "monthly": [monthly[m] for m in range(1, 13)],
        "monthly_before": [monthly_before[m] for m in range(1, 13)],
        "first_stores": firsts,
        "above_limit": above_limit_summary(user, district, year),
    }


def first_stores(user, district: BusinessDistrict, year: int) -> dict:
    """The first stores opened in ``year``, by level, against the district's target."""
    qs = FirstStore.objects.restrict(user).filter(district=district, opened_on__year=year)
    labels = dict(FirstStore.Level.choices)
    by_level = [
        {
            "key": row["level"],
            "label": str(labels.get(row["level"], row["level"])),
            "count": row["n"],
            "url": first_stores_url(district=district.pk, year=year, level=row["level"]),
        }
        for row in qs.values("level").annotate(n=Count("pk")).order_by("-n", "level")
    ]
    count = qs.count()
    target = district.target_for(year).first_store_target
    return {
        "count": count,
        "target": target,
        "share": ratio(Decimal(count), Decimal(target)),
        "by_level": by_level,
        "url": first_stores_url(district=district.pk, year=year),
        "recent": list(qs.select_related("complex").order_by("-opened_on", "brand")[:10]),
    }


def store_year_sales(user, district: BusinessDistrict, year: int) -> list[dict]:
    """Each store's sales in ``year`` with its trade's 限额以上 threshold and whether it
    reached it (None: its trade has none)."""
    qs = (
        _year(SalesRecord.objects.restrict(user), year)
        .filter(district=district, store__isnull=False)
        .values("store", "store__name", "store__code", "category")
        .annotate(s=Sum("amount"), months=Count("month", distinct=True))
        .order_by("-s")
    )
    out = []
    for row in qs:
        limit = reference.threshold(row["category"])
        out.append(
            {
                "store": row["store"],
                "name": row["store__name"],
                "code": row["store__code"],
                "category": row["category"],
                "sales": row["s"],
                "months": row["months"],
                "threshold": limit,
                "above": None if limit is None else row["s"] >= limit,
                "url": sales_url(store=row["store"], year=year),
            }
        )
    return out


def above_limit_summary(user, district: BusinessDistrict, year: int) -> dict:
    stores = store_year_sales(user, district, year)
    above = [s for s in stores if s["above"]]
    return {
        "count": len(above),
        "stores": len(stores),
        "sales": sum((s["sales"] for s in above), ZERO),
        "top": above[:10],
        # catering and lodging share one threshold (限额以上住宿和餐饮业): listed once
        "thresholds": list({t["name"]: t for t in reference.thresholds().values()}.values()),
    }


def above_limit_ids(user, district_id: int | None, year: int) -> set[int]:
    """The stores at or above their trade's threshold in ``year``: the list's filter."""
    qs = _year(SalesRecord.objects.restrict(user), year).filter(store__isnull=False)
    if district_id:
        qs = qs.filter(district_id=district_id)
    ids = set()
    for row in qs.values("store", "category").annotate(s=Sum("amount")):
        limit = reference.threshold(row["category"])
        if limit is not None and row["s"] >= limit:
            ids.add(row["store"])
    return ids


# -- campaigns ---------------------------------------------------------------------------------


def _window_share(start: dt.date, end: dt.date) -> dict[dt.date, Decimal]:
    """{month: the share of its days that lie in [start, end]}."""
    shares = {}
    day = dt.date(start.year, start.month, 1)
    while day <= end:
        days = calendar.monthrange(day.year, day.month)[1]
        last = dt.date(day.year, day.month, days)
        covered = (min(end, last) - max(start, day)).days + 1
        if covered > 0:
            shares[day] = Decimal(covered) / Decimal(days)
        day = last + dt.timedelta(days=1)
    return shares


def _shift_year(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def campaign_result(user, campaign: Campaign) -> dict:
    """The members' sales in the window, and in the same window a year before."""
    members = list(campaign.members.values_list("pk", flat=True))
    sales = SalesRecord.objects.restrict(user).filter(store__in=members)

    def window_sales(start, end):
        shares = _window_share(start, end)
        per_month = defaultdict(lambda: ZERO)
        for row in sales.filter(month__in=list(shares)).values("month").annotate(s=Sum("amount")):
            per_month[row["month"]] = row["s"]
        complete = all(m in per_month for m in shares)
        value = sum((per_month[m] * shares[m] for m in shares), ZERO)
        return value.quantize(Decimal("0.01")), complete, shares

    now, now_complete, shares = window_sales(campaign.starts_on, campaign.ends_on)
    start_before = _shift_year(campaign.starts_on, -1)
    end_before = _shift_year(campaign.ends_on, -1)
    before, before_complete, _shares = window_sales(start_before, end_before)
    first = min(shares) if shares else campaign.starts_on
    last = max(shares) if shares else campaign.ends_on
    return {
        "members": len(members),
        "sales": now,
        "before": before,
        "change": (float(now / before) - 1) if before else None,
        "complete": now_complete and before_complete,
        "redemption": ratio(Decimal(campaign.coupons_redeemed), Decimal(campaign.coupons_issued)),
        "sales_url": sales_url(
            campaign=campaign.pk, month_from=f"{first:%Y-%m}", month_to=f"{last:%Y-%m}"
        ),
        "before_url": sales_url(
            campaign=campaign.pk,
            month_from=f"{_shift_year(first, -1):%Y-%m}",
            month_to=f"{_shift_year(last, -1):%Y-%m}",
        ),
    }


def street_year(user, year: int) -> list[dict]:
    """Every district the user sees, with its year's sales and first stores (the API's list
    and the cockpit panel)."""
    districts = BusinessDistrict.objects.restrict(user).order_by("name")
    sales = dict(
        _year(SalesRecord.objects.restrict(user), year)
        .values_list("district")
        .annotate(s=Sum("amount"))
        .values_list("district", "s")
    )
    firsts = dict(
        FirstStore.objects.restrict(user)
        .filter(opened_on__year=year)
        .values_list("district")
        .annotate(n=Count("pk"))
        .values_list("district", "n")
    )
    targets = targets_of_year(districts, year)
    return [
        {
            "district": d,
            "sales": sales.get(d.pk, ZERO),
            "target": targets[d.pk][0],
            "share": ratio(sales.get(d.pk, ZERO), targets[d.pk][0]),
            "first_stores": firsts.get(d.pk, 0),
            "first_store_target": targets[d.pk][1],
        }
        for d in districts
    ]
