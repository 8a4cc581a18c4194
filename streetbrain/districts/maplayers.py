"""The districts' layer of 一图通览: each business district's outline and its malls' outlines
(real OpenStreetMap outlines in the demo: © OpenStreetMap contributors, ODbL), with the
district's sales of the year and its first stores in the popup's lines."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from streetbrain.core.maps.layers import Params, collection, feature, shift

from . import measures
from .models import Complex


def districts_layer(user, params: Params) -> dict:
    year = timezone.localdate().year
    features = []
    for row in measures.street_year(user, year):
        d = row["district"]
        if not d.geometry:
            continue
        features.append(
            feature(
                shift(d.geometry, params),
                {
                    "id": d.pk,
                    "name": d.name,
                    "parent": _("%(year)s: %(sales)s of %(target)s CNY, %(n)s first stores")
                    % {
                        "year": year,
                        "sales": f"{row['sales']:,.0f}",
                        "target": f"{row['target']:,.0f}",
                        "n": row["first_stores"],
                    },
                    "url": d.get_absolute_url(),
                },
            )
        )
    malls = Complex.objects.restrict(user).filter(geometry__isnull=False).select_related("district")
    for c in malls.order_by("pk"):
        features.append(
            feature(
                shift(c.geometry, params),
                {
                    "id": f"c{c.pk}",
                    "name": c.name,
                    "parent": c.district.name,
                    "url": c.get_absolute_url(),
                },
            )
        )
    return collection(features)
