"""Benchmark: the one map's layer and search requests (一图通览) through the real stack. The
bars: every layer and search request ≤ 300 ms at demo scale; the cases layer with 1,000,000
cases in PostgreSQL ≤ 500 ms at street zoom (aggregated). The search is also timed by case
number with the 1,000,000 cases.

    .venv/bin/python bench/bench_map.py [--cases 1000000] [--demo-cases 20000] [--reps 10]
        [--keep]

1. A fresh PostgreSQL database (``streetbrain_bench_map``) with production settings: the core
   demo (the street, 17 communities, 80 grid cells), the registry's demo at full scale
   (buildings, houses, residents, facilities, shops, OSM landmarks) and ``--demo-cases`` cases
   over 24 months (the generator of ``bench_evaluation.py``: realistic states and lights).
2. Every layer through gunicorn as ``leader`` (the whole street): the street's bounding box at
   zoom 14 (the whole street on a wall screen), and the cases layer close up (one grid cell at
   zoom 17, single cases); median and max of ``--reps`` requests after warming the workers.
3. The cases are replaced by ``--cases`` cases (COPY), the precomputed case densities are
   refreshed (timed: all months, then the 15-minute task), and the cases layer is timed again
   at street zoom: open cases by light, and every case of the last 12 months as a density.

The database is dropped at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _stack
from _stack import say

DEMO_BAR_MS = 300.0
CASES_BAR_MS = 500.0
DBNAME = "streetbrain_bench_map"
LAYERS = [
    "street",
    "communities",
    "grids",
    "buildings",
    "landmarks",
    "facilities",
    "shops",
    "sensors",
]


def timed(fn):
    t = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - t


def street_bbox() -> tuple[str, str]:
    """The street's bounding box, and one grid cell's (for the close-up)."""
    from shapely.geometry import shape

    from streetbrain.core.models import OrgUnit

    street = OrgUnit.objects.get(level="street", geometry__isnull=False)
    grid = OrgUnit.objects.filter(level="grid", geometry__isnull=False).order_by("code").first()
    fmt = ",".join
    return (
        fmt(f"{v:.6f}" for v in shape(street.geometry).bounds),
        fmt(f"{v:.6f}" for v in shape(grid.geometry).bounds),
    )


def time_get(server, cookie: str, path: str, reps: int, warm: int) -> tuple[list[float], int]:
    headers = {"Cookie": f"sessionid={cookie}", "Accept": "application/json"}
    size = 0
    for _ in range(warm):
        status, _h, body = _stack.http_request(server.host, server.port, "GET", path, None, headers)
        if status != 200:
            raise SystemExit(f"{path}: {status}\n{body[:500]!r}\n{server.log_tail()}")
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        status, _h, body = _stack.http_request(server.host, server.port, "GET", path, None, headers)
        times.append((time.perf_counter() - t) * 1000)
        if status != 200:
            raise SystemExit(f"{path}: {status}")
        size = len(body)
    return times, size


def features(body_size: int) -> str:
    return f"{body_size / 1024:,.0f} KiB"


def measure(stack, cookie, requests, reps, workers) -> dict[str, float]:
    out = {}
    stack.close_connections()
    with stack.gunicorn(workers=workers, worker_class="gthread", threads=4) as server:
        say(f"{'layer request':<44}{'median ms':>10}{'max ms':>9}{'size':>11}")
        for label, path in requests:
            times, size = time_get(server, cookie, path, reps, warm=2 * workers)
            out[label] = _stack.median(times)
            say(f"{label:<44}{_stack.median(times):>10.1f}{max(times):>9.1f}{features(size):>11}")
    return out


def search_requests(cases_only: bool = False) -> list[tuple[str, str]]:
    """The map's place search: names common to many kinds (every kind searched, each with its
    LIMIT) and a case number by its beginning and by its last digits."""
    from streetbrain.cases.models import Case

    number = Case.objects.order_by("-pk").values_list("number", flat=True).first() or ""

    def path(q):
        return "/api/map/search/?" + urlencode({"q": q})

    out = (
        []
        if cases_only
        else [
            ("search: 东城 (every kind)", path("东城")),
            ("search: 路 (every kind, many hits)", path("路")),
        ]
    )
    if number:
        out += [
            (f"search: case number start {number[:8]}", path(number[:8])),
            (f"search: case number end {number[-4:]}", path(number[-4:])),
        ]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--demo-cases", type=int, default=20_000)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers (gthread × 4)")
    ap.add_argument("--keep", action="store_true", help="keep the bench database")
    args = ap.parse_args()
    import platform

    say(f"python {platform.python_version()}, {_stack.load_note()}")
    stack = _stack.Stack.configure(DBNAME)
    try:
        return run(stack, args)
    finally:
        if args.keep:
            say(f"\nkept database {DBNAME} ({stack.env['DATABASE_URL']})")
            stack.close_connections()
            shutil.rmtree(stack.var_dir, ignore_errors=True)
        else:
            stack.drop()


def run(stack, args) -> int:
    import bench_evaluation
    from django.db import connection
    from django.test import Client

    from streetbrain.cases import density
    from streetbrain.core.audit import audit_context
    from streetbrain.core.models import User
    from streetbrain.demo import registry as registry_demo
    from streetbrain.demo.context import DemoContext
    from streetbrain.registry.models import Building, Facility, Resident, Shop

    for name, fn in (("migrate", stack.migrate), ("core demo", stack.load_core_demo)):
        _v, seconds = timed(fn)
        say(f"prepared: {name} in {seconds:.1f} s")
    with audit_context(source="cli", reason="bench"):
        _v, seconds = timed(lambda: registry_demo.load(DemoContext(), scale=1.0))
    say(
        f"registry demo (full scale) in {seconds:.1f} s: {Building.objects.count():,} buildings, "
        f"{Resident.objects.count():,} residents, {Facility.objects.count():,} facilities, "
        f"{Shop.objects.count():,} shops"
    )
    staff = bench_evaluation.make_staff()
    stats, seconds = timed(
        lambda: bench_evaluation.load_cases(args.demo_cases, args.months, 5, staff)
    )
    say(f"{args.demo_cases:,} cases ({stats['open']:,} open) in {seconds:.1f} s")
    rows, seconds = timed(density.refresh)
    say(f"case densities (all months): {rows:,} squares in {seconds:.1f} s")

    street, grid = street_bbox()
    leader = User.objects.get(username="leader")
    client = Client()
    client.force_login(leader)
    cookie = client.cookies["sessionid"].value

    def path(name, **params):
        return f"/api/map/layers/{name}/?" + urlencode(params)

    requests = [(f"{name} (street, zoom 14)", path(name, bbox=street, zoom=14)) for name in LAYERS]
    requests += [
        ("cases: open, bins (street, zoom 14)", path("cases", bbox=street, zoom=14)),
        ("cases: open, points (a grid cell, zoom 17)", path("cases", bbox=grid, zoom=17)),
        ("cases: 12 months, density (zoom 14)", path("cases", bbox=street, zoom=14, history=1)),
    ]
    requests += search_requests()
    say(
        f"\n== demo scale, through gunicorn as leader, {args.reps} requests each  "
        f"[{_stack.load_note()}]"
    )
    demo = measure(stack, cookie, requests, args.reps, args.workers)
    demo_worst = max(demo.values())

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE cases_case, cases_report, cases_caseevent CASCADE")
    stats, seconds = timed(lambda: bench_evaluation.load_cases(args.cases, args.months, 3, staff))
    say(
        f"\nreplaced the cases by {args.cases:,} ({stats['open']:,} open) with COPY in "
        f"{seconds:.1f} s  [{_stack.load_note()}]"
    )
    rows, seconds = timed(density.refresh)
    say(f"case densities (all months): {rows:,} squares in {seconds:.1f} s")
    rows, seconds = timed(density.refresh_recent)
    say(f"case densities (15-minute task, last two months): {rows:,} squares in {seconds:.1f} s")
    big = [r for r in requests if r[0].startswith("cases")] + search_requests(cases_only=True)
    say(f"== {args.cases:,} cases, through gunicorn as leader  [{_stack.load_note()}]")
    million = measure(stack, cookie, big, args.reps, args.workers)
    street_worst = max(v for k, v in million.items() if "zoom 14" in k)
    search_worst = max((v for k, v in million.items() if k.startswith("search")), default=0.0)

    ok_demo = demo_worst <= DEMO_BAR_MS
    ok_cases = street_worst <= CASES_BAR_MS
    ok_search = search_worst <= DEMO_BAR_MS
    say(
        f"\nslowest layer at demo scale: median {demo_worst:.1f} ms; bar ≤ {DEMO_BAR_MS:.0f} ms: "
        f"{'PASS' if ok_demo else 'FAIL'}"
    )
    say(
        f"cases layer at street zoom with {args.cases:,} cases: median {street_worst:.1f} ms; "
        f"bar ≤ {CASES_BAR_MS:.0f} ms: {'PASS' if ok_cases else 'FAIL'}  [{_stack.load_note()}]"
    )
    say(
        f"search by case number among {args.cases:,} cases: median {search_worst:.1f} ms; "
        f"bar ≤ {DEMO_BAR_MS:.0f} ms (a map request): {'PASS' if ok_search else 'FAIL'}"
    )
    return 0 if ok_demo and ok_cases and ok_search else 1


if __name__ == "__main__":
    raise SystemExit(main())
