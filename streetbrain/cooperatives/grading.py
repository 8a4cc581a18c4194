"""红黄绿 grading: every active ``Indicator`` read from a cooperative's data, scored between
its two thresholds, weighted; the colour from the score by the ``ColourBand``s.

Plain functions over plain values (``Facts``), so the pages, the API, the demo's planner and
the tests compute the same thing. ``MEASURES`` says how each indicator's code is read; an
indicator whose value is unknown (no survey held, no 留用地 plot) is left out and the others'
weights share its part, so the score stays out of 100 and every contribution is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .models import Asset, Colour

HUNDRED = Decimal(100)
ONE_PLACE = Decimal("0.1")


@dataclass
class Year:
    """One year's figures of a cooperative (from ``AnnualAccount``)."""

    year: int
    income: Decimal
    distribution_per_share: Decimal
    total_assets: Decimal
    liabilities: Decimal
    disputes: int
    survey_continue_pct: Decimal | None = None


@dataclass
class Facts:
    """What the grading reads of one cooperative: its years (oldest first) and its assets as
    (kind, in_use, development) triples."""

    years: list[Year]
    assets: list[tuple[str, bool, str]] = field(default_factory=list)

    @property
    def latest(self) -> Year | None:
        return self.years[-1] if self.years else None


def _income_trend(f: Facts) -> Decimal | None:
    """Yearly growth of income over up to the last three years (%, compound)."""
    years = [y for y in f.years if y.income is not None][-4:]
    if len(years) < 2 or years[0].income <= 0:
        return None
    span = years[-1].year - years[0].year
    if span <= 0:
        return None
    ratio = max(float(years[-1].income / years[0].income), 0.0)
    return Decimal(str((ratio ** (1 / span) - 1) * 100))


def _debt_ratio(f: Facts) -> Decimal | None:
    """Liabilities over total assets (资产负债率, %)."""
    y = f.latest
    if y is None or not y.total_assets:
        return None
    return y.liabilities / y.total_assets * HUNDRED


def _asset_utilisation(f: Facts) -> Decimal | None:
    """Share of the land, buildings and 留用地 plots in use (%)."""
    physical = [a for a in f.assets if a[0] != Asset.Kind.FINANCIAL]
    if not physical:
        return None
    return Decimal(sum(1 for a in physical if a[1])) / len(physical) * HUNDRED


DEVELOPED = {
    Asset.Development.APPROVED: 50,
    Asset.Development.BUILDING: 75,
    Asset.Development.OPERATING: 100,
    Asset.Development.PLANNING: 25,
}


def _reserved_land_progress(f: Facts) -> Decimal | None:
    """How far the 留用地 plots are developed (%, mean over the plots: planning 25,
    approved 50, under construction 75, operating 100)."""
    plots = [a for a in f.assets if a[0] == Asset.Kind.RESERVED_LAND]
    if not plots:
        return None
    return Decimal(sum(DEVELOPED.get(a[2], 0) for a in plots)) / len(plots)


def _dividend(f: Facts) -> Decimal | None:
    """The latest year's distribution per share (CNY)."""
    return f.latest.distribution_per_share if f.latest else None


def _disputes(f: Facts) -> Decimal | None:
    """Disputes and petitions in the latest year."""
    return Decimal(f.latest.disputes) if f.latest else None


def _survey(f: Facts) -> Decimal | None:
    """Members wishing the cooperative to continue, from the latest survey (%)."""
    for y in reversed(f.years):
        if y.survey_continue_pct is not None:
            return y.survey_continue_pct
    return None


MEASURES: dict[str, Callable[[Facts], Decimal | None]] = {
    "income_trend": _income_trend,
    "debt_ratio": _debt_ratio,
    "asset_utilisation": _asset_utilisation,
    "reserved_land": _reserved_land_progress,
    "dividend": _dividend,
    "disputes": _disputes,
    "survey": _survey,
}


@dataclass(frozen=True)
class Rule:
    """An indicator as the grading uses it (from ``Indicator``)."""

    code: str
    name: str
    weight: Decimal
    bad: Decimal
    good: Decimal
    unit: str = ""


def points(value: Decimal, bad: Decimal, good: Decimal) -> Decimal:
    """0 at ``bad``, 100 at ``good``, linear between, clipped."""
    if good == bad:
        return HUNDRED if value >= good else Decimal(0)
    p = (value - bad) / (good - bad) * HUNDRED
    return min(max(p, Decimal(0)), HUNDRED)


def _q(x: Decimal) -> Decimal:
    return x.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


@dataclass
class Result:
    score: Decimal
    colour: str
    indicators: list[dict]


def colour_for(score: Decimal, bands: Iterable[tuple[str, Decimal]]) -> str:
    """The colour of the highest band whose score ``score`` reaches; red below them all."""
    for colour, min_score in sorted(bands, key=lambda b: b[1], reverse=True):
        if score >= min_score:
            return colour
    return Colour.RED


def compute(facts: Facts, rules: Iterable[Rule], bands: Iterable[tuple[str, Decimal]]) -> Result:
    """The score (0–100) and colour of one cooperative, with each indicator's value, points,
    weight and contribution (the points × its share of the weights of the indicators known),
    JSON-ready for ``Grade.indicators``."""
    rows, known_weight = [], Decimal(0)
    for rule in rules:
        measure = MEASURES.get(rule.code)
        value = measure(facts) if measure else None
        rows.append([rule, value])
        if value is not None:
            known_weight += rule.weight
    out, score = [], Decimal(0)
    for rule, value in rows:
        entry = {
            "code": rule.code,
            "name": rule.name,
            "unit": rule.unit,
            "weight": str(rule.weight),
            "bad": str(rule.bad),
            "good": str(rule.good),
            "value": None,
            "points": None,
            "contribution": None,
        }
        if value is not None and known_weight:
            p = points(value, rule.bad, rule.good)
            contribution = p * rule.weight / known_weight
            score += contribution
            entry.update(
                value=str(_q(value)), points=str(_q(p)), contribution=str(_q(contribution))
            )
        out.append(entry)
    score = _q(score)
    return Result(score, colour_for(score, bands), out)
