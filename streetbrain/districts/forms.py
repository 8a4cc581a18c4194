"""Forms of the districts' pages: the first-store register, stores and campaigns. Choices
are scoped (``ScopedModelForm``); the views save through ``actions``."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streetbrain.core.generic import ScopedModelForm

from .models import BusinessDistrict, Campaign, Complex, FirstStore, Store

DATE_WIDGET = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class FirstStoreForm(ScopedModelForm):
    class Meta:
        model = FirstStore
        fields = ["district", "brand", "level", "opened_on", "complex", "store", "area_m2", "note"]
        widgets = {"opened_on": DATE_WIDGET}
        help_texts = {
            "level": _("The levels and their definitions are on the first-store register's page."),
        }


class StoreForm(ScopedModelForm):
    """A store; its registry shop and enterprise are found by credit code or name on save
    (``actions.link_store``), not picked from lists of thousands."""

    class Meta:
        model = Store
        fields = [
            "district", "complex", "code", "name", "brand", "category", "credit_code",
            "location", "area_m2", "opened_on", "status",
        ]  # fmt: skip
        widgets = {"opened_on": DATE_WIDGET}

    def clean_credit_code(self):
        return (self.cleaned_data.get("credit_code") or "").strip().upper()


class CampaignForm(ScopedModelForm):
    class Meta:
        model = Campaign
        fields = [
            "district", "name", "starts_on", "ends_on", "members", "coupons_issued",
            "coupons_redeemed", "coupon_value", "note",
        ]  # fmt: skip
        widgets = {"starts_on": DATE_WIDGET, "ends_on": DATE_WIDGET}


class DistrictTargetsForm(ScopedModelForm):
    """A district's description and the targets of one year (this year unless another is
    given); ``actions.save_district`` keeps them as that year's ``DistrictTarget``."""

    year = forms.IntegerField(label=_("year"), min_value=1900, max_value=2199, required=False)
    sales_target = forms.DecimalField(
        label=_("annual sales target (CNY)"), min_value=0, max_digits=16, decimal_places=2
    )
    first_store_target = forms.IntegerField(
        label=_("first stores to open a year"), min_value=0, max_value=100000
    )

    class Meta:
        model = BusinessDistrict
        fields = ["description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.pk:
            year = timezone.localdate().year
            target = self.instance.target_for(year)
            self.initial.update(
                year=year,
                sales_target=target.sales_target,
                first_store_target=target.first_store_target,
            )

    def target(self) -> tuple[int, object, int]:
        data = self.cleaned_data
        year = data.get("year") or timezone.localdate().year
        return year, data["sales_target"], data["first_store_target"]


class ComplexForm(ScopedModelForm):
    """A mall of a district: its name, kind, operator and where it stands (a point; its
    outline comes with OpenStreetMap data or the administrator)."""

    class Meta:
        model = Complex
        fields = ["district", "name", "kind", "operator", "lon", "lat"]
        help_texts = {"lon": _("WGS-84, e.g. 121.62 (with the latitude, e.g. 29.87).")}
