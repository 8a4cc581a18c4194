"""Which towers attract which industries and sizes, learned from the street's own leases.

A naive-Bayes ranking of the towers for an incoming company, from the new leases (not
renewals) signed before a cut-off: score(tower) = log P(tower) + log P(大类 | tower) +
log P(size band | tower), each with add-one (Laplace) smoothing, P(tower) being the tower's
share of those leases. ``evaluate`` trains on the leases that started before the cut-off and
tests on those that started after: the share whose tower is among the top ``k`` (hit-rate@k),
against the popularity baseline (towers ranked by P(tower) alone) in the same run.

This is what the street's history says, not a rule: the benchmark (bench/bench_investment.py)
reports how well it predicts where enterprises actually went.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from dataclasses import dataclass

from streetbrain.economy.models import Lease

SIZE_BANDS = (100, 200, 400, 800, 1500)  # m²: upper bounds; above the last is one more band


def size_band(area_m2: float) -> int:
    for i, bound in enumerate(SIZE_BANDS):
        if area_m2 <= bound:
            return i
    return len(SIZE_BANDS)


@dataclass
class TowerModel:
    towers: list[int]
    n: Counter
    by_division: dict[int, Counter]
    by_size: dict[int, Counter]
    divisions: int
    sizes: int = len(SIZE_BANDS) + 1

    def scores(self, division: str, area_m2: float) -> dict[int, float]:
        total = sum(self.n.values())
        band = size_band(area_m2)
        out = {}
        for t in self.towers:
            nt = self.n[t]
            prior = (nt + 1) / (total + len(self.towers))
            p_div = (self.by_division[t][division] + 1) / (nt + self.divisions)
            p_size = (self.by_size[t][band] + 1) / (nt + self.sizes)
            out[t] = math.log(prior) + math.log(p_div) + math.log(p_size)
        return out

    def rank(self, division: str, area_m2: float) -> list[int]:
        scores = self.scores(division, area_m2)
        return sorted(self.towers, key=lambda t: (-scores[t], t))

    def popular(self) -> list[int]:
        return sorted(self.towers, key=lambda t: (-self.n[t], t))


def _rows(qs):
    return list(
        qs.filter(renewed_from=None).values_list(
            "building_id", "enterprise__industry__division", "area_m2", "start_date"
        )
    )


def train(rows, towers: list[int]) -> TowerModel:
    n: Counter = Counter()
    by_division: dict[int, Counter] = defaultdict(Counter)
    by_size: dict[int, Counter] = defaultdict(Counter)
    divisions = set()
    for tower, division, area, _start in rows:
        n[tower] += 1
        by_division[tower][division] += 1
        by_size[tower][size_band(float(area))] += 1
        divisions.add(division)
    return TowerModel(towers, n, by_division, by_size, max(len(divisions), 1))


def fit(before: dt.date | None = None) -> TowerModel:
    """The model of the leases that started before ``before`` (all of them without it)."""
    qs = Lease.objects.all()
    if before is not None:
        qs = qs.filter(start_date__lt=before)
    towers = sorted(set(Lease.objects.values_list("building_id", flat=True)))
    return train(_rows(qs), towers)


def evaluate(cutoff: dt.date, k: int = 5) -> dict:
    """Train before ``cutoff``, test on the new leases that started on or after it."""
    towers = sorted(set(Lease.objects.values_list("building_id", flat=True)))
    model = train(_rows(Lease.objects.filter(start_date__lt=cutoff)), towers)
    test = _rows(Lease.objects.filter(start_date__gte=cutoff))
    popular = model.popular()[:k]
    hits = base = 0
    for tower, division, area, _start in test:
        hits += tower in model.rank(division, float(area))[:k]
        base += tower in popular
    n = len(test)
    return {
        "train": sum(model.n.values()),
        "test": n,
        "towers": len(towers),
        "k": k,
        "hit_rate": hits / n if n else None,
        "baseline_hit_rate": base / n if n else None,
        "random_hit_rate": min(k / len(towers), 1.0) if towers else None,
    }
