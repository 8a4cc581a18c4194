"""What the projects add to 一图通览: the campaign's plots (outlines, with households and m² per
stage in the popup, the furthest stage most households reached as ``stage``) and the metro-7
sites (points, with their radius and the open issues)."""

from __future__ import annotations

from django.db.models import Count

from streetbrain.core.maps.layers import Params, collection, feature, point, shift, url

from .models import STAGE_ORDER, Household, Plot, Site, Stage

# A plot's colour on the map by the stage most of its households are at: from the survey (red)
# through signing (amber) to the land handed over (green), one per stage of ``Stage``.
STAGE_COLOURS = dict(
    zip(
        STAGE_ORDER, ["#c0392b", "#d35400", "#d4a017", "#9bbf3b", "#4c9f50", "#2e7d4f"], strict=True
    )
)


def plots_layer(user, params: Params) -> dict:
    plots = list(Plot.objects.restrict(user).filter(geometry__isnull=False).order_by("pk"))
    counts: dict[int, dict[str, int]] = {}
    for plot_id, stage, n in (
        Household.objects.restrict(user)
        .filter(plot__in=plots)
        .values_list("plot_id", "stage")
        .annotate(n=Count("pk"))
    ):
        counts.setdefault(plot_id, {})[stage or "none"] = n
    features = []
    for plot in plots:
        c = counts.get(plot.pk, {})
        main = (
            max(c, key=lambda s: (c[s], STAGE_ORDER.index(s) if s in STAGE_ORDER else -1))
            if c
            else ""
        )
        features.append(
            feature(
                shift(plot.geometry, params),
                {
                    "id": plot.pk,
                    "name": plot.name,
                    "stage": main,
                    "stage_label": str(Stage(main).label) if main in STAGE_ORDER else "",
                    "color": STAGE_COLOURS.get(main, ""),
                    "households": sum(c.values()),
                    **{f"n_{s}": c.get(s, 0) for s in STAGE_ORDER},
                    "url": url("projects:plot_detail", plot.pk),
                },
            )
        )
    return collection(features)


def sites_layer(user, params: Params) -> dict:
    sites = Site.objects.restrict(user).annotate(n_issues=Count("issues")).order_by("pk")
    return collection(
        [
            feature(
                point(s.lon, s.lat, params),
                {
                    "id": s.pk,
                    "name": s.name,
                    "kind": s.kind,
                    "radius_m": s.radius_m,
                    "issues": s.n_issues,
                    "url": url("projects:site_detail", s.pk),
                },
            )
            for s in sites
        ]
    )
