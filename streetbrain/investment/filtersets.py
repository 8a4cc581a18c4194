"""Filters of 招商's lists (pages and API share them)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from streetbrain.core.filtersets import FilterSet, SearchFilterSet

from .models import Lead, Stage, WhitelistEntry


class LeadFilterSet(SearchFilterSet):
    search_fields = ("name", "credit_code", "contact_name")
    stage = django_filters.MultipleChoiceFilter(choices=Stage.choices, label=_("stage"))
    source = django_filters.ChoiceFilter(choices=Lead.Source.choices, label=_("source"))
    division = django_filters.CharFilter(
        field_name="industry__division", label=_("industry division (大类)"), max_length=2
    )
    opened_after = django_filters.DateFilter(
        field_name="opened_on", lookup_expr="gte", label=_("opened from")
    )

    class Meta:
        model = Lead
        fields = ["stage", "source", "owner"]


class WhitelistEntryFilterSet(FilterSet):
    level = django_filters.ChoiceFilter(choices=WhitelistEntry.Level.choices, label=_("level"))
    code = django_filters.CharFilter(
        lookup_expr="startswith", label=_("industry code"), max_length=3
    )

    class Meta:
        model = WhitelistEntry
        fields = ["level", "code"]
