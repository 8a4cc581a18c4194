from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo district (no models): its loaders, declared as ``DemoLoader``s, and the
    ``demo`` command, which refuses to run outside ``streetbrain.settings.demo``."""

    name = "streetbrain.demo"
    label = "demo"
    verbose_name = "Demo district"
