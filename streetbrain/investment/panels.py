"""招商's panel on the cockpit: the funnel of the leads the user sees (bars, each opening the
list at that stage), the open pipeline and 去化 this year against the target."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from streetbrain.core.figures import Tile

from . import dashboard


def funnel(user, unit, today: dt.date) -> dict | None:
    data = dashboard.summary(user, today, stored=True)
    if not data["total"]:
        return None
    leads = reverse("investment:lead_list")
    index = reverse("investment:index")
    open_count = sum(
        n for s, _l, n in data["by_stage"] if s in ("lead", "contact", "inspection", "negotiation")
    )
    return {
        "tiles": [
            Tile("open", _("Open leads"), open_count, leads),
            Tile(
                "pipeline_tax",
                _("Expected tax in the pipeline"),
                data["pipeline_tax"],
                index,
                unit=_("CNY"),
                kind="money",
            ),
            Tile(
                "absorption",
                _("去化 this year (m²)"),
                data["absorption"]["done"],
                index,
                unit="m²",
                kind="area",
            ),
        ],
        "absorption": data["absorption"],
        "charts": {
            "investment-funnel": {
                "type": "bars",
                "categories": [str(label) for _s, label, _n in data["funnel"]],
                "series": [
                    {
                        "name": _("Leads that reached the stage"),
                        "values": [n for _s, _l, n in data["funnel"]],
                        "color": "#1f6feb",
                    }
                ],
                "urls": [f"{leads}?stage={s}" for s, _l, _n in data["funnel"]],
            }
        },
    }
