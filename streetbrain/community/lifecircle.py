"""The 15-minute life circle of every house of the community: which services are within 5, 10
and 15 minutes' walk of its building, and the gaps per category.

Distances are STRAIGHT LINES times a detour factor (``DETOUR`` 1.3, a common planning
assumption for a grid of city streets) at ``WALK_M_PER_MIN`` (75 m a minute, 4.5 km/h): the
shipped data has no street network to route along. The pages and the figures say so.

What counts as a service (``CATEGORIES``): the registry's named places by kind (OpenStreetMap
schools, hospitals, shopping) and the community's own 城市综合服务体 (its bookable spaces,
placed at the centre of their grid cell: the spaces carry no coordinates of their own). The
categories of 未来社区's public-service matrix (``data/reference/future_community.yaml``:
党群服务中心, 智慧健康站, 托育, 养老, 老年食堂, 妇儿服务驿站) that no data here locates are
listed as *not located* — a gap in the data, not proof of a gap on the ground. The reference
sets the circles (5 and 15 minutes) and gives no numeric targets; none are invented."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from streetbrain.registry.models import Building, House, Place

from .models import Space

DETOUR = 1.3
WALK_M_PER_MIN = 75.0
CIRCLES = (5, 10, 15)  # minutes; 未来社区 names 5 and 15 (service_circles), 10 in between

# category key → label, the places that serve it (registry Place kinds), and whether the
# community's 城市综合服务体 serves it.
CATEGORIES = {
    "complex": (_("Community complex (城市综合服务体, 党群服务)"), (), True),
    "education": (_("Schools (教育)"), ("school",), False),
    "health": (_("Hospitals and clinics (健康)"), ("hospital",), False),
    "shopping": (_("Shops and markets (商业服务)"), ("commercial",), False),
}
# 未来社区's 一老一小 matrix: named by the reference, located by no data here yet.
NOT_LOCATED = ("智慧健康站", "托育服务设施", "养老服务设施", "老年食堂", "妇儿服务驿站")


def walk_minutes(lon1, lat1, lon2, lat2) -> float:
    """Straight-line metres (equirectangular, fine at a few km) × DETOUR, in walking minutes."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6_371_000 * math.hypot(x, y) * DETOUR / WALK_M_PER_MIN


@dataclass
class BuildingCircle:
    building: Building
    houses: int
    nearest: dict[str, float | None] = field(default_factory=dict)  # category → minutes

    @property
    def values(self) -> list[float | None]:
        """The minutes in ``CATEGORIES``' order (for tables)."""
        return [self.nearest.get(key) for key in CATEGORIES]


@dataclass
class LifeCircle:
    buildings: list[BuildingCircle]
    seconds: float
    houses: int

    @property
    def compounds(self) -> int:
        """The residential compounds (小区) the buildings belong to, as the registry names them."""
        return len({b.building.compound for b in self.buildings if b.building.compound})

    def coverage(self) -> list[dict]:
        """Per category: the share of houses with one within each circle."""
        out = []
        for key, (label, _kinds, _complex) in CATEGORIES.items():
            row = {"key": key, "label": label, "shares": []}
            for minutes in CIRCLES:
                covered = sum(
                    b.houses
                    for b in self.buildings
                    if b.nearest.get(key) is not None and b.nearest[key] <= minutes
                )
                row["shares"].append(round(100 * covered / self.houses, 1) if self.houses else None)
            row["gap"] = bool(self.houses) and row["shares"][-1] < 100
            out.append(row)
        return out


def compute(community) -> LifeCircle:
    """The life circle of every house of ``community`` (its residential buildings' houses)."""
    started = time.perf_counter()
    buildings = list(
        Building.objects.filter(
            org_unit__path__startswith=community.path, lon__isnull=False, lat__isnull=False
        ).order_by("code")
    )
    counts = dict(
        House.objects.filter(building__in=buildings)
        .values_list("building_id")
        .annotate(n=Count("pk"))
        .values_list("building_id", "n")
    )
    places: dict[str, list[tuple[float, float]]] = {k: [] for k in CATEGORIES}
    kinds = {kind: key for key, (_l, ks, _c) in CATEGORIES.items() for kind in ks}
    for kind, lon, lat in Place.objects.values_list("kind", "lon", "lat"):
        if kind in kinds:
            places[kinds[kind]].append((lon, lat))
    for space in Space.objects.filter(active=True).select_related("org_unit"):
        unit = space.org_unit
        if unit.centroid_lon is not None and unit.path.startswith(community.path):
            places["complex"].append((unit.centroid_lon, unit.centroid_lat))
    places["complex"] = sorted(set(places["complex"]))
    rows = []
    for b in buildings:
        if not counts.get(b.pk):
            continue
        nearest = {}
        for key, points in places.items():
            nearest[key] = (
                min(walk_minutes(b.lon, b.lat, lon, lat) for lon, lat in points) if points else None
            )
        rows.append(BuildingCircle(b, counts[b.pk], nearest))
    return LifeCircle(rows, time.perf_counter() - started, sum(r.houses for r in rows))


def circle_radius_m(minutes: float) -> float:
    """The straight-line radius ``minutes`` of walking reach under the stated factor."""
    return minutes * WALK_M_PER_MIN / DETOUR


def map_data(community, circle: LifeCircle) -> dict:
    """The life circle as GeoJSON for the page's map: the community's outline (drawn for
    illustration), each building with its houses and minutes per category, and the services
    near the community (the named places, the 城市综合服务体) by category. The page draws the
    15-minute reach around the services as circles of ``circle_radius_m(15)``."""
    features = []
    if community.geometry:
        features.append(
            {
                "type": "Feature",
                "geometry": community.geometry,
                "properties": {"role": "community", "name": community.name},
            }
        )
    lons = [b.building.lon for b in circle.buildings]
    lats = [b.building.lat for b in circle.buildings]
    for b in circle.buildings:
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [b.building.lon, b.building.lat]},
                "properties": {
                    "role": "building",
                    "name": b.building.name,
                    "compound": b.building.compound,
                    "houses": b.houses,
                    "minutes": {
                        k: (round(v, 1) if v is not None else None) for k, v in b.nearest.items()
                    },
                },
            }
        )
    if lons:
        # the services that can matter: within the 15-minute reach of the buildings' box
        margin = circle_radius_m(max(CIRCLES)) / 111_000 * 1.5
        box = (min(lons) - margin, max(lons) + margin, min(lats) - margin, max(lats) + margin)
        kinds = {kind: key for key, (_l, ks, _c) in CATEGORIES.items() for kind in ks}
        for name, kind, lon, lat in Place.objects.filter(
            kind__in=kinds, lon__range=box[:2], lat__range=box[2:]
        ).values_list("name", "kind", "lon", "lat"):
            features.append(_service(name, kinds[kind], lon, lat))
        seen = set()
        for space in Space.objects.filter(active=True).select_related("org_unit"):
            unit = space.org_unit
            at = (unit.centroid_lon, unit.centroid_lat)
            if unit.centroid_lon is not None and unit.path.startswith(community.path):
                if at not in seen:
                    seen.add(at)
                    features.append(_service(str(_("城市综合服务体")), "complex", *at))
    return {
        "type": "FeatureCollection",
        "features": features,
        "radius_m": round(circle_radius_m(max(CIRCLES))),
        "circles": list(CIRCLES),
        "categories": {key: str(label) for key, (label, _k, _c) in CATEGORIES.items()},
    }


def _service(name, category, lon, lat) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"role": "service", "name": name, "category": category},
    }
