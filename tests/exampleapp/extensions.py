"""Everything the wells app adds to the platform, declared; nothing else in the platform
names it."""

from django.db.models import Count

from streetbrain.core.extension_points import (
    CockpitPanel,
    Figure,
    Grant,
    MapLayer,
    MenuEntry,
    RelatedPanel,
    Role,
    SearchProvider,
    UrlMount,
)
from streetbrain.core.figures import Tile, count_per_unit
from streetbrain.core.generic import Column, table
from streetbrain.core.maps.layers import Params, collection, feature, point
from streetbrain.core.search import at_point, has_point

from .models import Well


def wells_layer(user, params: Params) -> dict:
    qs = params.in_area(params.in_bbox(Well.objects.restrict(user)), "org_unit__path")
    return collection(
        [
            feature(
                point(w.lon, w.lat, params),
                {"id": w.pk, "name": w.name, "url": w.get_absolute_url()},
            )
            for w in qs.order_by("pk")
        ]
    )


def wells_panel(user, unit, today) -> dict | None:
    wells = Well.objects.restrict(user).filter(org_unit__path__startswith=unit.path)
    deep = wells.filter(depth_m__gte=10).aggregate(n=Count("pk"))["n"]
    return {"tiles": [Tile("wells", "Wells", wells.count()), Tile("deep", "Deep wells", deep)]}


def wells_in_unit(unit, user) -> dict | None:
    wells = Well.objects.restrict(user).filter(org_unit__path__startswith=unit.path)
    return table("Wells here", Well, [Column("name", link=True), Column("depth_m")], wells)


url_mounts = [UrlMount("exampleapp", "wells/", "tests.exampleapp.urls")]

map_layers = [
    MapLayer("wells", "Wells", "exampleapp.view_well", wells_layer, order=95, color="#1f7a8c")
]

search_providers = [
    SearchProvider(
        "wells",
        "Wells",
        "exampleapp.Well",
        describe=lambda w: w.org_unit.name,
        select_related=("org_unit",),
        map_kind="well",
        map_filter=has_point(),
        locate=at_point(),
    )
]

cockpit_panels = [
    CockpitPanel(
        "wells",
        "Wells",
        "exampleapp.view_well",
        "exampleapp/cockpit.html",
        wells_panel,
        order=90,
        width=4,
    )
]

figures = [
    Figure(
        "wells",
        "Wells",
        "",
        lambda units: count_per_unit(Well.objects.all(), units),
        "exampleapp:index",
        order=95,
        permission="exampleapp.view_well",
    )
]

menu = [
    MenuEntry(
        "wells",
        "Wells",
        "exampleapp:index",
        "The street's historical wells",
        "exampleapp.view_well",
        order=95,
    )
]

related_panels = [RelatedPanel("wells.unit", "core.orgunit", "exampleapp.view_well", wells_in_unit)]

roles = [Role("wellkeeper", "Well keeper", "Looks after the wells.", ("exampleapp.view_well",))]

grants = [Grant("wells.leader", "leader", ("exampleapp.view_well",))]
