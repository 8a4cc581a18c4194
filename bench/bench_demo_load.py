"""Benchmark: the full demo load of 福明街道 (core, registry, cases) into a fresh SQLite database.

Run from the repository root:

    .venv/bin/python bench/bench_demo_load.py [--scale S] [--keep]

Creates a temporary var directory (settings ``streetbrain.settings.demo``), migrates, then
runs the demo's loaders (``streetbrain/demo``) in dependency order inside the same audit context
as the ``demo`` command, and prints the seconds per step and in total, the rows per model, the
change-log entries, the CPU count and the Python version. The bar: the whole load under
two minutes on a 2-core machine (aim: one).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BAR_SECONDS = 120.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="registry and cases scale (1 = full)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary database")
    args = ap.parse_args(argv)

    var = Path(tempfile.mkdtemp(prefix="streetbrain-bench-demo-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "streetbrain.settings.demo"
    os.environ["STREETBRAIN_VAR_DIR"] = str(var)
    os.environ.pop("DATABASE_URL", None)  # the embedded SQLite file under the temp var dir
    try:
        return run(args, var)
    finally:
        if args.keep:
            print(f"database kept in {var}")
        else:
            shutil.rmtree(var, ignore_errors=True)


def run(args, var: Path) -> int:
    import django

    django.setup()

    from django.apps import apps
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from streetbrain.core import extension_points as ep
    from streetbrain.core.audit import audit_context
    from streetbrain.core.figures import refresh_key_figures
    from streetbrain.core.models import ChangeLogEntry
    from streetbrain.demo.context import DemoContext
    from streetbrain.demo.extensions import in_order

    print(
        f"python {platform.python_version()} ({platform.python_implementation()}), "
        f"django {django.get_version()}, sqlite {connection.Database.sqlite_version}"
    )
    print(f"machine: {platform.machine()}, cpu count {os.cpu_count()}, {platform.platform()}")
    print(f"database: {settings.DATABASES['default']['NAME']}")

    steps: list[tuple[str, float]] = []
    t0 = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    steps.append(("migrate (incl. code tables)", time.perf_counter() - t0))

    ctx = DemoContext()
    load_start = time.perf_counter()
    with audit_context(source="cli", reason="demo load"):
        for loader in in_order(ep.items(ep.DemoLoader)):
            start = time.perf_counter()
            if loader.key in ("registry", "cases"):
                loader.load(ctx, scale=args.scale)
            else:
                loader.load(ctx)
            steps.append((f"{loader.key} loader", time.perf_counter() - start))
    load_seconds = time.perf_counter() - load_start
    start = time.perf_counter()
    refresh_key_figures()
    steps.append(("refresh_key_figures", time.perf_counter() - start))
    total = time.perf_counter() - t0

    print("\nload log:")
    for line in ctx.log:
        print(f"  {line}")
    print("\nseconds per step:")
    for label, seconds in steps:
        print(f"  {label:<32} {seconds:8.2f}")
    print(f"  {'demo load (all apps)':<32} {load_seconds:8.2f}")
    print(f"  {'total incl. migrate':<32} {total:8.2f}")

    print("\nrows per model:")
    for config in apps.get_app_configs():
        if not config.name.startswith("streetbrain."):
            continue
        for model in config.get_models():
            print(f"  {model._meta.label:<28} {model._base_manager.count():>8}")
    entries = ChangeLogEntry.objects.filter(source="cli", reason="demo load")
    print(f"\nchange-log entries of the demo load: {entries.count()}")
    by_type = (
        entries.values_list("content_type__app_label", "content_type__model")
        .order_by("content_type__app_label", "content_type__model")
        .distinct()
    )
    for app_label, model in by_type:
        n = entries.filter(content_type__app_label=app_label, content_type__model=model).count()
        print(f"  {app_label}.{model:<22} {n:>8}")
    protected_cost(entries.filter(content_type__model="resident").count())
    size = (var / "streetbrain.sqlite3").stat().st_size / 1e6
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"database file: {size:.0f} MB; peak memory of this process: {peak:.0f} MB")
    print(f"load average now: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    ok = load_seconds < BAR_SECONDS
    verdict = "OK" if ok else "TOO SLOW"
    print(f"\n{verdict}: demo load {load_seconds:.1f} s (bar {BAR_SECONDS:.0f} s)")
    return 0 if ok else 1


def protected_cost(residents: int, n: int = 5000) -> None:
    """What the protected columns cost: Fernet encryption + HMAC digest + mask per value."""
    import datetime
    import random

    from streetbrain.core.protected import encrypt
    from streetbrain.demo.synth.people import Population
    from streetbrain.registry.models import Resident

    pop = Population(datetime.date.today())
    rng = random.Random(1)
    values = [
        (pop.id_number(rng, "330204", pop.birth(rng, rng.randint(0, 90)), "M"), pop.mobile(rng))
        for _ in range(n)
    ]
    start = time.perf_counter()
    for id_number, _ in values:
        encrypt(id_number)
    fernet = (time.perf_counter() - start) / n
    start = time.perf_counter()
    for id_number, phone in values:
        r = Resident()
        r.set_id_number(id_number)
        r.phone = phone
    per_resident = (time.perf_counter() - start) / n
    print(
        f"protected data: Fernet encrypt {fernet * 1e6:.1f} µs/value; set_id_number + phone "
        f"{per_resident * 1e6:.1f} µs/resident -> {per_resident * residents:.1f} s for "
        f"{residents} residents"
    )


if __name__ == "__main__":
    raise SystemExit(main())
