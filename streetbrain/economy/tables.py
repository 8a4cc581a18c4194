"""List columns of the building economy's pages (declarations for the generic list view), and
the number formats its pages share: thousands separators from the active locale, areas in m²,
money in 万元 (CNY 10,000) as Chinese statistical tables give it, rates as percentages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from streetbrain.core.generic import Column

from .models import Lease


def number(value, decimals: int = 0) -> str:
    if value is None:
        return "—"
    return formats.number_format(
        round(Decimal(str(value)), decimals), decimal_pos=decimals, use_l10n=True,
        force_grouping=True,
    )  # fmt: skip


def percent(value, decimals: int = 1) -> str:
    return "—" if value is None else f"{number(100 * float(value), decimals)}%"


def wan(value, decimals: int = 1) -> str:
    """Yuan as 万元."""
    return "—" if value is None else number(Decimal(value) / 10000, decimals)


def signed_percent(value, decimals: int = 1) -> str:
    if value is None:
        return "—"
    text = percent(value, decimals)
    return f"+{text}" if value > 0 else text


FORMATS = {"number": number, "percent": percent, "wan": wan, "signed": signed_percent}


@dataclass(frozen=True)
class FigureColumn(Column):
    """A numeric column shown in the page's number format (``fmt``: a key of FORMATS)."""

    fmt: str = "number"

    def value(self, obj):
        raw = super().value(obj)
        return None if raw is None else FORMATS[self.fmt](raw)


OFFICE_BUILDING_COLUMNS = [
    Column("building.code", _("building code"), order_by="building__code"),
    Column("building.name", _("name"), order_by="building__name", link=True),
    Column("grade", order_by="grade"),
    Column("chain"),
    Column("leader"),
    Column("signature_industry"),
    FigureColumn("fig_occupancy", _("occupancy"), order_by="fig_occupancy", fmt="percent"),
    FigureColumn(
        "fig_tax_12m", _("tax, last 12 months (CNY 10,000)"), order_by="fig_tax_12m", fmt="wan"
    ),
    FigureColumn("fig_tax_per_m2", _("tax per m² (CNY/m²/year)"), order_by="fig_tax_per_m2"),
    Column("org_unit.parent", _("community")),
]

ENTERPRISE_COLUMNS = [
    Column("name", order_by="name", link=True),
    Column("credit_code", order_by="credit_code"),
    Column("industry"),
    Column("status", order_by="status"),
    Column("locally_registered"),
    Column("founded_on", order_by="founded_on"),
    Column("org_unit", _("grid cell")),
]

UNIT_COLUMNS = [
    Column("building", order_by="building__building__name"),
    Column("floor.display_label", _("floor"), order_by="floor__number"),
    Column("code", order_by="code", link=True),
    FigureColumn("area_m2", order_by="area_m2", fmt="number"),
    Column("status", order_by="status"),
    Column("asking_rent", order_by="asking_rent"),
]

WARNING_COLUMNS = [
    Column("enterprise", _("enterprise"), order_by="enterprise__name", link=True),
    Column("building", _("office building")),
    Column("raised_on", order_by="raised_on"),
    FigureColumn("risk_score", order_by="risk_score", fmt="number"),
    Column("state", order_by="state"),
    Column("assignee"),
    Column("outcome"),
]


@dataclass(frozen=True)
class HtmlColumn(Column):
    """A column whose cell is built by ``render(obj)`` (links to other pages), or "—"."""

    render: Callable[[object], SafeString | None] = field(default=lambda obj: None, compare=False)

    def value(self, obj):
        return self.render(obj)


def _link(obj, text=None) -> SafeString | None:
    return (
        None
        if obj is None
        else format_html('<a href="{}">{}</a>', obj.get_absolute_url(), text or obj)
    )


def _lease_units(lease) -> SafeString | None:
    """The lease's units, each a link to its cell in the building's stacking plan (the units are
    prefetched, ordered by number)."""
    units = list(lease.units.all())
    if not units:
        return None
    url = lease.building.get_absolute_url()
    return format_html_join(
        "、", '<a href="{}#unit-{}">{}</a>', ((url, u.pk, u.code) for u in units)
    )


def _renewed_by(lease):
    return getattr(lease, "renewal", None)  # the reverse one-to-one: absent when not renewed


def _lease_status(lease) -> SafeString | None:
    value = getattr(lease, "term_status", None)
    if value not in Lease.TermStatus.values:
        return None
    badge = {Lease.TermStatus.ENDING: "badge-warn", Lease.TermStatus.IN_FORCE: "badge-ok"}
    return format_html(
        '<span class="badge {} lease-{}">{}</span>',
        badge.get(value, ""),
        value,
        Lease.TermStatus(value).label,
    )


LEASE_COLUMNS = [
    Column("contract_number", order_by="contract_number"),
    HtmlColumn(
        "enterprise", _("enterprise"), order_by="enterprise__name",
        render=lambda lease: _link(lease.enterprise, lease.enterprise.name),
    ),
    HtmlColumn(
        "building", _("office building"), order_by="building__building__name",
        render=lambda lease: _link(lease.building, lease.building.name),
    ),
    HtmlColumn("units", _("units"), render=_lease_units),
    FigureColumn("area_m2", order_by="area_m2", fmt="number"),
    Column("start_date", order_by="start_date"),
    Column("end_date", order_by="end_date"),
    Column("rent_free_months", order_by="rent_free_months"),
    Column("contract_rent", order_by="contract_rent"),
    HtmlColumn(
        "renewed_from", _("renewal of"),
        render=lambda lease: lease.renewed_from.contract_number if lease.renewed_from else None,
    ),
    HtmlColumn(
        "renewal", _("renewed by"),
        render=lambda lease: getattr(_renewed_by(lease), "contract_number", None),
    ),
    HtmlColumn("term_status", _("status today"), order_by="term_status", render=_lease_status),
]  # fmt: skip
