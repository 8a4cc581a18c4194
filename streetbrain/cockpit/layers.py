"""一图通览: the map's layers as GeoJSON, each scoped to the user like every list.

A layer is declared once (``LAYERS``): the permission that lets a user see it, and a function
``(user, params) -> FeatureCollection``. Points are filtered by the map's ``bbox``; big point
layers (cases) are aggregated into square bins whose size follows the zoom, so a request stays
small and fast with a million cases. People are never drawn: population shows as counts per
grid cell, community or building.

Coordinates are stored and served in WGS-84. A base map in GCJ-02 (高德) asks for
``coords=gcj02`` and gets them shifted for display (``gcj02.py``); its ``bbox`` is then in
GCJ-02 too.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q
from django.db.models.functions import Floor
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from streetbrain.core.models import OrgUnit
from streetbrain.core.months import latest_complete

from . import gcj02

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

    def in_area(self, qs, path_lookup: str):
        """Only what lies in the chosen community or grid cell (by code)."""
        code = self.grid or self.community
        if not code:
            return qs
        unit = OrgUnit.objects.filter(code=code).only("path").first()
        if unit is None:
            return qs.none()
        return qs.filter(**{f"{path_lookup}__startswith": unit.path})


@dataclass(frozen=True)
class Layer:
    name: str
    label: object
    permission: str  # "app.view_model": the layer's rows are that model's, scoped
    build: Callable[[object, Params], dict]
    attribution: str = ""
    group: object = ""


# -- GeoJSON helpers ------------------------------------------------------------------------


def _point(lon: float, lat: float, params: Params) -> dict:
    if params.gcj:
        lon, lat = gcj02.from_wgs84(lon, lat)
    return {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}


def _shift(geometry: dict | None, params: Params) -> dict | None:
    if geometry is None or not params.gcj:
        return geometry
    return gcj02.geometry_from_wgs84(geometry)


def _feature(geometry, properties: dict) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def collection(features: list, **meta) -> dict:
    return {"type": "FeatureCollection", "features": features, **meta}


def _url(name: str, pk) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:  # that page is not installed: no link
        return ""


def _url_template(name: str) -> str:
    """A detail page's URL with ``{id}`` for the object's key (sent once per layer, not once
    per feature)."""
    url = _url(name, 987654321)
    return url.replace("987654321", "{id}") if url else ""


def _bins(qs, params: Params, **counts) -> dict:
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
        features.append(_feature(_point(lon, lat, params), row))
    return collection(features, aggregated=True, bin_degrees=size)


def _may(user, perm: str) -> bool:
    return user.is_superuser or user.has_perm(perm)


def _in_unit(qs, user, lookup: str = "org_unit__path"):
    """Scope rows of a model without a scoped manager to the user's unit subtree."""
    if user.is_superuser:
        return qs
    unit = getattr(user, "org_unit", None)
    return qs.filter(**{f"{lookup}__startswith": unit.path}) if unit else qs.none()


# -- areas ----------------------------------------------------------------------------------


def _population(user, level: str) -> dict[int, dict]:
    """Residents and households per unit of ``level`` (grid or community), for users who may
    see residents; counts only, never people."""
    from streetbrain.registry.models import Household, Resident

    out: dict[int, dict] = {}
    if not _may(user, "registry.view_resident"):
        return out
    key = "org_unit_id" if level == OrgUnit.Level.GRID else "org_unit__parent_id"
    for unit_id, n in (
        Resident.objects.restrict(user).values_list(key).annotate(n=Count("pk")).order_by()
    ):
        out.setdefault(unit_id, {})["residents"] = n
    for unit_id, n in (
        Household.objects.restrict(user).values_list(key).annotate(n=Count("pk")).order_by()
    ):
        out.setdefault(unit_id, {})["households"] = n
    return out


def _open_cases(user, level: str) -> dict[int, int]:
    from streetbrain.cases.models import OPEN_STATES, Case

    if not _may(user, "cases.view_case"):
        return {}
    key = "org_unit_id" if level == OrgUnit.Level.GRID else "org_unit__parent_id"
    rows = (
        Case.objects.restrict(user)
        .filter(state__in=OPEN_STATES)
        .values_list(key)
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows)


def _units(user, level: str, params: Params) -> dict:
    units = OrgUnit.objects.restrict(user).filter(level=level, geometry__isnull=False)
    units = params.in_area(units, "path") if level == OrgUnit.Level.GRID else units
    if level == OrgUnit.Level.COMMUNITY and params.community:
        units = units.filter(code=params.community)
    people = _population(user, level)
    cases = _open_cases(user, level)
    features = []
    for unit in units.select_related("parent").order_by("path"):
        props = {
            "code": unit.code,
            "name": unit.name,
            "level": unit.level,
            "parent": unit.parent.name if unit.parent_id else "",
            "url": _url("core:orgunit_detail", unit.pk),
            **people.get(unit.pk, {}),
        }
        if cases or _may(user, "cases.view_case"):
            props["open_cases"] = cases.get(unit.pk, 0)
        features.append(_feature(_shift(unit.geometry, params), props))
    return collection(features)


def street_layer(user, params: Params) -> dict:
    units = OrgUnit.objects.restrict(user).filter(
        level=OrgUnit.Level.STREET, geometry__isnull=False
    )
    features = [
        _feature(
            _shift(unit.geometry, params),
            {
                "code": unit.code,
                "name": unit.name,
                "level": unit.level,
                # The street's outline is drawn from the grid cells: a sketch (示意), not the
                # legal boundary.
                "schematic": True,
                "note": str(_("Outline for illustration (示意)")),
            },
        )
        for unit in units.order_by("path")
    ]
    return collection(features)


def community_layer(user, params: Params) -> dict:
    return _units(user, OrgUnit.Level.COMMUNITY, params)


def grid_layer(user, params: Params) -> dict:
    return _units(user, OrgUnit.Level.GRID, params)


# -- things ---------------------------------------------------------------------------------


def building_layer(user, params: Params) -> dict:
    """Buildings: outlines from zoom ``COCKPIT_POINT_ZOOM`` on (points below it, where an
    outline would be a few pixels), with residents counted per building and office towers'
    latest figures."""
    from streetbrain.registry.models import Building, Resident

    qs = params.in_area(params.in_bbox(Building.objects.restrict(user)), "org_unit__path")
    residents = {}
    if _may(user, "registry.view_resident"):
        residents = dict(
            Resident.objects.restrict(user)
            .filter(house__isnull=False)
            .values_list("house__building_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
    towers = _tower_figures(user)
    outlines = params.zoom >= settings.COCKPIT_POINT_ZOOM
    fields = ["pk", "name", "kind", "address", "lon", "lat"] + (["footprint"] if outlines else [])
    features = []
    for row in qs.order_by("code").values_list(*fields)[:MAX_POINTS]:
        pk, name, kind, address, lon, lat = row[:6]
        footprint = row[6] if outlines else None
        props = {"id": pk, "name": name, "kind": kind, "address": address}
        if pk in residents:
            props["residents"] = residents[pk]
        props.update(towers.get(pk, {}))
        geometry = _shift(footprint, params) if footprint else _point(lon, lat, params)
        features.append(_feature(geometry, props))
    return collection(
        features,
        attribution=OSM_ATTRIBUTION,
        kinds={k: str(v) for k, v in Building.Kind.choices},
        url=_url_template("registry:building_detail"),
    )


def _tower_figures(user) -> dict[int, dict]:
    """Occupancy and trailing-12-month tax of office towers (the building brain's latest
    monthly figures), keyed by the registry building, for users who may see them."""
    try:
        from streetbrain.economy.models import MonthlyFigure
    except ImportError:  # the building brain is not installed
        return {}
    if not _may(user, "economy.view_monthlyfigure"):
        return {}
    figures = MonthlyFigure.objects.filter(scope="building", building__isnull=False)
    latest = latest_complete(figures.values_list("month", flat=True).distinct().order_by())
    if latest is None:
        return {}
    out = {}
    for building_id, occupancy, tax in figures.filter(month=latest).values_list(
        "building__building_id", "occupancy_rate", "tax_total_12m"
    ):
        out[building_id] = {
            "occupancy": occupancy,
            "tax_12m": float(tax) if tax is not None else None,
            "figures_month": latest.isoformat()[:7],
        }
    return out


def landmark_layer(user, params: Params) -> dict:
    from streetbrain.registry.models import Place

    features = [
        _feature(
            _shift(p.geometry, params) if p.geometry else _point(p.lon, p.lat, params),
            {
                "name": p.name,
                "kind": p.kind,
                "kind_label": p.get_kind_display(),
                "source": "OpenStreetMap",
                "url": _url("registry:place_detail", p.pk),
            },
        )
        for p in params.in_bbox(Place.objects.all()).order_by("pk")[:MAX_POINTS]
    ]
    return collection(features, attribution=OSM_ATTRIBUTION)


def facility_layer(user, params: Params) -> dict:
    """管理部件 by GB/T 47678.5 class: single points close up, bins below
    ``COCKPIT_POINT_ZOOM`` (a street has thousands)."""
    from streetbrain.registry.models import Facility

    qs = params.in_area(params.in_bbox(Facility.objects.restrict(user)), "org_unit__path")
    if params.component_class:
        qs = qs.filter(component_class__code=params.component_class)
    if params.zoom < settings.COCKPIT_POINT_ZOOM:
        return _bins(qs, params)
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
        features.append(_feature(_point(lon, lat, params), {"id": pk, "name": name, "class": code}))
    return collection(
        features, aggregated=False, classes=classes, url=_url_template("registry:facility_detail")
    )


def shop_layer(user, params: Params) -> dict:
    """Street shops: points with their licence and status (a street has a few thousand, so
    they stay points; bins only when more than ``MAX_POINTS`` are in view)."""
    from streetbrain.registry.models import Shop

    qs = params.in_area(params.in_bbox(Shop.objects.restrict(user)), "org_unit__path")
    rows = list(
        qs.order_by("pk").values_list("pk", "name", "status", "licence_no", "lon", "lat")[
            : MAX_POINTS + 1
        ]
    )
    if len(rows) > MAX_POINTS:
        return _bins(qs, params)
    features = [
        _feature(
            _point(lon, lat, params),
            {"id": pk, "name": name, "status": status, "licence": licence},
        )
        for pk, name, status, licence, lon, lat in rows
    ]
    return collection(
        features,
        aggregated=False,
        statuses={k: str(v) for k, v in Shop.Status.choices},
        url=_url_template("registry:shop_detail"),
    )


def sensor_layer(user, params: Params) -> dict:
    from streetbrain.cases.models import Sensor

    if not _may(user, "cases.view_case"):
        return collection([])
    qs = params.in_bbox(_in_unit(Sensor.objects.filter(is_active=True), user))
    qs = params.in_area(qs, "org_unit__path")
    features = [
        _feature(
            _point(s.lon, s.lat, params),
            {"name": s.name, "device_id": s.device_id, "kind": s.kind},
        )
        for s in qs.order_by("pk")[:MAX_POINTS]
    ]
    return collection(features)


# -- cases ----------------------------------------------------------------------------------


def _density(user, params: Params) -> dict | None:
    """The history layer from the precomputed monthly densities, where they answer the
    question: below their zoom, without class or state filters, for a user whose case scope
    is their unit (a department sees only what was dispatched to it: counted live)."""
    from . import density

    if params.zoom >= density.BASE_ZOOM or params.component_class or params.state:
        return None
    if not user.is_superuser and (getattr(user, "department_id", None) or not user.org_unit):
        return None
    if not _may(user, "cases.view_case"):
        return None
    path = "" if user.is_superuser else user.org_unit.path
    code = params.grid or params.community
    if code:
        unit = OrgUnit.objects.filter(code=code).only("path").first()
        if unit is None or not unit.path.startswith(path):
            return collection([], aggregated=True, bin_degrees=bin_size(params.zoom))
        path = unit.path
    since = params.since or (timezone.localdate() - dt.timedelta(days=365))
    rows, size = density.bins(path, params, since, params.until)
    features = [_feature(_point(r["lon"], r["lat"], params), {"count": r["count"]}) for r in rows]
    return collection(features, aggregated=True, bin_degrees=size, precomputed=True)


def _day_start(day: dt.date) -> dt.datetime:
    """Local midnight of ``day`` (a range on the indexed column, not on its date)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def bin_size(zoom: float) -> float:
    """A bin's side in degrees: ``BIN_PIXELS`` screen pixels at ``zoom`` (256-pixel tiles)."""
    return 360.0 / (256 * 2**zoom) * BIN_PIXELS


def case_layer(user, params: Params) -> dict:
    """Open cases by their timeliness light; with ``history=1`` every case reported in the
    period. Sent as points when few enough are in view at this zoom, else as bins with counts
    per light (drawn as sized circles or a heat map)."""
    from streetbrain.cases.models import OPEN_STATES, Case

    if params.history:
        precomputed = _density(user, params)
        if precomputed is not None:
            return precomputed
    qs = params.in_area(params.in_bbox(Case.objects.restrict(user)), "org_unit__path")
    if params.history:
        since = params.since or (timezone.localdate() - dt.timedelta(days=365))
        qs = qs.filter(reported_at__gte=_day_start(since))
    else:
        qs = qs.filter(state__in=OPEN_STATES)
        if params.since:
            qs = qs.filter(reported_at__gte=_day_start(params.since))
    if params.until:
        qs = qs.filter(reported_at__lt=_day_start(params.until + dt.timedelta(days=1)))
    if params.state:
        qs = qs.filter(state__in=params.state.split(","))
    if params.component_class:
        qs = qs.filter(component_class__code=params.component_class)
    detail_zoom = settings.COCKPIT_CASE_POINT_ZOOM
    if params.zoom >= detail_zoom and not params.history:
        rows = list(
            qs.order_by("-reported_at").values_list(
                "pk", "number", "title", "state", "light", "lon", "lat", "reported_at"
            )[: MAX_POINTS + 1]
        )
        if len(rows) <= MAX_POINTS:
            return collection(
                [
                    _feature(
                        _point(lon, lat, params),
                        {
                            "number": number,
                            "title": title,
                            "state": state,
                            "light": light or "",
                            "reported": timezone.localtime(reported).isoformat(),
                            "url": _url("cases:case_detail", pk),
                        },
                    )
                    for pk, number, title, state, light, lon, lat, reported in rows
                ],
                aggregated=False,
            )
    return _bins(
        qs,
        params,
        red=Count("pk", filter=Q(light="red")),
        yellow=Count("pk", filter=Q(light="yellow")),
        green=Count("pk", filter=Q(light="green")),
    )


LAYERS: dict[str, Layer] = {
    layer.name: layer
    for layer in (
        Layer("street", gettext_lazy("Street outline"), "core.view_orgunit", street_layer),
        Layer("communities", gettext_lazy("Communities"), "core.view_orgunit", community_layer),
        Layer("grids", gettext_lazy("Grid cells"), "core.view_orgunit", grid_layer),
        Layer(
            "buildings",
            gettext_lazy("Buildings"),
            "registry.view_building",
            building_layer,
            OSM_ATTRIBUTION,
        ),
        Layer(
            "landmarks",
            gettext_lazy("Landmarks (OpenStreetMap)"),
            "registry.view_building",
            landmark_layer,
            OSM_ATTRIBUTION,
        ),
        Layer("facilities", gettext_lazy("Facilities"), "registry.view_facility", facility_layer),
        Layer("shops", gettext_lazy("Street shops"), "registry.view_shop", shop_layer),
        Layer("cases", gettext_lazy("Cases"), "cases.view_case", case_layer),
        Layer("sensors", gettext_lazy("Sensors"), "cases.view_case", sensor_layer),
    )
}


def available(user) -> list[Layer]:
    return [layer for layer in LAYERS.values() if _may(user, layer.permission)]
