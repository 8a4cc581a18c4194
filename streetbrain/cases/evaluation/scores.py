"""Reading the figures: the evaluation tables of a period in a user's scope, summed from
the stat rows only, each row's rates and 综合指标值, ranked; and the monthly trend.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Max, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from streetbrain.core.models import Department, OrgUnit, User
from streetbrain.core.months import add_months, month_start
from streetbrain.core.scoping import ancestor_paths, scope_q

from ..models import CaseStat, StaffStat
from .definitions import (
    AREA_COUNTS,
    AREA_LEVELS,
    AREA_RATES,
    CASE_COUNTS,
    COUNT_LABELS,
    DIMENSIONS,
    INDICATORS,
    RATES,
    ROLE_COLUMNS,
    ROLES,
    STAFF_COUNTS,
    STAFF_RATES,
    VOLUMES,
    role_label,
    weights,
)


@dataclass
class Row:
    key: str
    name: str
    counts: dict[str, int]
    rates: dict[str, float | None] = field(default_factory=dict)
    score: float | None = None
    rank: int | None = None
    detail: str = ""  # e.g. a staff member's unit or department
    url: str = ""
    ranked: bool = True  # the "not dispatched" row is shown but not ranked

    @property
    def has_data(self) -> bool:
        return any(self.counts.values())


@dataclass
class Table:
    dimension: str
    kind: str  # area | department | a role
    title: str
    count_keys: tuple[str, ...]
    rate_keys: tuple[str, ...]
    rows: list[Row]
    total: Row

    @property
    def count_columns(self) -> list[tuple[str, str]]:
        return [(k, str(COUNT_LABELS[k])) for k in self.count_keys]

    @property
    def rate_columns(self) -> list[tuple[str, str]]:
        return [(k, str(INDICATORS[k].label)) for k in self.rate_keys]


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator > 0 else None


def _score(rates: dict[str, float | None], volumes: dict[str, float | None], table: dict):
    total = weighted = 0.0
    for key, weight in table.items():
        indicator = INDICATORS[key]
        value = volumes.get(key) if indicator.kind == "volume" else rates.get(key)
        if value is None:
            continue
        points = 100 * (1 - value) if indicator.lower_is_better else 100 * value
        weighted += weight * points
        total += weight
    return round(weighted / total, 2) if total else None


def _rank(rows: list[Row]) -> list[Row]:
    """Order by score (best first); equal scores share a rank (1, 2, 2, 4)."""
    ranked = sorted(
        (r for r in rows if r.ranked and r.score is not None), key=lambda r: (-r.score, r.key)
    )
    previous, rank = None, 0
    for position, row in enumerate(ranked, start=1):
        if row.score != previous:
            rank, previous = position, row.score
        row.rank = rank
    rest = [r for r in rows if r.rank is None]
    return ranked + sorted(rest, key=lambda r: (not r.ranked, r.key))


def _finish(
    rows: list[Row], total: Row, kind: str, rates_from: dict, volume_peers: list[Row]
) -> None:
    table = weights()[kind]
    volume_keys = [k for k in table if INDICATORS[k].kind == "volume"]
    peaks = {k: max((VOLUMES[k](r.counts) for r in volume_peers), default=0) for k in volume_keys}
    for row in [*rows, total]:
        row.rates = {
            k: _ratio(num(row.counts), den(row.counts)) for k, (num, den) in rates_from.items()
        }
        volumes = {
            k: (VOLUMES[k](row.counts) / peaks[k] if peaks[k] else None) for k in volume_keys
        }
        if row is total and volume_keys:
            volumes = {}  # a total has no peers to be compared with
        row.score = _score(row.rates, volumes, table) if row.has_data else None


def _zero(keys) -> dict[str, int]:
    return dict.fromkeys(keys, 0)


def _add(into: dict[str, int], row: dict) -> None:
    for key in into:
        into[key] += row.get(key) or 0


def scoped_stats(model, user):
    """The stat rows ``user`` may see: the cases' permission, the cases' scope."""
    if user is None or not user.is_authenticated or not user.is_active:
        return model.objects.none()
    if user.is_superuser:
        return model.objects.all()
    if not user.has_perm("cases.view_case"):
        return model.objects.none()
    return model.objects.filter(scope_q(model, user))


def _base_path(user) -> str | None:
    """The subtree whose units are listed even without cases (None: list only units with
    figures, as for a department user, who sees only their department's cases)."""
    if not user.is_superuser and (
        user.department_id or user.org_unit_id is None or not user.has_perm("cases.view_case")
    ):
        return None
    unit = OrgUnit.home_of(user)
    return unit.path if unit is not None else None


def area_dimension_below(unit) -> str:
    """The area dimension one level below ``unit``: a district's streets, a street's
    communities, a community's grid cells."""
    return {
        OrgUnit.Level.CITY: "street",
        OrgUnit.Level.DISTRICT: "street",
        OrgUnit.Level.STREET: "community",
    }.get(getattr(unit, "level", None), "grid")


def dimensions_for(user) -> list[str]:
    """The dimensions ``user`` looks at: the streets only for those above a street (a
    district's or city's leader; a superuser when there are several streets)."""
    unit = OrgUnit.home_of(user) if user.org_unit_id or user.is_superuser else None
    above = unit is not None and unit.level in (OrgUnit.Level.CITY, OrgUnit.Level.DISTRICT)
    if user.is_superuser and not user.org_unit_id:
        above = OrgUnit.objects.filter(level=OrgUnit.Level.STREET).count() > 1
    return [d for d in DIMENSIONS if d != "street" or above]


def indicators(first_month: dt.date, last_month: dt.date, dimension: str, user) -> list[Table]:
    """The evaluation tables of ``dimension`` (grid, community, department, role) for the
    months ``first_month`` .. ``last_month``, from the stat tables only, in ``user``'s scope:
    one table (or one per role), each with its rows ranked and a total row."""
    first, last = month_start(first_month), month_start(last_month)
    if dimension == "role":
        return _role_tables(first, last, user)
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    stats = scoped_stats(CaseStat, user).filter(month__gte=first, month__lte=last).order_by()
    sums = {key: Sum(key) for key in CASE_COUNTS}
    total = Row("", _("Total"), _zero(CASE_COUNTS), ranked=False)
    rows: dict[str, Row] = {}
    if dimension == "department":
        kind = "department"
        data = list(stats.values("department_id").annotate(**sums))
        names = dict(
            Department.objects.filter(pk__in=[d["department_id"] for d in data]).values_list(
                "pk", "name"
            )
        )
        for d in data:
            pk = d["department_id"]
            if pk is None:
                row = Row(
                    "—",
                    _("Not dispatched (awaiting dispatch or sent back)"),
                    _zero(CASE_COUNTS),
                    ranked=False,
                )
            else:
                row = Row(str(pk), names.get(pk, str(pk)), _zero(CASE_COUNTS))
            rows[row.key] = row
            _add(row.counts, d)
            _add(total.counts, d)
    else:
        kind = "area"
        # Grouped by the unit's id alone: a district's year is 150,000 stat rows into 2,000
        # units, which PostgreSQL sums in a hash by an integer key, but sorts on disk by (id,
        # path) (it cannot tell that a unit has one path: 157 → 98 ms). A unit whose path
        # changed within the period (moved to another parent) is counted under the greater.
        data = list(stats.values("org_unit_id").annotate(unit_path=Max("unit_path"), **sums))
        base = _base_path(user)
        level = AREA_LEVELS[dimension]
        # The units of ``level`` under ``base`` are read by it; the rows' units (and their
        # ancestors) are named only where they lie outside it (a superuser's whole tree): a
        # district's 2,000 ids and paths in an IN list cost more than reading the units.
        outside = [
            d["org_unit_id"] for d in data if base is None or not d["unit_path"].startswith(base)
        ]
        wanted = Q(pk__in=outside)
        if level != OrgUnit.Level.GRID:  # the rows' units are grid cells: sum them upwards
            ancestors = {p for d in data for p in ancestor_paths(d["unit_path"])}
            if base is not None:
                ancestors = {p for p in ancestors if not p.startswith(base)}
            wanted = Q(path__in=ancestors, level=level)
            wanted |= Q(pk__in=outside, level=level)
        if base is not None:
            wanted |= Q(level=level, path__startswith=base)
        units = list(OrgUnit.objects.filter(wanted).only("pk", "code", "name", "path", "level"))
        by_path = {u.path: u for u in units if u.level == level}
        case_list = reverse("cases:index")
        by_pk = {u.pk: u for u in units}
        for unit in by_path.values():
            # Every figure links to the list behind it: the unit's cases.
            rows[unit.path] = Row(
                unit.code, unit.name, _zero(CASE_COUNTS), url=f"{case_list}?org_unit={unit.pk}"
            )
        targets = []
        for d in data:
            path = d["unit_path"]
            target = by_path.get(path)
            if target is None:  # the unit of this level above it (one at most)
                target = next((by_path[p] for p in ancestor_paths(path) if p in by_path), None)
            targets.append(target)
        unnamed = {
            d["org_unit_id"]
            for d, target in zip(data, targets, strict=True)
            if target is None and d["org_unit_id"] not in by_pk
        }
        if unnamed:  # cases outside any unit of this level (e.g. at the street): their units
            by_pk.update((u.pk, u) for u in OrgUnit.objects.filter(pk__in=unnamed))
        for d, target in zip(data, targets, strict=True):
            path = d["unit_path"]
            if target is None:  # a case outside any unit of this level (e.g. at the street)
                unit = by_pk.get(d["org_unit_id"])
                key = path
                if key not in rows:
                    rows[key] = Row(
                        unit.code if unit else path, unit.name if unit else path, _zero(CASE_COUNTS)
                    )
                row = rows[key]
            else:
                row = rows[target.path]
            _add(row.counts, d)
            _add(total.counts, d)
    row_list = list(rows.values())
    _finish(row_list, total, kind, RATES, [])
    return [
        Table(
            dimension,
            kind,
            str(DIMENSIONS[dimension]),
            AREA_COUNTS,
            AREA_RATES,
            _rank(row_list),
            total,
        )
    ]


def total(first_month: dt.date, last_month: dt.date, user) -> Row:
    """The total row of the area tables for the months ``first_month`` .. ``last_month`` in
    ``user``'s scope (counts, rates, score), from one sum over the stat rows: what the
    cockpit's tiles show, without building the row of every unit (a district's 150
    communities) to read the total under them."""
    first, last = month_start(first_month), month_start(last_month)
    stats = scoped_stats(CaseStat, user).filter(month__gte=first, month__lte=last)
    row = Row("", _("Total"), _zero(CASE_COUNTS), ranked=False)
    _add(row.counts, stats.aggregate(**{key: Sum(key) for key in CASE_COUNTS}))
    _finish([], row, "area", RATES, [])
    return row


def _role_tables(first: dt.date, last: dt.date, user) -> list[Table]:
    stats = scoped_stats(StaffStat, user).filter(month__gte=first, month__lte=last).order_by()
    data = list(stats.values("user_id", "role").annotate(**{key: Sum(key) for key in STAFF_COUNTS}))
    # Names only: a user row with its org unit would drag the unit's outline along.
    people = {
        pk: (display or username, department or unit or "")
        for pk, display, username, unit, department in User.objects.filter(
            pk__in={d["user_id"] for d in data}
        ).values_list("pk", "display_name", "username", "org_unit__name", "department__name")
    }
    tables = []
    for role in ROLES:
        rows = []
        total = Row("", _("Total"), _zero(STAFF_COUNTS), ranked=False)
        for d in data:
            if d["role"] != role or d["user_id"] not in people:
                continue
            name, where = people[d["user_id"]]
            row = Row(str(d["user_id"]), name, _zero(STAFF_COUNTS), detail=where)
            _add(row.counts, d)
            _add(total.counts, d)
            rows.append(row)
        _finish(rows, total, role, STAFF_RATES, rows)
        count_keys, rate_keys = ROLE_COLUMNS[role]
        tables.append(
            Table("role", role, role_label(role), count_keys, rate_keys, _rank(rows), total)
        )
    return tables


def trend(last_month: dt.date, user, months: int = 12) -> list[dict]:
    """结案率 and 按期结案率 per month over the ``months`` months up to ``last_month``, in the
    user's scope (one GROUP BY over the stat rows)."""
    last = month_start(last_month)
    first = add_months(last, -(months - 1))
    data = {
        d["month"]: d
        for d in scoped_stats(CaseStat, user)
        .filter(month__gte=first, month__lte=last)
        .order_by()
        .values("month")
        .annotate(**{k: Sum(k) for k in ("closed", "closed_on_time", "to_close", "suspended")})
    }
    out = []
    month = first
    while month <= last:
        d = data.get(month)
        row = {"month": f"{month:%Y-%m}", "closing_rate": None, "closed_on_time_rate": None}
        if d:
            base = (d["to_close"] or 0) - (d["suspended"] or 0)
            row["closing_rate"] = _ratio(d["closed"] or 0, base)
            row["closed_on_time_rate"] = _ratio(d["closed_on_time"] or 0, base)
        out.append(row)
        month = add_months(month, 1)
    return out
