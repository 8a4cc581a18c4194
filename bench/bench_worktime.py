"""Benchmark: case deadlines on the working-time calendar (streetbrain.core.worktime).

Run from the repository root:

    .venv/bin/python bench/bench_worktime.py [--n N] [--repeat R]

Times N ``deadline`` computations with mixed units (minute, hour, day, work_hour, work_day)
and one 挂账 pause each, N plain ``add`` calls, N ``working_seconds_between`` and N ``light``
calls, on random 2025–2026 starts; reports the best of R runs. The case engine computes
deadlines for 20,000+ demo cases and 1,000,000 in benchmarks. Needs no Django.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from streetbrain.core.worktime import SHANGHAI, default_calendar

BAR = 50_000  # deadlines/s: 1,000,000 case deadlines in well under a minute on one core

# Typical limits of 数字城管 小类: (amount, unit).
LIMITS = [
    (30, "minute"),
    (2, "hour"),
    (1, "day"),
    (2, "work_hour"),
    (4, "work_hour"),
    (1, "work_day"),
    (7, "work_day"),
    (20, "work_day"),
]


def best_of(repeat: int, fn) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="computations per timing")
    ap.add_argument("--repeat", type=int, default=3, help="runs per timing (best is kept)")
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args(argv)

    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{os.cpu_count()} CPUs, {platform.machine()}; n = {args.n:,}, best of {args.repeat}"
    )
    rnd = random.Random(args.seed)
    origin = dt.datetime(2025, 1, 1, tzinfo=SHANGHAI)
    cases = []
    for _ in range(args.n):
        start = origin + dt.timedelta(seconds=rnd.randrange(0, 2 * 365 * 86400))
        amount, unit = rnd.choice(LIMITS)
        pause_from = start + dt.timedelta(minutes=rnd.randrange(0, 3 * 24 * 60))
        pause_to = pause_from + dt.timedelta(minutes=rnd.randrange(10, 2 * 24 * 60))
        now = start + dt.timedelta(minutes=rnd.randrange(0, 10 * 24 * 60))
        cases.append((start, amount, unit, [(pause_from, pause_to)], now))

    cal = default_calendar()
    cal.add(origin, 1, "work_hour")  # build the per-day table outside the timings

    def deadlines():
        for start, amount, unit, pauses, _ in cases:
            cal.deadline(start, amount, unit, pauses=pauses)

    def adds():
        for start, amount, unit, _, _ in cases:
            cal.add(start, amount, unit)

    def betweens():
        for start, _, _, _, now in cases:
            cal.working_seconds_between(start, now)

    def lights():
        for start, amount, unit, pauses, now in cases:
            cal.light(start, now, amount, unit, pauses)

    rates = {}
    for name, fn in [
        ("deadline, mixed units, 1 pause", deadlines),
        ("add, mixed units, no pause", adds),
        ("working_seconds_between", betweens),
        ("light, mixed units, 1 pause", lights),
    ]:
        seconds = best_of(args.repeat, fn)
        rates[name] = args.n / seconds
        each_us = seconds / args.n * 1e6
        print(f"{name:34s} {seconds:8.3f} s  {rates[name]:>12,.0f} /s  {each_us:7.2f} µs each")

    per_unit = {}
    for amount, unit in LIMITS:
        subset = [c for c in cases if c[1] == amount and c[2] == unit][: max(args.n // 10, 1)]

        def run(subset=subset):
            for start, a, u, pauses, _ in subset:
                cal.deadline(start, a, u, pauses=pauses)

        per_unit[f"{amount} {unit}"] = len(subset) / best_of(args.repeat, run)
    print("deadline by limit: " + ", ".join(f"{k} {v:,.0f}/s" for k, v in per_unit.items()))

    rate = rates["deadline, mixed units, 1 pause"]
    print(f"1,000,000 deadlines ≈ {1_000_000 / rate:.1f} s on one core")
    ok = rate >= BAR
    print(f"{'PASS' if ok else 'FAIL'}: deadline rate {rate:,.0f}/s vs bar {BAR:,}/s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
