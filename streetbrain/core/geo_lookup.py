"""Point → grid lookup over the grid cells stored in the database.

The locator (``geo.GridLocator``) is built once per process from the grids' outlines and
rebuilt when a grid's outline changes here, or at most ``MAX_AGE`` seconds after a change made
by another process.
"""

from __future__ import annotations

import threading
import time

from shapely.geometry import shape

from .geo import GridLocator
from .models import OrgUnit

MAX_AGE = 300.0

_lock = threading.Lock()
_state: dict = {"locator": None, "built": 0.0}


def _build() -> GridLocator:
    cells = [
        (code, shape(geometry))
        for code, geometry in OrgUnit.objects.filter(
            level=OrgUnit.Level.GRID, geometry__isnull=False
        ).values_list("code", "geometry")
    ]
    return GridLocator(cells)


def locator() -> GridLocator:
    with _lock:
        if _state["locator"] is None or time.monotonic() - _state["built"] > MAX_AGE:
            _state["locator"] = _build()
            _state["built"] = time.monotonic()
        return _state["locator"]


def invalidate(**kwargs) -> None:
    with _lock:
        _state["locator"] = None


def locate_code(lon: float, lat: float) -> str | None:
    return locator().locate(lon, lat)


def locate_point(lon: float, lat: float):
    """The grid ``OrgUnit`` containing the point, or None outside every grid."""
    code = locate_code(lon, lat)
    if code is None:
        return None
    return OrgUnit.objects.select_related("parent").filter(code=code).first()
