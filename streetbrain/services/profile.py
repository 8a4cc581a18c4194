"""The enterprise's profile (企业画像) the rules read: what the building brain holds (industry,
tax, headcount and social insurance, leased area, registration, age, registered capital)
plus the services' own facts (revenue, assets, taxable income, 高新, 首店), and the size
class by the official 划型 thresholds. Built for many enterprises at once with a handful of
aggregate queries, so matching the whole street stays fast.

Field names are the reference format's (``policies.yaml``); a value the street does not
know is None, which makes a rule on it "unknown" rather than failed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from functools import cache
from pathlib import Path

import yaml
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from streetbrain.core.months import add_months, last_complete_month
from streetbrain.economy.models import Enterprise, HeadcountRecord, Lease, TaxRecord

from . import rules
from .models import EnterpriseFacts

REFERENCE = Path(__file__).resolve().parent.parent / "data" / "reference"

# The profile's fields, with what they mean (shown beside each reason on the pages).
FIELDS = {
    "industry_gbt4754": "GB/T 4754-2017 class",
    "headcount": "headcount (latest month)",
    "annual_tax_cny": "tax, last 12 months (CNY)",
    "annual_local_tax_cny": "locally retained tax, last 12 months (CNY)",
    "office_area_m2": "office area leased in the street (m²)",
    "in_tower": "holds space in a tower of the street",
    "registered_in_district": "tax registration in the district",
    "enterprise_age_years": "years since founded",
    "registered_capital_cny": "registered capital (CNY)",
    "social_insurance_months": "months with social insurance paid, last 12",
    "unemployment_insurance_paid_months": "months with social insurance paid, last 12",
    "layoff_rate": "fall in headcount over 12 months",
    "annual_revenue_cny": "annual revenue (CNY)",
    "total_assets_cny": "total assets (CNY)",
    "annual_taxable_income_cny": "annual taxable income (CNY)",
    "is_high_tech": "high-tech enterprise (高新)",
    "store_level": "first store level (首店)",
    "is_small_micro": "small low-profit enterprise (小型微利, tax definition)",
    "enterprise_size": "size class (工信部联企业〔2011〕300号)",
}


@cache
def size_standard() -> dict:
    with open(REFERENCE / "thresholds.yaml", encoding="utf-8") as f:
        return yaml.safe_load(f)["enterprise_size_standard"]


@cache
def small_low_profit_conditions() -> list:
    with open(REFERENCE / "thresholds.yaml", encoding="utf-8") as f:
        return yaml.safe_load(f)["small_low_profit_enterprise_tax"]["conditions"]


def _num(value) -> float | None:
    return None if value is None else float(value)


def build(enterprise_ids=None, today: dt.date | None = None) -> dict[int, dict]:
    """{enterprise id: profile} for the operating enterprises (all, or ``enterprise_ids``).
    Values are JSON-ready (numbers as floats), so a match can keep the profile it used."""
    today = today or timezone.localdate()
    last = last_complete_month(today)
    first = add_months(last, -11)
    year_ago = add_months(last, -12)
    ents = Enterprise.objects.filter(status=Enterprise.Status.ACTIVE)
    if enterprise_ids is not None:
        ents = ents.filter(pk__in=list(enterprise_ids))
    rows = list(
        ents.values_list(
            "pk",
            "industry__code",
            "industry__section__code",
            "founded_on",
            "locally_registered",
            "registered_capital",
        )
    )
    ids = [r[0] for r in rows]
    scope = Q(enterprise_id__in=ids) if enterprise_ids is not None else Q()

    tax = {
        e: (t, loc)
        for e, t, loc in TaxRecord.objects.filter(scope, month__gte=first, month__lte=last)
        .values("enterprise_id")
        .annotate(t=Sum("total_tax"), loc=Sum("local_tax"))
        .values_list("enterprise_id", "t", "loc")
    }
    latest_month = dict(
        HeadcountRecord.objects.filter(scope, month__lte=last)
        .values("enterprise_id")
        .annotate(m=Max("month"))
        .values_list("enterprise_id", "m")
    )
    heads: dict[int, dict] = defaultdict(dict)
    for e, month, head, insured in HeadcountRecord.objects.filter(
        scope, month__gte=year_ago, month__lte=last
    ).values_list("enterprise_id", "month", "headcount", "insured"):
        heads[e][month] = (head, insured)
    insured_months = dict(
        HeadcountRecord.objects.filter(scope, month__gte=first, month__lte=last, insured__gt=0)
        .values("enterprise_id")
        .annotate(n=Count("pk"))
        .values_list("enterprise_id", "n")
    )
    area = dict(
        Lease.objects.held_on(today)
        .filter(scope)
        .values("enterprise_id")
        .annotate(a=Sum("area_m2"))
        .values_list("enterprise_id", "a")
    )
    facts = {f.enterprise_id: f for f in EnterpriseFacts.objects.filter(scope)}

    out = {}
    standard = size_standard()
    slp = small_low_profit_conditions()
    for pk, code, section, founded, local, capital in rows:
        p: dict = {"industry_gbt4754": code, "industry_section": section}
        t = tax.get(pk)
        p["annual_tax_cny"] = _num(t[0]) if t else None
        p["annual_local_tax_cny"] = _num(t[1]) if t else None
        months = heads.get(pk, {})
        m = latest_month.get(pk)
        if m is not None and m not in months:
            months[m] = HeadcountRecord.objects.filter(enterprise_id=pk, month=m).values_list(
                "headcount", "insured"
            )[0]
        p["headcount"] = months[m][0] if m is not None else None
        before = months.get(year_ago)
        if before and before[0] and p["headcount"] is not None:
            p["layoff_rate"] = round(max(0.0, (before[0] - p["headcount"]) / before[0]), 4)
        else:
            p["layoff_rate"] = None
        if months:
            n = insured_months.get(pk, 0)
            p["social_insurance_months"] = n
            p["unemployment_insurance_paid_months"] = n
        else:
            p["social_insurance_months"] = p["unemployment_insurance_paid_months"] = None
        a = area.get(pk)
        p["office_area_m2"] = _num(a) if a is not None else 0.0
        p["in_tower"] = a is not None
        p["registered_in_district"] = bool(local)
        p["enterprise_age_years"] = (
            round((today - founded).days / 365.25, 2) if founded is not None else None
        )
        p["registered_capital_cny"] = _num(capital * 10000) if capital is not None else None
        f = facts.get(pk)
        p["annual_revenue_cny"] = _num(f.annual_revenue_cny) if f else None
        p["total_assets_cny"] = _num(f.total_assets_cny) if f else None
        p["annual_taxable_income_cny"] = _num(f.annual_taxable_income_cny) if f else None
        p["is_high_tech"] = f.is_high_tech if f else None
        p["store_level"] = (f.store_level or None) if f else None
        if f:
            for key, value in (f.extra or {}).items():
                p.setdefault(key, value)
        p["enterprise_size"] = rules.size_class(standard, p)
        status, _r = rules.evaluate(slp, {**p, "industry_restricted_or_prohibited": False})
        p["is_small_micro"] = {rules.MET: True, rules.FAILED: False}.get(status)
        out[pk] = p
    return out


def as_decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))
