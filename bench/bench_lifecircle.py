"""Benchmark: the 15-minute life circle of every house of 江城社区 (streetbrain.community).

Run from the repository root:

    .venv/bin/python bench/bench_lifecircle.py [--scale 1.0]

Loads the demo's org tree and registry at ``--scale`` (1 = the full district) and the
community's demo into a temporary SQLite database, prints the seconds of each load, then times
``lifecircle.compute`` for 江城社区 (best of 3). The bar: all 江城 houses in under 30 s."""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BAR_SECONDS = 30.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    args = ap.parse_args(argv)
    var = Path(tempfile.mkdtemp(prefix="streetbrain-bench-lifecircle-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "streetbrain.settings.demo"
    os.environ["STREETBRAIN_VAR_DIR"] = str(var)
    os.environ.pop("DATABASE_URL", None)
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from streetbrain.community import lifecircle
        from streetbrain.core.models import OrgUnit
        from streetbrain.demo import community, core, registry
        from streetbrain.demo.context import DemoContext

        print(f"python {platform.python_version()}, cpu count {os.cpu_count()}")
        ctx = DemoContext()
        steps = []
        for label, step in (
            ("core", lambda: core.load(ctx)),
            (f"registry (scale {args.scale:g})", lambda: registry.load(ctx, scale=args.scale)),
            ("community", lambda: community.load(ctx)),
        ):
            t0 = time.perf_counter()
            step()
            steps.append((label, time.perf_counter() - t0))
        print(
            "demo loads: "
            + ", ".join(f"{label} {seconds:.1f} s" for label, seconds in steps)
            + f"; total {sum(s for _, s in steps):.1f} s"
        )
        unit = OrgUnit.objects.get(level="community", name="江城社区")
        best = None
        for _ in range(3):
            circle = lifecircle.compute(unit)
            best = circle if best is None or circle.seconds < best.seconds else best
        print(
            f"life circle of 江城社区: {best.houses} houses in {len(best.buildings)} buildings, "
            f"{best.seconds:.3f} s (best of 3; bar {BAR_SECONDS:.0f} s)"
        )
        for row in best.coverage():
            shares = ", ".join(
                f"{m} min {s}%" for m, s in zip(lifecircle.CIRCLES, row["shares"], strict=True)
            )
            print(f"  {row['key']:<10} {shares}{'  GAP' if row['gap'] else ''}")
        return 0 if best.seconds < BAR_SECONDS else 1
    finally:
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
