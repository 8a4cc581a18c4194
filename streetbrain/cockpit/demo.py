"""The cockpit's part of the demo: the map's case densities from the demo's case history."""

from __future__ import annotations

from .models import CaseDensity


def is_loaded() -> bool:
    return CaseDensity.objects.exists()


def load(ctx) -> None:
    from . import density

    rows = density.refresh()
    ctx.say(f"cockpit: {rows:,} case-density squares for the map's history")
