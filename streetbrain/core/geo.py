"""Geodesic measures and a fast point → grid-cell locator.

Pure Python on top of shapely 2, numpy and pyproj; no Django imports, so it can be used from
scripts, workers and tests alike. Coordinates are WGS-84 longitude/latitude in degrees
(``x = lon``, ``y = lat``), as stored everywhere in StreetBrain.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

__all__ = ["WGS84_GEOD", "GridLocator", "area_m2"]

#: The WGS-84 ellipsoid, for geodesic areas and lengths.
WGS84_GEOD = Geod(ellps="WGS84")

_AREAL = frozenset({"Polygon", "MultiPolygon", "GeometryCollection"})

# Sentinels in the bucket table (cell indexes are >= 0).
_EMPTY = -1
_MIXED = -2

# Exact point-in-area test (boundary included, i.e. ``covers``); fast on prepared geometries.
_intersects_xy = shapely.intersects_xy


def _ring_area_m2(ring: Any) -> float:
    lons, lats = ring.coords.xy
    area, _perimeter = WGS84_GEOD.polygon_area_perimeter(lons, lats)
    return abs(area)


def area_m2(geom: BaseGeometry) -> float:
    """Geodesic area in square metres of a lon/lat (WGS-84) Polygon or MultiPolygon.

    Holes are subtracted whatever the ring orientation. A GeometryCollection counts its
    polygonal members; an empty geometry has area 0.
    """
    if geom is None:
        raise TypeError("area_m2() needs a geometry, got None")
    if geom.is_empty:
        return 0.0
    kind = geom.geom_type
    if kind == "Polygon":
        return max(
            0.0,
            _ring_area_m2(geom.exterior) - sum(_ring_area_m2(r) for r in geom.interiors),
        )
    if kind in ("MultiPolygon", "GeometryCollection"):
        return sum(area_m2(g) for g in geom.geoms if g.geom_type in _AREAL)
    raise TypeError(f"area_m2() needs a Polygon or MultiPolygon, got {kind}")


class GridLocator:
    """Find the grid cell (单元网格) that covers a lon/lat point.

    Built from ``(code, polygon)`` pairs, polygons in WGS-84 lon/lat. Meant for cells that
    tile an area without overlaps, but any polygons work: a point covered by several cells
    (e.g. exactly on a shared edge or vertex) resolves to the lowest code, so the answer is
    deterministic. The answer always equals the exact shapely/GEOS ``covers`` test::

        min(code for code, poly in cells if poly.covers(Point(lon, lat)))   # or None

    How: the bounding box is cut into a uniform raster of buckets. A bucket whose (slightly
    enlarged) box is covered by one cell and touches no other answers directly; a bucket
    that touches no cell answers ``None``; a bucket that straddles boundaries keeps its few
    candidate cells (lowest code first) as prepared geometries for an exact test.
    """

    def __init__(
        self,
        cells: Iterable[tuple[str, BaseGeometry | Mapping[str, Any]]],
        *,
        buckets: int = 1 << 18,
    ) -> None:
        items: list[tuple[str, BaseGeometry]] = []
        seen: set[str] = set()
        for code, geom in cells:
            if not isinstance(code, str):
                raise TypeError(f"cell code must be a str, got {code!r}")
            if code in seen:
                raise ValueError(f"duplicate cell code {code!r}")
            seen.add(code)
            if not isinstance(geom, BaseGeometry):
                geom = shape(geom)
            if geom.geom_type not in ("Polygon", "MultiPolygon"):
                raise TypeError(
                    f"cell {code!r}: need a Polygon or MultiPolygon, got {geom.geom_type}"
                )
            if geom.is_empty:
                raise ValueError(f"cell {code!r} is empty")
            items.append((code, geom))
        if buckets < 1:
            raise ValueError("buckets must be >= 1")
        items.sort(key=lambda item: item[0])  # index order == code order: lowest code wins

        self.codes: tuple[str, ...] = tuple(code for code, _ in items)
        self._geoms = np.array([geom for _, geom in items], dtype=object)
        shapely.prepare(self._geoms)
        self._tree = shapely.STRtree(self._geoms)
        # codes by index, with None at index -1 for "no cell".
        self._code_array = np.array([*self.codes, None], dtype=object)

        if not items:
            self.bounds: tuple[float, float, float, float] = (math.nan,) * 4
            self._nx = self._ny = 1
            self._minx = self._miny = self._maxx = self._maxy = math.nan
            self._sx = self._sy = 0.0
            self._table: list[Any] = [None]
            self._index_table = np.array([_EMPTY], dtype=np.int32)
            return

        minx, miny, maxx, maxy = (float(v) for v in shapely.total_bounds(self._geoms))
        self.bounds = (minx, miny, maxx, maxy)
        self._minx, self._miny, self._maxx, self._maxy = minx, miny, maxx, maxy
        width, height = maxx - minx, maxy - miny
        if width > 0 and height > 0:
            side = math.sqrt(width * height / buckets)
            nx = max(1, min(buckets, math.ceil(width / side)))
            ny = max(1, min(buckets, math.ceil(height / side)))
        else:  # degenerate, cannot happen for non-empty polygons but keep it safe
            nx = ny = 1
        self._nx, self._ny = nx, ny
        # Scale factors used by *both* locate() and locate_many(), so they agree on buckets.
        self._sx = nx / width if width > 0 else 0.0
        self._sy = ny / height if height > 0 else 0.0
        self._build_table(nx, ny)

    # -- construction --------------------------------------------------------------------

    def _classify(
        self, x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Classify boxes: cell index if one cell covers the box and no other touches it,
        _EMPTY if no cell touches it, else _MIXED; plus the (box, cell) touching pairs."""
        boxes = shapely.box(x0, y0, x1, y1)
        box_idx, geom_idx = self._tree.query(boxes, predicate="intersects")
        counts = np.bincount(box_idx, minlength=len(boxes))
        kind = np.full(len(boxes), _MIXED, dtype=np.int32)
        kind[counts == 0] = _EMPTY
        single = counts[box_idx] == 1
        sb, sg = box_idx[single], geom_idx[single]
        covered = shapely.covers(self._geoms[sg], boxes[sb])
        kind[sb[covered]] = sg[covered]
        return kind, box_idx, geom_idx

    def _build_table(self, nx: int, ny: int) -> None:
        minx, miny, maxx, maxy = self.bounds
        dx = (maxx - minx) / nx
        dy = (maxy - miny) / ny
        # Bucket (i, j) spans edge_x[i]..edge_x[i+1] x edge_y[j]..edge_y[j+1], enlarged by eps
        # so that a point whose computed bucket index is off by one (float rounding right at
        # a bucket edge, ~1e-13 degrees) still lies in the box that was classified.
        eps = max(dx, dy) * 1e-6 + 1e-12 * max(abs(minx), abs(maxx), abs(miny), abs(maxy), 1.0)
        edge_x = minx + np.arange(nx + 1, dtype=np.float64) * dx
        edge_y = miny + np.arange(ny + 1, dtype=np.float64) * dy

        # Coarse pass over blocks of BLOCK x BLOCK buckets: a block that is pure or empty
        # makes all its buckets so (each bucket box lies inside its block box).
        block = 8
        bx = np.arange(0, nx, block)
        by = np.arange(0, ny, block)
        bx_end = np.minimum(bx + block, nx)
        by_end = np.minimum(by + block, ny)
        cx0, cy0 = np.meshgrid(edge_x[bx] - eps, edge_y[by] - eps)
        cx1, cy1 = np.meshgrid(edge_x[bx_end] + eps, edge_y[by_end] + eps)
        coarse, _, _ = self._classify(cx0.ravel(), cy0.ravel(), cx1.ravel(), cy1.ravel())
        coarse = coarse.reshape(len(by), len(bx))
        table2d = np.repeat(np.repeat(coarse, block, axis=0), block, axis=1)[:ny, :nx].copy()

        # Fine pass over the buckets of mixed blocks only.
        jj, ii = np.nonzero(table2d == _MIXED)
        kind, box_idx, geom_idx = self._classify(
            edge_x[ii] - eps, edge_y[jj] - eps, edge_x[ii + 1] + eps, edge_y[jj + 1] + eps
        )
        table2d[jj, ii] = kind
        table = table2d.ravel()
        self._index_table = table

        # Python-level table for the scalar path: code, None, or a tuple of candidates.
        py_table: list[Any] = self._code_array[table].tolist()  # -1 -> None
        flat = (jj * nx + ii).tolist()
        mixed = kind[box_idx] == _MIXED
        order = np.lexsort((geom_idx[mixed], box_idx[mixed]))
        codes, geoms = self.codes, self._geoms
        candidates: dict[int, list[tuple[str, BaseGeometry]]] = {}
        for b, g in zip(
            box_idx[mixed][order].tolist(), geom_idx[mixed][order].tolist(), strict=True
        ):
            candidates.setdefault(flat[b], []).append((codes[g], geoms[g]))
        # Share identical candidate tuples between buckets (saves memory).
        interned: dict[tuple[str, ...], tuple[tuple[str, BaseGeometry], ...]] = {}
        for k, cands in candidates.items():
            py_table[k] = interned.setdefault(tuple(c for c, _ in cands), tuple(cands))
        self._table = py_table

    # -- queries -------------------------------------------------------------------------

    def locate(self, lon: float, lat: float) -> str | None:
        """Code of the cell covering (lon, lat), the lowest code on shared edges, else None."""
        if not (self._minx <= lon <= self._maxx and self._miny <= lat <= self._maxy):
            return None  # also NaN
        i = int((lon - self._minx) * self._sx)
        j = int((lat - self._miny) * self._sy)
        nx = self._nx
        if i >= nx:
            i = nx - 1
        if j >= self._ny:
            j = self._ny - 1
        hit = self._table[j * nx + i]
        if hit.__class__ is not tuple:
            return hit
        for code, geom in hit:
            if _intersects_xy(geom, lon, lat):
                return code
        return None

    def locate_many(
        self, lons: Sequence[float] | np.ndarray, lats: Sequence[float] | np.ndarray
    ) -> list[str | None]:
        """Vectorised :meth:`locate`: one code (or None) per point, same answers."""
        x = np.asarray(lons, dtype=np.float64).ravel()
        y = np.asarray(lats, dtype=np.float64).ravel()
        if x.shape != y.shape:
            raise ValueError(f"lons and lats differ in length ({x.size} != {y.size})")
        result = np.full(x.size, _EMPTY, dtype=np.int64)
        if not self.codes or x.size == 0:
            return self._code_array[result].tolist()
        inside = (x >= self._minx) & (x <= self._maxx) & (y >= self._miny) & (y <= self._maxy)
        xi, yi = x[inside], y[inside]
        i = np.minimum(((xi - self._minx) * self._sx).astype(np.int64), self._nx - 1)
        j = np.minimum(((yi - self._miny) * self._sy).astype(np.int64), self._ny - 1)
        result[inside] = self._index_table[j * self._nx + i]

        mixed = np.flatnonzero(result == _MIXED)
        if mixed.size:
            points = shapely.points(x[mixed], y[mixed])
            p_idx, g_idx = self._tree.query(points, predicate="intersects")
            best = np.full(mixed.size, len(self.codes), dtype=np.int64)
            np.minimum.at(best, p_idx, g_idx)
            best[best == len(self.codes)] = _EMPTY
            result[mixed] = best
        return self._code_array[result].tolist()

    # -- introspection -------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.codes)

    def __repr__(self) -> str:
        return f"<GridLocator {len(self.codes)} cells, {self._nx}x{self._ny} buckets>"

    @property
    def stats(self) -> dict[str, int]:
        """Bucket counts by kind (for tuning and benchmarks)."""
        table = self._index_table
        return {
            "cells": len(self.codes),
            "buckets": int(table.size),
            "nx": self._nx,
            "ny": self._ny,
            "pure": int(np.count_nonzero(table >= 0)),
            "empty": int(np.count_nonzero(table == _EMPTY)),
            "mixed": int(np.count_nonzero(table == _MIXED)),
        }
