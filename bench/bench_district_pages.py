"""Every page within budget at a district's scale, through gunicorn, for the three roles.

Serves the database of ``DATABASE_URL`` (a loaded district, e.g. ``sb_district``, or the demo
loaded into PostgreSQL) with gunicorn (2 gthread workers, production settings plus
``bench_pages_settings``' slowest-query recorder), logs in as a district leader (everything), a
street leader (one street) and a grid worker (one grid), and requests, one request at a time:

- every list page with its common filters and sorts, its first and a deep page;
- the API lists, their first ``?cursor=`` page and the page after it;
- the one search (a name, an exact ID number, a case number), page and API;
- a case page and one of its step forms;
- the evaluation page for a month and a year; the cockpit; the economy dashboard; the org
  unit's page (the units below side by side);
- every map layer at three zooms over the role's unit and a part of it;
- exports of a filtered list: time to first byte, whole time, and the serving worker's
  resident memory growth (sampled every 20 ms).

It prints p50/p95 per page and role, the ``EXPLAIN (ANALYZE, BUFFERS)`` of the slowest SQL
statement of every page over budget (``--explain all``: of every page) and exits 1 listing
every page over budget: p95 ≤ 300 ms for pages and API lists, ≤ 200 ms for search, exports
with the first byte ≤ 1 s and memory growth ≤ 64 MB.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sb_district \\
        .venv/bin/python bench/bench_district_pages.py [--repeat 5] [--var-dir DIR]

The database's secrets (to log in, read ID numbers for the exact search) come from the
environment (``SECRET_KEY``, ``STREETBRAIN_DATA_KEYS``, ``STREETBRAIN_DIGEST_KEY``) or from
``--var-dir``, a demo's ``var/`` holding them as ``*.secret`` files (the district data set's
bench-only keys are in ``bench_district_load.py``). The accounts are found by name:
``district_leader``/``street_leader``/``grid_worker`` (the district data set), else the
demo's ``district``/``leader``/``gridworker``, or ``--accounts a,b,c``; password
``$DEMO_PASSWORD`` or ``streetbrain-demo``. The database is only read (sessions and logins
are written).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import re
import secrets
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _stack import Gunicorn, Stack, load_note, percentile, say

PAGE_BUDGET_MS = 300
SEARCH_BUDGET_MS = 200
EXPORT_FIRST_BYTE_MS = 1000
EXPORT_MEMORY_MB = 64
ACCOUNT_SETS = [
    ("district_leader", "street_leader", "grid_worker"),
    ("district", "leader", "gridworker"),
]
ROLES = ("district", "street", "grid")


@dataclass
class Page:
    name: str
    path: str
    kind: str = "page"  # page | api | search | export
    samples: dict = field(default_factory=dict)  # role -> [ms]
    status: dict = field(default_factory=dict)  # role -> last status
    slowest: dict = field(default_factory=dict)  # role -> (ms, sql)
    export: dict = field(default_factory=dict)  # role -> {first_ms, total_ms, rss_mb, bytes}

    @property
    def budget(self) -> float:
        if self.kind == "search":
            return SEARCH_BUDGET_MS
        if self.kind == "export":
            return EXPORT_FIRST_BYTE_MS
        return PAGE_BUDGET_MS


# -- the environment -------------------------------------------------------------------------


def environment(args) -> dict[str, str]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to the PostgreSQL database to serve (e.g. sb_district).")
    env = {
        "DJANGO_SETTINGS_MODULE": "bench_pages_settings",
        "DATABASE_URL": url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_COOKIES": "false",
        "LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": "600",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "CACHE_URL": os.environ.get("BENCH_PAGES_CACHE", "redis://127.0.0.1:6379/11"),
        "AXES_FAILURE_LIMIT": "1000",
    }
    secret_files = {
        "SECRET_KEY": "django_secret_key",
        "STREETBRAIN_DATA_KEYS": "data_key",
        "STREETBRAIN_DIGEST_KEY": "digest_key",
    }
    for name, file in secret_files.items():
        value = os.environ.get(name, "")
        if not value and args.var_dir:
            path = Path(args.var_dir) / f"{file}.secret"
            if path.exists():
                value = path.read_text().strip()
        if not value:
            say(f"note: no {name}; a generated one is used (ID numbers cannot be read)")
            value = secrets.token_urlsafe(48)
        env[name] = value
    return env


# -- what to request -------------------------------------------------------------------------


def _bbox(geometry) -> tuple[float, float, float, float] | None:
    if not geometry:
        return None
    xs, ys = [], []

    def walk(coords):
        if coords and isinstance(coords[0], (int, float)):
            xs.append(coords[0])
            ys.append(coords[1])
        else:
            for c in coords:
                walk(c)

    walk(geometry.get("coordinates", []))
    return (min(xs), min(ys), max(xs), max(ys)) if xs else None


def samples_for(user) -> dict:
    """Rows in ``user``'s scope to ask for: a case, a resident's name and ID number, the
    unit's outline, a street/community for the filters."""
    from streetbrain.cases.models import Case
    from streetbrain.core.models import OrgUnit
    from streetbrain.core.protected import reveal_value
    from streetbrain.registry.models import Resident

    unit = OrgUnit.home_of(user)
    out = {"unit": unit}
    from streetbrain.cases.models import OPEN_STATES
    from streetbrain.cases.workflow.actions import TRANSITIONS

    case = Case.objects.restrict(user).filter(state__in=OPEN_STATES).order_by("-pk").first()
    out["case"] = case
    out["step"] = next(
        (
            t.name
            for t in TRANSITIONS.values()
            if case is not None and case.state in t.sources and user.has_perm(t.permission)
        ),
        None,
    )
    resident = Resident.objects.restrict(user).order_by("pk").first()
    out["resident"] = resident
    try:
        # the whole number, as a user types it (the attribute reads the masked form)
        out["id_number"] = reveal_value(resident, "id_number") if resident else None
    except Exception:
        out["id_number"] = None
    below = (
        OrgUnit.objects.restrict(user)
        .filter(parent=unit)
        .exclude(geometry__isnull=True)
        .order_by("code")
        .first()
    )
    out["below"] = below
    out["part_bbox"] = _bbox(below.geometry) if below else None
    # A unit without an outline (the demo's 鄞州区): the part below stands for it.
    out["bbox"] = (_bbox(unit.geometry) if unit else None) or out["part_bbox"]
    out["part_bbox"] = out["part_bbox"] or out["bbox"]
    return out


def pages_for(user, s: dict, layer_keys: list[str], today: dt.date) -> list[Page]:
    unit, below = s["unit"], s["below"]
    filter_unit = below.pk if below is not None else unit.pk
    month = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    year_ago = (today - dt.timedelta(days=365)).isoformat()
    deep = "page=200"
    pages = [
        Page("home", "/"),
        Page("org unit (units below)", f"/core/org-units/{unit.pk}/"),
        Page("grids", "/core/grids/"),
        Page("changelog", "/core/changelog/"),
        # cases
        Page("cases", "/cases/"),
        Page("cases deep", f"/cases/?{deep}"),
        Page("cases open tab", "/cases/?tab=open"),
        Page("cases overdue", "/cases/?tab=overdue"),
        Page("cases unit+sort", f"/cases/?org_unit={filter_unit}&sort=-reported_at"),
        Page("cases year sort deadline", f"/cases/?reported_at_after={year_ago}&sort=deadline"),
        Page("cases q", "/cases/?q=垃圾"),
        Page("cases mine", "/cases/?tab=mine"),
        # registry
        Page("residents", "/registry/residents/"),
        Page("residents deep", f"/registry/residents/?{deep}"),
        Page("residents unit+sort", f"/registry/residents/?unit={filter_unit}&sort=name"),
        Page("residents floating", "/registry/residents/?residence=floating"),
        Page("residents q name", "/registry/residents/?q=王"),
        Page("households", "/registry/households/"),
        Page("households deep", f"/registry/households/?{deep}"),
        Page("houses", "/registry/houses/"),
        Page("houses deep", f"/registry/houses/?{deep}"),
        Page("buildings", "/registry/buildings/"),
        Page("facilities", "/registry/facilities/"),
        Page("shops", "/registry/shops/"),
        # economy
        Page("economy dashboard", "/economy/"),
        Page("enterprises", "/economy/enterprises/"),
        Page("enterprises deep", f"/economy/enterprises/?{deep}"),
        Page("enterprises active+sort", "/economy/enterprises/?status=active&sort=name"),
        Page("office buildings", "/economy/buildings/"),
        Page("units", "/economy/units/"),
        Page("leases", "/economy/leases/"),
        Page("warnings", "/economy/warnings/"),
        # evaluation, cockpit
        Page("evaluation month", f"/cases/evaluation/?period=month&month={month}"),
        Page("evaluation year", f"/cases/evaluation/?period=year&year={today.year - 1}"),
        Page("cockpit", "/cockpit/"),
        Page("map page", "/map/"),
        # API lists
        Page("api cases", "/api/cases/cases/", "api"),
        Page("api cases filtered", f"/api/cases/cases/?org_unit={filter_unit}&state=closed", "api"),
        Page("api cases cursor", "/api/cases/cases/?cursor=", "api"),
        Page("api residents", "/api/registry/residents/", "api"),
        Page("api residents cursor", "/api/registry/residents/?cursor=", "api"),
        Page("api households", "/api/registry/households/", "api"),
        Page("api houses cursor", "/api/registry/houses/?cursor=", "api"),
        Page("api enterprises", "/api/economy/enterprises/", "api"),
        Page("api enterprises cursor", "/api/economy/enterprises/?cursor=", "api"),
        Page("api reports cursor", "/api/cases/reports/?cursor=", "api"),
        Page("api changelog cursor", "/api/core/changelog/?cursor=", "api"),
        Page("api grids", "/api/core/grids/", "api"),
        # search
    ]
    resident = s["resident"]
    if resident is not None:
        name = urllib.parse.quote(resident.name)
        pages += [
            Page("search name", f"/search/?q={name}", "search"),
            Page("api search name", f"/api/search/?q={name}", "search"),
        ]
        pages.append(Page("resident page", f"/registry/residents/{resident.pk}/"))
    if s["id_number"]:
        pages.append(Page("search ID number", f"/search/?q={s['id_number']}", "search"))
    case = s["case"]
    if case is not None:
        pages += [
            Page("search case number", f"/search/?q={case.number}", "search"),
            Page("api search case number", f"/api/search/?q={case.number}", "search"),
            Page("case page", f"/cases/{case.pk}/"),
        ]
        if s["step"]:
            pages.append(
                Page(f"case step form ({s['step']})", f"/cases/{case.pk}/act/{s['step']}/")
            )
    for key in layer_keys:
        for label, bbox, zoom in (
            ("unit z12", s["bbox"], 12),
            ("unit z14", s["bbox"], 14),
            ("part z17", s["part_bbox"], 17),
        ):
            if bbox is None:
                continue
            box = ",".join(f"{v:.5f}" for v in bbox)
            pages.append(
                Page(
                    f"layer {key} {label}", f"/api/map/layers/{key}/?bbox={box}&zoom={zoom}", "api"
                )
            )
    exports = [
        ("export cases (year)", f"/cases/export/?reported_at_after={year_ago}&format=csv"),
        ("export residents (unit)", f"/registry/residents/export/?unit={filter_unit}&format=csv"),
        ("export enterprises", "/economy/enterprises/export/?status=active&format=csv"),
    ]
    pages += [Page(name, path, "export") for name, path in exports]
    return pages


# -- the client --------------------------------------------------------------------------------


class Client:
    """One keep-alive connection with a session cookie."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection(host, port, timeout=300)
        self.counter = 0

    def _headers(self, extra=None) -> dict[str, str]:
        headers = {"Accept-Language": "zh-hans", "Host": f"{self.host}:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers.update(extra or {})
        return headers

    def _keep_cookies(self, resp) -> None:
        for key, value in resp.getheaders():
            if key.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]

    def request(self, method, path, body=None, headers=None, stream=False):
        """(status, ms to the first byte of the body, ms to the whole answer, bytes, id)."""
        self.counter += 1
        path = urllib.parse.quote(path, safe="/?&=%:,+-_.~")
        bench_id = f"b{os.getpid()}-{id(self)}-{self.counter}"
        hdrs = self._headers({**(headers or {}), "X-Bench-Id": bench_id})
        for attempt in range(2):
            try:
                started = time.perf_counter()
                self.conn.request(method, path, body=body, headers=hdrs)
                resp = self.conn.getresponse()
                break
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=300)
                if attempt:
                    raise
        first = resp.read(1)
        first_ms = (time.perf_counter() - started) * 1000
        size = len(first)
        while chunk := resp.read(65536):
            size += len(chunk)
        total_ms = (time.perf_counter() - started) * 1000
        self._keep_cookies(resp)
        if resp.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=300)
        return resp.status, first_ms, total_ms, size, bench_id, resp

    def login(self, username: str, password: str) -> None:
        self.request("GET", "/accounts/login/")
        body = urllib.parse.urlencode(
            {
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": self.cookies.get("csrftoken", ""),
            }
        )
        status, *_rest = self.request(
            "POST",
            "/accounts/login/",
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://{self.host}:{self.port}/accounts/login/",
            },
        )
        if status != 302:
            sys.exit(f"login as {username} failed ({status})")


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class RssSampler(threading.Thread):
    """The largest growth of any worker's resident memory over its value at the start."""

    def __init__(self, pids: list[int]):
        super().__init__(daemon=True)
        self.pids = pids
        self.base = {p: _rss_kb(p) for p in pids}
        self.peak_growth_kb = 0
        self.running = True

    def run(self):
        while self.running:
            for p in self.pids:
                self.peak_growth_kb = max(self.peak_growth_kb, _rss_kb(p) - self.base[p])
            time.sleep(0.02)

    def stop(self) -> float:
        self.running = False
        self.join()
        return self.peak_growth_kb / 1024


# -- the run -----------------------------------------------------------------------------------


def next_cursor_path(body: bytes) -> str | None:
    try:
        data = json.loads(body)
    except ValueError:
        return None
    nxt = data.get("next") if isinstance(data, dict) else None
    if not nxt:
        return None
    parts = urllib.parse.urlsplit(nxt)
    return f"{parts.path}?{parts.query}"


def run_pages(client: Client, role: str, pages: list[Page], repeat: int, worker_pids) -> None:
    extra: list[Page] = []
    for page in pages:
        if page.kind == "export":
            continue
        status, _f, _t, _n, _id, _resp = client.request("GET", page.path)  # warm-up
        page.status[role] = status
        if status in (403, 404):
            continue
        times = []
        for _ in range(repeat):
            status, _first, total, _size, bench_id, _resp = client.request("GET", page.path)
            times.append(total)
            page.slowest.setdefault(role, []).append(bench_id)
        page.samples[role] = times
        page.status[role] = status
        if "cursor=" in page.path and status == 200:
            # The page after the first: where a deep walk goes on.
            conn = http.client.HTTPConnection(client.host, client.port, timeout=300)
            conn.request("GET", page.path, headers=client._headers())
            nxt = next_cursor_path(conn.getresponse().read())
            conn.close()
            if nxt:
                extra.append(Page(page.name + " next", nxt, "api"))
    for page in extra:
        times = []
        for _ in range(repeat):
            status, _first, total, _size, bench_id, _resp = client.request("GET", page.path)
            times.append(total)
            page.slowest.setdefault(role, []).append(bench_id)
        page.samples[role] = times
        page.status[role] = status
    pages.extend(extra)
    for page in pages:
        if page.kind != "export":
            continue
        runs = []
        for _ in range(max(1, repeat // 2)):
            sampler = RssSampler(worker_pids)
            sampler.start()
            status, first, total, size, bench_id, _resp = client.request("GET", page.path)
            growth = sampler.stop()
            runs.append((first, total, growth, size))
            page.slowest.setdefault(role, []).append(bench_id)
        page.status[role] = status
        if status in (403, 404):
            continue
        page.samples[role] = [r[0] for r in runs]
        page.export[role] = {
            "first_ms": max(r[0] for r in runs),
            "total_ms": max(r[1] for r in runs),
            "rss_mb": max(r[2] for r in runs),
            "bytes": runs[-1][3],
        }


def read_sql_log(folder: Path) -> dict[str, dict]:
    out = {}
    for file in folder.glob("*.jsonl"):
        for line in file.read_text().splitlines():
            with_id = json.loads(line)
            out[with_id["id"]] = with_id
    return out


def explain(sql: str) -> str:
    from django.db import connection, transaction

    # The list pages' own planner estimate (EXPLAIN (FORMAT JSON) ...): explain what it asks.
    sql = re.sub(r"^\s*EXPLAIN \(FORMAT JSON\)\s*", "", sql)
    head = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
    analyze = head in ("SELECT", "WITH")
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(("EXPLAIN (ANALYZE, BUFFERS) " if analyze else "EXPLAIN ") + sql)
            lines = [row[0] for row in cursor.fetchall()]
            transaction.set_rollback(True)
    except Exception as exc:
        return f"    (EXPLAIN failed: {exc})"
    if len(lines) > 40:
        lines = [*lines[:38], f"... {len(lines) - 38} more lines", lines[-1]]
    return "\n".join(f"    {line}" for line in lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed requests per page and role")
    parser.add_argument("--var-dir", help="a demo var/ holding the database's *.secret files")
    parser.add_argument("--roles", default=",".join(ROLES), help="district,street,grid")
    parser.add_argument(
        "--accounts", default="", help="the three roles' user names, comma-separated"
    )
    parser.add_argument("--only", default="", help="a regular expression on the page names")
    parser.add_argument(
        "--explain", choices=("over", "all", "none"), default="over", help="which pages' SQL"
    )
    args = parser.parse_args()

    env = environment(args)
    sql_log = Path(tempfile.mkdtemp(prefix="bench-pages-sql-"))
    env["BENCH_SQL_LOG"] = str(sql_log)
    var_dir = Path(tempfile.mkdtemp(prefix="bench-pages-var-"))
    env["STREETBRAIN_VAR_DIR"] = str(var_dir)
    os.environ.update(env)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.db import connection

    from streetbrain.core import extension_points as ep
    from streetbrain.core.models import User

    password = os.environ.get("DEMO_PASSWORD", "streetbrain-demo")
    sets = [tuple(args.accounts.split(","))] if args.accounts else ACCOUNT_SETS
    names = next((s for s in sets if User.objects.filter(username__in=s).count() == 3), None)
    if names is None:
        sys.exit(f"none of the account sets {sets} is in this database")
    accounts = dict(zip(ROLES, names, strict=True))
    roles = [r for r in args.roles.split(",") if r in accounts]
    layer_keys = [layer.key for layer in ep.items(ep.MapLayer)]
    today = dt.date.today()
    only = re.compile(args.only) if args.only else None
    dbname = connection.settings_dict["NAME"]
    say(f"bench_district_pages on {dbname}: {load_note()}")
    from streetbrain.cases.models import Case
    from streetbrain.registry.models import Resident

    say(
        f"  rows (planner estimates): cases ~{_estimate(Case):,}, residents "
        f"~{_estimate(Resident):,}; accounts {accounts}"
    )
    per_role: dict[str, list[Page]] = {}
    for role in roles:
        user = User.objects.get(username=accounts[role])
        samples = samples_for(user)
        pages = pages_for(user, samples, layer_keys, today)
        per_role[role] = [p for p in pages if only is None or only.search(p.name)]
    connection.close()

    stack = Stack(dbname, var_dir, env)
    started = time.perf_counter()
    with Gunicorn(stack, workers=2, worker_class="gthread", threads=2) as server:
        workers = server.pids()[1:]
        for role in roles:
            client = Client(server.host, server.port)
            client.login(accounts[role], password)
            t = time.perf_counter()
            run_pages(client, role, per_role[role], args.repeat, workers)
            say(f"  {role}: {len(per_role[role])} pages in {time.perf_counter() - t:.0f} s")
    say(f"  served and measured in {time.perf_counter() - started:.0f} s")

    log = read_sql_log(sql_log)
    over: list[str] = []
    explained: list[tuple[str, str, float, str]] = []
    say("")
    say(
        f"{'page':<44} {'role':<9} {'status':>6} {'p50 ms':>8} {'p95 ms':>8} {'budget':>7}  "
        f"{'queries':>7} {'slowest SQL ms':>14}  note"
    )
    for role in roles:
        for page in per_role[role]:
            status = page.status.get(role)
            samples = page.samples.get(role)
            if not samples:
                say(f"{page.name:<44} {role:<9} {status!s:>6} {'—':>8} {'—':>8}")
                continue
            records = [log[i] for i in page.slowest.get(role, []) if i in log]
            slowest = max(records, key=lambda r: r["slowest_ms"], default=None)
            queries = max((r["queries"] for r in records), default=0)
            p50, p95 = percentile(samples, 50), percentile(samples, 95)
            note = ""
            missed = status != 200 or p95 > page.budget
            if page.kind == "export":
                e = page.export[role]
                note = (
                    f"first byte {e['first_ms']:.0f} ms, whole {e['total_ms']:.0f} ms, "
                    f"{e['bytes'] / 1e6:.1f} MB, worker RSS +{e['rss_mb']:.0f} MB"
                )
                missed = missed or e["rss_mb"] > EXPORT_MEMORY_MB
            elif status != 200:
                note = f"status {status}"
            say(
                f"{page.name:<44} {role:<9} {status!s:>6} {p50:>8.0f} {p95:>8.0f} "
                f"{page.budget:>7.0f}  {queries:>7} "
                f"{(slowest['slowest_ms'] if slowest else 0):>14.1f}  {note}"
                + ("  OVER" if missed else "")
            )
            if missed:
                over.append(f"{page.name} [{role}] p95 {p95:.0f} ms {note}".rstrip())
            if slowest and (args.explain == "all" or (args.explain == "over" and missed)):
                explained.append((page.name, role, slowest["slowest_ms"], slowest["sql"]))
    if explained:
        django.db.connections.close_all()
        say("")
        say(
            "EXPLAIN of the slowest SQL statement of each page"
            + (" over budget" if args.explain == "over" else "")
        )
        for name, role, ms, sql in explained:
            say(f"\n--- {name} [{role}]: {ms:.1f} ms\n    {sql[:600]}")
            say(explain(sql))
    say("")
    if over:
        say(f"OVER BUDGET ({len(over)}):")
        for line in over:
            say(f"  {line}")
        return 1
    say("every page within budget")
    return 0


def _estimate(model) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [model._meta.db_table]
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


if __name__ == "__main__":
    sys.exit(main())
