"""Today's work for the demo accounts: a few dozen cases that reached each open state shortly
before now (in the grid worker's grid, at the handler's department, some red or yellow, one
waiting for an extension, one for a rollback), so that every account has work when it logs
in."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from streetbrain.cases.models import CHANNELS_NEEDING_VERIFICATION, CLOCK_STATES, Channel, State
from streetbrain.cases.workflow import clock

from .life import Life
from .plans import CasePlan
from .tables import CLASS_WEIGHTS


class TodaysWork:
    """The generator's part that makes today's work (a mixin of ``generator._Generator``: it
    reads the generator's world, grids, labels, sensors and tables and makes cases the way
    ``Arrivals`` does)."""

    # -- today's work for the demo accounts --
    def _todays_work(self) -> list[CasePlan]:
        rng = random.Random(f"{self.seed}:today")
        world = self.world
        mine = world.gridworker_grid if world.gridworker_grid in self.grids else None
        handler = world.handler_department
        cg_labels = [
            label
            for label in self.labels
            if world.route(label, self.world.grids[0].code) == handler
        ] or self.labels
        urgent_cg = [
            label for label in cg_labels if world.classes[label].unit in ("hour", "minute")
        ] or cg_labels
        other = [label for label in self.labels if label not in cg_labels] or self.labels
        urgent_other = [
            label for label in other if world.classes[label].unit in ("hour", "minute")
        ] or other
        specs = [
            # (target state, how many, grid, channel, labels, variant, hours ago)
            (State.VERIFYING, 3, mine, None, self.labels, "", (0.3, 3)),
            (State.VERIFYING, 1, mine, Channel.CITIZEN, self.labels, "triage", (0.2, 2)),
            (State.VERIFYING, 2, None, None, self.labels, "", (0.3, 4)),
            (State.VERIFYING, 1, None, Channel.SENSOR, self.labels, "", (0.2, 2)),
            (State.HANDLED, 3, mine, None, self.labels, "", (5, 28)),
            (State.HANDLED, 2, None, None, self.labels, "", (5, 28)),
            (State.REPORTED, 4, None, None, self.labels, "", (0.5, 4)),
            (State.REPORTED, 2, None, Channel.HOTLINE, self.labels, "triage", (0.5, 3)),
            (State.ACCEPTED, 4, None, None, self.labels, "", (1, 5)),
            (State.CHECKED, 4, None, None, self.labels, "", (6, 30)),
            (State.REGISTERED, 4, None, None, self.labels, "", (1.5, 6)),
            (State.DISPATCHED, 4, None, None, cg_labels, "", (2, 8)),
            (State.DISPATCHED, 1, None, None, other, "", (2, 8)),
            (State.HANDLING, 2, None, None, cg_labels, "", (3, 20)),
            (State.HANDLING, 1, None, None, urgent_cg, "red", (6, 10)),
            (State.HANDLING, 1, None, None, urgent_cg, "yellow", (3, 5)),
            (State.HANDLING, 1, None, None, cg_labels, "extension", (20, 50)),
            (State.HANDLING, 1, None, None, cg_labels, "rollback", (3, 8)),
            (State.HANDLING, 1, None, None, urgent_other, "red", (4, 7)),
            (State.SUSPENDED, 2, None, None, cg_labels, "", (72, 240)),
        ]
        out = []
        for target, count, grid_code, channel, labels, variant, (lo, hi) in specs:
            for _ in range(count):
                out.append(self._forced(rng, target, grid_code, channel, labels, variant, lo, hi))
        return out

    def _forced(self, rng, target, grid_code, channel, labels, variant, lo, hi) -> CasePlan:
        world = self.world
        if channel == Channel.SENSOR and self.sensors:
            sensor = rng.choice(self.sensors)
            label, grid = sensor.label, self.grids[sensor.grid]
        else:
            sensor = None
            label = rng.choice(labels)
            if grid_code is None:
                grid = self.grids[self.grid_table(CLASS_WEIGHTS[label][1]).pick(rng)]
            else:
                grid = self.grids[grid_code]
            if channel is None:
                verify_first = target == State.VERIFYING or (
                    grid_code is not None and target != State.VERIFYING
                )
                pool = (
                    [Channel.CITIZEN, Channel.HOTLINE, Channel.OPEN311]
                    if verify_first
                    else [Channel.GRIDWORKER, Channel.HOTLINE, Channel.CITIZEN]
                )
                channel = rng.choice(pool)
        reported_at = (self.now - dt.timedelta(hours=rng.uniform(lo, hi))).replace(microsecond=0)
        code = label.rsplit(":", 1)[-1]
        if sensor is not None:
            lon, lat, address = sensor.lon, sensor.lat, sensor.address
            facility = shop = building = None
            row = self._sensor_text(rng, sensor, reported_at)
            channel = Channel.SENSOR
        else:
            lon, lat, address, facility, shop, building = self._place(rng, grid, code)
            row = self._text(rng, label, channel, address)
        case = CasePlan(
            title=row["title"],
            description=row["description"],
            channel=channel,
            grid=grid.code,
            community=grid.community,
            lon=lon,
            lat=lat,
            reported_at=reported_at,
            address=address,
            facility=facility,
            shop=shop,
            building=building,
            sensor=sensor.device_id if sensor else None,
            forced=str(target),
        )
        primary = self._report(rng, case, channel, row, reported_at, lon, lat, sensor)
        primary.is_primary = True
        case.reports.append(primary)
        if variant == "triage":
            case.label, case.class_source, case.class_confidence = "", "", None
            case.needs_triage = True
            primary.predicted_label = label
            primary.predicted_confidence = round(rng.uniform(0.25, 0.48), 3)
            case.suggested_department = world.route("", grid.code)
        else:
            case.label = label
            case.class_source = (
                "sensor"
                if sensor
                else ("reporter" if channel in (Channel.GRIDWORKER, Channel.CITIZEN) else "model")
            )
            case.class_confidence = (
                1.0 if case.class_source != "model" else round(rng.uniform(0.7, 0.98), 3)
            )
            if case.class_source == "model":
                primary.predicted_label = label
                primary.predicted_confidence = case.class_confidence
            if case.class_source == "reporter":
                primary.requested_label = label
            case.suggested_department = world.route(label, grid.code)
        life = Life(self, case, rng)
        life._limit(case.label)
        life.report(self._report_data(case))
        steps = _forced_steps(case, target, variant, self.fallback)
        if not steps:
            return case
        end = self.now - dt.timedelta(minutes=rng.uniform(3, 12))
        dispatch_at = None
        spec = world.classes.get(label)
        if variant in ("red", "yellow") and spec is not None:
            limit_min = _calendar_minutes(spec.amount, spec.unit)
            share = rng.uniform(1.5, 2.5) if variant == "red" else rng.uniform(0.84, 0.95)
            dispatch_at = self.now - dt.timedelta(minutes=limit_min * share)
            if dispatch_at <= reported_at + dt.timedelta(minutes=30):
                reported_at = dispatch_at - dt.timedelta(minutes=rng.uniform(40, 120))
                case.reported_at = primary.received_at = case.events[0].time = reported_at
        times = _spread(case.reported_at, end, steps, dispatch_at)
        for (step, arg), t in zip(steps, times, strict=True):
            fn = getattr(life, step)
            if arg is None:
                fn(t)
            elif isinstance(arg, tuple):
                fn(t, *arg)
            else:
                fn(t, arg)
        case.events.sort(key=lambda e: e.time)
        if case.state in CLOCK_STATES and case.dispatched_at is not None:
            case.light = clock.compute_light(case, self.now)
        return case


def _forced_steps(
    case: CasePlan, target: str, variant: str, fallback: str | None
) -> list[tuple[str, object]]:
    steps: list[tuple[str, object]] = []
    if target == State.VERIFYING:
        return steps
    if case.channel in CHANNELS_NEEDING_VERIFICATION:
        steps.append(("verify", None))
    if target == State.REPORTED:
        return steps
    steps.append(("accept", None))
    if target == State.ACCEPTED:
        return steps
    steps.append(("register", None))
    if target == State.REGISTERED:
        return steps
    steps.append(("dispatch", case.suggested_department or fallback))
    if target == State.DISPATCHED:
        return steps
    steps.append(("start", None))
    if target == State.HANDLING:
        if variant == "extension":
            amount = Decimal(2) if case.limit_unit != "minute" else Decimal(30)
            steps.append(("request_extension", (amount, case.limit_unit)))
        elif variant == "rollback":
            steps.append(("request_rollback", None))
        return steps
    if target == State.SUSPENDED:
        steps.append(("suspend", None))
        return steps
    steps.append(("complete", None))
    if target == State.HANDLED:
        return steps
    steps.append(("check_pass", None))
    return steps


def _spread(start, end, steps, dispatch_at) -> list[dt.datetime]:
    """Times for ``steps`` between ``start`` and ``end`` (the dispatch at ``dispatch_at``
    if given)."""
    n = len(steps)
    names = [s for s, _a in steps]
    if dispatch_at is None or "dispatch" not in names:
        span = (end - start) / (n + 1)
        return [start + span * (i + 1) for i in range(n)]
    k = names.index("dispatch")
    before = (dispatch_at - start) / (k + 1)
    after = (end - dispatch_at) / (n - k)
    return [start + before * (i + 1) if i < k else dispatch_at + after * (i - k) for i in range(n)]


def _calendar_minutes(amount: Decimal, unit: str) -> float:
    factor = {"minute": 1, "hour": 60, "day": 1440, "work_hour": 60, "work_day": 450}
    return float(amount) * factor.get(unit, 60)
