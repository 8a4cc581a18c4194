"""Filters of the services' API lists (scoped choice lists through ``SearchFilterSet``)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from streetbrain.core.filtersets import SearchFilterSet

from .models import Match, Notice, Policy


class PolicyFilterSet(SearchFilterSet):
    search_fields = ("title", "doc_no", "issuer")

    class Meta:
        model = Policy
        fields = ["source", "level"]


class MatchFilterSet(SearchFilterSet):
    enterprise = django_filters.NumberFilter(
        field_name="enterprise_id", label=_("enterprise"), min_value=1
    )
    clause = django_filters.NumberFilter(field_name="clause_id", label=_("clause"), min_value=1)
    current = django_filters.BooleanFilter(field_name="clause__current", label=_("current version"))

    class Meta:
        model = Match
        fields = ["verdict"]


class NoticeFilterSet(SearchFilterSet):
    search_fields = ("enterprise__name", "enterprise__credit_code")
    enterprise = django_filters.NumberFilter(
        field_name="enterprise_id", label=_("enterprise"), min_value=1
    )
    clause = django_filters.NumberFilter(field_name="clause_id", label=_("clause"), min_value=1)

    class Meta:
        model = Notice
        fields = ["state"]
