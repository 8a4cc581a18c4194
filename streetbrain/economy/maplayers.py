"""What the building brain adds to 一图通览: each office tower's occupancy and trailing
twelve months' tax (its latest complete month's figures) on the registry's buildings."""

from __future__ import annotations

from streetbrain.core.maps.layers import Params
from streetbrain.core.months import latest_complete

from .models import MonthlyFigure


def tower_figures(user, params: Params, ids: list) -> dict[int, dict]:
    """Occupancy and trailing-12-month tax of the office towers among the buildings ``ids``,
    keyed by the registry building."""
    figures = MonthlyFigure.objects.restrict(user).filter(
        scope="building", building__building_id__in=ids
    )
    latest = latest_complete(figures.values_list("month", flat=True).distinct().order_by())
    if latest is None:
        return {}
    out = {}
    for building_id, occupancy, tax in figures.filter(month=latest).values_list(
        "building__building_id", "occupancy_rate", "tax_total_12m"
    ):
        out[building_id] = {
            "occupancy": occupancy,
            "tax_12m": float(tax) if tax is not None else None,
            "figures_month": latest.isoformat()[:7],
        }
    return out
