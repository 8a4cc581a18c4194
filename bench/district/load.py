"""Loading the district into the database Django is set up with (after ``migrate``).

Everything is the demo's: the org tree is the demo's illustrative street moved per street
(``layout``), the departments and accounts are the demo's (``streetbrain.demo.core``), and each
street's registry, case history and building economy come from the demo's planners and loaders
(``streetbrain.demo.registry._load``, ``cases.world_from_db`` + ``plan_history`` + the cases
loader's ``_write_*``, ``economy._load``), called per street with its own seed. Rows go in
with ``COPY`` on PostgreSQL (``streetbrain.demo.bulk``; the registry through ``CopyTimer``,
primary keys in a range of each street's own), with no change-log entries (a generated data
set, not anybody's work). A street sharing a case history with one written before gets a copy
of that street's rows in SQL (``replay.copy_history``). The big tables' non-unique indexes and
foreign keys are dropped before the streets and made again after (``drop_secondary``,
``rebuild_secondary``).

Two worker processes (``processes``) each take every other street. The writes whose primary
keys come from the table's last (``next_pk``: cases, reports, events, leases) hold an advisory
lock; the registry's keys are the street's own range, and the economy plans outside the lock
with its process's share of the credit codes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import os
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth.models import Group
from django.db import connection, connections, transaction
from django.utils import timezone

from streetbrain.cases import codes as case_codes
from streetbrain.cases.models import ApiKey
from streetbrain.core.geo import area_m2
from streetbrain.core.models import OrgUnit, User
from streetbrain.demo import cases as demo_cases
from streetbrain.demo import core as demo_core
from streetbrain.demo import economy as demo_economy
from streetbrain.demo import registry as demo_registry
from streetbrain.demo.bulk import collected_after, insert_objects, reset_sequences
from streetbrain.demo.context import DemoContext
from streetbrain.demo.synth import people
from streetbrain.demo.synth.cases.generator import plan_history
from streetbrain.demo.synth.cases.tables import SEED as CASE_SEED
from streetbrain.demo.synth.district import build_demo_district
from streetbrain.demo.synth.economy.tables import SEED as ECONOMY_SEED
from streetbrain.demo.synth.registry import SEED as REGISTRY_SEED
from streetbrain.demo.synth.registry import GridInfo
from streetbrain.registry.codes import load_code_tables

from . import layout
from .replay import Written, copy_history, move_history

#: Per street at ``scale`` 1 (the demo's 福明 has 65,548 residents, 26,244 houses, about 20,300
#: cases over 24 months and 7,602 enterprises at its scale 1): 25 streets make the district's
#: ≥ 1.5 M residents, ≥ 600 k houses, ≥ 2 M cases and ≥ 150 k enterprises.
REGISTRY_SCALE = 1.0
CASES_SCALE = 4.05
#: The economy's share is set so that ≥ 150 k enterprises have tax in all 36 months (about 7 in
#: 10 do: the others move in, out or close within them, or pay tax elsewhere): 0.85 gave 163 k
#: enterprises of which 115 k had all 36 months.
ECONOMY_SCALE = 1.2
#: The registry's primary keys of street i start at (i + 1) × this.
PK_STRIDE = 10_000_000
FACILITY_SERIAL_STRIDE = 4_000  # facility object ids: street i's serials start at i × this
LOCK_KEY = 330_212  # the advisory lock the writers of next_pk tables share
PASSWORD = "streetbrain-demo"
BENCH_USERS = (
    # username, display name, like the demo's account, scope
    ("district_leader", "区领导（示例）", "leader", "district"),
    ("street_leader", "街道领导（示例）", "leader", "street"),
    ("grid_worker", "网格员（示例）", "gridworker", "grid"),
)


@dataclass
class Config:
    streets: list[layout.StreetSpec]
    scale: float = 1.0
    processes: int = 2
    histories: int = 2
    verbose: bool = False
    #: Streets sharing a history get it by ``INSERT … SELECT`` from the first one's rows
    #: (``replay.copy_history``) instead of moving the plan and writing it from Python again.
    copy_cases: bool = True
    now: dt.datetime = field(default_factory=timezone.now)

    @property
    def registry_scale(self) -> float:
        return REGISTRY_SCALE * self.scale

    @property
    def cases_scale(self) -> float:
        return CASES_SCALE * self.scale

    @property
    def economy_scale(self) -> float:
        return ECONOMY_SCALE * self.scale


@dataclass
class Say(DemoContext):
    """The demo's context, saying each line as it comes (with the street it is about)."""

    prefix: str = ""
    quiet: bool = False

    def say(self, line: str) -> None:
        super().say(line)
        if not self.quiet:
            print(f"{self.prefix}{line}", flush=True)


class CopyTimer(demo_registry._Timer):
    """The registry loader's writer for the district: ``COPY`` with the street's own primary
    keys, no change log."""

    def __init__(self, ctx, base: int):
        super().__init__(ctx)
        self.base = base
        self.next: dict = {}

    def create(self, model, objs: list, batch_size: int = 1000) -> list:
        first = self.next.get(model, self.base)
        for i, obj in enumerate(objs):
            obj.pk = first + i
        # Foreign keys given as objects before those had their ids (a resident's household):
        # their ids now, as ``bulk_create`` takes them (``_prepare_related_fields_for_save``);
        # without this every resident was written without its household.
        fks = [f for f in model._meta.concrete_fields if f.is_relation and f.many_to_one]
        for obj in objs:
            for f in fks:
                if getattr(obj, f.attname) is None and f.is_cached(obj):
                    related = f.get_cached_value(obj)
                    if related is not None:
                        if related.pk is None:
                            raise ValueError(f"{model.__name__}.{f.name}: not written yet")
                        setattr(obj, f.attname, related.pk)
                        f.set_cached_value(obj, related)
        self.next[model] = first + len(objs)
        insert_objects(model, objs)
        return objs

    def log(self, objs, chunk: int = 5000) -> None:
        return None


class QuietClock(demo_economy._Clock):
    """The economy loader's clock without the change log."""

    def log(self, objs: list, chunk: int = 5000) -> None:
        return None


@contextlib.contextmanager
def writer_lock():
    """One street's writes of ``next_pk`` tables at a time (PostgreSQL; SQLite runs one
    process anyway)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


# --- the district's frame: org tree, departments, accounts, shared tables ----------------------


def load_frame(cfg: Config, ctx: Say) -> dict:
    """Org tree of all streets, the demo's departments and accounts, the three benchmark
    accounts, and the tables every street's loader shares (code tables, resident tags,
    industrial chains, routing rules, the Open311 demo key)."""
    template = build_demo_district()
    city = demo_core._unit(layout.CITY_CODE, layout.CITY_NAME, OrgUnit.Level.CITY, None)
    district = demo_core._unit(
        layout.DISTRICT_CODE, layout.DISTRICT_NAME, OrgUnit.Level.DISTRICT, city
    )
    units = 0
    for spec in cfg.streets:
        units += _street_units(spec, layout.street_district(spec, template), district)
    demo = OrgUnit.objects.get(code=next(s.code for s in cfg.streets if s.is_demo_street))
    demo_core.load_departments(ctx, demo)
    demo_core.load_accounts(ctx, demo)
    _bench_users(ctx, district, demo)
    if not demo_registry.ComponentClass.objects.exists():
        load_code_tables()
    demo_registry._load_tags(demo_registry._Timer(ctx), {})
    demo_economy._write_chains({})
    case_codes.load_time_limits()
    case_codes.load_routing_rules()
    case_codes.load_service_attributes()
    demo_cases._api_key()
    return {"org units": units + 2}


def _new_unit(code, name, level, parent, polygon, order, legacy="") -> OrgUnit:
    """An org unit as ``streetbrain.demo.core._unit`` makes it, for ``bulk_create``: its
    path and depth as ``OrgUnit.save`` sets them."""
    unit = OrgUnit(
        code=code,
        name=name,
        level=level,
        parent=parent,
        legacy_code=legacy,
        illustrative=True,
        sort_order=order,
        geometry=demo_core._geometry(polygon),
        centroid_lon=round(polygon.centroid.x, 7),
        centroid_lat=round(polygon.centroid.y, 7),
        area_m2=round(area_m2(polygon), 1),
    )
    unit.path = parent.path + f"{code}/"
    unit.depth = unit.path.count("/") - 1
    return unit


def _street_units(spec: layout.StreetSpec, d, district: OrgUnit) -> int:
    """One street's org units, a level at a time (a few hundred ``save`` calls, each
    change-logged, took 10 s a street)."""
    legacy = "330204007" if spec.is_demo_street else ""
    street = _new_unit(
        spec.code, spec.name, OrgUnit.Level.STREET, district, d.street.polygon, spec.index, legacy
    )
    OrgUnit.objects.bulk_create([street])
    communities = [
        _new_unit(c.code, c.name, OrgUnit.Level.COMMUNITY, street, c.polygon, i, c.code_2016 or "")
        for i, c in enumerate(d.communities)
    ]
    OrgUnit.objects.bulk_create(communities)
    by_code = {c.code: c for c in communities}
    grids = [
        _new_unit(g.code, g.name, OrgUnit.Level.GRID, by_code[g.community_code], g.polygon, i)
        for i, g in enumerate(d.grids)
    ]
    OrgUnit.objects.bulk_create(grids)
    return 1 + len(communities) + len(grids)


def _bench_users(ctx: Say, district: OrgUnit, street: OrgUnit) -> None:
    scopes = {
        "district": district,
        "street": street,
        "grid": demo_core.SCOPES["gridworker"](street),
    }
    for username, display, like, scope in BENCH_USERS:
        model = User.objects.get(username=like)
        user = User.objects.filter(username=username).first() or User(username=username)
        user.set_password(PASSWORD)
        user.display_name = display
        user.org_unit = scopes[scope]
        user.department = model.department
        user.save()
        user.groups.set(Group.objects.filter(user=model))
        user.user_permissions.set(model.user_permissions.all())
        ctx.say(f"account {username}: like {like}, scope {user.org_unit.name}")


# --- one street -------------------------------------------------------------------------------


def _grid_infos(spec: layout.StreetSpec, template_west: dict[str, bool]) -> list[GridInfo]:
    """The registry planner's grid cells of ``spec``'s street, each as west (older quarters)
    as its cell in the demo's 福明 (the planner tells west from east by longitude)."""
    units = OrgUnit.objects.filter(
        level=OrgUnit.Level.GRID, code__startswith=spec.code, geometry__isnull=False
    ).select_related("parent")
    out = []
    for g in demo_registry.grids_from_db(units):
        suffix = g.code[len(spec.code) :]
        out.append(_WestGrid(*_fields(g), is_west=template_west[suffix]))
    return out


def _fields(g: GridInfo) -> tuple:
    return (g.code, g.community, g.community_code, g.polygon, g.area_m2)


@dataclass(frozen=True)
class _WestGrid(GridInfo):
    is_west: bool = False

    @property
    def west(self) -> bool:  # type: ignore[override]
        return self.is_west


class Worker:
    """One process's streets: plans them and writes them, timing each part."""

    def __init__(self, cfg: Config, number: int):
        self.cfg, self.number = cfg, number
        serials = range(number, 500, max(1, cfg.processes))
        self.population = people.Population(
            dt.date.today(), serials=serials, share=(number, max(1, cfg.processes))
        )
        self.templates: dict[int, tuple] = {}
        self.written: dict[int, Written] = {}
        self.seconds: Counter = Counter()
        self.street_seconds: Counter = Counter()
        template = build_demo_district()
        self.template_west = {
            g.code[len(template.street.code) :]: g.polygon.centroid.x < 121.607
            for g in template.grids
        }
        self.api_key = ApiKey.objects.get(name=demo_cases.DEMO_API_KEY_NAME)

    def part(self, name: str, fn):
        start = time.perf_counter()
        result = fn()
        self.seconds[name] += time.perf_counter() - start
        self.street_seconds[name] += time.perf_counter() - start
        return result

    @contextlib.contextmanager
    def phase(self, name: str):
        """A part of a part (printed per street, summed over the processes at the end)."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] += time.perf_counter() - start
            self.street_seconds[name] += time.perf_counter() - start

    def street(self, spec: layout.StreetSpec) -> None:
        ctx = Say(prefix=f"[{self.number}] {spec.name}: ", quiet=not self.cfg.verbose)
        self.street_seconds = Counter()
        cpu_python, cpu_postgres = time.process_time(), _backend_cpu()
        unit = OrgUnit.objects.get(code=spec.code)
        start = time.perf_counter()
        self.part("registry", lambda: self._registry(ctx, spec, unit))
        world, lk = demo_cases.world_from_db(unit)
        for g in world.grids:
            g.west = self.template_west[g.code[len(spec.code) :]]
        k = spec.index % self.cfg.histories
        if k in self.written and self.cfg.copy_cases and connection.vendor == "postgresql":
            written = self.part("cases copied", lambda: self._copy_cases(k, spec, world, lk))
        else:
            history = self.part("cases planned", lambda: self._history(spec, world))
            written = self.part(
                "cases written", lambda: self._write_cases(k, spec, history, world, lk)
            )
        self.part("economy", lambda: self._economy(ctx, spec, unit))
        self.street_seconds["CPU python"] = time.process_time() - cpu_python
        backend = _backend_cpu()
        if backend is not None and cpu_postgres is not None:
            self.street_seconds["CPU postgres"] = backend - cpu_postgres
        for name in ("CPU python", "CPU postgres"):
            self.seconds[name] += self.street_seconds.get(name, 0.0)
        phases = ", ".join(f"{k} {v:.1f}" for k, v in self.street_seconds.items())
        print(
            f"[{self.number}] {spec.code} {spec.name}: {written} "
            f"({time.perf_counter() - start:.0f} s: {phases})",
            flush=True,
        )

    def _registry(self, ctx, spec, unit) -> None:
        grids = _grid_infos(spec, self.template_west)
        with transaction.atomic():
            demo_registry._load(
                ctx,
                self.cfg.registry_scale,
                street=unit,
                grids=grids,
                seed=REGISTRY_SEED + spec.index,
                timer=CopyTimer(ctx, (spec.index + 1) * PK_STRIDE),
                population=self.population,
                facility_serial_base=spec.index * FACILITY_SERIAL_STRIDE,
                places=spec.is_demo_street,
            )

    def _history(self, spec, world):
        k = spec.index % self.cfg.histories
        if k in self.templates:
            history, old_world, old_spec = self.templates[k]
            move_history(history, old_world, world, old_spec, spec)
        else:
            history = plan_history(
                world, now=self.cfg.now, scale=self.cfg.cases_scale, seed=CASE_SEED + k
            )
            move_history(history, world, world, spec, spec)  # the street's own sensor ids
        self.templates[k] = (history, world, spec)
        return history

    def _copy_cases(self, k: int, spec, world, lk) -> str:
        source = self.written[k]
        with self.phase(" cases: lock wait"):
            lock = writer_lock()
            lock.__enter__()
        try:
            with transaction.atomic():
                self.written[k] = copy_history(source, spec, world, lk)
        finally:
            lock.__exit__(None, None, None)
        return f"{source.cases} cases, {source.reports} reports copied from {source.spec.name}"

    def _write_cases(self, k: int, spec, history, world, lk) -> str:
        with self.phase(" cases: lock wait"):
            lock = writer_lock()
            lock.__enter__()
        try:
            with transaction.atomic():
                with self.phase(" cases: sensors"):
                    sensors = demo_cases._write_sensors(history, lk)
                with self.phase(" cases: cases"):
                    cases = demo_cases._write_cases(history, lk, sensors)
                with self.phase(" cases: reports"):
                    reports = demo_cases._write_reports(history, cases, lk, sensors, self.api_key)
                with self.phase(" cases: events"):
                    first_event = _next_id("cases_caseevent")
                    events = demo_cases._write_events(history, cases, reports, lk)
                    last_event = _next_id("cases_caseevent") - 1
            flat = [r for mine in reports for r in mine]
            self.written[k] = Written(
                spec=spec,
                world=world,
                lk=lk,
                first_case=cases[0].pk if cases else 0,
                cases=len(cases),
                first_report=flat[0].pk if flat else 0,
                reports=len(flat),
                first_event=first_event,
                last_event=last_event,
                events=events,
                sensors=sensors,
            )
        finally:
            lock.__exit__(None, None, None)
        return f"{len(cases)} cases, {sum(len(r) for r in reports)} reports, {events} events"

    def _economy(self, ctx, spec, unit) -> None:
        # Planned outside the lock: each process draws from its own share of the enterprises'
        # credit codes (as of the shops'), so none can take a code the other has planned but
        # not yet written. Written in one transaction; the leases (ids from next_pk) and the
        # timelines after them under the writers' lock, a transaction-level one: held until
        # the commit, so the other process's next_pk sees these leases.
        @contextlib.contextmanager
        def writing():
            with self.phase(" economy: written"), transaction.atomic():
                yield

        @contextlib.contextmanager
        def numbering():
            if connection.vendor == "postgresql":
                with self.phase(" economy: lock wait"), connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            yield

        demo_economy._load(
            ctx,
            QuietClock(ctx),
            self.cfg.economy_scale,
            self.cfg.now.date(),
            street=unit,
            seed=ECONOMY_SEED + spec.index,
            writing=writing,
            numbering=numbering,
            code_share=(self.number, max(1, self.cfg.processes)),
        )


def _backend_cpu() -> float | None:
    """CPU seconds of this connection's PostgreSQL backend so far (a server on this machine:
    ``/proc``; None elsewhere). With the worker's own CPU, what a street costs whatever the
    machine's load: the wall time on a busy machine says more about the others."""
    if connection.vendor != "postgresql":
        return None
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def _next_id(table: str) -> int:
    """The id after the table's last: the rows written next under the writers' lock have ids
    from there on (the sequence may skip some)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {connection.ops.quote_name(table)}")
        return cursor.fetchone()[0]


def _work(cfg: Config, number: int, specs: list, queue) -> None:
    try:
        worker = Worker(cfg, number)
        for spec in specs:
            _profiled(worker, spec)
        queue.put((number, dict(worker.seconds), None))
    except BaseException:
        queue.put((number, {}, traceback.format_exc()))
        raise
    finally:
        connections.close_all()


def _profiled(worker: Worker, spec: layout.StreetSpec) -> None:
    """``worker.street(spec)``, under ``cProfile`` when ``DISTRICT_PROFILE`` names a folder
    (one ``.prof`` file per street: where a street's Python time goes)."""
    folder = os.environ.get("DISTRICT_PROFILE")
    if not folder:
        with collected_after():
            worker.street(spec)
        return
    import cProfile

    with collected_after(), cProfile.Profile() as prof:
        worker.street(spec)
    prof.dump_stats(os.path.join(folder, f"{spec.code}.prof"))


def shares(cfg: Config) -> list[list[layout.StreetSpec]]:
    """The streets of each process: the streets that share a case history stay in one."""
    n = max(1, cfg.processes)
    out: list[list] = [[] for _ in range(n)]
    for spec in cfg.streets:
        out[(spec.index % cfg.histories) % n].append(spec)
    return [s for s in out if s]


def load_streets(cfg: Config) -> Counter:
    """Every street's registry, cases and economy, in ``cfg.processes`` processes (forked;
    inline with one). Returns the seconds per part summed over the processes."""
    groups = shares(cfg)
    total: Counter = Counter()
    if len(groups) == 1:
        worker = Worker(cfg, 0)
        for spec in groups[0]:
            _profiled(worker, spec)
        return worker.seconds
    connections.close_all()
    mp = multiprocessing.get_context("fork")
    queue = mp.Queue()
    procs = [mp.Process(target=_work, args=(cfg, i, g, queue)) for i, g in enumerate(groups)]
    for p in procs:
        p.start()
    errors = []
    for _ in procs:
        number, seconds, error = queue.get()
        total.update(seconds)
        if error:
            errors.append(f"process {number}:\n{error}")
    for p in procs:
        p.join()
        if p.exitcode != 0 and not errors:
            errors.append(f"process {p.pid} exited with {p.exitcode}")
    if errors:
        raise RuntimeError("a street loader failed:\n" + "\n".join(errors))
    return total


# --- secondary indexes and foreign keys: built once after the load ----------------------------

#: The tables of millions of rows: their non-unique indexes and their foreign keys are dropped
#: before the streets are loaded and made again after (PostgreSQL's advice for populating a
#: database: one sort per index instead of millions of insertions into it, one join per foreign
#: key instead of a lookup per row at each commit). Primary keys and unique constraints stay,
#: so every row is still checked for duplicates as it goes in; the foreign keys are checked in
#: bulk when made again (``VALIDATE CONSTRAINT``), so a dangling reference still fails the load.
BIG_TABLES = (
    "cases_case",
    "cases_report",
    "cases_caseevent",
    "registry_house",
    "registry_household",
    "registry_resident",
    "registry_resident_tags",
    "economy_taxrecord",
    "economy_headcountrecord",
    "economy_enterpriseevent",
    "economy_lease",
    "economy_lease_units",
)


@dataclass
class Deferred:
    indexes: list[tuple[str, str]] = field(default_factory=list)  # (table, CREATE INDEX …)
    foreign_keys: list[tuple[str, str, str]] = field(default_factory=list)  # table, name, def


def drop_secondary(tables=BIG_TABLES) -> Deferred:
    """Drop the non-unique indexes and the foreign keys of ``tables`` (PostgreSQL); returns
    what ``rebuild_secondary`` makes again, by the same names and definitions."""
    out = Deferred()
    if connection.vendor != "postgresql":
        return out
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid), i.indexrelid::regclass::text "
            "FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
            "WHERE c.relname = ANY(%s) AND NOT i.indisunique AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
            "ORDER BY c.relname, 3",
            [list(tables)],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT c.relname, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k "
            "JOIN pg_class c ON c.oid = k.conrelid WHERE k.contype = 'f' "
            "AND c.relname = ANY(%s) ORDER BY 1, 2",
            [list(tables)],
        )
        fks = cursor.fetchall()
        q = connection.ops.quote_name
        for table, name, _definition in fks:
            cursor.execute(f"ALTER TABLE {q(table)} DROP CONSTRAINT {q(name)}")
        for _table, _definition, name in indexes:
            cursor.execute(f"DROP INDEX {name}")
    out.indexes = [(t, d) for t, d, _n in indexes]
    out.foreign_keys = fks
    return out


def _in_threads(jobs: list[list[str]], threads: int) -> None:
    """Run each job (a list of statements, in order) on one of ``threads`` connections."""
    import queue as queue_module
    import threading

    if threads <= 1:  # this connection (and its transaction: the tests')
        with connection.cursor() as cursor:
            for job in jobs:
                for sql in job:
                    cursor.execute(sql)
        return
    todo: queue_module.Queue = queue_module.Queue()
    for job in jobs:
        todo.put(job)
    errors: list[BaseException] = []

    def run():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET maintenance_work_mem = '512MB'")
                cursor.execute("SET max_parallel_maintenance_workers = 0")
                while True:
                    try:
                        job = todo.get_nowait()
                    except queue_module.Empty:
                        return
                    for sql in job:
                        cursor.execute(sql)
        except BaseException as exc:  # reported by the caller
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if errors:
        raise errors[0]


def rebuild_secondary(deferred: Deferred, threads: int = 2) -> str:
    """Make ``drop_secondary``'s indexes again (``threads`` at a time, largest tables first)
    and its foreign keys: added ``NOT VALID``, then validated table by table in parallel
    (a validation locks its table against other validations only, not the referenced ones)."""
    if not deferred.indexes and not deferred.foreign_keys:
        return "nothing deferred"
    q = connection.ops.quote_name
    start = time.perf_counter()
    sizes = {}
    with connection.cursor() as cursor:
        for table in {t for t, _d in deferred.indexes}:
            cursor.execute("SELECT pg_relation_size(%s)", [table])
            sizes[table] = cursor.fetchone()[0]
    jobs = [[d] for t, d in sorted(deferred.indexes, key=lambda x: -sizes[x[0]])]
    _in_threads(jobs, threads)
    indexed = time.perf_counter() - start
    with connection.cursor() as cursor:
        for table, name, definition in deferred.foreign_keys:
            cursor.execute(
                f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(name)} {definition} NOT VALID"
            )
    by_table: dict[str, list[str]] = {}
    for table, name, _definition in deferred.foreign_keys:
        by_table.setdefault(table, []).append(
            f"ALTER TABLE {q(table)} VALIDATE CONSTRAINT {q(name)}"
        )
    _in_threads(sorted(by_table.values(), key=len, reverse=True), threads)
    return (
        f"{len(deferred.indexes)} indexes ({indexed:.1f} s), {len(deferred.foreign_keys)} "
        f"foreign keys validated ({time.perf_counter() - start - indexed:.1f} s)"
    )


def finish() -> None:
    """Sequences past the ids given up front, and fresh planner statistics; the cases' table
    vacuumed, so that its visibility map lets the deep pages read the keys from an index
    alone (``core.estimates.read_deferred``; autovacuum's work where it is on)."""
    models = []
    for label in ("registry", "cases", "economy", "core"):
        models.extend(apps.get_app_config(label).get_models())
    reset_sequences(*models)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            if not connection.in_atomic_block:  # (a test's transaction: no VACUUM in one)
                cursor.execute("VACUUM (ANALYZE) cases_case")
            cursor.execute("ANALYZE")


def _figure_parts(cfg: Config) -> list[tuple[str, object]]:
    first = demo_economy.last_complete_month(cfg.now.date())
    for _ in range(demo_economy.HISTORY_MONTHS - 1):
        first = demo_economy.month_start(first - dt.timedelta(days=1))
    return [
        ("economy", lambda: demo_economy.refresh_figures(first, cfg.now.date())),
        ("evaluation", demo_cases.refresh_evaluation),
        ("map densities", lambda: f"{demo_cases.density.refresh():,} squares"),
    ]


def _run_figures(cfg: Config, names: list[str]) -> list[str]:
    out = []
    for name, fn in _figure_parts(cfg):
        if name in names:
            start = time.perf_counter()
            with collected_after():
                result = fn()
            out.append(f"{name} {result} ({time.perf_counter() - start:.1f} s)")
    return out


def _figures(cfg: Config, names: list[str], queue) -> None:
    try:
        queue.put((_run_figures(cfg, names), None))
    except BaseException:
        queue.put(([], traceback.format_exc()))
        raise
    finally:
        connections.close_all()


def refresh_figures(cfg: Config) -> str:
    """The precomputed figures the demo refreshes after its load: the economy's monthly
    figures, the evaluation's, the map's densities (each its own tables): in ``processes``
    processes (the economy's in one, the other two in the other: measured on the district
    after both got faster, economy 194 s ‖ evaluation 169 s + densities 85 s, beside a test
    run; the other pairing left the evaluation's process idle for 110 s)."""
    names = [name for name, _fn in _figure_parts(cfg)]
    groups = [names[:1], names[1:]] if cfg.processes > 1 else [names]
    if len(groups) == 1:
        return ", ".join([*_run_figures(cfg, names), key_figures()])
    connections.close_all()
    mp = multiprocessing.get_context("fork")
    q = mp.Queue()
    procs = [mp.Process(target=_figures, args=(cfg, g, q)) for g in groups]
    for p in procs:
        p.start()
    parts, errors = [], []
    for _ in procs:
        out, error = q.get()
        parts.extend(out)
        if error:
            errors.append(error)
    for p in procs:
        p.join()
    if errors:
        raise RuntimeError("a figure refresh failed:\n" + "\n".join(errors))
    return ", ".join([*parts, key_figures()])


def key_figures() -> str:
    """The org units' key figures (the home page, the unit pages' side-by-side figures, the
    map's area properties): what the 15-minute task ``refresh_key_figures`` keeps, once,
    after the figures they read (the evaluation's, the economy's) are there."""
    import time

    from streetbrain.core.figures import refresh_key_figures

    started = time.perf_counter()
    n = refresh_key_figures()
    if connection.vendor == "postgresql":
        # The figure tables were written after ``finish``'s ANALYZE: without statistics the
        # planner takes a year's 154,774 stat rows for 2 and sorts them on disk (the
        # evaluation by year: 530 ms). Autovacuum would see to it, where it is on (it is
        # off on this machine's cluster).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return f"key figures {n:,} and ANALYZE ({time.perf_counter() - started:.1f} s)"
