from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "streetbrain.core"
    label = "core"
    verbose_name = _("Platform core")

    def ready(self):
        from django.db.models.signals import post_delete, post_migrate, post_save

        from . import audit, geo_lookup, roles
        from .models import OrgUnit

        audit.connect_signals()
        post_save.connect(geo_lookup.invalidate, sender=OrgUnit, dispatch_uid="grid_locator")
        post_delete.connect(geo_lookup.invalidate, sender=OrgUnit, dispatch_uid="grid_locator_d")
        post_migrate.connect(roles.sync_roles_after_migrate, dispatch_uid="sync_roles")
