"""Every change of the 招商 app goes through here; pages, the REST API, the CLI, tasks and the
demo call these.

The whitelist: weights changed with a reason, industries pinned or excluded with a reason,
recomputed (``recompute_whitelist``) and published as a version of the year. The leads: opened
(``create_lead``), moved along their stages by the declared ``TRANSITIONS`` through ``perform``
(线索 → 接洽 → 考察 → 洽谈 → 签约 → 落地, or 流失 with a reason), visits and notes. Each writes the
lead's ``LeadEvent`` in the same transaction. Signing calls the economy's ``sign_lease``: the
units become occupied and the lease counts in the economy's 去化 and occupancy like any other.

A missing permission or an object outside the user's scope raises ``PermissionDenied``; bad
input raises ``ValidationError`` keyed by the input's name, before anything is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from streetbrain.core.audit import change_reason
from streetbrain.core.identifiers import credit_code_problem
from streetbrain.core.models import OrgUnit
from streetbrain.core.scoping import ensure_in_scope
from streetbrain.economy import actions as economy_actions
from streetbrain.economy.models import Enterprise, Unit

from . import whitelist
from .models import (
    OPEN_STAGES,
    IndustryOverride,
    Lead,
    LeadEvent,
    Stage,
    WhitelistFactor,
    WhitelistRun,
)


def _require(user, permission: str) -> None:
    if user is not None and not user.has_perm(permission):
        raise PermissionDenied(_("Your role may not do this."))


def _actor(user) -> str:
    if user is None:
        return ""
    return getattr(user, "display_name", "") or user.get_username()


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    return reason


def _user(user):
    return user if user is not None and user.pk else None


# -- the whitelist ------------------------------------------------------------------------------


def set_weight(factor, weight, *, reason: str, user=None) -> WhitelistFactor:
    """Change a factor's weight (0–100), with the reason the change log keeps."""
    _require(user, "investment.change_whitelistfactor")
    reason = _reason(reason)
    try:
        value = Decimal(str(weight))
    except (InvalidOperation, ValueError):
        raise ValidationError({"weight": _("Give a number from 0 to 100.")}) from None
    if not value.is_finite() or not 0 <= value <= 100:
        raise ValidationError({"weight": _("Give a number from 0 to 100.")})
    with transaction.atomic(), change_reason(reason):
        pk = factor.pk if isinstance(factor, WhitelistFactor) else factor
        row = WhitelistFactor.objects.select_for_update().get(pk=pk)
        row.weight = value.quantize(Decimal("0.01"))
        row.save()
    return row


def decide_industry(code: str, kind: str, *, reason: str, user=None) -> IndustryOverride:
    """Pin an industry (大类 or 中类 code) on the whitelist or exclude it, with a reason; it
    replaces the decision in force for that code. Applies from the next computation."""
    _require(user, "investment.add_industryoverride")
    reason = _reason(reason)
    code = (code or "").strip()
    if not (code.isdigit() and len(code) in (2, 3)):
        raise ValidationError(
            {"code": _("An industry here is a 2-digit 大类 or 3-digit 中类 code.")}
        )
    if kind not in IndustryOverride.Kind.values:
        raise ValidationError({"kind": _("Choose pin or exclude.")})
    now = timezone.now()
    with transaction.atomic(), change_reason(reason):
        for old in IndustryOverride.objects.select_for_update().filter(code=code, lifted_at=None):
            old.lifted_at = now
            old.save()
        return IndustryOverride.objects.create(
            code=code, kind=kind, reason=reason, user=_user(user), created_at=now
        )


def lift_decision(override, *, reason: str, user=None) -> IndustryOverride:
    _require(user, "investment.add_industryoverride")
    reason = _reason(reason)
    with transaction.atomic(), change_reason(reason):
        pk = override.pk if isinstance(override, IndustryOverride) else override
        row = IndustryOverride.objects.select_for_update().get(pk=pk)
        if row.lifted_at is None:
            row.lifted_at = timezone.now()
            row.save()
    return row


def recompute_whitelist(*, user=None, demo: bool = False) -> WhitelistRun:
    """Compute the whitelist now from the economy's data (an action, never a page view)."""
    _require(user, "investment.add_whitelistrun")
    run = whitelist.compute(user=user, demo=demo)
    if run is None:
        raise ValidationError(_("There is no tax data to compute the whitelist from yet."))
    return run


def publish_whitelist(run, *, year: int, note: str = "", user=None) -> WhitelistRun:
    """Publish a computation as the next version of ``year``'s whitelist (招商目录)."""
    _require(user, "investment.publish_whitelistrun")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Give a year from 2000 to 2100.")})
    with transaction.atomic():
        pk = run.pk if isinstance(run, WhitelistRun) else run
        row = WhitelistRun.objects.select_for_update().filter(pk=pk).first()
        if row is None:
            raise ValidationError({"run": _("No such computation.")})
        if row.version is not None:
            raise ValidationError(
                {"run": _("This computation is published already as %(v)s.") % {"v": row}}
            )
        last = (
            WhitelistRun.objects.filter(year=year)
            .exclude(version=None)
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
        )
        row.year = year
        row.version = (last or 0) + 1
        row.published_at = timezone.now()
        row.published_by = _user(user)
        row.note = (note or "").strip()
        row.save()
    return row


# -- leads ---------------------------------------------------------------------------------------


def _event(lead: Lead, kind: str, *, date, user=None, from_stage="", note="", data=None):
    return LeadEvent.objects.create(
        lead=lead,
        kind=kind,
        date=date,
        from_stage=from_stage,
        to_stage=lead.stage if kind in (LeadEvent.Kind.STAGE, LeadEvent.Kind.CREATED) else "",
        user=_user(user),
        actor_name=_actor(user),
        note=note,
        data=data or {},
    )


def street_of(user) -> OrgUnit:
    """The unit a new lead belongs to: the user's own unit (the street for the street's
    specialists), the top of the tree for the system."""
    unit = getattr(user, "org_unit", None) if user is not None else None
    if unit is not None:
        return unit
    return OrgUnit.objects.filter(parent=None).order_by("pk").first()


LEAD_FIELDS = {
    "name",
    "credit_code",
    "industry",
    "area_min_m2",
    "area_max_m2",
    "rent_budget",
    "preferred_grade",
    "preferred_floor_min",
    "preferred_floor_max",
    "move_in_by",
    "source",
    "owner",
    "expected_annual_tax",
    "expected_headcount",
    "contact_name",
    "opened_on",
    "notes",
    "data_source",
}


def create_lead(*, user=None, org_unit=None, note: str = "", **values) -> Lead:
    """Open a lead at 线索 with its first timeline entry."""
    _require(user, "investment.add_lead")
    unknown = set(values) - LEAD_FIELDS
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    with transaction.atomic():
        lead = Lead(org_unit=org_unit or street_of(user), **values)
        lead.stage = Stage.LEAD
        lead.stage_changed_on = lead.opened_on or timezone.localdate()
        if user is not None and user.pk:
            lead.created_by = lead.updated_by = user
        # A lead is the street's (or a community's): not only a grid cell's, as the base's
        # form choice for org units says.
        lead.full_clean(exclude=["org_unit"])
        lead.save()
        if user is not None:
            ensure_in_scope(lead, user, "add")
        _event(lead, LeadEvent.Kind.CREATED, date=lead.stage_changed_on, user=user, note=note)
    return lead


def leads_imported(created, updated=(), user=None) -> list[LeadEvent]:
    """The first timeline entry of leads a spreadsheet opened (the import engine's
    ``after_write``: in the import's transaction, under its audit context, the rows already
    checked against the user's scope), dated like ``create_lead``'s: the lead's
    ``opened_on``. Updated leads keep their timeline: a file changes no stage."""
    note = _("Imported from a spreadsheet.")
    events = [
        LeadEvent(
            lead=lead,
            kind=LeadEvent.Kind.CREATED,
            date=lead.opened_on,
            to_stage=lead.stage,
            user=_user(user),
            actor_name=_actor(user),
            note=note,
            data={"source": "import"},
        )
        for lead in created
    ]
    return LeadEvent.objects.bulk_create(events, batch_size=1000)


@dataclass(frozen=True)
class Transition:
    name: str
    label: object
    permission: str
    sources: frozenset
    target: str
    func: Callable | None = None
    inputs: tuple[str, ...] = ()
    note_required: bool = False
    style: str = "primary"


TRANSITIONS: dict[str, Transition] = {}


def transition(
    name,
    label,
    sources,
    target,
    *,
    permission="investment.change_lead",
    inputs=(),
    note_required=False,
    style="primary",
):
    def register(func):
        TRANSITIONS[name] = Transition(
            name,
            label,
            permission,
            frozenset(sources),
            target,
            func,
            tuple(inputs),
            note_required,
            style,
        )
        return func

    return register


def _load(lead, user) -> Lead:
    pk = lead.pk if isinstance(lead, Lead) else lead
    qs = Lead.objects.all() if user is None else Lead.objects.restrict(user, "change")
    row = qs.select_for_update(of=("self",)).select_related("industry").filter(pk=pk).first()
    if row is None:
        raise PermissionDenied(_("This lead is outside your area of responsibility."))
    return row


def available(lead: Lead, user) -> list[Transition]:
    """The transitions ``user`` may apply to ``lead`` now (the page's buttons, the API)."""
    return [
        t
        for t in TRANSITIONS.values()
        if lead.stage in t.sources and (user is None or user.has_perm(t.permission))
    ]


def perform(lead, name: str, user, *, on: dt.date | None = None, **inputs) -> Lead:
    """Apply transition ``name`` to ``lead`` (a Lead or its pk) as ``user`` (None: the system)
    on day ``on`` (today). Raises PermissionDenied (role or scope), ValidationError (wrong
    stage or bad input); nothing is written then."""
    t = TRANSITIONS.get(name)
    if t is None:
        raise ValidationError(_("Unknown action."))
    _require(user, t.permission)
    note = (inputs.pop("note", None) or "").strip()
    if t.note_required and not note:
        raise ValidationError({"note": _("Give a reason.")})
    on = on or timezone.localdate()
    with transaction.atomic():
        lead = _load(lead, user)
        if lead.stage not in t.sources:
            raise ValidationError(
                _("A lead at stage “%(stage)s” cannot go to “%(target)s”.")
                % {"stage": lead.get_stage_display(), "target": Stage(t.target).label}
            )
        if on < lead.stage_changed_on:
            raise ValidationError({"on": _("The day is before the lead's current stage began.")})
        before = lead.stage
        data = t.func(lead, user, on=on, note=note, **inputs) if t.func else {}
        lead.stage = t.target
        lead.stage_changed_on = on
        if user is not None and user.pk:
            lead.updated_by = user
        with change_reason(note) if note else _nothing():
            lead.save()
        _event(
            lead,
            LeadEvent.Kind.STAGE,
            date=on,
            user=user,
            from_stage=before,
            note=note,
            data=data or {},
        )
    return lead


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def _no_inputs(lead, user, *, on, note, **inputs):
    if inputs:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(inputs))})
    return {}


transition("contact", gettext_lazy("Contact (接洽)"), [Stage.LEAD], Stage.CONTACT)(_no_inputs)
transition(
    "inspect", gettext_lazy("Site visit (考察)"), [Stage.LEAD, Stage.CONTACT], Stage.INSPECTION
)(_no_inputs)
transition(
    "negotiate",
    gettext_lazy("Negotiate (洽谈)"),
    [Stage.CONTACT, Stage.INSPECTION],
    Stage.NEGOTIATION,
)(_no_inputs)


def _date(value, name: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise ValidationError({name: _("Give a date (YYYY-MM-DD).")}) from None


@transition(
    "sign",
    gettext_lazy("Sign (签约)"),
    [Stage.INSPECTION, Stage.NEGOTIATION],
    Stage.SIGNED,
    inputs=("units", "start_date", "end_date", "contract_rent", "rent_free_months", "credit_code"),
    style="success",
)
def _sign(
    lead: Lead,
    user,
    *,
    on,
    note,
    units=(),
    start_date=None,
    end_date=None,
    contract_rent=None,
    rent_free_months=0,
    credit_code="",
    data_source=None,
):
    """The lead's company leases the units through the economy's ``sign_lease``: it becomes
    the economy's enterprise (found by its credit code, else registered now at the street)."""
    start = _date(start_date, "start_date")
    end = _date(end_date, "end_date")
    code = (credit_code or lead.credit_code or "").strip().upper()
    enterprise = lead.enterprise
    if enterprise is None:
        if not code:
            raise ValidationError(
                {"credit_code": _("Give the company's unified social credit code to sign.")}
            )
        problem = credit_code_problem(code)
        if problem:
            raise ValidationError({"credit_code": problem})
        enterprise = Enterprise.objects.filter(credit_code=code).first()
        if enterprise is None:
            _require(user, "economy.add_enterprise")
            enterprise = Enterprise(
                credit_code=code,
                name=lead.name,
                industry=lead.industry,
                org_unit=lead.org_unit,
                data_source=data_source or lead.data_source,
            )
            if user is not None and user.pk:
                enterprise.created_by = enterprise.updated_by = user
            enterprise.full_clean()
            enterprise.save()
        elif (
            user is not None
            and not Enterprise.objects.restrict(user, "view").filter(pk=enterprise.pk).exists()
        ):
            raise PermissionDenied(_("This enterprise is outside your area of responsibility."))
    lease = economy_actions.sign_lease(
        enterprise,
        list(units),
        start_date=start,
        end_date=end,
        user=user,
        contract_rent=contract_rent,
        rent_free_months=rent_free_months or 0,
        signed_on=on,
        note=note or _("Signed through investment lead “%(lead)s”.") % {"lead": lead.name},
        data_source=data_source or lead.data_source,
    )
    lead.enterprise = enterprise
    lead.lease = lease
    if not lead.credit_code:
        lead.credit_code = code
    return {
        "lease": lease.contract_number,
        "building": str(lease.building),
        "units": sorted(lease.units.values_list("code", flat=True)),
        "area_m2": str(lease.area_m2),
    }


@transition("land", gettext_lazy("Landed (落地)"), [Stage.SIGNED], Stage.LANDED, style="success")
def _land(lead: Lead, user, *, on, note, **inputs):
    """落地: the company has moved in (its lease has started)."""
    _no_inputs(lead, user, on=on, note=note, **inputs)
    if lead.lease_id is None:
        raise ValidationError(_("A lead lands once it has signed a lease."))
    if lead.lease.start_date > on:
        raise ValidationError(
            {"on": _("The lease starts on %(d)s.") % {"d": lead.lease.start_date.isoformat()}}
        )
    return {}


@transition(
    "lose", gettext_lazy("Lost (流失)"), OPEN_STAGES, Stage.LOST, note_required=True, style="danger"
)
def _lose(lead: Lead, user, *, on, note, **inputs) -> dict:
    """流失, with the reason (the note)."""
    _no_inputs(lead, user, on=on, note=note, **inputs)
    lead.lost_reason = note
    return {}


transition(
    "reopen",
    gettext_lazy("Reopen (重新跟进)"),
    [Stage.LOST],
    Stage.CONTACT,
    note_required=True,
    style="secondary",
)(_no_inputs)


def record_visit(lead, *, on: dt.date, note: str = "", user=None, units=(), booked=False):
    """A visit or a booked viewing (看房) on the lead's timeline, with the space it concerns."""
    _require(user, "investment.change_lead")
    on = _date(on, "on")
    pks = sorted({u.pk if isinstance(u, Unit) else int(u) for u in units})
    with transaction.atomic():
        lead = _load(lead, user)
        space = {}
        if pks:
            qs = Unit.objects.all() if user is None else Unit.objects.restrict(user, "view")
            found = list(qs.filter(pk__in=pks).select_related("building__building"))
            if len(found) != len(pks):
                raise PermissionDenied(_("A unit is outside your area of responsibility."))
            space = {
                "building": str(found[0].building),
                "building_id": found[0].building_id,
                "units": [u.code for u in found],
                "unit_ids": pks,
                "area_m2": str(sum(u.area_m2 for u in found)),
            }
        return _event(
            lead,
            LeadEvent.Kind.VISIT,
            date=on,
            user=user,
            note=(note or "").strip(),
            data={**space, "booked": bool(booked)},
        )


def add_note(lead, *, note: str, user=None) -> LeadEvent:
    _require(user, "investment.change_lead")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Write the note.")})
    with transaction.atomic():
        lead = _load(lead, user)
        return _event(lead, LeadEvent.Kind.NOTE, date=timezone.localdate(), user=user, note=note)


def is_open(lead: Lead) -> bool:
    return lead.stage in OPEN_STAGES
