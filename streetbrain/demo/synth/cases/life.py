"""One case's life: the workflow run on a ``CasePlan`` step by step, each step setting what
``workflow/actions.py`` sets (states, timestamps, counters, the clock), acted by the demo
account of its role or by a synthetic name."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from streetbrain.cases.models import CHANNELS_NEEDING_VERIFICATION, Channel, State
from streetbrain.cases.workflow import clock

from .plans import CasePlan, EventPlan
from .tables import CALENDAR_UNITS, MINUTE, NOTES, A, pick


class Cut(Exception):
    """The next step would happen after ``now``: the case stays where it is."""


class Life:
    """Runs the workflow on a ``CasePlan``, step by step, as ``workflow/actions.py`` would.
    ``gen`` is the history's generator (``generator._Generator``): its world, calendar and
    clock arithmetic, and the names of the staff without a demo account."""

    def __init__(self, gen, case: CasePlan, rng: random.Random):
        self.gen, self.case, self.rng = gen, case, rng
        self.t = case.reported_at
        self.running: list[list] = []  # clock intervals since the last dispatch
        self.extension_at: dt.datetime | None = None
        self.merges: list[tuple] = []
        self.light_at: tuple | None = None
        self.cut = False

    # -- time --
    @property
    def urgent(self) -> bool:
        return self.case.limit_unit in CALENDAR_UNITS

    def office(self, lo: float, hi: float) -> dt.datetime:
        """When a step ``lo``–``hi`` minutes of office time later happens (the command
        centre's duty staff act on urgent classes at once, day and night)."""
        minutes = self.rng.uniform(lo, hi)
        if self.urgent:
            return self.t + dt.timedelta(minutes=max(2.0, minutes * 0.35))
        return self.gen.work_add(self.t, minutes)

    def at(self, t: dt.datetime) -> dt.datetime:
        if t <= self.t:
            t = self.t + MINUTE
        t = t.replace(microsecond=0)
        if t > self.gen.now:
            raise Cut
        self.t = t
        return t

    def note(self, key: str) -> str:
        return pick(self.rng, NOTES[key])

    # -- actors --
    def actor(self, role: str) -> tuple[str | None, str]:
        gen, case = self.gen, self.case
        if role == "gridworker":
            if case.grid == gen.world.gridworker_grid and "gridworker" in gen.world.accounts:
                return gen.world.accounts["gridworker"]
            return None, gen.gridworker_name(case.grid)
        if role == "handler":
            if case.department == gen.world.handler_department and "handler" in gen.world.accounts:
                return gen.world.accounts["handler"]
            return None, gen.handler_name(case.department)
        return gen.world.accounts.get(role, (None, ""))

    def event(
        self,
        action: str,
        role: str,
        *,
        to: str | None = None,
        department: str | None = None,
        note: str = "",
        data: dict | None = None,
        actor: tuple[str | None, str] | None = None,
    ) -> EventPlan:
        case = self.case
        before = case.state
        if to is not None:
            case.state = to
        user, name = actor if actor is not None else self.actor(role)
        ev = EventPlan(
            self.t, action, before, case.state, user, name, role, department, note, data or {}
        )
        case.events.append(ev)
        return ev

    # -- the clock (as intake computes it) --
    def _open_interval(self) -> None:
        self.running.append([self.t, None])

    def _close_interval(self) -> None:
        if self.running and self.running[-1][1] is None:
            self.running[-1][1] = self.t

    def _limit(self, label: str) -> None:
        case, spec = self.case, self.gen.world.classes.get(label)
        if spec is not None:
            case.standard = label
            case.limit_amount, case.limit_unit = spec.amount, spec.unit
        else:
            case.standard = ""
            case.limit_amount, case.limit_unit = self.gen.world.default_limit

    # -- the transitions (see workflow/actions.py) --
    def report(self, data: dict) -> None:
        case = self.case
        case.state = (
            State.VERIFYING if case.channel in CHANNELS_NEEDING_VERIFICATION else State.REPORTED
        )
        primary = case.reports[0]
        case.events.append(
            EventPlan(
                case.reported_at,
                A.REPORT,
                "",
                case.state,
                primary.user,
                primary.reporter_name or primary.device_id,
                "gridworker" if case.channel == Channel.GRIDWORKER else "",
                None,
                "",
                data,
            )
        )

    def verify(self, t, true: bool = True) -> None:
        self.at(t)
        if true:
            self.event(
                A.VERIFY,
                "gridworker",
                to=State.REPORTED,
                note=self.note("verify"),
                data={"true": True},
            )
            return
        key = "verify_false_sensor" if self.case.channel == Channel.SENSOR else "verify_false"
        self.event(
            A.VERIFY, "gridworker", to=State.REJECTED, note=self.note(key), data={"true": False}
        )
        self.case.closed_at = self.t

    def classify(self, t, label: str) -> None:
        self.at(t)
        case = self.case
        before = case.label
        case.label, case.class_source, case.class_confidence = label, "staff", 1.0
        case.needs_triage = False
        self._limit(label)
        case.suggested_department = self.gen.world.route(label, case.grid)
        self.event(
            A.CLASSIFY, "acceptor", note=self.note("classify"), data={"from": before, "to": label}
        )

    def accept(self, t) -> None:
        self.at(t)
        self.case.accepted_at = self.t
        self.event(A.ACCEPT, "acceptor", to=State.ACCEPTED, note=self.note("accept"))

    def reject(self, t) -> None:
        self.at(t)
        self.case.closed_at = self.t
        self.event(A.REJECT, "acceptor", to=State.REJECTED, note=self.note("reject"))

    def register(self, t) -> None:
        self.at(t)
        case = self.case
        case.registered_at = self.t
        case.registered_on_time = self.gen.judge("registered", case.reported_at, self.t)
        case.registered_by = self.actor("shiftlead")[0]
        self._limit(case.label)
        if case.suggested_department is None:
            case.suggested_department = self.gen.world.route(case.label, case.grid)
        self.event(A.REGISTER, "shiftlead", to=State.REGISTERED, note=self.note("register"))

    def dispatch(self, t, department: str) -> None:
        self.at(t)
        case = self.case
        case.department = department
        case.dispatched_at = self.t
        case.dispatched_by = self.actor("dispatcher")[0]
        if case.registered_at is not None and case.dispatched_on_time is None:
            # 按时派遣 judges the first dispatch; a re-dispatch after a rollback keeps it
            case.dispatched_on_time = self.gen.judge("dispatched", case.registered_at, self.t)
        case.handled_at = None
        case.deadline = clock.compute_deadline(case)
        case.light = "green"  # compute_light at the clock's start: nothing used yet
        self.running = []
        self._open_interval()
        self.event(
            A.DISPATCH,
            "dispatcher",
            to=State.DISPATCHED,
            department=department,
            note=self.note("dispatch"),
            data={
                "department": department,
                "deadline": case.deadline.isoformat() if case.deadline else None,
            },
        )

    def reroute(self, t, department: str) -> None:
        self.at(t)
        case = self.case
        previous = case.department
        case.department = department
        self.event(
            A.REROUTE,
            "dispatcher",
            to=State.DISPATCHED,
            department=department,
            note=self.note("reroute"),
            data={"from": previous, "to": department},
        )

    def start(self, t) -> None:
        self.at(t)
        self.event(
            A.START,
            "handler",
            to=State.HANDLING,
            department=self.case.department,
            note=self.note("start"),
        )

    def complete(self, t) -> None:
        self.at(t)
        case = self.case
        case.handled_at = self.t
        case.pending_request = ""
        case.light = clock.compute_light(case, self.t)
        # what close() would compute again from the same inputs
        self.light_at = (self.t, len(case.pauses), len(case.extensions))
        self._close_interval()
        spec = self.gen.world.classes.get(case.label)
        note = self.note("handled")
        if spec is not None and spec.closing and self.rng.random() < 0.6:
            note = f"已处置：{spec.closing}"
        self.event(
            A.HANDLED,
            "handler",
            to=State.HANDLED,
            department=case.department,
            note=note,
            data={"light": case.light},
        )

    def request_extension(self, t, amount: Decimal, unit: str) -> None:
        self.at(t)
        case = self.case
        case.pending_request = "extension"
        case.pending_request_data = {"amount": str(amount), "unit": unit}
        self.event(
            A.REQUEST_EXTENSION,
            "handler",
            department=case.department,
            note=self.note("req_ext"),
            data=dict(case.pending_request_data),
        )

    def approve_extension(self, t) -> None:
        self.at(t)
        case = self.case
        data = case.pending_request_data
        case.extensions = [*case.extensions, [data["amount"], data["unit"]]]
        case.extension_count += 1
        case.pending_request, case.pending_request_data = "", {}
        case.deadline = clock.compute_deadline(case)
        case.light = clock.compute_light(case, self.t)
        self.extension_at = self.t
        self.event(A.APPROVE_EXTENSION, "shiftlead", note=self.note("ext_ok"), data=data)

    def deny_extension(self, t) -> None:
        self.at(t)
        case = self.case
        data = case.pending_request_data
        case.pending_request, case.pending_request_data = "", {}
        self.event(A.DENY_EXTENSION, "shiftlead", note=self.note("ext_no"), data=data)

    def request_rollback(self, t) -> None:
        self.at(t)
        case = self.case
        case.pending_request = "rollback"
        case.pending_request_data = {"department": case.department}
        self.event(
            A.REQUEST_ROLLBACK, "handler", department=case.department, note=self.note("req_back")
        )

    def approve_rollback(self, t) -> None:
        self.at(t)
        case = self.case
        previous = case.department
        case.department = None
        case.dispatched_at = None
        case.deadline = None
        case.light = ""
        case.rollback_count += 1
        case.pending_request, case.pending_request_data = "", {}
        self._close_interval()
        self.running = []
        self.event(
            A.APPROVE_ROLLBACK,
            "dispatcher",
            to=State.REGISTERED,
            department=previous,
            note=self.note("back_ok"),
            data={"from": previous},
        )

    def deny_rollback(self, t) -> None:
        self.at(t)
        case = self.case
        case.pending_request, case.pending_request_data = "", {}
        self.event(A.DENY_ROLLBACK, "dispatcher", note=self.note("back_no"))

    def suspend(self, t) -> None:
        self.at(t)
        case = self.case
        case.pauses = [*case.pauses, [self.t.isoformat(), None]]
        case.deadline = None
        self._close_interval()
        self.event(
            A.SUSPEND,
            "shiftlead",
            to=State.SUSPENDED,
            department=case.department,
            note=self.note("suspend"),
        )

    def resume(self, t) -> None:
        self.at(t)
        case = self.case
        pauses = [list(p) for p in case.pauses]
        if pauses and pauses[-1][1] is None:
            pauses[-1][1] = self.t.isoformat()
        case.pauses = pauses
        case.deadline = clock.compute_deadline(case)
        case.light = clock.compute_light(case, self.t)
        self._open_interval()
        self.event(
            A.RESUME,
            "shiftlead",
            to=State.HANDLING,
            department=case.department,
            note=self.note("resume"),
        )

    def check_pass(self, t) -> None:
        self.at(t)
        self.event(A.CHECK_PASS, "gridworker", to=State.CHECKED, note=self.note("check_pass"))

    def confirm(self, t) -> None:
        self.at(t)
        primary = self.case.reports[0]
        self.event(
            A.CONFIRM,
            "",
            to=State.CHECKED,
            note=self.note("confirm"),
            data={"report": 0, "satisfied": True},
            actor=(None, primary.reporter_name or "反映人"),
        )

    def check_fail(self, t) -> None:
        self.at(t)
        case = self.case
        case.handled_at = None
        case.rework_count += 1
        case.light = clock.compute_light(case, self.t)
        self._open_interval()
        self.event(
            A.CHECK_FAIL,
            "gridworker",
            to=State.HANDLING,
            department=case.department,
            note=self.note("check_fail"),
        )

    def close(self, t) -> None:
        self.at(t)
        case = self.case
        case.closed_at = self.t
        case.closed_by = self.actor("shiftlead")[0]
        if case.handled_at is not None:
            if self.light_at != (case.handled_at, len(case.pauses), len(case.extensions)):
                case.light = clock.compute_light(case, case.handled_at)
            case.closed_on_time = case.light != "red"
        self.event(
            A.CLOSE,
            "shiftlead",
            to=State.CLOSED,
            note=self.note("close"),
            data={"on_time": case.closed_on_time},
        )

    def reopen(self, t) -> None:
        self.at(t)
        case = self.case
        case.reopen_count += 1
        case.closed_at = case.closed_by = case.closed_on_time = case.handled_at = None
        case.light = clock.compute_light(case, self.t)
        self._open_interval()
        to = State.HANDLING if case.department else State.REGISTERED
        self.event(A.REOPEN, "leader", to=to, department=case.department, note=self.note("reopen"))

    def void(self, t) -> None:
        self.at(t)
        case = self.case
        pauses = [list(p) for p in case.pauses]
        if pauses and pauses[-1][1] is None:
            pauses[-1][1] = self.t.isoformat()
        case.pauses = pauses
        case.closed_at = self.t
        self._close_interval()
        self.event(A.VOID, "shiftlead", to=State.VOID, note=self.note("void"))

    # -- when handling ends --
    def finish_at(self, fraction: float) -> dt.datetime:
        """The instant at which ``fraction`` of the (extended) limit is used, pauses
        excluded (the engine's own deadline arithmetic)."""
        case = self.case
        total = float(case.limit_amount) + sum(float(a) for a, _u in case.extensions)
        pauses = [(clock._parse(a), clock._parse(b)) for a, b in case.pauses if b]
        return self.gen.calendar.deadline(
            case.dispatched_at, total * fraction, case.limit_unit, pauses, []
        )
