"""一图通览's layers: the map's query, GeoJSON helpers and the one function that builds a
declared layer for a user.

A layer is declared by its app (``extension_points.MapLayer``): the permission that lets a
user see it and a function ``(user, params) -> FeatureCollection`` that reads its rows
through ``restrict(user)``. Points are filtered by the map's ``bbox``; big point layers are
aggregated into square bins whose size follows the zoom (``bins``), so a request stays small
and fast with a million rows. Other apps may add properties to a layer's features
(``MapLayerAddon``): ``build`` applies them.

Coordinates are stored and served in WGS-84. A base map in GCJ-02 (高德) asks for
``coords=gcj02`` and gets them shifted for display (``gcj02.py``); its ``bbox`` is then in
GCJ-02 too.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, F
from django.db.models.functions import Floor
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import extension_points as ep
from ..models import OrgUnit
from . import gcj02

log = logging.getLogger(__name__)

MAX_POINTS = 5000  # a point layer larger than this in the view is sent as bins
BIN_PIXELS = 48  # a bin's size on screen at the requested zoom
OSM_ATTRIBUTION = "© OpenStreetMap contributors"


@dataclass(frozen=True)
class Params:
    bbox: tuple[float, float, float, float] | None  # min lon, min lat, max lon, max lat
    zoom: float
    community: str
    grid: str
    component_class: str
    state: str
    since: dt.date | None
    until: dt.date | None
    history: bool
    gcj: bool

    @classmethod
    def parse(cls, query) -> Params:
        """From a request's query parameters; ``ValidationError`` (field → message) if bad."""
        errors = {}
        bbox = None
        if query.get("bbox"):
            try:
                parts = [float(p) for p in query["bbox"].split(",")]
                if len(parts) != 4 or not all(math.isfinite(p) for p in parts):
                    raise ValueError
                if not (parts[0] < parts[2] and parts[1] < parts[3]):
                    raise ValueError
                bbox = tuple(parts)
            except ValueError:
                errors["bbox"] = _("Give bbox as min_lon,min_lat,max_lon,max_lat.")
        try:
            zoom = float(query.get("zoom") or 15)
            if not 0 <= zoom <= 22:
                raise ValueError
        except ValueError:
            errors["zoom"] = _("Zoom is a number from 0 to 22.")
            zoom = 15
        dates = {}
        for name in ("since", "until"):
            value = query.get(name) or ""
            try:
                dates[name] = dt.date.fromisoformat(value) if value else None
            except ValueError:
                errors[name] = _("Enter a date as YYYY-MM-DD.")
                dates[name] = None
        coords = query.get("coords") or "wgs84"
        if coords not in ("wgs84", "gcj02"):
            errors["coords"] = _("coords is wgs84 or gcj02.")
        if errors:
            raise ValidationError(errors)
        if bbox is not None and coords == "gcj02":
            # A map drawn in GCJ-02 sends its view in GCJ-02; the rows are WGS-84 (about
            # 500 m apart here: a close view would otherwise miss what lies in it).
            bbox = (*gcj02.to_wgs84(bbox[0], bbox[1]), *gcj02.to_wgs84(bbox[2], bbox[3]))
        return cls(
            bbox=bbox,
            zoom=zoom,
            community=(query.get("community") or "").strip(),
            grid=(query.get("grid") or "").strip(),
            component_class=(query.get("class") or "").strip(),
            state=(query.get("state") or "").strip(),
            since=dates["since"],
            until=dates["until"],
            history=(query.get("history") or "") in ("1", "true", "yes"),
            gcj=coords == "gcj02",
        )

    def in_bbox(self, qs, lon: str = "lon", lat: str = "lat"):
        qs = qs.filter(**{f"{lon}__isnull": False, f"{lat}__isnull": False})
        if self.bbox is None:
            return qs
        x0, y0, x1, y1 = self.bbox
        return qs.filter(**{f"{lon}__range": (x0, x1), f"{lat}__range": (y0, y1)})

    def area(self) -> OrgUnit | bool | None:
        """The community or grid cell chosen (by code): the unit, None if the code names
        none, False if none is chosen."""
        code = self.grid or self.community
        if not code:
            return False
        return OrgUnit.objects.filter(code=code).only("path").first()

    def in_area(self, qs, path_lookup: str):
        """Only what lies in the chosen community or grid cell (by code)."""
        unit = self.area()
        if unit is False:
            return qs
        if unit is None:
            return qs.none()
        return qs.filter(**{f"{path_lookup}__startswith": unit.path})


# -- GeoJSON helpers ------------------------------------------------------------------------


def point(lon: float, lat: float, params: Params) -> dict:
    if params.gcj:
        lon, lat = gcj02.from_wgs84(lon, lat)
    return {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}


def shift(geometry: dict | None, params: Params) -> dict | None:
    if geometry is None or not params.gcj:
        return geometry
    return gcj02.geometry_from_wgs84(geometry)


def feature(geometry, properties: dict) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def collection(features: list, **meta) -> dict:
    return {"type": "FeatureCollection", "features": features, **meta}


def url(name: str, pk) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:  # that page is not installed: no link
        return ""


def url_template(name: str) -> str:
    """A detail page's URL with ``{id}`` for the object's key (sent once per layer, not once
    per feature)."""
    found = url(name, 987654321)
    return found.replace("987654321", "{id}") if found else ""


def bin_size(zoom: float) -> float:
    """A bin's side in degrees: ``BIN_PIXELS`` screen pixels at ``zoom`` (256-pixel tiles)."""
    return 360.0 / (256 * 2**zoom) * BIN_PIXELS


def bins(qs, params: Params, **counts) -> dict:
    """Square bins of ``BIN_PIXELS`` screen pixels at the zoom: a count each (and the extra
    ``counts``, named Count aggregates), computed in the database."""
    size = bin_size(params.zoom)
    rows = (
        qs.annotate(bx=Floor(F("lon") / size), by=Floor(F("lat") / size))
        .values("bx", "by")
        .annotate(n=Count("pk"), **counts)
        .order_by()
    )
    features = []
    for row in rows:
        lon, lat = (row.pop("bx") + 0.5) * size, (row.pop("by") + 0.5) * size
        row["count"] = row.pop("n")
        features.append(feature(point(lon, lat, params), row))
    return collection(features, aggregated=True, bin_degrees=size)


def in_unit(qs, user, lookup: str = "org_unit__path"):
    """Scope rows of a model without a scoped manager to the user's unit subtree."""
    if user.is_superuser:
        return qs
    unit = getattr(user, "org_unit", None)
    return qs.filter(**{f"{lookup}__startswith": unit.path}) if unit else qs.none()


def day_start(day: dt.date) -> dt.datetime:
    """Local midnight of ``day`` (a range on the indexed column, not on its date)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# -- the declared layers ----------------------------------------------------------------------


def available(user) -> list[ep.MapLayer]:
    """The layers ``user`` may see, in their declared order."""
    return ep.for_user(ep.MapLayer, user)


def layer(key: str) -> ep.MapLayer | None:
    return ep.registry.get(ep.MapLayer, key)


def build(layer: ep.MapLayer, user, params: Params) -> dict:
    """The layer's features for ``user``, with the properties other apps add to them
    (``MapLayerAddon``, each only for users who hold its permission). Aggregated features
    (bins) have no ``id`` and take no addon."""
    data = layer.build(user, params)
    addons = [a for a in ep.for_user(ep.MapLayerAddon, user) if a.layer == layer.key]
    if addons:
        features = data.get("features", [])
        ids = [f["properties"]["id"] for f in features if "id" in f["properties"]]
        for addon in addons:
            values = addon.properties(user, params, ids) if ids else {}
            for f in features:
                props = f["properties"]
                if "id" not in props:
                    continue
                for name, value in addon.defaults.items():
                    props.setdefault(name, value)
                props.update(values.get(props["id"], {}))
    if layer.attribution:
        data.setdefault("attribution", layer.attribution)
    return data
