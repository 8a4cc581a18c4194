"""The projects' panel on the cockpit (驾驶舱): how many of the year's projects are green,
yellow and red, the red ones with their first reason, and the campaign's m² still standing."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from streetbrain.core.figures import Tile

from .models import Project
from .status import hard_case_burndown, project_status


def projects_panel(user, unit, today: dt.date) -> dict | None:
    years = set(Project.objects.restrict(user).values_list("year", flat=True))
    if not years:
        return None
    year = today.year if today.year in years else max(years)
    projects = list(
        Project.objects.restrict(user)
        .filter(year=year)
        .prefetch_related("milestones", "indicators__feeds", "sites")
    )
    board = reverse("projects:index")
    lights = {"green": 0, "yellow": 0, "red": 0}
    red, standing = [], None
    for p in projects:
        status = project_status(p, user, today)
        lights[status.light] += 1
        if status.light == "red":
            red.append({"name": p.name, "url": p.get_absolute_url(), "reason": status.reasons[0]})
        if p.kind == Project.Kind.DEMOLITION and standing is None:
            standing = hard_case_burndown(p, user, today)
    tiles = [
        Tile("green", _("Green"), lights["green"], board),
        Tile("yellow", _("Yellow"), lights["yellow"], board),
        Tile("red", _("Red"), lights["red"], board),
    ]
    if standing:
        tiles.append(
            Tile(
                "standing",
                _("Hard cases still standing (m²)"),
                standing["remaining_m2"],
                board,
                unit="m²",
                kind="area",
            )
        )
    return {"tiles": tiles, "red": red, "year": projects[0].year}
