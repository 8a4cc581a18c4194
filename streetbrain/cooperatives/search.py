"""The cooperatives in the one search: by name, former village or credit code."""

from django.utils.translation import gettext_lazy as _

from streetbrain.core.extension_points import SearchProvider

PROVIDERS = [
    SearchProvider(
        "cooperatives",
        _("Shareholding cooperatives"),
        "cooperatives.Cooperative",
        codes=("credit_code",),
        others=("former_village",),
        describe=lambda c: f"{c.former_village} · {c.get_colour_display() or ''}",
        order=60,
    )
]
