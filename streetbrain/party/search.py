"""Party organisations in the one search, by name, secretary or place."""

from django.utils.translation import gettext_lazy as _

from streetbrain.core.extension_points import SearchProvider

PROVIDERS = [
    SearchProvider(
        "party",
        _("Party organisations"),
        "party.Organisation",
        others=("secretary", "place"),
        describe=lambda o: f"{o.get_level_display()} · {o.get_form_display()}",
        order=65,
    )
]
