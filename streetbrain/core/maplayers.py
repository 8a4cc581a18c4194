"""The core's layers of 一图通览: the street's outline, its communities and grid cells.
Other apps add their counts to the areas' features (``MapLayerAddon``: residents from the
registry, open cases from the case engine)."""

from __future__ import annotations

import math

from django.db.models import Max, Q
from django.utils.translation import gettext as _

from .maps.layers import Params, collection, feature, shift, url_template
from .models import OrgUnit


def street_layer(user, params: Params) -> dict:
    units = OrgUnit.objects.restrict(user).filter(
        level=OrgUnit.Level.STREET, geometry__isnull=False
    )
    features = [
        feature(
            shift(unit.geometry, params),
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


def _near_bbox(units, params: Params):
    """The units that can reach into the view: their centroid within the view widened by
    the side of the level's largest unit (a district's 2,400 outlines are not all sent for
    a view of a few streets). Units without a centroid or an area are kept."""
    if params.bbox is None:
        return units
    largest = units.aggregate(m=Max("area_m2"))["m"]
    if not largest:
        return units
    margin = math.sqrt(largest) / 90_000  # metres to degrees, generously (1° ≥ 96 km here)
    x0, y0, x1, y1 = params.bbox
    inside = Q(
        centroid_lon__range=(x0 - margin, x1 + margin),
        centroid_lat__range=(y0 - margin, y1 + margin),
    )
    return units.filter(inside | Q(centroid_lon__isnull=True) | Q(area_m2__isnull=True))


def _units(user, level: str, params: Params) -> dict:
    units = OrgUnit.objects.restrict(user).filter(level=level, geometry__isnull=False)
    units = params.in_area(units, "path") if level == OrgUnit.Level.GRID else units
    if level == OrgUnit.Level.COMMUNITY and params.community:
        units = units.filter(code=params.community)
    units = _near_bbox(units, params)
    link = url_template("core:orgunit_detail")  # one reverse, not one per unit (2,400)
    rows = units.order_by("path").values_list(
        "pk", "code", "name", "level", "parent__name", "geometry"
    )
    features = [
        feature(
            shift(geometry, params),
            {
                "id": pk,
                "code": code,
                "name": name,
                "level": level,
                "parent": parent or "",
                "url": link.replace("{id}", str(pk)) if link else "",
            },
        )
        for pk, code, name, level, parent, geometry in rows
    ]
    return collection(features)


def community_layer(user, params: Params) -> dict:
    return _units(user, OrgUnit.Level.COMMUNITY, params)


def grid_layer(user, params: Params) -> dict:
    return _units(user, OrgUnit.Level.GRID, params)
