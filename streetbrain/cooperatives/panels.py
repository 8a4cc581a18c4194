"""The cooperatives' panel on the cockpit: how many are red, yellow and green in the user's
area, the red ones by score, and the exits under way."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from streetbrain.core.figures import Tile

from .models import Colour, Cooperative


def colours(user, unit, today: dt.date) -> dict | None:
    coops = Cooperative.objects.restrict(user).filter(org_unit__path__startswith=unit.path)
    counts = dict(coops.values_list("colour").annotate(n=Count("pk")).values_list("colour", "n"))
    if not counts:
        return None
    url = reverse("cooperatives:index")
    tiles = [
        Tile(c.value, c.label, counts.get(c.value, 0), f"{url}#coop-group-{c.value}")
        for c in (Colour.RED, Colour.YELLOW, Colour.GREEN)
    ]
    exiting = coops.filter(status=Cooperative.Status.EXITING).count()
    tiles.append(Tile("exiting", _("Exits under way"), exiting, url))
    reds = list(coops.filter(colour=Colour.RED).order_by("score", "name")[:5])
    return {"tiles": tiles, "reds": reds}
