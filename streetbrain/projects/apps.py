from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "streetbrain.projects"
    label = "projects"
    verbose_name = _("Key projects")
    default_auto_field = "django.db.models.BigAutoField"
