"""Benchmark: report intake through the real HTTP stack (Open311 POST → gunicorn → Django →
PostgreSQL). The bar: ≥ 300 reports/s sustained with p99 ≤ 250 ms on this 2-core machine, and
afterwards every report accounted for exactly once.

    .venv/bin/python bench/bench_intake.py [--configs gthread:4x4,sync:4] [--rates 200,300,400]
        [--seconds 30] [--keep] [--profile N] [--quick]

What it does:

1. A fresh PostgreSQL database (``streetbrain_bench_intake`` on 127.0.0.1:5432) with production
   settings and generated secrets; migrate (seeds the time limits), the core demo part (the
   street, its 80 grid cells with outlines, departments, accounts), the routing rules, a
   classifier trained on 6,000 synthetic texts, an Open311 api key.
2. For each gunicorn configuration (``--configs``): the stack's limit, measured by Debian's
   ``wrk`` (one thread, closed loop) on ``/bench/ping/`` (a minimal Django view that inserts
   one row per request: same gunicorn, middleware and database connections; see
   ``bench_urls.py``), then the intake's saturated rate the same way.
3. With the best configuration, an open-loop constant-rate client (asyncio; each request leaves
   at its scheduled time whatever the server does; latency counts from that time) offers rising
   rates for ``--seconds`` each: the highest rate with p99 ≤ 250 ms, no errors, ≥ 97 % of the
   offered rate answered *and registration keeping pace* is the sustained rate.

   The POST accepts a report into the intake queue and answers with its token; a real Celery
   worker (through Redis, as in production) registers the queue in batches. Keeping pace
   means every report of the step registered with a lag (accepted → case) of p99 ≤
   ``BAR_LAG_S``: a queue falling behind shows as a lag growing through the step.
4. Accounted for: every request carries a unique marker (``device_id`` and ``Idempotency-Key``).
   Requests without an answer are resent with the same key; once the queue is empty, per
   marker the database must hold exactly one report for every 2xx answer and none for the
   rest, and no accepted item may be left unregistered or failed. A sample of accepted
   reports is resent with the same key: the first answer comes back, nothing is stored.
   Each case's ``report_count`` must equal its reports.
5. ``--profile N``: N requests through Django's test client in this process under cProfile,
   with the queries per request, then the registration of those N in batches: where the time
   of accepting and of registering one report goes.

The workload: texts from ``demo.synth.texts`` (a class per text; ``service_code`` is that class, as
the Open311 POST requires one), points uniformly inside random grid cells; a quarter of the
reports repeat a recent incident (same class, within 40 m), so some merge as duplicates
(最多报一次); half give a phone number (encrypted and digested), a third a name.
The CPU lines split the machine's busy cores between gunicorn, PostgreSQL and the load generator.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from collections import deque
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _stack
from _stack import say

BAR_RATE = 300.0
BAR_P99_MS = 250.0
BAR_LAG_S = 3.0  # registration keeps pace: accepted → registered, p99
OPEN311_PATH = "/open311/v2/requests.json"
PING_PATH = "/bench/ping/"
DBNAME = "streetbrain_bench_intake"


# -- the workload ---------------------------------------------------------------------------------


class Workload:
    """Realistic Open311 POST forms, deterministic in the seed."""

    def __init__(self, api_key: str, seed: int = 7, service_code_share: float = 1.0):
        from shapely import prepared
        from shapely.geometry import Point, shape

        from streetbrain.core.models import OrgUnit
        from streetbrain.demo.synth import texts as synth_texts

        self.api_key = api_key
        self.rng = random.Random(seed)
        self.service_code_share = service_code_share
        self.texts: dict[str, list[str]] = {}
        for row in synth_texts.generate(12_000, seed=seed):
            text = f"{row['title']}。{row['description']}"
            self.texts.setdefault(row["label"], []).append(text)
        self.labels = sorted(self.texts)
        self.grids = []
        for geometry in OrgUnit.objects.filter(level="grid", geometry__isnull=False).values_list(
            "geometry", flat=True
        ):
            poly = shape(geometry)
            self.grids.append((poly.bounds, prepared.prep(poly)))
        if not self.grids:
            raise SystemExit("no grid cells with outlines: is the core demo loaded?")
        self._point = Point
        self.incidents: deque = deque(maxlen=300)
        self.repeat_share = 0.25

    def _inside(self, lon: float, lat: float) -> bool:
        point = self._point(lon, lat)
        return any(prep.contains(point) for _bounds, prep in self.grids)

    def _point_in_grid(self) -> tuple[float, float]:
        (minx, miny, maxx, maxy), prep = self.rng.choice(self.grids)
        while True:
            # Rounded as the form sends them: a point 0.1 m inside the street's edge must not
            # be sent 0.1 m outside it (the server rightly refuses those).
            lon = round(self.rng.uniform(minx, maxx), 6)
            lat = round(self.rng.uniform(miny, maxy), 6)
            if prep.contains(self._point(lon, lat)):
                return lon, lat

    def form(self) -> dict[str, str]:
        rng = self.rng
        if self.incidents and rng.random() < self.repeat_share:
            label, lon0, lat0 = rng.choice(self.incidents)
            while True:  # within about 40 m, and still inside a grid cell
                lon = round(lon0 + rng.uniform(-4e-4, 4e-4), 6)
                lat = round(lat0 + rng.uniform(-3e-4, 3e-4), 6)
                if self._inside(lon, lat):
                    break
        else:
            label = rng.choice(self.labels)
            lon, lat = self._point_in_grid()
            self.incidents.append((label, lon, lat))
        form = {
            "api_key": self.api_key,
            "lat": f"{lat:.6f}",
            "long": f"{lon:.6f}",
            "description": rng.choice(self.texts[label]),
        }
        if rng.random() < self.service_code_share:
            form["service_code"] = label.rpartition(":")[2]
        if rng.random() < 0.5:
            form["phone"] = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
        if rng.random() < 0.33:
            form["last_name"], form["first_name"] = rng.choice("王李张刘陈杨"), "先生"
        return form

    def requests(
        self, n: int, prefix: str, path: str = OPEN311_PATH
    ) -> tuple[list[str], list[bytes]]:
        markers, raw = [], []
        for i in range(n):
            marker = f"{prefix}{i}"
            form = self.form()
            form["device_id"] = marker
            markers.append(marker)
            raw.append(_stack.form_request(path, form, {"Idempotency-Key": marker}))
        return markers, raw

    def bodies(self, n: int) -> list[str]:
        """Encoded forms without a marker (wrk adds one per request)."""
        import urllib.parse

        return [urllib.parse.urlencode(self.form()) for _ in range(n)]


# -- checks ---------------------------------------------------------------------------------------


def stored_by_marker(prefix: str) -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT device_id, count(*) FROM cases_report WHERE device_id LIKE %s GROUP BY 1",
            [prefix.replace("_", r"\_") + "%"],
        )
        return dict(cursor.fetchall())


def pending_count() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_intakeitem WHERE status = 'pending'")
        return cursor.fetchone()[0]


def wait_drained(timeout: float = 120.0) -> float:
    """Seconds until the intake queue is empty (``inf`` if not within ``timeout``)."""
    start = time.monotonic()
    while pending_count():
        if time.monotonic() - start > timeout:
            return float("inf")
        time.sleep(0.1)
    return time.monotonic() - start


def registration(prefix: str) -> dict:
    """For the items whose marker starts with ``prefix``: how many, how many registered, and
    the registration lag (accepted → registered) percentiles in seconds."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*), count(*) FILTER (WHERE status = 'done'),
                   count(*) FILTER (WHERE status = 'failed'),
                   percentile_cont(0.5) WITHIN GROUP (
                       ORDER BY extract(epoch FROM processed_at - received_at)),
                   percentile_cont(0.99) WITHIN GROUP (
                       ORDER BY extract(epoch FROM processed_at - received_at)),
                   max(extract(epoch FROM processed_at - received_at))
            FROM cases_intakeitem WHERE payload->>'device_id' LIKE %s
            """,
            [prefix + "%"],
        )
        n, done, failed, p50, p99, worst = cursor.fetchone()
    return {
        "items": n,
        "done": done,
        "failed": failed,
        "lag_p50": float(p50 or 0.0),
        "lag_p99": float(p99 or 0.0),
        "lag_max": float(worst or 0.0),
    }


def report_count_mismatches() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM cases_case c
            LEFT JOIN (SELECT case_id, count(*) n FROM cases_report GROUP BY case_id) r
                   ON r.case_id = c.id
            WHERE c.report_count <> coalesce(r.n, 0)
            """
        )
        return cursor.fetchone()[0]


def merge_share(prefix: str) -> tuple[int, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE NOT is_primary), count(*) FROM cases_report "
            "WHERE device_id LIKE %s",
            [prefix + "%"],
        )
        return cursor.fetchone()


def _request_id(body: bytes) -> str | None:
    """The service_request_id an answer names: given, or the one its token stands for now."""
    from django.db import connection

    try:
        answer = json.loads(body)[0]
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    if answer.get("service_request_id"):
        return str(answer["service_request_id"])
    if not answer.get("token"):
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT report_id FROM cases_intakeitem WHERE token = %s", [answer["token"]])
        row = cursor.fetchone()
    return str(row[0]) if row and row[0] is not None else None


# -- phases ---------------------------------------------------------------------------------------


def warm_up(server, workload: Workload, seconds: float = 6.0) -> None:
    """Load the classifier, the grid locator and the snapshots in every worker."""
    n = int(20 * seconds)
    _markers, raw = workload.requests(n, f"warm{server.port}-")
    run = _stack.run_open_loop(server.host, server.port, raw, 20.0, timeout=60.0)
    if run.errors:
        first = run.errors[0]
        raise SystemExit(
            f"warm-up failed: {run.error_summary()}; first answer {first.status}: "
            f"{first.body[:300]!r}\n{server.log_tail()}"
        )
    ping = [
        _stack.form_request(PING_PATH, {"device_id": f"warm{i}", "description": "x"})
        for i in range(50)
    ]
    _stack.run_open_loop(server.host, server.port, ping, 50.0, timeout=30.0)
    if wait_drained(60.0) == float("inf"):
        raise SystemExit(f"warm-up: the intake queue did not empty\n{server.log_tail()}")


def saturate(
    server, worker, stack, workload, label: str, *, seconds: int, connections: int, tag: str
):
    """wrk's closed-loop rate on the ping view and on the intake."""
    base = f"http://{server.host}:{server.port}"
    bodies = workload.bodies(6000)
    out = {}
    for name, path, prefix in (
        ("ping (1 insert/request)", PING_PATH, f"p{tag}-"),
        ("intake (Open311 POST)", OPEN311_PATH, f"w{tag}-"),
    ):
        script = _stack.wrk_script(path, bodies, prefix, marker_field="device_id")
        meter = _stack.CpuMeter(server.pids(), worker.pids()).start()
        result = _stack.run_wrk(
            base + path, script, connections=connections, seconds=seconds, workdir=stack.var_dir
        )
        meter.stop()
        out[name] = result
        say(f"  {name:<26} {result.line()}  [{_stack.load_note()}]")
        say(f"  {'':<26} {meter.line()}")
        if path == OPEN311_PATH:
            drained = wait_drained()
            reg = registration(prefix)
            say(
                f"  {'':<26} the queue emptied {drained:.1f} s after wrk stopped; registration "
                f"lag p50 {reg['lag_p50']:.2f} s, p99 {reg['lag_p99']:.2f} s"
            )
            stored = stored_by_marker(prefix)
            ok = result.requests - result.non_2xx
            dups = sum(1 for n in stored.values() if n > 1)
            say(
                f"  {'':<26} stored {sum(stored.values()):,} reports for {ok:,} 2xx answers "
                f"(≤ {connections} more were in flight when wrk stopped); markers stored "
                f"twice: {dups}"
            )
    return out


def ladder(server, worker, workload, rates, seconds, results_out):
    """Offer each rate for ``seconds`` until one misses the bar; then once the rate halfway
    between the last that kept it and the first that did not (rounded to 5/s)."""
    say(f"\n== open-loop constant rate, {seconds} s per step ({server.label})")
    say(
        f"{'offered/s':>10}{'answered/s':>11}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'max ms':>9}{'lag p50 s':>10}{'lag p99 s':>10}  errors"
    )

    def step(index: int, rate: float):
        prefix = f"L{index}r{int(rate)}-"
        markers, raw = workload.requests(int(rate * seconds), prefix)
        meter = _stack.CpuMeter(server.pids(), worker.pids()).start()
        run = _stack.run_open_loop(server.host, server.port, raw, rate, timeout=10.0)
        drained = wait_drained()
        meter.stop()
        reg = registration(prefix)
        results_out.append((markers, raw, run))
        passed = (
            run.latency(99) <= BAR_P99_MS
            and not run.errors
            and run.achieved_rate >= 0.97 * rate
            and reg["done"] == reg["items"]
            and reg["lag_p99"] <= BAR_LAG_S
        )
        say(
            f"{rate:>10,.0f}{run.achieved_rate:>11,.1f}{run.latency(50):>9.1f}"
            f"{run.latency(95):>9.1f}{run.latency(99):>9.1f}{run.latency(100):>9.1f}"
            f"{reg['lag_p50']:>10.2f}{reg['lag_p99']:>10.2f}  "
            f"{run.error_summary()}  {'ok' if passed else 'over'}  [{_stack.load_note()}]"
        )
        say(
            f"{'':>10} registered {reg['done']:,} of {reg['items']:,} accepted; the queue "
            f"emptied {drained:.1f} s after the last request (CPU counted until then)"
        )
        say(f"{'':>10} {meter.line()}")
        run.registration = reg
        return run, passed

    best, failed = None, None
    for index, rate in enumerate(rates):
        run, passed = step(index, rate)
        if not passed:
            failed = rate
            break
        best = run
        time.sleep(3)
    if best is not None and failed is not None:
        middle = 5 * round((best.offered_rate + failed) / 2 / 5)
        if best.offered_rate < middle < failed:
            time.sleep(15)  # let the backlog of the failed step drain
            run, passed = step(len(rates), middle)
            if passed:
                best = run
    return best


def account(server, runs) -> bool:
    """Every marker: one report per 2xx answer, none otherwise; resend unanswered ones."""
    from django.db import connection

    say("\n== accounted for")
    wait_drained()
    answered: dict[str, int] = {}
    bodies: dict[str, bytes] = {}
    errors: dict[str, str] = {}
    retry: list[tuple[str, bytes]] = []
    for markers, raw, run in runs:
        for marker, req, res in zip(markers, raw, run.results, strict=True):
            answered[marker] = res.status
            bodies[marker] = res.body
            errors[marker] = res.error
            if res.status == 0 or res.status >= 500:
                retry.append((marker, req))
    if retry:
        again = _stack.run_open_loop(
            server.host, server.port, [r for _m, r in retry], 50.0, timeout=60.0
        )
        for (marker, _r), res in zip(retry, again.results, strict=True):
            answered[marker] = res.status
            bodies[marker] = res.body
            errors[marker] = res.error
        say(f"resent {len(retry)} requests without a (good) answer with the same key")
    wait_drained()
    with connection.cursor() as cursor:
        cursor.execute("SELECT status, count(*) FROM cases_intakeitem GROUP BY 1 ORDER BY 1")
        queue = dict(cursor.fetchall())
    say(f"intake queue after the run: {queue} (every item registered: none pending or failed)")
    stored: dict[str, int] = {}
    for prefix in sorted({m.split("-", 1)[0] + "-" for m in answered}):
        stored.update(stored_by_marker(prefix))
    accepted = {m for m, s in answered.items() if 200 <= s < 300}
    lost = sorted(accepted - set(stored))
    phantom = sorted(set(stored) - accepted)
    twice = sorted(m for m, n in stored.items() if n > 1)
    mismatched = report_count_mismatches()
    say(
        f"requests {len(answered):,}, 2xx answers {len(accepted):,}, reports stored "
        f"{sum(stored.values()):,}; lost {len(lost)}, stored without a 2xx {len(phantom)}, "
        f"stored twice {len(twice)}; cases whose report_count ≠ their reports: {mismatched}"
    )
    for name, items in (("lost", lost), ("stored without a 2xx", phantom), ("twice", twice)):
        for marker in items[:5]:
            say(
                f"  {name}: {marker}, last answer {answered.get(marker)} "
                f"{errors.get(marker, '')} {bodies.get(marker, b'')[:200]!r}"
            )
    ok = (
        not lost
        and not phantom
        and not twice
        and mismatched == 0
        and not queue.get("pending")
        and not queue.get("failed")
    )
    # Resending with the same Idempotency-Key returns the first answer and stores nothing.
    sample = random.Random(1).sample(sorted(accepted), min(300, len(accepted)))
    by_marker = {}
    for markers, raw, _run in runs:
        by_marker.update(zip(markers, raw, strict=True))
    replay = _stack.run_open_loop(
        server.host, server.port, [by_marker[m] for m in sample], 50.0, timeout=30.0
    )
    same = sum(
        1
        for m, res in zip(sample, replay.results, strict=True)
        if 200 <= res.status < 300 and _request_id(res.body) == _request_id(bodies[m])
    )
    after: dict[str, int] = {}
    for prefix in sorted({m.split("-", 1)[0] + "-" for m in sample}):
        after.update(stored_by_marker(prefix))
    grew = sum(1 for m in sample if after.get(m, 0) != 1)
    say(
        f"replayed {len(sample)} accepted requests with their Idempotency-Key: "
        f"{same} answered with the first service_request_id, {grew} markers not stored "
        f"exactly once afterwards"
    )
    ok = ok and same == len(sample) and grew == 0
    say(f"accounted for exactly once: {'PASS' if ok else 'FAIL'}")
    return ok


PROFILED = [
    # (module, function, label): inclusive CPU time (thread time) per request
    ("streetbrain.cases.channels.open311.views", "_create_request", "Open311 view (all of it)"),
    ("streetbrain.cases.channels.open311.keys", "check", "  api key check"),
    ("streetbrain.cases.intake.actions", "accept", "  accept into the queue"),
    ("streetbrain.cases.intake.pipeline", "validate", "    validate"),
    ("streetbrain.cases.intake.pipeline", "place", "    place"),
    ("streetbrain.core.protected", "encrypt", "    encrypt phone"),
    ("streetbrain.cases.channels.open311.views", "respond", "  render the answer"),
]
PROFILED_BATCH = [
    # the same, per report, for registering the queue in batches
    ("streetbrain.cases.intake.queue", "process_pending", "process_pending (all of it)"),
    ("streetbrain.cases.intake.queue", "_input", "  item → report input"),
    ("streetbrain.cases.intake.store", "store_reports", "  store_reports"),
    ("streetbrain.cases.intake.pipeline", "classify_many", "    classify"),
    ("streetbrain.cases.intake.duplicates", "find_duplicate", "    find duplicate (1 query each)"),
    ("streetbrain.cases.intake.store", "_new_case", "    build case"),
    ("streetbrain.cases.intake.store", "_report", "    build report"),
    ("streetbrain.cases.intake.store", "_intake_event", "    build event"),
    ("streetbrain.cases.intake.store", "_log_intake", "    change log (snapshots, bulk INSERT)"),
]


def _instrument(targets):
    """Wrap module functions with CPU-time (thread time) and wall-time accumulators."""
    import importlib

    acc: dict[str, list[float]] = {}
    undo = []
    for module_name, attr, label in targets:
        module = importlib.import_module(module_name)
        original = getattr(module, attr, None)
        if original is None:
            continue
        acc[label] = [0.0, 0.0, 0]

        def wrapper(*args, _f=original, _a=acc[label], **kwargs):
            cpu, wall = time.thread_time(), time.perf_counter()
            try:
                return _f(*args, **kwargs)
            finally:
                _a[0] += time.thread_time() - cpu
                _a[1] += time.perf_counter() - wall
                _a[2] += 1

        setattr(module, attr, wrapper)
        undo.append((module, attr, original))
    return acc, undo


def profile(workload: Workload, n: int) -> None:
    """Where one request's time goes, in this process through Django's test client (no HTTP,
    no gunicorn): CPU and wall time per step over ``n`` requests, the SQL statements' share,
    the queries of one request; then the same for registering them in batches; and
    cProfile's top functions."""
    import cProfile
    import pstats
    import urllib.parse

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from streetbrain.cases.intake import queue, tasks

    client = Client()
    # Accept here, register here: no task may take the items away.
    kick, tasks.kick = tasks.kick, lambda: None

    def post(i):
        form = workload.form()
        form["device_id"] = f"prof-{i}"
        response = client.post(
            OPEN311_PATH,
            urllib.parse.urlencode(form),
            content_type="application/x-www-form-urlencoded",
            headers={"Idempotency-Key": f"prof-{i}"},
        )
        if not 200 <= response.status_code < 300:
            raise SystemExit(f"profile: {response.status_code} {response.content[:300]!r}")
        return response

    for i in range(30):  # warm
        post(-i - 1)
    with CaptureQueriesContext(connection) as ctx:
        post(10 * n + 1)
    queries = ctx.captured_queries
    say(f"\n== profile (in-process, Django test client, no HTTP)  [{_stack.load_note()}]")
    say(f"one request ran {len(queries)} queries:")
    for q in queries:
        say(f"  {q['sql'][:110]}")

    sql = [0.0, 0.0, 0]

    def count_sql(execute, sql_text, params, many, context):
        cpu, wall = time.thread_time(), time.perf_counter()
        try:
            return execute(sql_text, params, many, context)
        finally:
            sql[0] += time.thread_time() - cpu
            sql[1] += time.perf_counter() - wall
            sql[2] += 1

    acc, undo = _instrument(PROFILED)
    cpu, wall = time.thread_time(), time.perf_counter()
    with connection.execute_wrapper(count_sql):
        for i in range(n):
            post(i)
    cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
    for module, attr, original in undo:
        setattr(module, attr, original)
    say(
        f"\naccepting {n} requests: CPU {cpu * 1000 / n:.2f} ms, wall {wall * 1000 / n:.2f} ms "
        f"per request (test client, middleware included)"
    )
    _table(acc, sql, n)

    sql[:] = [0.0, 0.0, 0]
    acc, undo = _instrument(PROFILED_BATCH)
    cpu, wall = time.thread_time(), time.perf_counter()
    batches = 0
    with connection.execute_wrapper(count_sql):
        while queue.process_pending():
            batches += 1
    cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
    for module, attr, original in undo:
        setattr(module, attr, original)
    done = n + 30 + 1
    say(
        f"\nregistering those {done} reports in {batches} batch(es): CPU "
        f"{cpu * 1000 / done:.2f} ms, wall {wall * 1000 / done:.2f} ms per report"
    )
    _table(acc, sql, done)

    prof = cProfile.Profile()
    prof.enable()
    for i in range(n, 2 * n):
        post(i)
    while queue.process_pending():
        pass
    prof.disable()
    tasks.kick = kick
    say("\ntop functions by own time, accepting and registering (cProfile):")
    pstats.Stats(prof).sort_stats("tottime").print_stats(14)


def _table(acc, sql, n) -> None:
    say(f"  {'step (inclusive)':<40}{'calls':>6}{'CPU ms':>9}{'wall ms':>9}")
    for label, (c, w, k) in acc.items():
        say(f"  {label:<40}{k / n:>6.1f}{c * 1000 / n:>9.2f}{w * 1000 / n:>9.2f}")
    say(
        f"  {'SQL execution (psycopg + server)':<40}{sql[2] / n:>6.1f}{sql[0] * 1000 / n:>9.2f}"
        f"{sql[1] * 1000 / n:>9.2f}"
    )
    say("  (the rest of a step's CPU is the ORM building queries and model instances)")


# -- main -----------------------------------------------------------------------------------------


def parse_config(text: str) -> dict:
    kind, _sep, shape = text.partition(":")
    if kind == "sync":
        return {"worker_class": "sync", "workers": int(shape or 4), "threads": 1}
    workers, _x, threads = (shape or "4x4").partition("x")
    return {"worker_class": "gthread", "workers": int(workers), "threads": int(threads or 4)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--configs",
        default="gthread:2x8,gthread:4x4,gthread:6x2,sync:4,sync:6",
        help="gunicorn configurations to compare (sync:N or gthread:NxT)",
    )
    ap.add_argument("--rates", default="50,75,100,125,150,200,250,300,350,400,500,600")
    ap.add_argument("--seconds", type=int, default=30, help="per constant-rate step")
    ap.add_argument("--wrk-seconds", type=int, default=15)
    ap.add_argument("--service-code-share", type=float, default=1.0)
    ap.add_argument(
        "--profile", type=int, default=0, metavar="N", help="profile N requests at the end"
    )
    ap.add_argument("--profile-only", action="store_true", help="skip the load, only profile")
    ap.add_argument("--quick", action="store_true", help="short steps (a smoke test)")
    ap.add_argument("--keep", action="store_true", help="keep the bench database")
    args = ap.parse_args()
    if args.quick:
        args.seconds, args.wrk_seconds = 5, 5
    configs = [parse_config(c) for c in args.configs.split(",") if c]
    rates = [float(r) for r in args.rates.split(",") if r]

    import platform

    say(f"python {platform.python_version()}, {_stack.load_note()}")
    stack = _stack.Stack.configure(DBNAME, celery=True)
    try:
        if args.profile_only:
            return run(stack, args, configs, rates, None)
        with stack.celery_worker() as worker:
            say("background work: one Celery worker (solo pool) through Redis")
            return run(stack, args, configs, rates, worker)
    finally:
        if args.keep:
            say(f"\nkept database {DBNAME} ({stack.env['DATABASE_URL']})")
            stack.close_connections()
            shutil.rmtree(stack.var_dir, ignore_errors=True)
        else:
            stack.drop()


def run(stack, args, configs, rates, worker) -> int:
    from django.db import connection

    try:
        from streetbrain.cases.channels.open311.keys import create_api_key
    except ImportError:
        say("the Open311 endpoint is not there yet (streetbrain.cases.channels.open311.keys)")
        return 2

    for step, seconds in stack.prepare().items():
        say(f"prepared: {step} in {seconds:.1f} s")
    _key, plain = create_api_key("bench load generator")
    workload = Workload(plain, service_code_share=args.service_code_share)
    pg_version = connection.cursor().connection.info.server_version
    say(f"PostgreSQL {pg_version // 10000}.{pg_version % 10000}, database {stack.dbname}")
    if args.profile_only:
        profile(workload, args.profile or 300)
        return 0

    say(f"\n== saturated (wrk, 1 thread, closed loop, {args.wrk_seconds} s each)")
    sat = {}
    for i, config in enumerate(configs):
        with stack.gunicorn(**config) as server:
            connections = max(8, 2 * config["workers"] * config["threads"])
            say(f"{server.label}, wrk {connections} connections")
            warm_up(server, workload)
            sat[i] = saturate(
                server,
                worker,
                stack,
                workload,
                server.label,
                seconds=args.wrk_seconds,
                connections=connections,
                tag=str(i),
            )
    best_i = max(sat, key=lambda i: sat[i]["intake (Open311 POST)"].rate)
    best_config = configs[best_i]
    with stack.gunicorn(**best_config, env={"BENCH_BARE": "1"}) as server:
        connections = max(8, 2 * best_config["workers"] * best_config["threads"])
        script = _stack.wrk_script(PING_PATH, workload.bodies(2000), "b-", marker_field="device_id")
        base = f"http://{server.host}:{server.port}"
        _stack.run_wrk(
            base + PING_PATH, script, connections=connections, seconds=3, workdir=stack.var_dir
        )
        bare = _stack.run_wrk(
            base + PING_PATH,
            script,
            connections=connections,
            seconds=args.wrk_seconds,
            workdir=stack.var_dir,
        )
        say(f"{server.label}, no middleware at all (BENCH_BARE=1), wrk {connections} connections")
        say(f"  {'ping (1 insert/request)':<26} {bare.line()}  [{_stack.load_note()}]")
    ping_rate = sat[best_i]["ping (1 insert/request)"].rate
    intake_sat = sat[best_i]["intake (Open311 POST)"].rate
    best_ping = max(s["ping (1 insert/request)"].rate for s in sat.values())

    runs: list = []
    with stack.gunicorn(**best_config) as server:
        warm_up(server, workload)
        best = ladder(server, worker, workload, rates, args.seconds, runs)
        accounted = account(server, runs)
        reports, merged = merge_share("L")[1], merge_share("L")[0]
        label = server.label

    sustained = best.offered_rate if best else 0.0
    say("\n== summary")
    say(f"configuration: {label}  [{_stack.load_note()}]")
    if best:
        say(
            f"sustained intake: {best.achieved_rate:,.1f} reports/s answered at "
            f"{best.offered_rate:,.0f}/s offered for {best.duration:.0f} s; latency p50 "
            f"{best.latency(50):.1f} / p95 {best.latency(95):.1f} / p99 {best.latency(99):.1f} "
            f"ms; errors {len(best.errors)}"
        )
    else:
        say("sustained intake: no step kept p99 within the bar")
    say(f"saturated intake (wrk): {intake_sat:,.0f} reports/s")
    say(
        f"baseline (one-insert Django view, same stack, wrk): {ping_rate:,.0f} requests/s "
        f"(best of all configurations {best_ping:,.0f}/s)"
    )
    say(
        f"ratio intake/baseline: saturated {intake_sat / ping_rate:.1%}, sustained "
        f"{sustained / ping_rate:.1%}"
    )
    say(
        f"Django floor (the ping view without any middleware): {bare.rate:,.0f} requests/s; "
        f"the product's middleware costs {1 - ping_rate / bare.rate:.0%} of it"
    )
    say(f"duplicates merged: {merged:,} of {reports:,} reports ({merged / max(1, reports):.1%})")
    say(f"accounted for exactly once: {'PASS' if accounted else 'FAIL'}")
    passed = sustained >= BAR_RATE and accounted
    say(
        f"bar ≥ {BAR_RATE:.0f}/s with p99 ≤ {BAR_P99_MS:.0f} ms, all accounted for: "
        f"{'PASS' if passed else 'FAIL'}"
    )
    if args.profile:
        profile(workload, args.profile)
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
