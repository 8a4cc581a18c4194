"""Every change to the building economy's leases, enterprises and move-out warnings goes through
here; pages, the REST API, the CLI, tasks and the demo call these.

Each action checks the user's permission and scope (``user=None`` is the system: the demo, the
rules, tasks), changes the rows, and writes the timeline in the same transaction: the
enterprise's ``EnterpriseEvent`` (move-in, move-out, leases, status, warnings) and the warning's
``WarningEvent``. The change log records every row changed, through the audit signals and the
caller's ``audit_context`` (request, CLI, task). Bad input raises ``ValidationError`` keyed by the
input's name with a message in the user's language, before anything is written; a missing
permission or an object outside the user's scope raises ``PermissionDenied``.

Rows are locked in a fixed order: enterprise, then lease, then units by primary key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from streetbrain.core.audit import change_reason
from streetbrain.core.models import PlatformModel, User
from streetbrain.core.scoping import ensure_in_scope

from .models import (
    Enterprise,
    EnterpriseEvent,
    IndustryChain,
    Lease,
    MoveOutWarning,
    OfficeBuilding,
    Unit,
    WarningEvent,
)

ONE_DAY = dt.timedelta(days=1)
ENDED_STATES = (Lease.State.ENDED, Lease.State.TERMINATED, Lease.State.RENEWED)


# -- helpers --------------------------------------------------------------------------------


def _require(user, permission: str) -> None:
    if user is not None and not user.has_perm(permission):
        raise PermissionDenied(_("Your role may not do this."))


def _actor(user) -> str:
    if user is None:
        return ""
    return getattr(user, "display_name", "") or user.get_username()


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


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _decimal(value, name: str, *, allow_none: bool = False) -> Decimal | None:
    if value is None or value == "":
        if allow_none:
            return None
        raise ValidationError({name: _("This field is required.")})
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {name: _("“%(value)s” is not a number.") % {"value": value}}
        ) from None
    if not number.is_finite() or number < 0:
        raise ValidationError({name: _("Give a number of 0 or more.")})
    return number


def _check_term(start_date, end_date, rent_free_months: Decimal) -> None:
    if not isinstance(start_date, dt.date):
        raise ValidationError({"start_date": _("Give the day the lease starts.")})
    if not isinstance(end_date, dt.date):
        raise ValidationError({"end_date": _("Give the contract's last day.")})
    if end_date < start_date:
        raise ValidationError({"end_date": _("The lease ends before it starts.")})
    probe = Lease(start_date=start_date, end_date=end_date)
    if rent_free_months > probe.term_months:
        raise ValidationError(
            {"rent_free_months": _("The rent-free period is longer than the lease.")}
        )


def _event(
    enterprise: Enterprise,
    kind: str,
    *,
    date: dt.date,
    user=None,
    building: OfficeBuilding | None = None,
    lease: Lease | None = None,
    warning: MoveOutWarning | None = None,
    note: str = "",
    data: dict | None = None,
) -> EnterpriseEvent:
    return EnterpriseEvent.objects.create(
        enterprise=enterprise,
        kind=kind,
        date=date,
        building=building,
        lease=lease,
        warning=warning,
        user=user if user is not None and user.pk else None,
        actor_name=_actor(user),
        note=note,
        data=data or {},
    )


def _warning_event(
    warning: MoveOutWarning,
    action: str,
    *,
    from_state: str,
    user=None,
    note: str = "",
    visited_on: dt.date | None = None,
    data: dict | None = None,
) -> WarningEvent:
    return WarningEvent.objects.create(
        warning=warning,
        action=action,
        from_state=from_state,
        to_state=warning.state,
        user=user if user is not None and user.pk else None,
        actor_name=_actor(user),
        visited_on=visited_on,
        note=note,
        data=data or {},
    )


def _lock_units(units: Iterable, user) -> list[Unit]:
    """The units (instances or pks), locked in primary-key order, if ``user`` may change them."""
    pks = sorted({u.pk if isinstance(u, models.Model) else int(u) for u in units})
    if not pks:
        raise ValidationError({"units": _("Choose at least one unit.")})
    qs = Unit.objects.all() if user is None else Unit.objects.restrict(user, "change")
    found = list(
        qs.select_for_update(of=("self",))
        .select_related("building__building")
        .filter(pk__in=pks)
        .order_by("pk")
    )
    if len(found) != len(pks):
        raise PermissionDenied(_("A unit is outside your area of responsibility."))
    return found


def _enterprise_of(lease) -> int | None:
    """The enterprise of a lease (instance or pk), to lock it before the lease."""
    if isinstance(lease, Lease):
        return lease.enterprise_id
    return Lease.objects.filter(pk=lease).values_list("enterprise_id", flat=True).first()


def _one_building(units: list[Unit]) -> OfficeBuilding:
    buildings = {u.building_id for u in units}
    if len(buildings) != 1:
        raise ValidationError(
            {"units": _("A lease covers units of one building; sign one lease per building.")}
        )
    return units[0].building


def _check_free(units: list[Unit], first: dt.date, last: dt.date, *, exclude=()) -> None:
    """No other lease holds any of ``units`` on a day of [first, last] (no double letting)."""
    clash = (
        Lease.objects.filter(units__in=units)
        .exclude(pk__in=list(exclude))
        .held_between(first, last)
        .order_by("start_date", "pk")
        .first()
    )
    if clash is None:
        return
    codes = sorted(set(clash.units.values_list("code", flat=True)) & {u.code for u in units})
    raise ValidationError(
        {
            "units": _("Unit %(unit)s is let under contract %(contract)s until %(until)s.")
            % {
                "unit": "、".join(codes),
                "contract": clash.contract_number,
                "until": clash.last_day.isoformat(),
            }
        }
    )


def _present_in(enterprise: Enterprise, building: OfficeBuilding, day: dt.date, *, exclude=()):
    """Whether the enterprise holds other space in ``building`` on ``day`` or has a lease in
    force there (a pre-let lease counts: it has not left)."""
    others = Lease.objects.filter(enterprise=enterprise, building=building).exclude(
        pk__in=list(exclude)
    )
    return others.held_on(day).exists() or others.current().exists()


def _next_contract_number(building: OfficeBuilding, start_date: dt.date) -> str:
    prefix = f"{building.building.code}-{start_date:%Y%m%d}-"
    taken = set(
        Lease.objects.filter(contract_number__startswith=prefix).values_list(
            "contract_number", flat=True
        )
    )
    seq = 1
    while f"{prefix}{seq:02d}" in taken:
        seq += 1
    return f"{prefix}{seq:02d}"


def _set_status(units: Iterable[Unit], status: str) -> None:
    for unit in units:
        if unit.status != status:
            unit.status = status
            unit.save()


def _release(units: Iterable[Unit], *, lease: Lease) -> None:
    """Units a lease no longer holds go back on the market, unless another lease in force
    (a tenant who signed for them next) holds them."""
    for unit in units:
        taken = unit.leases.current().exclude(pk=lease.pk).exists()
        _set_status([unit], Unit.Status.OCCUPIED if taken else Unit.Status.VACANT_AVAILABLE)


def relocate_enterprise(enterprise: Enterprise) -> Enterprise:
    """Scope the enterprise by its main building: the one where its leases in force cover the
    most area (ties: the lowest building code). Without a lease in force it stays where it was
    (its history stays with the community that knew it)."""
    main = (
        Lease.objects.filter(enterprise=enterprise, state=Lease.State.ACTIVE)
        .values("building", "building__org_unit")
        .annotate(area=Sum("area_m2"))
        .order_by("-area", "building__building__code")
        .first()
    )
    if main is not None and enterprise.org_unit_id != main["building__org_unit"]:
        enterprise.org_unit_id = main["building__org_unit"]
        enterprise.save()
    return enterprise


# -- leases -----------------------------------------------------------------------------------


def sign_lease(
    enterprise,
    units,
    *,
    start_date: dt.date,
    end_date: dt.date,
    user=None,
    contract_number: str = "",
    contract_rent=None,
    rent_free_months=0,
    signed_on: dt.date | None = None,
    area_m2=None,
    note: str = "",
    data_source: str = PlatformModel.Source.MANUAL,
) -> Lease:
    """签约: ``enterprise`` leases ``units`` (all in one building) from ``start_date`` to
    ``end_date`` (the contract's last day). The units become occupied; the enterprise's timeline
    gets "lease signed" and, when it had no space in that building, "moved in" on the start
    date. An enterprise that had moved out is operating again. ``area_m2`` defaults to the
    units' area; ``contract_number`` to ``<building code>-<start>-<nn>``."""
    _require(user, "economy.add_lease")
    rent_free = _decimal(rent_free_months, "rent_free_months")
    rent = _decimal(contract_rent, "contract_rent", allow_none=True)
    area = _decimal(area_m2, "area_m2", allow_none=True)
    if area is not None and area <= 0:
        raise ValidationError({"area_m2": _("The leased area must be more than 0 m².")})
    _check_term(start_date, end_date, rent_free)
    if signed_on is not None and signed_on > end_date:
        raise ValidationError({"signed_on": _("A lease is signed before it ends.")})
    number = (contract_number or "").strip()
    with transaction.atomic():
        enterprise = _load(Enterprise, enterprise, user, "view")
        if enterprise.status == Enterprise.Status.DEREGISTERED:
            raise ValidationError(
                {"enterprise": _("A deregistered enterprise cannot lease space.")}
            )
        units = _lock_units(units, user)
        building = _one_building(units)
        _check_free(units, start_date, end_date)
        number = number or _next_contract_number(building, start_date)
        if Lease.objects.filter(contract_number=number).exists():
            raise ValidationError(
                {"contract_number": _("Contract %(number)s exists already.") % {"number": number}}
            )
        present = _present_in(enterprise, building, start_date - ONE_DAY)
        lease = Lease(
            contract_number=number,
            enterprise=enterprise,
            building=building,
            org_unit_id=building.org_unit_id,
            area_m2=area if area is not None else sum(u.area_m2 for u in units),
            signed_on=signed_on,
            start_date=start_date,
            end_date=end_date,
            rent_free_months=rent_free,
            contract_rent=rent,
            data_source=data_source,
        )
        lease.full_clean(validate_unique=False)
        lease.save()
        lease.units.set(units)
        if user is not None:
            ensure_in_scope(lease, user, "add")
        _set_status(units, Unit.Status.OCCUPIED)
        if enterprise.status == Enterprise.Status.MOVED_OUT:
            _change_status(
                enterprise, Enterprise.Status.ACTIVE, on=start_date, user=user, note=note
            )
        _event(
            enterprise,
            EnterpriseEvent.Kind.LEASE_SIGNED,
            date=signed_on or start_date,
            user=user,
            building=building,
            lease=lease,
            note=note,
            data={"area_m2": str(lease.area_m2), "units": [u.code for u in units]},
        )
        if not present:
            _event(
                enterprise,
                EnterpriseEvent.Kind.MOVE_IN,
                date=start_date,
                user=user,
                building=building,
                lease=lease,
            )
        relocate_enterprise(enterprise)
    return lease


def renew_lease(
    lease,
    *,
    end_date: dt.date,
    user=None,
    start_date: dt.date | None = None,
    units=None,
    contract_number: str = "",
    contract_rent=None,
    rent_free_months=0,
    signed_on: dt.date | None = None,
    note: str = "",
    data_source: str = PlatformModel.Source.MANUAL,
) -> Lease:
    """续签: a new lease continues ``lease`` (in force) from ``start_date`` (default: the day
    after it ends) to ``end_date``. The old lease becomes "renewed" with its last day the day
    before the new one starts. The space is the same unless ``units`` (of the same building)
    says otherwise: units given up go back on the market (an area reduction the move-out
    rules look at), added units must be free. The rent stays unless ``contract_rent`` is given.
    Not a move-in: the timeline gets "lease renewed"."""
    _require(user, "economy.add_lease")
    rent_free = _decimal(rent_free_months, "rent_free_months")
    rent = _decimal(contract_rent, "contract_rent", allow_none=True)
    with transaction.atomic():
        # The lease's scope is what counts: its enterprise may be looked after elsewhere.
        enterprise = _load(Enterprise, _enterprise_of(lease), None, "view")
        old = _load(Lease, lease, user, "change", related=("building__building",))
        if old.state != Lease.State.ACTIVE:
            raise ValidationError({"lease": _("Only a lease in force can be renewed.")})
        start = start_date or old.end_date + ONE_DAY
        if start <= old.start_date:
            raise ValidationError(
                {"start_date": _("A renewal starts after the lease it continues has started.")}
            )
        if start > old.end_date + ONE_DAY:
            raise ValidationError(
                {
                    "start_date": _(
                        "A renewal starts at the latest the day after the lease ends (%(day)s)."
                    )
                    % {"day": (old.end_date + ONE_DAY).isoformat()}
                }
            )
        _check_term(start, end_date, rent_free)
        old_units = list(old.units.order_by("pk"))
        new_units = _lock_units(units if units is not None else old_units, user)
        if _one_building(new_units).pk != old.building_id:
            raise ValidationError({"units": _("A renewal stays in the same building.")})
        _check_free(new_units, start, end_date, exclude=[old.pk])
        number = (contract_number or "").strip() or _next_contract_number(old.building, start)
        if Lease.objects.filter(contract_number=number).exists():
            raise ValidationError(
                {"contract_number": _("Contract %(number)s exists already.") % {"number": number}}
            )
        same_space = {u.pk for u in new_units} == {u.pk for u in old_units}
        old.state = Lease.State.RENEWED
        old.ended_on = start - ONE_DAY
        old.save()
        new = Lease(
            contract_number=number,
            enterprise=enterprise,
            building=old.building,
            org_unit_id=old.org_unit_id,
            area_m2=old.area_m2 if same_space else sum(u.area_m2 for u in new_units),
            signed_on=signed_on,
            start_date=start,
            end_date=end_date,
            rent_free_months=rent_free,
            contract_rent=rent if rent is not None else old.contract_rent,
            renewed_from=old,
            data_source=data_source,
        )
        new.full_clean(validate_unique=False)
        new.save()
        new.units.set(new_units)
        if user is not None:
            ensure_in_scope(new, user, "add")
        kept = {u.pk for u in new_units}
        _release([u for u in old_units if u.pk not in kept], lease=old)
        _set_status(new_units, Unit.Status.OCCUPIED)
        _event(
            enterprise,
            EnterpriseEvent.Kind.LEASE_RENEWED,
            date=signed_on or start,
            user=user,
            building=old.building,
            lease=new,
            note=note,
            data={
                "renewal_of": old.contract_number,
                "area_m2": str(new.area_m2),
                "area_change_m2": str(new.area_m2 - old.area_m2),
            },
        )
        relocate_enterprise(enterprise)
    return new


def end_lease(lease, *, on: dt.date, user=None, note: str = "", today=None) -> Lease:
    """退租: the lease (in force) ends with ``on`` as the last day the space was held: "ended"
    on the contract's last day, "terminated early" before it. Its units go back on the market
    (unless a next tenant has signed for them); the timeline gets the end and, when the
    enterprise keeps no space in that building, "moved out". Leaving a building is not
    leaving the street: the enterprise's status changes only through
    :func:`set_enterprise_status`."""
    _require(user, "economy.change_lease")
    if not isinstance(on, dt.date):
        raise ValidationError({"on": _("Give the last day the space was held.")})
    if on > _today(today):
        raise ValidationError({"on": _("A lease can be ended only on a day that has come.")})
    with transaction.atomic():
        # The lease's scope is what counts: its enterprise may be looked after elsewhere.
        enterprise = _load(Enterprise, _enterprise_of(lease), None, "view")
        lease = _load(Lease, lease, user, "change", related=("building__building",))
        if lease.state != Lease.State.ACTIVE:
            raise ValidationError({"lease": _("This lease is no longer in force.")})
        if on < lease.start_date:
            raise ValidationError(
                {
                    "on": _("The last day held is before the lease started (%(day)s).")
                    % {"day": lease.start_date.isoformat()}
                }
            )
        if on > lease.end_date:
            raise ValidationError(
                {
                    "on": _(
                        "The last day held is after the contract's end (%(day)s): renew the "
                        "lease instead."
                    )
                    % {"day": lease.end_date.isoformat()}
                }
            )
        units = _lock_units(lease.units.all(), user)
        early = on < lease.end_date
        lease.state = Lease.State.TERMINATED if early else Lease.State.ENDED
        lease.ended_on = on
        lease.save()
        _release(units, lease=lease)
        _event(
            enterprise,
            EnterpriseEvent.Kind.LEASE_TERMINATED if early else EnterpriseEvent.Kind.LEASE_ENDED,
            date=on,
            user=user,
            building=lease.building,
            lease=lease,
            note=note,
            data={"area_m2": str(lease.area_m2)},
        )
        if not _present_in(enterprise, lease.building, on + ONE_DAY, exclude=[lease.pk]):
            _event(
                enterprise,
                EnterpriseEvent.Kind.MOVE_OUT,
                date=on,
                user=user,
                building=lease.building,
                lease=lease,
            )
        relocate_enterprise(enterprise)
    return lease


# -- enterprises ------------------------------------------------------------------------------


def _change_status(enterprise: Enterprise, status: str, *, on: dt.date, user, note: str):
    before = enterprise.status
    enterprise.status = status
    enterprise.status_changed_on = on
    enterprise.save()
    _event(
        enterprise,
        EnterpriseEvent.Kind.STATUS_CHANGED,
        date=on,
        user=user,
        note=note,
        data={"from": before, "to": status},
    )


def set_enterprise_status(
    enterprise, status: str, *, user=None, on: dt.date | None = None, note: str = ""
) -> Enterprise:
    """在营 / 迁出 / 注销: an enterprise that moves out of the street or is deregistered must have
    ended its leases first; a deregistered enterprise stays deregistered."""
    _require(user, "economy.change_enterprise")
    if status not in Enterprise.Status.values:
        raise ValidationError(
            {"status": _("Unknown business status “%(value)s”.") % {"value": status}}
        )
    on = _today(on)
    with transaction.atomic():
        enterprise = _load(Enterprise, enterprise, user, "change")
        if enterprise.status == status:
            raise ValidationError(
                {
                    "status": _("The enterprise is already “%(status)s”.")
                    % {"status": enterprise.get_status_display()}
                }
            )
        if enterprise.status == Enterprise.Status.DEREGISTERED:
            raise ValidationError(
                {"status": _("A deregistered enterprise cannot change its status.")}
            )
        if status != Enterprise.Status.ACTIVE:
            holding = list(
                enterprise.leases.current()
                .order_by("contract_number")[:5]
                .values_list("contract_number", flat=True)
            )
            if holding:
                raise ValidationError(
                    {
                        "status": _(
                            "The enterprise still holds leases in force (%(contracts)s): end "
                            "them first."
                        )
                        % {"contracts": "、".join(holding)}
                    }
                )
        _change_status(enterprise, status, on=on, user=user, note=note)
    return enterprise


# -- move-out warnings ----------------------------------------------------------------------


def _clean_evidence(evidence) -> list[dict]:
    problem = _("Evidence is a list of findings, each with a rule and a text.")
    if not isinstance(evidence, list | tuple) or not evidence:
        raise ValidationError({"evidence": problem})
    out = []
    for item in evidence:
        if not isinstance(item, dict):
            raise ValidationError({"evidence": problem})
        rule, text = str(item.get("rule", "")).strip(), str(item.get("text", "")).strip()
        values = item.get("values", {})
        if not rule or not text or not isinstance(values, dict):
            raise ValidationError({"evidence": problem})
        out.append({"rule": rule, "text": text, "values": values})
    return out


def _note(note: str, *, required: bool) -> str:
    note = (note or "").strip()
    if required and not note:
        raise ValidationError({"note": _("Write what happened.")})
    return note


def raise_warning(
    enterprise,
    *,
    risk_score,
    evidence: list[dict],
    user=None,
    building=None,
    raised_on: dt.date | None = None,
    note: str = "",
) -> MoveOutWarning:
    """迁出预警: raise a warning for ``enterprise`` with the rules' ``evidence`` and a risk score
    (0–100), or, when one is not closed yet, update its evidence and score (the rules run
    again every month; an enterprise has one warning at a time)."""
    _require(user, "economy.add_moveoutwarning")
    score = _decimal(risk_score, "risk_score")
    if score > 100:
        raise ValidationError({"risk_score": _("A risk score lies between 0 and 100.")})
    evidence = _clean_evidence(evidence)
    raised_on = _today(raised_on)
    with transaction.atomic():
        enterprise = _load(Enterprise, enterprise, user, "view")
        if building is not None and not isinstance(building, OfficeBuilding):
            building = OfficeBuilding.objects.get(pk=building)
        warning = (
            MoveOutWarning.objects.select_for_update()
            .filter(enterprise=enterprise)
            .exclude(state=MoveOutWarning.State.CLOSED)
            .first()
        )
        if warning is not None:
            before = {"risk_score": str(warning.risk_score), "rules": _rules(warning.evidence)}
            warning.risk_score = score
            warning.evidence = evidence
            if building is not None:
                warning.building = building
            warning.save()
            _warning_event(
                warning,
                WarningEvent.Action.UPDATED,
                from_state=warning.state,
                user=user,
                note=note,
                data={
                    "before": before,
                    "after": {"risk_score": str(score), "rules": _rules(evidence)},
                },
            )
            return warning
        warning = MoveOutWarning.objects.create(
            enterprise=enterprise,
            building=building,
            raised_on=raised_on,
            risk_score=score,
            evidence=evidence,
        )
        _warning_event(
            warning,
            WarningEvent.Action.RAISED,
            from_state="",
            user=user,
            note=note,
            data={"risk_score": str(score), "rules": _rules(evidence)},
        )
        _event(
            enterprise,
            EnterpriseEvent.Kind.WARNING_RAISED,
            date=raised_on,
            user=user,
            building=building,
            warning=warning,
            data={"risk_score": str(score), "rules": _rules(evidence)},
        )
    return warning


def _rules(evidence: list[dict]) -> list[str]:
    return [e["rule"] for e in evidence]


def _open_warning(warning, user, action: str) -> MoveOutWarning:
    warning = _load(MoveOutWarning, warning, user, action, related=("enterprise",))
    if warning.state == MoveOutWarning.State.CLOSED:
        raise ValidationError({"warning": _("This warning is closed.")})
    return warning


def assign_warning(warning, assignee, *, user=None, note: str = "") -> MoveOutWarning:
    """指派: hand the warning to ``assignee`` (the building's 楼长 or a specialist), who must be
    able to follow it up (the permission, and the enterprise within their area) and whom
    ``user`` may see: nobody hands work to an account outside their own scope."""
    _require(user, "economy.assign_moveoutwarning")
    note = _note(note, required=False)
    with transaction.atomic():
        warning = _open_warning(warning, user, "view")
        if assignee is None or not getattr(assignee, "is_active", False):
            raise ValidationError({"assignee": _("Choose an active user.")})
        if (
            user is not None
            and not User.objects.restrict(user, "view").filter(pk=assignee.pk).exists()
        ):
            raise ValidationError(
                {
                    "assignee": _(
                        "The %(model)s “%(value)s” is outside your area of responsibility."
                    )
                    % {"model": User._meta.verbose_name, "value": _actor(assignee)}
                }
            )
        if not MoveOutWarning.objects.restrict(assignee, "change").filter(pk=warning.pk).exists():
            raise ValidationError(
                {
                    "assignee": _(
                        "%(user)s may not follow up this warning (role or area of responsibility)."
                    )
                    % {"user": _actor(assignee)}
                }
            )
        if warning.assignee_id == assignee.pk:
            raise ValidationError(
                {
                    "assignee": _("The warning is assigned to %(user)s already.")
                    % {"user": _actor(assignee)}
                }
            )
        before = warning.state
        warning.assignee = assignee
        if warning.state == MoveOutWarning.State.OPEN:
            warning.state = MoveOutWarning.State.ASSIGNED
        warning.save()
        _warning_event(
            warning,
            WarningEvent.Action.ASSIGNED,
            from_state=before,
            user=user,
            note=note,
            data={"assignee": assignee.pk, "assignee_name": _actor(assignee)},
        )
    return warning


def record_warning_visit(
    warning, *, visited_on: dt.date, note: str, user=None, today=None
) -> MoveOutWarning:
    """走访: record a visit to the enterprise (what was learnt in ``note``); the warning is then
    being followed up."""
    _require(user, "economy.change_moveoutwarning")
    note = _note(note, required=True)
    if not isinstance(visited_on, dt.date):
        raise ValidationError({"visited_on": _("Give the day of the visit.")})
    if visited_on > _today(today):
        raise ValidationError({"visited_on": _("The visit lies in the future.")})
    with transaction.atomic():
        warning = _open_warning(warning, user, "change")
        if warning.state == MoveOutWarning.State.OPEN:
            raise ValidationError({"warning": _("Assign the warning before recording visits.")})
        if visited_on < warning.raised_on:
            raise ValidationError(
                {
                    "visited_on": _("The visit is before the warning was raised (%(day)s).")
                    % {"day": warning.raised_on.isoformat()}
                }
            )
        before = warning.state
        warning.state = MoveOutWarning.State.FOLLOWING_UP
        warning.save()
        _warning_event(
            warning,
            WarningEvent.Action.VISIT,
            from_state=before,
            user=user,
            note=note,
            visited_on=visited_on,
        )
    return warning


def add_warning_note(warning, *, note: str, user=None) -> MoveOutWarning:
    """A note on the warning's timeline (a call, a document, a decision); a closed warning takes
    notes too (what was learnt later)."""
    _require(user, "economy.change_moveoutwarning")
    note = _note(note, required=True)
    with transaction.atomic():
        warning = _load(MoveOutWarning, warning, user, "change")
        _warning_event(
            warning, WarningEvent.Action.NOTE, from_state=warning.state, user=user, note=note
        )
    return warning


def close_warning(warning, outcome: str, *, note: str, user=None, now=None) -> MoveOutWarning:
    """办结: close the warning with its outcome: retained (已留住), left (已迁出) or a false alarm
    (误报). The outcomes are the labels a model can later learn from; an enterprise that left
    is marked moved out by :func:`set_enterprise_status`."""
    _require(user, "economy.change_moveoutwarning")
    if outcome not in MoveOutWarning.Outcome.values:
        raise ValidationError({"outcome": _("Unknown outcome “%(value)s”.") % {"value": outcome}})
    note = _note(note, required=True)
    now = now or timezone.now()
    with transaction.atomic():
        warning = _open_warning(warning, user, "change")
        before = warning.state
        warning.state = MoveOutWarning.State.CLOSED
        warning.outcome = outcome
        warning.closed_at = now
        warning.save()
        _warning_event(
            warning,
            WarningEvent.Action.CLOSED,
            from_state=before,
            user=user,
            note=note,
            data={"outcome": outcome},
        )
        _event(
            warning.enterprise,
            EnterpriseEvent.Kind.WARNING_CLOSED,
            date=timezone.localdate(now),
            user=user,
            building=warning.building,
            warning=warning,
            note=note,
            data={"outcome": outcome},
        )
    return warning


# -- industrial chains -----------------------------------------------------------------------


def set_chain_industries(chain, industries, *, reason: str, user=None) -> IndustryChain:
    """Change the GB/T 4754-2017 classes an industrial chain (一楼一链) lists — section letters
    or code prefixes, a list or one comma-separated text — with the reason the change log
    keeps (a chain's history is its change-log entries). The towers on the chain, the
    whitelist's chain gap and the space matching read the new list from then on."""
    _require(user, "economy.change_industrychain")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for the change.")})
    if isinstance(industries, str):
        industries = industries.replace("，", ",").replace("、", ",").split(",")
    prefixes: list[str] = []
    for value in industries:
        value = str(value).strip().upper()
        if value and value not in prefixes:
            prefixes.append(value)
    with transaction.atomic():
        row = _load(IndustryChain, chain, user, "change")
        if row.industry_prefixes == prefixes:
            return row  # nothing to change, nothing to log
        row.industries = ",".join(prefixes)
        row.full_clean(exclude=["code", "name"])  # each prefix names a class; the length
        with change_reason(reason):
            row.save(update_fields=["industries"])
    return row
