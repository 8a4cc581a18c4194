"""驾驶舱: what the cockpit shows, gathered in one place from precomputed figures.

- Cases: the key figures (open, overdue, reported today; refreshed every 15 minutes), the
  month's evaluation figures per community (结案率, 按期结案率; refreshed every 15 minutes)
  and the month's cases by major class (a GROUP BY over one month, on the indexed time).
- Building economy: the latest monthly figures of the user's street, community or grid cell
  (occupancy, tax year-to-date, 去化 year-to-date against the target) and its 千万元 and
  亿元楼宇, when the building brain is installed and has figures.
- People: residents and households per community (key figures).

Everything is scoped: a figure the user may not see (no permission for the list behind it)
is left out, and counts are those of the user's unit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from streetbrain.core.models import KeyFigure, OrgUnit
from streetbrain.core.months import month_start


@dataclass
class Tile:
    """One big number with its label and the list behind it."""

    key: str
    label: str
    value: float | None
    url: str = ""
    unit: str = ""
    kind: str = "count"  # count | rate | area | money


@dataclass
class Cockpit:
    unit: OrgUnit
    month: dt.date
    cases: list[Tile] = field(default_factory=list)
    by_community: list[dict] = field(default_factory=list)
    by_class: list[dict] = field(default_factory=list)
    economy: list[Tile] = field(default_factory=list)
    economy_month: dt.date | None = None
    absorption: dict | None = None
    yi_buildings: list[dict] = field(default_factory=list)
    people: list[dict] = field(default_factory=list)

    def charts(self) -> dict:
        """The charts' data, for the page's JSON script element."""
        return {
            "byCommunity": self.by_community,
            "byClass": self.by_class,
            "people": self.people,
            "absorption": self.absorption,
        }


def _may(user, perm: str) -> bool:
    return user.is_superuser or user.has_perm(perm)


def _home(user) -> OrgUnit | None:
    unit = getattr(user, "org_unit", None)
    if unit is not None:
        return unit
    if user.is_superuser:
        return OrgUnit.objects.filter(level=OrgUnit.Level.STREET).order_by("path").first()
    return None


def gather(user, today: dt.date | None = None) -> Cockpit | None:
    """The cockpit of ``user``'s unit, or None if they have no unit."""
    unit = _home(user)
    if unit is None:
        return None
    today = today or timezone.localdate()
    month = month_start(today)
    cockpit = Cockpit(unit=unit, month=month)
    if _may(user, "cases.view_case") and not getattr(user, "department_id", None):
        _cases(cockpit, user, unit, month)
    if _may(user, "registry.view_resident"):
        _people(cockpit, unit)
    if _may(user, "economy.view_monthlyfigure"):
        _economy(cockpit, user, today)
    return cockpit


def _figures(unit: OrgUnit, keys) -> dict[str, float]:
    return dict(KeyFigure.objects.filter(org_unit=unit, key__in=keys).values_list("key", "value"))


def _cases(cockpit: Cockpit, user, unit: OrgUnit, month: dt.date) -> None:
    from streetbrain.cases import evaluation
    from streetbrain.cases.models import OPEN_STATES, Case

    cases_url = reverse("cases:index")
    open_query = urlencode([("state", state) for state in sorted(OPEN_STATES)])
    key = _figures(unit, ["cases_today", "cases_open", "cases_overdue"])
    tables = evaluation.indicators(month, month, "community", user)
    total = tables[0].total if tables else None
    counts = total.counts if total else {}
    rates = total.rates if total else {}
    month_query = f"reported_at_after={month.isoformat()}"
    cockpit.cases = [
        Tile("today", _("Reported today"), key.get("cases_today"), f"{cases_url}?period=today"),
        Tile("open", _("Open cases"), key.get("cases_open"), f"{cases_url}?{open_query}"),
        Tile("overdue", _("Overdue cases"), key.get("cases_overdue"), f"{cases_url}?tab=overdue"),
        Tile(
            "registered",
            _("Registered this month"),
            counts.get("registered"),
            f"{cases_url}?{month_query}",
        ),
        Tile(
            "closed",
            _("Closed this month"),
            counts.get("closed"),
            f"{cases_url}?tab=closed&{month_query}",
        ),
        Tile(
            "closing_rate",
            _("Closing rate"),
            rates.get("closing_rate"),
            reverse("cases:evaluation"),
            kind="rate",
        ),
        Tile(
            "closed_on_time_rate",
            _("Closed on time"),
            rates.get("closed_on_time_rate"),
            reverse("cases:evaluation"),
            kind="rate",
        ),
    ]
    for table in tables:
        for row in table.rows:
            cockpit.by_community.append(
                {
                    "name": row.name,
                    "registered": row.counts.get("registered", 0),
                    "closed": row.counts.get("closed", 0),
                    "closing_rate": row.rates.get("closing_rate"),
                    "url": f"{row.url}&{month_query}" if row.url else "",
                }
            )
    start = timezone.make_aware(dt.datetime.combine(month, dt.time.min))
    rows = (
        Case.objects.restrict(user)
        .filter(reported_at__gte=start, component_class__isnull=False)
        .values_list("component_class__major_code", "component_class__major_name")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    cockpit.by_class = [
        {"name": name, "value": n, "url": f"{cases_url}?major={code}&{month_query}"}
        for code, name, n in rows
    ]


def _people(cockpit: Cockpit, unit: OrgUnit) -> None:
    children = list(
        OrgUnit.objects.filter(parent=unit).order_by("path")
        if unit.level != OrgUnit.Level.GRID
        else OrgUnit.objects.filter(pk=unit.pk)
    )
    values = {}
    for unit_id, key, value in KeyFigure.objects.filter(
        org_unit__in=children, key__in=["residents", "households"]
    ).values_list("org_unit_id", "key", "value"):
        values.setdefault(unit_id, {})[key] = value
    residents_url = reverse("registry:resident_list")
    cockpit.people = [
        {
            "name": child.name,
            "residents": values.get(child.pk, {}).get("residents", 0),
            "households": values.get(child.pk, {}).get("households", 0),
            "url": f"{residents_url}?org_unit={child.pk}",
        }
        for child in children
    ]


def _economy(cockpit: Cockpit, user, today: dt.date) -> None:
    try:
        from streetbrain.economy.area import area_of
        from streetbrain.economy.measures import YI
    except ImportError:  # the building brain is not installed
        return
    # The figures of the user's street, community or grid cell for the last complete month,
    # picked as the economy's dashboard picks them.
    area = area_of(user)
    figure = area.figure(today=today) if area else None
    if figure is None:
        return
    cockpit.economy_month = figure.month
    dashboard = reverse("economy:index")
    cockpit.economy = [
        Tile("occupancy", _("Occupancy"), figure.occupancy_rate, dashboard, kind="rate"),
        Tile(
            "tax_ytd",
            _("Tax this year"),
            float(figure.tax_total_ytd) if figure.tax_total_ytd is not None else None,
            dashboard,
            unit=_("CNY"),
            kind="money",
        ),
        Tile(
            "tax_yoy",
            _("Tax, change on last year"),
            figure.tax_yoy,
            dashboard,
            kind="rate",
        ),
    ]
    target = settings.ECONOMY_ABSORPTION_TARGET_M2
    done = float(figure.leased_new_ytd_m2 or 0)
    share = done / target if target else None
    cockpit.absorption = {"done": done, "target": target, "share": share}
    cockpit.economy.append(
        Tile(
            "absorption",
            _("去化 this year (m²)"),
            done,
            dashboard,
            unit="m²",
            kind="area",
        )
    )
    for fig in area.towers(figure.month):
        cockpit.yi_buildings.append(
            {
                "name": fig.building.building.name if fig.building_id else fig.key,
                "tax_12m": float(fig.tax_total_12m),
                "yi": fig.tax_total_12m >= YI,
                "url": reverse("economy:officebuilding_detail", args=[fig.building_id])
                if fig.building_id
                else dashboard,
            }
        )
