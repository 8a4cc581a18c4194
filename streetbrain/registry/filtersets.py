import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from streetbrain.core.filtersets import SearchFilterSet
from streetbrain.core.models import OrgUnit
from streetbrain.core.protected import lookup

from .models import (
    Building,
    ComponentClass,
    Facility,
    House,
    Household,
    IndustryClass,
    Place,
    Resident,
    ResidentTag,
    Shop,
)


class InUnitFilterSet(SearchFilterSet):
    """Adds ``unit``: objects in the subtree of a community or grid (by code)."""

    unit = django_filters.ModelChoiceFilter(
        queryset=OrgUnit.objects.filter(level__in=["community", "grid"]).order_by("code"),
        method="filter_unit",
        label=_("Community or grid"),
    )

    @extend_schema_field(OpenApiTypes.INT)  # the id of a community or grid cell
    def filter_unit(self, queryset, name, value):
        return queryset.filter(org_unit__path__startswith=value.path) if value else queryset


class BuildingFilterSet(InUnitFilterSet):
    search_fields = ("code", "name", "address", "compound")

    class Meta:
        model = Building
        fields = ["kind", "unit"]


class HouseFilterSet(InUnitFilterSet):
    search_fields = ("number", "building__name", "building__code")

    class Meta:
        model = House
        fields = ["use", "unit", "building"]


class HouseholdFilterSet(InUnitFilterSet):
    search_fields = ("code",)

    class Meta:
        model = Household
        fields = ["kind", "unit"]


class ResidentFilterSet(InUnitFilterSet):
    """Residents are found by name, or exactly by ID number or phone (through the digest:
    the numbers themselves are never searched in plain text)."""

    tag = django_filters.ModelChoiceFilter(
        queryset=ResidentTag.objects.all(), field_name="tags", label=_("Tag")
    )
    age_min = django_filters.NumberFilter(method="filter_age_min", label=_("Age from"))
    age_max = django_filters.NumberFilter(method="filter_age_max", label=_("Age to"))

    class Meta:
        model = Resident
        fields = ["residence", "sex", "unit", "tag"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        q = Q(name__icontains=value)
        compact = value.replace(" ", "")
        if len(compact) == 18:
            q |= Q(**lookup(Resident, "id_number", compact))
        if compact.isdigit() and 7 <= len(compact) <= 12:
            q |= Q(**lookup(Resident, "phone", compact))
        return queryset.filter(q)

    def filter_age_min(self, queryset, name, value):
        import datetime

        today = datetime.date.today()
        latest_birth = today.replace(year=today.year - int(value))
        return queryset.filter(birth_date__lte=latest_birth)

    def filter_age_max(self, queryset, name, value):
        import datetime

        today = datetime.date.today()
        earliest_birth = today.replace(year=today.year - int(value) - 1)
        return queryset.filter(birth_date__gt=earliest_birth)


class FacilityFilterSet(InUnitFilterSet):
    search_fields = ("object_id", "name", "address", "component_class__name")
    component_class = django_filters.ModelChoiceFilter(
        queryset=ComponentClass.objects.filter(kind="component"), label=_("class")
    )
    major = django_filters.ChoiceFilter(
        field_name="component_class__major_code",
        choices=[("01", "01"), ("02", "02"), ("03", "03"), ("04", "04"), ("05", "05")],
        label=_("Major class"),
    )

    class Meta:
        model = Facility
        fields = ["state", "unit", "component_class", "major", "maintainer"]


class ShopFilterSet(InUnitFilterSet):
    """The shops' filters; the case engine adds "has open cases" (``ListExtra``)."""

    search_fields = ("name", "credit_code", "licence_no", "address", "operator")
    section = django_filters.CharFilter(field_name="industry__section__code", label=_("Section"))

    class Meta:
        model = Shop
        fields = ["status", "inspection", "unit", "section"]


class PlaceFilterSet(SearchFilterSet):
    search_fields = ("name",)

    class Meta:
        model = Place
        fields = ["kind"]


class ComponentClassFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "major_name")

    class Meta:
        model = ComponentClass
        fields = ["kind", "major_code"]


class IndustryClassFilterSet(SearchFilterSet):
    search_fields = ("code", "name")

    class Meta:
        model = IndustryClass
        fields = ["section", "division"]
