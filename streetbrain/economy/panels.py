"""The building brain's panel on the cockpit (驾驶舱): occupancy, tax this year and on last
year, 去化 against the yearly target, and the 千万元/亿元 towers of the user's street, community
or grid cell, from its monthly figures of the last complete month (the tax bureau's records of
the current month arrive after it ends), picked as the economy's dashboard picks them."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from streetbrain.core.figures import Tile

from .area import area_of
from .measures import YI


def figures(user, unit, today: dt.date) -> dict | None:
    area = area_of(user)
    street = area.figure(today=today) if area else None
    if street is None:
        return None
    dashboard = reverse("economy:index")
    tiles = [
        Tile("occupancy", _("Occupancy"), street.occupancy_rate, dashboard, kind="rate"),
        Tile(
            "tax_ytd",
            _("Tax this year"),
            float(street.tax_total_ytd) if street.tax_total_ytd is not None else None,
            dashboard,
            unit=_("CNY"),
            kind="money",
        ),
        Tile("tax_yoy", _("Tax, change on last year"), street.tax_yoy, dashboard, kind="rate"),
    ]
    target = settings.ECONOMY_ABSORPTION_TARGET_M2
    done = float(street.leased_new_ytd_m2 or 0)
    absorption = {"done": done, "target": target, "share": done / target if target else None}
    tiles.append(
        Tile("absorption", _("去化 this year (m²)"), done, dashboard, unit="m²", kind="area")
    )
    towers = area.towers(street.month)
    yi_buildings = [
        {
            "name": fig.building.building.name if fig.building_id else fig.key,
            "tax_12m": float(fig.tax_total_12m),
            "yi": fig.tax_total_12m >= YI,
            "url": reverse("economy:officebuilding_detail", args=[fig.building_id])
            if fig.building_id
            else dashboard,
        }
        for fig in towers
    ]
    return {
        "month": street.month,
        "tiles": tiles,
        "absorption": absorption,
        "yi_buildings": yi_buildings,
    }
