"""The projects' API list filters, on the platform's base (``core.filtersets.FilterSet``: every
value range-checked, a refused filter answered 400 with the reason)."""

import django_filters
from django.utils.translation import gettext_lazy

from streetbrain.core.filtersets import FilterSet

from .models import HardCase, Plot, Project


class ProjectFilterSet(FilterSet):
    class Meta:
        model = Project
        fields = ["year", "kind"]


class PlotFilterSet(FilterSet):
    class Meta:
        model = Plot
        fields = ["project"]


class HardCaseFilterSet(FilterSet):
    open = django_filters.BooleanFilter(
        field_name="closed_at", lookup_expr="isnull", label=gettext_lazy("Open")
    )

    class Meta:
        model = HardCase
        fields = ["stage", "leader", "plot"]
