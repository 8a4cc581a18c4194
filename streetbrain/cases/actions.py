"""Every change to a case goes through here: intake (``submit_report``) and the workflow
transitions (``perform``). Pages, the REST API, Open311, MQTT, the CLI and tasks call these.

Each transition checks the user's permission and scope, changes the case and writes its
``CaseEvent`` in one transaction. ``TRANSITIONS`` declares them as data (name, permission,
states it starts from, inputs), so the UI can offer exactly the buttons a user may press.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Case as DbCase
from django.db.models import F, PositiveIntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from streetbrain.core import audit
from streetbrain.core.models import Department, User

from . import intake, numbers
from .intake import ReportInput
from .models import (
    CLOCK_STATES,
    OPEN_STATES,
    Attachment,
    Case,
    CaseEvent,
    Notification,
    Report,
    State,
    TrainingExample,
)

log = logging.getLogger(__name__)

MAX_PHOTO_BYTES = 10 * 1024 * 1024
PHOTO_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif", "image/heic"}


# -- helpers --------------------------------------------------------------------------------


def _role_of(user) -> str:
    if user is None:
        return ""
    from streetbrain.core.roles import ROLES

    names = [g.name for g in user.groups.all()] if user.pk else []
    for name in names:
        if name in ROLES:
            return name
    return "admin" if user.is_superuser else ""


def _event(case: Case, action: str, **kwargs) -> CaseEvent:
    event = _event_row(case, action, **kwargs)
    event.save()
    return event


def _event_row(
    case: Case,
    action: str,
    *,
    user=None,
    from_state: str = "",
    note: str = "",
    now: dt.datetime,
    data: dict | None = None,
    actor_name: str = "",
    department=None,
) -> CaseEvent:
    """An unsaved timeline event (``_event`` saves it; the intake writes them in bulk)."""
    return CaseEvent(
        case=case,
        time=now,
        action=action,
        from_state=from_state,
        to_state=case.state,
        user=user if (user is not None and user.pk) else None,
        actor_name=actor_name or (_display(user) if user is not None else ""),
        role=_role_of(user),
        department=department,
        note=note,
        data=data or {},
    )


def _display(user) -> str:
    if user is None:
        return ""
    return getattr(user, "display_name", "") or user.get_username()


def _attach(case: Case, files, *, event=None, report=None) -> list[Attachment]:
    out = []
    for f in files or []:
        content_type = getattr(f, "content_type", "") or ""
        if content_type not in PHOTO_TYPES:
            raise ValidationError({"photo": _("Only photos (JPEG, PNG, WebP, GIF, HEIC).")})
        if f.size > MAX_PHOTO_BYTES:
            raise ValidationError({"photo": _("A photo may be at most 10 MB.")})
        out.append(
            Attachment.objects.create(
                case=case,
                event=event,
                report=report,
                file=f,
                content_type=content_type,
                size=f.size,
            )
        )
    return out


def _number(case: Case) -> str:
    return numbers.number(case.reported_at, case.pk)


def _notify(users, case: Case, kind: str, now: dt.datetime) -> int:
    rows = [Notification(user=u, case=case, kind=kind, created_at=now) for u in users]
    Notification.objects.bulk_create(rows)
    return len(rows)


def _users_with_role(role: str, case: Case):
    """Active users of ``role`` whose unit contains the case's grid."""
    path = case.org_unit.path
    return [
        u
        for u in User.objects.filter(groups__name=role, is_active=True).select_related("org_unit")
        if u.org_unit is not None and path.startswith(u.org_unit.path)
    ]


def _department_users(department):
    if department is None:
        return []
    return list(User.objects.filter(department=department, is_active=True))


# -- intake ---------------------------------------------------------------------------------


@dataclass
class IntakeResult:
    report: Report
    case: Case
    created: bool  # a new report was stored (False: the idempotency key was seen before)
    new_case: bool  # the report opened a new case (False: merged into an open one)
    duplicate: intake.DuplicateMatch | None = None
    classification: intake.Classification | None = None


def _replay(idempotency_key: str) -> IntakeResult | None:
    """The answer to a report sent before with this idempotency key, if it was stored."""
    existing = Report.objects.select_related("case").filter(idempotency_key=idempotency_key).first()
    return IntakeResult(existing, existing.case, False, False) if existing else None


def submit_report(data: ReportInput) -> IntakeResult:
    """Run the intake pipeline for one report and store it: a new case, or a further report
    on an open duplicate. Raises ``ValidationError`` (nothing stored) for bad input."""
    if data.idempotency_key:
        replayed = _replay(data.idempotency_key)
        if replayed is not None:
            return replayed
    intake.validate(data)
    now = data.received_at or timezone.now()
    placement = intake.place(data)
    try:
        return store_reports([(data, placement, now)])[0]
    except IntegrityError:
        # Two requests with the same idempotency key raced: the other one stored it.
        if data.idempotency_key:
            replayed = _replay(data.idempotency_key)
            if replayed is not None:
                return replayed
        raise


# One key for PostgreSQL's advisory lock that serialises the duplicate search and the writes
# of concurrent intakes, so two reports of one incident arriving together make one case.
INTAKE_LOCK_KEY = 0x5B_1A7A_4E


def _lock_intake() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [INTAKE_LOCK_KEY])


def store_reports(items) -> list[IntakeResult]:
    """The rest of the pipeline for reports already validated and placed, in one transaction:
    ``items`` are ``(ReportInput, Placement, received_at)`` in order of arrival. Each is
    classified, compared with the open cases *and* with the cases opened earlier in the same
    batch (so two reports of one incident in one batch make one case), routed and given its
    time limit; then cases, reports, timeline events and change-log entries are written in
    bulk. One report is a batch of one: every channel takes this path."""
    classifications = intake.classify_many([data for data, _placement, _now in items])
    with transaction.atomic():
        _lock_intake()
        fresh: list[Case] = []
        fresh_ids: set[int] = set()  # id() of the cases opened in this batch
        plan = []
        standards = [intake.time_limit_for(c.component_class) for c in classifications]
        nearby = intake.duplicate_candidates_many(
            [
                (i, data, classification.component_class, standard, now)
                for i, ((data, _placement, now), classification, standard) in enumerate(
                    zip(items, classifications, standards, strict=True)
                )
            ]
        )
        for i, ((data, placement, now), classification) in enumerate(
            zip(items, classifications, strict=True)
        ):
            standard = standards[i]
            duplicate = intake.find_duplicate(
                data,
                classification.component_class,
                standard,
                now,
                opened=fresh,
                candidates=nearby.get(i) if data.sensor is None else None,
            )
            if duplicate is None:
                case = _new_case(data, now, placement, classification, standard)
                fresh.append(case)
                fresh_ids.add(id(case))
            else:
                case = duplicate.case
                if id(case) in fresh_ids:
                    case.report_count += 1
            plan.append((data, placement, now, classification, duplicate, case))
        if fresh:
            Case.objects.bulk_create(fresh)
            for case in fresh:
                case.number = _number(case)
            Case.objects.bulk_update(fresh, ["number"])
        # Further reports on cases opened before this batch: count them in the database (the
        # increment is atomic), then read those cases back for the answers and events.
        merged = Counter(
            case.pk for *_rest, duplicate, case in plan if duplicate and id(case) not in fresh_ids
        )
        if merged:  # one statement for the batch: report_count + n, n per case
            Case.objects.filter(pk__in=list(merged)).update(
                report_count=F("report_count")
                + DbCase(
                    *(When(pk=pk, then=Value(n)) for pk, n in merged.items()),
                    output_field=PositiveIntegerField(),
                )
            )
        current = Case.objects.in_bulk(list(merged)) if merged else {}
        reports, events, results = [], [], []
        for data, _placement, now, classification, duplicate, case in plan:
            if id(case) not in fresh_ids:
                case = current[case.pk]
            report = _report(data, case, now, classification, duplicate, primary=not duplicate)
            reports.append(report)
            results.append(
                IntakeResult(report, case, True, duplicate is None, duplicate, classification)
            )
        Report.objects.bulk_create(reports)
        for (data, placement, now, classification, duplicate, _case), result in zip(
            plan, results, strict=True
        ):
            events.append(_intake_event(data, placement, now, classification, duplicate, result))
        CaseEvent.objects.bulk_create(events)
        _log_intake(plan, results)
        sensors: dict = {}
        for (data, *_rest), result in zip(plan, results, strict=True):
            if data.photos:
                _attach(result.case, data.photos, report=result.report)
            if data.sensor is not None:
                sensors[data.sensor.pk] = (type(data.sensor), result.report.received_at)
        for pk, (model, when) in sensors.items():
            model.objects.filter(pk=pk).update(last_alarm_at=when)
    return results


def _log_intake(plan, results) -> None:
    """Change-log entries for the cases opened and the reports stored, in the audit context
    of the request that accepted each report (a queued report is written by a background
    batch, but its entries name the client who sent it)."""
    groups: dict = {}
    for (data, *_rest, duplicate, _case), result in zip(plan, results, strict=True):
        context = tuple(sorted(data.audit.items()))
        user = data.user if (data.user is not None and data.user.pk) else None
        cases, reports = groups.setdefault((context, user.pk if user else None), ([], [], user))[:2]
        if duplicate is None:
            cases.append(result.case)
        reports.append(result.report)
    for (context, _user_pk), (cases, reports, user) in groups.items():
        extra = dict(context)
        if context and user is not None:
            extra["user"] = user
        with audit.audit_context(**extra) if extra else contextlib.nullcontext():
            audit.log_bulk(cases, "create")
            audit.log_bulk(reports, "create")


def _intake_event(data, placement, now, classification, duplicate, result) -> CaseEvent:
    case, report = result.case, result.report
    if duplicate is not None:
        return _event_row(
            case,
            CaseEvent.Action.MERGE,
            user=data.user,
            from_state=case.state,
            now=now,
            actor_name=(data.reporter_name or _display(data.user) or _channel_label(data.channel)),
            data={
                "report": report.pk,
                "channel": data.channel,
                "distance_m": round(duplicate.distance_m, 1),
                "similarity": round(duplicate.similarity, 3),
            },
        )
    return _event_row(
        case,
        CaseEvent.Action.REPORT,
        user=data.user,
        now=now,
        actor_name=data.reporter_name or _display(data.user),
        data={
            "report": report.pk,
            "channel": data.channel,
            "placed": placement.how,
            "class": intake.label_of(classification.component_class),
            "class_source": classification.source,
            "confidence": classification.confidence,
            "predicted": classification.predicted_label,
            "suggested_department": case.suggested_department_id,
        },
    )


def _channel_label(channel: str) -> str:
    from .models import Channel

    return str(Channel(channel).label)


def _new_case(data, now, placement, classification, standard) -> Case:
    """An unsaved case for a report that repeats no open case (its number is set once it has
    its primary key)."""
    from .models import CHANNELS_NEEDING_VERIFICATION

    grid = placement.grid
    unit = grid or intake.street_unit()
    amount, unit_name = (
        (standard.limit_amount, standard.limit_unit) if standard else intake.default_limit()
    )
    # Public, hotline and sensor reports are verified on site first (待核实).
    state = State.VERIFYING if data.channel in CHANNELS_NEEDING_VERIFICATION else State.REPORTED
    title = data.title or (data.description[:40] + ("…" if len(data.description) > 40 else ""))
    return Case(
        number=f"tmp-{uuid.uuid4().hex[:16]}",
        title=title,
        description=data.description,
        state=state,
        channel=data.channel,
        component_class=classification.component_class,
        class_confidence=classification.confidence,
        class_source=classification.source,
        needs_triage=classification.component_class is None,
        time_limit=standard,
        org_unit=unit,
        community=(grid.parent if grid is not None else None),
        placed=grid is not None,
        lon=placement.lon,
        lat=placement.lat,
        address=data.address,
        building=placement.building,
        facility=data.facility,
        shop=data.shop,
        sensor=data.sensor,
        suggested_department=intake.route(classification.component_class, grid),
        reported_at=now,
        limit_amount=amount,
        limit_unit=unit_name,
    )


def _open_case(data, now, placement, classification, standard) -> Case:
    case = _new_case(data, now, placement, classification, standard)
    case.save()
    case.number = _number(case)
    Case.objects.filter(pk=case.pk).update(number=case.number)
    return case


def _store_report(data, case, now, classification, duplicate, *, primary=False) -> Report:
    report = _report(data, case, now, classification, duplicate, primary=primary)
    report.save()
    return report


def _report(data, case, now, classification, duplicate, *, primary=False) -> Report:
    """An unsaved report of ``case`` from ``data``."""
    report = Report(
        case=case,
        is_primary=primary,
        channel=data.channel,
        idempotency_key=data.idempotency_key or None,
        received_at=now,
        title=data.title,
        description=data.description,
        requested_class=data.requested_class
        if not isinstance(data.requested_class, str)
        else intake.class_for_label(data.requested_class),
        predicted_label=classification.predicted_label,
        predicted_confidence=classification.predicted_confidence,
        explanation=classification.explanation,
        lon=data.lon,
        lat=data.lat,
        address=data.address,
        address_id=data.address_id,
        attributes=data.attributes or {},
        media_url=data.media_url,
        reporter_name=data.reporter_name[:60],
        email=data.email,
        device_id=data.device_id,
        account_id=data.account_id,
        external_id=data.external_id,
        user=data.user if (data.user is not None and data.user.pk) else None,
        api_key=data.api_key,
        sensor=data.sensor,
        merge_score=duplicate.similarity if duplicate else None,
    )
    if data.token is not None:
        report.token = data.token
    if data.phone_protected is not None:  # already encrypted when it was accepted
        report.phone_cipher, report.phone_digest, report.phone_masked = data.phone_protected
    else:
        report.phone = data.phone
    return report


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
        from_state = case.state
        photos = inputs.pop("photos", None)
        result = t.func(case, user, now=now, note=note, **inputs)
        case.save()
        event = _event(
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
            _attach(case, photos, event=event)
        for kind, users in result.get("notify", []):
            _notify(users, case, kind, now)
    return case


def _restart_clock(case: Case) -> None:
    case.deadline = intake.compute_deadline(case)


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
    from .evaluation.stats import registered_in_time

    case.state = State.REGISTERED
    case.registered_at = now
    case.registered_on_time = registered_in_time(case.reported_at, now)
    case.registered_by = user if user is not None and user.pk else None
    standard = intake.time_limit_for(case.component_class)
    if standard is not None:
        case.time_limit = standard
        case.limit_amount, case.limit_unit = standard.limit_amount, standard.limit_unit
    if case.suggested_department_id is None:
        case.suggested_department = intake.route(case.component_class, case.org_unit)
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
        from .evaluation.stats import dispatched_in_time

        case.dispatched_on_time = dispatched_in_time(case.registered_at, now)
    case.handled_at = None
    _restart_clock(case)
    case.light = intake.compute_light(case, now)
    return {
        "action": CaseEvent.Action.DISPATCH,
        "department": dept,
        "data": {
            "department": dept.code,
            "deadline": case.deadline.isoformat() if case.deadline else None,
        },
        "notify": [(Notification.Kind.DISPATCHED, _department_users(dept))],
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
        "notify": [(Notification.Kind.DISPATCHED, _department_users(dept))],
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
    case.light = intake.compute_light(case, now)
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
        "notify": [(Notification.Kind.REQUEST, _users_with_role("shiftlead", case))],
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
    case.light = intake.compute_light(case, now)
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
        "notify": [(Notification.Kind.REQUEST, _users_with_role("dispatcher", case))],
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
    case.light = intake.compute_light(case, now)
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
    case.light = intake.compute_light(case, now)
    return {
        "action": CaseEvent.Action.CHECK_FAIL,
        "department": case.department,
        "notify": [(Notification.Kind.REWORK, _department_users(case.department))],
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
        case.light = intake.compute_light(case, case.handled_at)
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
    case.light = intake.compute_light(case, now)
    return {
        "action": CaseEvent.Action.REOPEN,
        "department": case.department,
        "notify": [(Notification.Kind.REWORK, _department_users(case.department))],
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


# -- staff corrections ----------------------------------------------------------------------


def reclassify(case, component_class, user, *, note: str = "", now=None) -> Case:
    """A human sets the class: the correction is kept as training data, the time limit and
    the routing follow the new class."""
    if user is not None and not (
        user.has_perm("cases.accept_case") or user.has_perm("cases.register_case")
    ):
        raise PermissionDenied(_("Your role may not do this."))
    if isinstance(component_class, str):
        component_class = intake.class_for_label(component_class)
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
            or intake.label_of(previous),
            label=intake.label_of(component_class),
            user=user if user is not None and user.pk else None,
        )
        case.component_class = component_class
        case.class_source = "staff"
        case.class_confidence = 1.0
        case.needs_triage = False
        standard = intake.time_limit_for(component_class)
        case.time_limit = standard
        if case.state not in CLOCK_STATES or case.dispatched_at is None:
            amount, unit = (
                (standard.limit_amount, standard.limit_unit) if standard else intake.default_limit()
            )
            case.limit_amount, case.limit_unit = amount, unit
        grid = case.org_unit if case.placed else None
        case.suggested_department = intake.route(component_class, grid)
        case.save()
        _event(
            case,
            CaseEvent.Action.CLASSIFY,
            user=user,
            from_state=case.state,
            note=note,
            now=now,
            data={"from": intake.label_of(previous), "to": intake.label_of(component_class)},
        )
    return case


def place_case(case, user, *, lon: float, lat: float, note: str = "", now=None) -> Case:
    """A human places an unplaced (or wrongly placed) case on the map."""
    from streetbrain.core.geo_lookup import locate_point

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
        case.suggested_department = intake.route(case.component_class, grid)
        case.save()
        if user is not None:
            from streetbrain.core.scoping import ensure_in_scope

            ensure_in_scope(case, user, "view")
        _event(
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
        intake.validate(data)
        placement = intake.place(data)
        classification = intake.classify(data)
        standard = intake.time_limit_for(classification.component_class)
        new = _open_case(data, report.received_at, placement, classification, standard)
        report.case, report.is_primary, report.split_from = new, True, old
        report.save()
        Case.objects.filter(pk=old.pk).update(report_count=max(1, old.report_count - 1))
        old.report_count = max(1, old.report_count - 1)
        _event(
            old,
            CaseEvent.Action.SPLIT,
            user=user,
            from_state=old.state,
            note=note,
            now=now,
            data={"report": report.pk, "new_case": new.number},
        )
        _event(
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
        _event(
            case,
            action,
            from_state=from_state,
            note=note[:1000],
            now=now,
            actor_name=report.reporter_name or _("Reporter"),
            data={"report": report.pk, "satisfied": satisfied},
        )
        if not satisfied:
            _notify(_department_users(case.department), case, Notification.Kind.REWORK, now)
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
        light = intake.compute_light(case, now)
        changes = {}
        if light != case.light:
            changes["light"] = light
        if light == Case.Light.RED and case.overdue_flagged_at is None:
            with transaction.atomic():
                # Overdue says more than "about to expire": no warning after it.
                Case.objects.filter(pk=case.pk).update(
                    overdue_flagged_at=now, warned_at=case.warned_at or now, light=light
                )
                _event(case, CaseEvent.Action.OVERDUE, from_state=case.state, now=now)
                users = _users_with_role("shiftlead", case) + _department_users(case.department)
                _notify(users, case, Notification.Kind.OVERDUE, now)
            overdue += 1
            continue
        if light in (Case.Light.YELLOW, Case.Light.RED) and case.warned_at is None:
            with transaction.atomic():
                Case.objects.filter(pk=case.pk).update(warned_at=now, light=light)
                _event(case, CaseEvent.Action.WARN, from_state=case.state, now=now)
                users = _users_with_role("shiftlead", case) + _department_users(case.department)
                _notify(users, case, Notification.Kind.WARN, now)
            warned += 1
            continue
        if changes:
            Case.objects.filter(pk=case.pk).update(**changes)
            updated += 1
    return {"warned": warned, "overdue": overdue, "updated": updated}


@dataclass
class ClockView:
    """What a page shows about a case's clock."""

    deadline: dt.datetime | None
    light: str
    used: float | None
    running: bool
    suspended: bool
    extensions: list = field(default_factory=list)


def clock_of(case: Case, now: dt.datetime | None = None) -> ClockView:
    return ClockView(
        deadline=case.deadline,
        light=intake.compute_light(case, now) if case.dispatched_at else "",
        used=intake.used_fraction(case, now),
        running=case.state in CLOCK_STATES,
        suspended=case.state == State.SUSPENDED,
        extensions=intake.extensions_of(case),
    )


# -- learning from the street's own history -------------------------------------------------


def training_set(limit: int = 50_000) -> tuple[list[str], list[str]]:
    """Texts and labels to train the classifier on: the newest ``limit`` cases that were
    registered (立案) with a class — the class a human accepted or set — plus every staff
    correction (``TrainingExample``), so corrections count again."""
    from .models import TrainingExample

    texts, labels = [], []
    cases = (
        Case.objects.filter(registered_at__isnull=False, component_class__isnull=False)
        .exclude(state=State.VOID)
        .order_by("-registered_at")
        .values_list("title", "description", "component_class__kind", "component_class__code")
    )
    for title, description, kind, code in cases[:limit]:
        texts.append(f"{title}\n{description}")
        labels.append(f"{kind}:{code}")
    for text, label in TrainingExample.objects.order_by("-pk").values_list("text", "label")[:limit]:
        texts.append(text)
        labels.append(label)
    return texts, labels


def retrain_classifier(path=None, *, limit: int = 50_000) -> dict:
    """Train the case classifier on the street's own history and corrections and save it
    where the intake reads it (``CASES_CLASSIFIER_MODEL``) or to ``path``. Running web
    processes pick the new model up when the file changes."""
    from pathlib import Path

    from django.conf import settings

    from . import classifier

    texts, labels = training_set(limit)
    model = classifier.train(texts, labels)
    target = Path(path or settings.CASES_CLASSIFIER_MODEL)
    model.save(target)
    return {"path": str(target), "examples": len(texts), "labels": len(model.labels)}
