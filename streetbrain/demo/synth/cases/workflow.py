"""What happens to a case of the history after it arrived: the workflow from verification to
结案 with the delays, mistakes and returns people make; further reports on the same matter
(最多报一次); and the clock task's warnings and overdue flags."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from streetbrain.cases.intake import duplicates
from streetbrain.cases.models import CHANNELS_NEEDING_VERIFICATION, Channel, State
from streetbrain.cases.workflow import clock

from .. import texts as synth_texts
from .life import Life
from .plans import CasePlan, EventPlan
from .tables import A, Table, road_of


class Workflow:
    """The generator's part that lives a history case through (a mixin of
    ``generator._Generator``: it reads the generator's world, calendar, now, points and
    sensors)."""

    # -- the workflow of a history case --
    def _live(self, life: Life) -> None:
        case, rng, world = life.case, life.rng, self.world
        label = case.correction[1] if case.correction else case.label
        life._limit(case.label)
        life.report(self._report_data(case))
        merges = self._plan_merges(rng, case, label)
        life.merges = merges
        if case.channel in CHANNELS_NEEDING_VERIFICATION:
            if case.channel == Channel.SENSOR:
                t = life.t + dt.timedelta(minutes=rng.uniform(8, 50))
            else:
                t = life.office(10, 80)
            false_rate = 0.11 if case.channel == Channel.SENSOR else 0.03
            if rng.random() < false_rate:
                life.verify(t, False)
                return
            life.verify(t)
        t = life.office(3, 35)
        if case.correction:
            life.classify(t, label)
            t = life.t + dt.timedelta(minutes=rng.uniform(1, 6))
        reject_rate = 0.01 if case.channel in (Channel.GRIDWORKER, Channel.SENSOR) else 0.03
        if rng.random() < reject_rate:
            life.reject(t)
            return
        life.accept(t)
        late = rng.random() < 0.05
        life.register(life.office(130, 420) if late else life.office(5, 55))
        if rng.random() < 0.006:
            life.void(life.office(20, 240))
            return
        right = case.suggested_department or world.route(label, case.grid) or self.fallback
        late = rng.random() < 0.04
        t = life.office(65, 260) if late else life.office(3, 50)
        r = rng.random()
        if r < 0.03:  # mis-dispatched: the department sends it back
            wrong = self._wrong_department(rng, right)
            life.dispatch(t, wrong)
            life.request_rollback(life.office(30, 300))
            if rng.random() < 0.12:
                life.deny_rollback(life.office(10, 90))
                right = wrong
            else:
                life.approve_rollback(life.office(10, 90))
                life.dispatch(life.office(5, 45), right)
        elif r < 0.04:  # re-dispatched by the dispatcher
            wrong = self._wrong_department(rng, right)
            life.dispatch(t, wrong)
            life.reroute(life.office(20, 180), right)
        else:
            life.dispatch(t, right)
        life.start(life.office(3, 60))
        if not self._handle(life, late=rng.random() < 0.032):
            return  # voided
        # the check (核查)
        while True:
            t = life.office(20, 200)
            if rng.random() < (0.06 if case.rework_count == 0 else 0.1):
                life.check_fail(t)
                life.complete(self._rework_end(life))
                continue
            public = case.channel in (Channel.CITIZEN, Channel.OPEN311)
            if public and rng.random() < 0.3:
                life.confirm(t)
            else:
                life.check_pass(t)
            break
        life.close(life.office(10, 120))
        if rng.random() < 0.004:  # not fixed after all
            life.reopen(life.t + dt.timedelta(days=rng.uniform(1, 8)))
            life.complete(self._rework_end(life))
            life.check_pass(life.office(20, 200))
            life.close(life.office(10, 120))

    def _handle(self, life: Life, *, late: bool) -> bool:
        """From 处置中 to 处置完成: maybe an extension, a suspension or a void on the way
        (False: voided)."""
        case, rng = life.case, life.rng
        long_limit = case.limit_unit == "work_day"
        r = rng.random()
        ext_rate = 0.1 if long_limit else (0.025 if case.limit_unit == "work_hour" else 0.01)
        if r < 0.006:
            life.void(life.office(30, 600))
            return False
        if rng.random() < ext_rate:
            t = life.finish_at(rng.uniform(0.45, 0.9))
            amount, unit = self._extension(rng, case)
            life.request_extension(t, amount, unit)
            if rng.random() < 0.85:
                life.approve_extension(life.office(15, 120))
            else:
                life.deny_extension(life.office(15, 120))
        if long_limit and rng.random() < 0.05:
            life.suspend(life.finish_at(rng.uniform(0.2, 0.6)))
            days = rng.uniform(2, 20)
            life.resume(self.calendar.add(life.t, days, "work_day"))
        if late:
            fraction = rng.uniform(1.03, 2.6)
        elif rng.random() < 0.72:
            fraction = rng.uniform(0.08, 0.8)
        else:
            fraction = rng.uniform(0.8, 0.99)
        life.complete(life.finish_at(fraction))
        return True

    def _rework_end(self, life: Life) -> dt.datetime:
        """When the rework of a failed check is done: a share of the limit later."""
        case, rng = life.case, life.rng
        share = float(case.limit_amount) * rng.uniform(0.1, 0.45)
        return self.calendar.add(life.t, share, case.limit_unit)

    @staticmethod
    def _extension(rng, case: CasePlan) -> tuple[Decimal, str]:
        unit = case.limit_unit
        if unit == "work_day":
            amount = max(1, round(float(case.limit_amount) * rng.uniform(0.3, 0.8)))
        elif unit == "work_hour":
            amount = rng.choice((2, 4, 8))
        elif unit == "hour":
            amount = rng.choice((1, 2, 4))
        elif unit == "minute":
            amount = rng.choice((30, 60))
        else:
            amount = rng.choice((1, 2))
        return Decimal(amount), unit

    def _wrong_department(self, rng, right: str | None) -> str:
        if right != "cg" and "cg" in self.world.departments:
            pool = ["cg"]
        else:
            pool = [d for d in ("scjg", "zj", "wy", "sw", "ga") if d in self.world.departments]
        pool = [d for d in pool if d != right] or [d for d in self.departments if d != right]
        return rng.choice(pool)

    def _report_data(self, case: CasePlan) -> dict:
        primary = case.reports[0]
        return {
            "report": 0,
            "channel": case.channel,
            "placed": "point",
            "class": case.label,
            "class_source": case.class_source,
            "confidence": case.class_confidence,
            "predicted": primary.predicted_label,
            "suggested_department": case.suggested_department,
        }

    # -- further reports (最多报一次) --
    def _plan_merges(self, rng, case: CasePlan, label: str) -> list[tuple]:
        """(minutes after the report, channel) of further reports on the same matter."""
        out = []
        if case.channel == Channel.SENSOR:
            sensor = case.sensor
            if rng.random() < 0.35:
                for _ in range(rng.randint(1, 4)):
                    out.append((rng.uniform(3, 58), Channel.SENSOR, sensor))
            return out
        if rng.random() < 0.09:
            spec = self.world.classes[label]
            window = spec.window_days * 1440
            for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
                channel = _MERGE_CHANNELS.pick(rng)
                minutes = min(window - 1, rng.expovariate(1 / 600) + 10)
                out.append((minutes, channel, None))
        return sorted(out, key=lambda m: m[0])

    def _apply_merges(self, life: Life) -> None:
        case, rng = life.case, life.rng
        merges = life.merges
        if not merges:
            return
        end = case.closed_at or self.now
        if case.state in (State.REJECTED, State.VOID):
            return
        label = case.label
        if not label:
            return
        spec = self.world.classes[label]
        timeline = [e.time for e in case.events]
        earliest = case.reported_at
        for ev in case.events:
            if ev.action == A.CLASSIFY:
                earliest = ev.time
        text = f"{case.title}\n{case.description}"
        points = self.points[case.grid]
        for minutes, channel, sensor in merges:
            t = (case.reported_at + dt.timedelta(minutes=minutes)).replace(microsecond=0)
            if t <= earliest or t >= end or t in timeline:
                continue
            if sensor is not None:
                row = self._sensor_text(rng, self.sensors_by_id[sensor], t)
                lon, lat, distance, sim = case.lon, case.lat, 0.0, 1.0
            else:
                voice = "hotline" if channel in (Channel.HOTLINE, Channel.PHONE) else "citizen"
                row = None
                for _try in range(3):
                    road = road_of(case.address) or case.address[:6]
                    cand = synth_texts.compose(label, rng, voice=voice, place=(road, case.address))
                    sim = duplicates.similarity(f"{cand['title']}\n{cand['description']}", text)
                    if sim >= 0.15:
                        row = cand
                        break
                if row is None:
                    continue
                lon, lat = points.near(rng, case.lon, case.lat, spec.radius_m * 0.6)
                distance = duplicates.distance_m(lon, lat, case.lon, case.lat)
                if distance > spec.radius_m:
                    lon, lat, distance = case.lon, case.lat, 0.0
            report = self._report(
                rng, case, channel, row, t, lon, lat, self.sensors_by_id.get(sensor or "")
            )
            report.merge_score = round(sim, 3) if sensor is None else 1.0
            if channel != Channel.SENSOR and channel != Channel.GRIDWORKER:
                if rng.random() < 0.4:
                    report.requested_label = label
                else:
                    report.predicted_label = label
                    report.predicted_confidence = round(rng.uniform(0.55, 0.98), 3)
            case.reports.append(report)
            state = _state_at(case.events, t)
            case.events.append(
                EventPlan(
                    t,
                    A.MERGE,
                    state,
                    state,
                    report.user,
                    report.reporter_name or report.device_id or str(Channel(channel).label),
                    "gridworker" if report.user else "",
                    None,
                    "",
                    {
                        "report": len(case.reports) - 1,
                        "channel": channel,
                        "distance_m": round(distance, 1),
                        "similarity": round(sim, 3),
                    },
                )
            )
            timeline.append(t)

    # -- the periodic clock task (flag_deadlines) --
    def _apply_flags(self, life: Life) -> None:
        case, rng = life.case, life.rng
        if case.dispatched_at is None or not life.running or case.limit_amount is None:
            return
        if case.light == "green" and not case.extensions and case.state != State.VOID:
            return  # the used share only grows: it never reached 80 %
        end_now = self.now
        intervals = [(a, b or end_now) for a, b in life.running]
        pauses = [(clock._parse(a), clock._parse(b)) for a, b in case.pauses if b]
        amount, unit = float(case.limit_amount), case.limit_unit
        cal = self.calendar
        ext = [(float(a), u) for a, u in case.extensions]

        def threshold(fraction: float) -> dt.datetime:
            plain = cal.deadline(case.dispatched_at, amount * fraction, unit, pauses, [])
            if ext and life.extension_at is not None and life.extension_at <= plain:
                total = amount + sum(a for a, _u in ext)
                return cal.deadline(case.dispatched_at, total * fraction, unit, pauses, [])
            return plain

        def first_running(t: dt.datetime) -> dt.datetime | None:
            for a, b in intervals:
                if t < b:
                    moment = max(t, a) + dt.timedelta(minutes=rng.uniform(0.5, 10))
                    return moment.replace(microsecond=0) if moment < b else None
            return None

        warn = first_running(threshold(0.8))
        overdue = first_running(threshold(1.0))
        if overdue is not None and warn is not None and warn >= overdue:
            warn = overdue + dt.timedelta(minutes=15)  # the next run warns as well
            if not any(a <= warn < b for a, b in intervals):
                warn = None
        for moment, action in ((warn, A.WARN), (overdue, A.OVERDUE)):
            if moment is None or moment > self.now:
                continue
            state = _state_at(case.events, moment)
            case.events.append(EventPlan(moment, action, state, state))
            if action == A.WARN:
                case.warned_at = moment
            else:
                case.overdue_flagged_at = moment


_MERGE_CHANNELS = Table(
    [
        (Channel.CITIZEN, 40),
        (Channel.HOTLINE, 35),
        (Channel.PHONE, 10),
        (Channel.OPEN311, 10),
        (Channel.GRIDWORKER, 5),
    ]
)


def _state_at(events: list[EventPlan], t: dt.datetime) -> str:
    state = ""
    for ev in events:
        if ev.time > t:
            break
        if ev.action not in (A.MERGE, A.WARN, A.OVERDUE):
            state = ev.to_state
    return state
