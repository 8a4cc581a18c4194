"""空间匹配: where a lead could go, and which leads a vacant space could take.

A candidate is one vacant, available unit, or a run of units next to each other on one floor
(consecutive in unit-number order, up to ``MAX_RUN`` of them), whose area together lies in the
lead's range. Each candidate gets a score (0–100) from six parts, each 0–1 and shown:

- ``area``: how close the area is to the middle of the range (1 at the middle, 0.5 at its
  ends), less 0.05 for every unit beyond the first (a run must be joined up);
- ``rent``: the asking rent (area-weighted) against the budget: 1 at or under it, falling to 0
  at 50 % over; 0.5 when either is unknown;
- ``grade``: 1 for the grade wanted (or none wanted), less 0.34 per grade apart;
- ``chain``: the tower's 一楼一链 chain lists the lead's industry (0.6) and its 一楼一品 is that
  industry (0.4);
- ``cluster``: tenants of the lead's 大类 in the tower now, 1 from 5 on (集聚);
- ``vacancy``: how long the space has been empty, 1 from a year on (the street wants long-empty
  space filled first); never let counts as a year;
- ``learned``: where companies like the lead have actually gone — the naive-Bayes tower
  ranking of ``learned.py`` (hit-rate@5 measured in bench/bench_investment.py), trained on the
  new leases of the street's history before today, the tower's posterior for the lead's 大类
  and size over the best tower's. Its weight (``LEARNED_WEIGHT``) joins the rules' only when
  the history holds ``learned.MIN_HISTORY`` new leases; below that the score is the rules'
  alone and the page says why. Each candidate's ``reasons`` say what the learned part rests on.

Everything is read in five queries whatever the number of units (four, and the learned
model's check of the lease table; its fit, one grouped query, once per state of the leases), so
that one lead is matched over every vacant unit of the street within the 300 ms budget
(bench/bench_investment.py).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from streetbrain.economy.models import Lease, OfficeBuilding, Unit

from . import learned
from .models import Lead

MAX_RUN = 6
WEIGHTS = {"area": 25, "rent": 25, "grade": 10, "chain": 15, "cluster": 10, "vacancy": 15}
LEARNED_WEIGHT = 15  # beside the rules' 100: a share of 15/115 ≈ 13 % of the score
GRADES = ["super_a", "a", "b", "c", "ungraded"]


@dataclass
class Candidate:
    building_id: int
    building: str
    building_code: str
    floor: str
    units: list[dict]
    area_m2: float
    asking_rent: float | None
    score: float = 0.0
    parts: dict[str, float] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    weights: dict[str, int] = field(default_factory=lambda: dict(WEIGHTS))

    @property
    def unit_ids(self) -> list[int]:
        return [u["id"] for u in self.units]

    @property
    def unit_codes(self) -> str:
        return "、".join(u["code"] for u in self.units)


def _space(user, buildings=None) -> list[dict]:
    qs = Unit.objects.all() if user is None else Unit.objects.restrict(user, "view")
    qs = qs.filter(status=Unit.Status.VACANT_AVAILABLE)
    if buildings is not None:
        qs = qs.filter(building__in=buildings)
    return list(
        qs.values(
            "pk",
            "code",
            "area_m2",
            "asking_rent",
            "floor_id",
            "floor__number",
            "building_id",
        ).order_by("building_id", "floor__number", "code")
    )


def _towers(ids) -> dict[int, dict]:
    rows = OfficeBuilding.objects.filter(pk__in=ids).values(
        "pk", "building__name", "building__code", "grade", "signature_industry", "chain__industries"
    )
    return {r["pk"]: r for r in rows}


def _empty_since(building_ids) -> dict[int, dt.date]:
    """The last day each vacant unit of the towers was held by a lease (absent: never let),
    in one grouped query over the leases' units (no list of unit ids to send)."""
    through = Lease.units.through
    rows = (
        through.objects.filter(
            unit__building_id__in=list(building_ids), unit__status=Unit.Status.VACANT_AVAILABLE
        )
        .values("unit_id")
        .annotate(last=Max(Coalesce("lease__ended_on", "lease__end_date")))
        .values_list("unit_id", "last")
    )
    return dict(rows)


def _tenants_of_division(building_ids, day: dt.date, division: str) -> dict[int, int]:
    """Per tower, the enterprises of ``division`` (大类) holding space there on ``day``,
    counted in the database (one grouped row per tower)."""
    rows = (
        Lease.objects.held_on(day)
        .filter(building__in=list(building_ids), enterprise__industry__division=division)
        .values("building_id")
        .annotate(n=Count("enterprise_id", distinct=True))
        .values_list("building_id", "n")
    )
    return dict(rows)


def _prefix_match(prefix: str, code: str, section: str) -> bool:
    prefix = prefix.strip()
    if not prefix:
        return False
    if prefix.isalpha():
        return prefix == section
    prefix = prefix.lstrip("ABCDEFGHIJKLMNOPQRST")
    return code.startswith(prefix)


def _runs(units: list[dict], lo: float, hi: float) -> list[list[dict]]:
    """Single units and runs of consecutive units on one floor whose area lies in [lo, hi]."""
    by_floor: dict[int, list[dict]] = defaultdict(list)
    for u in units:
        by_floor[u["floor_id"]].append(u)
    out = []
    for floor_units in by_floor.values():
        for i in range(len(floor_units)):
            total = 0.0
            for j in range(i, min(i + MAX_RUN, len(floor_units))):
                total += float(floor_units[j]["area_m2"])
                if total > hi:
                    break
                if total >= lo:
                    out.append(floor_units[i : j + 1])
    return out


def tower_parts(lead: Lead, tower: dict, cluster: int) -> dict[str, float]:
    """The parts that depend on the tower only: grade, chain and 一楼一品 fit, neighbours."""
    if lead.preferred_grade and tower["grade"] in GRADES:
        apart = abs(GRADES.index(tower["grade"]) - GRADES.index(lead.preferred_grade))
        grade_part = max(0.0, 1 - 0.34 * apart)
    else:
        grade_part = 1.0
    industry = lead.industry
    section = industry.section.code
    chain = any(
        _prefix_match(p, industry.code, section)
        for p in (tower["chain__industries"] or "").split(",")
    )
    signature = _prefix_match(tower["signature_industry"] or "", industry.code, section)
    return {
        "grade": round(grade_part, 3),
        "chain": round(0.6 * chain + 0.4 * signature, 3),
        "cluster": round(min(1.0, cluster / 5), 3),
    }


def space_parts(
    lead: Lead, area: float, rent: float | None, n_units: int, empty_days: int | None
) -> dict[str, float]:
    """The parts of the space itself: area fit, rent against budget, vacancy duration."""
    lo, hi = float(lead.area_min_m2), float(lead.area_max_m2)
    mid, half = (lo + hi) / 2, max((hi - lo) / 2, 1.0)
    area_part = max(0.0, 1 - 0.5 * abs(area - mid) / half) - 0.05 * (n_units - 1)
    budget = float(lead.rent_budget) if lead.rent_budget is not None else None
    if rent is None or budget is None or budget <= 0:
        rent_part = 0.5
    elif rent <= budget:
        rent_part = 1.0
    else:
        rent_part = max(0.0, 1 - (rent - budget) / budget / 0.5)
    vacancy_part = 1.0 if empty_days is None else min(1.0, max(empty_days, 0) / 365)
    return {
        "area": round(max(area_part, 0.0), 3),
        "rent": round(rent_part, 3),
        "vacancy": round(vacancy_part, 3),
    }


def score_parts(
    lead: Lead,
    area: float,
    rent: float | None,
    tower: dict,
    n_units: int,
    cluster: int,
    empty_days: int | None,
) -> dict[str, float]:
    """Every part of a candidate's score, in the order of ``WEIGHTS``."""
    parts = {
        **space_parts(lead, area, rent, n_units, empty_days),
        **tower_parts(lead, tower, cluster),
    }
    return {k: parts[k] for k in WEIGHTS}


def total(parts: dict[str, float], weights: dict[str, int] | None = None) -> float:
    weights = weights or WEIGHTS
    return round(sum(weights[k] * v for k, v in parts.items()) / sum(weights.values()) * 100, 1)


class Matches(list):
    """Candidates, best first, with the learned model's state: ``history`` (the leases it was
    trained on, or too few) and the ``weights`` in force (the learned part's only with it)."""

    def __init__(self, items=(), *, history: learned.History, weights: dict[str, int]):
        super().__init__(items)
        self.history = history
        self.weights = weights

    @property
    def learned_share(self) -> float:
        return round(self.weights.get("learned", 0) / sum(self.weights.values()) * 100, 1)

    @property
    def learned_note(self) -> str:
        h = self.history
        if h.enough:
            return _(
                "Learned part: trained on %(n)s new leases of the street since %(since)s "
                "(weight %(w)s, %(share)s%% of the score)."
            ) % {
                "n": h.leases,
                "since": h.since.isoformat() if h.since else "—",
                "w": self.weights["learned"],
                "share": self.learned_share,
            }
        return _(
            "Learned part off: the street's history holds %(n)s new leases, fewer than the "
            "%(min)s it needs; the score is the rules' alone."
        ) % {"n": h.leases, "min": learned.MIN_HISTORY}


def weights_for(history: learned.History) -> dict[str, int]:
    return {**WEIGHTS, "learned": LEARNED_WEIGHT} if history.enough else dict(WEIGHTS)


def _band_label(area_m2: float) -> str:
    band = learned.size_band(area_m2)
    lo = learned.SIZE_BANDS[band - 1] if band else 0
    if band >= len(learned.SIZE_BANDS):
        return _("over %(lo)s m²") % {"lo": lo}
    return _("%(lo)s–%(hi)s m²") % {"lo": lo, "hi": learned.SIZE_BANDS[band]}


def learned_part(
    history: learned.History,
    tower: int,
    division: str,
    area_m2: float,
    ranked: learned.Ranking | None = None,
) -> tuple[float, str]:
    """The learned part of ``tower`` for a company of ``division`` needing ``area_m2`` (from
    ``ranked``, the towers ranked once for it, when given), and its reason in the reader's
    language."""
    ranked = ranked or learned.ranking(history.model, division, area_m2)
    value, why = ranked.part(tower)
    reason = _(
        "Learned: %(div)s of the street's %(div_total)s new leases of 大类 %(code)s and "
        "%(size)s of %(band)s went to this tower (%(leases)s new leases in all); it ranks "
        "%(rank)s of %(towers)s towers for such a company."
    ) % {
        "div": why["division"],
        "div_total": why["division_total"],
        "code": division,
        "size": why["size"],
        "band": _band_label(area_m2),
        "leases": why["leases"],
        "rank": why["rank"],
        "towers": why["towers"],
    }
    return value, reason


def match_lead(lead: Lead, user=None, *, limit: int = 10, today: dt.date | None = None):
    """The ``limit`` best candidates for ``lead`` among the vacant units ``user`` may see."""
    today = today or timezone.localdate()
    units = _space(user)
    lo, hi = float(lead.area_min_m2), float(lead.area_max_m2)
    if lead.preferred_floor_min is not None:
        units = [u for u in units if u["floor__number"] >= lead.preferred_floor_min]
    if lead.preferred_floor_max is not None:
        units = [u for u in units if u["floor__number"] <= lead.preferred_floor_max]
    runs = _runs(units, lo, hi)
    building_ids = {r[0]["building_id"] for r in runs}
    history = learned.fit_for(user, today, building_ids)
    weights = weights_for(history)
    if not runs:
        return Matches(history=history, weights=weights)
    towers = _towers(building_ids)
    empty = _empty_since(building_ids)
    division = lead.industry.division
    tenants = _tenants_of_division(building_ids, today, division)
    static: dict[int, dict[str, float]] = {}
    why: dict[int, list[str]] = {}
    mid = float(lead.area_mid_m2)
    ranked = learned.ranking(history.model, division, mid) if history.enough else None
    out = []
    for run in runs:
        tower = towers[run[0]["building_id"]]
        area = sum(float(u["area_m2"]) for u in run)
        rents = [(float(u["asking_rent"]), float(u["area_m2"])) for u in run if u["asking_rent"]]
        rent = sum(r * a for r, a in rents) / sum(a for _r, a in rents) if rents else None
        ends = [empty.get(u["pk"]) for u in run]
        empty_days = (
            None
            if all(e is None for e in ends)
            else min((today - e).days for e in ends if e is not None)
        )
        fixed = static.get(tower["pk"])
        if fixed is None:
            fixed = static[tower["pk"]] = tower_parts(lead, tower, tenants.get(tower["pk"], 0))
            why[tower["pk"]] = []
            if history.enough:
                value, reason = learned_part(history, tower["pk"], division, mid, ranked)
                fixed["learned"] = value
                why[tower["pk"]].append(reason)
        parts = {**space_parts(lead, area, rent, len(run), empty_days), **fixed}
        parts = {k: parts[k] for k in weights}
        number = run[0]["floor__number"]
        out.append(
            Candidate(
                building_id=tower["pk"],
                building=tower["building__name"],
                building_code=tower["building__code"],
                floor=f"B{-number}" if number < 0 else f"{number}F",
                units=[
                    {"id": u["pk"], "code": u["code"], "area_m2": float(u["area_m2"])} for u in run
                ],
                area_m2=round(area, 2),
                asking_rent=round(rent, 2) if rent is not None else None,
                score=total(parts, weights),
                parts=parts,
                reasons=why[tower["pk"]],
                weights=weights,
            )
        )
    out.sort(key=lambda c: (-c.score, c.building_code, c.unit_ids))
    # One candidate per tower and floor at most twice, so the shortlist shows choices.
    shown, per_floor = Matches(history=history, weights=weights), defaultdict(int)
    for c in out:
        key = (c.building_id, c.floor)
        if per_floor[key] >= 2:
            continue
        per_floor[key] += 1
        shown.append(c)
        if len(shown) >= limit:
            break
    return shown


def match_space(unit: Unit, user=None, *, limit: int = 10, today: dt.date | None = None):
    """The open leads that ``unit`` (alone) would fit, best first: [(lead, score, parts)],
    the learned part among the parts when the street's history is long enough."""
    from .models import OPEN_STAGES

    today = today or timezone.localdate()
    area = float(unit.area_m2)
    qs = Lead.objects.all() if user is None else Lead.objects.restrict(user, "view")
    leads = qs.filter(
        stage__in=OPEN_STAGES, area_min_m2__lte=Decimal(str(area)), area_max_m2__gte=area
    ).select_related("industry__section")
    tower = _towers([unit.building_id])[unit.building_id]
    tenants = dict(  # per 大类, the tower's tenants on the day
        Lease.objects.held_on(today)
        .filter(building_id=unit.building_id)
        .values("enterprise__industry__division")
        .annotate(n=Count("enterprise_id", distinct=True))
        .values_list("enterprise__industry__division", "n")
    )
    ended = (
        _empty_since([unit.building_id]).get(unit.pk)
        if unit.status == Unit.Status.VACANT_AVAILABLE
        else None
    )
    empty_days = None if ended is None else (today - ended).days
    rent = float(unit.asking_rent) if unit.asking_rent is not None else None
    history = learned.fit_for(user, today, [unit.building_id])
    weights = weights_for(history)
    ranked: dict[str, learned.Ranking] = {}
    out = []
    for lead in leads:
        parts = score_parts(
            lead, area, rent, tower, 1, tenants.get(lead.industry.division, 0), empty_days
        )
        if history.enough:  # the towers ranked once per 大类: the unit's area is the same
            division = lead.industry.division
            if division not in ranked:
                ranked[division] = learned.ranking(history.model, division, area)
            parts["learned"] = ranked[division].part(unit.building_id)[0]
        out.append((lead, total(parts, weights), parts))
    out.sort(key=lambda t: (-t[1], t[0].pk))
    return out[:limit]
