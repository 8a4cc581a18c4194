"""Key figures of the registry, precomputed per org unit (home page, registry index)."""

from django.utils.translation import gettext_lazy as _

from streetbrain.core.figures import Figure, count_per_unit, register


def _counter(model_name: str):
    def compute(units):
        from django.apps import apps

        return count_per_unit(apps.get_model("registry", model_name).objects.all(), units)

    return compute


for order, (key, label, model, url) in enumerate(
    [
        ("residents", _("Residents"), "Resident", "registry:resident_list"),
        ("households", _("Households"), "Household", "registry:household_list"),
        ("houses", _("Houses"), "House", "registry:house_list"),
        ("buildings", _("Buildings"), "Building", "registry:building_list"),
        ("facilities", _("Facilities"), "Facility", "registry:facility_list"),
        ("shops", _("Street shops"), "Shop", "registry:shop_list"),
    ]
):
    register(
        Figure(
            key,
            label,
            "",
            _counter(model),
            url,
            60 + order,
            permission=f"registry.view_{model.lower()}",
        )
    )
