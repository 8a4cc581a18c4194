"""Filters of the party-building lists (pages and API)."""

from streetbrain.core.filtersets import SearchFilterSet

from .models import Organisation


class OrganisationFilterSet(SearchFilterSet):
    search_fields = ("name", "secretary", "place")

    class Meta:
        model = Organisation
        fields = ["level", "form", "attached_to"]
