"""The building brain's panel on the cockpit (驾驶舱): occupancy, tax this year and on last
year, 去化 against the yearly target, and the 千万元/亿元 towers, from the monthly figures
of the last complete month (the tax bureau's records of the current month arrive after it
ends)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from streetbrain.core.figures import Tile

from .models import MonthlyFigure

YI = 100_000_000  # 亿元
QIANWAN = 10_000_000  # 千万元


def figures(user, unit, today: dt.date) -> dict | None:
    rows = MonthlyFigure.objects.filter(scope="street").order_by("-month")
    street = rows.filter(month__lt=today.replace(day=1)).first() or rows.first()
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
    towers = (
        MonthlyFigure.objects.filter(
            scope="building", month=street.month, tax_total_12m__gte=QIANWAN
        )
        .select_related("building__building")
        .order_by("-tax_total_12m")
    )
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
