"""Every change to the districts' data goes through here; pages, the REST API, imports'
follow-ups and the demo call these.

Each action checks the user's permission and scope (``user=None`` is the system: the demo,
tasks), validates the whole object before anything is written (``ValidationError`` keyed by
field, in the user's language), and saves through the scope (``scoped_save``: a write that
would leave the user's area rolls back). The change log records every row through the audit
signals and the caller's ``audit_context``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from streetbrain.core.months import month_start
from streetbrain.core.scoping import scoped_save
from streetbrain.economy.models import Enterprise
from streetbrain.registry.models import Shop

from .models import (
    BusinessDistrict,
    Campaign,
    Complex,
    DistrictTarget,
    FirstStore,
    SalesRecord,
    Store,
)


def _require(user, permission: str) -> None:
    if user is not None and not user.has_perm(permission):
        raise PermissionDenied(_("Your role may not do this."))


def _save(obj: models.Model, user) -> models.Model:
    obj.full_clean()
    if user is None:
        obj.save()
        return obj
    return scoped_save(obj, user)


def _in_scope(model, obj, user, action: str = "view"):
    """``obj`` (instance or pk) if ``user`` may ``action`` it, else PermissionDenied."""
    pk = obj.pk if isinstance(obj, models.Model) else obj
    qs = model._default_manager.all() if user is None else model.objects.restrict(user, action)
    row = qs.filter(pk=pk).first()
    if row is None:
        raise PermissionDenied(
            _("This %(model)s is outside your area of responsibility.")
            % {"model": model._meta.verbose_name}
        )
    return row


# -- districts --------------------------------------------------------------------------------


def save_district(user, district: BusinessDistrict, target=None) -> BusinessDistrict:
    """Change a district's description and, with ``target`` = (year, sales target, first
    stores to open), that year's targets (its outline and unit are set up with it, by the
    administrator or the demo)."""
    _require(user, "districts.change_businessdistrict")
    if district.pk is None:
        raise PermissionDenied(_("Your role may not do this."))
    with transaction.atomic():
        _save(district, user)
        if target is not None:
            set_target(user, district, *target)
        return district


def set_target(user, district: BusinessDistrict, year: int, sales_target, first_store_target):
    """The targets of ``district`` in ``year`` (created or changed)."""
    _require(user, "districts.change_businessdistrict")
    district = _in_scope(BusinessDistrict, district, user, "change")
    row = DistrictTarget.objects.filter(district=district, year=year).first()
    row = row or DistrictTarget(district=district, year=year)
    row.sales_target = sales_target
    row.first_store_target = first_store_target
    row.org_unit_id = district.org_unit_id
    with transaction.atomic():
        row.full_clean()
        row.save()  # scoped by its district (checked above), not by a permission of its own
    return row


# -- malls --------------------------------------------------------------------------------------


def save_complex(user, complex: Complex) -> Complex:
    """Add a mall (or complex, department store, shopping street) to a district, or change
    one. It takes the unit of the grid cell of its registry building when it has one, else
    the district's; a point needs both its coordinates."""
    _require(user, "districts.change_complex" if complex.pk else "districts.add_complex")
    if (complex.lon is None) != (complex.lat is None):
        raise ValidationError({"lat": _("Give both the longitude and the latitude, or neither.")})
    if complex.district_id:
        _in_scope(BusinessDistrict, complex.district_id, user)
    if complex.building_id:
        complex.org_unit_id = complex.building.org_unit_id
    elif complex.district_id:
        complex.org_unit_id = complex.district.org_unit_id
    with transaction.atomic():
        return _save(complex, user)


# -- stores and their links ---------------------------------------------------------------------


def find_same_entity(store: Store) -> tuple[Shop | None, Enterprise | None]:
    """The registry shop and the building-economy enterprise that are the same legal entity
    as ``store``: by unified social credit code when the store has one, else by exactly the
    same name (and then only when that name is unique, so that a common name links nothing)."""

    def one(qs):
        rows = list(qs[:2])
        return rows[0] if len(rows) == 1 else None

    if store.credit_code:
        shop = one(Shop.objects.filter(credit_code=store.credit_code))
        enterprise = one(Enterprise.objects.filter(credit_code=store.credit_code))
    else:
        shop = one(Shop.objects.filter(name=store.name))
        enterprise = one(Enterprise.objects.filter(name=store.name))
    return shop, enterprise


def link_store(store: Store, user=None, *, save: bool = True) -> Store:
    """Point ``store`` at its registry shop and enterprise (those the user may see), keeping
    links already set by hand."""
    shop, enterprise = find_same_entity(store)
    if user is not None:
        shop = shop if shop and Shop.objects.restrict(user).filter(pk=shop.pk).exists() else None
        enterprise = (
            enterprise
            if enterprise and Enterprise.objects.restrict(user).filter(pk=enterprise.pk).exists()
            else None
        )
    changed = False
    if store.shop_id is None and shop is not None:
        store.shop, changed = shop, True
    if store.enterprise_id is None and enterprise is not None:
        store.enterprise, changed = enterprise, True
    if save and changed and store.pk:
        _save(store, user)
    return store


def save_store(user, store: Store) -> Store:
    """Create or change a store; it takes the unit of its mall (else of its district) and is
    linked to its shop and enterprise when they are the same entity."""
    _require(user, "districts.change_store" if store.pk else "districts.add_store")
    if store.credit_code:
        store.credit_code = store.credit_code.strip().upper()
    if store.complex_id:
        store.org_unit_id = store.complex.org_unit_id
    elif store.district_id:
        store.org_unit_id = store.district.org_unit_id
    link_store(store, user, save=False)
    with transaction.atomic():
        return _save(store, user)


# -- first stores ------------------------------------------------------------------------------


def record_first_store(user, first_store: FirstStore) -> FirstStore:
    """Enter a first store in the register (or correct one). Its mall and store must be of
    its district; its unit is the mall's (else the district's)."""
    _require(user, "districts.change_firststore" if first_store.pk else "districts.add_firststore")
    if first_store.store_id and not first_store.complex_id:
        first_store.complex_id = first_store.store.complex_id
    if first_store.store_id and first_store.store.district_id != first_store.district_id:
        raise ValidationError({"store": _("The store is in another business district.")})
    if first_store.complex_id:
        first_store.org_unit_id = first_store.complex.org_unit_id
    elif first_store.district_id:
        first_store.org_unit_id = first_store.district.org_unit_id
    with transaction.atomic():
        return _save(first_store, user)


# -- sales -------------------------------------------------------------------------------------


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({"amount": _("Enter a number.")}) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError({"amount": _("Sales cannot be negative.")})
    return amount


def record_sales(user, *, month: dt.date, amount, store=None, complex=None) -> SalesRecord:
    """Record (or correct) the sales of a store — or of a mall as a whole — in a month."""
    _require(user, "districts.add_salesrecord")
    if (store is None) == (complex is None):
        raise ValidationError(_("Sales belong to a store or to a mall."))
    amount = _amount(amount)
    month = month_start(month)
    with transaction.atomic():
        if store is not None:
            store = _in_scope(Store, store, user)
            row = SalesRecord.objects.filter(store=store, month=month).first()
            row = row or SalesRecord(store=store, month=month)
        else:
            complex = _in_scope(Complex, complex, user)
            row = SalesRecord.objects.filter(complex=complex, store=None, month=month).first()
            row = row or SalesRecord(complex=complex, month=month)
        row.amount = amount
        row.fill_from_parents()
        return _save(row, user)


# -- campaigns ---------------------------------------------------------------------------------


def save_campaign(user, campaign: Campaign, members=None) -> Campaign:
    """Create or change a 消费联盟 campaign; its members must be stores of its district that
    the user may see."""
    _require(user, "districts.change_campaign" if campaign.pk else "districts.add_campaign")
    if campaign.district_id:
        campaign.org_unit_id = campaign.district.org_unit_id
    with transaction.atomic():
        _save(campaign, user)
        if members is not None:
            stores = list(
                (Store.objects.all() if user is None else Store.objects.restrict(user)).filter(
                    pk__in=[m.pk if isinstance(m, Store) else m for m in members]
                )
            )
            if len(stores) != len(set(members)):
                raise PermissionDenied(_("A member store is outside your area of responsibility."))
            if any(s.district_id != campaign.district_id for s in stores):
                raise ValidationError(
                    {"members": _("Every member store must be in the campaign's district.")}
                )
            campaign.members.set(stores)
    return campaign


def record_coupons(user, campaign, *, issued: int, redeemed: int, value=None) -> Campaign:
    """The coupons issued and redeemed so far (the alliance's platform reports totals)."""
    _require(user, "districts.change_campaign")
    campaign = _in_scope(Campaign, campaign, user, "change")
    errors = {}
    for name, number in (("coupons_issued", issued), ("coupons_redeemed", redeemed)):
        if not isinstance(number, int) or number < 0:
            errors[name] = _("Enter a whole number, 0 or more.")
    if errors:
        raise ValidationError(errors)
    campaign.coupons_issued, campaign.coupons_redeemed = issued, redeemed
    if value is not None:
        try:
            campaign.coupon_value = _amount(value)
        except ValidationError:
            raise ValidationError({"coupon_value": _("Enter an amount, 0 or more.")}) from None
    with transaction.atomic():
        return _save(campaign, user)
