"""The stacking plan (楼层堆叠图) of an office building, as a presenter: floors top to bottom,
each unit a cell as wide as its area with the lease holding it on the day, the legends of both
colourings (by letting status, by the tenant's industry 门类) and the tenants' rows. Plain
values only: ``templates/economy/_stacking_plan.html`` lays them out, the page's script colours
and explains the cells. Four queries, whatever the size of the tower."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Floor, Lease, OfficeBuilding, Unit
from .tables import number


@dataclass(frozen=True, slots=True)
class Cell:
    """One unit. ``status`` and ``section`` pick its colour in each mode (CSS ``st-<status>``,
    ``sec-<section>``; ``none`` when vacant)."""

    pk: int
    code: str
    floor: str
    area: str
    grow: str  # its share of the floor's width (flex-grow: the area, at least 1)
    status: str
    status_label: str
    section: str
    industry: str  # "I 信息传输、软件和信息技术服务业", "" when vacant
    tenant: str
    tenant_url: str
    lease_end: str
    title: str  # the tooltip: what the cell says, in one line


@dataclass(frozen=True, slots=True)
class StackFloor:
    label: str
    area: str  # the units' area, m²
    use: str  # the floor's use, shown when it has no units
    cells: list[Cell]


@dataclass(frozen=True, slots=True)
class LegendItem:
    key: str  # the colour's CSS suffix
    label: str
    count: int | None = None


@dataclass(frozen=True, slots=True)
class UnitLink:
    url: str
    code: str


@dataclass(frozen=True, slots=True)
class TenantRow:
    """A lease holding space on the day, with its units in the plan."""

    url: str
    name: str
    section: str
    industry: str
    units: list[UnitLink]
    area: str
    start: str
    end: str
    contract: str


@dataclass
class StackingPlan:
    floors: list[StackFloor] = field(default_factory=list)
    status_legend: list[LegendItem] = field(default_factory=list)
    industry_legend: list[LegendItem] = field(default_factory=list)
    tenants: list[TenantRow] = field(default_factory=list)
    unit_count: int = 0

    @classmethod
    def of(cls, building: OfficeBuilding, today: dt.date) -> StackingPlan:
        floors = list(Floor.objects.filter(building=building).order_by("-number"))
        units = list(Unit.objects.filter(building=building).order_by("code"))
        leases = list(
            Lease.objects.filter(building=building)
            .held_on(today)
            .select_related("enterprise__industry__section")
            .order_by("start_date", "pk")
        )
        by_id = {lease.pk: lease for lease in leases}
        unit_by_id = {u.pk: u for u in units}
        holder: dict[int, Lease] = {}
        lease_units: dict[int, list[Unit]] = defaultdict(list)
        through = Lease.units.through.objects.filter(lease_id__in=by_id).values_list(
            "lease_id", "unit_id"
        )
        for lease_id, unit_id in through:
            holder[unit_id] = by_id[lease_id]  # the later start wins (a pre-let unit)
            if unit_id in unit_by_id:
                lease_units[lease_id].append(unit_by_id[unit_id])
        enterprises = reverse("economy:enterprise_list")
        urls = {lease.pk: f"{enterprises}{lease.enterprise_id}/" for lease in leases}
        ends = {lease.pk: f"{lease.end_date:%Y-%m-%d}" for lease in leases}
        statuses = {value: str(label) for value, label in Unit.Status.choices}
        floor_labels = {f.pk: f.display_label for f in floors}
        lease_ends = _("lease ends")
        sections: dict[str, str] = {}
        per_floor: dict[int, list[Cell]] = defaultdict(list)
        for u in units:
            lease = holder.get(u.pk)
            enterprise = lease.enterprise if lease else None
            section = enterprise.industry.section if enterprise else None
            if section:
                sections[section.code] = section.name
            area = number(u.area_m2)
            status_label = statuses.get(u.status, u.status)
            tenant = enterprise.name if enterprise else ""
            end = ends[lease.pk] if lease else ""
            title = " · ".join(
                part
                for part in (
                    u.code,
                    f"{area} m²",
                    status_label,
                    tenant,
                    f"{lease_ends} {end}" if end else "",
                )
                if part
            )
            per_floor[u.floor_id].append(
                Cell(
                    pk=u.pk,
                    code=u.code,
                    floor=floor_labels.get(u.floor_id, ""),
                    area=area,
                    grow=f"{max(float(u.area_m2), 1.0):.2f}",
                    status=u.status,
                    status_label=status_label,
                    section=section.code if section else "none",
                    industry=f"{section.code} {section.name}" if section else "",
                    tenant=tenant,
                    tenant_url=urls[lease.pk] if lease else "",
                    lease_end=end,
                    title=title,
                )
            )
        area_of = {u.pk: u.area_m2 for u in units}
        plan = cls(unit_count=len(units))
        plan.floors = [
            StackFloor(
                label=f.display_label,
                area=number(sum(area_of[c.pk] for c in per_floor.get(f.pk, []))),
                use=f.get_use_display(),
                cells=per_floor.get(f.pk, []),
            )
            for f in floors
        ]
        counts = {s: 0 for s in statuses}
        for u in units:
            counts[u.status] = counts.get(u.status, 0) + 1
        plan.status_legend = [
            LegendItem(value, label, counts[value]) for value, label in statuses.items()
        ]
        plan.industry_legend = [LegendItem(code, name) for code, name in sorted(sections.items())]
        building_url = building.get_absolute_url()
        plan.tenants = [
            TenantRow(
                url=urls[lease.pk],
                name=lease.enterprise.name,
                section=lease.enterprise.industry.section.code,
                industry=lease.enterprise.industry.name,
                units=[
                    UnitLink(f"{building_url}#unit-{u.pk}", u.code)
                    for u in sorted(lease_units[lease.pk], key=lambda u: u.code)
                ],
                area=number(lease.area_m2),
                start=f"{lease.start_date:%Y-%m-%d}",
                end=ends[lease.pk],
                contract=lease.contract_number,
            )
            for lease in sorted(leases, key=lambda lease: lease.enterprise.name)
        ]
        return plan
