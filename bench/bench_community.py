"""Benchmark: no double booking under concurrent requests (streetbrain.community).

Run from the repository root against PostgreSQL (the test settings; a throw-away test
database ``test_<name>`` is created and dropped):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/community_bench \\
        .venv/bin/python bench/bench_community.py [--attempts 200] [--threads 40] [--rounds 3]

Each round: ``--attempts`` verified residents of different households try to book the same
slot of the reading room at once (``--threads`` connections, released together by a
barrier; PostgreSQL allows 100 connections, shared with others). Prints per round how many
were booked (must be 1), told the slot is taken, failed otherwise, and the wall time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--attempts", type=int, default=200)
    ap.add_argument("--threads", type=int, default=40)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("set DATABASE_URL to a PostgreSQL database (the concurrency is PostgreSQL's)")
        return 2
    os.environ["DJANGO_SETTINGS_MODULE"] = "streetbrain.settings.test"
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    print(f"python {platform.python_version()}, cpu count {os.cpu_count()}, database {name}")
    try:
        return run(args)
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


def run(args) -> int:
    from django.contrib.auth import get_user_model
    from django.db import connections

    from streetbrain.community import actions, rules
    from streetbrain.community.models import Booking, ResidentAccount, Space
    from streetbrain.core.models import OrgUnit
    from streetbrain.core.worktime import SHANGHAI
    from streetbrain.registry.models import Building, House, Household

    street = OrgUnit.objects.create(code="330212014", name="福明街道", level="street")
    community = OrgUnit.objects.create(
        code="330212014002", name="江城社区", level="community", parent=street
    )
    grid = OrgUnit.objects.create(
        code="33021201400201", name="江城第1网格", level="grid", parent=community
    )
    building = Building.objects.create(
        code="33021201400201001",
        name="江城1幢",
        address="江城路1号",
        kind="residential",
        org_unit=grid,
    )
    users = []
    t0 = time.perf_counter()
    for i in range(args.attempts):
        house = House.objects.create(
            building=building,
            number=f"1-{i:04d}",
            floor=1,
            area_m2=80,
            use="owner",
            org_unit=grid,
        )
        household = Household.objects.create(code=f"B{i:05d}", house=house, org_unit=grid)
        user = get_user_model().objects.create(username=f"bench-{i}")
        account = ResidentAccount(
            user=user,
            community=community,
            org_unit=grid,
            household=household,
            house=house,
            state="verified",
        )
        account.phone = f"1360000{i:04d}"
        account.save()
        users.append(user)
    reading = Space.objects.create(
        name="阅览室",
        kind="reading",
        capacity=60,
        who="residents",
        org_unit=grid,
        opens=dt.time(8),
        closes=dt.time(21),
        weekly_limit=args.attempts,
    )
    print(f"setup: {args.attempts} verified households in {time.perf_counter() - t0:.1f} s")
    day = dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=1)
    while not rules.slots(reading, day):
        day += dt.timedelta(days=1)
    ok = True
    for r in range(args.rounds):
        start = dt.datetime.combine(day, dt.time(8 + r), tzinfo=SHANGHAI)
        barrier = threading.Barrier(args.threads)
        outcomes: list[str] = []
        lock = threading.Lock()

        def attempt(batch, start=start, barrier=barrier, outcomes=outcomes, lock=lock):
            barrier.wait()
            try:
                for user in batch:
                    try:
                        actions.book(reading, start, user)
                        result = "booked"
                    except actions.SlotTaken:
                        result = "taken"
                    except Exception as exc:  # counted and printed
                        result = f"error {type(exc).__name__}"
                    with lock:
                        outcomes.append(result)
            finally:
                connections.close_all()

        batches = [users[i :: args.threads] for i in range(args.threads)]
        threads = [threading.Thread(target=attempt, args=(b,)) for b in batches]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seconds = time.perf_counter() - t0
        booked = outcomes.count("booked")
        rows = Booking.objects.filter(space=reading, start=start).count()
        errors = [o for o in outcomes if o.startswith("error")]
        print(
            f"round {r + 1}: {len(outcomes)} attempts in {seconds:.2f} s "
            f"({len(outcomes) / seconds:,.0f}/s): booked {booked}, taken "
            f"{outcomes.count('taken')}, errors {len(errors)} {errors[:3]}; "
            f"rows for the slot {rows}"
        )
        ok = ok and booked == 1 and rows == 1 and not errors
    print("exactly one booking per slot in every round" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
