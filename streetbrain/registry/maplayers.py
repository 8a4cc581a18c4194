"""The registry's layers of 一图通览: buildings, OpenStreetMap's landmarks, facilities
(管理部件) and street shops; and the population it adds to the core's communities and grid
cells. People are never drawn: population shows as counts per grid cell, community or
building."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count

from streetbrain.core.extension_points import may
from streetbrain.core.figures import stored_per_unit
from streetbrain.core.maps.layers import (
    MAX_POINTS,
    OSM_ATTRIBUTION,
    Params,
    bins,
    collection,
    feature,
    point,
    shift,
    url,
    url_template,
)
from streetbrain.core.models import OrgUnit

from .models import Building, Facility, Household, Place, Resident, Shop


def building_layer(user, params: Params) -> dict:
    """Buildings: outlines from zoom ``COCKPIT_POINT_ZOOM`` on (points below it, where an
    outline would be a few pixels), with residents counted per building."""
    qs = params.in_area(params.in_bbox(Building.objects.restrict(user)), "org_unit__path")
    outlines = params.zoom >= settings.COCKPIT_POINT_ZOOM
    fields = ["pk", "name", "kind", "address", "lon", "lat"] + (["footprint"] if outlines else [])
    rows = list(qs.order_by("code").values_list(*fields)[: MAX_POINTS + 1])
    if len(rows) > MAX_POINTS:
        # A view of several streets (a district's 18,000 buildings): counts in bins, as the
        # shops do, not the first MAX_POINTS by code (which drew a few streets only).
        return bins(qs, params)
    residents = {}
    if rows and may(user, "registry.view_resident"):
        # Counted for the buildings drawn only (a district holds 1.5 million residents).
        residents = dict(
            Resident.objects.restrict(user)
            .filter(house__building_id__in=[row[0] for row in rows])
            .values_list("house__building_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
    features = []
    for row in rows:
        pk, name, kind, address, lon, lat = row[:6]
        footprint = row[6] if outlines else None
        props = {"id": pk, "name": name, "kind": kind, "address": address}
        if pk in residents:
            props["residents"] = residents[pk]
        geometry = shift(footprint, params) if footprint else point(lon, lat, params)
        features.append(feature(geometry, props))
    return collection(
        features,
        attribution=OSM_ATTRIBUTION,
        kinds={k: str(v) for k, v in Building.Kind.choices},
        url=url_template("registry:building_detail"),
    )


def landmark_layer(user, params: Params) -> dict:
    features = [
        feature(
            shift(p.geometry, params) if p.geometry else point(p.lon, p.lat, params),
            {
                "name": p.name,
                "kind": p.kind,
                "kind_label": p.get_kind_display(),
                "source": "OpenStreetMap",
                "url": url("registry:place_detail", p.pk),
            },
        )
        for p in params.in_bbox(Place.objects.all()).order_by("pk")[:MAX_POINTS]
    ]
    return collection(features, attribution=OSM_ATTRIBUTION)


def facility_layer(user, params: Params) -> dict:
    """管理部件 by GB/T 47678.5 class: single points close up, bins below
    ``COCKPIT_POINT_ZOOM`` (a street has thousands)."""
    qs = params.in_area(params.in_bbox(Facility.objects.restrict(user)), "org_unit__path")
    if params.component_class:
        qs = qs.filter(component_class__code=params.component_class)
    if params.zoom < settings.COCKPIT_POINT_ZOOM:
        return bins(qs, params)
    classes: dict[str, dict] = {}
    features = []
    rows = qs.order_by("pk").values_list(
        "pk",
        "name",
        "lon",
        "lat",
        "component_class__code",
        "component_class__name",
        "component_class__major_name",
    )
    for pk, name, lon, lat, code, cls_name, major in rows[:MAX_POINTS]:
        classes.setdefault(code, {"name": cls_name, "major": major})
        features.append(feature(point(lon, lat, params), {"id": pk, "name": name, "class": code}))
    return collection(
        features, aggregated=False, classes=classes, url=url_template("registry:facility_detail")
    )


def shop_layer(user, params: Params) -> dict:
    """Street shops: points with their licence and status (a street has a few thousand, so
    they stay points; bins only when more than ``MAX_POINTS`` are in view)."""
    qs = params.in_area(params.in_bbox(Shop.objects.restrict(user)), "org_unit__path")
    rows = list(
        qs.order_by("pk").values_list("pk", "name", "status", "licence_no", "lon", "lat")[
            : MAX_POINTS + 1
        ]
    )
    if len(rows) > MAX_POINTS:
        return bins(qs, params)
    features = [
        feature(
            point(lon, lat, params),
            {"id": pk, "name": name, "status": status, "licence": licence},
        )
        for pk, name, status, licence, lon, lat in rows
    ]
    return collection(
        features,
        aggregated=False,
        statuses={k: str(v) for k, v in Shop.Status.choices},
        url=url_template("registry:shop_detail"),
    )


def population(level: str):
    """Residents and households per community or grid cell (``level``), for the core's area
    layers; counts only, never people."""
    key = "org_unit_id" if level == OrgUnit.Level.GRID else "org_unit__parent_id"

    def properties(user, params: Params, ids: list) -> dict[int, dict]:
        stored = stored_per_unit(user, ids, {"residents": "residents", "households": "households"})
        if stored is not None:
            return stored
        out: dict[int, dict] = {}
        inside = {f"{key}__in": ids}
        for model, name in ((Resident, "residents"), (Household, "households")):
            rows = model.objects.restrict(user).filter(**inside).values_list(key)
            for unit_id, n in rows.annotate(n=Count("pk")).order_by():
                out.setdefault(unit_id, {})[name] = n
        return out

    return properties
