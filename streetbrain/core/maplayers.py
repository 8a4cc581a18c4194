"""The core's layers of 一图通览: the street's outline, its communities and grid cells.
Other apps add their counts to the areas' features (``MapLayerAddon``: residents from the
registry, open cases from the case engine)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .maps.layers import Params, collection, feature, shift, url
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


def _units(user, level: str, params: Params) -> dict:
    units = OrgUnit.objects.restrict(user).filter(level=level, geometry__isnull=False)
    units = params.in_area(units, "path") if level == OrgUnit.Level.GRID else units
    if level == OrgUnit.Level.COMMUNITY and params.community:
        units = units.filter(code=params.community)
    features = [
        feature(
            shift(unit.geometry, params),
            {
                "id": unit.pk,
                "code": unit.code,
                "name": unit.name,
                "level": unit.level,
                "parent": unit.parent.name if unit.parent_id else "",
                "url": url("core:orgunit_detail", unit.pk),
            },
        )
        for unit in units.select_related("parent").order_by("path")
    ]
    return collection(features)


def community_layer(user, params: Params) -> dict:
    return _units(user, OrgUnit.Level.COMMUNITY, params)


def grid_layer(user, params: Params) -> dict:
    return _units(user, OrgUnit.Level.GRID, params)
