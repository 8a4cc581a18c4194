from django.apps import AppConfig


class ExampleAppConfig(AppConfig):
    name = "tests.exampleapp"
    label = "exampleapp"
    verbose_name = "Wells (example app)"
    default_auto_field = "django.db.models.BigAutoField"
    # Not a streetbrain.* package: it opts in to the extension points.
    streetbrain_extensions = True
