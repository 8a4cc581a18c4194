"""System checks of the apps' declared extensions (``manage.py check``, and every command
that runs the checks): a URL name that does not reverse, a template that does not exist, a
related panel for a model that is not installed, a grant to a role nobody declares. Errors
here would otherwise show as a broken link or a missing panel on one page for one role.

And of the deployment: a per-process cache outside the demo and the tests (W010) lets each web
process count the rate limits on its own."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse

from . import extension_points as ep
from .cache import is_process_local


def _reverses(name: str) -> bool:
    for args in ((), (1,)):
        try:
            reverse(name, args=args)
            return True
        except NoReverseMatch:
            continue
    return False


def _template_exists(name: str) -> bool:
    try:
        get_template(name)
        return True
    except TemplateDoesNotExist:
        return False


def check_extensions(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    registry = ep.registry

    def error(kind, item, message: str, code: str) -> None:
        origin = registry.origin(kind, item.key)
        errors.append(checks.Error(f"{kind.__name__} {item.key!r} ({origin}): {message}", id=code))

    url_names = [
        (ep.MenuEntry, "url_name"),
        (ep.HeaderLink, "url_name"),
        (ep.Figure, "link"),
    ]
    for kind, attribute in url_names:
        for item in ep.items(kind):
            name = getattr(item, attribute)
            if name and not _reverses(name):
                error(kind, item, f"the URL name {name!r} does not reverse", "streetbrain.E001")
    for entry in ep.items(ep.MenuEntry):
        for child in entry.children:
            if isinstance(child.url_name, str) and not _reverses(child.url_name):
                error(
                    ep.MenuEntry,
                    entry,
                    f"the URL name {child.url_name!r} does not reverse",
                    "streetbrain.E001",
                )
    templates = [
        (ep.CockpitPanel, "template"),
        (ep.RelatedPanel, "template"),
        (ep.MapLayer, "controls"),
        (ep.MapLayer, "legend"),
    ]
    for kind, attribute in templates:
        for item in ep.items(kind):
            name = getattr(item, attribute)
            if name and not _template_exists(name):
                error(kind, item, f"the template {name!r} does not exist", "streetbrain.E002")
    for kind in (ep.RelatedPanel, ep.ListExtra):
        for item in ep.items(kind):
            try:
                apps.get_model(item.target)
            except (LookupError, ValueError):
                error(kind, item, f"{item.target!r} is not an installed model", "streetbrain.E003")
    for item in ep.items(ep.SearchProvider):
        try:
            apps.get_model(item.model)
        except (LookupError, ValueError):
            error(
                ep.SearchProvider,
                item,
                f"{item.model!r} is not an installed model",
                "streetbrain.E003",
            )
    layers = {layer.key for layer in ep.items(ep.MapLayer)}
    for addon in ep.items(ep.MapLayerAddon):
        if addon.layer not in layers:
            error(ep.MapLayerAddon, addon, f"no map layer {addon.layer!r}", "streetbrain.E004")
    roles = {role.key for role in ep.items(ep.Role)}
    for grant in ep.items(ep.Grant):
        if grant.role not in roles:
            error(ep.Grant, grant, f"no role {grant.role!r} is declared", "streetbrain.E005")
    loaders = {loader.key for loader in ep.items(ep.DemoLoader)}
    for loader in ep.items(ep.DemoLoader):
        for needed in loader.depends_on:
            if needed not in loaders:
                error(ep.DemoLoader, loader, f"depends on {needed!r}, which nobody declares",
                      "streetbrain.E006")  # fmt: skip
    return errors


def check_shared_cache(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Production needs a cache every process shares (the demo's and the tests' are fine:
    the demo's is its database, the tests run in one process)."""
    if settings.STREETBRAIN.get("DEMO") or not is_process_local():
        return []
    backend = settings.CACHES["default"]["BACKEND"]
    return [
        checks.Warning(
            f"The cache ({backend}) lives in each process: every web process counts the public "
            "report page's rate limit and the API's throttles on its own, so N processes let "
            "N times the limit through.",
            hint="Set CACHE_URL to Redis, e.g. rediscache://127.0.0.1:6379/1 (the default in "
            "production is REDIS_URL).",
            id="streetbrain.W010",
        )
    ]


def register() -> None:
    checks.register(check_extensions, "streetbrain")
    checks.register(check_shared_cache, "streetbrain", checks.Tags.caches)
