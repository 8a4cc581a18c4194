"""Pages of the business districts (namespace ``districts``), under /districts/: the dashboard
(a district's year: sales against its target, year on year, by trade and by mall, the 限额以上
stores, the first stores against their target, each figure a link to its rows), the lists and
details of districts, malls, stores, first stores, monthly sales and campaigns, and the edits
of the registers (through ``actions``)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from streetbrain.core.dataio_views import ImportJobView, ObjectImportView
from streetbrain.core.generic import (
    Column,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    apply_errors,
    table,
)
from streetbrain.economy.models import Enterprise
from streetbrain.registry.models import Shop

from . import actions, filtersets, forms, measures, reference
from .models import (
    BusinessDistrict,
    Campaign,
    Complex,
    DistrictTarget,
    FirstStore,
    SalesRecord,
    Store,
)

WAN = Decimal(10000)


def wan(value) -> float:
    """Yuan as 万元 for the charts."""
    return round(float(Decimal(value or 0) / WAN), 1)


def visible(model, obj, user):
    """``obj`` if the user may see it (a store's shop, its enterprise), else None: a link
    found by credit code must not show what lies outside the user's scope."""
    if obj is None:
        return None
    return obj if model.objects.restrict(user).filter(pk=obj.pk).exists() else None


# -- dashboard ---------------------------------------------------------------------------------


class DashboardView(LoginRequiredMixin, TemplateView):
    """商圈 at a glance: the chosen district's year (default: the first district, this year)."""

    template_name = "districts/dashboard.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm(
            "districts.view_businessdistrict"
        ):
            raise PermissionDenied(_("You do not have permission to do this."))
        return super().dispatch(request, *args, **kwargs)

    def year(self) -> int | None:
        """The year asked for; None when it cannot be shown (the page says so)."""
        today = timezone.localdate()
        try:
            year = int(self.request.GET.get("year", today.year))
        except ValueError:
            return None
        return year if 2000 <= year <= today.year + 1 else None

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        year = self.year()
        if year is None:
            messages.warning(
                self.request, _("There are no figures for that year; showing this year.")
            )
            year = timezone.localdate().year
        districts = list(BusinessDistrict.objects.restrict(user).order_by("name"))
        chosen = None
        wanted = self.request.GET.get("district")
        if wanted:
            chosen = next((d for d in districts if str(d.pk) == str(wanted)), None)
        chosen = chosen or (districts[0] if districts else None)
        ctx.update(
            title=_("Business districts"),
            districts=districts,
            district=chosen,
            year=year,
            years=list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
        )
        if chosen is None:
            return ctx
        data = measures.district_year(user, chosen, year)
        ctx.update(
            data=data,
            campaigns=[
                (c, measures.campaign_result(user, c))
                for c in Campaign.objects.restrict(user).filter(district=chosen)[:5]
            ],
            charts={
                "months": [f"{m}月" for m in range(1, 13)],
                "monthly": [wan(v) for v in data["monthly"]],
                "monthly_before": [wan(v) for v in data["monthly_before"]],
                "categories": [
                    {"name": c["label"], "value": wan(c["sales"])} for c in data["by_category"]
                ],
                "complexes": [
                    {"name": c["label"] or _("Outside the malls"), "value": wan(c["sales"])}
                    for c in data["by_complex"]
                ],
                "levels": [
                    {"name": lv["label"], "value": lv["count"]}
                    for lv in data["first_stores"]["by_level"]
                ],
            },
        )
        return ctx


# -- lists and details --------------------------------------------------------------------------


class BusinessDistrictListView(ObjectListView):
    model = BusinessDistrict
    filterset_class = filtersets.BusinessDistrictFilterSet
    columns = [
        Column("name", link=True, order_by="name"),
        Column("code"),
        Column("sales_target"),
        Column("first_store_target"),
        Column("org_unit"),
    ]


class BusinessDistrictDetailView(ObjectDetailView):
    model = BusinessDistrict
    template_name = "districts/district_detail.html"
    fields = [
        Column("code"),
        Column("description"),
        Column("sales_target"),
        Column("first_store_target"),
        Column("org_unit"),
        Column("attribution"),
        Column("data_source"),
    ]

    def related_tables(self, obj):
        user = self.request.user
        return [
            table(
                _("Malls and complexes"),
                Complex,
                [Column("name"), Column("kind"), Column("operator")],
                Complex.objects.restrict(user).filter(district=obj),
            ),
            # The years' own targets (the district is in scope: its targets are its own).
            table(
                _("Targets by year"),
                DistrictTarget,
                [Column("year"), Column("sales_target"), Column("first_store_target")],
                obj.targets.all(),
            ),
        ]


class ComplexListView(ObjectListView):
    model = Complex
    filterset_class = filtersets.ComplexFilterSet
    select_related = ("district",)
    columns = [
        Column("name", link=True, order_by="name"),
        Column("district"),
        Column("kind"),
        Column("operator"),
    ]


class ComplexDetailView(ObjectDetailView):
    model = Complex
    select_related = ("district", "org_unit")
    fields = [
        Column("district"),
        Column("kind"),
        Column("operator"),
        Column("osm_name"),
        Column("org_unit"),
        Column("data_source"),
    ]

    def related_tables(self, obj):
        user = self.request.user
        return [
            table(
                _("Stores"),
                Store,
                [Column("name"), Column("brand"), Column("category"), Column("location")],
                Store.objects.restrict(user).filter(complex=obj),
            ),
            table(
                _("First stores"),
                FirstStore,
                [Column("brand"), Column("level"), Column("opened_on")],
                FirstStore.objects.restrict(user).filter(complex=obj),
            ),
        ]


class StoreListView(ObjectListView):
    model = Store
    filterset_class = filtersets.StoreFilterSet
    select_related = ("district", "complex")
    columns = [
        Column("name", link=True, order_by="name"),
        Column("code", order_by="code"),
        Column("brand", order_by="brand"),
        Column("category"),
        Column("complex"),
        Column("location"),
        Column("status"),
    ]


class StoreDetailView(ObjectDetailView):
    model = Store
    template_name = "districts/store_detail.html"
    select_related = ("district", "complex", "org_unit", "shop", "enterprise")
    fields = [
        Column("code"),
        Column("brand"),
        Column("district"),
        Column("complex"),
        Column("category"),
        Column("credit_code"),
        Column("location"),
        Column("area_m2"),
        Column("opened_on"),
        Column("status"),
        Column("data_source"),
    ]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        obj, user = ctx["object"], self.request.user
        year = timezone.localdate().year
        sales = SalesRecord.objects.restrict(user).filter(store=obj)
        years = []
        for y in (year, year - 1):
            amount = measures.total(sales.filter(month__year=y))
            limit = reference.threshold(obj.category)
            years.append(
                {
                    "year": y,
                    "sales": amount,
                    "threshold": limit,
                    "above": None if limit is None else amount >= limit,
                    "url": measures.sales_url(store=obj.pk, year=y),
                }
            )
        ctx.update(
            shop=visible(Shop, obj.shop, user),
            enterprise=visible(Enterprise, obj.enterprise, user),
            years=years,
        )
        return ctx


class FirstStoreListView(ObjectListView):
    model = FirstStore
    template_name = "districts/firststore_list.html"
    filterset_class = filtersets.FirstStoreFilterSet
    select_related = ("district", "complex")
    columns = [
        Column("brand", link=True, order_by="brand"),
        Column("level", order_by="level"),
        Column("opened_on", order_by="opened_on"),
        Column("complex"),
        Column("area_m2", order_by="area_m2"),
        Column("district"),
    ]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["levels"] = reference.first_store_levels()
        return ctx


class FirstStoreDetailView(ObjectDetailView):
    model = FirstStore
    select_related = ("district", "complex", "store")
    fields = [
        Column("brand"),
        Column("level"),
        Column("opened_on"),
        Column("district"),
        Column("complex"),
        Column("store"),
        Column("area_m2"),
        Column("note"),
        Column("data_source"),
    ]


class SalesRecordListView(ObjectListView):
    model = SalesRecord
    template_name = "districts/sales_list.html"
    filterset_class = filtersets.SalesRecordFilterSet
    select_related = ("district", "store__complex", "complex")
    columns = [
        Column("month", link=True, order_by="month"),
        Column("store", order_by="store__name"),
        Column("mall", _("mall or complex")),
        Column("category"),
        Column("amount", order_by="amount"),
        Column("district"),
    ]

    def get_context_data(self, **kwargs):
        """The rows' sum under the list: the figure a dashboard link came from."""
        ctx = super().get_context_data(**kwargs)
        filterset = ctx.get("filterset")
        if filterset is not None and filterset.is_valid():
            ctx["sum"] = measures.total(filterset.qs)
        return ctx


class SalesRecordDetailView(ObjectDetailView):
    model = SalesRecord
    select_related = ("district", "store", "complex")
    fields = [
        Column("month"),
        Column("store"),
        Column("mall", _("mall or complex")),
        Column("category"),
        Column("amount"),
        Column("district"),
        Column("data_source"),
    ]


class CampaignListView(ObjectListView):
    model = Campaign
    filterset_class = filtersets.CampaignFilterSet
    select_related = ("district",)
    columns = [
        Column("name", link=True, order_by="name"),
        Column("starts_on", order_by="starts_on"),
        Column("ends_on"),
        Column("coupons_issued"),
        Column("coupons_redeemed"),
        Column("district"),
    ]


class CampaignDetailView(ObjectDetailView):
    model = Campaign
    template_name = "districts/campaign_detail.html"
    select_related = ("district",)
    fields = [
        Column("district"),
        Column("starts_on"),
        Column("ends_on"),
        Column("coupons_issued"),
        Column("coupons_redeemed"),
        Column("coupon_value"),
        Column("note"),
        Column("data_source"),
    ]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["result"] = measures.campaign_result(self.request.user, ctx["object"])
        return ctx

    def related_tables(self, obj):
        return [
            table(
                _("Member stores"),
                Store,
                [Column("name"), Column("brand"), Column("complex")],
                obj.members.restrict(self.request.user).select_related("complex"),
            )
        ]


# -- edits through the actions --------------------------------------------------------------------


class ActionEditView(ObjectEditView):
    """The generic edit page, saving through an action instead of a plain save."""

    def act(self, user, obj, form):
        """The action that saves ``obj`` (an abstract hook: every edit view below names its own)."""
        raise NotImplementedError(f"{type(self).__name__} names no action")

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        form = self.get_form(obj, data=request.POST)
        if form.is_valid():
            obj = form.save(commit=False)
            try:
                obj = self.act(request.user, obj, form)
            except ValidationError as exc:
                apply_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("%(type)s “%(object)s” saved.")
                    % {"type": self.model._meta.verbose_name, "object": obj},
                )
                return HttpResponseRedirect(obj.get_absolute_url())
        return self.render_to_response(self.edit_context(obj, form), status=400)


class BusinessDistrictEditView(ActionEditView):
    model = BusinessDistrict
    form_class = forms.DistrictTargetsForm

    def act(self, user, obj, form):
        return actions.save_district(user, obj, target=form.target())


class ComplexEditView(ActionEditView):
    model = Complex
    form_class = forms.ComplexForm

    def act(self, user, obj, form):
        return actions.save_complex(user, obj)


class FirstStoreEditView(ActionEditView):
    model = FirstStore
    form_class = forms.FirstStoreForm

    def act(self, user, obj, form):
        return actions.record_first_store(user, obj)


class StoreEditView(ActionEditView):
    model = Store
    form_class = forms.StoreForm

    def act(self, user, obj, form):
        return actions.save_store(user, obj)


class CampaignEditView(ActionEditView):
    model = Campaign
    form_class = forms.CampaignForm

    def act(self, user, obj, form):
        return actions.save_campaign(user, obj, members=list(form.cleaned_data["members"]))


# -- the second sales layout's import pages ---------------------------------------------------


class MallSalesNames:
    """The malls' own sales import into the same table as the stores': its job pages are
    ``mallsales_*``, not the table's ``salesrecord_*``."""

    def sibling_url(self, suffix: str, **kwargs) -> str:
        return reverse(f"districts:mallsales_{suffix}", kwargs=kwargs or None)


class MallSalesImportView(MallSalesNames, ObjectImportView):
    pass


class MallSalesImportJobView(MallSalesNames, ImportJobView):
    pass
