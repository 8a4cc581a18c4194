"""Filters of the districts' lists, shared by the pages and the API. The sales list's filters
are those the dashboard's figures are computed with (district, year, months, trade, mall,
store, campaign, 限额以上), so that each figure links to exactly the rows it sums."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from streetbrain.core.filtersets import SearchFilterSet
from streetbrain.core.months import parse_month

from . import measures
from .models import BusinessDistrict, Campaign, Category, Complex, FirstStore, SalesRecord, Store

YEAR = {"min_value": 1900, "max_value": 2199}


class YearFilter(django_filters.NumberFilter):
    """A year: a whole number (``2025``), not ``2025.5``."""

    field_class = forms.IntegerField


@extend_schema_field(OpenApiTypes.STR)
class MonthFilter(django_filters.CharFilter):
    """A month as 2025-03; ``lookup_expr`` gte/lte for a range."""

    def filter(self, qs, value):
        if not value:
            return qs
        month = parse_month(value)
        if month is None:
            raise ValidationError({self.field_name: _("Give a month as 2025-03.")}, code="invalid")
        return qs.filter(**{f"month__{self.lookup_expr}": month})


@extend_schema_field(OpenApiTypes.INT)
class CampaignFilter(django_filters.ModelChoiceFilter):
    """A campaign by id (its members' rows)."""


class BusinessDistrictFilterSet(SearchFilterSet):
    search_fields = ("code", "name")

    class Meta:
        model = BusinessDistrict
        fields = []


class ComplexFilterSet(SearchFilterSet):
    search_fields = ("name", "operator", "osm_name")
    district = django_filters.ModelChoiceFilter(
        queryset=BusinessDistrict.objects.all(), label=gettext_lazy("business district")
    )

    class Meta:
        model = Complex
        fields = ["district", "kind"]


class StoreFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "brand", "credit_code", "location")
    district = django_filters.ModelChoiceFilter(
        queryset=BusinessDistrict.objects.all(), label=gettext_lazy("business district")
    )
    complex = django_filters.ModelChoiceFilter(
        queryset=Complex.objects.all(), label=gettext_lazy("mall or complex")
    )
    linked = django_filters.BooleanFilter(
        method="filter_linked", label=gettext_lazy("linked to a shop or an enterprise")
    )
    above_limit = YearFilter(
        method="filter_above_limit",
        label=gettext_lazy("限额以上 in the year"),
        min_value=YEAR["min_value"],
        max_value=YEAR["max_value"],
    )

    class Meta:
        model = Store
        fields = ["district", "complex", "category", "status"]

    def filter_linked(self, qs, name, value):
        if value is None:
            return qs
        linked = qs.filter(shop__isnull=False) | qs.filter(enterprise__isnull=False)
        return linked if value else qs.exclude(pk__in=linked.values("pk"))

    def filter_above_limit(self, qs, name, value):
        if value is None:
            return qs
        user = getattr(self.request, "user", None)
        return qs.filter(pk__in=measures.above_limit_ids(user, None, int(value)))


class FirstStoreFilterSet(SearchFilterSet):
    search_fields = ("brand", "note", "complex__name")
    district = django_filters.ModelChoiceFilter(
        queryset=BusinessDistrict.objects.all(), label=gettext_lazy("business district")
    )
    complex = django_filters.ModelChoiceFilter(
        queryset=Complex.objects.all(), label=gettext_lazy("mall or complex")
    )
    year = YearFilter(
        field_name="opened_on", lookup_expr="year", label=gettext_lazy("year opened"), **YEAR
    )

    class Meta:
        model = FirstStore
        fields = ["district", "complex", "level", "year"]


class SalesRecordFilterSet(SearchFilterSet):
    search_fields = ("store__name", "store__code", "store__brand", "complex__name")
    district = django_filters.ModelChoiceFilter(
        queryset=BusinessDistrict.objects.all(), label=gettext_lazy("business district")
    )
    complex = django_filters.ModelChoiceFilter(
        queryset=Complex.objects.all(),
        method="filter_complex",
        label=gettext_lazy("mall or complex"),
    )
    no_complex = django_filters.BooleanFilter(
        method="filter_no_complex", label=gettext_lazy("outside the malls")
    )
    store = django_filters.ModelChoiceFilter(
        queryset=Store.objects.all(), label=gettext_lazy("store")
    )
    category = django_filters.ChoiceFilter(choices=Category.choices, label=gettext_lazy("trade"))
    year = YearFilter(field_name="month", lookup_expr="year", label=gettext_lazy("year"), **YEAR)
    month_from = MonthFilter(lookup_expr="gte", label=gettext_lazy("from month"))
    month_to = MonthFilter(lookup_expr="lte", label=gettext_lazy("to month"))
    campaign = CampaignFilter(
        queryset=Campaign.objects.all(),
        method="filter_campaign",
        label=gettext_lazy("members of the campaign"),
    )

    class Meta:
        model = SalesRecord
        fields = ["district", "complex", "store", "category", "year"]

    def filter_complex(self, qs, name, value):
        return qs if value is None else qs.filter(measures.in_mall(value.pk))

    def filter_no_complex(self, qs, name, value):
        if value is None:
            return qs
        outside = measures.in_mall(None)
        return qs.filter(outside) if value else qs.exclude(outside)

    def filter_campaign(self, qs, name, value):
        if value is None:
            return qs
        return qs.filter(store__in=value.members.all())


class CampaignFilterSet(SearchFilterSet):
    search_fields = ("name", "note")
    district = django_filters.ModelChoiceFilter(
        queryset=BusinessDistrict.objects.all(), label=gettext_lazy("business district")
    )
    year = YearFilter(
        field_name="starts_on", lookup_expr="year", label=gettext_lazy("year"), **YEAR
    )

    class Meta:
        model = Campaign
        fields = ["district", "year"]


class StoreSalesFilterSet(SalesRecordFilterSet):
    """The stores' rows only: the export in the stores' sales layout re-imports unchanged."""

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset.filter(store__isnull=False))


class MallSalesFilterSet(SalesRecordFilterSet):
    """The malls' own figures only, for the malls' sales layout."""

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset.filter(store__isnull=True))
