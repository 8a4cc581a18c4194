import datetime

import django_filters
from django.db.models import Q
from django.utils import timezone
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

# The age filters' bounds: no one is older, and every birth date they lead to is a real date.
MAX_AGE = 150


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day ``years`` earlier; 29 February becomes the 28th in a common
    year."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


class InUnitFilterSet(SearchFilterSet):
    """Adds ``unit``: objects in the subtree of a street, community or grid (by id; a
    district's leader drills from its streets)."""

    unit = django_filters.ModelChoiceFilter(
        queryset=OrgUnit.objects.filter(level__in=["street", "community", "grid"]).order_by("code"),
        method="filter_unit",
        label=_("Street, community or grid"),
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
    age_min = django_filters.NumberFilter(
        method="filter_age_min", label=_("Age from"), min_value=0, max_value=MAX_AGE
    )
    age_max = django_filters.NumberFilter(
        method="filter_age_max", label=_("Age to"), min_value=0, max_value=MAX_AGE
    )

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
        # Aged at least n: born on or before this day n years ago.
        return queryset.filter(birth_date__lte=years_before(timezone.localdate(), int(value)))

    def filter_age_max(self, queryset, name, value):
        # Aged at most n: not yet n + 1, born after this day n + 1 years ago.
        earliest = years_before(timezone.localdate(), int(value) + 1)
        return queryset.filter(birth_date__gt=earliest)


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
