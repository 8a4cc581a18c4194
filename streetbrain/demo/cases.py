"""The cases' part of the demo district of 福明街道: the routing rules, two dozen sensors and AI
cameras, the Open311 demo key ``streetbrain-demo-key``, 24 months of case history (about
20,300 cases at full scale, plus the few dozen that give each demo account work today, with
their reports and timelines) and a case classifier trained on that history.

ALL REPORTERS, PHONE NUMBERS AND TEXTS ARE SYNTHETIC (``synth.cases``, ``synth.texts``).

The history is computed without the database (``synth.cases.generator.plan_history``) from
what the database holds (grid cells, registry facilities/shops/buildings, classes and their
立结案标准, routing rules, departments, demo accounts) and written here in bulk: cases (their
primary keys assigned up front so that each gets its number ``YYYYMMDD`` + 7-digit id at
once), then reports (phones protected as usual), then events, each with one prepared INSERT
per chunk (``bulk.insert_rows``). Cases and sensors get one change-log entry each
(``log_bulk``); a case's reports and events are written with it and are not logged one by
one. The classifier trains in a forked process while the history is written; the evaluation
figures and the map's densities are refreshed at the end.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import multiprocessing
import os
import random
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from shapely.geometry import shape

from streetbrain.cases import codes, density, numbers
from streetbrain.cases.intake import classifier, pipeline, refdata
from streetbrain.cases.models import ApiKey, Case, CaseEvent, Report, Sensor, TrainingExample
from streetbrain.core.audit import log_bulk
from streetbrain.core.extension_points import DemoLoader
from streetbrain.core.models import Department, OrgUnit, User
from streetbrain.registry.models import Building, Facility, Place, Shop

from .bulk import adapter, insert_objects, insert_rows, next_pk, reset_sequences
from .context import default_scale
from .synth import texts as synth_texts
from .synth.accounts import ACCOUNTS
from .synth.cases.generator import plan_history
from .synth.cases.plans import History
from .synth.cases.tables import COMPONENT_MATTERS, SEED
from .synth.cases.world import ClassSpec, GridSpec, World

DEMO_API_KEY = "streetbrain-demo-key"  # the documented demo key
DEMO_API_KEY_NAME = "演示客户端"
#: The classifier learns from at most this many of the history's texts (a stratified,
#: seeded sample): training on all ~21,000 takes about 20 s on two cores for about half a
#: point of accuracy (96.4 % on held-out history texts with 6,000).
CLASSIFIER_SAMPLE = 6000
CLASSIFIER_HELD_OUT = 1000
COMMERCIAL_PLACE_WEIGHT = 4  # a mall or market counts as this many shops for busyness


def is_loaded() -> bool:
    return Sensor.objects.filter(device_id="FM-CAM-001").exists()


def load(
    ctx,
    scale: float | None = None,
    now: dt.datetime | None = None,
    *,
    background_training: bool = True,
) -> None:
    """Load the cases' demo data (``ctx``: a ``DemoContext``). ``now`` (default: the
    current time) is where the 24 months end. The classifier trains in a forked process while
    the history is written (``background_training``; inline where forking is not possible)."""
    if is_loaded():
        ctx.say("cases: demo data already loaded")
        return
    if not OrgUnit.objects.filter(level=OrgUnit.Level.GRID, geometry__isnull=False).exists():
        ctx.say("cases: no grid cells with outlines (load the core demo first): skipped")
        return
    scale = default_scale() if scale is None else scale
    now = now or timezone.now()
    clock = _Clock(ctx)
    with transaction.atomic():
        _load(ctx, clock, scale, now, background_training)
    clock.step("evaluation figures", refresh_evaluation)  # while the classifier trains
    clock.step("map densities", lambda: f"{density.refresh():,} squares")
    clock.step("classifier", clock.trainer.finish)
    clock.total()


class _Clock:
    """Wall and CPU seconds per step of the load, said as it goes."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.start, self.cpu = time.perf_counter(), time.process_time()
        self.trainer: _Trainer | None = None

    def step(self, label: str, fn):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        summary = result if isinstance(result, str) else None
        self.ctx.say(
            f"cases: {label}{': ' + summary if summary else ''} "
            f"({time.perf_counter() - wall:.1f} s, CPU {time.process_time() - cpu:.1f} s)"
        )
        return result

    def total(self) -> None:
        self.ctx.say(
            f"cases total {time.perf_counter() - self.start:.1f} s "
            f"(CPU {time.process_time() - self.cpu:.1f} s in this process)"
        )


# --- the world the generator sees -------------------------------------------------------------


def world_from_db(street: OrgUnit | None = None) -> tuple[World, dict]:
    """The generator's ``World`` from the database, and the lookups the loader needs (of one
    ``street``'s grid cells, for a district of several: ``bench/district``)."""
    refdata.invalidate()
    grids = OrgUnit.objects.filter(level=OrgUnit.Level.GRID, geometry__isnull=False)
    if street is not None:
        grids = grids.filter(code__startswith=street.code)
    units = {u.code: u for u in grids.select_related("parent").order_by("code")}
    shops: Counter = Counter()
    shop_anchors: dict[str, list] = {}
    for pk, lon, lat, address, code in Shop.objects.filter(
        status="open", org_unit__code__in=units, lon__isnull=False
    ).values_list("pk", "lon", "lat", "address", "org_unit__code"):
        shops[code] += 1
        shop_anchors.setdefault(code, []).append((pk, lon, lat, address))
    for code in Place.objects.filter(kind="commercial", org_unit__code__in=units).values_list(
        "org_unit__code", flat=True
    ):
        shops[code] += COMMERCIAL_PLACE_WEIGHT
    homes: dict[str, list] = {}
    for pk, lon, lat, address, code in Building.objects.filter(
        kind=Building.Kind.RESIDENTIAL, org_unit__code__in=units, lon__isnull=False
    ).values_list("pk", "lon", "lat", "address", "org_unit__code"):
        homes.setdefault(code, []).append((pk, lon, lat, address))
    facilities: dict[str, dict[str, list]] = {}
    for pk, cls, lon, lat, address, code in Facility.objects.filter(
        component_class__kind="component",
        component_class__code__in=COMPONENT_MATTERS,
        org_unit__code__in=units,
        lon__isnull=False,
    ).values_list("pk", "component_class__code", "lon", "lat", "address", "org_unit__code"):
        facilities.setdefault(code, {}).setdefault(cls, []).append((pk, lon, lat, address))
    grids = []
    for code, unit in units.items():
        polygon = shape(unit.geometry)
        grids.append(
            GridSpec(
                code=code,
                community=unit.parent.code if unit.parent_id else "",
                polygon=polygon,
                area=unit.area_m2 or 1.0,
                shops=float(shops[code]),
                homes=float(len(homes.get(code, []))),
                west=polygon.centroid.x < 121.607,
                facilities=facilities.get(code, {}),
                shop_anchors=sorted(shop_anchors.get(code, [])),
                buildings=sorted(homes.get(code, [])),
            )
        )
    classes, class_objs, standards = {}, {}, {}
    for label, (name, *_rest) in synth_texts.CLASSES.items():
        cls = pipeline.class_for_label(label)
        standard = pipeline.time_limit_for(cls)
        if cls is None or standard is None:
            continue
        class_objs[label] = cls
        standards[label] = standard
        classes[label] = ClassSpec(
            label,
            cls.name or name,
            standard.limit_amount,
            standard.limit_unit,
            standard.duplicate_radius_m,
            standard.duplicate_window_days,
            standard.closing_condition,
        )
    departments = {d.code: d for d in Department.objects.all()}
    area_rules = any(rule.area_id for rule in refdata.get().rules)
    routes: dict = {}

    def route(label: str, grid: str) -> str | None:
        key = (label, grid if area_rules else "")
        if key not in routes:
            found = pipeline.route(class_objs.get(label), units.get(grid))
            routes[key] = found.code if found is not None else None
        return routes[key]

    users = {
        u.username: u
        for u in User.objects.filter(username__in=[a[0] for a in ACCOUNTS]).select_related(
            "org_unit", "department"
        )
    }
    accounts: dict = {}  # the first account of each role acts for it in the history
    for username, _name, role, _dept in ACCOUNTS:
        if role and username in users:
            accounts.setdefault(role, (username, users[username].display_name or username))
    gridworker = users.get("gridworker")
    handler = users.get("handler")
    default_amount, default_unit = pipeline.default_limit()
    world = World(
        grids=grids,
        classes=classes,
        route=route,
        departments={code: d.name for code, d in departments.items()},
        accounts=accounts,
        gridworker_grid=gridworker.org_unit.code if gridworker and gridworker.org_unit else None,
        handler_department=(
            handler.department.code if handler is not None and handler.department else None
        ),
        default_limit=(Decimal(default_amount), default_unit),
    )
    lookups = {
        "units": units,
        "classes": class_objs,
        "standards": standards,
        "departments": departments,
        "users": users,
    }
    return world, lookups


# --- writing the plan -------------------------------------------------------------------------


class _Audit:
    def __init__(self):
        self.seconds = 0.0
        self.entries = 0

    def log(self, objs: list, chunk: int = 5000) -> None:
        start = time.perf_counter()
        for i in range(0, len(objs), chunk):
            self.entries += log_bulk(objs[i : i + chunk], "create")
        self.seconds += time.perf_counter() - start


def _load(ctx, clock: _Clock, scale: float, now: dt.datetime, background: bool) -> None:
    codes.load_time_limits()
    rules = codes.load_routing_rules()
    questions = codes.load_service_attributes()
    world, lk = world_from_db()
    history = clock.step(
        f"history planned (scale {scale:g}, {rules} routing rules and {questions} Open311"
        " service questions created)",
        lambda: plan_history(world, now=now, scale=scale),
    )
    clock.trainer = _Trainer(*training_set(history))
    clock.trainer.start(background)
    audit = _Audit()

    def write():
        sensors = _write_sensors(history, lk)
        api_key = _api_key()
        cases = _write_cases(history, lk, sensors)
        reports = _write_reports(history, cases, lk, sensors, api_key)
        events = _write_events(history, cases, reports, lk)
        examples = _write_corrections(history, cases, reports, lk)
        reset_sequences(Case, Report)
        audit.log(list(sensors.values()))
        audit.log(cases)
        return (
            f"{len(cases)} cases since {history.first_day:%Y-%m-%d}, "
            f"{sum(len(r) for r in reports)} reports, {events} events, {examples} staff "
            f"corrections, {len(sensors)} sensors and AI cameras, Open311 demo key "
            f"{DEMO_API_KEY} ({api_key.name}); change log {audit.entries} entries "
            f"({audit.seconds:.1f} s)"
        )

    clock.step("written", write)
    ctx.say("cases: " + describe(history))


def _write_sensors(history: History, lk: dict) -> dict[str, Sensor]:
    last: dict[str, dt.datetime] = {}
    for case in history.cases:
        for report in case.reports:
            if report.sensor:
                last[report.sensor] = max(
                    last.get(report.sensor, report.received_at), report.received_at
                )
    objs = [
        Sensor(
            device_id=s.device_id,
            name=s.name,
            kind=s.kind,
            component_class=lk["classes"].get(s.label),
            lon=s.lon,
            lat=s.lat,
            org_unit=lk["units"][s.grid],
            last_alarm_at=last.get(s.device_id),
        )
        for s in history.sensors
    ]
    Sensor.objects.bulk_create(objs)
    return {s.device_id: s for s in objs}


def _api_key() -> ApiKey:
    try:
        from streetbrain.cases.channels.open311.keys import create_api_key
    except ImportError:  # pragma: no cover - the Open311 keys module ships with the app
        from streetbrain.core.protected import digest

        key, _made = ApiKey.objects.get_or_create(
            key_digest=digest(DEMO_API_KEY),
            defaults={"name": DEMO_API_KEY_NAME, "key_prefix": DEMO_API_KEY[:8]},
        )
        return key
    key, _plain = create_api_key(DEMO_API_KEY_NAME, key=DEMO_API_KEY)
    return key


def _user_id(lk: dict, username: str | None) -> int | None:
    user = lk["users"].get(username) if username else None
    return user.pk if user is not None else None


def _dept_id(lk: dict, code: str | None) -> int | None:
    dept = lk["departments"].get(code) if code else None
    return dept.pk if dept is not None else None


class _Builder:
    """Model instances from attribute values (``*_id`` for foreign keys), built positionally:
    Django's keyword path sets every field through its descriptor, which cost more than all
    the rest of writing a case. Fields not given get their default."""

    def __init__(self, model):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.names = {f.attname for f in self.fields}
        self.checked = False

    def __call__(self, **values):
        if not self.checked:
            unknown = set(values) - self.names
            if unknown:
                raise TypeError(f"{self.model.__name__} has no field(s) {sorted(unknown)}")
            self.checked = True
        return self.model(
            *[values[f.attname] if f.attname in values else f.get_default() for f in self.fields]
        )


def _write_cases(history: History, lk: dict, sensors: dict) -> list[Case]:
    units, classes, standards = lk["units"], lk["classes"], lk["standards"]
    communities = {u.parent.code: u.parent_id for u in units.values() if u.parent_id}
    first_pk = next_pk(Case)
    make = _Builder(Case)
    grid_field = Case._meta.get_field("org_unit")

    def pk_of(obj):
        return obj.pk if obj is not None else None

    objs = []
    for i, c in enumerate(history.cases):
        pk = first_pk + i
        unit = units[c.grid]
        case = make(
            id=pk,
            number=numbers.number(c.reported_at, pk),
            title=c.title[:200],
            description=c.description,
            state=c.state,
            channel=c.channel,
            component_class_id=pk_of(classes.get(c.label)) if c.label else None,
            class_confidence=c.class_confidence,
            class_source=c.class_source,
            needs_triage=c.needs_triage,
            time_limit_id=pk_of(standards.get(c.standard)) if c.standard else None,
            org_unit_id=unit.pk,
            community_id=communities.get(c.community),
            placed=True,
            lon=c.lon,
            lat=c.lat,
            address=c.address[:200],
            building_id=c.building,
            facility_id=c.facility,
            shop_id=c.shop,
            sensor_id=pk_of(sensors.get(c.sensor)) if c.sensor else None,
            department_id=_dept_id(lk, c.department),
            suggested_department_id=_dept_id(lk, c.suggested_department),
            report_count=c.report_count,
            reported_at=c.reported_at,
            accepted_at=c.accepted_at,
            registered_at=c.registered_at,
            dispatched_at=c.dispatched_at,
            handled_at=c.handled_at,
            closed_at=c.closed_at,
            limit_amount=c.limit_amount,
            limit_unit=c.limit_unit,
            deadline=c.deadline,
            pauses=c.pauses,
            extensions=c.extensions,
            light=c.light,
            warned_at=c.warned_at,
            overdue_flagged_at=c.overdue_flagged_at,
            closed_on_time=c.closed_on_time,
            registered_on_time=c.registered_on_time,
            dispatched_on_time=c.dispatched_on_time,
            rework_count=c.rework_count,
            extension_count=c.extension_count,
            rollback_count=c.rollback_count,
            reopen_count=c.reopen_count,
            pending_request=c.pending_request,
            pending_request_data=c.pending_request_data,
            registered_by_id=_user_id(lk, c.registered_by),
            dispatched_by_id=_user_id(lk, c.dispatched_by),
            closed_by_id=_user_id(lk, c.closed_by),
        )
        grid_field.set_cached_value(case, unit)  # the change log reads its path
        objs.append(case)
    insert_objects(Case, objs)
    return objs


def _write_reports(history, cases: list[Case], lk: dict, sensors: dict, api_key) -> list[list]:
    classes = lk["classes"]
    out: list[list[Report]] = []
    flat: list[Report] = []
    pk = next_pk(Report)
    make = _Builder(Report)
    for plan, case in zip(history.cases, cases, strict=True):
        mine = []
        for r in plan.reports:
            requested = classes.get(r.requested_label) if r.requested_label else None
            sensor = sensors.get(r.sensor) if r.sensor else None
            report = make(
                id=pk,
                case_id=case.pk,
                org_unit_id=case.org_unit_id,
                is_primary=r.is_primary,
                channel=r.channel,
                received_at=r.received_at,
                title=r.title[:200],
                description=r.description,
                requested_class_id=requested.pk if requested is not None else None,
                predicted_label=r.predicted_label,
                predicted_confidence=r.predicted_confidence,
                lon=r.lon,
                lat=r.lat,
                address=r.address[:200],
                reporter_name=r.reporter_name[:60],
                email=r.email,
                device_id=r.device_id,
                account_id=r.account_id,
                external_id=r.external_id,
                user_id=_user_id(lk, r.user),
                api_key_id=api_key.pk if r.api_key else None,
                sensor_id=sensor.pk if sensor is not None else None,
                merge_score=r.merge_score,
            )
            report.phone = r.phone  # encrypted, digested and masked like any report's
            mine.append(report)
            pk += 1
        out.append(mine)
        flat.extend(mine)
    insert_objects(Report, flat)
    return out


EVENT_COLUMNS = [
    "case_id",
    "time",
    "action",
    "from_state",
    "to_state",
    "user_id",
    "actor_name",
    "role",
    "department_id",
    "note",
    "data",
]


def _write_events(history, cases: list[Case], reports: list[list], lk: dict) -> int:
    users = {name: u.pk for name, u in lk["users"].items()}
    departments = {code: d.pk for code, d in lk["departments"].items()}
    when = adapter(CaseEvent._meta.get_field("time"))
    as_json = adapter(CaseEvent._meta.get_field("data"))
    no_data = as_json({})  # most steps carry no data

    def rows():
        for plan, case, mine in zip(history.cases, cases, reports, strict=True):
            pk = case.pk
            for e in plan.events:
                data = e.data
                if "report" in data or "suggested_department" in data:
                    data = dict(data)
                    if "report" in data:
                        data["report"] = mine[data["report"]].pk
                    if "suggested_department" in data:
                        data["suggested_department"] = departments.get(data["suggested_department"])
                yield (
                    pk,
                    when(e.time),
                    str(e.action),  # the plain value of the str enums
                    str(e.from_state),
                    str(e.to_state),
                    users.get(e.user) if e.user else None,
                    e.actor_name[:100],
                    e.role,
                    departments.get(e.department) if e.department else None,
                    e.note,
                    as_json(data) if data else no_data,
                )

    return insert_rows(CaseEvent, EVENT_COLUMNS, rows(), prepared=True)


def _write_corrections(history, cases: list[Case], reports: list[list], lk: dict) -> int:
    """The staff corrections of the classifier (a CLASSIFY event), kept as training data."""
    acceptor = lk["users"].get("acceptor")
    objs = []
    for plan, mine in zip(history.cases, reports, strict=True):
        if plan.correction is None or plan.needs_triage:
            continue
        if not any(e.action == CaseEvent.Action.CLASSIFY for e in plan.events):
            continue
        primary = mine[0]
        objs.append(
            TrainingExample(
                report=primary,
                text=f"{plan.title}\n{plan.description}",
                predicted_label=primary.predicted_label or plan.correction[0],
                label=plan.label,
                user=acceptor,
            )
        )
    TrainingExample.objects.bulk_create(objs, batch_size=2000)
    return len(objs)


# --- reporting, training, figures -------------------------------------------------------------


def describe(history: History) -> str:
    """One line of what the history holds (states, channels, timeliness)."""
    cases = history.cases
    n = max(1, len(cases))
    states = Counter(c.state for c in cases)
    channels = Counter(c.channel for c in cases)
    closed = [c for c in cases if c.state == "closed"]
    late = sum(1 for c in closed if c.closed_on_time is False)
    reworked = sum(1 for c in cases if c.rework_count)
    merged = sum(1 for c in cases if c.report_count > 1)
    open_red = sum(1 for c in cases if c.light == "red" and c.state not in ("closed", "void"))
    return (
        "states "
        + ", ".join(f"{k} {v}" for k, v in states.most_common())
        + "; channels "
        + ", ".join(f"{k} {100 * v / n:.0f}%" for k, v in channels.most_common())
        + f"; closed late {100 * late / max(1, len(closed)):.1f}%, reworked "
        f"{100 * reworked / n:.1f}%, with further reports {merged}, open overdue {open_red}"
    )


def training_set(history: History) -> tuple[list[str], list[str]]:
    """Texts and labels of the history (people's words, not sensor alarms), every report of
    a classified case under the case's class."""
    texts, labels = [], []
    for case in history.cases:
        if not case.label:
            continue
        for report in case.reports:
            if report.channel == "sensor":
                continue
            texts.append(f"{report.title}\n{report.description}")
            labels.append(case.label)
    return texts, labels


def _sample(texts, labels, n: int, seed: int) -> tuple[list[int], list[int]]:
    """Indices of a stratified, seeded sample of ``n`` (round-robin over the labels) and of
    up to ``CLASSIFIER_HELD_OUT`` others to measure it on."""
    rng = random.Random(seed)
    by_label: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        by_label.setdefault(label, []).append(i)
    for idx in by_label.values():
        rng.shuffle(idx)
    chosen: list[int] = []
    queues = [list(v) for _k, v in sorted(by_label.items())]
    while len(chosen) < n and any(queues):
        for q in queues:
            if q and len(chosen) < n:
                chosen.append(q.pop())
    rest = [i for q in queues for i in q]
    rng.shuffle(rest)
    return chosen, rest[:CLASSIFIER_HELD_OUT]


def _train(texts, labels, held_texts, held_labels, path: str) -> dict:
    """Train, save, measure: the classifier's part of the load (also run in a child)."""
    start = time.perf_counter()
    model = classifier.train(texts, labels)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    model.save(target)
    seconds = time.perf_counter() - start
    right = 0
    if held_texts:
        predicted = model.predict_labels(held_texts)
        right = sum(p == t for p, t in zip(predicted, held_labels, strict=True))
    return {"seconds": seconds, "labels": len(model.labels), "right": right}


def _train_child(args, conn) -> None:
    try:
        conn.send(_train(*args))
    except Exception as exc:  # reported to the parent, which trains inline instead
        conn.send({"error": repr(exc)})
    finally:
        conn.close()


class _Trainer:
    """Trains the case classifier on the history's texts: in a forked child while the parent
    writes the history (two cores do twice the work), inline otherwise."""

    def __init__(self, texts: list[str], labels: list[str]):
        self.total = len(texts)
        chosen, held = _sample(texts, labels, CLASSIFIER_SAMPLE, SEED)
        self.args = (
            [texts[i] for i in chosen],
            [labels[i] for i in chosen],
            [texts[i] for i in held],
            [labels[i] for i in held],
            str(settings.CASES_CLASSIFIER_MODEL),
        )
        self.process = self.conn = None
        self.where = "inline"

    def start(self, background: bool) -> None:
        if len(set(self.args[1])) < 2 or not background or (os.cpu_count() or 1) < 2:
            return
        try:
            context = multiprocessing.get_context("fork")
        except ValueError:  # no fork on this platform
            return
        for stream in (sys.stdout, sys.stderr):
            stream.flush()  # or the child would print what is still buffered once more
        self.conn, child = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_train_child, args=(self.args, child), name="case-classifier", daemon=True
        )
        try:
            self.process.start()
        except OSError:
            self.process = None
            return
        child.close()
        self.where = "in a background process"

    def finish(self) -> str:
        if len(set(self.args[1])) < 2:
            return "not trained (too little history)"
        result = None
        if self.process is not None:
            try:
                result = self.conn.recv()
            except EOFError:
                result = None
            self.process.join()
            if result is None or "error" in result:
                self.where = "inline (the background process failed)"
                result = None
        if result is None:
            result = _train(*self.args)
        n, held = len(self.args[0]), len(self.args[2])
        accuracy = ""
        if held:
            accuracy = f", accuracy {100 * result['right'] / held:.1f}% on {held} other texts"
        return (
            f"trained {self.where} on {n} of {self.total} history texts, "
            f"{result['labels']} classes, in {result['seconds']:.1f} s{accuracy}; "
            f"saved to {self.args[4]}"
        )


def refresh_evaluation() -> str:
    """Precompute the evaluation figures (综合评价) when the evaluation module is there."""
    if importlib.util.find_spec("streetbrain.cases.evaluation") is None:
        return "no evaluation module"
    from streetbrain.cases.evaluation import stats

    refresh = getattr(stats, "refresh_all", None)
    if refresh is None:
        return "no evaluation refresh"
    return f"{refresh()} rows"


LOADER = DemoLoader("cases", load, is_loaded, depends_on=("core", "registry"), order=30)
