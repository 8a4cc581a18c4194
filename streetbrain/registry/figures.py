"""Key figures of the registry, precomputed per org unit (home page, registry index): the
residents, households, houses, buildings, facilities and shops of each unit's subtree."""

from django.utils.translation import gettext_lazy as _

from streetbrain.core.extension_points import Figure
from streetbrain.core.figures import count_per_unit

from .models import Building, Facility, House, Household, Resident, Shop


def _counter(model):
    def compute(units):
        return count_per_unit(model.objects.all(), units)

    return compute


FIGURES = [
    Figure(
        key,
        label,
        "",
        _counter(model),
        url,
        60 + order,
        permission=f"registry.view_{model._meta.model_name}",
        unit_param=unit_param,
    )
    # The population's figures are compared side by side for the units below a unit (their
    # lists' ``unit`` filter); the others are shown per unit only.
    for order, (key, label, model, url, unit_param) in enumerate(
        [
            ("residents", _("Residents"), Resident, "registry:resident_list", "unit"),
            ("households", _("Households"), Household, "registry:household_list", "unit"),
            ("houses", _("Houses"), House, "registry:house_list", ""),
            ("buildings", _("Buildings"), Building, "registry:building_list", ""),
            ("facilities", _("Facilities"), Facility, "registry:facility_list", ""),
            ("shops", _("Street shops"), Shop, "registry:shop_list", ""),
        ]
    )
]
