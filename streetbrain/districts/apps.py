from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DistrictsConfig(AppConfig):
    name = "streetbrain.districts"
    label = "districts"
    verbose_name = _("Business districts")
    default_auto_field = "django.db.models.BigAutoField"
