"""Which towers attract which industries and sizes, learned from the street's own leases.

A naive-Bayes ranking of the towers for an incoming company, from the new leases (not
renewals) signed before a cut-off: score(tower) = log P(tower) + log P(大类 | tower) +
log P(size band | tower), each with add-one (Laplace) smoothing, P(tower) being the tower's
share of those leases. ``evaluate`` trains on the leases that started before the cut-off and
tests on those that started after: the share whose tower is among the top ``k`` (hit-rate@k),
against the popularity baseline (towers ranked by P(tower) alone) in the same run.

This is what the street's history says, not a rule: the benchmark (bench/bench_investment.py)
reports how well it predicts where enterprises actually went.

The same model is a part of a candidate's score in the space matching (``matching.LEARNED``):
``fit_for(user, today)`` counts the new leases the user may see that started before today in
the database — every company the street won, those a lead signed among them; a lost lead names
no tower it went to, so it has nothing to teach here — and ``part`` turns the tower's posterior
for the lead's 大类 and size into 0–1 (the best tower 1) with its reason. Below
``MIN_HISTORY`` such leases the model is not used and the score is the rules' alone.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Max, Min, Value, When

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


MIN_HISTORY = 50  # new leases: below it the street's history is too thin to rank towers by


def _posterior(scores: dict[int, float]) -> dict[int, float]:
    top = max(scores.values())
    weights = {t: math.exp(v - top) for t, v in scores.items()}
    total = sum(weights.values())
    return {t: w / total for t, w in weights.items()}


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


def _band_expression():
    whens = [When(area_m2__lte=bound, then=Value(i)) for i, bound in enumerate(SIZE_BANDS)]
    return Case(*whens, default=Value(len(SIZE_BANDS)), output_field=IntegerField())


def fit_counts(qs, towers=None) -> TowerModel:
    """The model of the new leases of ``qs``, counted in the database (one grouped query by
    tower, 大类 and size band, whatever the number of leases): the same model as ``train``
    over their rows."""
    n: Counter = Counter()
    by_division: dict[int, Counter] = defaultdict(Counter)
    by_size: dict[int, Counter] = defaultdict(Counter)
    divisions = set()
    grouped = (
        qs.filter(renewed_from=None)
        .order_by()
        .annotate(band=_band_expression())
        .values_list("building_id", "enterprise__industry__division", "band")
        .annotate(c=Count("pk"))
    )
    for tower, division, band, count in grouped:
        n[tower] += count
        by_division[tower][division] += count
        by_size[tower][band] += count
        divisions.add(division)
    ids = sorted(set(n) | set(towers or ()))
    return TowerModel(ids, n, by_division, by_size, max(len(divisions), 1))


@dataclass
class History:
    """The learned model as the matching uses it, or why it is not used (``model`` None)."""

    model: TowerModel | None
    leases: int
    since: dt.date | None = None

    @property
    def enough(self) -> bool:
        return self.model is not None

    def over(self, towers) -> History:
        """The same model ranking ``towers`` too (a candidate's tower without a lease yet)."""
        if self.model is None or set(towers) <= set(self.model.towers):
            return self
        m = self.model
        ids = sorted(set(m.towers) | set(towers))
        return History(
            TowerModel(ids, m.n, m.by_division, m.by_size, m.divisions), self.leases, self.since
        )


# Fitted models per user (and unit), day and state of the lease table (its count and last
# id): the matching fits once, not on every page; a lease signed or deleted refits. A change
# the state does not see (a lease's area edited, an enterprise's industry, a user's role)
# shows after at most CACHE_SECONDS.
_fitted: OrderedDict[tuple, tuple[float, History]] = OrderedDict()
CACHE_SECONDS = 600
CACHE_SIZE = 32


def fit_for(user, today: dt.date, towers=()) -> History:
    """The model of the new leases ``user`` may see (None: all) that started before ``today``,
    over those towers and ``towers`` (the candidates'); too little history → no model."""
    qs = Lease.objects.all() if user is None else Lease.objects.restrict(user, "view")
    qs = qs.filter(start_date__lt=today)
    # Whether leases came or went, read from the primary key's index over the whole table (no
    # scope join); the user's unit is in the key, so a change of scope refits too.
    state = Lease.objects.order_by().aggregate(n=Count("pk"), last=Max("pk"))
    key = (
        getattr(user, "pk", None),
        getattr(user, "org_unit_id", None),
        today,
        state["n"],
        state["last"],
    )
    now = time.monotonic()
    hit = _fitted.get(key)
    if hit is not None and now - hit[0] < CACHE_SECONDS:
        _fitted.move_to_end(key)
        return hit[1].over(towers)
    new = qs.filter(renewed_from=None).order_by()
    count = new.aggregate(n=Count("pk"), since=Min("start_date"))
    if count["n"] < MIN_HISTORY:
        history = History(None, count["n"])
    else:
        history = History(fit_counts(qs), count["n"], count["since"])
    _fitted[key] = (now, history)
    while len(_fitted) > CACHE_SIZE:
        _fitted.popitem(last=False)
    return history.over(towers)


@dataclass
class Ranking:
    """The towers ranked once for a company of ``division`` needing ``area_m2``: each tower's
    posterior over the best tower's (0–1) and what it rests on."""

    model: TowerModel
    division: str
    band: int
    relative: dict[int, float]
    order: dict[int, int]

    def part(self, tower: int) -> tuple[float, dict]:
        m = self.model
        return round(self.relative[tower], 3), {
            "rank": self.order[tower],
            "towers": len(m.towers),
            "leases": m.n[tower],
            "division": m.by_division[tower][self.division],
            "size": m.by_size[tower][self.band],
            "division_total": sum(c[self.division] for c in m.by_division.values()),
        }


def ranking(model: TowerModel, division: str, area_m2: float) -> Ranking:
    scores = model.scores(division, area_m2)
    post = _posterior(scores)
    best = max(post.values())
    order = sorted(model.towers, key=lambda t: (-scores[t], t))
    return Ranking(
        model,
        division,
        size_band(area_m2),
        {t: p / best for t, p in post.items()},
        {t: i for i, t in enumerate(order, start=1)},
    )


def part(model: TowerModel, tower: int, division: str, area_m2: float) -> tuple[float, dict]:
    """The tower's learned part for a company of ``division`` (大类) needing ``area_m2``: its
    posterior over the posterior of the best tower (0–1), and what it rests on — the new
    leases at the tower, of the 大类 and of the size band there, and the tower's rank."""
    return ranking(model, division, area_m2).part(tower)
