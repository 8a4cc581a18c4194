"""Benchmark: importing 10,000 residents from a CSV file (the bar: 60 s each way).

    .venv/bin/python bench/bench_import.py [--rows N] [--database-url URL]

Loads the demo's org tree into a fresh temporary SQLite database (or an empty PostgreSQL
database given with --database-url), then imports N residents of one grid as the superuser —
validated, ID numbers and phones encrypted, every row in the change log — and imports the same
file again as a dry run (every row unchanged). Prints both times against the bar.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BAR_S = 60.0


def id_number(serial: int, birth: str) -> str:
    from streetbrain.core.identifiers import id_check_char

    first17 = f"330212{birth}{serial:03d}"
    return first17 + id_check_char(first17)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--database-url", default="")
    args = ap.parse_args()
    var = Path(tempfile.mkdtemp(prefix="streetbrain-bench-import-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "streetbrain.settings.demo"
    os.environ["STREETBRAIN_VAR_DIR"] = str(var)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    try:
        return run(args)
    finally:
        shutil.rmtree(var, ignore_errors=True)


def run(args) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from streetbrain.core import dataio
    from streetbrain.core.audit import audit_context
    from streetbrain.core.models import OrgUnit, User
    from streetbrain.demo import core as core_demo
    from streetbrain.demo.context import DemoContext

    call_command("migrate", verbosity=0)
    with audit_context(source="cli", reason="bench"):
        core_demo.load(DemoContext())
    grid = OrgUnit.objects.filter(level=OrgUnit.Level.GRID).order_by("code").first()
    admin = User.objects.filter(is_superuser=True).first()
    rows = [["姓名", "公民身份号码", "联系电话", "人口类型", "网格编码", "标签"]]
    for i in range(args.rows):
        birth = f"19{50 + (i // 1000) % 50:02d}0101"
        rows.append([f"居民{i}", id_number(i % 1000, birth), f"139{i:08d}", "常住", grid.code, ""])
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    data = buf.getvalue().encode("utf-8-sig")
    spec = dataio.get_spec("residents")

    print(
        f"python {platform.python_version()}, {os.cpu_count()} CPUs, {connection.vendor}; "
        f"{args.rows:,} residents of grid {grid.code}"
    )
    started = time.perf_counter()
    report = dataio.run_import(spec, data, admin, dry_run=False)
    write = time.perf_counter() - started
    assert report.ok and report.created == args.rows, (report.created, report.errors[:3])
    started = time.perf_counter()
    again = dataio.run_import(spec, data, admin, dry_run=True)
    check = time.perf_counter() - started
    assert again.unchanged == args.rows, again.unchanged
    ok = write < BAR_S and check < BAR_S
    print(f"import:          {write:6.1f} s ({args.rows / write:,.0f} rows/s)  bar {BAR_S:.0f} s")
    print(f"dry run, again:  {check:6.1f} s ({args.rows / check:,.0f} rows/s)  bar {BAR_S:.0f} s")
    print("bar met" if ok else "BAR MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
