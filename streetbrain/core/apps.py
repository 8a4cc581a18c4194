from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def sync_roles_after_migrate(sender, app_config=None, using="default", **kwargs):
    from .audit import audit_context
    from .roles import sync_roles

    with audit_context(source="system", reason="sync roles after migrate"):
        sync_roles(strict=False)


class CoreConfig(AppConfig):
    name = "streetbrain.core"
    label = "core"
    verbose_name = _("Platform core")

    def ready(self):
        from django.db.models.signals import post_delete, post_migrate, post_save

        from . import audit, cache, checks, extension_points, filtersets, geo_lookup, tasks
        from .models import OrgUnit

        # Every app's extensions.py: its map layers, search, cockpit panels, menu, roles …
        extension_points.autodiscover()
        filtersets.refresh_extra_filters()
        tasks.schedule_periodic_tasks()
        checks.register()
        audit.connect_signals()
        post_save.connect(geo_lookup.invalidate, sender=OrgUnit, dispatch_uid="grid_locator")
        post_delete.connect(geo_lookup.invalidate, sender=OrgUnit, dispatch_uid="grid_locator_d")
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="sync_roles")
        # The database cache's table (the demo's shared cache) comes with every migrate.
        post_migrate.connect(cache.create_cache_tables, sender=self, dispatch_uid="cache_tables")
