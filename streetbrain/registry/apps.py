from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "streetbrain.registry"
    label = "registry"
    verbose_name = _("People, houses, things")

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import codes

        post_migrate.connect(codes.load_after_migrate, sender=self, dispatch_uid="load_codes")
