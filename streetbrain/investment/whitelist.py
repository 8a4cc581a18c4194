"""招商白名单: every GB/T 4754-2017 大类 and 中类 present among the street's enterprises or listed
by a tower's chain (一楼一链), scored from the economy's own history.

The window is the last 12 months the tax bureau has reported (``last``) and the 12 before. Per
industry (summed over its enterprises):

- **tax per m² occupied**: total tax of the last 12 months / area its enterprises hold at the
  window's end (CNY/m²/year), over enterprises that hold space;
- **tax growth**: that tax / the same enterprises' tax of the 12 months before, − 1 (only
  enterprises with tax in both years, so move-ins do not count as growth);
- **headcount per 100 m²**: staff in the last month / area held × 100;
- **stay**: 1 − move-out rate, where the rate is the enterprises that moved out in the 24
  months / those that held space in them;
- **local registration rate**: locally registered (属地注册) / all of those enterprises;
- **chain gap**: for an industry a chain lists, 1 / (1 + the tenants of that industry in the
  chain's towers) — a listed industry with no tenant scores 1; an industry no chain lists 0.

Each factor but the chain gap is normalised to 0–1 as its percentile rank among the industries
of the same level that have a value (robust to one tower's outlier); an industry without data
for a factor gets 0 there and the page says "no data". The score is Σ weight × normalised /
Σ weights × 100. Every value, normalised value, weight and contribution is stored on the entry.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from streetbrain.core.months import add_months, last_day
from streetbrain.economy.models import (
    Enterprise,
    HeadcountRecord,
    IndustryChain,
    Lease,
    OfficeBuilding,
    TaxRecord,
)
from streetbrain.registry.models import IndustryClass

from .industries import DIVISIONS, group_names
from .models import Factor, IndustryOverride, WhitelistEntry, WhitelistFactor, WhitelistRun

DEFAULT_WEIGHTS = {
    Factor.TAX_PER_M2: 30,
    Factor.TAX_GROWTH: 15,
    Factor.HEADCOUNT_PER_M2: 10,
    Factor.STAY: 15,
    Factor.LOCAL_RATE: 10,
    Factor.CHAIN_GAP: 20,
}
RANKED = [f for f in Factor.values if f != Factor.CHAIN_GAP]


@dataclass
class _Acc:
    """What one industry's enterprises add up to."""

    enterprises: set = field(default_factory=set)
    tax: float = 0.0
    tax_area: float = 0.0  # area of the enterprises counted in ``tax``
    growth_now: float = 0.0
    growth_before: float = 0.0
    headcount: float = 0.0
    head_area: float = 0.0
    base: int = 0
    moved: int = 0
    local: int = 0
    area: float = 0.0
    chain_tenants: dict = field(default_factory=dict)  # chain code → tenants in its towers


def weights() -> dict[str, float]:
    """The weights in force (the defaults for a factor without its row)."""
    rows = {w.key: float(w.weight) for w in WhitelistFactor.objects.all()}
    return {k: rows.get(k, float(DEFAULT_WEIGHTS[k])) for k in Factor.values}


def data_window() -> tuple[dt.date, dt.date] | None:
    """The 24 months read: (first month, last month), the last being the latest the tax bureau
    reported; None without tax data."""
    last = TaxRecord.objects.order_by("-month").values_list("month", flat=True).first()
    if last is None:
        return None
    return add_months(last, -23), last


def _chain_prefixes() -> dict[str, list[str]]:
    """Chains that towers carry: code → the GB/T 4754 prefixes it lists."""
    used = set(OfficeBuilding.objects.exclude(chain=None).values_list("chain_id", flat=True))
    out = {}
    for chain in IndustryChain.objects.filter(pk__in=used):
        out[chain.code] = [p.lstrip("ABCDEFGHIJKLMNOPQRST") or p for p in chain.industry_prefixes]
    return out


def _listed(code: str, section: str, prefix: str) -> bool:
    if prefix.isalpha():
        return section == prefix
    return code.startswith(prefix) or prefix.startswith(code)


def _percentiles(values: dict[str, float]) -> dict[str, float]:
    """Percentile rank (0–1) of each value among ``values``, ties sharing their mean rank."""
    if not values:
        return {}
    if len(values) == 1:
        return {k: 1.0 for k in values}
    ordered = sorted(values.items(), key=lambda kv: kv[1])
    out, i = {}, 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1][1] == ordered[i][1]:
            j += 1
        rank = (i + j) / 2 / (len(ordered) - 1)
        for k in range(i, j + 1):
            out[ordered[k][0]] = rank
        i = j + 1
    return out


def compute(*, user=None, demo: bool = False) -> WhitelistRun | None:
    """Compute the whitelist from the economy's data now; None when there is no tax data yet.
    Called by the "recompute" action and the nightly task, never on a page view."""
    window = data_window()
    if window is None:
        return None
    started = time.perf_counter()
    first, last = window
    year_start = add_months(last, -11)
    end_day = last_day(last)
    w = weights()

    classes = {
        c["pk"]: c
        for c in IndustryClass.objects.values(
            "pk", "code", "name", "division", "group", "section__code"
        )
    }
    groups = group_names([(c["group"], c["code"], c["name"]) for c in classes.values()])
    sections = {c["division"]: c["section__code"] for c in classes.values()}
    sections.update({c["group"]: c["section__code"] for c in classes.values()})

    ent_class = dict(Enterprise.objects.values_list("pk", "industry_id"))
    local = set(Enterprise.objects.filter(locally_registered=True).values_list("pk", flat=True))
    moved = set(
        Enterprise.objects.filter(
            status=Enterprise.Status.MOVED_OUT,
            status_changed_on__gte=first,
            status_changed_on__lte=end_day,
        ).values_list("pk", flat=True)
    )
    base = set(Lease.objects.held_between(first, end_day).values_list("enterprise_id", flat=True))
    area = {
        e: float(a)
        for e, a in Lease.objects.held_on(end_day)
        .values("enterprise_id")
        .annotate(a=Sum("area_m2"))
        .values_list("enterprise_id", "a")
    }
    tax_now = dict(
        TaxRecord.objects.filter(month__gte=year_start, month__lte=last)
        .values("enterprise_id")
        .annotate(t=Sum("total_tax"))
        .values_list("enterprise_id", "t")
    )
    tax_before = dict(
        TaxRecord.objects.filter(month__gte=first, month__lt=year_start)
        .values("enterprise_id")
        .annotate(t=Sum("total_tax"))
        .values_list("enterprise_id", "t")
    )
    heads = dict(
        HeadcountRecord.objects.filter(month=last).values_list("enterprise_id", "headcount")
    )
    # Tenants per chain: enterprises holding space at the window's end in a tower of the chain.
    chain_of = dict(OfficeBuilding.objects.exclude(chain=None).values_list("pk", "chain__code"))
    chain_tenants: dict[str, set] = defaultdict(set)
    for ent, building in (
        Lease.objects.held_on(end_day).values_list("enterprise_id", "building_id").distinct()
    ):
        if building in chain_of:
            chain_tenants[chain_of[building]].add(ent)

    accs: dict[str, _Acc] = defaultdict(_Acc)
    for ent, cls_pk in ent_class.items():
        cls = classes.get(cls_pk)
        if cls is None or not (ent in base or ent in area or ent in tax_now):
            continue
        for code in (cls["division"], cls["group"]):
            acc = accs[code]
            acc.enterprises.add(ent)
            a = area.get(ent, 0.0)
            acc.area += a
            t = float(tax_now.get(ent) or 0)
            if a > 0:
                acc.tax += t
                acc.tax_area += a
                acc.headcount += heads.get(ent, 0)
                acc.head_area += a
            if ent in tax_now and tax_before.get(ent):
                acc.growth_now += t
                acc.growth_before += float(tax_before[ent])
            if ent in base:
                acc.base += 1
                acc.moved += ent in moved
                acc.local += ent in local
            for chain, tenants in chain_tenants.items():
                if ent in tenants:
                    acc.chain_tenants[chain] = acc.chain_tenants.get(chain, 0) + 1

    # Industries the chains list, present or not.
    prefixes = _chain_prefixes()
    listed: dict[str, list[str]] = defaultdict(list)
    for code in [*DIVISIONS, *groups]:
        section = sections.get(code, "")
        for chain, chain_prefixes in prefixes.items():
            if any(_listed(code, section, p) for p in chain_prefixes):
                listed[code].append(chain)
    codes = sorted(set(accs) | set(listed))

    values: dict[str, dict[str, float | None]] = {}
    for code in codes:
        acc = accs.get(code) or _Acc()
        values[code] = {
            Factor.TAX_PER_M2: acc.tax / acc.tax_area if acc.tax_area else None,
            Factor.TAX_GROWTH: acc.growth_now / acc.growth_before - 1
            if acc.growth_before > 0
            else None,
            Factor.HEADCOUNT_PER_M2: acc.headcount / acc.head_area * 100 if acc.head_area else None,
            Factor.STAY: 1 - acc.moved / acc.base if acc.base else None,
            Factor.LOCAL_RATE: acc.local / acc.base if acc.base else None,
            Factor.CHAIN_GAP: min(acc.chain_tenants.get(c, 0) for c in listed[code])
            if listed.get(code)
            else None,
        }

    overrides = {}
    for o in IndustryOverride.objects.filter(lifted_at=None).order_by("code", "-created_at"):
        overrides.setdefault(o.code, o)

    total_weight = sum(w.values()) or 1.0
    entries = []
    for level, level_codes in (
        (WhitelistEntry.Level.DIVISION, [c for c in codes if len(c) == 2]),
        (WhitelistEntry.Level.GROUP, [c for c in codes if len(c) == 3]),
    ):
        norm = {
            f: _percentiles({c: values[c][f] for c in level_codes if values[c][f] is not None})
            for f in RANKED
        }
        scored = []
        for code in level_codes:
            parts, score = [], 0.0
            for f in Factor.values:
                value = values[code][f]
                if f == Factor.CHAIN_GAP:
                    n = 1 / (1 + value) if value is not None else 0.0
                else:
                    n = norm[f].get(code, 0.0)
                contribution = w[f] * n / total_weight * 100
                score += contribution
                parts.append(
                    {
                        "key": f,
                        "value": None if value is None else round(float(value), 4),
                        "normalised": round(n, 4),
                        "weight": w[f],
                        "contribution": round(contribution, 2),
                    }
                )
            scored.append((code, round(score, 2), parts))
        scored.sort(key=lambda s: (-s[1], s[0]))
        for rank, (code, score, parts) in enumerate(scored, start=1):
            acc = accs.get(code) or _Acc()
            override = overrides.get(code)
            name = DIVISIONS.get(code, "") if len(code) == 2 else groups.get(code, "")
            entries.append(
                WhitelistEntry(
                    level=level,
                    code=code,
                    name=name,
                    section=sections.get(code, ""),
                    score=score,
                    rank=rank,
                    enterprises=len(acc.enterprises),
                    area_m2=round(acc.area, 2),
                    factors=parts,
                    decision=override.kind if override else "",
                    decision_reason=override.reason if override else "",
                )
            )
    with transaction.atomic():
        run = WhitelistRun.objects.create(
            computed_by=user if user is not None and user.pk else None,
            computed_at=timezone.now(),
            first_month=first,
            last_month=last,
            weights=w,
            demo=demo,
        )
        for e in entries:
            e.run = run
        WhitelistEntry.objects.bulk_create(entries, batch_size=1000)
        run.seconds = round(time.perf_counter() - started, 3)
        run.save(update_fields=["seconds"])
    return run


def latest_run() -> WhitelistRun | None:
    return WhitelistRun.objects.order_by("-computed_at", "-pk").first()


def published(year: int | None = None) -> WhitelistRun | None:
    """The latest published version (of ``year`` if given)."""
    qs = WhitelistRun.objects.exclude(version=None)
    if year is not None:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "-version").first()
