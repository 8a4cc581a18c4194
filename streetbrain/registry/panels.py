"""The registry's panel on the cockpit (驾驶舱): residents and households of each community
under the user's unit (or of the user's grid cell), from the precomputed key figures."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from streetbrain.core.models import KeyFigure, OrgUnit


def people(user, unit: OrgUnit, today: dt.date) -> dict | None:
    children = list(
        OrgUnit.objects.filter(parent=unit).order_by("path")
        if unit.level != OrgUnit.Level.GRID
        else OrgUnit.objects.filter(pk=unit.pk)
    )
    values: dict[int, dict] = {}
    for unit_id, key, value in KeyFigure.objects.filter(
        org_unit__in=children, key__in=["residents", "households"]
    ).values_list("org_unit_id", "key", "value"):
        values.setdefault(unit_id, {})[key] = value
    residents_url = reverse("registry:resident_list")
    rows = [
        {
            "name": child.name,
            "residents": values.get(child.pk, {}).get("residents", 0),
            "households": values.get(child.pk, {}).get("households", 0),
            "url": f"{residents_url}?org_unit={child.pk}",
        }
        for child in children
    ]
    chart = {
        "type": "bars",
        "categories": [r["name"].replace("社区", "") for r in rows],
        "series": [
            {"name": _("Residents"), "values": [r["residents"] for r in rows], "color": "#7a5bb5"},
            {
                "name": _("Households"),
                "values": [r["households"] for r in rows],
                "color": "#c27c2c",
            },
        ],
        "urls": [r["url"] for r in rows],
    }
    return {"rows": rows, "charts": {"chart-people": chart}}
