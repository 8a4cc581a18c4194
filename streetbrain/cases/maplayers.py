"""The case engine's layers of 一图通览: cases (open ones by their timeliness light, or the
history of a period as a density) and the sensors; and the open cases it counts on the
core's communities and grid cells."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from streetbrain.core.extension_points import may
from streetbrain.core.figures import stored_per_unit
from streetbrain.core.maps.layers import (
    MAX_POINTS,
    Params,
    bin_size,
    bins,
    collection,
    day_start,
    feature,
    in_unit,
    point,
    url,
)
from streetbrain.core.models import OrgUnit

from . import density
from .models import OPEN_STATES, Case, Sensor


def open_cases(level: str):
    """Open cases per community or grid cell (``level``), for the core's area layers."""
    key = "org_unit_id" if level == OrgUnit.Level.GRID else "org_unit__parent_id"

    def properties(user, params: Params, ids: list) -> dict[int, dict]:
        stored = stored_per_unit(user, ids, {"cases_open": "open_cases"})
        if stored is not None:
            return stored
        rows = (
            Case.objects.restrict(user)
            .filter(state__in=OPEN_STATES, **{f"{key}__in": ids})
            .values_list(key)
            .annotate(n=Count("pk"))
            .order_by()
        )
        return {unit_id: {"open_cases": n} for unit_id, n in rows}

    return properties


def sensor_layer(user, params: Params) -> dict:
    qs = params.in_bbox(in_unit(Sensor.objects.filter(is_active=True), user))
    qs = params.in_area(qs, "org_unit__path")
    features = [
        feature(
            point(s.lon, s.lat, params),
            {"name": s.name, "device_id": s.device_id, "kind": s.kind},
        )
        for s in qs.order_by("pk")[:MAX_POINTS]
    ]
    return collection(features)


def _density(user, params: Params) -> dict | None:
    """The history layer from the precomputed monthly densities, where they answer the
    question: below their zoom, without class or state filters, for a user whose case scope
    is their unit (a department sees only what was dispatched to it: counted live)."""
    if params.zoom >= density.BASE_ZOOM or params.component_class or params.state:
        return None
    if not user.is_superuser and (getattr(user, "department_id", None) or not user.org_unit):
        return None
    if not may(user, "cases.view_case"):
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
    features = [feature(point(r["lon"], r["lat"], params), {"count": r["count"]}) for r in rows]
    return collection(features, aggregated=True, bin_degrees=size, precomputed=True)


def case_layer(user, params: Params) -> dict:
    """Open cases by their timeliness light; with ``history=1`` every case reported in the
    period. Sent as points when few enough are in view at this zoom, else as bins with counts
    per light (drawn as sized circles or a heat map)."""
    if params.history:
        precomputed = _density(user, params)
        if precomputed is not None:
            return precomputed
    qs = params.in_area(params.in_bbox(Case.objects.restrict(user)), "org_unit__path")
    if params.history:
        since = params.since or (timezone.localdate() - dt.timedelta(days=365))
        qs = qs.filter(reported_at__gte=day_start(since))
    else:
        qs = qs.filter(state__in=OPEN_STATES)
        if params.since:
            qs = qs.filter(reported_at__gte=day_start(params.since))
    if params.until:
        qs = qs.filter(reported_at__lt=day_start(params.until + dt.timedelta(days=1)))
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
                    feature(
                        point(lon, lat, params),
                        {
                            "number": number,
                            "title": title,
                            "state": state,
                            "light": light or "",
                            "reported": timezone.localtime(reported).isoformat(),
                            "url": url("cases:case_detail", pk),
                        },
                    )
                    for pk, number, title, state, light, lon, lat, reported in rows
                ],
                aggregated=False,
            )
    return bins(
        qs,
        params,
        red=Count("pk", filter=Q(light="red")),
        yellow=Count("pk", filter=Q(light="yellow")),
        green=Count("pk", filter=Q(light="green")),
    )


def refresh_density(everything: bool) -> int:
    """The precomputed history: every month, or this month and the last."""
    return density.refresh() if everything else density.refresh_recent()
