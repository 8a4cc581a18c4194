"""Benchmark: global search latency at demo scale (the bar: < 200 ms per search).

    .venv/bin/python bench/bench_search.py [--database-url URL] [--reps N]

Loads the whole demo district (core + registry) into a fresh temporary SQLite database
(or an existing PostgreSQL database with --database-url, which must be empty: it is migrated
and loaded), then times searches of each kind as the street leader (whole street) and as the
grid worker (one grid): through ``core.search.search`` and through the page (Django's test
client, so routing, templates and middleware are included). Prints p50/p95/max per query.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BAR_MS = 200.0


def timed(fn, reps: int) -> list[float]:
    out = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url", default="")
    ap.add_argument("--reps", type=int, default=20)
    args = ap.parse_args()
    var = Path(tempfile.mkdtemp(prefix="streetbrain-bench-search-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "streetbrain.settings.demo"
    os.environ["STREETBRAIN_VAR_DIR"] = str(var)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    try:
        return run(args)
    finally:
        shutil.rmtree(var, ignore_errors=True)


def run(args) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from streetbrain.core.audit import audit_context
    from streetbrain.core.models import User
    from streetbrain.core.protected import reveal_value
    from streetbrain.core.search import search
    from streetbrain.demo import core as core_demo
    from streetbrain.demo import registry as registry_demo
    from streetbrain.demo.context import DemoContext
    from streetbrain.registry.models import Resident, Shop

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # pages use the manifest
    ctx = DemoContext()
    with audit_context(source="cli", reason="bench"):
        core_demo.load(ctx)
        registry_demo.load(ctx)
    print(
        f"demo loaded in {time.perf_counter() - t:.1f} s: {Resident.objects.count():,} "
        f"residents, {Shop.objects.count():,} shops ({connection.vendor})"
    )

    sample = Resident.objects.exclude(phone_cipher="").order_by("pk")[1234]
    shop = Shop.objects.order_by("pk")[321]
    queries = {
        "common surname 王": "王",
        "full name": sample.name,
        "exact ID number": reveal_value(sample, "id_number"),
        "exact phone": reveal_value(sample, "phone"),
        "shop name part": shop.name[:2],
        "credit code": shop.credit_code,
        "facility class 井盖": "井盖",
        "no match": "不存在的名字XYZ",
    }
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, {args.reps} reps each")
    worst = 0.0
    for username in ("leader", "gridworker"):
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        print(f"\n== as {username} ({user.org_unit.name})")
        print(
            f"{'query':<22}{'hits':>6}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}"
            f"{'page p50':>10}{'page max':>10}"
        )
        for label, q in queries.items():
            hits = sum(len(g["results"]) for g in search(user, q))
            fn_times = timed(lambda q=q, user=user: search(user, q), args.reps)
            page_times = timed(lambda q=q, c=client: c.get("/search/", {"q": q}), args.reps)
            p95 = statistics.quantiles(fn_times, n=20)[18]
            worst = max(worst, max(page_times))
            print(
                f"{label:<22}{hits:>6}{statistics.median(fn_times):>9.1f}{p95:>9.1f}"
                f"{max(fn_times):>9.1f}{statistics.median(page_times):>10.1f}"
                f"{max(page_times):>10.1f}"
            )
    verdict = "PASS" if worst < BAR_MS else "FAIL"
    print(f"\nslowest page answer {worst:.1f} ms; bar {BAR_MS:.0f} ms: {verdict}")
    return 0 if worst < BAR_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
