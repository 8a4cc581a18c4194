"""The coverage layer of the one map: each office tower as a point, by its coverage kind."""

from django.db.models import Q

from streetbrain.core.maps.layers import Params, collection, feature, point
from streetbrain.economy.models import OfficeBuilding

from . import coverage

MAX_COUNTED = 500  # towers in view up to which their tenants are counted
COLOURS = {"own": "#b71c1c", "joint": "#ef9a9a", "none": "#9e9e9e"}


def coverage_layer(user, params: Params) -> dict:
    unit = params.area()  # False: no area chosen; None: an unknown one
    if unit is None:
        return collection([])
    where = Q(building__lon__isnull=False, building__lat__isnull=False)
    if unit is not False:
        where &= Q(org_unit__path__startswith=unit.path)
    if params.bbox is not None:
        x0, y0, x1, y1 = params.bbox
        where &= Q(building__lon__range=(x0, x1), building__lat__range=(y0, y1))
    # Tenants are counted (the popup's "covered/tenants") for a view of a few streets; a
    # whole district's towers hold 200,000 leases: the kinds only, then.
    in_view = OfficeBuilding.objects.restrict(user).filter(where).count()
    counted = in_view <= MAX_COUNTED
    features = []
    for row in coverage.towers(user, detail=False, tenants=counted, where=where):
        b = row.tower.building
        features.append(
            feature(
                point(b.lon, b.lat, params),
                {
                    "id": row.tower.pk,
                    "name": b.name,
                    "kind": row.kind,
                    "color": COLOURS[row.kind],
                    "detail": f"{row.tenants_covered}/{row.tenants}" if counted else "",
                    "url": row.tower.get_absolute_url(),
                },
            )
        )
    return collection(features)
