"""The cockpit's panels: the apps' declared ``CockpitPanel``s, gathered for one user from
their own unit's precomputed figures. A panel that fails renders an error box naming it
(logged), not a broken page: one app's bug must not take the leaders' screen down."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from streetbrain.core import extension_points as ep
from streetbrain.core.models import OrgUnit

log = logging.getLogger(__name__)


@dataclass
class Panel:
    """One panel as the page draws it."""

    key: str
    label: str
    width: int
    rows: int
    poll: int
    context: dict = field(default_factory=dict)
    html: str = ""
    failed: bool = False


def home_unit(user) -> OrgUnit | None:
    """The unit whose cockpit the user sees: their own; the street for a superuser
    without one."""
    unit = getattr(user, "org_unit", None)
    if unit is not None:
        return unit
    if user.is_superuser:
        return OrgUnit.objects.filter(level=OrgUnit.Level.STREET).order_by("path").first()
    return None


def render(declared: ep.CockpitPanel, user, unit: OrgUnit, today: dt.date, request=None):
    """One panel for ``user``, or None when it has nothing for them."""
    panel = Panel(declared.key, str(declared.label), declared.width, declared.rows, declared.poll)
    try:
        context = declared.gather(user, unit, today)
        if context is None:
            return None
        panel.context = context
        panel.html = render_to_string(
            declared.template, {**context, "panel": panel, "unit": unit}, request=request
        )
    except Exception:
        log.exception("cockpit panel %s failed for user %s", declared.key, user.pk)
        panel.failed = True
        panel.html = render_to_string(
            "cockpit/_panel_error.html",
            {"panel": panel, "message": _("This panel could not be shown.")},
            request=request,
        )
    return panel


def gather(user, request=None, today: dt.date | None = None) -> tuple[OrgUnit | None, list]:
    """The user's unit and the panels they may see, in their declared order."""
    unit = home_unit(user)
    if unit is None:
        return None, []
    today = today or timezone.localdate()
    panels = []
    for declared in ep.for_user(ep.CockpitPanel, user):
        panel = render(declared, user, unit, today, request)
        if panel is not None:
            panels.append(panel)
    return unit, panels


def charts(panels: list[Panel]) -> dict:
    """Every panel's chart specs by element id, for the page's one JSON script element."""
    out: dict = {}
    for panel in panels:
        out.update(panel.context.get("charts", {}))
    return out
