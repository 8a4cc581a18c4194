"""Every change to the cooperatives' management layer: grading and the officer's override,
plans and their measures, linking members to residents. Pages, the API, the CLI and the demo
call these; each writes its ``CooperativeEvent`` in the same transaction and checks the
user's role and scope (``user=None`` is the system). The exit's steps are in ``exit.py``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from streetbrain.cases.intake.actions import submit_report
from streetbrain.cases.intake.pipeline import ReportInput
from streetbrain.cases.models import Channel
from streetbrain.core.audit import change_reason
from streetbrain.registry.models import Resident

from . import disputes, grading
from .models import (
    AnnualAccount,
    Colour,
    ColourBand,
    Cooperative,
    CooperativeEvent,
    Dispute,
    Grade,
    Indicator,
    Measure,
    Member,
    Plan,
)

GRADE_PERMISSION = "cooperatives.grade_cooperative"
PLAN_PERMISSION = "cooperatives.change_plan"
DISPUTE_PERMISSION = "cooperatives.add_dispute"
# How a dispute reaches the street: by phone or in person, from the 12345 hotline, or
# handed down by a superior (区信访局).
DISPUTE_CHANNELS = (Channel.PHONE, Channel.HOTLINE, Channel.SUPERIOR)


def _check(user, permission: str) -> None:
    if user is not None and not user.has_perm(permission):
        raise PermissionDenied(_("Your role may not do this."))


def _load(model, obj_or_pk, user, action: str = "change"):
    pk = getattr(obj_or_pk, "pk", obj_or_pk)
    qs = model.objects.all() if user is None else model.objects.restrict(user, action)
    obj = qs.select_for_update().filter(pk=pk).first()
    if obj is None:
        raise PermissionDenied(_("This cooperative is outside your area of responsibility."))
    return obj


def rules() -> list[grading.Rule]:
    return [
        grading.Rule(i.code, i.name, i.weight, i.bad, i.good, i.unit)
        for i in Indicator.objects.filter(active=True)
    ]


def bands() -> list[tuple[str, object]]:
    return list(ColourBand.objects.values_list("colour", "min_score"))


def disputes_by_year(coop, years) -> dict[int, int]:
    """The disputes and petitions of ``coop`` per year: from the year its first one was filed
    as a case on (``Dispute``), the count of those cases; before it, the yearly figure the
    accounts import brought (``AnnualAccount.disputes``, the street's count before it filed
    them as cases). ``years`` maps each year to the imported figure."""
    filed = dict(
        Dispute.objects.filter(cooperative=coop)
        .values_list("year")
        .annotate(n=Count("pk"))
        .values_list("year", "n")
    )
    first = min(filed, default=None)
    return {
        year: (filed.get(year, 0) if first is not None and year >= first else imported)
        for year, imported in years.items()
    }


def facts_of(coop: Cooperative) -> grading.Facts:
    accounts = list(AnnualAccount.objects.filter(cooperative=coop).order_by("year"))
    disputes = disputes_by_year(coop, {a.year: a.disputes for a in accounts})
    years = [
        grading.Year(
            a.year,
            a.income,
            a.distribution_per_share,
            a.total_assets,
            a.liabilities,
            disputes[a.year],
            a.survey_continue_pct,
        )
        for a in accounts
    ]
    assets = list(coop.assets.values_list("kind", "in_use", "development"))
    return grading.Facts(years, assets)


def grade(coop, user=None, *, now: dt.datetime | None = None) -> Grade:
    """Grade ``coop`` on its data now: a new ``Grade`` (the colour's history), the
    cooperative's colour and score updated. An override stays until the next grading,
    which starts from the data again (the officer may override again)."""
    _check(user, GRADE_PERMISSION)
    now = now or timezone.now()
    with transaction.atomic():
        coop = _load(Cooperative, coop, user)
        result = grading.compute(facts_of(coop), rules(), bands())
        latest = coop.accounts.order_by("-year").values_list("year", flat=True).first()
        g = Grade.objects.create(
            cooperative=coop,
            year=latest or now.year,
            graded_at=now,
            score=result.score,
            computed_colour=result.colour,
            colour=result.colour,
            indicators=result.indicators,
            graded_by=user,
        )
        coop.colour, coop.score = g.colour, g.score
        coop.save(update_fields=["colour", "score", "updated_at"])
        CooperativeEvent.objects.create(
            cooperative=coop,
            kind=CooperativeEvent.Kind.GRADED,
            at=now,
            user=user,
            data={"score": str(g.score), "colour": g.colour},
        )
    return g


def grade_all(user=None, *, now: dt.datetime | None = None) -> int:
    """Grade every cooperative still operating or exiting (the yearly run after the
    accounts are imported)."""
    qs = Cooperative.objects.all() if user is None else Cooperative.objects.restrict(user)
    n = 0
    for pk in qs.exclude(status=Cooperative.Status.DEREGISTERED).values_list("pk", flat=True):
        grade(pk, user, now=now)
        n += 1
    return n


def override_colour(coop, colour: str, reason: str, user, *, now=None) -> Grade:
    """The officer's colour against the computed one, with the reason: a new grade row with
    the same score and indicators, so the history shows both."""
    _check(user, GRADE_PERMISSION)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the override.")})
    if colour not in Colour.values:
        raise ValidationError({"colour": _("Choose red, yellow or green.")})
    now = now or timezone.now()
    with transaction.atomic():
        coop = _load(Cooperative, coop, user)
        last = coop.grades.order_by("-graded_at", "-pk").first()
        if last is None:
            raise ValidationError(_("Grade the cooperative before overriding its colour."))
        g = Grade.objects.create(
            cooperative=coop,
            year=last.year,
            graded_at=now,
            score=last.score,
            computed_colour=last.computed_colour,
            colour=colour,
            indicators=last.indicators,
            override_reason=reason,
            graded_by=user,
        )
        coop.colour = colour
        coop.save(update_fields=["colour", "updated_at"])
        CooperativeEvent.objects.create(
            cooperative=coop,
            kind=CooperativeEvent.Kind.OVERRIDDEN,
            at=now,
            user=user,
            note=reason,
            data={"from": last.colour, "to": colour, "computed": last.computed_colour},
        )
    return g


def record_plan(
    coop, year: int, summary: str, measures: Iterable[tuple[str, str, dt.date]], user, *, now=None
) -> Plan:
    """一社一策: the year's plan for ``coop`` (replacing that year's summary; the measures
    are added), for the colour it has now."""
    _check(user, PLAN_PERMISSION)
    if not (summary or "").strip():
        raise ValidationError({"summary": _("Describe the plan.")})
    now = now or timezone.now()
    with transaction.atomic():
        coop = _load(Cooperative, coop, user)
        plan, _created = Plan.objects.update_or_create(
            cooperative=coop,
            year=year,
            defaults={"summary": summary.strip(), "colour": coop.colour or Colour.GREEN},
        )
        added = [
            Measure.objects.create(plan=plan, title=t, owner=o, deadline=d) for t, o, d in measures
        ]
        CooperativeEvent.objects.create(
            cooperative=coop,
            kind=CooperativeEvent.Kind.PLAN,
            at=now,
            user=user,
            data={"year": year, "measures": len(added)},
        )
    return plan


def edit_plan(plan, summary: str, user, *, now=None) -> Plan:
    """Rewrite the summary of a plan (its year and colour stay: a new year is a new plan)."""
    _check(user, PLAN_PERMISSION)
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": _("Describe the plan.")})
    now = now or timezone.now()
    with transaction.atomic():
        plan = _load(Plan, plan, user)
        if plan.summary == summary:
            return plan
        plan.summary = summary
        plan.save(update_fields=["summary"])  # audited: the change log keeps the old text
        CooperativeEvent.objects.create(
            cooperative=plan.cooperative,
            kind=CooperativeEvent.Kind.PLAN_CHANGED,
            at=now,
            user=user,
            data={"year": plan.year},
        )
    return plan


def _measure_inputs(title: str, owner: str, deadline) -> tuple[str, str]:
    title, owner = (title or "").strip(), (owner or "").strip()
    errors = {}
    if not title:
        errors["title"] = _("Say what is to be done.")
    if not owner:
        errors["owner"] = _("Say who is responsible.")
    if not isinstance(deadline, dt.date):
        errors["deadline"] = _("Give the date.")
    if errors:
        raise ValidationError(errors)
    return title, owner


def add_measure(plan, title: str, owner: str, deadline: dt.date, user, *, now=None) -> Measure:
    """A further measure of a plan, with its owner and deadline."""
    _check(user, PLAN_PERMISSION)
    title, owner = _measure_inputs(title, owner, deadline)
    now = now or timezone.now()
    with transaction.atomic():
        plan = _load(Plan, plan, user)
        measure = Measure.objects.create(plan=plan, title=title, owner=owner, deadline=deadline)
        CooperativeEvent.objects.create(
            cooperative=plan.cooperative,
            kind=CooperativeEvent.Kind.PLAN_CHANGED,
            at=now,
            user=user,
            data={"year": plan.year, "measure": title, "deadline": deadline.isoformat()},
        )
    return measure


def edit_measure(
    measure, title: str, owner: str, deadline: dt.date, user, *, reason: str = "", now=None
) -> Measure:
    """Change a measure's wording, owner or deadline; a measure done is not changed any more
    (its record stays as it was done). A moved deadline says so on the timeline."""
    _check(user, PLAN_PERMISSION)
    title, owner = _measure_inputs(title, owner, deadline)
    now = now or timezone.now()
    with transaction.atomic():
        measure = _load(Measure, measure, user)
        if measure.done_on is not None:
            raise ValidationError(_("This measure is done already."))
        before = measure.deadline
        measure.title, measure.owner, measure.deadline = title, owner, deadline
        measure.save(update_fields=["title", "owner", "deadline"])
        data = {"measure": title}
        if before != deadline:
            data.update({"deadline_from": before.isoformat(), "deadline": deadline.isoformat()})
        CooperativeEvent.objects.create(
            cooperative=measure.plan.cooperative,
            kind=CooperativeEvent.Kind.PLAN_CHANGED,
            at=now,
            user=user,
            note=(reason or "").strip(),
            data=data,
        )
    return measure


def set_indicator(indicator, *, weight, bad, good, active: bool, user, reason: str) -> Indicator:
    """The street's setting of one grading indicator (weight, the two thresholds, in use or
    not), with the reason in the change log. Grades already made keep the values they were
    made with (their rows hold them); the next grading uses the new ones."""
    _check(user, GRADE_PERMISSION)
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = _("Give the reason for the change.")
    if weight is None or weight < 0:
        errors["weight"] = _("Give a weight of zero or more.")
    if bad is not None and good is not None and bad == good:
        errors["good"] = _("The two thresholds must differ.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        indicator = Indicator.objects.select_for_update().get(
            pk=getattr(indicator, "pk", indicator)
        )
        indicator.weight, indicator.bad, indicator.good = weight, bad, good
        indicator.active = active
        with change_reason(reason):
            indicator.save()
        if not Indicator.objects.filter(active=True, weight__gt=0).exists():
            raise ValidationError({"active": _("At least one indicator must count.")})
    return indicator


def complete_measure(measure, done_on: dt.date, user, *, note: str = "", now=None) -> Measure:
    _check(user, PLAN_PERMISSION)
    now = now or timezone.now()
    with transaction.atomic():
        measure = _load(Measure, measure, user)
        if measure.done_on is not None:
            raise ValidationError(_("This measure is done already."))
        if done_on > timezone.localdate(now):
            raise ValidationError({"done_on": _("The date cannot be in the future.")})
        measure.done_on = done_on
        measure.save(update_fields=["done_on"])
        CooperativeEvent.objects.create(
            cooperative=measure.plan.cooperative,
            kind=CooperativeEvent.Kind.MEASURE_DONE,
            at=now,
            user=user,
            note=note,
            data={"measure": measure.title, "done_on": done_on.isoformat()},
        )
    return measure


def file_dispute(
    coop,
    kind: str,
    title: str,
    description: str,
    user,
    *,
    channel: str = Channel.PHONE,
    filed_on: dt.date | None = None,
    now=None,
) -> Dispute:
    """A dispute or petition about ``coop`` filed as a case of the case engine, through its
    intake (``submit_report``: validated, placed, classified and timed like any report), in the
    class of ``disputes.ensure_classes``; the case is linked to the cooperative and counts in
    the year of ``filed_on`` (today by default) for the grading."""
    _check(user, DISPUTE_PERMISSION)
    if kind not in Dispute.Kind.values:
        raise ValidationError({"kind": _("Choose dispute or petition.")})
    if channel not in DISPUTE_CHANNELS:
        raise ValidationError({"channel": _("Choose how it came in.")})
    title, description = (title or "").strip(), (description or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the dispute a title.")})
    now = now or timezone.now()
    filed_on = filed_on or timezone.localdate(now)
    if filed_on > timezone.localdate(now):
        raise ValidationError({"filed_on": _("The date cannot be in the future.")})
    with transaction.atomic():
        coop = _load(Cooperative, coop, user, "view")
        label = Dispute.Kind(kind).label
        result = submit_report(
            ReportInput(
                channel=channel,
                title=f"【{label}】{coop.name}：{title}"[:100],
                description=description or title,
                address=f"{coop.org_unit.name} {coop.former_village}",
                requested_class=disputes.component_class(kind),
                reporter_name=coop.name[:50],
                account_id=f"cooperative:{coop.credit_code}",
                user=user,
            )
        )
        dispute = Dispute.objects.create(
            cooperative=coop,
            kind=kind,
            case=result.case,
            year=filed_on.year,
            filed_on=filed_on,
            filed_by=user,
        )
        CooperativeEvent.objects.create(
            cooperative=coop,
            kind=CooperativeEvent.Kind.DISPUTE,
            at=now,
            user=user,
            note=title,
            data={"case": result.case.number, "kind": kind},
        )
    return dispute


def link_residents(coop=None, user=None, *, now=None) -> int:
    """Link members to the registry's residents whose ID number is the same (compared by the
    keyed digests: nothing is decrypted). Returns how many links were made."""
    now = now or timezone.now()
    members = Member.objects.filter(resident__isnull=True).exclude(id_number_digest="")
    if coop is not None:
        members = members.filter(cooperative=_load(Cooperative, coop, user, "view"))
    digests = set(members.values_list("id_number_digest", flat=True))
    residents = dict(
        Resident.objects.filter(id_number_digest__in=digests).values_list("id_number_digest", "pk")
    )
    linked: dict[int, int] = {}
    with transaction.atomic():
        for m in members.select_related("cooperative"):
            pk = residents.get(m.id_number_digest)
            if pk:
                m.resident_id = pk
                m.save(update_fields=["resident"])  # audited like any change
                linked[m.cooperative_id] = linked.get(m.cooperative_id, 0) + 1
        for coop_id, n in linked.items():
            CooperativeEvent.objects.create(
                cooperative_id=coop_id,
                kind=CooperativeEvent.Kind.MEMBERS_LINKED,
                at=now,
                user=user,
                data={"linked": n},
            )
    return sum(linked.values())
