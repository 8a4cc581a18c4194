"""Every change to the cooperatives' management layer: grading and the officer's override,
plans and their measures, linking members to residents. Pages, the API, the CLI and the demo
call these; each writes its ``CooperativeEvent`` in the same transaction and checks the
user's role and scope (``user=None`` is the system). The exit's steps are in ``exit.py``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from streetbrain.registry.models import Resident

from . import grading
from .models import (
    AnnualAccount,
    Colour,
    ColourBand,
    Cooperative,
    CooperativeEvent,
    Grade,
    Indicator,
    Measure,
    Member,
    Plan,
)

GRADE_PERMISSION = "cooperatives.grade_cooperative"
PLAN_PERMISSION = "cooperatives.change_plan"


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


def facts_of(coop: Cooperative) -> grading.Facts:
    years = [
        grading.Year(
            a.year,
            a.income,
            a.distribution_per_share,
            a.total_assets,
            a.liabilities,
            a.disputes,
            a.survey_continue_pct,
        )
        for a in AnnualAccount.objects.filter(cooperative=coop).order_by("year")
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
