"""The coverage layer of the one map: each office tower as a point, by its coverage kind."""

from streetbrain.core.maps.layers import Params, collection, feature, point

from . import coverage

COLOURS = {"own": "#b71c1c", "joint": "#ef9a9a", "none": "#9e9e9e"}


def coverage_layer(user, params: Params) -> dict:
    unit = params.area()  # False: no area chosen; None: an unknown one
    if unit is None:
        return collection([])
    features = []
    for row in coverage.towers(user, detail=False):
        b = row.tower.building
        if b.lon is None or b.lat is None:
            continue
        if unit is not False and not row.tower.org_unit.path.startswith(unit.path):
            continue
        if params.bbox is not None:
            x0, y0, x1, y1 = params.bbox
            if not (x0 <= b.lon <= x1 and y0 <= b.lat <= y1):
                continue
        features.append(
            feature(
                point(b.lon, b.lat, params),
                {
                    "id": row.tower.pk,
                    "name": b.name,
                    "kind": row.kind,
                    "color": COLOURS[row.kind],
                    "detail": f"{row.tenants_covered}/{row.tenants}",
                    "url": row.tower.get_absolute_url(),
                },
            )
        )
    return collection(features)
