from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartyConfig(AppConfig):
    name = "streetbrain.party"
    label = "party"
    verbose_name = _("Party building")
    default_auto_field = "django.db.models.BigAutoField"
