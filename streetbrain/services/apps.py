from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "streetbrain.services"
    label = "services"
    verbose_name = _("Enterprise services")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The 诉求 classes the case engine routes (data rows of its tables, no schema change).
        from . import requests, signals

        post_migrate.connect(requests.load_after_migrate, sender=self)
        # An enterprise's changed data recompute its matches (on commit, one task).
        signals.connect()
