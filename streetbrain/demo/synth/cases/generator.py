"""The case history's generator: ``plan_history(world, now=…, scale=…)`` (see the package's
docstring for how a case is made)."""

from __future__ import annotations

import datetime as dt
import random
import re

from django.conf import settings

from streetbrain.cases.models import CLOCK_STATES
from streetbrain.cases.workflow import clock
from streetbrain.core import worktime

from .arrivals import Arrivals
from .life import Cut, Life
from .plans import CasePlan, History, SensorPlan
from .tables import (
    CHANNEL_FACTORS,
    CHANNEL_SHARES,
    CLASS_WEIGHTS,
    GRID_PROFILES,
    HOURS,
    REST_DAY_FACTOR,
    ROADS_EAST,
    ROADS_WEST,
    SEASONS,
    SEED,
    SENSOR_RATE,
    SENSOR_TYPES,
    SH,
    Points,
    Table,
    daily_counts,
    person,
    pick,
    road_of,
)
from .today import TodaysWork
from .workflow import Workflow
from .world import GridSpec, World


class _Generator(Arrivals, Workflow, TodaysWork):
    """The history's generator: its world, calendar, tables and sensors, and the plan day
    by day; a new case arrives (``Arrivals``), lives (``Workflow``), and today's work is
    added (``TodaysWork``)."""

    def __init__(self, world: World, now: dt.datetime, scale: float, seed: int):
        self.world, self.now, self.scale, self.seed = world, now, scale, seed
        self.calendar = worktime.default_calendar()
        self.grids = {g.code: g for g in world.grids}
        self.points = {g.code: Points(g.polygon, f"{seed}:{g.code}") for g in world.grids}
        self.working: dict[int, bool] = {}
        self.intervals = [(a / 60e6, b / 60e6) for a, b in self.calendar.intervals]
        self.labels = [label for label in CLASS_WEIGHTS if label in world.classes]
        self._class_tables: dict = {}
        self._grid_tables: dict = {}
        self._names: dict = {}
        self.channels_work = Table(CHANNEL_SHARES)
        self.channels_rest = Table((c, w * REST_DAY_FACTOR.get(c, 1.0)) for c, w in CHANNEL_SHARES)
        self.hours = {k: Table(enumerate(v)) for k, v in HOURS.items()}
        self.sensors = self._plan_sensors()
        self.sensors_by_id = {s.device_id: s for s in self.sensors}
        self.sensors_by_label: dict[str, list[SensorPlan]] = {}
        for s in self.sensors:
            self.sensors_by_label.setdefault(s.label, []).append(s)
        self.departments = [d for d in world.departments if not d.startswith("sq-")]
        # where the dispatcher sends a case no routing rule covers
        self.fallback = (
            world.handler_department
            if world.handler_department in world.departments
            else (self.departments or sorted(world.departments) or [None])[0]
        )
        self.hotline_seq: dict[dt.date, int] = {}

    def judge(self, what: str, start: dt.datetime, end: dt.datetime) -> bool | None:
        """按时立案 / 按时派遣 as the workflow judges them (``clock.registered_in_time`` /
        ``dispatched_in_time``: not red against ``CASES_REGISTER_LIMIT`` /
        ``CASES_DISPATCH_LIMIT``). For limits in working hours the light's rule, used ≤
        limit, is applied to the working seconds directly (the same arithmetic, a third of
        the time)."""
        if what == "registered":
            amount, unit = settings.CASES_REGISTER_LIMIT
            slow = clock.registered_in_time
        else:
            amount, unit = settings.CASES_DISPATCH_LIMIT
            slow = clock.dispatched_in_time
        if unit == "work_hour":
            return self.calendar.working_seconds_between(start, end) <= float(amount) * 3600
        return slow(start, end)

    def work_add(self, t: dt.datetime, minutes: float) -> dt.datetime:
        """``t`` plus ``minutes`` of working time, as ``calendar.add(t, minutes / 60,
        "work_hour")`` answers (the earliest such instant), walking the working intervals
        of the next days directly: a step of office work takes minutes or hours, and this
        is many times faster than the general arithmetic."""
        local = t.astimezone(SH)
        ordinal = local.toordinal()
        clock = local.hour * 60 + local.minute + (local.second + local.microsecond / 1e6) / 60
        remaining = minutes
        for _day in range(40):
            working = self.working.get(ordinal)
            if working is None:
                working = self.calendar.is_working_day(dt.date.fromordinal(ordinal))
                self.working[ordinal] = working
            if working:
                for start, end in self.intervals:
                    begin = max(start, clock)
                    if begin >= end:
                        continue
                    if remaining <= end - begin:
                        day = dt.date.fromordinal(ordinal)
                        midnight = dt.datetime(day.year, day.month, day.day, tzinfo=SH)
                        return midnight + dt.timedelta(minutes=begin + remaining)
                    remaining -= end - begin
            ordinal += 1
            clock = 0.0
        return self.calendar.add(t, minutes / 60, "work_hour")

    # -- names of the staff without a demo account --
    def gridworker_name(self, grid: str) -> str:
        key = ("grid", grid)
        if key not in self._names:
            self._names[key] = person(random.Random(f"{self.seed}:{grid}"))
        return self._names[key]

    def handler_name(self, department: str | None) -> str:
        key = ("dept", department)
        if key not in self._names:
            name = self.world.departments.get(department or "", "")
            short = re.sub(r"^(福明街道|鄞州区|鄞州|国网宁波|东部新城)", "", name)[:8]
            self._names[key] = f"{short}·{person(random.Random(f'{self.seed}:{department}'))}"
        return self._names[key]

    # -- tables --
    def class_table(self, channel: str, month: int) -> Table:
        key = (channel, month)
        if key not in self._class_tables:
            factors = CHANNEL_FACTORS.get(channel, {})
            pairs = []
            for label in self.labels:
                code = label.rsplit(":", 1)[-1]
                weight = CLASS_WEIGHTS[label][0] * factors.get(code, 1.0)
                weight *= SEASONS.get(code, (1.0,) * 12)[month - 1]
                pairs.append((label, weight))
            self._class_tables[key] = Table(pairs)
        return self._class_tables[key]

    def grid_table(self, profile: str) -> Table:
        if profile not in self._grid_tables:
            grids = self.world.grids
            totals = [sum(getattr(g, k) for g in grids) or 1.0 for k in ("area", "shops", "homes")]
            a, s, h = GRID_PROFILES[profile]
            self._grid_tables[profile] = Table(
                (
                    g.code,
                    a * g.area / totals[0] + s * g.shops / totals[1] + h * g.homes / totals[2],
                )
                for g in grids
            )
        return self._grid_tables[profile]

    def sensor_table(self, month: int) -> Table:
        key = ("sensor", month)
        if key not in self._class_tables:
            self._class_tables[key] = Table(
                (
                    label,
                    CLASS_WEIGHTS[label][0]
                    * SEASONS.get(label[-5:], (1.0,) * 12)[month - 1]
                    * sum(SENSOR_RATE[s.kind] for s in sensors),
                )
                for label, sensors in self.sensors_by_label.items()
            )
        return self._class_tables[key]

    # -- sensors --
    def _plan_sensors(self) -> list[SensorPlan]:
        rng = random.Random(f"{self.seed}:sensors")
        out, used, numbers = [], set(), {}
        for prefix, count, kind, label, pattern, profile in SENSOR_TYPES:
            if label not in self.world.classes:
                continue
            table = self.grid_table(profile)
            for _ in range(count):
                code = table.pick(rng)
                for _retry in range(20):
                    if (code, label) not in used:
                        break
                    code = table.pick(rng)
                used.add((code, label))
                grid = self.grids[code]
                numbers[prefix] = numbers.get(prefix, 0) + 1
                device = f"{prefix}-{numbers[prefix]:03d}"
                anchors = grid.facilities.get(label.rsplit(":", 1)[-1], [])
                if anchors and kind == "manhole_cover":
                    _id, lon, lat, address = rng.choice(anchors)
                    road = road_of(address) or self._road(rng, grid)
                else:
                    lon, lat = self.points[code].random(rng)
                    road = self._road(rng, grid)
                    address = f"{road}{rng.randrange(1, 1200)}号附近"
                name = pattern.format(road=road)
                out.append(SensorPlan(device, name, kind, label, code, lon, lat, address))
        return out

    @staticmethod
    def _road(rng: random.Random, grid: GridSpec) -> str:
        return pick(rng, ROADS_WEST if grid.west else ROADS_EAST)

    # -- the history --
    def plan(self) -> History:
        today = self.now.astimezone(SH).date()
        first, counts = daily_counts(today, self.scale)
        cases: list[CasePlan] = []
        for k, n in enumerate(counts):
            day = first + dt.timedelta(days=k)
            working = self.calendar.is_working_day(day)
            rng = random.Random(self.seed * 1_000_003 + day.toordinal())
            for _ in range(n):
                case = self._new_case(rng, day, working)
                life = Life(self, case, rng)
                try:
                    self._live(life)
                except Cut:
                    life.cut = True
                self._finish(life)
                cases.append(case)
        cases.extend(self._todays_work())
        cases.sort(key=lambda c: (c.reported_at, c.grid, c.title))
        return History(cases, self.sensors, first, self.now)

    def _finish(self, life: Life) -> None:
        case = life.case
        case.events.sort(key=lambda e: e.time)
        if case.state in CLOCK_STATES and case.dispatched_at is not None:
            case.light = clock.compute_light(case, self.now)
        self._apply_merges(life)
        self._apply_flags(life)
        case.events.sort(key=lambda e: e.time)
        if case.label == "":
            case.standard = ""


def plan_history(
    world: World, *, now: dt.datetime, scale: float = 1.0, seed: int = SEED
) -> History:
    """Every case of the demo history up to ``now`` (see the package docstring)."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    return _Generator(world, now.astimezone(SH).replace(microsecond=0), scale, seed).plan()
