"""Benchmark: point → 单元网格 lookups with GridLocator on the demo 福明街道.

Run from the repository root:

    .venv/bin/python bench/bench_grid_lookup.py [--single N] [--many N] [--repeat R]

Times N single ``locate`` calls (one Python call per point) on random points within the
street's bounding box, and one vectorised ``locate_many`` over N points; reports the best of
R runs. Also checks a sample against shapely's exact answer. Needs no Django.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
import shapely

from streetbrain.core.geo import GridLocator, area_m2
from streetbrain.demo.synth.district import build_demo_district

SINGLE_BAR = 50_000  # lookups/s that single-point locate() must reach


def best_of(repeat: int, fn) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--single", type=int, default=200_000, help="points for locate()")
    ap.add_argument("--many", type=int, default=1_000_000, help="points for locate_many()")
    ap.add_argument("--repeat", type=int, default=3, help="runs per timing (best is kept)")
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args(argv)

    print(
        f"python {platform.python_version()} ({platform.python_implementation()}), "
        f"shapely {shapely.__version__} / GEOS {shapely.geos_version_string}, "
        f"numpy {np.__version__}"
    )
    print(f"machine: {platform.machine()}, cpu count {os.cpu_count()}, {platform.platform()}")

    t0 = time.perf_counter()
    district = build_demo_district()
    t_build_district = time.perf_counter() - t0
    cells = [(g.code, g.polygon) for g in district.grids]
    t0 = time.perf_counter()
    locator = GridLocator(cells)
    t_build_locator = time.perf_counter() - t0
    stats = locator.stats
    street = district.street.polygon
    minx, miny, maxx, maxy = street.bounds
    print(
        f"district: {len(district.communities)} communities, {len(cells)} grids, "
        f"{area_m2(street) / 1e6:.2f} km², built in {t_build_district * 1000:.0f} ms"
    )
    print(
        f"locator: {stats['nx']}x{stats['ny']} buckets "
        f"({stats['pure']} pure, {stats['mixed']} mixed, {stats['empty']} empty), "
        f"built in {t_build_locator * 1000:.0f} ms"
    )

    rng = random.Random(args.seed)
    lons = [rng.uniform(minx, maxx) for _ in range(args.single)]
    lats = [rng.uniform(miny, maxy) for _ in range(args.single)]
    points = list(zip(lons, lats, strict=True))

    # correctness on a sample, against the exact shapely answer (lowest code on edges)
    sample = points[:2000]
    pts = shapely.points(sample)
    want: list[str | None] = [None] * len(sample)
    for code, poly in sorted(cells, reverse=True):
        for k in np.flatnonzero(shapely.covers(poly, pts)).tolist():
            want[k] = code
    assert [locator.locate(x, y) for x, y in sample] == want, "locate() disagrees with shapely"

    locate = locator.locate

    def run_single() -> None:
        for x, y in points:
            locate(x, y)

    t_single = best_of(args.repeat, run_single)
    rate_single = args.single / t_single
    inside = sum(locate(x, y) is not None for x, y in points) / len(points)
    print(
        f"locate():      {args.single:>9,} single calls in {t_single:.3f} s = "
        f"{rate_single:>12,.0f} lookups/s  ({t_single / args.single * 1e6:.2f} µs/call, "
        f"{inside:.0%} of points inside the street)"
    )

    nrng = np.random.default_rng(args.seed)
    many_lons = nrng.uniform(minx, maxx, args.many)
    many_lats = nrng.uniform(miny, maxy, args.many)
    t_many = best_of(args.repeat, lambda: locator.locate_many(many_lons, many_lats))
    rate_many = args.many / t_many
    print(
        f"locate_many(): {args.many:>9,} points in {t_many:.3f} s = {rate_many:>12,.0f} lookups/s"
    )
    k = min(20_000, args.many)
    assert locator.locate_many(many_lons[:k], many_lats[:k]) == [
        locate(x, y) for x, y in zip(many_lons[:k].tolist(), many_lats[:k].tolist(), strict=True)
    ], "locate_many() disagrees with locate()"

    verdict = "PASS" if rate_single >= SINGLE_BAR else "FAIL"
    print(f"single-point bar {SINGLE_BAR:,}/s: {verdict} ({rate_single / SINGLE_BAR:.1f}x)")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
