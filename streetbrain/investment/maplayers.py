"""The parks' layer of the one map: each park (电商园区) at its building, coloured by whether it
meets every criterion of the level it works toward, its criteria's current figures against
their targets in the popup (``rows``: the map script lists them under the name)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from streetbrain.core.maps.layers import Params, collection, feature, point

from . import parks
from .models import Park, ParkCriterion

MET, SHORT = "#2e7d4f", "#c27c2c"


def _figure(metric: str, value: float) -> str:
    if metric == ParkCriterion.Metric.OCCUPANCY:
        return f"{value * 100:.1f}%"
    return f"{value:,.0f}"


def parks_layer(user, params: Params) -> dict:
    qs = (
        Park.objects.restrict(user)
        .select_related("building__building")
        .prefetch_related("criteria")
        .order_by("name")
    )
    qs = params.in_area(qs, "org_unit__path")
    qs = params.in_bbox(qs, "building__building__lon", "building__building__lat")
    features = []
    for park in qs:
        b = park.building.building
        rows = parks.progress(park, user)
        met = sum(1 for r in rows if r["met"])
        features.append(
            feature(
                point(b.lon, b.lat, params),
                {
                    "id": park.pk,
                    "name": park.name,
                    "color": MET if rows and met == len(rows) else SHORT,
                    "detail": _("%(met)s of %(n)s criteria met toward %(level)s")
                    % {"met": met, "n": len(rows), "level": park.target_level or park.kind},
                    "rows": [
                        [
                            r["criterion"].label,
                            f"{_figure(r['criterion'].metric, r['current'])} / "
                            f"{_figure(r['criterion'].metric, r['target'])}",
                        ]
                        for r in rows
                    ],
                    "url": park.get_absolute_url(),
                },
            )
        )
    return collection(features)
