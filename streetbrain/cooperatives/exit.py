"""终止退出: a red cooperative's exit as declared steps, like the case engine's workflow
(``cases/workflow/actions.py``): ``TRANSITIONS`` says each step's name, permission, the stage
it starts from, the stage it reaches and its inputs; ``perform`` checks role, scope, stage
and inputs, applies the step and writes its ``CooperativeEvent`` with the evidence (the
document's reference) in one transaction; ``available`` gives the buttons.

The members' meeting must pass the exit with the required majority of the members due to
attend: ``REQUIRED_MAJORITY`` (two thirds, the province's rule for the share reform plan —
浙江省农村集体资产管理条例 第二十八条, in ``data/reference/cooperatives.yaml`` — applied to the
exit as the street's rule; a county may set its own).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Colour, Cooperative, CooperativeEvent, ExitProcess, ExitStage

PERMISSION = "cooperatives.exit_cooperative"
REQUIRED_MAJORITY = Fraction(2, 3)


@dataclass(frozen=True)
class Transition:
    name: str
    label: object
    source: str
    target: str
    inputs: tuple[str, ...]
    func: Callable
    permission: str = PERMISSION


TRANSITIONS: dict[str, Transition] = {}


def transition(name, label, source, target, inputs):
    def register(func):
        TRANSITIONS[name] = Transition(name, label, source, target, tuple(inputs), func)
        return func

    return register


def _date(inputs: dict, key: str, today: dt.date) -> dt.date:
    value = inputs.get(key)
    if not isinstance(value, dt.date):
        raise ValidationError({key: _("Give the date.")})
    if value > today:
        raise ValidationError({key: _("The date cannot be in the future.")})
    return value


def _amount(inputs: dict, key: str) -> Decimal:
    value = inputs.get(key)
    if value is None or Decimal(value) < 0:
        raise ValidationError({key: _("Give an amount of zero or more.")})
    return Decimal(value)


@transition(
    "resolve",
    gettext_lazy("Members' meeting resolution"),
    ExitStage.OPENED,
    ExitStage.RESOLVED,
    ("resolved_on", "members_due", "votes_for", "evidence"),
)
def _resolve(process: ExitProcess, inputs: dict, today: dt.date) -> dict:
    resolved_on = _date(inputs, "resolved_on", today)
    due, votes = inputs.get("members_due"), inputs.get("votes_for")
    if not due or due <= 0:
        raise ValidationError({"members_due": _("Give the number of members due to attend.")})
    if votes is None or votes < 0 or votes > due:
        raise ValidationError(
            {"votes_for": _("The votes for must lie between 0 and the members due to attend.")}
        )
    if Fraction(votes, due) < REQUIRED_MAJORITY:
        raise ValidationError(
            {
                "votes_for": _(
                    "The exit needs two thirds of the members due to attend: %(needed)d of %(due)d."
                )
                % {"needed": -(-due * 2 // 3), "due": due}
            }
        )
    process.resolved_on, process.members_due, process.votes_for = resolved_on, due, votes
    return {"members_due": due, "votes_for": votes, "resolved_on": resolved_on.isoformat()}


@transition(
    "value",
    gettext_lazy("Asset valuation"),
    ExitStage.RESOLVED,
    ExitStage.VALUED,
    ("valued_on", "valuation", "evidence"),
)
def _value(process: ExitProcess, inputs: dict, today: dt.date) -> dict:
    process.valued_on = _date(inputs, "valued_on", today)
    process.valuation = _amount(inputs, "valuation")
    if process.resolved_on and process.valued_on < process.resolved_on:
        raise ValidationError({"valued_on": _("The valuation cannot precede the resolution.")})
    return {"valuation": str(process.valuation), "valued_on": process.valued_on.isoformat()}


@transition(
    "settle",
    gettext_lazy("Settlement to members"),
    ExitStage.VALUED,
    ExitStage.SETTLED,
    ("settled_on", "settled_amount", "evidence"),
)
def _settle(process: ExitProcess, inputs: dict, today: dt.date) -> dict:
    process.settled_on = _date(inputs, "settled_on", today)
    process.settled_amount = _amount(inputs, "settled_amount")
    if process.valued_on and process.settled_on < process.valued_on:
        raise ValidationError({"settled_on": _("The settlement cannot precede the valuation.")})
    if process.valuation is not None and process.settled_amount > process.valuation:
        raise ValidationError(
            {"settled_amount": _("More cannot be settled than the assets were valued at.")}
        )
    return {"settled_amount": str(process.settled_amount), "settled_on": str(process.settled_on)}


@transition(
    "deregister",
    gettext_lazy("Deregistration"),
    ExitStage.SETTLED,
    ExitStage.DEREGISTERED,
    ("deregistered_on", "evidence"),
)
def _deregister(process: ExitProcess, inputs: dict, today: dt.date) -> dict:
    process.deregistered_on = _date(inputs, "deregistered_on", today)
    if process.settled_on and process.deregistered_on < process.settled_on:
        raise ValidationError(
            {"deregistered_on": _("The deregistration cannot precede the settlement.")}
        )
    process.cooperative.status = Cooperative.Status.DEREGISTERED
    process.cooperative.save(update_fields=["status", "updated_at"])
    return {"deregistered_on": process.deregistered_on.isoformat()}


def available(process: ExitProcess | None, user) -> list[Transition]:
    """The steps ``user`` may take on ``process`` now (one at most: the stages are a line)."""
    if process is None:
        return []
    return [
        t
        for t in TRANSITIONS.values()
        if t.source == process.stage and (user is None or user.has_perm(t.permission))
    ]


def _scoped(model, user):
    # The step's own permission is checked first; the scope is that of what the user sees.
    return model.objects.all() if user is None else model.objects.restrict(user, "view")


def open_exit(coop, user, *, note: str = "", now: dt.datetime | None = None) -> ExitProcess:
    """Start the exit of a red cooperative (its colour says so, computed or overridden)."""
    if user is not None and not user.has_perm(PERMISSION):
        raise PermissionDenied(_("Your role may not do this."))
    now = now or timezone.now()
    with transaction.atomic():
        coop = _scoped(Cooperative, user).select_for_update().filter(pk=coop.pk).first()
        if coop is None:
            raise PermissionDenied(_("This cooperative is outside your area of responsibility."))
        if coop.colour != Colour.RED:
            raise ValidationError(_("Only a red cooperative can start its exit."))
        if ExitProcess.objects.filter(cooperative=coop).exists():
            raise ValidationError(_("This cooperative's exit has been started already."))
        process = ExitProcess.objects.create(cooperative=coop, opened_on=timezone.localdate(now))
        coop.status = Cooperative.Status.EXITING
        coop.save(update_fields=["status", "updated_at"])
        CooperativeEvent.objects.create(
            cooperative=coop, kind=CooperativeEvent.Kind.EXIT_OPENED, at=now, user=user, note=note
        )
    return process


def perform(process, name: str, user, *, now: dt.datetime | None = None, **inputs) -> ExitProcess:
    """Take step ``name`` of the exit ``process`` (an ExitProcess or its pk) as ``user``
    (None = the system) with its inputs; ``evidence`` (the document's reference) is required
    for every step. Raises PermissionDenied (role or scope), ValidationError (wrong stage or
    bad input; nothing changed)."""
    t = TRANSITIONS.get(name)
    if t is None:
        raise ValidationError(_("Unknown action."))
    if user is not None and not user.has_perm(t.permission):
        raise PermissionDenied(_("Your role may not do this."))
    evidence = (inputs.pop("evidence", None) or "").strip()
    note = (inputs.pop("note", None) or "").strip()
    if not evidence:
        raise ValidationError({"evidence": _("Name the document that proves this step.")})
    now = now or timezone.now()
    pk = getattr(process, "pk", process)
    with transaction.atomic():
        process = (
            _scoped(ExitProcess, user)
            .select_for_update(of=("self",))
            .select_related("cooperative")
            .filter(pk=pk)
            .first()
        )
        if process is None:
            raise PermissionDenied(_("This cooperative is outside your area of responsibility."))
        if process.stage != t.source:
            raise ValidationError(
                _("An exit at stage “%(stage)s” cannot take the step “%(step)s”.")
                % {"stage": process.get_stage_display(), "step": t.label}
            )
        data = t.func(process, inputs, timezone.localdate(now))
        process.stage = t.target
        process.save()
        CooperativeEvent.objects.create(
            cooperative=process.cooperative,
            kind=CooperativeEvent.Kind.EXIT_STEP,
            step=name,
            at=now,
            user=user,
            note=note,
            evidence=evidence,
            data=data,
        )
    return process
