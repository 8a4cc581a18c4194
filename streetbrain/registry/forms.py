from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from streetbrain.core.generic import ScopedModelForm
from streetbrain.core.identifiers import id_number_problem
from streetbrain.core.models import OrgUnit
from streetbrain.core.protected import lookup, normalise_id_number

from .models import Building, Facility, House, Household, Resident, Shop


class GridChoiceMixin:
    """The grid-cell field offers only grid cells (of the user's scope)."""

    def limit_grid(self):
        if "org_unit" in self.fields:
            self.fields["org_unit"].queryset = self.fields["org_unit"].queryset.filter(
                level=OrgUnit.Level.GRID
            )


class BuildingForm(GridChoiceMixin, ScopedModelForm):
    class Meta:
        model = Building
        fields = [
            "code",
            "name",
            "kind",
            "compound",
            "address",
            "org_unit",
            "lon",
            "lat",
            "floors_above",
            "floors_below",
            "gross_area_m2",
            "year_built",
            "property_manager",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_grid()


class HouseForm(ScopedModelForm):
    class Meta:
        model = House
        fields = ["building", "number", "floor", "area_m2", "use"]

    def save(self, commit=True):
        house = super().save(commit=False)
        house.org_unit = house.building.org_unit  # a house lies in its building's grid
        if commit:
            house.save()
        return house


class HouseholdForm(GridChoiceMixin, ScopedModelForm):
    class Meta:
        model = Household
        fields = ["code", "kind", "house", "org_unit"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_grid()


class ResidentForm(GridChoiceMixin, ScopedModelForm):
    id_number_input = forms.CharField(
        label=_("ID number"),
        max_length=18,
        required=False,
        help_text=_("18 characters (GB 11643). Leave empty to keep the current one."),
    )
    phone_input = forms.CharField(
        label=_("phone"),
        max_length=20,
        required=False,
        help_text=_("Leave empty to keep the current one; enter “-” to remove it."),
    )

    class Meta:
        model = Resident
        fields = ["name", "residence", "household", "relation", "house", "org_unit", "tags"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_grid()
        if self.instance.pk:
            self.fields["id_number_input"].widget.attrs["placeholder"] = (
                self.instance.id_number_masked
            )
            self.fields["phone_input"].widget.attrs["placeholder"] = self.instance.phone_masked
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
        phone = self.cleaned_data.get("phone_input", "").strip()
        if phone == "-":
            resident.phone = ""
        elif phone:
            resident.phone = phone
        if commit:
            resident.save()
            self.save_m2m()
        return resident


class FacilityForm(GridChoiceMixin, ScopedModelForm):
    class Meta:
        model = Facility
        fields = [
            "object_id",
            "component_class",
            "name",
            "state",
            "address",
            "org_unit",
            "lon",
            "lat",
            "owner",
            "maintainer",
            "installed_on",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_grid()


class ShopForm(GridChoiceMixin, ScopedModelForm):
    phone_input = forms.CharField(
        label=_("phone"),
        max_length=20,
        required=False,
        help_text=_("Leave empty to keep the current one; enter “-” to remove it."),
    )

    class Meta:
        model = Shop
        fields = [
            "name",
            "credit_code",
            "licence_no",
            "industry",
            "building",
            "address",
            "operator",
            "org_unit",
            "lon",
            "lat",
            "status",
            "inspection",
            "inspected_on",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_grid()
        if self.instance.pk:
            self.fields["phone_input"].widget.attrs["placeholder"] = self.instance.phone_masked

    def save(self, commit=True):
        shop = super().save(commit=False)
        phone = self.cleaned_data.get("phone_input", "").strip()
        if phone == "-":
            shop.phone = ""
        elif phone:
            shop.phone = phone
        if commit:
            shop.save()
        return shop
