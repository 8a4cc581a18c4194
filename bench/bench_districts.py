"""Benchmark: the business districts' demo load and dashboard at the demo's scale and at ten
times its stores and sales.

    .venv/bin/python bench/bench_districts.py [--reps 5]

On the test settings' SQLite database (migrated in a temporary file): the core demo and the
registry's at 2 %, then the districts' demo at full scale (120 stores, 24 months) — timed —,
then the dashboard page (``/districts/``, as the ``districts`` account: every figure computed
on view from the sales rows), its figures alone (``measures.district_year``) and the API's
district list, median of ``--reps``. Then the stores and their sales are copied nine times
(ten times the rows) and the same is measured again. Prints numbers; bars: the load < 5 s,
the dashboard < 500 ms at demo scale.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "streetbrain.settings.test"
os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.mkdtemp()}/bench_districts.sqlite3")

LOAD_BAR_S = 5.0
PAGE_BAR_MS = 500.0


def median_ms(reps: int, fn) -> float:
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)

    from streetbrain.core.audit import audit_context
    from streetbrain.core.models import User
    from streetbrain.demo import core as core_demo
    from streetbrain.demo import districts as districts_demo
    from streetbrain.demo import registry as registry_demo
    from streetbrain.demo.context import DemoContext
    from streetbrain.districts import measures
    from streetbrain.districts.models import BusinessDistrict, SalesRecord, Store

    today = dt.date.today()
    ctx = DemoContext()
    with audit_context(source="cli", reason="bench"):
        core_demo.load(ctx)
        registry_demo.load(ctx, scale=0.02)
        start = time.perf_counter()
        districts_demo.load(ctx, scale=1.0, today=today)
        load_s = time.perf_counter() - start
    user = User.objects.get(username="districts")
    client = Client()
    client.force_login(user)
    district = BusinessDistrict.objects.get()

    def measure(label: str) -> float:
        rows = SalesRecord.objects.count()
        stores = Store.objects.count()
        assert client.get("/districts/").status_code == 200
        page = median_ms(args.reps, lambda: client.get("/districts/"))
        figures = median_ms(args.reps, lambda: measures.district_year(user, district, today.year))
        api = median_ms(args.reps, lambda: client.get("/api/districts/"))
        print(
            f"{label}: {stores} stores, {rows} sales rows — dashboard page {page:.0f} ms, "
            f"its figures {figures:.0f} ms, /api/districts/ {api:.0f} ms (median of {args.reps})"
        )
        return page

    print(f"districts demo load at full scale: {load_s:.2f} s (bar {LOAD_BAR_S:.0f} s)")
    year = measures.district_year(user, district, today.year)
    print(
        f"the demo's {today.year}: sales {year['sales'] / 10**8:.2f} 亿 in "
        f"{len(year['yoy']['months'])} months against {year['target'] / 10**8:.0f} 亿, "
        f"year on year {year['yoy']['change']:+.1%}, first stores "
        f"{year['first_stores']['count']} of {year['first_stores']['target']}"
    )
    page = measure("demo scale")

    # Ten times the stores and their sales: copies of each store with its rows.
    originals = list(Store.objects.all())
    sales = list(SalesRecord.objects.filter(store__isnull=False))
    by_store: dict[int, list] = {}
    for row in sales:
        by_store.setdefault(row.store_id, []).append(row)
    for copy in range(1, 10):
        clones = []
        for s in originals:
            s_new = Store(
                district=s.district, complex=s.complex, code=f"{s.code}-{copy}",
                name=f"{s.name}{copy}", category=s.category, org_unit=s.org_unit,
                data_source="demo",
            )  # fmt: skip
            clones.append((s, s_new))
        Store.objects.bulk_create([c for _s, c in clones])
        SalesRecord.objects.bulk_create(
            [
                SalesRecord(
                    district=r.district,
                    store=new,
                    category=r.category,
                    month=r.month,
                    amount=r.amount,
                    org_unit=r.org_unit,
                    data_source="demo",
                )
                for old, new in clones
                for r in by_store.get(old.pk, [])
            ],
            batch_size=5000,
        )
    measure("ten times the stores")
    ok = load_s < LOAD_BAR_S and page < PAGE_BAR_MS
    print("bars met" if ok else "bars MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
