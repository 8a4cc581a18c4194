"""Filters of the cooperatives' lists (pages and API share them)."""

from streetbrain.core.filtersets import SearchFilterSet

from .models import Cooperative


class CooperativeFilterSet(SearchFilterSet):
    """``colour`` (red, yellow, green), ``status``; ``q``: name, former village or credit code."""

    search_fields = ("name", "former_village", "credit_code")

    class Meta:
        model = Cooperative
        fields = ["colour", "status"]
