"""``EXPLAIN (ANALYZE, BUFFERS)`` of the district's key queries, built with the product's own
querysets and scoping (``.restrict(user)``) as the three benchmark accounts see them. Run on
the loaded district database (same environment as the load):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sb_district \\
        .venv/bin/python bench/district/plans.py

``docs/scale-out.md`` quotes its output: which index carries each query.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
# The bench-only keys of bench_district_load.py (when the environment gives none).
BENCH_DATA_KEY = "streetbrain-district-bench-data-key-not-a-secret"
BENCH_DIGEST_KEY = "streetbrain-district-bench-digest-key-not-a-secret"


def queries():
    from django.db.models import Count, Q, Sum
    from django.utils import timezone

    from streetbrain.cases.models import Case, CaseEvent
    from streetbrain.core.models import User
    from streetbrain.economy.models import TaxRecord
    from streetbrain.registry.models import Resident

    users = {u.username: u for u in User.objects.filter(username__contains="_")}
    district, street, grid = (users[n] for n in ("district_leader", "street_leader", "grid_worker"))
    case = Case.objects.order_by("-pk").first()
    resident = Resident.objects.order_by("pk").first()
    month = timezone.now().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    last = month - dt.timedelta(days=1)
    first = last.replace(day=1)
    yield (
        "case list, district leader, newest first, page 1",
        (Case.objects.restrict(district).order_by("-reported_at")[:20]),
    )
    yield (
        "case list, street leader, open cases, newest first",
        (
            Case.objects.restrict(street)
            .exclude(state__in=["closed", "cancelled"])
            .order_by("-reported_at")[:20]
        ),
    )
    yield (
        "case list, grid worker, newest first",
        (Case.objects.restrict(grid).order_by("-reported_at")[:20]),
    )
    yield (
        "case list, district leader, deep page (offset 100,000)",
        (Case.objects.restrict(district).order_by("-reported_at")[100_000:100_020]),
    )
    yield (
        "case count by state, district leader",
        (Case.objects.restrict(district).values("state").annotate(n=Count("pk"))),
    )
    yield "case by number (global search)", Case.objects.filter(number=case.number)
    yield "a case's steps", CaseEvent.objects.filter(case=case).order_by("time")
    yield (
        "last month per street: cases, closed, closed on time (evaluation)",
        (
            Case.objects.filter(reported_at__gte=first, reported_at__lt=month)
            .values("org_unit__parent__parent__code")
            .annotate(
                n=Count("pk"),
                closed=Count("pk", filter=Q(state="closed")),
                on_time=Count("pk", filter=Q(closed_on_time=True)),
            )
        ),
    )
    yield (
        "resident by exact ID number (digest)",
        Resident.objects.filter(id_number_digest=resident.id_number_digest),
    )
    yield (
        "residents by name prefix, street leader",
        (Resident.objects.restrict(street).filter(name__startswith="王").order_by("name")[:20]),
    )
    yield (
        "tax of last month per street",
        (
            TaxRecord.objects.filter(month=first.date())
            .values("enterprise__org_unit__parent__parent__code")
            .annotate(total=Sum("total_tax"))
        ),
    )


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "streetbrain.settings.demo")
    os.environ.setdefault(
        "STREETBRAIN_DATA_KEYS", "streetbrain-district-bench-data-key-not-a-secret"
    )
    os.environ.setdefault(
        "STREETBRAIN_DIGEST_KEY", "streetbrain-district-bench-digest-key-not-a-secret"
    )
    import django

    django.setup()
    for title, qs in queries():
        print(f"=== {title}")
        print(qs.explain(analyze=True, buffers=True))
        print(flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
