"""Every change to the projects goes through here; pages, the REST API, tasks and the demo call
these (``user=None`` is the system).

Each action checks the user's permission and scope, changes the rows and writes the timeline in
the same transaction: the project's ``ProjectEvent``, the household's ``HouseholdEvent``, the hard
case's ``HardCaseStep``. Bad input raises ``ValidationError`` keyed by the input's name in the
user's language, before anything is written; a missing permission or an object outside the
user's scope raises ``PermissionDenied``.

The households' stages are a declared machine (``TRANSITIONS``, as the case engine declares its
workflow): each step names the stage it starts from and the one it reaches, so pages offer
exactly the buttons that apply, and ``advance_household`` is the only way a stage changes.
Hard cases are timed on the case engine's working calendar (``core.worktime``, the one its
clock uses): the deadline is ``limit_days`` working days from opening, and ``escalate_overdue``
(nightly) escalates the ones past it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from streetbrain.core import worktime
from streetbrain.core.scoping import ensure_in_scope

from .models import (
    STAGE_ORDER,
    FollowUp,
    HardCase,
    HardCaseNotice,
    HardCaseStep,
    Household,
    HouseholdEvent,
    IndicatorActual,
    IndicatorReport,
    IndicatorTarget,
    Meeting,
    Milestone,
    Plot,
    Project,
    ProjectEvent,
    ProjectIndicator,
    Site,
    SiteIssue,
    Stage,
    StreetIndicator,
    TaskForceMember,
)

# -- helpers ----------------------------------------------------------------------------------


def _require(user, permission: str) -> None:
    if user is not None and not user.has_perm(permission):
        raise PermissionDenied(_("Your role may not do this."))


def _load(model: type[models.Model], obj, user, action: str, *, related=()) -> models.Model:
    """The row of ``obj`` (an instance or a pk), locked, if ``user`` may ``action`` it."""
    pk = obj.pk if isinstance(obj, models.Model) else obj
    qs = model._default_manager.all() if user is None else model.objects.restrict(user, action)
    row = qs.select_for_update(of=("self",)).select_related(*related).filter(pk=pk).first()
    if row is None:
        raise PermissionDenied(
            _("This %(model)s is outside your area of responsibility.")
            % {"model": model._meta.verbose_name}
        )
    return row


def _text(value, name: str, *, required: bool = True, limit: int = 500) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({name: _("This is required.")})
    if len(value) > limit:
        raise ValidationError({name: _("At most %(n)s characters.") % {"n": limit}})
    return value


def _day(value, name: str, today: dt.date, *, not_before: dt.date | None = None) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValidationError({name: _("Give a date.")})
    if value > today:
        raise ValidationError({name: _("The date lies in the future.")})
    if not_before is not None and value < not_before:
        raise ValidationError(
            {name: _("The date is before %(day)s.") % {"day": not_before.isoformat()}}
        )
    return value


def _decimal(value, name: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({name: _("Give a number.")}) from None
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        raise ValidationError({name: _("Give a number.")})
    return number


def _event(project_id, action, user, *, note="", now=None, **data) -> ProjectEvent:
    return ProjectEvent.objects.create(
        project_id=project_id,
        action=action,
        at=now or timezone.now(),
        user=user,
        note=note,
        data={k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in data.items()},
    )


def _today(today):
    return today or timezone.localdate()


def _visible(value, user, name: str):
    """``value`` (a row another model's field points to: a leader, a department, a street
    indicator) if ``user`` may see it: nobody assigns a project to a user they cannot see."""
    if value is None or user is None or not hasattr(type(value).objects, "restrict"):
        return value
    if not type(value).objects.restrict(user, "view").filter(pk=value.pk).exists():
        raise ValidationError({name: _("This choice is outside your area of responsibility.")})
    return value


# -- projects and their parts: created and edited ------------------------------------------------

# What a page may set on each; everything else (the light, the stage, the timeline) follows
# from actions.
PROJECT_FIELDS = (
    "code",
    "name",
    "kind",
    "year",
    "description",
    "leader",
    "office",
    "start_date",
    "end_date",
)
PART_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    TaskForceMember: ("user", "department", "role"),
    Milestone: ("name", "planned_on"),
    ProjectIndicator: ("name", "unit", "target", "source", "measure", "feeds"),
    Plot: (
        "code",
        "name",
        "planned_households",
        "planned_area_m2",
        "target_date",
        "geometry",
    ),
}


def _assign(row: models.Model, values: dict, allowed: tuple[str, ...], user) -> None:
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    for name, value in values.items():
        if isinstance(value, models.Model):
            _visible(value, user, name)
        setattr(row, name, value)


def save_project(project=None, *, user=None, org_unit=None, **values) -> Project:
    """A new key project in the user's unit (the street for the project office), or a change
    to one; either writes the project's timeline. The light is never set: it follows."""
    new = project is None
    _require(user, "projects.add_project" if new else "projects.change_project")
    with transaction.atomic():
        if new:
            unit = org_unit or getattr(user, "org_unit", None)
            if unit is None:
                raise PermissionDenied(_("Your account belongs to no unit: ask an administrator."))
            p = Project(org_unit=unit)
        else:
            p = _load(Project, project, user, "change")
        _assign(p, values, PROJECT_FIELDS, user)
        p.full_clean()
        p.save()
        if user is not None:
            ensure_in_scope(p, user, "add" if new else "change")
        _event(
            p.pk,
            ProjectEvent.Action.CREATED if new else ProjectEvent.Action.CHANGED,
            user,
            note=p.name,
        )
    return p


def save_part(model, project, obj=None, *, values: dict, user=None):
    """A task-force member, a milestone, an indicator or a plot added to ``project`` (``obj``
    None) or changed to ``values`` (a dict: a member has a field named ``user`` too); the
    project's timeline says which."""
    if model not in PART_FIELDS:
        raise ValueError(model)
    name = model._meta.model_name
    new = obj is None
    _require(user, f"projects.{'add' if new else 'change'}_{name}")
    with transaction.atomic():
        p = _load(Project, project, user, "change")
        if new:
            row = model(project=p)
        else:
            row = _load(model, obj, user, "change")
            if row.project_id != p.pk:
                raise PermissionDenied(_("This belongs to another project."))
        _assign(row, values, PART_FIELDS[model], user)
        if model is ProjectIndicator:
            _check_measure(row)
        if model is Plot:
            _check_outline(row)
        row.full_clean()
        row.save()
        _event(
            p.pk,
            ProjectEvent.Action.CREATED if new else ProjectEvent.Action.CHANGED,
            user,
            note=f"{model._meta.verbose_name}: {row}",
            model=name,
            pk=row.pk,
        )
    return row


def remove_member(member, *, user=None) -> None:
    """A member leaves the task force (the change log keeps who was in it)."""
    _require(user, "projects.delete_taskforcemember")
    with transaction.atomic():
        m = _load(TaskForceMember, member, user, "delete", related=("user",))
        note = f"{TaskForceMember._meta.verbose_name}: {m}"
        project_id = m.project_id
        m.delete()
        _event(project_id, ProjectEvent.Action.REMOVED, user, note=note)


def _check_measure(ind: ProjectIndicator) -> None:
    """A computed indicator names a declared ``Measure``; an entered one names none."""
    from streetbrain.core import extension_points as ep

    if ind.source == ProjectIndicator.Source.ENTERED:
        ind.measure = ""
        return
    if not ind.measure:
        raise ValidationError({"measure": _("A computed indicator names its computation.")})
    if ep.registry.get(ep.Measure, ind.measure) is None:
        raise ValidationError({"measure": _("No such computation.")})


def _check_outline(plot: Plot) -> None:
    """The outline is a GeoJSON Polygon or MultiPolygon in WGS-84 around the street; its centre
    (the mean of the outer rings' corners, enough to place a label or a search hit) follows."""
    g = plot.geometry
    if not g:
        plot.geometry, plot.centroid_lon, plot.centroid_lat = None, None, None
        return
    bad = ValidationError({"geometry": _("Give a GeoJSON Polygon or MultiPolygon (WGS-84).")})
    if not isinstance(g, dict) or g.get("type") not in ("Polygon", "MultiPolygon"):
        raise bad
    polygons = [g.get("coordinates")] if g["type"] == "Polygon" else g.get("coordinates")
    points = []
    try:
        for polygon in polygons:
            ring = polygon[0]
            if len(ring) < 4:
                raise bad
            points += [(float(x), float(y)) for x, y, *_rest in ring[:-1]]
    except (TypeError, ValueError, IndexError):
        raise bad from None
    if not points or not all(-180 <= x <= 180 and -90 <= y <= 90 for x, y in points):
        raise bad
    plot.centroid_lon = sum(x for x, _y in points) / len(points)
    plot.centroid_lat = sum(y for _x, y in points) / len(points)


def record_actual(indicator, *, month: dt.date, value, user=None, today=None) -> IndicatorActual:
    """A month's year-to-date figure of a street indicator as the statistics bureau gives it
    (the same row the Excel import writes; a second entry of the month corrects the first)."""
    _require(user, "projects.add_indicatoractual")
    value = _decimal(value, "value")
    if not isinstance(month, dt.date) or month.day != 1:
        raise ValidationError({"month": _("Give a month, e.g. 2024-03.")})
    if month > _today(today):
        raise ValidationError({"month": _("The month lies in the future.")})
    with transaction.atomic():
        ind = _load(StreetIndicator, indicator, user, "view")
        row = IndicatorActual.objects.filter(indicator=ind, month=month).first()
        if row is not None:
            _require(user, "projects.change_indicatoractual")
            row.value = value
        else:
            row = IndicatorActual(indicator=ind, month=month, value=value)
        row.save()
    return row


# -- milestones and reports ---------------------------------------------------------------------


def reach_milestone(milestone, *, done_on: dt.date, evidence: str, user=None, today=None):
    """A milestone reached on ``done_on`` with its evidence (a document, a photo's reference)."""
    _require(user, "projects.change_milestone")
    evidence = _text(evidence, "evidence", limit=300)
    done_on = _day(done_on, "done_on", _today(today))
    with transaction.atomic():
        m = _load(Milestone, milestone, user, "change")
        if m.done_on is not None:
            raise ValidationError({"done_on": _("This milestone is already reached.")})
        m.done_on, m.evidence = done_on, evidence
        m.save()
        _event(m.project_id, ProjectEvent.Action.MILESTONE, user, note=m.name, on=done_on)
    return m


def submit_report(
    indicator, *, month: dt.date, value, note: str = "", attachment=None, user=None, today=None
) -> IndicatorReport:
    """月报: the month's amount of an entered indicator, waiting for the office's approval."""
    _require(user, "projects.report_project")
    value = _decimal(value, "value")
    note = _text(note, "note", required=False)
    if not isinstance(month, dt.date) or month.day != 1:
        raise ValidationError({"month": _("Give a month, e.g. 2024-03.")})
    if month > _today(today):
        raise ValidationError({"month": _("The month lies in the future.")})
    with transaction.atomic():
        ind = _load(ProjectIndicator, indicator, user, "view", related=("project",))
        if ind.source != ProjectIndicator.Source.ENTERED:
            raise ValidationError(
                {"indicator": _("The platform computes this indicator: nothing to report.")}
            )
        if month.year != ind.project.year:
            raise ValidationError(
                {"month": _("The project runs in %(year)s.") % {"year": ind.project.year}}
            )
        if ind.reports.filter(month=month).exclude(state=IndicatorReport.State.REJECTED).exists():
            raise ValidationError({"month": _("This month has already been reported.")})
        report = IndicatorReport(
            indicator=ind, month=month, value=value, note=note, submitted_by=user
        )
        if attachment:
            from django.core.files.storage import default_storage

            report.attachment = default_storage.save(
                f"projects/reports/{ind.project_id}/{attachment.name}", attachment
            )
        report.save()
        _event(
            ind.project_id,
            ProjectEvent.Action.REPORT,
            user,
            note=ind.name,
            month=month,
            value=str(value),
        )
    return report


def decide_report(report, *, approve: bool, note: str = "", user=None, now=None):
    """The project's office approves (the amount then counts) or rejects a report. An approver
    in a department must be in the project's office; nobody approves their own report."""
    _require(user, "projects.approve_project")
    note = _text(note, "note", required=not approve)
    with transaction.atomic():
        r = _load(IndicatorReport, report, user, "view", related=("indicator__project",))
        project = r.indicator.project
        if r.state != IndicatorReport.State.SUBMITTED:
            raise ValidationError({"report": _("This report has already been decided.")})
        if user is not None:
            if r.submitted_by_id == user.pk:
                raise PermissionDenied(_("Nobody approves their own report."))
            if user.department_id and project.office_id and user.department_id != project.office_id:
                raise PermissionDenied(_("Only the project's office decides its reports."))
        r.state = IndicatorReport.State.APPROVED if approve else IndicatorReport.State.REJECTED
        r.decided_by, r.decided_at = user, now or timezone.now()
        r.save()
        _event(
            project.pk,
            ProjectEvent.Action.APPROVE if approve else ProjectEvent.Action.REJECT,
            user,
            note=note or r.indicator.name,
            month=r.month,
            value=str(r.value),
        )
    return r


def set_target(indicator, *, year: int, target, raised_target=None, user=None):
    """The year's target and raised target (再加压) of a street indicator."""
    _require(user, "projects.change_indicatortarget")
    target = _decimal(target, "target")
    raised = None if raised_target in (None, "") else _decimal(raised_target, "raised_target")
    with transaction.atomic():
        ind = _load(StreetIndicator, indicator, user, "view")
        row, _created = IndicatorTarget.objects.update_or_create(
            indicator=ind, year=year, defaults={"target": target, "raised_target": raised}
        )
    return row


# -- households: the declared stages --------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    name: str
    label: object
    sources: frozenset
    target: str
    permission: str = "projects.change_household"


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition("survey", gettext_lazy("Surveyed"), frozenset({""}), Stage.SURVEY),
        Transition("value", gettext_lazy("Valued"), frozenset({Stage.SURVEY}), Stage.VALUATION),
        Transition("sign", gettext_lazy("Signed"), frozenset({Stage.VALUATION}), Stage.SIGNED),
        Transition("vacate", gettext_lazy("Vacated"), frozenset({Stage.SIGNED}), Stage.VACATED),
        Transition(
            "demolish", gettext_lazy("Demolished"), frozenset({Stage.VACATED}), Stage.DEMOLISHED
        ),
        Transition(
            "hand_over",
            gettext_lazy("Land handed over"),
            frozenset({Stage.DEMOLISHED}),
            Stage.HANDED_OVER,
        ),
    )
}


def available(household: Household, user) -> list[Transition]:
    """The steps ``user`` may apply to ``household`` now (for buttons and the API)."""
    return [
        t
        for t in TRANSITIONS.values()
        if household.stage in t.sources and (user is None or user.has_perm(t.permission))
    ]


def advance_household(
    household,
    name: str,
    *,
    on: dt.date,
    evidence: str,
    user=None,
    option: str = "",
    valuation=None,
    today=None,
    now=None,
) -> Household:
    """Move a household one stage on (``name`` of ``TRANSITIONS``) on day ``on`` with its
    evidence. Valuing takes the valuation; signing the compensation option."""
    t = TRANSITIONS.get(name)
    if t is None:
        raise ValidationError({"name": _("Unknown action.")})
    _require(user, t.permission)
    evidence = _text(evidence, "evidence", limit=300)
    today = _today(today)
    if name == "value":
        valuation = _decimal(valuation, "valuation")
        if valuation <= 0:
            raise ValidationError({"valuation": _("Give the valuation in yuan.")})
    if name == "sign" and option not in Household.Option.values:
        raise ValidationError({"option": _("Choose the compensation option.")})
    with transaction.atomic():
        h = _load(Household, household, user, "change")
        if h.stage not in t.sources:
            raise ValidationError(
                {
                    "name": _("A household at “%(stage)s” cannot be %(action)s.")
                    % {
                        "stage": h.get_stage_display() or _("not surveyed"),
                        "action": str(t.label).lower(),
                    }
                }
            )
        on = _day(on, "on", today, not_before=h.stage_on)
        before = h.stage
        h.stage, h.stage_on = t.target, on
        if name == "value":
            h.valuation = valuation
        if name == "sign":
            h.option = option
        h.save()
        HouseholdEvent.objects.create(
            household=h,
            from_stage=before,
            to_stage=t.target,
            on=on,
            evidence=evidence,
            user=user,
            at=now or timezone.now(),
        )
    return h


# -- hard cases -----------------------------------------------------------------------------------


def deadline_for(opened_at: dt.datetime, limit_days: int) -> dt.datetime:
    """``limit_days`` working days from ``opened_at`` on the working calendar of the case
    engine (holidays and make-up days included)."""
    return worktime.default_calendar().deadline(opened_at, float(limit_days), "work_day")


def light_of(hard_case: HardCase, now: dt.datetime | None = None) -> str:
    """The hard case's timeliness light on the same calendar and thresholds as a case's."""
    end = hard_case.closed_at or now or timezone.now()
    return worktime.default_calendar().light(
        hard_case.opened_at, end, float(hard_case.limit_days), "work_day"
    )


def open_hard_case(
    plot,
    *,
    title: str,
    area_m2,
    leader,
    plan: str,
    limit_days: int,
    stage: str = Stage.SURVEY,
    household=None,
    user=None,
    now=None,
) -> HardCase:
    """A new hard case on ``plot``, assigned to ``leader`` with a plan and a time limit."""
    _require(user, "projects.add_hardcase")
    title = _text(title, "title", limit=80)
    plan = _text(plan, "plan", limit=4000)
    area = _decimal(area_m2, "area_m2")
    if area <= 0:
        raise ValidationError({"area_m2": _("Give the area in m².")})
    if not isinstance(limit_days, int) or not 1 <= limit_days <= 750:
        raise ValidationError({"limit_days": _("Give a time limit of 1 to 750 working days.")})
    if stage not in STAGE_ORDER:
        raise ValidationError({"stage": _("Unknown stage.")})
    now = now or timezone.now()
    with transaction.atomic():
        p = _load(Plot, plot, user, "change")
        _visible(leader, user, "leader")
        if household is not None and getattr(household, "plot_id", None) != p.pk:
            raise ValidationError({"household": _("This household is on another plot.")})
        hc = HardCase.objects.create(
            plot=p,
            household=household,
            title=title,
            area_m2=area,
            leader=leader,
            plan=plan,
            stage=stage,
            opened_at=now,
            limit_days=limit_days,
            deadline=deadline_for(now, limit_days),
        )
        HardCaseStep.objects.create(
            hard_case=hc,
            kind=HardCaseStep.Kind.STEP,
            on=timezone.localdate(now),
            note=_("Assigned to %(leader)s.") % {"leader": leader},
            user=user,
            at=now,
        )
    return hc


def _load_hard_case(hard_case, user) -> HardCase:
    """The hard case, locked, if ``user`` sees it and is its leader (包案) or may change hard
    cases (the project office)."""
    qs = HardCase.objects.all() if user is None else HardCase.objects.restrict(user)
    hc = qs.select_for_update(of=("self",)).filter(pk=getattr(hard_case, "pk", hard_case)).first()
    if hc is None:
        raise PermissionDenied(_("This hard case is outside your area of responsibility."))
    if user is None or hc.leader_id == user.pk or user.has_perm("projects.change_hardcase"):
        return hc
    raise PermissionDenied(_("Only the case's leader or the project office may do this."))


def record_step(
    hard_case, *, kind: str, on: dt.date, note: str, user=None, today=None, now=None
) -> HardCaseStep:
    """A step or a meeting (约谈, 协调会) on a hard case, by its leader or the project office."""
    if kind not in (HardCaseStep.Kind.STEP, HardCaseStep.Kind.MEETING):
        raise ValidationError({"kind": _("Choose a step or a meeting.")})
    note = _text(note, "note")
    with transaction.atomic():
        hc = _load_hard_case(hard_case, user)
        if hc.closed_at is not None:
            raise ValidationError({"kind": _("This hard case is closed.")})
        on = _day(on, "on", _today(today), not_before=timezone.localdate(hc.opened_at))
        return HardCaseStep.objects.create(
            hard_case=hc, kind=kind, on=on, note=note, user=user, at=now or timezone.now()
        )


def advance_hard_case(hard_case, *, on: dt.date, note: str, user=None, today=None, now=None):
    """The hard case reaches its next stage; handing over the land closes it."""
    note = _text(note, "note")
    now = now or timezone.now()
    with transaction.atomic():
        hc = _load_hard_case(hard_case, user)
        i = STAGE_ORDER.index(hc.stage)
        if i + 1 >= len(STAGE_ORDER):
            raise ValidationError({"stage": _("The land is already handed over.")})
        on = _day(on, "on", _today(today), not_before=timezone.localdate(hc.opened_at))
        before, hc.stage = hc.stage, STAGE_ORDER[i + 1]
        if hc.stage == Stage.HANDED_OVER:
            hc.closed_at = now
        hc.save()
        HardCaseStep.objects.create(
            hard_case=hc,
            kind=HardCaseStep.Kind.STAGE,
            on=on,
            note=note,
            user=user,
            at=now,
            data={"from": before, "to": hc.stage},
        )
    return hc


def escalate_overdue(now: dt.datetime | None = None) -> int:
    """升级: every open hard case past its deadline and not yet escalated gets an escalation
    step naming its project's lead leader, once, and that leader a notice (unread until they
    open it; the case's own leader sees it on their overdue badge). Returns how many."""
    now = now or timezone.now()
    count = 0
    with transaction.atomic():
        for hc in (
            HardCase.objects.select_for_update(of=("self",))
            .filter(closed_at__isnull=True, escalated_at__isnull=True, deadline__lt=now)
            .select_related("plot__project__leader")
        ):
            hc.escalated_at = now
            hc.save(update_fields=["escalated_at"])
            leader = hc.plot.project.leader
            HardCaseStep.objects.create(
                hard_case=hc,
                kind=HardCaseStep.Kind.ESCALATED,
                on=timezone.localdate(now),
                note=_("Past its deadline: escalated to %(leader)s.") % {"leader": leader},
                data={"to": leader.pk},
                at=now,
            )
            HardCaseNotice.objects.create(
                user=leader, hard_case=hc, kind=HardCaseNotice.Kind.ESCALATED, created_at=now
            )
            count += 1
    return count


def read_notice(notice, *, user, now=None) -> HardCaseNotice:
    """The user opens one of their notices: it is read (nobody reads another's)."""
    n = (
        HardCaseNotice.objects.restrict(user)
        .filter(pk=getattr(notice, "pk", notice), user=user)
        .first()
    )
    if n is None:
        raise PermissionDenied(_("This notice is not yours."))
    if n.read_at is None:
        n.read_at = now or timezone.now()
        n.save(update_fields=["read_at"])
    return n


# -- metro-7: issues, meetings and follow-ups -------------------------------------------------


def assign_issue(site, case, *, leader, departments=(), user=None, now=None) -> SiteIssue:
    """A case at a site becomes one of the task force's issues, with a leader (包案) and the
    departments that work on it."""
    _require(user, "projects.add_siteissue")
    from streetbrain.cases.models import Case

    with transaction.atomic():
        s = _load(Site, site, user, "change")
        cases = Case.objects.all() if user is None else Case.objects.restrict(user, "view")
        c = cases.filter(pk=getattr(case, "pk", case)).first()
        if c is None:
            raise PermissionDenied(_("This case is outside your area of responsibility."))
        if SiteIssue.objects.filter(site=s, case=c).exists():
            raise ValidationError({"case": _("This case is already an issue of the site.")})
        issue = SiteIssue.objects.create(site=s, case=c, leader=leader)
        issue.departments.set(departments)
        _event(
            s.project_id,
            ProjectEvent.Action.ISSUE,
            user,
            note=c.number,
            now=now,
            site=s.pk,
            leader=leader.pk,
        )
    return issue


def record_meeting(
    project, *, held_on: dt.date, title: str, decisions: str, items=(), user=None, today=None
) -> Meeting:
    """A task-force meeting with its decisions and follow-up items ``(item, owner, department,
    due_on)``."""
    _require(user, "projects.add_meeting")
    title = _text(title, "title", limit=80)
    decisions = _text(decisions, "decisions", limit=4000)
    held_on = _day(held_on, "held_on", _today(today))
    with transaction.atomic():
        p = _load(Project, project, user, "change")
        meeting = Meeting.objects.create(
            project=p, held_on=held_on, title=title, decisions=decisions
        )
        for item, owner, department, due_on in items:
            if due_on < held_on:
                raise ValidationError({"items": _("A follow-up is due before the meeting.")})
            FollowUp.objects.create(
                meeting=meeting,
                item=_text(item, "items", limit=200),
                owner=owner,
                department=department,
                due_on=due_on,
            )
        _event(p.pk, ProjectEvent.Action.MEETING, user, note=title, held_on=held_on)
    return meeting


def complete_follow_up(item, *, done_on: dt.date, user=None, today=None) -> FollowUp:
    """A follow-up item done, by its owner or the project office."""
    with transaction.atomic():
        qs = FollowUp.objects.all() if user is None else FollowUp.objects.restrict(user)
        f = (
            qs.select_for_update(of=("self",))
            .select_related("meeting")
            .filter(pk=getattr(item, "pk", item))
            .first()
        )
        if f is None:
            raise PermissionDenied(_("This item is outside your area of responsibility."))
        if user is not None and f.owner_id != user.pk:
            _require(user, "projects.change_followup")
        if f.done_on is not None:
            raise ValidationError({"done_on": _("This item is already done.")})
        f.done_on = _day(done_on, "done_on", _today(today), not_before=f.meeting.held_on)
        f.save()
        _event(f.meeting.project_id, ProjectEvent.Action.FOLLOW_UP, user, note=f.item)
    return f
