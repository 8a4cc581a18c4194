"""Filter sets of the cases app: the staff case list and the REST API share them.

Choice lists (classes, units, departments, sensors) are restricted to what the user may see,
as everywhere (``SearchFilterSet``): a filter never reveals a unit or department outside the
user's scope.
"""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from streetbrain.core.filtersets import FilterSet, SearchFilterSet
from streetbrain.core.models import Department, OrgUnit
from streetbrain.registry.models import ComponentClass

from .models import (
    OPEN_STATES,
    Case,
    Channel,
    Notification,
    RoutingRule,
    Sensor,
    State,
    TimeLimitStandard,
)


class CaseFilterSet(SearchFilterSet):
    """``state`` (several), ``channel``, ``component_class``, ``major`` (大类), ``org_unit``
    (any unit: the cases in its subtree), ``community``, ``department``, ``light``,
    ``overdue`` (red light and still open), ``needs_triage``, ``placed``,
    ``reported_at_after``/``reported_at_before`` (dates, both inclusive) and ``q`` (case
    number, title, description, address)."""

    search_fields = ("number", "title", "description", "address")

    # A column of the case itself: no join, so no DISTINCT (django-filter's default for a
    # multiple choice), which would sort every matching row on all its columns.
    state = django_filters.MultipleChoiceFilter(
        choices=State.choices, label=_("state"), distinct=False
    )
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("channel"))
    component_class = django_filters.ModelChoiceFilter(
        queryset=ComponentClass.objects.all(), label=_("class")
    )
    major = django_filters.CharFilter(
        field_name="component_class__major_code", label=_("Major class code")
    )
    org_unit = django_filters.ModelChoiceFilter(
        queryset=OrgUnit.objects.order_by("path"),
        method="filter_org_unit",
        label=_("Unit (with everything below it)"),
    )
    community = django_filters.ModelChoiceFilter(
        queryset=OrgUnit.objects.filter(level=OrgUnit.Level.COMMUNITY).order_by("code"),
        label=_("community"),
    )
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.order_by("sort_order", "code"),
        label=_("responsible department"),
    )
    light = django_filters.ChoiceFilter(choices=Case.Light.choices, label=_("timeliness"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue and open"))
    needs_triage = django_filters.BooleanFilter(label=_("needs triage"))
    placed = django_filters.BooleanFilter(label=_("placed in a grid"))
    reported_at = django_filters.DateFromToRangeFilter(label=_("Reported (from–to)"))

    class Meta:
        model = Case
        fields = [
            "state",
            "channel",
            "component_class",
            "major",
            "org_unit",
            "community",
            "department",
            "light",
            "overdue",
            "needs_triage",
            "placed",
            "reported_at",
        ]

    @extend_schema_field(OpenApiTypes.INT)  # the id of any org unit
    def filter_org_unit(self, queryset, name, value):
        return queryset.filter(org_unit__path__startswith=value.path) if value else queryset

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = Q(light=Case.Light.RED, state__in=OPEN_STATES)
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def search(self, queryset, name, value):
        value = value.strip()
        if value.isdigit() and len(value) >= 15:  # a whole case number: exactly that case
            return queryset.filter(number=value)
        return super().search(queryset, name, value)


class RoutingRuleFilterSet(SearchFilterSet):
    search_fields = ("note", "department__name", "component_class__name", "major_code")
    component_class = django_filters.ModelChoiceFilter(
        queryset=ComponentClass.objects.all(), label=_("class")
    )
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.order_by("sort_order", "code"), label=_("department")
    )

    class Meta:
        model = RoutingRule
        fields = ["component_class", "major_code", "department", "is_active"]


class TimeLimitFilterSet(SearchFilterSet):
    search_fields = ("component_class__code", "component_class__name", "condition")
    component_class = django_filters.ModelChoiceFilter(
        queryset=ComponentClass.objects.all(), label=_("class")
    )
    kind = django_filters.ChoiceFilter(
        field_name="component_class__kind", choices=ComponentClass.Kind.choices, label=_("kind")
    )

    class Meta:
        model = TimeLimitStandard
        fields = ["component_class", "kind", "limit_unit", "is_active"]


class SensorFilterSet(SearchFilterSet):
    search_fields = ("device_id", "name", "kind")
    org_unit = django_filters.ModelChoiceFilter(
        queryset=OrgUnit.objects.order_by("path"),
        method="filter_org_unit",
        label=_("Unit (with everything below it)"),
    )

    class Meta:
        model = Sensor
        fields = ["kind", "is_active", "org_unit"]

    @extend_schema_field(OpenApiTypes.INT)
    def filter_org_unit(self, queryset, name, value):
        return queryset.filter(org_unit__path__startswith=value.path) if value else queryset


class NotificationFilterSet(FilterSet):
    unread = django_filters.BooleanFilter(
        field_name="read_at", lookup_expr="isnull", label=_("Unread")
    )

    class Meta:
        model = Notification
        fields = ["kind", "unread"]
