"""Filters of the building economy's lists (the API now, the pages later). Choice lists are
scoped by ``SearchFilterSet``; ``unit`` narrows to a community or grid cell like the registry's."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from streetbrain.core.filtersets import FilterSet, SearchFilterSet
from streetbrain.core.months import parse_month
from streetbrain.registry.filtersets import InUnitFilterSet

from .models import (
    Enterprise,
    IndustryChain,
    Lease,
    MonthlyFigure,
    MoveOutWarning,
    OfficeBuilding,
    Unit,
    industry_q,
    validate_industry_prefix,
)


class DateInput(forms.DateInput):
    """<input type="date">: ISO dates whatever the locale's format."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):  # Django's argument name
        super().__init__(attrs, format)


def _office_buildings():
    return OfficeBuilding.objects.select_related("building").order_by("building__code")


@extend_schema_field(OpenApiTypes.STR)
class MonthFilter(django_filters.CharFilter):
    """A month as 2025-03 (or any day of it: 2025-03-15); matches the month's first day."""

    def filter(self, qs, value):
        if not value:
            return qs
        month = parse_month(value)
        if month is None:
            raise ValidationError({self.field_name: _("Give a month as 2025-03.")}, code="invalid")
        return qs.filter(**{f"{self.field_name}__{self.lookup_expr}": month})


class OfficeBuildingFilterSet(InUnitFilterSet):
    search_fields = ("building__code", "building__name", "building__address", "owner", "manager")
    chain = django_filters.ModelChoiceFilter(
        queryset=IndustryChain.objects.all(), label=gettext_lazy("industrial chain")
    )

    class Meta:
        model = OfficeBuilding
        fields = ["grade", "chain", "leader", "unit"]


class UnitFilterSet(InUnitFilterSet):
    search_fields = ("code", "building__building__name")
    building = django_filters.ModelChoiceFilter(
        queryset=_office_buildings(), label=gettext_lazy("office building")
    )
    floor = django_filters.NumberFilter(field_name="floor__number", label=gettext_lazy("floor"))

    class Meta:
        model = Unit
        fields = ["building", "floor", "status", "unit"]


class EnterpriseFilterSet(InUnitFilterSet):
    """``industry``: a GB/T 4754 prefix (I, 65, 6513); ``building``: enterprises with a lease in
    force there; ``q``: name, or the credit code."""

    search_fields = ("name", "credit_code")
    industry = django_filters.CharFilter(
        method="filter_industry", label=gettext_lazy("Industry (GB/T 4754 prefix)")
    )
    building = django_filters.ModelChoiceFilter(
        queryset=_office_buildings(),
        method="filter_building",
        label=gettext_lazy("office building"),
    )

    class Meta:
        model = Enterprise
        fields = ["status", "locally_registered", "industry", "building", "unit"]

    def filter_industry(self, queryset, name, value):
        value = value.strip().upper()
        try:
            validate_industry_prefix(value)
        except ValidationError as exc:
            raise ValidationError({"industry": exc.messages}) from None
        return queryset.filter(industry_q(value)) if value else queryset

    @extend_schema_field(OpenApiTypes.INT)  # the office building's id
    def filter_building(self, queryset, name, value):
        if not value:
            return queryset
        leasing = Lease.objects.current().filter(building=value).values("enterprise")
        return queryset.filter(pk__in=leasing)


class LeaseFilterSet(InUnitFilterSet):
    """``held_on``: leases holding their space that day; ``ends_before``/``ends_after``: by the
    contract's end (the leases coming up for renewal)."""

    search_fields = ("contract_number", "enterprise__name", "enterprise__credit_code")
    building = django_filters.ModelChoiceFilter(
        queryset=_office_buildings(), label=gettext_lazy("office building")
    )
    enterprise = django_filters.ModelChoiceFilter(
        queryset=Enterprise.objects.all(), label=gettext_lazy("enterprise")
    )
    held_on = django_filters.DateFilter(method="filter_held_on", label=gettext_lazy("Held on"))
    ends_before = django_filters.DateFilter(
        field_name="end_date", lookup_expr="lte", label=gettext_lazy("Ends on or before")
    )
    ends_after = django_filters.DateFilter(
        field_name="end_date", lookup_expr="gte", label=gettext_lazy("Ends on or after")
    )

    class Meta:
        model = Lease
        fields = ["building", "enterprise", "state", "unit"]

    def filter_held_on(self, queryset, name, value):
        return queryset.held_on(value) if value else queryset


class LeaseListFilterSet(LeaseFilterSet):
    """The lease list's filters (page and export): the API's, with ``status`` — where the lease
    stands today (``Lease.TermStatus``: in force, ending within 6 months with no renewal,
    ended) — and the end date as a range of dates; ``enterprise`` stays a hidden parameter
    (a link from an enterprise's profile), the search box finds enterprises by name."""

    status = django_filters.ChoiceFilter(
        choices=Lease.TermStatus.choices,
        method="filter_status",
        label=gettext_lazy("status today"),
    )
    ends_after = django_filters.DateFilter(
        field_name="end_date",
        lookup_expr="gte",
        label=gettext_lazy("Ends on or after"),
        widget=DateInput,
    )
    ends_before = django_filters.DateFilter(
        field_name="end_date",
        lookup_expr="lte",
        label=gettext_lazy("Ends on or before"),
        widget=DateInput,
    )

    class Meta(LeaseFilterSet.Meta):
        fields = ["building", "status", "enterprise", "unit"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters.pop("held_on", None)  # ``status`` says it for today
        self.filters["enterprise"].extra["widget"] = forms.HiddenInput
        self.filters["enterprise"].label = ""
        self.filters["q"].label = gettext_lazy("Contract or enterprise")

    def filter_status(self, queryset, name, value):
        return queryset.term_status(value, timezone.localdate()) if value else queryset


class MoveOutWarningFilterSet(SearchFilterSet):
    search_fields = ("enterprise__name", "enterprise__credit_code")
    building = django_filters.ModelChoiceFilter(
        queryset=_office_buildings(), label=gettext_lazy("office building")
    )
    enterprise = django_filters.ModelChoiceFilter(
        queryset=Enterprise.objects.all(), label=gettext_lazy("enterprise")
    )
    open = django_filters.BooleanFilter(method="filter_open", label=gettext_lazy("Not closed"))
    raised_after = django_filters.DateFilter(
        field_name="raised_on", lookup_expr="gte", label=gettext_lazy("Raised on or after")
    )

    class Meta:
        model = MoveOutWarning
        fields = ["state", "outcome", "building", "enterprise", "assignee"]

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        closed = Q(state=MoveOutWarning.State.CLOSED)
        return queryset.exclude(closed) if value else queryset.filter(closed)


class MonthlyFigureFilterSet(FilterSet):
    """``month``: one month (2025-03); ``month_from``/``month_to``: a range for trends."""

    building = django_filters.ModelChoiceFilter(
        queryset=_office_buildings(), label=gettext_lazy("office building")
    )
    month = MonthFilter(field_name="month", lookup_expr="exact", label=gettext_lazy("month"))
    month_from = MonthFilter(field_name="month", lookup_expr="gte", label=gettext_lazy("From"))
    month_to = MonthFilter(field_name="month", lookup_expr="lte", label=gettext_lazy("To"))

    class Meta:
        model = MonthlyFigure
        fields = ["scope", "key", "building", "month"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        qs = self.filters["building"].queryset
        self.filters["building"].queryset = qs.restrict(user, "view") if user else qs.none()
