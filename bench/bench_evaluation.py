"""Benchmark: the evaluation (综合评价) at 1,000,000 cases in PostgreSQL. The bar: the
evaluation page for a quarter answers in < 300 ms.

    .venv/bin/python bench/bench_evaluation.py [--cases 1000000] [--months 24] [--reps 10]
        [--keep]

1. A fresh PostgreSQL database (``streetbrain_bench_eval``) with production settings, migrated,
   with the core demo part (the street, 17 communities, 80 grid cells, departments, accounts),
   plus staff to spread the acts over: a grid worker per grid, 4 shift leaders (值班长),
   4 dispatchers (派遣员), 3 handlers per department (处置人员).
2. ``--cases`` cases over the last ``--months`` months and the 80 grids, loaded with COPY
   (three streams at once: cases, reports, timeline events), with a realistic mix: channels
   (grid workers over half), 3 % not accepted, 2 % voided, registration and dispatch mostly
   within their limits, 3 % rolled back once (误派), 5 % extended, 6 % reworked, 15 % handled
   late, 1.5 % suspended (挂账) for 10–120 days, recent cases still open, 8 % with a second
   report.
   The 按时立案/按时派遣 flags are left empty, as for rows loaded from elsewhere: the first
   refresh judges them in working time.
3. ``evaluation.stats.refresh_all()`` timed twice (first: with the flags to fill; second: steady
   state), then ``refresh_recent()`` (the 15-minute task) after touching a few cases.
4. The evaluation page of the last complete quarter through gunicorn (HTTP, the real stack),
   logged in as ``leader`` (the whole street), for each dimension: median and max over
   ``--reps`` requests, after two per worker that warm the workers up.

The database is dropped at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _stack
from _stack import say

BAR_MS = 300.0
DBNAME = "streetbrain_bench_eval"
TZ = dt.timezone(dt.timedelta(hours=8))  # Asia/Shanghai has no daylight saving time
HOUR = 3600.0
DAY = 86400.0

CHANNELS = [
    ("gridworker", 0.55),
    ("citizen", 0.12),
    ("hotline", 0.15),
    ("phone", 0.05),
    ("sensor", 0.05),
    ("open311", 0.05),
    ("media", 0.03),
]
VERIFIED = {"citizen", "hotline", "phone", "sensor", "open311", "api", "media"}
# Seconds of a limit unit, roughly (a working day is 8 h inside about 1.4 calendar days).
UNIT_SECONDS = {
    "minute": 60.0,
    "hour": HOUR,
    "day": DAY,
    "work_hour": 2.0 * HOUR,
    "work_day": 1.4 * DAY,
}


# -- staff ----------------------------------------------------------------------------------------


def make_staff() -> dict[str, list]:
    """Users per role (the demo's accounts plus enough to rank), as (pk, name)."""
    from django.contrib.auth.models import Group

    from streetbrain.core.models import Department, OrgUnit, User

    street = OrgUnit.objects.filter(level="street").order_by("path").first()
    grids = list(OrgUnit.objects.filter(level="grid").order_by("code"))
    departments = list(Department.objects.order_by("code"))
    groups = {g.name: g for g in Group.objects.all()}
    made: dict[str, list] = {"gridworker": {}, "shiftlead": [], "dispatcher": [], "handler": {}}

    def user(username, name, role, unit, department=None):
        u = User(username=username, display_name=name, org_unit=unit, department=department)
        u.set_unusable_password()
        u.save()
        u.groups.add(groups[role])
        return u

    for i, grid in enumerate(grids):
        u = user(f"gw{i:03d}", f"网格员{i:03d}", "gridworker", grid)
        made["gridworker"][grid.pk] = (u.pk, u.display_name)
    for i in range(4):
        u = user(f"sl{i}", f"值班长{i}", "shiftlead", street)
        made["shiftlead"].append((u.pk, u.display_name))
        u = user(f"dp{i}", f"派遣员{i}", "dispatcher", street)
        made["dispatcher"].append((u.pk, u.display_name))
    for dept in departments:
        made["handler"][dept.pk] = [
            (u.pk, u.display_name)
            for u in (
                user(f"h-{dept.code}-{k}", f"{dept.name[:6]}处置{k}", "handler", street, dept)
                for k in range(3)
            )
        ]
    acceptor = User.objects.get(username="acceptor")
    made["acceptor"] = [(acceptor.pk, acceptor.display_name)]
    return made


# -- the cases ------------------------------------------------------------------------------------


class Generator:
    def __init__(self, n: int, months: int, seed: int, staff: dict):
        from streetbrain.cases.models import TimeLimitStandard
        from streetbrain.core.models import Department, OrgUnit
        from streetbrain.demo.synth import texts as synth_texts

        self.n, self.rng, self.staff = n, random.Random(seed), staff
        self.now = time.time()
        self.start = self.now - months * 30.44 * DAY
        self.grids = [
            (g.pk, g.parent_id, g.centroid_lon or 121.6, g.centroid_lat or 29.87)
            for g in OrgUnit.objects.filter(level="grid").order_by("code")
        ]
        standards = [
            (s.component_class_id, s.pk, float(s.limit_amount), s.limit_unit)
            for s in TimeLimitStandard.objects.filter(condition="", is_active=True)
        ]
        if not standards:
            raise SystemExit("no time-limit standards: migrate seeds them")
        self.standards = standards
        street_depts, community_depts = [], {}
        for d in Department.objects.select_related("org_unit"):
            if d.code.startswith("sq-"):
                community_depts[d.org_unit_id] = d.pk
            else:
                street_depts.append(d.pk)
        self.street_depts, self.community_depts = street_depts, community_depts
        rows = synth_texts.generate(3000, seed=seed)
        text = _stack.CopyWriter.text
        self.texts = [(text(r["title"]), text(r["description"])) for r in rows]  # COPY text
        names, weights = zip(*CHANNELS, strict=True)
        self.channel_names, self.channel_cum = names, list(_cumulative(weights))

    def _moment(self) -> float:
        """A report time: a random day of the window, mostly in the daytime (local)."""
        rng = self.rng
        day = self.start + rng.random() * (self.now - self.start - 2 * HOUR)
        local = dt.datetime.fromtimestamp(day, TZ)
        hour = min(23.0, max(0.0, rng.gauss(12.5, 3.5)))
        base = local.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
        return min(self.now - HOUR, base + hour * HOUR + rng.random() * 60)

    def run(self, cases, reports, events) -> dict[str, int]:
        rng, staff = self.rng, self.staff
        now = self.now
        stats = {"closed": 0, "open": 0, "rejected": 0, "void": 0, "events": 0, "reports": 0}
        event_id = 0
        report_id = 0
        shiftleads, dispatchers = staff["shiftlead"], staff["dispatcher"]
        acceptor = staff["acceptor"][0]

        def ts(t: float) -> str:
            return dt.datetime.fromtimestamp(t, TZ).isoformat()

        def event(case_id, t, action, frm, to, who, role, dept=None, data="{}"):
            nonlocal event_id
            event_id += 1
            events.add(
                (
                    str(event_id),
                    str(case_id),
                    ts(t),
                    action,
                    frm,
                    to,
                    str(who[0]) if who else r"\N",
                    who[1] if who else "",  # our staff names need no escaping
                    role,
                    str(dept) if dept else r"\N",
                    data,
                )
            )

        for i in range(self.n):
            pk = i + 1
            grid_pk, community_pk, lon0, lat0 = rng.choice(self.grids)
            class_pk, standard_pk, amount, unit = rng.choice(self.standards)
            channel = self.channel_names[_pick(self.channel_cum, rng.random())]
            title, description = rng.choice(self.texts)
            gridworker = staff["gridworker"][grid_pk]
            reported = self._moment()
            limit = amount * UNIT_SECONDS[unit]
            fate = rng.random()
            t = reported
            state = "verifying" if channel in VERIFIED else "reported"
            reporter = gridworker if channel == "gridworker" else None
            event(pk, t, "report", "", state, reporter, "gridworker" if reporter else "")
            verified = accepted = registered = dispatched = handled = closed = None
            registered_by = dispatched_by = closed_by = department = None
            rollback = extension = rework = 0
            closed_on_time = None
            pauses = "[]"
            paused = 0.0
            extensions = "[]"

            def step(delay: float) -> float | None:
                nonlocal t
                if t + delay > now:
                    return None
                t += delay
                return t

            if channel in VERIFIED and (verified := step(rng.expovariate(1 / (1.5 * HOUR)))):
                event(pk, t, "verify", state, "accepted", gridworker, "gridworker")
                state = "accepted"
            if state == "accepted" or channel not in VERIFIED:
                accepted = t
            if fate < 0.03 and (verified or channel not in VERIFIED):
                if step(rng.expovariate(1 / (0.5 * HOUR))):
                    event(pk, t, "reject", state, "rejected", acceptor, "acceptor")
                    state = "rejected"
                    stats["rejected"] += 1
            elif accepted is not None:
                delay = (
                    rng.expovariate(1 / (0.6 * HOUR))
                    if rng.random() < 0.9
                    else rng.uniform(3 * HOUR, 3 * DAY)
                )
                if registered := step(delay):
                    registered_by = rng.choice(shiftleads)
                    event(pk, t, "register", state, "registered", registered_by, "shiftlead")
                    state = "registered"
                if registered and fate < 0.05:
                    if step(rng.uniform(HOUR, 2 * DAY)):
                        event(pk, t, "void", state, "void", rng.choice(shiftleads), "shiftlead")
                        state = "void"
                        stats["void"] += 1
                elif registered:
                    community_dept = self.community_depts.get(community_pk)
                    department = (
                        community_dept
                        if community_dept and rng.random() < 0.3
                        else rng.choice(self.street_depts)
                    )
                    delay = (
                        rng.expovariate(1 / (0.3 * HOUR))
                        if rng.random() < 0.92
                        else rng.uniform(2 * HOUR, DAY)
                    )
                    if dispatched := step(delay):
                        dispatched_by = rng.choice(dispatchers)
                        if rng.random() < 0.03:  # the wrong department first: 误派
                            wrong = rng.choice(self.street_depts)
                            event(
                                pk,
                                t,
                                "dispatch",
                                state,
                                "dispatched",
                                dispatched_by,
                                "dispatcher",
                                wrong,
                            )
                            state = "dispatched"
                            if step(rng.uniform(HOUR, 6 * HOUR)):
                                event(
                                    pk,
                                    t,
                                    "back_ok",
                                    state,
                                    "registered",
                                    rng.choice(shiftleads),
                                    "shiftlead",
                                    wrong,
                                )
                                state, rollback = "registered", 1
                                dispatched_by = rng.choice(dispatchers)
                                dispatched = step(rng.uniform(0.1 * HOUR, HOUR))
                                if not dispatched:
                                    department = dispatched_by = None
                            else:
                                department = wrong
                        if dispatched and state == "registered":
                            event(
                                pk,
                                t,
                                "dispatch",
                                state,
                                "dispatched",
                                dispatched_by,
                                "dispatcher",
                                department,
                            )
                            state = "dispatched"
                    else:
                        department = None
                    if dispatched:
                        handler = rng.choice(staff["handler"][department])
                        if rng.random() < 0.05:
                            extension = 1
                            extensions = f'[[{amount:g}, "{unit}"]]'
                        allowed = limit * (2 if extension else 1)
                        late = rng.random() < 0.15
                        share = rng.uniform(1.02, 2.5) if late else rng.uniform(0.05, 0.95)
                        if step(min(0.1 * limit, HOUR)):
                            event(pk, t, "start", state, "handling", handler, "handler", department)
                            state = "handling"
                        if state == "handling" and rng.random() < 0.015:  # 挂账 for a while
                            lead = rng.choice(shiftleads)
                            suspended_at = t
                            event(pk, t, "suspend", state, "suspended", lead, "shiftlead")
                            state = "suspended"
                            if step(rng.uniform(10 * DAY, 120 * DAY)):
                                event(pk, t, "resume", state, "handling", lead, "shiftlead")
                                state = "handling"
                                paused = t - suspended_at
                                pauses = f'[["{ts(suspended_at)}", "{ts(t)}"]]'
                            else:
                                pauses = f'[["{ts(suspended_at)}", null]]'
                        if state == "handling" and (handled := step(share * allowed)):
                            light = "red" if late else ("yellow" if share > 0.8 else "green")
                            event(
                                pk,
                                t,
                                "handled",
                                state,
                                "handled",
                                handler,
                                "handler",
                                department,
                                f'{{"light": "{light}"}}',
                            )
                            state = "handled"
                            if rng.random() < 0.06 and step(rng.uniform(2 * HOUR, DAY)):
                                event(
                                    pk,
                                    t,
                                    "check_no",
                                    state,
                                    "handling",
                                    gridworker,
                                    "gridworker",
                                    department,
                                )
                                rework, state = 1, "handling"
                                extra = rng.uniform(0.05, 0.3) * allowed
                                if handled := step(extra):
                                    event(
                                        pk,
                                        t,
                                        "handled",
                                        state,
                                        "handled",
                                        handler,
                                        "handler",
                                        department,
                                        '{"light": "yellow"}',
                                    )
                                    state = "handled"
                            if state == "handled" and step(rng.uniform(HOUR, 8 * HOUR)):
                                event(
                                    pk,
                                    t,
                                    "check_ok",
                                    state,
                                    "checked",
                                    gridworker,
                                    "gridworker",
                                    department,
                                )
                                state = "checked"
                                if closed := step(rng.uniform(0.5 * HOUR, 6 * HOUR)):
                                    closed_by = rng.choice(shiftleads)
                                    event(pk, t, "close", state, "closed", closed_by, "shiftlead")
                                    state = "closed"
                                    closed_on_time = (handled - dispatched - paused) <= allowed
            if state == "closed":
                stats["closed"] += 1
            elif state not in ("rejected", "void"):
                stats["open"] += 1
            number = f"{dt.datetime.fromtimestamp(reported, TZ):%Y%m%d}{pk:07d}"
            lon = lon0 + rng.uniform(-0.002, 0.002)
            lat = lat0 + rng.uniform(-0.0015, 0.0015)
            deadline = ts(dispatched + limit * (2 if extension else 1)) if dispatched else r"\N"
            cases.add(
                (
                    str(pk),
                    number,
                    title,
                    description,
                    state,
                    channel,
                    str(class_pk),
                    "model" if channel != "gridworker" else "reporter",
                    str(standard_pk),
                    str(grid_pk),
                    str(community_pk) if community_pk else r"\N",
                    "t",
                    f"{lon:.6f}",
                    f"{lat:.6f}",
                    str(department) if department else r"\N",
                    str(department) if department else r"\N",
                    "2" if fate > 0.92 else "1",
                    ts(reported),
                    ts(accepted) if accepted else r"\N",
                    ts(registered) if registered else r"\N",
                    ts(dispatched) if dispatched else r"\N",
                    ts(handled) if handled else r"\N",
                    ts(closed) if closed else r"\N",
                    f"{amount:g}",
                    unit,
                    deadline,
                    pauses,
                    extensions,
                    r"\N" if closed_on_time is None else ("t" if closed_on_time else "f"),
                    str(rework),
                    str(extension),
                    str(rollback),
                    str(registered_by[0]) if registered_by else r"\N",
                    str(dispatched_by[0]) if dispatched_by else r"\N",
                    str(closed_by[0]) if closed_by else r"\N",
                    ts(t),
                )
            )
            received = [(reported, channel, reporter, True)]
            if fate > 0.92:
                received.append(
                    (min(now, reported + rng.uniform(HOUR, 2 * DAY)), "citizen", None, False)
                )
            for when, ch, who, primary in received:
                report_id += 1
                reports.add(
                    (
                        str(report_id),
                        str(pk),
                        "t" if primary else "f",
                        ch,
                        str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                        ts(when),
                        title,
                        description,
                        f"{lon:.6f}",
                        f"{lat:.6f}",
                        str(who[0]) if who else r"\N",
                        str(grid_pk),
                    )
                )
        stats["events"], stats["reports"] = event_id, report_id
        return stats


CASE_COLUMNS = (
    "id",
    "number",
    "title",
    "description",
    "state",
    "channel",
    "component_class_id",
    "class_source",
    "time_limit_id",
    "org_unit_id",
    "community_id",
    "placed",
    "lon",
    "lat",
    "department_id",
    "suggested_department_id",
    "report_count",
    "reported_at",
    "accepted_at",
    "registered_at",
    "dispatched_at",
    "handled_at",
    "closed_at",
    "limit_amount",
    "limit_unit",
    "deadline",
    "pauses",
    "extensions",
    "closed_on_time",
    "rework_count",
    "extension_count",
    "rollback_count",
    "registered_by_id",
    "dispatched_by_id",
    "closed_by_id",
    "updated_at",
)
REPORT_COLUMNS = (
    "id",
    "case_id",
    "is_primary",
    "channel",
    "token",
    "received_at",
    "title",
    "description",
    "lon",
    "lat",
    "user_id",
    "org_unit_id",
)
EVENT_COLUMNS = (
    "id",
    "case_id",
    "time",
    "action",
    "from_state",
    "to_state",
    "user_id",
    "actor_name",
    "role",
    "department_id",
    "data",
)


def _cumulative(weights):
    total = 0.0
    for w in weights:
        total += w
        yield total


def _pick(cumulative: list[float], u: float) -> int:
    u *= cumulative[-1]
    for i, c in enumerate(cumulative):
        if u <= c:
            return i
    return len(cumulative) - 1


def load_cases(n: int, months: int, seed: int, staff: dict) -> dict:
    from django.db import connection

    from streetbrain.cases.models import Case, CaseEvent, Report

    gen = Generator(n, months, seed, staff)
    cases = _stack.CopyWriter(Case, CASE_COLUMNS)
    reports = _stack.CopyWriter(Report, REPORT_COLUMNS)
    events = _stack.CopyWriter(CaseEvent, EVENT_COLUMNS, chunk=50_000)
    stats = gen.run(cases, reports, events)
    for writer in (cases, reports, events):  # cases first: the others refer to them
        writer.close()
    with connection.cursor() as cursor:
        for table in ("cases_case", "cases_report", "cases_caseevent"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        for table in ("cases_case", "cases_report", "cases_caseevent"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return stats


# -- timing ---------------------------------------------------------------------------------------


def timed(fn):
    t = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - t


def time_pages(server, cookie: str, quarter: str, reps: int, warm: int) -> dict[str, list[float]]:
    from streetbrain.cases.evaluation import definitions

    out = {}
    for dim in definitions.DIMENSIONS:
        path = f"/cases/evaluation/?period=quarter&quarter={quarter}&dim={dim}"
        headers = {"Cookie": f"sessionid={cookie}", "Accept-Language": "zh-hans"}
        for _ in range(warm):  # every worker renders the page once before timing
            status, _h, body = _stack.http_request(
                server.host, server.port, "GET", path, None, headers
            )
            if status != 200:
                raise SystemExit(f"{path}: {status}\n{body[:500]!r}\n{server.log_tail()}")
        times = []
        for _ in range(reps):
            t = time.perf_counter()
            status, _h, body = _stack.http_request(
                server.host, server.port, "GET", path, None, headers
            )
            times.append((time.perf_counter() - t) * 1000)
            if status != 200:
                raise SystemExit(f"{path}: {status}")
        out[dim] = (times, len(body))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers (gthread × 4)")
    ap.add_argument("--keep", action="store_true", help="keep the bench database")
    ap.add_argument(
        "--reuse",
        action="store_true",
        help="time the pages on the database a --keep run left (no loading, no refresh)",
    )
    args = ap.parse_args()
    args.keep = args.keep or args.reuse
    import platform

    say(f"python {platform.python_version()}, {_stack.load_note()}")
    stack = _stack.Stack.configure(DBNAME, fresh=not args.reuse)
    try:
        return run(stack, args)
    finally:
        if args.keep:
            say(f"\nkept database {DBNAME} ({stack.env['DATABASE_URL']})")
            stack.close_connections()
            shutil.rmtree(stack.var_dir, ignore_errors=True)
        else:
            stack.drop()


def load_and_refresh(stack, args) -> None:
    from django.db import connection

    from streetbrain.cases.evaluation.stats import refresh_all, refresh_recent
    from streetbrain.cases.models import Case, CaseEvent, CaseStat, Report, StaffStat

    for name, fn in (
        ("migrate", stack.migrate),
        ("core demo", stack.load_core_demo),
        ("collectstatic", stack.collectstatic),
    ):
        _v, seconds = timed(fn)
        say(f"prepared: {name} in {seconds:.1f} s")
    staff, seconds = timed(make_staff)
    say(
        f"staff: {len(staff['shiftlead'])} shift leaders, {len(staff['dispatcher'])} "
        f"dispatchers, {len(staff['gridworker'])} grid workers, "
        f"{sum(len(v) for v in staff['handler'].values())} handlers ({seconds:.1f} s)"
    )

    stats, seconds = timed(lambda: load_cases(args.cases, args.months, args.seed, staff))
    say(
        f"loaded {args.cases:,} cases over {args.months} months with COPY in {seconds:.1f} s "
        f"(incl. VACUUM ANALYZE): {stats['closed']:,} closed, {stats['open']:,} open, "
        f"{stats['rejected']:,} not accepted, {stats['void']:,} void; {stats['reports']:,} "
        f"reports, {stats['events']:,} timeline events  [{_stack.load_note()}]"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        say(f"database size {cursor.fetchone()[0]}")

    rows, first_s = timed(refresh_all)
    say(
        f"refresh_all (first: judges 按时立案/按时派遣 of every case): {first_s:.1f} s, "
        f"{rows:,} stat rows  [{_stack.load_note()}]"
    )
    rows, second_s = timed(refresh_all)
    say(f"refresh_all (again, flags set): {second_s:.1f} s, {rows:,} stat rows")
    # The 15-minute task after some activity: a few cases of last month and this one change.
    recent = list(Case.objects.order_by("-reported_at").values_list("pk", flat=True)[:50])
    for case in Case.objects.filter(pk__in=recent[:20]):
        case.save(update_fields=["light", "updated_at"])
    rows, recent_s = timed(refresh_recent)
    say(f"refresh_recent (the 15-minute task, 20 cases changed): {recent_s:.1f} s, {rows:,} rows")
    say(
        f"stat rows: {CaseStat.objects.count():,} CaseStat, {StaffStat.objects.count():,} "
        f"StaffStat; cases {Case.objects.count():,}, reports {Report.objects.count():,}, "
        f"events {CaseEvent.objects.count():,}"
    )


def run(stack, args) -> int:
    from django.test import Client

    from streetbrain.cases.evaluation import definitions, periods, scores
    from streetbrain.cases.models import Case
    from streetbrain.core.models import User
    from streetbrain.core.months import add_months

    if args.reuse:
        _v, seconds = timed(stack.collectstatic)
        say(f"reusing {DBNAME}: {Case.objects.count():,} cases; collectstatic {seconds:.1f} s")
    else:
        load_and_refresh(stack, args)

    today = dt.date.today()
    quarter = periods.quarter_of(add_months(periods.quarter_of(today).first, -3))
    leader = User.objects.get(username="leader")
    client = Client()
    client.force_login(leader)
    cookie = client.cookies["sessionid"].value
    # The indicators of the quarter, in this process: what the page reads.
    for dim in definitions.DIMENSIONS:
        tables = scores.indicators(quarter.first, quarter.last, dim, leader)
        total = tables[0].total
        rates = ", ".join(f"{k} {v:.1%}" for k, v in list(total.rates.items())[:4] if v is not None)
        say(f"  {dim:<10} {sum(len(t.rows) for t in tables):>3} rows; total: {rates}")
    stack.close_connections()
    worst = 0.0
    with stack.gunicorn(workers=args.workers, worker_class="gthread", threads=4) as server:
        say(
            f"\n== the evaluation page for {quarter.slug} through gunicorn ({server.label}), "
            f"as leader, {args.reps} requests each after {2 * args.workers} to warm the workers  "
            f"[{_stack.load_note()}]"
        )
        say(f"{'dimension':<12}{'median ms':>10}{'max ms':>9}{'bytes':>9}")
        pages = time_pages(server, cookie, quarter.slug, args.reps, warm=2 * args.workers)
        for dim, (times, size) in pages.items():
            worst = max(worst, _stack.median(times))
            say(f"{dim:<12}{_stack.median(times):>10.1f}{max(times):>9.1f}{size:>9,}")
    verdict = "PASS" if worst < BAR_MS else "FAIL"
    say(
        f"\nslowest median page {worst:.1f} ms at {args.cases:,} cases; bar < {BAR_MS:.0f} ms: "
        f"{verdict}  [{_stack.load_note()}]"
    )
    return 0 if worst < BAR_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
