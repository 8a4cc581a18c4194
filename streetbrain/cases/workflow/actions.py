"""Every change to a case after its intake goes through here: the workflow transitions
(``perform``) and the staff's corrections. Pages, the REST API, the CLI and tasks call these.

Each transition checks the user's permission and scope, changes the case and writes its
``CaseEvent`` in one transaction. ``TRANSITIONS`` declares them as data (name, permission,
states it starts from, inputs), so the UI can offer exactly the buttons a user may press.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from streetbrain.core.geo_lookup import locate_point
from streetbrain.core.models import Department
from streetbrain.core.scoping import ensure_in_scope

from ..intake import pipeline, store
from ..intake.pipeline import ReportInput
from ..models import (
    CLOCK_STATES,
    OPEN_STATES,
    Case,
    CaseEvent,
    Notification,
    Report,
    State,
    TrainingExample,
)
from ..timeline import add_event, attach
from . import clock
from .notifications import department_users, notify, users_with_role

# -- the workflow ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    name: str
    label: object
    permission: str
    sources: frozenset
    func: Callable
    inputs: tuple[str, ...] = ()  # note, department, component_class, amount, unit, photos, ok
    note_required: bool = False
    style: str = "primary"
    pending: str | None = None  # only when this request is pending ("" = when none is)
    when: Callable[[Case], bool] | None = None  # only for cases it holds for


TRANSITIONS: dict[str, Transition] = {}


def transition(
    name,
    label,
    permission,
    sources,
    *,
    inputs=(),
    note_required=False,
    style="primary",
    pending=None,
    when=None,
):
    def register(func):
        TRANSITIONS[name] = Transition(
            name,
            label,
            permission,
            frozenset(sources),
            func,
            tuple(inputs),
            note_required,
            style,
            pending,
            when,
        )
        return func

    return register


def _load(case_or_pk, user) -> Case:
    pk = case_or_pk.pk if isinstance(case_or_pk, Case) else case_or_pk
    qs = Case.objects.all() if user is None else Case.objects.restrict(user, "view")
    case = (
        qs.select_for_update(of=("self",))
        .select_related("org_unit", "department")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise PermissionDenied(_("This case is outside your area of responsibility."))
    return case


def available(case: Case, user) -> list[Transition]:
    """The transitions ``user`` may apply to ``case`` now (for buttons and the API)."""
    out = []
    for t in TRANSITIONS.values():
        if case.state not in t.sources:
            continue
        if t.pending is not None and case.pending_request != t.pending:
            continue
        if t.when is not None and not t.when(case):
            continue
        if user is not None and not user.has_perm(t.permission):
            continue
        out.append(t)
    return out


def perform(case, name: str, user, *, now: dt.datetime | None = None, **inputs) -> Case:
    """Apply transition ``name`` to ``case`` (a Case or its pk) as ``user`` (None = the system).

    Raises PermissionDenied (role or scope), ValidationError (wrong state or bad input)."""
    t = TRANSITIONS.get(name)
    if t is None:
        raise ValidationError(_("Unknown action."))
    if user is not None and not user.has_perm(t.permission):
        raise PermissionDenied(_("Your role may not do this."))
    note = (inputs.pop("note", None) or "").strip()
    if t.note_required and not note:
        raise ValidationError({"note": _("Give a reason.")})
    now = now or timezone.now()
    with transaction.atomic():
        case = _load(case, user)
        if case.state not in t.sources:
            raise ValidationError(
                _("A case in state “%(state)s” cannot be %(action)s.")
                % {"state": case.get_state_display(), "action": str(t.label).lower()}
            )
        if t.pending is not None and case.pending_request != t.pending:
            raise ValidationError(_("There is no such request pending on this case."))
        if t.when is not None and not t.when(case):
            raise ValidationError(_("This action is not possible in the case's current state."))
        from_state = case.state
        photos = inputs.pop("photos", None)
        result = t.func(case, user, now=now, note=note, **inputs)
        case.save()
        event = add_event(
            case,
            result.get("action", name),
            user=user,
            from_state=from_state,
            note=note,
            now=now,
            data=result.get("data"),
            department=result.get("department"),
        )
        if photos:
            attach(case, photos, event=event)
        for kind, users in result.get("notify", []):
            notify(users, case, kind, now)
    return case


def _restart_clock(case: Case) -> None:
    case.deadline = clock.compute_deadline(case)


# 上报 / 待核实 → 受理 / 不予受理


@transition(
    "verify",
    gettext_lazy("Verified on site"),
    "cases.verify_case",
    {State.VERIFYING},
    inputs=("note", "photos"),
)
def _verify(case, user, *, now, note, **kw):
    case.state = State.REPORTED
    return {"action": CaseEvent.Action.VERIFY, "data": {"true": True}}


@transition(
    "verify_false",
    gettext_lazy("Not true on site"),
    "cases.verify_case",
    {State.VERIFYING},
    inputs=("note", "photos"),
    note_required=True,
    style="danger",
)
def _verify_false(case, user, *, now, note, **kw):
    case.state = State.REJECTED
    case.closed_at = now
    return {"action": CaseEvent.Action.VERIFY, "data": {"true": False}}


@transition(
    "accept",
    gettext_lazy("Accept"),
    "cases.accept_case",
    {State.REPORTED, State.VERIFYING},
    inputs=("note",),
)
def _accept(case, user, *, now, note, **kw):
    case.state = State.ACCEPTED
    case.accepted_at = now
    return {"action": CaseEvent.Action.ACCEPT}


@transition(
    "reject",
    gettext_lazy("Do not accept"),
    "cases.accept_case",
    {State.REPORTED, State.VERIFYING},
    inputs=("note",),
    note_required=True,
    style="danger",
)
def _reject(case, user, *, now, note, **kw):
    case.state = State.REJECTED
    case.closed_at = now
    return {"action": CaseEvent.Action.REJECT}


# 立案


@transition(
    "register",
    gettext_lazy("Register (立案)"),
    "cases.register_case",
    {State.ACCEPTED},
    inputs=("note",),
)
def _register(case, user, *, now, note, **kw):
    if case.component_class_id is None:
        raise ValidationError(_("Classify the case before registering it."))
    if not case.placed:
        raise ValidationError(_("Place the case in a grid cell before registering it."))
    case.state = State.REGISTERED
    case.registered_at = now
    case.registered_on_time = clock.registered_in_time(case.reported_at, now)
    case.registered_by = user if user is not None and user.pk else None
    standard = pipeline.time_limit_for(case.component_class)
    if standard is not None:
        case.time_limit = standard
        case.limit_amount, case.limit_unit = standard.limit_amount, standard.limit_unit
    if case.suggested_department_id is None:
        case.suggested_department = pipeline.route(case.component_class, case.org_unit)
    return {"action": CaseEvent.Action.REGISTER}


# 派遣


def _department(value) -> Department:
    if isinstance(value, Department):
        return value
    if value in (None, ""):
        raise ValidationError({"department": _("Choose the department.")})
    found = None
    if str(value).isdigit():
        found = Department.objects.filter(pk=value, is_active=True).first()
    found = found or Department.objects.filter(code=value, is_active=True).first()
    if found is None:
        raise ValidationError({"department": _("Unknown department.")})
    return found


@transition(
    "dispatch",
    gettext_lazy("Dispatch"),
    "cases.dispatch_case",
    {State.REGISTERED},
    inputs=("department", "note"),
)
def _dispatch(case, user, *, now, note, department=None, **kw):
    dept = _department(department or case.suggested_department)
    case.department = dept
    case.state = State.DISPATCHED
    case.dispatched_at = now
    case.dispatched_by = user if user is not None and user.pk else None
    if case.registered_at is not None and case.dispatched_on_time is None:
        # 按时派遣 judges the first dispatch; a re-dispatch after a rollback keeps it.
        case.dispatched_on_time = clock.dispatched_in_time(case.registered_at, now)
    case.handled_at = None
    _restart_clock(case)
    case.light = clock.compute_light(case, now)
    return {
        "action": CaseEvent.Action.DISPATCH,
        "department": dept,
        "data": {
            "department": dept.code,
            "deadline": case.deadline.isoformat() if case.deadline else None,
        },
        "notify": [(Notification.Kind.DISPATCHED, department_users(dept))],
    }


@transition(
    "reroute",
    gettext_lazy("Re-dispatch"),
    "cases.dispatch_case",
    {State.DISPATCHED, State.HANDLING},
    inputs=("department", "note"),
    note_required=True,
    style="secondary",
)
def _reroute(case, user, *, now, note, department=None, **kw):
    dept = _department(department)
    previous = case.department
    if previous is not None and previous.pk == dept.pk:
        raise ValidationError({"department": _("The case is already with this department.")})
    case.department = dept
    case.state = State.DISPATCHED
    return {
        "action": CaseEvent.Action.REROUTE,
        "department": dept,
        "data": {"from": previous.code if previous else None, "to": dept.code},
        "notify": [(Notification.Kind.DISPATCHED, department_users(dept))],
    }


# 处置


@transition(
    "start",
    gettext_lazy("Start handling"),
    "cases.handle_case",
    {State.DISPATCHED},
    inputs=("note",),
)
def _start(case, user, *, now, note, **kw):
    case.state = State.HANDLING
    return {"action": CaseEvent.Action.START, "department": case.department}


@transition(
    "complete",
    gettext_lazy("Handling completed"),
    "cases.handle_case",
    {State.DISPATCHED, State.HANDLING},
    inputs=("note", "photos"),
    note_required=True,
)
def _complete(case, user, *, now, note, **kw):
    case.state = State.HANDLED
    case.handled_at = now
    case.pending_request = ""
    case.light = clock.compute_light(case, now)
    return {
        "action": CaseEvent.Action.HANDLED,
        "department": case.department,
        "data": {"light": case.light},
    }


@transition(
    "request_extension",
    gettext_lazy("Request an extension"),
    "cases.handle_case",
    {State.DISPATCHED, State.HANDLING},
    inputs=("amount", "unit", "note"),
    note_required=True,
    style="secondary",
    pending="",
)
def _request_extension(case, user, *, now, note, amount=None, unit=None, **kw):
    try:
        value = Decimal(str(amount))
    except Exception:  # any unparsable amount
        raise ValidationError({"amount": _("Enter a number.")}) from None
    if value <= 0:
        raise ValidationError({"amount": _("Enter a positive number.")})
    unit = unit or case.limit_unit
    calendar = {"minute", "hour", "day"}
    if (unit in calendar) != (case.limit_unit in calendar):
        raise ValidationError(
            {"unit": _("An extension must use the same kind of time as the limit.")}
        )
    case.pending_request = "extension"
    case.pending_request_data = {"amount": str(value), "unit": unit}
    return {
        "action": CaseEvent.Action.REQUEST_EXTENSION,
        "department": case.department,
        "data": case.pending_request_data,
        "notify": [(Notification.Kind.REQUEST, users_with_role("shiftlead", case))],
    }


@transition(
    "approve_extension",
    gettext_lazy("Approve the extension"),
    "cases.approve_case",
    {State.DISPATCHED, State.HANDLING},
    inputs=("note",),
    pending="extension",
)
def _approve_extension(case, user, *, now, note, **kw):
    data = case.pending_request_data
    case.extensions = [*case.extensions, [data["amount"], data["unit"]]]
    case.extension_count += 1
    case.pending_request, case.pending_request_data = "", {}
    _restart_clock(case)
    case.light = clock.compute_light(case, now)
    return {"action": CaseEvent.Action.APPROVE_EXTENSION, "data": data}


@transition(
    "deny_extension",
    gettext_lazy("Refuse the extension"),
    "cases.approve_case",
    {State.DISPATCHED, State.HANDLING},
    inputs=("note",),
    note_required=True,
    style="danger",
    pending="extension",
)
def _deny_extension(case, user, *, now, note, **kw):
    data = case.pending_request_data
    case.pending_request, case.pending_request_data = "", {}
    return {"action": CaseEvent.Action.DENY_EXTENSION, "data": data}


@transition(
    "request_rollback",
    gettext_lazy("Not ours: send back"),
    "cases.handle_case",
    {State.DISPATCHED, State.HANDLING},
    inputs=("note",),
    note_required=True,
    style="secondary",
    pending="",
)
def _request_rollback(case, user, *, now, note, **kw):
    case.pending_request = "rollback"
    case.pending_request_data = {"department": case.department.code if case.department else None}
    return {
        "action": CaseEvent.Action.REQUEST_ROLLBACK,
        "department": case.department,
        "notify": [(Notification.Kind.REQUEST, users_with_role("dispatcher", case))],
    }


@transition(
    "approve_rollback",
    gettext_lazy("Approve the rollback"),
    "cases.dispatch_case",
    {State.DISPATCHED, State.HANDLING},
    inputs=("note",),
    pending="rollback",
)
def _approve_rollback(case, user, *, now, note, **kw):
    previous = case.department
    case.state = State.REGISTERED
    case.department = None
    case.dispatched_at = None
    case.deadline = None
    case.light = ""
    case.rollback_count += 1
    case.pending_request, case.pending_request_data = "", {}
    return {
        "action": CaseEvent.Action.APPROVE_ROLLBACK,
        "department": previous,
        "data": {"from": previous.code if previous else None},
    }


@transition(
    "deny_rollback",
    gettext_lazy("Refuse the rollback"),
    "cases.dispatch_case",
    {State.DISPATCHED, State.HANDLING},
    inputs=("note",),
    note_required=True,
    style="danger",
    pending="rollback",
)
def _deny_rollback(case, user, *, now, note, **kw):
    case.pending_request, case.pending_request_data = "", {}
    return {"action": CaseEvent.Action.DENY_ROLLBACK}


# 挂账


@transition(
    "suspend",
    gettext_lazy("Suspend (挂账)"),
    "cases.approve_case",
    {State.DISPATCHED, State.HANDLING},
    inputs=("note",),
    note_required=True,
    style="secondary",
)
def _suspend(case, user, *, now, note, **kw):
    case.state = State.SUSPENDED
    case.pauses = [*case.pauses, [now.isoformat(), None]]
    case.deadline = None
    return {"action": CaseEvent.Action.SUSPEND, "department": case.department}


@transition(
    "resume",
    gettext_lazy("Resume"),
    "cases.approve_case",
    {State.SUSPENDED},
    inputs=("note",),
)
def _resume(case, user, *, now, note, **kw):
    pauses = [list(p) for p in case.pauses]
    if pauses and pauses[-1][1] is None:
        pauses[-1][1] = now.isoformat()
    case.pauses = pauses
    case.state = State.HANDLING
    _restart_clock(case)
    case.light = clock.compute_light(case, now)
    return {"action": CaseEvent.Action.RESUME, "department": case.department}


# 核查 → 结案


@transition(
    "check_pass",
    gettext_lazy("Check passed"),
    "cases.verify_case",
    {State.HANDLED},
    inputs=("note", "photos"),
)
def _check_pass(case, user, *, now, note, **kw):
    case.state = State.CHECKED
    return {"action": CaseEvent.Action.CHECK_PASS}


@transition(
    "check_fail",
    gettext_lazy("Check failed: rework"),
    "cases.verify_case",
    {State.HANDLED, State.CHECKED},
    inputs=("note", "photos"),
    note_required=True,
    style="danger",
)
def _check_fail(case, user, *, now, note, **kw):
    case.state = State.HANDLING
    case.handled_at = None
    case.rework_count += 1
    case.light = clock.compute_light(case, now)
    return {
        "action": CaseEvent.Action.CHECK_FAIL,
        "department": case.department,
        "notify": [(Notification.Kind.REWORK, department_users(case.department))],
    }


@transition(
    "close",
    gettext_lazy("Close (结案)"),
    "cases.register_case",
    {State.CHECKED},
    inputs=("note",),
)
def _close(case, user, *, now, note, **kw):
    case.state = State.CLOSED
    case.closed_at = now
    case.closed_by = user if user is not None and user.pk else None
    if case.handled_at is not None:
        case.light = clock.compute_light(case, case.handled_at)
        case.closed_on_time = case.light != Case.Light.RED
    return {"action": CaseEvent.Action.CLOSE, "data": {"on_time": case.closed_on_time}}


@transition(
    "reopen",
    gettext_lazy("Reopen"),
    "cases.reopen_case",
    {State.CLOSED},
    inputs=("note",),
    note_required=True,
    style="danger",
)
def _reopen(case, user, *, now, note, **kw):
    case.reopen_count += 1
    case.closed_at = None
    case.closed_by = None
    case.closed_on_time = None
    case.handled_at = None
    if case.department_id is not None:
        case.state = State.HANDLING
    else:
        case.state = State.REGISTERED
    case.light = clock.compute_light(case, now)
    return {
        "action": CaseEvent.Action.REOPEN,
        "department": case.department,
        "notify": [(Notification.Kind.REWORK, department_users(case.department))],
    }


@transition(
    "void",
    gettext_lazy("Void (作废)"),
    "cases.register_case",
    {State.ACCEPTED, State.REGISTERED, State.DISPATCHED, State.HANDLING, State.SUSPENDED},
    inputs=("note",),
    note_required=True,
    style="danger",
)
def _void(case, user, *, now, note, **kw):
    pauses = [list(p) for p in case.pauses]
    if pauses and pauses[-1][1] is None:
        pauses[-1][1] = now.isoformat()
    case.pauses = pauses
    case.state = State.VOID
    case.closed_at = now
    return {"action": CaseEvent.Action.VOID}


@transition(
    "note",
    gettext_lazy("Add a note"),
    "cases.view_case",
    set(State.values),
    inputs=("note", "photos"),
    note_required=True,
    style="secondary",
)
def _note(case, user, *, now, note, **kw):
    return {"action": CaseEvent.Action.NOTE}


# Publication in the public Open311 feed (channels/open311/serialize.py): reports of the
# public channels (OPEN311_PUBLIC_CHANNELS) are published anyway; a case that came in through
# staff channels (grid workers, 12345, sensors …) only once the 值班长 publishes it, and then
# without its reports' texts. Withdrawing it takes it out again.
@transition(
    "publish",
    gettext_lazy("Publish in the public feed"),
    "cases.register_case",
    set(State.values),
    inputs=("note",),
    style="secondary",
    when=lambda case: not case.public,
)
def _publish(case, user, *, now, note, **kw):
    case.public = True
    return {"action": CaseEvent.Action.PUBLISH}


@transition(
    "unpublish",
    gettext_lazy("Withdraw from the public feed"),
    "cases.register_case",
    set(State.values),
    inputs=("note",),
    note_required=True,
    style="secondary",
    when=lambda case: case.public,
)
def _unpublish(case, user, *, now, note, **kw):
    case.public = False
    return {"action": CaseEvent.Action.UNPUBLISH}


# -- staff corrections ----------------------------------------------------------------------


def reclassify(case, component_class, user, *, note: str = "", now=None) -> Case:
    """A human sets the class: the correction is kept as training data, the time limit and
    the routing follow the new class."""
    if user is not None and not (
        user.has_perm("cases.accept_case") or user.has_perm("cases.register_case")
    ):
        raise PermissionDenied(_("Your role may not do this."))
    if isinstance(component_class, str):
        component_class = pipeline.class_for_label(component_class)
    if component_class is None:
        raise ValidationError({"component_class": _("Unknown class.")})
    now = now or timezone.now()
    with transaction.atomic():
        case = _load(case, user)
        if case.state not in OPEN_STATES:
            raise ValidationError(_("Only open cases can be reclassified."))
        previous = case.component_class
        primary = case.reports.filter(is_primary=True).first()
        TrainingExample.objects.create(
            report=primary,
            text=f"{case.title}\n{case.description}",
            predicted_label=(primary.predicted_label if primary else "")
            or pipeline.label_of(previous),
            label=pipeline.label_of(component_class),
            user=user if user is not None and user.pk else None,
        )
        case.component_class = component_class
        case.class_source = "staff"
        case.class_confidence = 1.0
        case.needs_triage = False
        standard = pipeline.time_limit_for(component_class)
        case.time_limit = standard
        if case.state not in CLOCK_STATES or case.dispatched_at is None:
            amount, unit = (
                (standard.limit_amount, standard.limit_unit)
                if standard
                else pipeline.default_limit()
            )
            case.limit_amount, case.limit_unit = amount, unit
        grid = case.org_unit if case.placed else None
        case.suggested_department = pipeline.route(component_class, grid)
        case.save()
        add_event(
            case,
            CaseEvent.Action.CLASSIFY,
            user=user,
            from_state=case.state,
            note=note,
            now=now,
            data={"from": pipeline.label_of(previous), "to": pipeline.label_of(component_class)},
        )
    return case


def place_case(case, user, *, lon: float, lat: float, note: str = "", now=None) -> Case:
    """A human places an unplaced (or wrongly placed) case on the map."""
    if user is not None and not (
        user.has_perm("cases.accept_case") or user.has_perm("cases.register_case")
    ):
        raise PermissionDenied(_("Your role may not do this."))
    grid = locate_point(float(lon), float(lat))
    if grid is None:
        raise ValidationError({"location": _("This place lies outside the street's grid cells.")})
    now = now or timezone.now()
    with transaction.atomic():
        case = _load(case, user)
        before = case.org_unit.code
        case.lon, case.lat = float(lon), float(lat)
        case.org_unit, case.community, case.placed = grid, grid.parent, True
        case.suggested_department = pipeline.route(case.component_class, grid)
        case.save()
        # the reports' copy of the case's unit (their scope is the case's; see Report.org_unit)
        Report.objects.filter(case=case).update(org_unit=grid)
        if user is not None:
            ensure_in_scope(case, user, "view")
        add_event(
            case,
            CaseEvent.Action.PLACE,
            user=user,
            from_state=case.state,
            note=note,
            now=now,
            data={"from": before, "to": grid.code},
        )
    return case


def split_report(report: Report, user, *, note: str = "", now=None) -> Case:
    """Undo a wrong merge: the report leaves its case and opens a new one of its own."""
    if user is not None and not (
        user.has_perm("cases.accept_case") or user.has_perm("cases.register_case")
    ):
        raise PermissionDenied(_("Your role may not do this."))
    now = now or timezone.now()
    with transaction.atomic():
        old = _load(report.case_id, user)
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.is_primary:
            raise ValidationError(_("The report that opened the case cannot be split off."))
        data = ReportInput(
            channel=report.channel,
            title=report.title,
            description=report.description,
            lon=report.lon,
            lat=report.lat,
            address=report.address,
            address_id=report.address_id,
            requested_class=report.requested_class,
            user=report.user,
            sensor=report.sensor,
        )
        pipeline.validate(data)
        placement = pipeline.place(data)
        classification = pipeline.classify(data)
        standard = pipeline.time_limit_for(classification.component_class)
        new = store.open_case(data, report.received_at, placement, classification, standard)
        report.case, report.is_primary, report.split_from = new, True, old
        report.org_unit_id = new.org_unit_id
        report.save()
        Case.objects.filter(pk=old.pk).update(report_count=max(1, old.report_count - 1))
        old.report_count = max(1, old.report_count - 1)
        add_event(
            old,
            CaseEvent.Action.SPLIT,
            user=user,
            from_state=old.state,
            note=note,
            now=now,
            data={"report": report.pk, "new_case": new.number},
        )
        add_event(
            new,
            CaseEvent.Action.REPORT,
            user=user,
            note=note,
            now=now,
            data={"report": report.pk, "split_from": old.number},
        )
    return new


def confirm_by_reporter(token, *, satisfied: bool, note: str = "", now=None) -> Case:
    """The reporter (by their report's tracking token) confirms the fix or says it is not
    fixed; either counts as the check (核查) of a handled case."""
    now = now or timezone.now()
    with transaction.atomic():
        report = Report.objects.select_related("case").filter(token=token).first()
        if report is None:
            raise ValidationError(_("Unknown tracking number."))
        case = Case.objects.select_for_update().get(pk=report.case_id)
        if case.state != State.HANDLED:
            raise ValidationError(_("This case is not waiting for your confirmation."))
        from_state = case.state
        if satisfied:
            case.state = State.CHECKED
            action = CaseEvent.Action.CONFIRM
        else:
            case.state = State.HANDLING
            case.handled_at = None
            case.rework_count += 1
            action = CaseEvent.Action.CHECK_FAIL
        case.save()
        add_event(
            case,
            action,
            from_state=from_state,
            note=note[:1000],
            now=now,
            actor_name=report.reporter_name or _("Reporter"),
            data={"report": report.pk, "satisfied": satisfied},
        )
        if not satisfied:
            notify(department_users(case.department), case, Notification.Kind.REWORK, now)
    return case


# -- the clock, periodically ----------------------------------------------------------------


def flag_deadlines(now: dt.datetime | None = None) -> dict:
    """Refresh the light of every running case; warn the shift leaders and the department of
    cases past 80 % of their limit and flag overdue ones, once each."""
    now = now or timezone.now()
    warned = overdue = updated = 0
    running = Case.objects.filter(
        state__in=CLOCK_STATES, dispatched_at__isnull=False
    ).select_related("org_unit", "department")
    for case in running.iterator(chunk_size=500):
        light = clock.compute_light(case, now)
        changes = {}
        if light != case.light:
            changes["light"] = light
        if light == Case.Light.RED and case.overdue_flagged_at is None:
            with transaction.atomic():
                # Overdue says more than "about to expire": no warning after it.
                Case.objects.filter(pk=case.pk).update(
                    overdue_flagged_at=now, warned_at=case.warned_at or now, light=light
                )
                add_event(case, CaseEvent.Action.OVERDUE, from_state=case.state, now=now)
                users = users_with_role("shiftlead", case) + department_users(case.department)
                notify(users, case, Notification.Kind.OVERDUE, now)
            overdue += 1
            continue
        if light in (Case.Light.YELLOW, Case.Light.RED) and case.warned_at is None:
            with transaction.atomic():
                Case.objects.filter(pk=case.pk).update(warned_at=now, light=light)
                add_event(case, CaseEvent.Action.WARN, from_state=case.state, now=now)
                users = users_with_role("shiftlead", case) + department_users(case.department)
                notify(users, case, Notification.Kind.WARN, now)
            warned += 1
            continue
        if changes:
            Case.objects.filter(pk=case.pk).update(**changes)
            updated += 1
    return {"warned": warned, "overdue": overdue, "updated": updated}
