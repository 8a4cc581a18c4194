from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CockpitConfig(AppConfig):
    """一图通览 and the command cockpit: the one map of 人房物图事 and the leaders' dashboard."""

    name = "streetbrain.cockpit"
    label = "cockpit"
    verbose_name = _("Map and cockpit")
    default_auto_field = "django.db.models.BigAutoField"
