"""The yearly star rating (星级评定) of party organisations: indicators as data
(``StarIndicator``), each scored between its thresholds and weighted; 1–5 stars by the score
(every 20 points one more star, at least one)."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count

from .models import Activity, Organisation, StarIndicator

HUNDRED = Decimal(100)


def measures(org: Organisation, year: int) -> dict[str, Decimal | None]:
    """The values an organisation's indicators read for ``year``."""
    acts = Activity.objects.filter(organisation=org, date__year=year)
    n_acts = acts.count()
    members = org.members.count()
    attended = sum(acts.annotate(n=Count("attendees")).values_list("n", flat=True))
    kinds = set(acts.values_list("kind", flat=True))
    return {
        "activities": Decimal(n_acts),
        "attendance": (Decimal(attended) / (members * n_acts) * HUNDRED)
        if members and n_acts
        else None,
        "meetings": Decimal(acts.filter(kind=Activity.Kind.MEETINGS).count()),
        "variety": Decimal(len(kinds)),
        "alliance": Decimal(100 if org.alliances.exists() else 0),
    }


def points(value: Decimal, bad: Decimal, good: Decimal) -> Decimal:
    if good == bad:
        return HUNDRED if value >= good else Decimal(0)
    return min(max((value - bad) / (good - bad) * HUNDRED, Decimal(0)), HUNDRED)


def compute(org: Organisation, year: int) -> tuple[Decimal, int, list[dict]]:
    values = measures(org, year)
    rules = list(StarIndicator.objects.all())
    known = sum((r.weight for r in rules if values.get(r.code) is not None), Decimal(0))
    rows, score = [], Decimal(0)
    for r in rules:
        v = values.get(r.code)
        row = {"code": r.code, "name": r.name, "weight": str(r.weight), "value": None,
               "points": None, "contribution": None}  # fmt: skip
        if v is not None and known:
            p = points(v, r.bad, r.good)
            c = p * r.weight / known
            score += c
            q = lambda x: str(x.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))  # noqa: E731
            row.update(value=q(v), points=q(p), contribution=q(c))
        rows.append(row)
    score = score.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    stars = min(5, max(1, math.ceil(score / 20) if score > 0 else 1))
    return score, stars, rows
