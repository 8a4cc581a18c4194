"""Benchmark: the cockpit's first full render in a real browser at demo scale. The bar: ≤ 2 s.

    .venv/bin/python bench/bench_cockpit.py [--cases 20000] [--reps 5] [--keep]

1. A fresh PostgreSQL database (``streetbrain_bench_cockpit``) with production settings: the
   core demo, the registry's demo at full scale, ``--cases`` cases over 24 months (the
   generator of ``bench_evaluation.py``), then the precomputed figures the cockpit reads (key
   figures, evaluation figures, case densities).
2. gunicorn serves it; Debian's chromium (Playwright) opens ``/cockpit/`` as ``leader`` in a
   fresh browser context each time (a cold cache: every script, style and chart is loaded)
   at 1920×1080, and measures from the start of navigation until the page is fully drawn:
   every chart has its SVG and the live feed has arrived. Median and max over ``--reps``.

The database is dropped at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _stack
from _stack import say

BAR_MS = 2000.0
DBNAME = "streetbrain_bench_cockpit"
DRAWN = """() => {
  const charts = [...document.querySelectorAll('.chart')];
  return charts.length > 0 && charts.every(c => c.querySelector('svg'))
    && document.querySelector('#feed .feed li, #feed p') !== null;
}"""


def timed(fn):
    t = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=20_000)
    ap.add_argument("--reps", type=int, default=5)
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


def prepare(stack, args) -> None:
    import bench_evaluation

    from streetbrain.cases import density
    from streetbrain.cases.evaluation.stats import refresh_all
    from streetbrain.core.audit import audit_context
    from streetbrain.core.figures import refresh_key_figures
    from streetbrain.demo import registry as registry_demo
    from streetbrain.demo.context import DemoContext

    for name, fn in (
        ("migrate", stack.migrate),
        ("core demo", stack.load_core_demo),
        ("collectstatic", stack.collectstatic),
    ):
        _v, seconds = timed(fn)
        say(f"prepared: {name} in {seconds:.1f} s")
    with audit_context(source="cli", reason="bench"):
        _v, seconds = timed(lambda: registry_demo.load(DemoContext(), scale=1.0))
    say(f"registry demo (full scale) in {seconds:.1f} s")
    staff = bench_evaluation.make_staff()
    stats, seconds = timed(lambda: bench_evaluation.load_cases(args.cases, 24, 5, staff))
    say(f"{args.cases:,} cases ({stats['open']:,} open) in {seconds:.1f} s")
    for name, fn in (
        ("key figures", refresh_key_figures),
        ("evaluation figures", refresh_all),
        ("case densities", density.refresh),
    ):
        _v, seconds = timed(fn)
        say(f"prepared: {name} in {seconds:.1f} s")


def run(stack, args) -> int:
    from django.test import Client

    from streetbrain.core.models import User

    prepare(stack, args)
    leader = User.objects.get(username="leader")
    client = Client()
    client.force_login(leader)
    cookie = client.cookies["sessionid"].value
    stack.close_connections()

    chromium = "/usr/bin/chromium"
    if not os.access(chromium, os.X_OK):
        say("Debian's chromium is not installed (apt-get install chromium): no measurement")
        return 2
    from playwright.sync_api import sync_playwright

    times = []
    with stack.gunicorn(workers=2, worker_class="gthread", threads=4) as server:
        base = f"http://{server.host}:{server.port}"
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=chromium, args=["--no-sandbox", "--disable-gpu"], headless=True
            )
            for i in range(args.reps + 1):  # the first warms the server's workers
                context = browser.new_context(
                    base_url=base, viewport={"width": 1920, "height": 1080}, locale="zh-CN"
                )
                context.add_cookies([{"name": "sessionid", "value": cookie, "url": base}])
                page = context.new_page()
                errors = []
                page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
                page.goto("/cockpit/?wall=1", wait_until="commit")
                page.wait_for_function(DRAWN, timeout=30_000)
                ms = page.evaluate("() => performance.now()")
                if errors:
                    raise SystemExit(f"page errors: {errors}")
                if i:
                    times.append(ms)
                    say(f"  load {i}: fully drawn after {ms:,.0f} ms")
                context.close()
            browser.close()
    median = _stack.median(times)
    ok = median <= BAR_MS
    say(
        f"\ncockpit first full render (cold browser cache, 1920×1080): median {median:,.0f} ms, "
        f"max {max(times):,.0f} ms; bar ≤ {BAR_MS:,.0f} ms: {'PASS' if ok else 'FAIL'}  "
        f"[{_stack.load_note()}]"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
