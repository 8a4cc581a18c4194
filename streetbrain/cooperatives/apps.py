from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CooperativesConfig(AppConfig):
    name = "streetbrain.cooperatives"
    label = "cooperatives"
    verbose_name = _("Shareholding cooperatives")
    default_auto_field = "django.db.models.BigAutoField"
