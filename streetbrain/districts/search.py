"""The districts' kinds in the one search: business districts, malls (on the map at their
outline's centre) and stores by name, brand, code or credit code."""

from django.utils.translation import gettext_lazy as _

from streetbrain.core.extension_points import SearchProvider
from streetbrain.core.search import at_point, has_point

PROVIDERS = [
    SearchProvider(
        "business_districts",
        _("Business districts"),
        "districts.BusinessDistrict",
        codes=("code",),
        describe=lambda d: d.description[:60],
        order=60,
    ),
    SearchProvider(
        "malls",
        _("Malls and complexes"),
        "districts.Complex",
        describe=lambda c: c.district.name,
        select_related=("district",),
        order=61,
        map_kind="mall",
        map_order=60,
        map_filter=has_point(),
        locate=at_point(),
    ),
    SearchProvider(
        "stores",
        _("Stores"),
        "districts.Store",
        codes=("code", "credit_code"),
        others=("brand",),
        describe=lambda s: " · ".join(x for x in (s.brand, str(s.complex or s.district)) if x),
        select_related=("complex", "district"),
        order=62,
    ),
]
