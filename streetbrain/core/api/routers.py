"""The router every app's API registers its viewsets on."""

from rest_framework.routers import DefaultRouter


class Router(DefaultRouter):
    """DRF's default router, with object ids in the URL taken as whole numbers (as the pages'
    ``<int:pk>``): ``…/residents/abc/reveal/`` is not a route (404), so no view, and no custom
    action filtering by the raw ``pk``, ever sees text where an id belongs. A viewset whose
    lookup is not a number says so with its own ``lookup_value_regex``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self._use_regex:
            self._default_value_pattern = "[0-9]+"
        else:
            self._default_value_pattern = "int"
