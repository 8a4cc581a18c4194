"""Pages of the building brain (楼宇大脑): the dashboard, office buildings with their stacking
plan, units, enterprises and their profile (企业影像), and the move-out warnings with their
workflow forms.

Figures come from the precomputed ``MonthlyFigure`` rows only (a page reads a few hundred rows
at most, whatever the number of leases and tax records); lists and pages are scoped like the
rest of the platform (``restrict``: out of scope is a 404, a role without the permission a 403);
the warnings' steps call ``economy.actions``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import django_filters
from django import forms as django_forms
from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.generic import TemplateView

from streetbrain.core.generic import ObjectDetailView, ObjectEditView, ObjectListView, StepView
from streetbrain.core.months import add_months, latest_complete, parse_month
from streetbrain.registry.models import IndustryClass, IndustrySection

from . import actions, evidence, filtersets, forms, tables
from .area import Area, area_of
from .measures import NEAR_YI, QIANWAN, YI, ratio
from .models import (
    Enterprise,
    EnterpriseEvent,
    HeadcountRecord,
    Lease,
    MonthlyFigure,
    MoveOutWarning,
    OfficeBuilding,
    TaxRecord,
    Unit,
    WarningEvent,
)
from .stacking import StackingPlan
from .tables import number, percent, signed_percent, wan

TREND_MONTHS = 36
CLOSED = MoveOutWarning.State.CLOSED
HIGH_RISK = 70  # a risk score from which a warning counts as high

# The figures the pages read of a row.
FIGURE_FIELDS = (
    "leasable_area_m2",
    "occupied_area_m2",
    "available_area_m2",
    "units_total",
    "units_occupied",
    "net_absorption_m2",
    "leased_new_m2",
    "leased_new_ytd_m2",
    "tax_total",
    "tax_local",
    "tax_total_ytd",
    "tax_local_ytd",
    "tax_total_12m",
    "tenants",
    "tenants_local",
    "occupancy_rate",
    "occupancy_rate_by_count",
    "vacancy_rate",
    "tax_yoy",
    "tax_per_m2",
    "local_registration_rate",
    "concentration_hhi",
    "dominant_industry",
    "dominant_share",
)


def month_label(month: dt.date) -> str:
    return date_format(month, "YEAR_MONTH_FORMAT")


def industry_label(prefix: str) -> str:
    """A GB/T 4754-2017 prefix with its name: "I 信息传输、软件和信息技术服务业", "65 (I …)"."""
    if not prefix:
        return ""
    if prefix.isalpha():
        section = IndustrySection.objects.filter(code=prefix).first()
        return f"{prefix} {section.name}" if section else prefix
    if len(prefix) == 4:
        cls = IndustryClass.objects.filter(code=prefix).first()
        if cls:
            return f"{cls.code} {cls.name}"
    cls = IndustryClass.objects.filter(code__startswith=prefix).select_related("section").first()
    if cls is None:
        return prefix
    return _("%(code)s (in section %(section)s %(name)s)") % {
        "code": prefix,
        "section": cls.section.code,
        "name": cls.section.name,
    }


class EconomyViewMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = "economy.view_officebuilding"


def trend_series(rows: list[dict]) -> dict:
    """What the trend charts draw: months and their values (areas in m², tax in 万元, rates in
    per cent), ``null`` where a month has no value."""

    def pct(v):
        return None if v is None else round(100 * float(v), 2)

    def num(v, div=1):
        return None if v is None else round(float(v) / div, 2)

    return {
        "months": [f"{r['month']:%Y-%m}" for r in rows],
        "occupancy": [pct(r["occupancy_rate"]) for r in rows],
        "leased_new": [num(r["leased_new_m2"]) for r in rows],
        "net_absorption": [num(r["net_absorption_m2"]) for r in rows],
        "tax": [num(r["tax_total"], 10000) for r in rows],
        "tax_local": [num(r["tax_local"], 10000) for r in rows],
        "tax_yoy": [pct(r["tax_yoy"]) for r in rows],
    }


def month_choices(months: list[dt.date], selected: dt.date | None) -> list[dict]:
    return [
        {"value": f"{m:%Y-%m}", "label": month_label(m), "selected": m == selected} for m in months
    ]


# --- the dashboard ---------------------------------------------------------------------------


class DashboardView(EconomyViewMixin, TemplateView):
    """楼宇经济 at a glance for a month (the latest with figures by default)."""

    template_name = "economy/dashboard.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        area = area_of(user)
        months = area.months if area else []
        wanted = parse_month(self.request.GET.get("month"))
        month = area.month(wanted) if area else None
        ctx.update(
            title=_("Building economy"),
            month=month,
            month_choices=month_choices(months, month),
            month_invalid=bool(self.request.GET.get("month")) and wanted not in months,
            is_street=area is not None and area.scope == MonthlyFigure.Scope.STREET,
            target=settings.ECONOMY_ABSORPTION_TARGET_M2,
            warnings=self.warning_counts(user),
        )
        if month is None:
            return ctx
        series = area.between(
            add_months(month, -(TREND_MONTHS - 1)), month, ("computed_at", *FIGURE_FIELDS)
        )
        current = series.get(month)
        trend = [series[m] for m in sorted(series)]
        buildings = self.building_rows(area, month)
        ctx.update(
            figures=current,
            kpis=self.kpis(current),
            absorption=self.absorption(current),
            trend=trend_series(trend),
            buildings=buildings,
            ranking_chart=[
                {"name": b["name"], "value": round(float(b["tax_12m"]) / 10000, 1)}
                for b in buildings[:15]
                if b["tax_12m"] is not None
            ],
            tiers=self.tiers(buildings),
            industries=self.industries(user, month, current),
            as_of=current["computed_at"] if current else None,
        )
        return ctx

    @staticmethod
    def warning_counts(user) -> dict:
        """Open warnings of the user's area in one query: all, to assign, mine, high risk."""
        counts = (
            MoveOutWarning.objects.restrict(user, "view")
            .exclude(state=CLOSED)
            .aggregate(
                open=Count("pk"),
                unassigned=Count("pk", filter=Q(state=MoveOutWarning.State.OPEN)),
                mine=Count("pk", filter=Q(assignee=user)),
                high=Count("pk", filter=Q(risk_score__gte=HIGH_RISK)),
            )
        )
        url = reverse("economy:moveoutwarning_list")
        return {
            **counts,
            "list_url": url,
            "mine_url": f"{url}?tab=mine",
            "unassigned_url": f"{url}?tab=unassigned",
        }

    @staticmethod
    def kpis(f: dict | None) -> list[dict]:
        if not f:
            return []
        buildings = reverse("economy:officebuilding_list")
        units = reverse("economy:unit_list")
        enterprises = reverse("economy:enterprise_list")
        return [
            {
                "label": _("Occupancy (by area)"),
                "value": percent(f["occupancy_rate"]),
                "note": _("%(occ)s of %(all)s m² let")
                % {
                    "occ": number(f["occupied_area_m2"]),
                    "all": number(f["leasable_area_m2"]),
                },
                "url": f"{buildings}?sort=fig_occupancy",
            },
            {
                "label": _("Vacancy"),
                "value": percent(f["vacancy_rate"]),
                "note": _("%(n)s m² empty")
                % {
                    "n": number(
                        (f["leasable_area_m2"] or 0) - (f["occupied_area_m2"] or 0)
                        if f["leasable_area_m2"] is not None
                        else None
                    )
                },
                "url": f"{units}?status=vacant_available",
            },
            {
                "label": _("Available area"),
                "value": number(f["available_area_m2"]),
                "unit": "m²",
                "note": _("vacant and available, or coming free"),
                "url": f"{units}?status=vacant_available",
            },
            {
                "label": _("Tax this year"),
                "value": wan(f["tax_total_ytd"]),
                "unit": _("CNY 10,000"),
                "note": _("year on year %(yoy)s") % {"yoy": signed_percent(f["tax_yoy"])},
                "url": f"{buildings}?sort=-fig_tax_12m",
                "trend": None if f["tax_yoy"] is None else ("up" if f["tax_yoy"] >= 0 else "down"),
            },
            {
                "label": _("Locally retained tax this year"),
                "value": wan(f["tax_local_ytd"]),
                "unit": _("CNY 10,000"),
                "note": _("last 12 months' total tax: %(v)s") % {"v": wan(f["tax_total_12m"])},
                "url": f"{buildings}?sort=-fig_tax_12m",
            },
            {
                "label": _("Tax per m² (税收单产)"),
                "value": number(f["tax_per_m2"]),
                "unit": _("CNY/m²/year"),
                "note": _("last 12 months over the leasable area"),
                "url": f"{buildings}?sort=-fig_tax_per_m2",
            },
            {
                "label": _("Tenants"),
                "value": number(f["tenants"]),
                "unit": _("enterprises"),
                "note": _("%(n)s units of %(all)s let")
                % {"n": number(f["units_occupied"]), "all": number(f["units_total"])},
                "url": f"{enterprises}?status=active",
            },
            {
                "label": _("Local registration rate (属地注册率)"),
                "value": percent(f["local_registration_rate"]),
                "note": _("%(n)s tenants registered here") % {"n": number(f["tenants_local"])},
                "url": f"{enterprises}?status=active&locally_registered=false",
            },
        ]

    @staticmethod
    def absorption(f: dict | None) -> dict | None:
        if not f:
            return None
        target = settings.ECONOMY_ABSORPTION_TARGET_M2
        done = float(f["leased_new_ytd_m2"] or 0)
        share = done / target if target else 0
        return {
            "done": number(done),
            "target": number(target),
            "percent": percent(share),
            "width": round(min(share, 1) * 100, 1),
            "month": number(f["leased_new_m2"]),
            "net": number(f["net_absorption_m2"]),
        }

    @staticmethod
    def building_rows(area: Area, month: dt.date) -> list[dict]:
        rows = (
            area.buildings(month)
            .select_related("building__building")
            .only(
                "building__id",
                "building__grade",
                "building__building__name",
                "occupancy_rate",
                "tax_total_12m",
                "tax_per_m2",
                "tax_yoy",
                "occupied_area_m2",
                "leasable_area_m2",
                "meets_signature_target",
                "dominant_industry",
                "dominant_share",
            )
        )
        out = []
        for r in rows:
            b = r.building
            out.append(
                {
                    "name": b.building.name,
                    "url": reverse("economy:officebuilding_detail", args=[b.pk]),
                    "grade": b.get_grade_display(),
                    "occupancy": r.occupancy_rate,
                    "occupancy_text": percent(r.occupancy_rate),
                    "leasable_text": number(r.leasable_area_m2),
                    "tax_12m": r.tax_total_12m,
                    "tax_12m_text": wan(r.tax_total_12m),
                    "tax_per_m2": r.tax_per_m2,
                    "tax_per_m2_text": number(r.tax_per_m2),
                    "tax_yoy": r.tax_yoy,
                    "tax_yoy_text": signed_percent(r.tax_yoy),
                    "dominant": r.dominant_industry,
                    "dominant_share_text": percent(r.dominant_share),
                    "meets": r.meets_signature_target,
                    # the sortable table's keys
                    "sort": {
                        k: "" if v is None else repr(float(v))
                        for k, v in (
                            ("tax_12m", r.tax_total_12m),
                            ("tax_yoy", r.tax_yoy),
                            ("occupancy", r.occupancy_rate),
                            ("tax_per_m2", r.tax_per_m2),
                        )
                    },
                }
            )
        out.sort(key=lambda b: -(b["tax_12m"] or 0))
        return out

    @staticmethod
    def tiers(buildings: list[dict]) -> list[dict]:
        def pick(low, high=None):
            return [
                b
                for b in buildings
                if b["tax_12m"] is not None
                and b["tax_12m"] >= low
                and (high is None or b["tax_12m"] < high)
            ]

        return [
            {
                "key": "yi",
                "title": _("CNY 100 m buildings (亿元楼宇)"),
                "rule": _("tax of the last 12 months ≥ CNY 100 m"),
                "rows": pick(YI),
            },
            {
                "key": "near",
                "title": _("Close to CNY 100 m (准亿元楼宇)"),
                "rule": _("CNY 80 m to 100 m"),
                "rows": pick(NEAR_YI, YI),
            },
            {
                "key": "qianwan",
                "title": _("CNY 10 m buildings (千万元楼宇)"),
                "rule": _("CNY 10 m to 100 m"),
                "rows": pick(QIANWAN, YI),
            },
        ]

    @staticmethod
    def industries(user, month: dt.date, current: dict | None) -> dict:
        """Industry structure by 门类: the precomputed section rows of the month."""
        sections = list(
            MonthlyFigure.objects.restrict(user, "view")
            .filter(scope=MonthlyFigure.Scope.SECTION, month=month)
            .values("key", "tenants", "tax_total_12m", "occupied_area_m2")
        )
        names = dict(IndustrySection.objects.values_list("code", "name"))
        enterprises = reverse("economy:enterprise_list")
        total_tax = sum(float(s["tax_total_12m"] or 0) for s in sections)
        total_tenants = sum(s["tenants"] or 0 for s in sections)
        rows = []
        for s in sorted(sections, key=lambda s: -(s["tax_total_12m"] or 0)):
            tax = float(s["tax_total_12m"] or 0)
            rows.append(
                {
                    "code": s["key"],
                    "name": names.get(s["key"], s["key"]),
                    "tenants": number(s["tenants"]),
                    "tenant_share": percent(ratio(s["tenants"], total_tenants)),
                    "tax_12m": wan(s["tax_total_12m"]),
                    "tax_share": percent(ratio(tax, total_tax)),
                    "tax_value": round(tax / 10000, 1),
                    "url": f"{enterprises}?{urlencode({'industry': s['key'], 'status': 'active'})}",
                }
            )
        dominant = (current or {}).get("dominant_industry") or ""
        return {
            "rows": rows,
            "chart": [{"name": f"{r['code']} {r['name']}", "value": r["tax_value"]} for r in rows],
            "hhi": number((current or {}).get("concentration_hhi"), 3)
            if (current or {}).get("concentration_hhi") is not None
            else None,
            "dominant": (
                f"{dominant} {names.get(dominant, '')}"
                if dominant.isalpha()
                else industry_label(dominant)
            ),
            "dominant_share": percent((current or {}).get("dominant_share")),
        }


class EconomyListView(ObjectListView):
    """A list of the building brain: scoped, filtered, sorted; exports where a spec exists."""

    template_name = "economy/object_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        try:
            ctx["export_url"] = reverse(f"{self.url_prefix}_export")
        except NoReverseMatch:
            ctx["export_url"] = ""
        return ctx


# --- office buildings ------------------------------------------------------------------------


def latest_building_month() -> dt.date | None:
    """The month the building list's figures are of: the last complete month with figures."""
    figures = MonthlyFigure.objects.filter(scope=MonthlyFigure.Scope.BUILDING)
    return latest_complete(figures.values_list("month", flat=True).distinct().order_by())


class OfficeBuildingListView(EconomyListView):
    model = OfficeBuilding
    columns = tables.OFFICE_BUILDING_COLUMNS
    filterset_class = filtersets.OfficeBuildingFilterSet
    select_related = ("building", "org_unit__parent", "leader", "chain")
    default_order = ("building__code",)

    def get_queryset(self):
        qs = super().get_queryset()
        self.month = latest_building_month()
        figures = MonthlyFigure.objects.filter(
            scope=MonthlyFigure.Scope.BUILDING, building=OuterRef("pk"), month=self.month
        )
        return qs.annotate(
            fig_occupancy=Subquery(figures.values("occupancy_rate")[:1]),
            fig_tax_12m=Subquery(figures.values("tax_total_12m")[:1]),
            fig_tax_per_m2=Subquery(figures.values("tax_per_m2")[:1]),
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if self.month:
            ctx["list_note"] = _("Figures of %(month)s.") % {"month": month_label(self.month)}
        return ctx


class OfficeBuildingDetailView(ObjectDetailView):
    model = OfficeBuilding
    template_name = "economy/building_detail.html"
    select_related = ("building", "org_unit__parent", "leader__org_unit", "chain")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        obj, user = ctx["object"], self.request.user
        today = timezone.localdate()
        rows = list(
            MonthlyFigure.objects.filter(scope=MonthlyFigure.Scope.BUILDING, building=obj)
            .order_by("-month")
            .values("month", "computed_at", *FIGURE_FIELDS, "meets_signature_target")[:TREND_MONTHS]
        )
        rows.reverse()
        shown = latest_complete((r["month"] for r in rows), today)
        rows = [r for r in rows if r["month"] <= shown]  # the current month's tax is not in yet
        latest = rows[-1] if rows else None
        plan = StackingPlan.of(obj, today)
        warnings = list(
            MoveOutWarning.objects.restrict(user, "view")
            .filter(building=obj)
            .exclude(state=CLOSED)
            .select_related("enterprise", "assignee")
            .order_by("-risk_score", "-raised_on")
        )
        ctx.update(
            title=obj.name,
            figures=latest,
            figure_rows=self.figure_rows(latest, obj),
            trend=trend_series(rows),
            plan=plan,
            warnings=warnings,
            signature=industry_label(obj.signature_industry),
            signature_share=percent(obj.signature_share, 0),
            dominant=industry_label(latest["dominant_industry"]) if latest else "",
            dominant_share=percent(latest["dominant_share"]) if latest else "",
            registry_url=reverse("registry:building_detail", args=[obj.building_id])
            if user.has_perm("registry.view_building")
            else "",
            tenants_url=f"{reverse('economy:enterprise_list')}?building={obj.pk}",
            units_url=f"{reverse('economy:unit_list')}?building={obj.pk}",
            leases=self.lease_links(obj, user, today),
            today=today,
            can_sign=user.has_perm("economy.add_lease"),
            sign_url=reverse("economy:officebuilding_sign", args=[obj.pk]),
            can_change_unit=user.has_perm("economy.change_unit"),
            # the stacking plan's panel puts the chosen unit's pk in place of {pk}
            unit_edit_href=reverse("economy:unit_edit", args=[0]).replace("/0/", "/{pk}/"),
        )
        return ctx

    @staticmethod
    def lease_links(obj: OfficeBuilding, user, today: dt.date) -> dict | None:
        """The building's leases in the lease list, and those ending within 6 months with no
        renewal signed (one count), for roles that see leases."""
        if not user.has_perm("economy.view_lease"):
            return None
        url = f"{reverse('economy:lease_list')}?building={obj.pk}"
        ending = (
            Lease.objects.restrict(user, "view")
            .filter(building=obj)
            .term_status(Lease.TermStatus.ENDING, today)
            .count()
        )
        return {"url": url, "ending": ending, "ending_url": f"{url}&status=ending"}

    @staticmethod
    def figure_rows(f: dict | None, obj: OfficeBuilding) -> list[tuple[str, str, str]]:
        """(label, value, the list behind it or "")."""
        if not f:
            return []
        units = f"{reverse('economy:unit_list')}?building={obj.pk}"
        tenants = f"{reverse('economy:enterprise_list')}?building={obj.pk}"
        return [
            (_("Month"), month_label(f["month"]), ""),
            (_("Leasable area"), f"{number(f['leasable_area_m2'])} m²", units),
            (_("Occupied area"), f"{number(f['occupied_area_m2'])} m²", f"{units}&status=occupied"),
            (_("Occupancy (by area)"), percent(f["occupancy_rate"]), ""),
            (_("Occupancy (by units)"), percent(f["occupancy_rate_by_count"]), ""),
            (
                _("Available area"),
                f"{number(f['available_area_m2'])} m²",
                f"{units}&status=vacant_available",
            ),
            (_("Net absorption this month"), f"{number(f['net_absorption_m2'])} m²", ""),
            (_("Newly leased this year (去化)"), f"{number(f['leased_new_ytd_m2'])} m²", ""),
            (_("Tax this month"), f"{wan(f['tax_total'], 2)} " + _("CNY 10,000"), ""),
            (_("Tax this year"), f"{wan(f['tax_total_ytd'])} " + _("CNY 10,000"), ""),
            (_("Tax year on year"), signed_percent(f["tax_yoy"]), ""),
            (_("Tax, last 12 months"), f"{wan(f['tax_total_12m'])} " + _("CNY 10,000"), ""),
            (
                _("Tax per m² (税收单产)"),
                f"{number(f['tax_per_m2'])} " + _("CNY/m²/year"),
                "",
            ),
            (_("Tenants"), number(f["tenants"]), tenants),
            (
                _("Local registration rate (属地注册率)"),
                percent(f["local_registration_rate"]),
                f"{tenants}&locally_registered=false",
            ),
            (_("Industry concentration (HHI)"), number(f["concentration_hhi"], 3), ""),
        ]


# --- units -----------------------------------------------------------------------------------


class UnitListView(EconomyListView):
    model = Unit
    filterset_class = filtersets.UnitFilterSet
    select_related = ("building__building", "floor")
    default_order = ("building__building__code", "floor__number", "code")

    @property
    def columns(self):
        if not self.request.user.has_perm("economy.change_unit"):
            return tables.UNIT_COLUMNS
        label = _("Edit")

        def render(unit):
            url = reverse("economy:unit_edit", args=[unit.pk])
            return format_html('<a class="btn btn-small" href="{}">{}</a>', url, label)

        return [*tables.UNIT_COLUMNS, tables.HtmlColumn("edit", " ", render=render)]


# --- leases --------------------------------------------------------------------------------


class LeaseListView(EconomyListView):
    """租赁合同: every lease in the user's area with where it stands today (in force, ending
    within 6 months with no renewal signed, ended), filtered, sorted and exported through the
    lease ledger's import layout (an exported file imports again unchanged)."""

    model = Lease
    filterset_class = filtersets.LeaseListFilterSet
    select_related = ("enterprise", "building__building", "renewed_from", "renewal")
    title = gettext_lazy("Leases")
    template_name = "economy/lease_list.html"

    @property
    def columns(self):
        """The ledger's columns, and the steps on a lease in force for roles that may."""
        user = self.request.user
        steps = [
            (name, label)
            for name, (label, _form, permission) in LEASE_STEPS.items()
            if user.has_perm(permission)
        ]
        if not steps:
            return tables.LEASE_COLUMNS
        back = self.request.get_full_path()

        def render(lease):
            if lease.state != Lease.State.ACTIVE:
                return None
            urls = [
                (reverse("economy:lease_act", args=[lease.pk, name]), name, label)
                for name, label in steps
            ]
            return format_html_join(
                " ",
                '<a class="btn btn-small" data-step="{1}" href="{0}?{3}" hx-get="{0}?{3}" '
                'hx-target="#action-panel" hx-swap="innerHTML">{2}</a>',
                ((url, name, label, urlencode({"next": back})) for url, name, label in urls),
            )

        return [*tables.LEASE_COLUMNS, tables.HtmlColumn("steps", " ", render=render)]

    def get_queryset(self):
        units = Prefetch("units", queryset=Unit.objects.order_by("code").only("pk", "code"))
        qs = super().get_queryset().with_term_status(timezone.localdate())
        return qs.prefetch_related(units)

    # What a specialist acts on first: the leases ending soon without a renewal, then those in
    # force, each by the last day the space is held; the ended ones last, the most recent
    # first (``LeaseQuerySet.by_term``), read by parts page by page.
    def ordered(self, qs):
        return qs.by_term(timezone.localdate())

    def ordered_parts(self, qs, sort):
        return None if sort else qs.by_term_parts(timezone.localdate())


# --- enterprises -----------------------------------------------------------------------------


class EnterprisePageFilterSet(filtersets.EnterpriseFilterSet):
    """The API's enterprise filters; the industry offered as a choice of GB/T 4754 sections
    (门类) on the page (a longer prefix such as 65 or 6513 in the address still works)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sections = IndustrySection.objects.order_by("code").values_list("code", "name")
        choices = [("", "---------"), *((c, f"{c} {n}") for c, n in sections)]
        value = self.data.get("industry", "") if self.data else ""
        if value and value not in dict(choices):
            choices.append((value, value))
        self.filters["industry"].extra["widget"] = django_forms.Select(choices=choices)
        self.filters["industry"].label = _("industry section (门类)")


class EnterpriseListView(EconomyListView):
    model = Enterprise
    columns = tables.ENTERPRISE_COLUMNS
    filterset_class = EnterprisePageFilterSet
    select_related = ("industry", "org_unit")
    default_order = ("name", "pk")


class EnterpriseDetailView(ObjectDetailView):
    """企业影像: who the enterprise is, where it sits and sat, its tax and headcount, its
    timeline, its warnings; the cases that concern it come from the case engine (a
    ``RelatedPanel``)."""

    model = Enterprise
    template_name = "economy/enterprise_detail.html"
    select_related = ("industry__section", "org_unit__parent")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        obj, user = ctx["object"], self.request.user
        today = timezone.localdate()
        leases = list(
            Lease.objects.restrict(user, "view")
            .filter(enterprise=obj)
            .select_related("building__building")
            .prefetch_related(
                Prefetch("units", queryset=Unit.objects.select_related("floor").order_by("code"))
            )
            .order_by("-start_date", "-pk")
        )
        for lease in leases:
            lease.is_held = lease.start_date <= today <= lease.last_day
        tax = list(
            TaxRecord.objects.filter(enterprise=obj)
            .order_by("month")
            .values_list("month", "total_tax", "local_tax")
        )
        heads = list(
            HeadcountRecord.objects.filter(enterprise=obj)
            .order_by("month")
            .values_list("month", "headcount", "insured")
        )
        events = list(
            EnterpriseEvent.objects.filter(enterprise=obj)
            .select_related("building__building", "user")
            .order_by("-date", "-recorded_at", "-pk")
        )
        warnings = list(
            MoveOutWarning.objects.restrict(user, "view")
            .filter(enterprise=obj)
            .select_related("building__building", "assignee")
            .prefetch_related(
                Prefetch("events", queryset=WarningEvent.objects.select_related("user"))
            )
        )
        last12 = tax[-12:]
        ctx.update(
            title=obj.name,
            leases=leases,
            current_leases=[lease for lease in leases if lease.is_held],
            tax_chart={
                "months": [f"{m:%Y-%m}" for m, _t, _l in tax],
                "total": [round(float(t) / 10000, 2) for _m, t, _l in tax],
                "local": [round(float(loc) / 10000, 2) for _m, _t, loc in tax],
            },
            head_chart={
                "months": [f"{m:%Y-%m}" for m, _h, _i in heads],
                "headcount": [h for _m, h, _i in heads],
                "insured": [i for _m, _h, i in heads],
            },
            tax_12m=wan(sum((t for _m, t, _l in last12), Decimal(0)), 2) if tax else None,
            tax_local_12m=wan(sum((loc for _m, _t, loc in last12), Decimal(0)), 2) if tax else None,
            tax_months=len(tax),
            headcount_latest=heads[-1] if heads else None,
            events=events,
            warnings=warnings,
            industry=obj.industry,
            section=obj.industry.section,
            capital=number(obj.registered_capital, 2)
            if obj.registered_capital is not None
            else None,
            lease_steps=[
                (name, label)
                for name, (label, _form, permission) in LEASE_STEPS.items()
                if user.has_perm(permission)
            ],
        )
        return ctx


# --- move-out warnings -------------------------------------------------------------------------


class WarningPageFilterSet(filtersets.MoveOutWarningFilterSet):
    """The list page's filters: the API's, with the quick tab kept across filtering (the
    view applies it)."""

    tab = django_filters.CharFilter(method="keep", widget=django_forms.HiddenInput, label="")

    def keep(self, queryset, name, value):
        return queryset


WARNING_TABS = [
    ("open", gettext_lazy("Not closed")),
    ("mine", gettext_lazy("Assigned to me")),
    ("unassigned", gettext_lazy("To assign")),
    ("closed", pgettext_lazy("move-out warning", "Closed")),
    ("all", gettext_lazy("All")),
]


class MoveOutWarningListView(EconomyListView):
    model = MoveOutWarning
    columns = tables.WARNING_COLUMNS
    filterset_class = WarningPageFilterSet
    select_related = ("enterprise", "building__building", "assignee")
    hidden_filters = ("enterprise", "open", "raised_after")
    template_name = "economy/warning_list.html"
    title = gettext_lazy("Move-out warnings")

    def current_tab(self) -> str:
        tab = self.request.GET.get("tab", "open")
        return tab if tab in dict(WARNING_TABS) else "open"

    @property
    def default_order(self):
        if self.current_tab() in ("closed", "all"):
            return ("-raised_on", "-pk")
        return ("-risk_score", "-raised_on", "-pk")

    def get_queryset(self):
        qs = super().get_queryset()
        tab, user = self.current_tab(), self.request.user
        if tab == "open":
            return qs.exclude(state=CLOSED)
        if tab == "mine":
            return qs.exclude(state=CLOSED).filter(assignee=user)
        if tab == "unassigned":
            return qs.filter(state=MoveOutWarning.State.OPEN)
        if tab == "closed":
            return qs.filter(state=CLOSED)
        return qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        for key in ("page", "tab"):
            query.pop(key, None)
        mine = (
            MoveOutWarning.objects.restrict(self.request.user, "view")
            .exclude(state=CLOSED)
            .filter(assignee=self.request.user)
            .count()
        )
        ctx.update(tabs=WARNING_TABS, tab=self.current_tab(), tab_query=query.urlencode())
        ctx["mine_count"] = mine
        return ctx


# The warning's steps: name → (label, form, permission, when it is available).
STEPS = {
    "assign": (gettext_lazy("Assign"), forms.AssignForm, "economy.assign_moveoutwarning"),
    "visit": (gettext_lazy("Record a visit"), forms.VisitForm, "economy.change_moveoutwarning"),
    "note": (gettext_lazy("Add a note"), forms.NoteForm, "economy.change_moveoutwarning"),
    "close": (
        gettext_lazy("Close the warning"),
        forms.CloseForm,
        "economy.change_moveoutwarning",
    ),
}


def available_steps(warning: MoveOutWarning, user) -> list[str]:
    out = []
    for name, (_label, _form, permission) in STEPS.items():
        if not user.has_perm(permission):
            continue
        if name == "note" or (
            warning.is_open and (name != "visit" or warning.state != MoveOutWarning.State.OPEN)
        ):
            out.append(name)
    return out


class MoveOutWarningDetailView(ObjectDetailView):
    model = MoveOutWarning
    template_name = "economy/warning_detail.html"
    select_related = ("enterprise__industry", "building__building", "building__leader", "assignee")

    def type_label(self, obj) -> str:
        return str(MoveOutWarning._meta.verbose_name)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        obj, user = ctx["object"], self.request.user
        ctx.update(
            title=_("Move-out warning: %(name)s") % {"name": obj.enterprise.name},
            evidence=evidence.findings(obj.evidence),
            events=list(obj.events.select_related("user").order_by("time", "pk")),
            steps=[
                {
                    "name": name,
                    "label": STEPS[name][0],
                    "url": reverse("economy:moveoutwarning_act", args=[obj.pk, name]),
                }
                for name in available_steps(obj, user)
            ],
            risk_width=max(0, min(100, float(obj.risk_score))),
            risk_level=(
                "high" if obj.risk_score >= HIGH_RISK else "mid" if obj.risk_score >= 40 else "low"
            ),
        )
        return ctx


# --- steps that call the actions: a warning's steps, business status, 签约, 续签, 退租 ----------


class EconomyStepView(StepView):
    """A step of the building economy: its form and page templates."""

    fragment = "economy/_action_form.html"
    page = "economy/action.html"


class MoveOutWarningActView(StepView):
    """The warning's steps (assign, visit, note, close), each allowed to its role and only in
    the states ``available_steps`` gives; the actions write the warning's own timeline."""

    fragment = "economy/_warning_form.html"
    page = "economy/warning_act.html"
    model = MoveOutWarning
    scope_action = "view"
    select_related = ("enterprise__org_unit", "building__building")
    steps = STEPS
    note_is_reason = False  # the note is the timeline entry's

    def make_form(self, data=None, files=None, initial=None):
        if self.form_class is forms.AssignForm:
            return self.form_class(data, warning=self.object, user=self.request.user)
        if self.form_class is forms.VisitForm and data is None:
            return self.form_class(initial={"visited_on": timezone.localdate()})
        return self.form_class(data)

    def problem(self):
        if self.step not in available_steps(self.object, self.request.user):
            return _("This step is not possible in the warning's current state.")
        return ""

    def action_url(self):
        return reverse("economy:moveoutwarning_act", args=[self.object.pk, self.step])

    def page_title(self):
        return f"{self.label}: {self.object.enterprise.name}"

    def perform(self, form, user) -> None:
        data = form.cleaned_data
        warning, note = self.object, data.get("note", "")
        if self.step == "assign":
            actions.assign_warning(warning, data["assignee"], user=user, note=note)
        elif self.step == "visit":
            actions.record_warning_visit(
                warning, visited_on=data["visited_on"], note=note, user=user
            )
        elif self.step == "note":
            actions.add_warning_note(warning, note=note, user=user)
        elif self.step == "close":
            actions.close_warning(warning, data["outcome"], note=note, user=user)


# --- edits ------------------------------------------------------------------------------------
# Towers, enterprises and units come in by import and the API; these pages correct them. The
# generic edit view scopes, saves through ``scoped_save`` (a change that leaves the user's scope
# rolls back) and the audit signals log the change with its required reason.


class OfficeBuildingEditView(ObjectEditView):
    model = OfficeBuilding
    form_class = forms.OfficeBuildingForm


class EnterpriseEditView(ObjectEditView):
    model = Enterprise
    form_class = forms.EnterpriseForm


class UnitEditView(ObjectEditView):
    model = Unit
    form_class = forms.UnitForm


class EnterpriseStatusView(EconomyStepView):
    """在营 / 迁出 / 注销 through ``actions.set_enterprise_status``: the timeline gets the
    change with its date and note."""

    model = Enterprise
    step = "status"
    label = gettext_lazy("Change the business status")
    permission = "economy.change_enterprise"
    form_class = forms.EnterpriseStatusForm

    def form_kwargs(self):
        return {"enterprise": self.object}

    def problem(self):
        if self.object.status == Enterprise.Status.DEREGISTERED:
            return _("A deregistered enterprise cannot change its status.")
        return ""

    def action_url(self):
        return reverse("economy:enterprise_status", args=[self.object.pk])

    def perform(self, form, user):
        data = form.cleaned_data
        actions.set_enterprise_status(
            self.object, data["status"], user=user, on=data["on"], note=data["note"]
        )


class SignLeaseView(EconomyStepView):
    """签约 on vacant units of a tower, from its page or a unit of its stacking plan
    (``?unit=``); ``?q=`` searches the enterprise (the form's "Search" button sends the form
    back by GET with what was typed so far)."""

    model = OfficeBuilding
    scope_action = "view"  # the units are what must be in the user's scope to change
    select_related = ("building",)
    step = "sign"
    label = gettext_lazy("Sign a lease")
    permission = "economy.add_lease"
    form_class = forms.SignLeaseForm

    def form_kwargs(self):
        data = self.request.POST if self.request.method == "POST" else self.request.GET
        return {"building": self.object, "user": self.request.user, "search": data.get("q", "")}

    def get_initial(self, request):
        get = request.GET
        initial = {
            name: get[name]
            for name in forms.SignLeaseForm.base_fields
            if name not in ("units",) and get.get(name)
        }
        initial.setdefault("rent_free_months", 0)
        initial["units"] = [u for u in (*get.getlist("units"), *get.getlist("unit")) if u.isdigit()]
        return initial

    def action_url(self):
        return reverse("economy:officebuilding_sign", args=[self.object.pk])

    def perform(self, form, user):
        data = form.cleaned_data
        actions.sign_lease(
            data["enterprise"],
            list(data["units"]),
            start_date=data["start_date"],
            end_date=data["end_date"],
            user=user,
            contract_number=data["contract_number"],
            contract_rent=data["contract_rent"],
            rent_free_months=data["rent_free_months"],
            signed_on=data["signed_on"],
            note=data["note"],
        )


# Steps on a lease: name → (label, form, permission).
LEASE_STEPS = {
    "renew": (gettext_lazy("Renew the lease"), forms.RenewLeaseForm, "economy.add_lease"),
    "end": (gettext_lazy("End the lease"), forms.EndLeaseForm, "economy.change_lease"),
}


class LeaseActView(EconomyStepView):
    """续签 and 退租 of a lease in force, from the lease list or the enterprise's profile."""

    model = Lease
    select_related = ("enterprise", "building__building")
    steps = LEASE_STEPS

    def form_kwargs(self):
        return {"lease": self.object}

    def problem(self):
        if self.object.state != Lease.State.ACTIVE:
            return _("This lease is no longer in force.")
        return ""

    def action_url(self):
        return reverse("economy:lease_act", args=[self.object.pk, self.step])

    def done_url(self):
        return self.object.enterprise.get_absolute_url()

    def perform(self, form, user):
        data = form.cleaned_data
        if self.step == "renew":
            actions.renew_lease(
                self.object,
                end_date=data["end_date"],
                start_date=data["start_date"],
                user=user,
                contract_number=data["contract_number"],
                contract_rent=data["contract_rent"],
                rent_free_months=data["rent_free_months"],
                signed_on=data["signed_on"],
                note=data["note"],
            )
        else:
            actions.end_lease(self.object, on=data["on"], user=user, note=data["note"])


__all__ = [
    "DashboardView",
    "EnterpriseDetailView",
    "EnterpriseEditView",
    "EnterpriseListView",
    "EnterpriseStatusView",
    "LeaseActView",
    "LeaseListView",
    "MoveOutWarningActView",
    "MoveOutWarningDetailView",
    "MoveOutWarningListView",
    "OfficeBuildingDetailView",
    "OfficeBuildingEditView",
    "OfficeBuildingListView",
    "SignLeaseView",
    "UnitEditView",
    "UnitListView",
]
