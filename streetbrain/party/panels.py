"""Party building on the cockpit: the towers' coverage and the gaps."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from streetbrain.core.figures import Tile

from . import coverage


def towers(user, unit, today: dt.date) -> dict | None:
    rows = coverage.towers(
        user,
        today,
        tenants=False,
        where=Q(org_unit__path__startswith=unit.path),
        refs=True,  # a name and a link: all the panel shows of a tower
    )
    if not rows:
        return None
    rate = coverage.rate(rows)
    url = reverse("party:index")
    tiles = [
        Tile("own", _("Towers with their own organisation"), rate["own"], url),
        Tile("joint", _("Towers with a joint organisation"), rate["joint"], url),
        Tile("none", _("Towers without an organisation"), rate["none"], f"{url}#party-towers"),
        Tile("gaps", _("Enterprises with members, no organisation"),
             sum(len(r.gaps) for r in rows), f"{url}#party-gaps"),
    ]  # fmt: skip
    return {
        "tiles": tiles,
        "rate": rate["rate"],
        "uncovered": [r for r in rows if r.kind == "none"][:6],
    }
