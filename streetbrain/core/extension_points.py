"""Extension points: how an app puts itself on the platform's shared pages.

The map, the cockpit, the one search, the menu, the home page's key figures, another app's
detail page and list, the roles and the demo do not import the apps that appear on them.
Each app *declares* what it contributes in its ``extensions.py`` as plain lists of the frozen
dataclasses below; ``autodiscover`` (run by ``CoreConfig.ready``) imports that module of every
StreetBrain app and registers its declarations; the consumers read them back with ``items``
(every declaration of a kind, in order) or ``for_user`` (those the user may see). A new app
therefore appears everywhere by adding its own ``extensions.py``, touching no other app::

    # streetbrain/wells/extensions.py
    from streetbrain.core.extension_points import MapLayer, MenuEntry

    map_layers = [MapLayer("wells", _("Wells"), "wells.view_well", maplayers.wells)]
    menu = [MenuEntry("wells", _("Wells"), "wells:index", order=60)]

The kinds are fixed (a typo in a kind's name is an error, not a silently ignored hook), each
declaration is type-checked and its key is unique within its kind (the NetBox registry's
rules); ``override`` replaces declarations for the length of a test (Wagtail's
``register_temporarily``). Declarations hold callables and names, never query results: the
modules are imported at start-up, for every command, before any database exists.

The module attribute an app's ``extensions.py`` uses for each kind is the kind's
``attribute`` below (``search_providers``, ``map_layers``, ``cockpit_panels``, ``figures``,
``menu``, ``header_links``, ``related_panels``, ``list_extras``, ``map_layer_addons``,
``roles``, ``grants``, ``demo_loaders``, ``url_mounts``, ``periodic_tasks``, ``measures``,
``reserved_classes``).
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar

log = logging.getLogger(__name__)


def may(user, permission: str) -> bool:
    """Whether ``user`` holds ``permission`` ("app.codename"; empty: anyone signed in)."""
    if not permission:
        return bool(getattr(user, "is_authenticated", False))
    return bool(user.is_superuser or user.has_perm(permission))


# -- the kinds --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapLayer:
    """A layer of 一图通览. ``build(user, params) -> FeatureCollection`` reads its rows through
    ``restrict(user)``; ``params`` is ``core.maps.Params`` (bbox, zoom, area, filters, datum).

    ``style`` names the map script's renderer (``areas``, ``points``, ``buildings``,
    ``cases``); ``color`` colours a ``points`` layer; ``controls`` and ``legend`` are
    templates with the layer's own filter controls and legend on the map page (the cases'
    states and timeliness lights), rendered with ``controls_context()``.
    ``refresh(everything) -> rows`` recomputes what the layer precomputes (the cases'
    monthly densities): the recent months every 15 minutes, everything on demand."""

    attribute: ClassVar[str] = "map_layers"

    key: str
    label: Any
    permission: str
    build: Callable[[Any, Any], dict]
    attribution: str = ""
    order: int = 100
    default_on: bool = False
    style: str = "points"
    color: str = ""
    controls: str = ""
    legend: str = ""
    controls_context: Callable[[], dict] | None = None
    refresh: Callable[[bool], int] | None = None


@dataclass(frozen=True)
class MapLayerAddon:
    """Properties one app adds to the features of another app's layer, e.g. the residents
    counted per grid cell (registry) or the open cases per grid cell (cases) on the grid
    layer (core), or a tower's figures (economy) on the buildings layer (registry).

    ``properties(user, params, ids) -> {id: {name: value}}``, keyed by the feature's
    ``id``; ``defaults`` go on every feature when the addon applies (a 0 where a grid has
    no open case, so the popup says 0 rather than nothing)."""

    attribute: ClassVar[str] = "map_layer_addons"

    key: str
    layer: str
    permission: str
    properties: Callable[[Any, Any, list], dict]
    defaults: dict = field(default_factory=dict)
    order: int = 100


@dataclass(frozen=True)
class SearchProvider:
    """One kind of thing the one search finds: in the search box (``/search/``,
    ``/api/search/``, grouped by kind) and, when it has a place on the map, in the map's
    search (``/api/map/search/``, to fly there). ``core/search.py`` runs them all the same
    way: rows of ``queryset(user)`` (default ``model.objects.restrict(user, "view")``) whose
    ``name`` or ``others`` contain the text, whose ``codes`` start with it, or that ``exact``
    matches (identifiers: digests of ID numbers, the tail of a case number), ranked in the
    database: exact match, then prefix, then the name containing it, then another field.

    On the map: ``map_kind`` is its kind there (empty: not on the map); ``map_filter()``
    keeps the rows that have a position; ``locate(objects) -> {pk: {lon, lat[, bbox,
    detail]}}`` places them (one query for all); ``map_text=False`` finds it on the map by
    its identifiers only (cases by number). ``shadows`` names other providers whose rows this
    one stands for (``{key: user -> Q}``): an office tower is found as a tower, not again as
    a building."""

    attribute: ClassVar[str] = "search_providers"

    key: str
    label: Any
    model: str  # "app_label.ModelName"
    name: str = "name"
    codes: tuple[str, ...] = ()
    others: tuple[str, ...] = ()
    exact: Callable[[str], Any] | None = None
    exact_rank: int = 0
    describe: Callable[[Any], str] | None = None
    title: Callable[[Any], str] = str
    select_related: tuple[str, ...] = ()
    queryset: Callable[[Any], Any] | None = None
    tiebreak: tuple = ()
    min_length: int = 1
    permission: str = ""  # default: the model's view permission
    order: int = 100
    in_search: bool = True
    map_kind: str = ""
    map_order: int = 0  # the kinds' order on the map (default: ``order``)
    map_label: Any = ""
    map_filter: Callable[[], Any] | None = None
    locate: Callable[[list], dict] | None = None
    map_title: Callable[[Any], str] | None = None
    map_detail: Callable[[Any], str] | None = None
    map_text: bool = True
    shadows: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CockpitPanel:
    """A panel of the cockpit (驾驶舱). ``gather(user, unit, today) -> dict | None`` returns
    the template's context from precomputed figures of ``unit`` (the user's own unit, never
    a wider one), or None to leave the panel out; ``template`` renders it inside the
    panel's frame (its heading carries ``id="h-{{ panel.key }}"``). ``width`` is in twelfths
    of the cockpit's width; ``rows`` is how many grid rows it spans; ``poll`` refreshes it
    every so many seconds (0: never). A panel may draw charts: ``context["charts"]`` maps an
    element id of its template to a spec the cockpit's script draws with ECharts —
    ``{"type": "bars", "categories": [...], "series": [{"name", "values", "color"}],
    "urls": [...]}`` or ``{"type": "pie", "items": [{"name", "value", "url"}]}``; a click on a
    bar or a slice opens its URL."""

    attribute: ClassVar[str] = "cockpit_panels"

    key: str
    label: Any
    permission: str
    template: str
    gather: Callable[[Any, Any, Any], dict | None]
    order: int = 100
    width: int = 6
    rows: int = 1
    poll: int = 0


@dataclass(frozen=True)
class Figure:
    """A key figure: a named number per org unit, precomputed every 15 minutes (pages never
    count live). ``compute(units) -> {unit id: value}``; ``link`` is the URL name of the list
    behind it; ``permission`` that of the list (a count is a view of that list)."""

    attribute: ClassVar[str] = "figures"

    key: str
    label: Any
    unit: str
    compute: Callable[[list], dict[int, float]]
    link: str = ""
    order: int = 100
    levels: tuple[str, ...] = ("city", "district", "street", "community", "grid")
    permission: str = ""
    # Counted per org unit: a user scoped to a department (条), whose list shows only what was
    # dispatched to it, would see more in the count than in the list. Hide it from them.
    unit_scope_only: bool = False
    # The filter of the ``link`` list that takes a unit's id (its subtree's rows): a figure
    # with one is compared side by side for the units below a unit (the district's streets,
    # a street's communities), each value linking to its rows.
    unit_param: str = ""


@dataclass(frozen=True)
class MenuItem:
    """A link under a menu entry; shown when the user holds ``permission`` (every one of
    them, when several are given, comma-separated) and the URL name reverses. ``url_name``
    may be a function of the user giving the URL name or None (the first configuration page
    the user may open, say)."""

    label: Any
    url_name: str | Callable[[Any], str | None]
    permission: str = ""


@dataclass(frozen=True)
class MenuEntry:
    """A domain in the main menu and on the home page: its link, its description on the
    home page, the links under it. ``group`` is the menu's section (``domains``, ``org``,
    ``account``: the user's own pages, at the foot of the sidebar); ``permission`` hides the
    whole entry."""

    attribute: ClassVar[str] = "menu"

    key: str
    label: Any
    url_name: str
    description: Any = ""
    permission: str = ""
    order: int = 100
    group: str = "domains"
    children: tuple[MenuItem, ...] = ()


@dataclass(frozen=True)
class HeaderLink:
    """A link in the top bar with a count badge (e.g. the unread case notifications).
    ``count(user) -> int | None`` runs only when a page shows it."""

    attribute: ClassVar[str] = "header_links"

    key: str
    label: Any
    url_name: str
    count: Callable[[Any], int | None]
    permission: str = ""
    order: int = 100


@dataclass(frozen=True)
class RelatedPanel:
    """What one app shows on another app's detail page: the shop's cases (cases, on
    ``registry.shop``), the cases at an enterprise's towers (cases, on
    ``economy.enterprise``). ``build(obj, user) -> dict | None`` gives the template's
    context (None or an empty result: the panel is left out); ``template`` defaults to a
    table of ``{title, columns, rows, url}``."""

    attribute: ClassVar[str] = "related_panels"

    key: str
    target: str  # "app_label.model_name" of the page's object
    permission: str
    build: Callable[[Any, Any], dict | None]
    template: str = "generic/_related_table.html"
    order: int = 100


@dataclass(frozen=True)
class ListExtra:
    """Columns, filters and export columns one app adds to another app's list: the shops'
    open and total cases (cases, on ``registry.shop``). ``annotate(queryset) -> queryset``
    adds the values the columns read; ``filters`` are django-filter filters by name (their
    methods take ``(queryset, name, value)``); ``report`` are the import engine's
    ``ReportColumn``s (exported, ignored on import)."""

    attribute: ClassVar[str] = "list_extras"

    key: str
    target: str
    permission: str
    annotate: Callable[[Any], Any] | None = None
    columns: tuple = ()
    filters: dict = field(default_factory=dict)
    report: tuple = ()
    order: int = 100


@dataclass(frozen=True)
class Role:
    """A role: a permission set synchronised into a group after every migration."""

    attribute: ClassVar[str] = "roles"

    key: str
    label: Any
    description: Any
    permissions: tuple[str, ...] = ()
    order: int = 100


@dataclass(frozen=True)
class Grant:
    """Permissions an app adds to a role declared elsewhere (its own models' permissions for
    the street leader, say), so that a new app gives the leaders its pages without editing
    the roles of the core."""

    attribute: ClassVar[str] = "grants"

    key: str
    role: str
    permissions: tuple[str, ...]
    order: int = 100


@dataclass(frozen=True)
class DemoLoader:
    """A part of the demo district. ``load(ctx)`` loads it; ``is_loaded()`` says whether a
    demo database already has it (so a database made before an app existed gets that app's
    data on the next run); ``depends_on`` are the keys of the parts it builds on."""

    attribute: ClassVar[str] = "demo_loaders"

    key: str
    load: Callable[[Any], None]
    is_loaded: Callable[[], bool]
    depends_on: tuple[str, ...] = ()
    order: int = 100


@dataclass(frozen=True)
class UrlMount:
    """Where an app's URL configuration is mounted: ``urls`` (a module path, imported when
    the project's URLs load) under ``prefix``; with ``api=True`` under ``/api/``. The order
    decides which of two mounts with the same prefix answers first."""

    attribute: ClassVar[str] = "url_mounts"

    key: str
    prefix: str
    urls: str
    api: bool = False
    order: int = 100


@dataclass(frozen=True)
class PeriodicTask:
    """A Celery beat entry: the task's registered name and its period in seconds."""

    attribute: ClassVar[str] = "periodic_tasks"

    key: str
    task: str
    seconds: float
    order: int = 100


@dataclass(frozen=True)
class Measure:
    """A named number an app computes from its own data, for another app to show without
    importing it: the projects' computed indicators read the economy's 去化 and tax, or the
    cases near a site, through these. ``compute(user, params, first, last) -> float | None``
    is the value over the days ``first`` to ``last`` (dates) of the rows ``user`` may see;
    ``params`` is the caller's stored JSON (a radius and points, say: each measure documents
    what it reads); None when there is nothing to measure. ``unit`` is shown with the value."""

    attribute: ClassVar[str] = "measures"

    key: str
    label: Any
    unit: str
    compute: Callable[[Any, dict, Any, Any], float | None]
    order: int = 100


@dataclass(frozen=True)
class ReservedClasses:
    """Case classes an app raises through its own channel only (the enterprises' 诉求 classes
    of the services, say): the case engine keeps routing and timing them, but the residents'
    report form and Open311's service list do not offer them. ``major_codes`` and ``codes``
    name them; ``kind`` is the class kind ("matter" or "component")."""

    attribute: ClassVar[str] = "reserved_classes"

    key: str
    major_codes: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    kind: str = "matter"
    order: int = 100


def reserved_classes_q():
    """A ``Q`` over GB/T 47678.5 classes matching every reserved class (none: matches none)."""
    from django.db.models import Q

    q = Q(pk__in=[])
    for item in items(ReservedClasses):
        q |= Q(kind=item.kind) & (Q(major_code__in=item.major_codes) | Q(code__in=item.codes))
    return q


def is_reserved(component_class) -> bool:
    return any(
        component_class.kind == item.kind
        and (component_class.major_code in item.major_codes or component_class.code in item.codes)
        for item in items(ReservedClasses)
    )


KINDS: tuple[type, ...] = (
    SearchProvider,
    MapLayer,
    MapLayerAddon,
    CockpitPanel,
    Figure,
    MenuEntry,
    HeaderLink,
    RelatedPanel,
    ListExtra,
    Role,
    Grant,
    DemoLoader,
    UrlMount,
    PeriodicTask,
    Measure,
    ReservedClasses,
)

# -- the registry ---------------------------------------------------------------------------


class ExtensionError(Exception):
    """A declaration that cannot be registered: unknown kind, wrong type, duplicate key."""


class ExtensionRegistry:
    """Declarations by kind, each kind keyed by ``key``. Fixed kinds; adding a kind after
    start-up is an error."""

    def __init__(self, kinds: tuple[type, ...]):
        self._kinds = {kind.attribute: kind for kind in kinds}
        self._stores: dict[type, dict[str, Any]] = {kind: {} for kind in kinds}
        self._origin: dict[tuple[type, str], str] = {}
        self.discovered: list[str] = []

    @property
    def kinds(self) -> dict[str, type]:
        return dict(self._kinds)

    def register(self, item, *, origin: str = "") -> None:
        kind = type(item)
        if kind not in self._stores:
            raise ExtensionError(
                f"{origin or 'an extension'}: {item!r} is not a declaration of a known kind "
                f"({', '.join(sorted(self._kinds))})"
            )
        store = self._stores[kind]
        existing = store.get(item.key)
        if existing is not None and existing != item:
            raise ExtensionError(
                f"{origin}: a {kind.__name__} with the key {item.key!r} is already declared "
                f"by {self._origin[(kind, item.key)]}"
            )
        store[item.key] = item
        self._origin[(kind, item.key)] = origin

    def items(self, kind: type) -> list:
        if kind not in self._stores:
            raise ExtensionError(f"unknown kind {kind!r}")
        return sorted(self._stores[kind].values(), key=lambda item: (item.order, item.key))

    def get(self, kind: type, key: str):
        return self._stores[kind].get(key)

    def origin(self, kind: type, key: str) -> str:
        return self._origin.get((kind, key), "")

    def load_module(self, module, origin: str) -> int:
        """Register every declaration a module lists under a kind's attribute."""
        count = 0
        for attribute, kind in self._kinds.items():
            declared = getattr(module, attribute, None)
            if declared is None:
                continue
            if isinstance(declared, (str, bytes)) or not hasattr(declared, "__iter__"):
                raise ExtensionError(f"{origin}.{attribute} must be a list of {kind.__name__}")
            for item in declared:
                if not isinstance(item, kind):
                    raise ExtensionError(
                        f"{origin}.{attribute} holds {item!r}, not a {kind.__name__}"
                    )
                self.register(item, origin=origin)
                count += 1
        return count

    @contextmanager
    def override(self, *items, replace: tuple[type, ...] = ()) -> Iterator[None]:
        """For tests: add ``items`` (and empty the kinds in ``replace`` first) until the
        block ends, then restore exactly what was there."""
        saved = {kind: dict(store) for kind, store in self._stores.items()}
        saved_origin = dict(self._origin)
        try:
            for kind in replace:
                self._stores[kind].clear()
            for item in items:
                self.register(item, origin="override")
            yield
        finally:
            for kind, store in saved.items():
                self._stores[kind] = store
            self._origin = saved_origin


registry = ExtensionRegistry(KINDS)


def extension_modules() -> Iterator[tuple[str, str]]:
    """(app label, module name) of each installed app that contributes: every
    ``streetbrain.*`` app, and any other app whose AppConfig sets
    ``streetbrain_extensions = True`` (a third-party app opting in). Other packages'
    ``extensions`` modules (drf-spectacular ships one) are not ours."""
    from django.apps import apps

    for config in apps.get_app_configs():
        if not (
            config.name.startswith("streetbrain.")
            or getattr(config, "streetbrain_extensions", False)
        ):
            continue
        name = f"{config.name}.extensions"
        if importlib.util.find_spec(name) is not None:
            yield config.label, name


def autodiscover() -> None:
    """Import every app's ``extensions`` module and register what it declares. Idempotent
    (Django may call ``ready`` twice in tests); an error inside a module fails start-up
    with the module named, as Django's admin autodiscovery does."""
    for label, name in extension_modules():
        if name in registry.discovered:
            continue
        module = importlib.import_module(name)
        registry.load_module(module, origin=name)
        registry.discovered.append(name)
        log.debug("extensions of %s registered", label)


def items(kind: type) -> list:
    """Every declaration of ``kind``, by ``order`` then ``key``."""
    return registry.items(kind)


def for_user(kind: type, user) -> list:
    """The declarations of ``kind`` whose permission ``user`` holds."""
    return [item for item in registry.items(kind) if may(user, getattr(item, "permission", ""))]


def for_target(kind: type, model, user) -> list:
    """Related panels or list extras declared for ``model``'s pages that ``user`` may see."""
    target = f"{model._meta.app_label}.{model._meta.model_name}"
    return [item for item in for_user(kind, user) if item.target == target]


def override(*declarations, replace: tuple[type, ...] = ()):
    return registry.override(*declarations, replace=replace)
