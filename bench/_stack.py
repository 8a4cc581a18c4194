"""Shared helpers of the benches that run the real stack: a fresh PostgreSQL database with
production settings, gunicorn serving it, load generators (an open-loop constant-rate asyncio
client and Debian's ``wrk``), and CPU accounting of the machine, the server, PostgreSQL and the
client. Not a benchmark itself (``make bench`` runs ``bench_*.py`` only).

Typical use::

    stack = Stack.configure("streetbrain_bench_x")   # env + fresh database + django.setup()
    stack.prepare()                                  # migrate, demo core, rules, classifier
    with stack.gunicorn(workers=4, worker_class="gthread", threads=4) as server:
        results = run_open_loop(server.host, server.port, requests, rate=300)
    stack.drop()
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PG_BASE = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
# Redis databases of the benches' own (the tests use 15, the default configuration 0).
REDIS_BROKER = os.environ.get("BENCH_REDIS_BROKER", "redis://127.0.0.1:6379/14")
REDIS_CACHE = os.environ.get("BENCH_REDIS_CACHE", "redis://127.0.0.1:6379/13")


def flush_redis(*urls: str) -> None:
    import redis

    for url in urls:
        redis.Redis.from_url(url).flushdb()


def say(line: str = "") -> None:
    print(line, flush=True)


def cpu_probe() -> float:
    """Milliseconds for ``sum(range(100_000))``, best of 5: this VM's cores ran anywhere from
    1.7 to 3 ms on it during one afternoon (the host's other tenants), so each measurement
    line says how fast the CPU was just then."""
    best = float("inf")
    for _ in range(5):
        t = time.perf_counter()
        sum(range(100_000))
        best = min(best, time.perf_counter() - t)
    return best * 1000


def load_note() -> str:
    one, five, _fifteen = os.getloadavg()
    return (
        f"load {one:.2f}/{five:.2f} (1/5 min), {os.cpu_count()} CPUs, "
        f"CPU probe {cpu_probe():.2f} ms"
    )


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0..100), nearest rank on sorted values; nan when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


# -- the database and Django ----------------------------------------------------------------------


def _admin_connection():
    import psycopg

    return psycopg.connect(f"{PG_BASE}/postgres", autocommit=True)


def create_database(name: str) -> None:
    from psycopg import sql

    with _admin_connection() as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(name: str) -> None:
    from psycopg import sql

    with _admin_connection() as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _secret() -> str:
    return secrets.token_urlsafe(48)


@dataclass
class Stack:
    """The environment of one bench run: database, var dir, generated secrets."""

    dbname: str
    var_dir: Path
    env: dict[str, str]

    @classmethod
    def configure(
        cls, dbname: str, *, conn_max_age: int = 600, fresh: bool = True, celery: bool = False
    ) -> Stack:
        """Generate the production environment for this run, create the database (dropping
        an old one of that name) and set Django up in this process with ``bench_settings``.

        ``celery``: background work goes through Redis to a real worker (``celery_worker()``)
        and the cache is Redis, as in production; otherwise tasks run eagerly in the caller."""
        var_dir = Path(tempfile.mkdtemp(prefix=f"{dbname}-"))
        env = {
            "DJANGO_SETTINGS_MODULE": "bench_settings",
            "DATABASE_URL": f"{PG_BASE}/{dbname}",
            "SECRET_KEY": _secret(),
            "STREETBRAIN_DATA_KEYS": _secret(),
            "STREETBRAIN_DIGEST_KEY": _secret(),
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "STREETBRAIN_VAR_DIR": str(var_dir),
            "CASES_CLASSIFIER_MODEL": str(var_dir / "case_classifier.joblib"),
            "CONN_MAX_AGE": str(conn_max_age),
            "LOG_LEVEL": "WARNING",
            "SECURE_COOKIES": "false",  # plain http on the loopback interface
            "CELERY_TASK_ALWAYS_EAGER": "true",  # nothing may wait on a broker here
        }
        if celery:
            env.update(
                CELERY_TASK_ALWAYS_EAGER="false",
                CELERY_BROKER_URL=REDIS_BROKER,
                CELERY_RESULT_BACKEND=REDIS_BROKER,
                CACHE_URL=REDIS_CACHE,
            )
            flush_redis(REDIS_BROKER, REDIS_CACHE)
        os.environ.update(env)
        for path in (str(BENCH), str(ROOT)):
            if path not in sys.path:
                sys.path.insert(0, path)
        if fresh:
            create_database(dbname)
        import django

        django.setup()
        return cls(dbname, var_dir, env)

    # -- content ------------------------------------------------------------------------------

    def migrate(self) -> None:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)

    def load_core_demo(self) -> None:
        """The street, its 80 grid cells with outlines, departments and the demo accounts;
        then the routing rules (the time limits are seeded by migrate)."""
        from streetbrain.cases import codes
        from streetbrain.core.audit import audit_context
        from streetbrain.demo import core as core_demo
        from streetbrain.demo.context import DemoContext

        with audit_context(source="cli", reason="bench"):
            core_demo.load(DemoContext())
            codes.load_routing_rules()

    def train_classifier(self, n: int = 6000, seed: int = 1) -> Path:
        from django.conf import settings

        from streetbrain.cases.intake import classifier
        from streetbrain.demo.synth import texts as synth_texts

        rows = synth_texts.generate(n, seed)
        model = classifier.train(
            [f"{r['title']}\n{r['description']}" for r in rows], [r["label"] for r in rows]
        )
        return model.save(settings.CASES_CLASSIFIER_MODEL)

    def create_ping_table(self) -> None:
        from bench_urls import PING_TABLE_SQL
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(PING_TABLE_SQL)

    def collectstatic(self) -> None:
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)

    def prepare(self, *, classifier_texts: int = 6000, static: bool = False) -> dict[str, float]:
        """Everything the intake needs; returns seconds per step."""
        steps = {
            "migrate": self.migrate,
            "core demo + routing rules": self.load_core_demo,
            f"classifier ({classifier_texts} texts)": lambda: self.train_classifier(
                classifier_texts
            ),
            "ping table": self.create_ping_table,
        }
        if static:
            steps["collectstatic"] = self.collectstatic
        out = {}
        for name, fn in steps.items():
            t = time.perf_counter()
            fn()
            out[name] = time.perf_counter() - t
        return out

    def close_connections(self) -> None:
        from django.db import connections

        connections.close_all()

    def drop(self) -> None:
        self.close_connections()
        drop_database(self.dbname)
        shutil.rmtree(self.var_dir, ignore_errors=True)

    # -- the server ---------------------------------------------------------------------------

    def gunicorn(self, **kwargs) -> Gunicorn:
        return Gunicorn(self, **kwargs)

    def celery_worker(self, **kwargs) -> CeleryWorker:
        return CeleryWorker(self, **kwargs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Service:
    """A process of the stack started by ``__enter__`` (``self.proc``, logging to
    ``self.log_path``), stopped by SIGTERM on exit."""

    proc: subprocess.Popen | None
    log_path: Path

    def log_tail(self, n: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def pids(self) -> list[int]:
        """The main process and its children (workers)."""
        if self.proc is None:
            return []
        return [self.proc.pid, *_children(self.proc.pid)]

    def __exit__(self, *exc) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


class Gunicorn(_Service):
    """gunicorn serving ``streetbrain.wsgi`` with ``bench_settings``, as a context manager.
    ``worker_class`` "sync" (one request per process, no keep-alive) or "gthread"."""

    def __init__(
        self,
        stack: Stack,
        *,
        workers: int = 4,
        worker_class: str = "gthread",
        threads: int = 4,
        keepalive: int = 30,
        backlog: int = 2048,
        env: dict[str, str] | None = None,
    ):
        self.stack = stack
        self.workers, self.worker_class, self.threads = workers, worker_class, threads
        self.keepalive, self.backlog = keepalive, backlog
        self.extra_env = env or {}
        self.host, self.port = "127.0.0.1", free_port()
        self.proc: subprocess.Popen | None = None
        self.log_path = stack.var_dir / f"gunicorn-{self.port}.log"

    @property
    def label(self) -> str:
        if self.worker_class == "sync":
            return f"sync × {self.workers} workers"
        return f"gthread × {self.workers} workers × {self.threads} threads"

    def __enter__(self) -> Gunicorn:
        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            "--pythonpath",
            f"{BENCH},{ROOT}",
            "--bind",
            f"{self.host}:{self.port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            self.worker_class,
            "--threads",
            str(self.threads),
            "--keep-alive",
            str(self.keepalive),
            "--backlog",
            str(self.backlog),
            "--timeout",
            "120",
            "--worker-tmp-dir",
            "/dev/shm",
            "--log-level",
            "warning",
            "streetbrain.wsgi:application",
        ]
        self._log = open(self.log_path, "w")  # closed in __exit__
        env = {**os.environ, **self.stack.env, **self.extra_env}
        self.proc = subprocess.Popen(
            cmd, env=env, stdout=self._log, stderr=subprocess.STDOUT, cwd=ROOT
        )
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log_tail()}")
            with contextlib.suppress(OSError, ValueError):
                status, _h, body = http_request(self.host, self.port, "GET", "/healthz")
                if status == 200:
                    return
                if status == 503 and json.loads(body).get("database_ok"):
                    # Another change of the working tree added a migration after ours ran.
                    say("warning: /healthz says migrations are pending; serving anyway")
                    return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not come up: {self.log_tail()}")


class CeleryWorker(_Service):
    """``celery -A streetbrain worker`` with ``bench_settings``, as a context manager: the
    production way background work runs (through Redis). ``pool`` "solo" is one process."""

    def __init__(self, stack: Stack, *, pool: str = "solo", concurrency: int = 1):
        self.stack, self.pool, self.concurrency = stack, pool, concurrency
        self.proc: subprocess.Popen | None = None
        self.log_path = stack.var_dir / f"celery-{secrets.token_hex(3)}.log"

    def __enter__(self) -> CeleryWorker:
        cmd = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "streetbrain",
            "worker",
            "--pool",
            self.pool,
            "--concurrency",
            str(self.concurrency),
            "--loglevel",
            "info",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        self._log = open(self.log_path, "w")  # closed in __exit__
        env = {**os.environ, **self.stack.env, "PYTHONPATH": f"{BENCH}:{ROOT}"}
        self.proc = subprocess.Popen(
            cmd, env=env, stdout=self._log, stderr=subprocess.STDOUT, cwd=ROOT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"celery exited: {self.log_tail()}")
            if " ready." in self.log_path.read_text(errors="replace"):
                return self
            time.sleep(0.2)
        raise RuntimeError(f"celery did not come up: {self.log_tail()}")


def _children(pid: int) -> list[int]:
    out = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                out.extend(int(p) for p in fh.read().split())
    return out


# -- CPU accounting -------------------------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")


def _proc_cpu(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            parts = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(parts[11]) + int(parts[12])) / _TICK  # utime + stime


def _postgres_pids() -> list[int]:
    out = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            with contextlib.suppress(OSError), open(f"/proc/{name}/comm") as fh:
                if fh.read().strip() == "postgres":
                    out.append(int(name))
    return out


def _machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    with open("/proc/stat") as fh:
        fields = [int(x) for x in fh.readline().split()[1:]]
    idle = fields[3] + fields[4]
    total = sum(fields[:8])
    return (total - idle) / _TICK, total / _TICK


@dataclass
class CpuMeter:
    """CPU seconds used between ``start()`` and ``stop()`` by the machine, the gunicorn
    processes, PostgreSQL's processes and this (client) process."""

    server_pids: list[int] = field(default_factory=list)
    worker_pids: list[int] = field(default_factory=list)  # background (Celery) workers
    _start: dict = field(default_factory=dict)
    result: dict = field(default_factory=dict)

    def _snap(self) -> dict:
        busy, total = _machine_cpu()
        pg = {p: _proc_cpu(p) for p in _postgres_pids()}
        server = {p: _proc_cpu(p) for p in self.server_pids}
        worker = {p: _proc_cpu(p) for p in self.worker_pids}
        t = os.times()
        return {
            "worker": worker,
            "busy": busy,
            "total": total,
            "pg": pg,
            "server": server,
            "client": t.user + t.system,
            "wall": time.monotonic(),
        }

    def start(self) -> CpuMeter:
        self._start = self._snap()
        return self

    def stop(self) -> dict:
        a, b = self._start, self._snap()
        wall = b["wall"] - a["wall"]

        def diff(key):
            return sum(v - a[key].get(p, 0.0) for p, v in b[key].items())

        self.result = {
            "wall": wall,
            "machine_busy": (b["busy"] - a["busy"]) / wall,  # cores busy on average
            "server": diff("server") / wall,
            "worker": diff("worker") / wall,
            "postgres": diff("pg") / wall,
            "client": (b["client"] - a["client"]) / wall,
        }
        return self.result

    def line(self) -> str:
        r = self.result
        other = r["machine_busy"] - r["server"] - r["worker"] - r["postgres"] - r["client"]
        worker = f"celery {r['worker']:.2f}, " if self.worker_pids else ""
        return (
            f"CPU (cores busy): machine {r['machine_busy']:.2f}, gunicorn {r['server']:.2f}, "
            f"{worker}postgres {r['postgres']:.2f}, load generator {r['client']:.2f}, "
            f"other {max(0.0, other):.2f}"
        )


# -- HTTP -----------------------------------------------------------------------------------------


def form_request(
    path: str,
    form: dict[str, str],
    headers: dict[str, str] | None = None,
    *,
    host: str = "127.0.0.1",
) -> bytes:
    """A raw HTTP/1.1 POST with a urlencoded form body."""
    body = urllib.parse.urlencode(form).encode()
    head = [
        f"POST {path} HTTP/1.1",
        f"Host: {host}",
        "Content-Type: application/x-www-form-urlencoded",
        f"Content-Length: {len(body)}",
        *(f"{k}: {v}" for k, v in (headers or {}).items()),
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def http_request(
    host: str,
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30.0,
) -> tuple[int, dict[str, str], bytes]:
    """One blocking request on a new connection (setup, checks, page timing)."""
    import http.client

    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
    finally:
        conn.close()


@dataclass
class Result:
    index: int
    status: int  # 0: no answer (timeout or connection error)
    latency_ms: float  # from the scheduled send time to the whole response
    service_ms: float  # from the actual send to the whole response
    done_at: float  # loop time of completion
    body: bytes = b""
    error: str = ""


_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)
_CONN_CLOSE = re.compile(rb"\r\nconnection:\s*close", re.IGNORECASE)


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    keep = _CONN_CLOSE.search(head) is None
    m = _CONTENT_LENGTH.search(head)
    if m:
        body = await reader.readexactly(int(m.group(1)))
    elif b"chunked" in head.lower():
        chunks = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            chunks.append(chunk[:-2])
        body = b"".join(chunks)
    else:
        body, keep = await reader.read(), False
    return status, body, keep


async def _open_loop(
    host: str,
    port: int,
    requests: Sequence[bytes],
    rate: float,
    max_connections: int,
    timeout: float,
) -> tuple[list[Result], float, float]:
    loop = asyncio.get_running_loop()
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    waiters: deque[asyncio.Future] = deque()
    opened = 0
    results: list[Result | None] = [None] * len(requests)

    async def acquire():
        nonlocal opened
        while True:
            if idle:
                return idle.pop()
            if opened < max_connections:
                opened += 1
                try:
                    return await asyncio.open_connection(host, port)
                except OSError:
                    opened -= 1
                    raise
            fut = loop.create_future()
            waiters.append(fut)
            await fut

    def release(conn, reusable: bool) -> None:
        nonlocal opened
        if conn is not None:
            if reusable:
                idle.append(conn)
            else:
                conn[1].close()
                opened -= 1
        while waiters:
            w = waiters.popleft()
            if not w.done():
                w.set_result(None)
                break

    async def one(i: int, due: float) -> None:
        conn, sent, status, body, error, keep = None, due, 0, b"", "", False
        try:
            async with asyncio.timeout(timeout):
                conn = await acquire()
                sent = loop.time()
                conn[1].write(requests[i])
                status, body, keep = await _read_response(conn[0])
        except TimeoutError:
            error = "timeout"
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            error = type(exc).__name__
        end = loop.time()
        release(conn, keep and not error)
        results[i] = Result(i, status, (end - due) * 1000, (end - sent) * 1000, end, body, error)

    tasks = []
    start = loop.time() + 0.05
    for i in range(len(requests)):
        due = start + i / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i, due)))
    await asyncio.gather(*tasks)
    for conn in idle:
        conn[1].close()
    return results, start, loop.time()  # type: ignore[return-value]


@dataclass
class LoadRun:
    offered_rate: float
    results: list[Result]
    start: float
    end: float

    @property
    def ok(self) -> list[Result]:
        return [r for r in self.results if 200 <= r.status < 300]

    @property
    def errors(self) -> list[Result]:
        return [r for r in self.results if not 200 <= r.status < 300]

    @property
    def duration(self) -> float:
        return self.end - self.start

    @property
    def achieved_rate(self) -> float:
        """2xx answers per second, over the window from the first send to the last answer."""
        return len(self.ok) / self.duration if self.duration > 0 else 0.0

    def latency(self, p: float) -> float:
        return percentile([r.latency_ms for r in self.results], p)

    def error_summary(self) -> str:
        counts: dict[str, int] = {}
        for r in self.errors:
            key = r.error or str(r.status)
            counts[key] = counts.get(key, 0) + 1
        return ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "none"


def run_open_loop(
    host: str,
    port: int,
    requests: Sequence[bytes],
    rate: float,
    *,
    max_connections: int = 256,
    timeout: float = 10.0,
) -> LoadRun:
    """Send ``requests`` at a constant ``rate`` (open loop: request i leaves at i/rate whatever
    the server does, so a slow server is not hidden by fewer sends). Latency counts from the
    scheduled time, so waiting for a free connection counts too."""
    results, start, end = asyncio.run(
        _open_loop(host, port, requests, rate, max_connections, timeout)
    )
    return LoadRun(rate, results, start, end)


# -- wrk ------------------------------------------------------------------------------------------


def lua_string(s: str) -> str:
    """A Lua long-bracket-free quoted string (bytes escaped as decimal)."""
    return (
        '"'
        + "".join(f"\\{b}" if b < 32 or b > 126 or b in (34, 92) else chr(b) for b in s.encode())
        + '"'
    )


def wrk_script(path: str, bodies: Sequence[str], marker_prefix: str, *, marker_field: str) -> str:
    """A wrk script that POSTs urlencoded ``bodies`` round-robin, each with a unique marker in
    the form field ``marker_field`` and the ``Idempotency-Key`` header."""
    table = ",\n".join(lua_string(b) for b in bodies)
    return f"""
local bodies = {{
{table}
}}
local n = #bodies
local counter = 0
local thread_id = 0
local ids = 0
function setup(thread)
    ids = ids + 1
    thread:set("tid", ids)
end
function init(args)
    thread_id = tid or 0
end
function request()
    counter = counter + 1
    local marker = "{marker_prefix}" .. thread_id .. "-" .. counter
    local body = bodies[(counter % n) + 1] .. "&{marker_field}=" .. marker
    return wrk.format("POST", "{path}", {{
        ["Content-Type"] = "application/x-www-form-urlencoded",
        ["Idempotency-Key"] = marker,
    }}, body)
end
"""


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text.strip())
    return float(m.group(1)) * _UNITS[m.group(2)] if m else float("nan")


@dataclass
class WrkResult:
    requests: int
    seconds: float
    rate: float
    non_2xx: int
    socket_errors: dict[str, int]
    latency_ms: dict[str, float]
    raw: str

    def line(self) -> str:
        lat, nan = self.latency_ms, float("nan")
        errs = sum(self.socket_errors.values())
        return (
            f"{self.rate:,.0f} req/s ({self.requests:,} in {self.seconds:.1f} s), "
            f"latency p50 {lat.get('50', nan):.1f} / p90 {lat.get('90', nan):.1f} "
            f"/ p99 {lat.get('99', nan):.1f} ms, non-2xx {self.non_2xx}, "
            f"socket errors {errs}"
        )


def run_wrk(
    url: str, script: str, *, connections: int, seconds: int, threads: int = 1, workdir: Path
) -> WrkResult:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (Debian: apt-get install wrk)")
    script_path = workdir / f"wrk-{time.monotonic_ns()}.lua"
    script_path.write_text(script, encoding="utf-8")
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(script_path),
        url,
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    m = re.search(r"(\d+) requests in ([\d.]+)(\w+)", out)
    requests_done = int(m.group(1)) if m else 0
    seconds_done = _ms(m.group(2) + m.group(3)) / 1000 if m else float("nan")
    rate_m = re.search(r"Requests/sec:\s*([\d.]+)", out)
    non2xx_m = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    latency = {
        pm.group(1): _ms(pm.group(2))
        for pm in re.finditer(r"^\s+(\d+)%\s+([\d.]+\w+)\s*$", out, re.MULTILINE)
    }
    return WrkResult(
        requests_done,
        seconds_done,
        float(rate_m.group(1)) if rate_m else 0.0,
        int(non2xx_m.group(1)) if non2xx_m else 0,
        dict(zip(("connect", "read", "write", "timeout"), map(int, sock.groups()), strict=True))
        if sock
        else {},
        latency,
        out,
    )


# -- bulk loading with COPY ------------------------------------------------------------------------


def _copy_text(value) -> str:
    """A value in COPY's text format."""
    import datetime as dt
    import json
    import uuid
    from decimal import Decimal

    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, int | float | Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False)
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )


class CopyWriter:
    """COPY rows of a Django model's table, giving only the ``columns`` that vary (attnames, in
    the order of each row tuple); every other column gets its field default, NULL, "" or, for
    auto_now fields, now. Rows are tuples of already COPY-formatted strings or plain values
    (``text()``). Use its own psycopg connection so several tables can stream at once; FK
    triggers are off for the session (``session_replication_role = replica``): the loader
    keeps the references right by construction."""

    def __init__(self, model, columns: Sequence[str], *, chunk: int = 20_000):
        import datetime as dt

        import psycopg
        from django.conf import settings
        from django.db import models as m

        self.table = model._meta.db_table
        fields = list(model._meta.concrete_fields)
        by_attname = {f.attname: f for f in fields}
        unknown = [c for c in columns if c not in by_attname]
        if unknown:
            raise ValueError(f"{self.table}: no such columns {unknown}")
        self.template: list[str] = []
        self.positions = []
        now = dt.datetime.now(dt.UTC)
        for f in fields:
            if f.attname in columns:
                self.template.append("")
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            elif f.has_default():
                value = f.get_default()
                if f.unique:
                    raise ValueError(f"{self.table}.{f.attname} is unique: give it per row")
            elif f.null:
                value = None
            elif isinstance(f, m.CharField | m.TextField):
                value = ""
            else:
                raise ValueError(f"{self.table}.{f.attname} needs a value")
            self.template.append(_copy_text(value))
        index = {f.attname: i for i, f in enumerate(fields)}
        self.positions = [index[c] for c in columns]
        # One format string per row: constant columns inline, "{k}" where value k goes.
        parts = [p.replace("{", "{{").replace("}", "}}") for p in self.template]
        for k, pos in enumerate(self.positions):
            parts[pos] = f"{{{k}}}"
        self._format = "\t".join(parts).format
        names = ", ".join(f'"{f.column}"' for f in fields)
        db = settings.DATABASES["default"]
        self.conn = psycopg.connect(
            dbname=db["NAME"],
            user=db["USER"],
            host=db["HOST"] or None,
            port=db["PORT"] or None,
            password=db["PASSWORD"] or None,
        )
        self.conn.execute("SET session_replication_role = replica")
        self.conn.execute("SET synchronous_commit = off")
        self.conn.execute("SET maintenance_work_mem = '256MB'")
        # Plain indexes (not those behind constraints) are built once after the load, which
        # is several times faster than maintaining them row by row.
        self.deferred = self.conn.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.schemaname = current_schema() AND i.tablename = %s
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
            """,
            [self.table],
        ).fetchall()
        for name, _definition in self.deferred:
            self.conn.execute(f'DROP INDEX "{name}"')
        self._cursor = self.conn.cursor()
        self._copy_cm = self._cursor.copy(f"COPY {self.table} ({names}) FROM STDIN")
        self._copy = self._copy_cm.__enter__()
        self.chunk = chunk
        self._lines: list[str] = []
        self.rows = 0

    text = staticmethod(_copy_text)

    def add(self, values: Sequence[str]) -> None:
        """One row; ``values`` in the order of ``columns``, already COPY text."""
        self._lines.append(self._format(*values))
        if len(self._lines) >= self.chunk:
            self.flush()

    def flush(self) -> None:
        if self._lines:
            self._lines.append("")
            self._copy.write("\n".join(self._lines).encode())
            self._lines.pop()
            self.rows += len(self._lines)
            self._lines = []

    def close(self) -> int:
        self.flush()
        self._copy_cm.__exit__(None, None, None)
        self._cursor.close()
        for _name, definition in self.deferred:
            self.conn.execute(definition)
        self.conn.commit()
        self.conn.close()
        return self.rows
