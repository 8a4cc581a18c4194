"""Forms of the districts' pages: the first-store register, stores and campaigns. Choices
are scoped (``ScopedModelForm``); the views save through ``actions``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from streetbrain.core.generic import ScopedModelForm

from .models import BusinessDistrict, Campaign, FirstStore, Store

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
    """A district's description and yearly targets."""

    class Meta:
        model = BusinessDistrict
        fields = ["description", "sales_target", "first_store_target"]
