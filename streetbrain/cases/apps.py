from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "streetbrain.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self):
        from . import codes
        from .channels.open311 import keys
        from .intake import refdata
        from .models import ApiKey

        post_migrate.connect(codes.load_after_migrate, sender=self, dispatch_uid="cases_seed")
        refdata.connect()
        post_save.connect(keys.forget, sender=ApiKey, dispatch_uid="cases-apikey-save")
        post_delete.connect(keys.forget, sender=ApiKey, dispatch_uid="cases-apikey-delete")
