"""What the map and cockpit contribute through the extension points: their entries in the
menu and on the home page, the refresh of the map layers' precomputed figures."""

from django.utils.translation import gettext_lazy as _

from streetbrain.core.extension_points import MenuEntry, PeriodicTask, UrlMount

menu = [
    MenuEntry("map", _("One map"), "cockpit:map", _("人房物图事 on one map (一图通览)"), order=60),
    MenuEntry(
        "cockpit",
        _("Cockpit"),
        "cockpit:index",
        _("The leaders' dashboard and wall screen (驾驶舱)"),
        order=70,
    ),
]

periodic_tasks = [
    PeriodicTask("refresh-case-density", "streetbrain.cockpit.tasks.refresh_density", 900),
]

url_mounts = [
    UrlMount("cockpit", "", "streetbrain.cockpit.urls", order=60),
    UrlMount("cockpit.api", "map/", "streetbrain.cockpit.api_urls", api=True, order=60),
]
