from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from streetbrain.core.generic import ScopedModelForm
from streetbrain.core.identifiers import id_number_problem
from streetbrain.core.models import OrgUnit
from streetbrain.core.protected import lookup, normalise_id_number
from streetbrain.core.text import CheckedForm

from .models import Building, Facility, House, Household, Resident, Shop


class RegistryForm(ScopedModelForm):
    """A registry form: the grid-cell field offers only grid cells of the user's scope."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "org_unit" in self.fields:
            self.fields["org_unit"].queryset = self.fields["org_unit"].queryset.filter(
                level=OrgUnit.Level.GRID
            )


class PhoneInputMixin(CheckedForm):
    """A protected phone edited as a plain input: empty keeps the stored value (shown masked
    as the placeholder), “-” removes it."""

    phone_input = forms.CharField(
        label=_("phone"),
        max_length=20,
        required=False,
        help_text=_("Leave empty to keep the current one; enter “-” to remove it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["phone_input"].widget.attrs["placeholder"] = self.instance.phone_masked

    def apply_phone(self, obj) -> None:
        phone = self.cleaned_data.get("phone_input", "").strip()
        if phone == "-":
            obj.phone = ""
        elif phone:
            obj.phone = phone


class BuildingForm(RegistryForm):
    class Meta:
        model = Building
        fields = [
            "code", "name", "kind", "compound", "address", "org_unit", "lon", "lat",
            "floors_above", "floors_below", "gross_area_m2", "year_built", "property_manager",
        ]  # fmt: skip


class HouseForm(RegistryForm):
    """The house's grid cell is its building's (set by House.save)."""

    class Meta:
        model = House
        fields = ["building", "number", "floor", "area_m2", "use"]


class HouseholdForm(RegistryForm):
    class Meta:
        model = Household
        fields = ["code", "kind", "house", "org_unit"]


class ResidentForm(PhoneInputMixin, RegistryForm):
    id_number_input = forms.CharField(
        label=_("ID number"),
        max_length=18,
        required=False,
        help_text=_("18 characters (GB 11643). Leave empty to keep the current one."),
    )

    class Meta:
        model = Resident
        fields = ["name", "residence", "household", "relation", "house", "org_unit", "tags"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            masked = self.instance.id_number_masked
            self.fields["id_number_input"].widget.attrs["placeholder"] = masked
        else:
            self.fields["id_number_input"].required = True

    def clean_id_number_input(self):
        value = normalise_id_number(self.cleaned_data.get("id_number_input", ""))
        if not value:
            return value
        problem = id_number_problem(value)
        if problem:
            raise ValidationError(problem)
        clash = Resident.objects.filter(**lookup(Resident, "id_number", value))
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError(_("A resident with this ID number is already registered."))
        return value

    def save(self, commit=True):
        resident = super().save(commit=False)
        if self.cleaned_data.get("id_number_input"):
            resident.set_id_number(self.cleaned_data["id_number_input"])
        self.apply_phone(resident)
        if commit:
            resident.save()
            self.save_m2m()
        return resident


class FacilityForm(RegistryForm):
    class Meta:
        model = Facility
        fields = [
            "object_id", "component_class", "name", "state", "address", "org_unit", "lon",
            "lat", "owner", "maintainer", "installed_on",
        ]  # fmt: skip


class ShopForm(PhoneInputMixin, RegistryForm):
    class Meta:
        model = Shop
        fields = [
            "name", "credit_code", "licence_no", "industry", "building", "address", "operator",
            "org_unit", "lon", "lat", "status", "inspection", "inspected_on",
        ]  # fmt: skip

    def save(self, commit=True):
        shop = super().save(commit=False)
        self.apply_phone(shop)
        if commit:
            shop.save()
        return shop
