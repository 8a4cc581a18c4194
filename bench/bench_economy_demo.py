"""Benchmark: the building economy's demo at 福明 scale — the plan without the database, and
(``--load``) its load into a fresh SQLite database after the core and registry demo.

Run from the repository root:

    .venv/bin/python bench/bench_economy_demo.py [--scale S] [--load] [--keep]

Prints the seconds to plan, what the plan holds (towers, floors, units, enterprises, leases,
tax and headcount rows, events), the tax classes of the towers over the last 12 months, 去化
per year, and the move-outs (the warning benchmark's ground truth): with and without signals,
by signal, by lead time, at a lease's end or early, and the false alarms. With ``--load``: the
economy load's steps and its total against the bar of 60 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BAR_SECONDS = 60.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="economy scale (1 = full)")
    ap.add_argument("--load", action="store_true", help="also load it into a temporary SQLite")
    ap.add_argument("--keep", action="store_true", help="keep the temporary database")
    args = ap.parse_args(argv)
    print(f"python {platform.python_version()}, cpu count {os.cpu_count()}, {platform.platform()}")
    plan_only(args.scale)
    if not args.load:
        return 0
    var = Path(tempfile.mkdtemp(prefix="streetbrain-bench-economy-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "streetbrain.settings.demo"
    os.environ["STREETBRAIN_VAR_DIR"] = str(var)
    os.environ.pop("DATABASE_URL", None)
    try:
        return load(args.scale)
    finally:
        if args.keep:
            print(f"database kept in {var}")
        else:
            shutil.rmtree(var, ignore_errors=True)


def plan_only(scale: float) -> None:
    from streetbrain.core.months import last_complete_month
    from streetbrain.demo.synth.economy.planner import annual_tax, plan_economy
    from streetbrain.demo.synth.economy.tables import HISTORY_MONTHS
    from streetbrain.demo.synth.economy.world import world_from_files
    from streetbrain.economy.measures import tax_class

    last = last_complete_month(dt.date.today())
    start = time.perf_counter()
    world = world_from_files(last)
    plan = plan_economy(world, scale=scale)
    seconds = time.perf_counter() - start
    real = sum(1 for b in plan.buildings if b.osm_ref)
    print(
        f"\nplan (no database, scale {scale:g}, {plan.first_month:%Y-%m}–{last:%Y-%m}): "
        f"{seconds:.1f} s"
    )
    print(
        f"  towers {len(plan.buildings)} ({real} real OpenStreetMap, "
        f"{len(plan.buildings) - real} made up), floors "
        f"{sum(len(b.floors) for b in plan.buildings)}, units {len(plan.units)}"
    )
    statuses = Counter(e.status for e in plan.enterprises)
    print(
        f"  enterprises {len(plan.enterprises)} {dict(statuses)}, leases {len(plan.leases)} "
        f"{dict(Counter(x.state for x in plan.leases))}"
    )
    print(
        f"  tax rows {sum(len(e.tax) for e in plan.enterprises)}, headcount rows "
        f"{sum(len(e.staff) for e in plan.enterprises)}, events {len(plan.events)}"
    )
    last12 = annual_tax(plan, range(HISTORY_MONTHS - 12, HISTORY_MONTHS))
    classes = Counter()
    names = {"yi": "亿元", "near_yi": "准亿元", "qianwan": "千万元"}
    for t in last12.values():
        classes[names.get(tax_class(t), "other")] += 1
    print(
        f"  towers by last 12 months' tax: {dict(classes)}; street "
        f"{sum(last12.values()) / 1e8:.1f} 亿元"
    )
    for b, t in sorted(last12.items(), key=lambda x: -x[1])[:8]:
        print(f"    {plan.buildings[b].name:<14} {t / 1e8:6.2f} 亿元")
    leased = Counter()
    for x in plan.leases:
        if x.renewed_from is None and x.start >= plan.first_month:
            leased[x.start.year] += x.area
    print(
        "  去化 (new leases, m²): " + ", ".join(f"{y} {a:,.0f}" for y, a in sorted(leased.items()))
    )
    truth = plan.truth
    signalled = [t for t in truth if t.signals]
    print(
        f"  move-outs {len(truth)}: {len(signalled)} with signals, "
        f"{len(truth) - len(signalled)} without; {dict(Counter(t.mode for t in truth))}"
    )
    print(f"    signals {dict(Counter(s for t in signalled for s in t.signals))}")
    print(f"    lead months {dict(sorted(Counter(t.lead_months for t in signalled).items()))}")
    print(
        f"  closed down {len(plan.deregistered)}, false alarms {len(plan.false_alarms)} "
        f"{dict(Counter(s for f in plan.false_alarms for s in f.signals))}"
    )


def load(scale: float) -> int:
    import django

    django.setup()
    from django.core.management import call_command

    from streetbrain.core.audit import audit_context
    from streetbrain.demo import core as core_demo
    from streetbrain.demo import economy as economy_demo
    from streetbrain.demo import registry as registry_demo
    from streetbrain.demo.context import DemoContext

    call_command("migrate", interactive=False, verbosity=0)
    ctx = DemoContext()
    with audit_context(source="cli", reason="demo load"):
        core_demo.load(ctx)
        registry_demo.load(ctx, scale=1.0)
        ctx.log.clear()
        start = time.perf_counter()
        economy_demo.load(ctx, scale=scale)
        seconds = time.perf_counter() - start
    print("\nload log:")
    for line in ctx.log:
        print(f"  {line}")
    print(f"load average now: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    ok = seconds < BAR_SECONDS
    print(
        f"\n{'OK' if ok else 'TOO SLOW'}: economy demo load {seconds:.1f} s "
        f"(bar {BAR_SECONDS:.0f} s)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
