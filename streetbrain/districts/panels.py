"""The districts' panel on the cockpit: each district's sales this year against its target
and its first stores of the year. Summed on view from the monthly sales (a few hundred rows
a district-year: one grouped query), not precomputed."""

from __future__ import annotations

import datetime as dt

from . import measures


def districts_panel(user, unit, today: dt.date) -> dict | None:
    rows = measures.street_year(user, today.year)
    if not rows:
        return None
    return {"year": today.year, "rows": rows}
