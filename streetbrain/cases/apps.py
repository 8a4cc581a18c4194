from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "streetbrain.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import codes, figures, search  # noqa: F401  (figures, search)
        from .intake import refdata

        post_migrate.connect(codes.load_after_migrate, sender=self, dispatch_uid="cases_seed")
        refdata.connect()
        from django.db.models.signals import post_delete, post_save

        from .channels.open311 import keys
        from .models import ApiKey

        post_save.connect(keys.forget, sender=ApiKey, dispatch_uid="cases-apikey-save")
        post_delete.connect(keys.forget, sender=ApiKey, dispatch_uid="cases-apikey-delete")
