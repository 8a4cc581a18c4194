"""楼宇经济 (the building brain's data): office towers (楼宇) on top of the registry's buildings,
their floors and rentable units (房源), the enterprises that lease them, the leases, the monthly
tax and headcount the bureaus report, the precomputed monthly figures, and the move-out warnings
(迁出预警) with their follow-up.

Space, leases and enterprises are scoped like the registry (the grid cell of their building;
an enterprise without a building in the street is the street's). Every change goes through
``actions.py``, which writes the enterprise's timeline (``EnterpriseEvent``) and the warning's
(``WarningEvent``) in the same transaction; the change log records the rest.

Occupancy over time is read from the leases' dates, never from the units' current status:
``Lease.objects.held_on(day)`` are the leases that hold their space on ``day``, and their
``area_m2`` summed per ``building`` is the occupied area (see ``occupied_area``).
"""

from __future__ import annotations

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from streetbrain.core.identifiers import validate_credit_code
from streetbrain.core.models import OrgUnit, PlatformModel
from streetbrain.core.scoping import ScopedManager, ScopedQuerySet

# Registry building kinds that can be counted as 楼宇 (office towers and commercial space).
OFFICE_KINDS = ("office", "commercial", "mixed")

INDUSTRY_PREFIX_RE = re.compile(r"\A(?:[A-T]|[0-9]{2,4})\Z")
NON_NEGATIVE = [MinValueValidator(0)]
SHARE = [MinValueValidator(0), MaxValueValidator(1)]


# --- helpers the actions, imports and metrics share ----------------------------------------


def validate_month(value: datetime.date) -> None:
    if value is not None and value.day != 1:
        raise ValidationError(
            _("A month is stored as its first day (%(day)s is not).") % {"day": value.isoformat()},
            code="not_month_start",
        )


def validate_industry_prefix(value: str) -> None:
    """一楼一品 targets and chains name industries by a GB/T 4754-2017 prefix: a section letter
    (门类, "I") or the first 2–4 digits of a class code (大类 "65", 中类 "651", 小类 "6510"). The
    prefix must name at least one class of the shared code table."""
    from streetbrain.registry.models import IndustryClass, IndustrySection

    if not value:
        return
    if not INDUSTRY_PREFIX_RE.match(value):
        raise ValidationError(
            _(
                "An industry is a GB/T 4754-2017 section letter (A–T) or the first 2 to 4 "
                "digits of a class code, e.g. I or 65."
            ),
            code="invalid_industry_prefix",
        )
    if value.isalpha():
        exists = IndustrySection.objects.filter(code=value).exists()
    else:
        exists = IndustryClass.objects.filter(code__startswith=value).exists()
    if not exists:
        raise ValidationError(
            _("No GB/T 4754-2017 industry starts with “%(value)s”.") % {"value": value},
            code="unknown_industry_prefix",
        )


def industry_q(prefix: str, path: str = "industry") -> Q:
    """Rows whose industry class (at ``path``) falls under a GB/T 4754 prefix (see above)."""
    if prefix.isalpha():
        return Q(**{f"{path}__section__code": prefix})
    return Q(**{f"{path}__code__startswith": prefix})


# --- reference data -----------------------------------------------------------------------------


class IndustryChain(models.Model):
    """产业链 (一楼一链): a chain the street builds (数字经济, 港航物流, 金融服务 …) and assigns
    buildings to. ``industries`` names the GB/T 4754 prefixes its enterprises fall under."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60, unique=True)
    industries = models.CharField(
        _("industries"),
        max_length=200,
        blank=True,
        help_text=_(
            "GB/T 4754-2017 section letters or code prefixes, separated by commas (e.g. G58,G59)."
        ),
    )
    description = models.TextField(_("description"), blank=True)

    objects = ScopedManager()
    scope_lookup = None  # the street's own reference data
    audit_enabled = True

    class Meta:
        verbose_name = _("industrial chain")
        verbose_name_plural = _("industrial chains")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def industry_prefixes(self) -> list[str]:
        return [p.strip() for p in self.industries.split(",") if p.strip()]

    def clean(self):
        errors = []
        for prefix in self.industry_prefixes:
            try:
                validate_industry_prefix(prefix)
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError({"industries": errors})


# --- space --------------------------------------------------------------------------------------


class OfficeBuilding(PlatformModel):
    """楼宇: an office or commercial tower the building economy counts. Its name, address,
    storeys and footprint are the registry's building (楼栋); this adds what the building brain
    needs: grade, owner and operator, the street's 楼长 (一楼一长), its industrial chain
    (一楼一链) and its signature-industry target (一楼一品)."""

    class Grade(models.TextChoices):
        SUPER_A = "super_a", _("Super grade A (超甲级)")
        A = "a", _("Grade A (甲级)")
        B = "b", _("Grade B (乙级)")
        C = "c", _("Grade C (丙级)")
        UNGRADED = "ungraded", _("Ungraded")

    building = models.OneToOneField(
        "registry.Building",
        verbose_name=_("building"),
        on_delete=models.PROTECT,
        related_name="office",
    )
    grade = models.CharField(
        _("grade"), max_length=10, choices=Grade.choices, default=Grade.UNGRADED
    )
    owner = models.CharField(_("owner (产权单位)"), max_length=100, blank=True)
    manager = models.CharField(
        _("operator (运营管理方)"),
        max_length=100,
        blank=True,
        help_text=_(
            "The company that manages and lets the space; the registry keeps the property "
            "service company (物业)."
        ),
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("building leader (楼长)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_buildings",
        help_text=_("一楼一长: the street's person responsible for the building."),
    )
    chain = models.ForeignKey(
        IndustryChain,
        verbose_name=_("industrial chain (一楼一链)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="buildings",
    )
    signature_industry = models.CharField(
        _("signature industry (一楼一品)"),
        max_length=4,
        blank=True,
        validators=[validate_industry_prefix],
        help_text=_("The industry the building should be known for: a GB/T 4754-2017 prefix."),
    )
    signature_share = models.DecimalField(
        _("signature industry target share"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.300"),
        validators=SHARE,
        help_text=_("The share (0–1) of tenants' tax the signature industry should reach."),
    )
    leasable_area_m2 = models.DecimalField(
        _("leasable area (m²)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
        help_text=_("As the operator declares it; empty: the sum of the units' areas."),
    )
    osm_ref = models.CharField(
        _("OpenStreetMap reference"),
        max_length=40,
        blank=True,
        help_text=_(
            "Set when the name and footprint are real OpenStreetMap data (© OpenStreetMap "
            "contributors, ODbL)."
        ),
    )

    url_name = "economy:officebuilding_detail"

    class Meta:
        verbose_name = _("office building")
        verbose_name_plural = _("office buildings")
        ordering = ["building__code"]

    def __str__(self) -> str:
        return self.building.name if self.building_id else ""

    @property
    def name(self) -> str:
        return self.building.name

    def save(self, *args, **kwargs):
        self.org_unit_id = self.building.org_unit_id  # the tower lies in its building's grid
        super().save(*args, **kwargs)

    def clean(self):
        if self.building_id and self.building.kind not in OFFICE_KINDS:
            raise ValidationError(
                {
                    "building": _(
                        "Only office, commercial or mixed-use buildings are office buildings."
                    )
                }
            )

    def units_area(self) -> Decimal:
        return self.units.aggregate(total=Sum("area_m2"))["total"] or Decimal(0)


class Floor(PlatformModel):
    """楼层: one storey of an office building; below ground the numbers are negative (B1 = −1)."""

    class Use(models.TextChoices):
        OFFICE = "office", _("Office (办公)")
        RETAIL = "retail", _("Retail (商业)")
        AMENITY = "amenity", _("Amenities (配套)")
        REFUGE = "refuge", _("Refuge floor (避难层)")
        PLANT = "plant", _("Plant room (设备层)")
        PARKING = "parking", _("Parking (停车)")

    building = models.ForeignKey(
        OfficeBuilding,
        verbose_name=_("office building"),
        on_delete=models.CASCADE,
        related_name="floors",
    )
    number = models.SmallIntegerField(_("floor"), help_text=_("1 is the ground floor; B1 is −1."))
    label = models.CharField(_("label"), max_length=10, blank=True, help_text=_("e.g. 12F, B1"))
    use = models.CharField(_("use"), max_length=10, choices=Use.choices, default=Use.OFFICE)

    audit_parent = "building"

    class Meta:
        verbose_name = _("floor")
        verbose_name_plural = _("floors")
        ordering = ["building", "number"]
        constraints = [
            models.UniqueConstraint(fields=["building", "number"], name="floor_building_number"),
            models.CheckConstraint(condition=~Q(number=0), name="floor_number_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.building} {self.display_label}" if self.building_id else self.display_label

    @property
    def display_label(self) -> str:
        if self.label:
            return self.label
        return f"B{-self.number}" if self.number < 0 else f"{self.number}F"

    def save(self, *args, **kwargs):
        self.org_unit_id = self.building.org_unit_id
        super().save(*args, **kwargs)

    def clean(self):
        if self.number == 0:
            raise ValidationError({"number": _("There is no floor 0: B1 is −1, the ground is 1.")})


class Unit(PlatformModel):
    """单元 (房源): a rentable space on a floor, with its area, its letting status now and its
    asking rent. The status is today's; occupancy in the past comes from the leases."""

    class Status(models.TextChoices):
        OCCUPIED = "occupied", _("Occupied (已租)")
        VACANT_AVAILABLE = "vacant_available", _("Vacant, available (空置可租)")
        VACANT_UNAVAILABLE = "vacant_unavailable", _("Vacant, not available (空置不可租)")
        OCCUPIED_AVAILABLE = "occupied_available", _("Occupied, coming free (在租可招)")

    building = models.ForeignKey(
        OfficeBuilding,
        verbose_name=_("office building"),
        on_delete=models.PROTECT,
        related_name="units",
    )
    floor = models.ForeignKey(
        Floor, verbose_name=_("floor"), on_delete=models.PROTECT, related_name="units"
    )
    code = models.CharField(_("unit number"), max_length=20, help_text=_("e.g. 1201"))
    area_m2 = models.DecimalField(
        _("area (m²)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("Leasable area (计租面积)."),
    )
    status = models.CharField(
        _("letting status"), max_length=20, choices=Status.choices, default=Status.VACANT_AVAILABLE
    )
    asking_rent = models.DecimalField(
        _("asking rent (CNY/m²/day)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
        help_text=_("The quoted rent (挂牌租金), not what a lease pays."),
    )

    audit_parent = "building"

    # Statuses of let space, and of space on the market (availability, not vacancy).
    LET = (Status.OCCUPIED, Status.OCCUPIED_AVAILABLE)
    AVAILABLE = (Status.VACANT_AVAILABLE, Status.OCCUPIED_AVAILABLE)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["building", "code"]
        constraints = [
            models.UniqueConstraint(fields=["building", "code"], name="unit_building_code")
        ]
        indexes = [models.Index(fields=["building", "status"], name="unit_building_status")]

    def __str__(self) -> str:
        return f"{self.building} {self.code}" if self.building_id else self.code

    def save(self, *args, **kwargs):
        floor = self.floor if Unit.floor.is_cached(self) else None
        if self.floor_id is None and floor is not None and floor._state.adding:
            # A unit list (房源表) names floors by number: the first unit on a floor the
            # building does not have yet brings it (the import builds it, unsaved).
            floor.save()
        self.building_id = self.floor.building_id  # a unit lies in its floor's building
        self.org_unit_id = self.floor.org_unit_id
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:  # the unit's cell in its building's stacking plan
        return f"{self.building.get_absolute_url()}#unit-{self.pk}"

    def clean_fields(self, exclude=None):
        floor = self.floor if Unit.floor.is_cached(self) else None
        if floor is not None and floor._state.adding:  # saved with the unit (see save)
            exclude = {*(exclude or ()), "floor"}
        super().clean_fields(exclude=exclude)

    def clean(self):
        if self.floor_id and self.building_id and self.floor.building_id != self.building_id:
            raise ValidationError({"floor": _("The floor belongs to another building.")})


# --- enterprises ------------------------------------------------------------------------------


class Enterprise(PlatformModel):
    """企业: a company in the street's towers, found by its unified social credit code
    (统一社会信用代码, GB 32100). Scoped by the grid cell of its main building (the one where it
    leases the most), or by the street while it has no space in a tower."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Operating (在营)")
        MOVED_OUT = "moved_out", _("Moved out (迁出)")
        DEREGISTERED = "deregistered", _("Deregistered (注销)")

    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("org unit"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "Who looks after the enterprise: the grid cell of its main building, else the street."
        ),
    )
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
    )
    name = models.CharField(_("name"), max_length=200, db_index=True)
    industry = models.ForeignKey(
        "registry.IndustryClass",
        verbose_name=_("industry"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("GB/T 4754-2017 class (小类)."),
    )
    founded_on = models.DateField(_("founded"), null=True, blank=True)
    registered_capital = models.DecimalField(
        _("registered capital (CNY 10,000)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    locally_registered = models.BooleanField(
        _("local tax registration (属地注册)"),
        default=True,
        help_text=_("Registered for tax in the district, so its tax counts here."),
    )
    registered_address = models.CharField(_("registered address"), max_length=200, blank=True)
    status = models.CharField(
        _("business status"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    status_changed_on = models.DateField(_("status changed on"), null=True, blank=True)

    url_name = "economy:enterprise_detail"

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["status", "industry"], name="enterprise_status_industry"),
            # A narrow scope's cursor pages, one unit at a time (core.api.pagination.ByUnit).
            models.Index(fields=["org_unit", "id"], name="enterprise_unit_id"),
        ]

    def __str__(self) -> str:
        return self.name

    def registry_building_ids(self, day: datetime.date | None = None) -> list[int]:
        """The registry buildings of the towers where it holds space on ``day`` (today):
        where the platform's other apps find it (the case engine's cases at its buildings,
        on its profile)."""
        day = day or timezone.localdate()
        return list(
            Lease.objects.held_on(day)
            .filter(enterprise=self)
            .values_list("building__building_id", flat=True)
            .distinct()
        )


class HeadcountRecord(models.Model):
    """从业人数: an enterprise's staff in a month, and how many of them pay social insurance
    (参保人数) where the source says."""

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.CASCADE,
        related_name="headcounts",
    )
    month = models.DateField(_("month"), validators=[validate_month])
    headcount = models.PositiveIntegerField(_("headcount"))
    insured = models.PositiveIntegerField(_("with social insurance"), null=True, blank=True)

    objects = ScopedManager()
    scope_lookup = "enterprise__org_unit__path"
    audit_enabled = True
    audit_parent = "enterprise"

    class Meta:
        verbose_name = _("headcount record")
        verbose_name_plural = _("headcount records")
        ordering = ["enterprise", "month"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "month"], name="headcount_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="headcount_month_start"),
        ]
        indexes = [models.Index(fields=["month"], name="headcount_month_idx")]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.month:%Y-%m}"


class TaxRecord(models.Model):
    """税收: an enterprise's tax for one period (所属期) as the tax bureau reports it, in yuan:
    all taxes (税收合计) and the part the district keeps (地方留存). Refunds can make a month
    negative."""

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.CASCADE,
        related_name="tax_records",
    )
    month = models.DateField(_("tax period"), validators=[validate_month])
    total_tax = models.DecimalField(_("total tax (CNY)"), max_digits=16, decimal_places=2)
    local_tax = models.DecimalField(
        _("locally retained tax (CNY)"), max_digits=16, decimal_places=2
    )

    objects = ScopedManager()
    scope_lookup = "enterprise__org_unit__path"
    audit_enabled = True
    audit_parent = "enterprise"

    class Meta:
        verbose_name = _("tax record")
        verbose_name_plural = _("tax records")
        ordering = ["enterprise", "month"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "month"], name="tax_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="tax_month_start"),
        ]
        indexes = [models.Index(fields=["month"], name="tax_month_idx")]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.month:%Y-%m}"

    def clean(self):
        if (
            self.total_tax is not None
            and self.local_tax is not None
            and self.total_tax >= 0
            and self.local_tax > self.total_tax
        ):
            raise ValidationError(
                {"local_tax": _("The locally retained tax cannot exceed the total tax.")}
            )


# --- leases -----------------------------------------------------------------------------------


# A lease "ends soon" when its contract ends by the end of the sixth month after this one and
# no renewal is signed: the horizon of the move-out rule (``rules.lease_expiring``), so the
# lease list, the building page and the warnings count the same leases.
LEASE_EXPIRY_MONTHS = 6


def expiry_horizon(day: datetime.date, months: int = LEASE_EXPIRY_MONTHS) -> datetime.date:
    """The last day of the ``months``-th month after ``day``'s (2026-03-31 → 2026-09-30)."""
    index = day.year * 12 + day.month + months  # the month after the horizon's, 0-based
    return datetime.date(index // 12, index % 12 + 1, 1) - datetime.timedelta(days=1)


def last_day_expression() -> Coalesce:
    """``Lease.last_day`` as a database expression (the ``lease_last_day`` index's)."""
    return Coalesce("ended_on", "end_date")


class LeaseQuerySet(ScopedQuerySet):
    def held_on(self, day: datetime.date) -> LeaseQuerySet:
        """Leases whose space is held on ``day``: started, and not yet past their last day
        (the day it ended if it did, else the contract's end)."""
        return self.filter(start_date__lte=day).filter(
            Q(ended_on__gte=day) | Q(ended_on__isnull=True, end_date__gte=day)
        )

    def held_between(self, first: datetime.date, last: datetime.date) -> LeaseQuerySet:
        """Leases holding their space on at least one day of [first, last]."""
        return self.filter(start_date__lte=last).filter(
            Q(ended_on__gte=first) | Q(ended_on__isnull=True, end_date__gte=first)
        )

    def current(self) -> LeaseQuerySet:
        return self.filter(state=Lease.State.ACTIVE)

    def with_term_status(self, day: datetime.date, name: str = "term_status") -> LeaseQuerySet:
        """Annotates ``name`` with the lease's ``Lease.TermStatus`` on ``day``."""
        return self.annotate(**{name: term_status_expression(day)})

    def term_status(self, status: str, day: datetime.date) -> LeaseQuerySet:
        """The leases in ``status`` (a ``Lease.TermStatus``) on ``day``."""
        return self.alias(_term_status=term_status_expression(day)).filter(_term_status=status)

    def by_term_parts(self, day: datetime.date) -> list[LeaseQuerySet]:
        """These leases in the lease list's order on ``day`` (``by_term``), as three
        disjoint querysets to read one after the other: ending (by last day), in force (by
        last day), ended (the most recent first); ties by contract number. Each is read
        along the ``lease_last_day`` index from ``day``, so a page costs its rows at any size
        of the list; the order as one ``ORDER BY`` sorts every lease of the scope first
        (1.3 s over a district's 527,830)."""
        qs = self.alias(_last_day=last_day_expression(), _status=term_status_expression(day))
        held = qs.filter(_last_day__gte=day)
        return [
            held.filter(_status=Lease.TermStatus.ENDING).order_by("_last_day", "contract_number"),
            held.filter(_status=Lease.TermStatus.IN_FORCE).order_by("_last_day", "contract_number"),
            qs.filter(_last_day__lt=day).order_by("-_last_day", "contract_number"),
        ]

    def by_term(self, day: datetime.date) -> LeaseQuerySet:
        """These leases in the lease list's order on ``day`` as one ``ORDER BY`` (the export's
        and the reference of ``by_term_parts``): ending, then in force, each by the last day
        the space is held; then the ended ones, the most recent first."""
        ended = Lease.TermStatus.ENDED
        qs = self.alias(_last_day=last_day_expression(), _status=term_status_expression(day))
        return qs.alias(
            _term_rank=models.Case(
                models.When(Q(_status=Lease.TermStatus.ENDING), then=models.Value(0)),
                models.When(Q(_status=Lease.TermStatus.IN_FORCE), then=models.Value(1)),
                default=models.Value(2),
            ),
            _current_last_day=models.Case(
                models.When(Q(_status=ended), then=None), default=models.F("_last_day")
            ),
            _current_number=models.Case(
                models.When(Q(_status=ended), then=None), default=models.F("contract_number")
            ),
        ).order_by(
            "_term_rank", "_current_last_day", "_current_number", "-_last_day", "-contract_number"
        )


LeaseManager = models.Manager.from_queryset(LeaseQuerySet)


class Lease(PlatformModel):
    """租赁合同: an enterprise leases one or more units of one office building for a term, with
    a rent-free period (免租期) and a contract rent; a renewal is a new lease pointing at the one
    it continues. ``area_m2`` is the leased area as signed (the units' areas at the time), so
    later changes to a unit do not rewrite the past.

    States: 在租 (active: the current contract), 已续签 (renewed: continued by its renewal),
    已到期 (ended at the contract's end), 提前退租 (terminated before it). ``ended_on`` is the
    last day the space was held once the lease is no longer active."""

    class State(models.TextChoices):
        ACTIVE = "active", _("In force (在租)")
        RENEWED = "renewed", _("Renewed (已续签)")
        ENDED = "ended", _("Ended (已到期)")
        TERMINATED = "terminated", _("Terminated early (提前退租)")

    class TermStatus(models.TextChoices):
        """Where a lease stands on a day (the lease list's status): see
        ``term_status_expression``."""

        IN_FORCE = "in_force", _("In force (在租)")
        ENDING = "ending", _("Ending within 6 months, not renewed")
        ENDED = "ended", _("Ended")

    contract_number = models.CharField(_("contract number"), max_length=40, unique=True)
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="leases"
    )
    building = models.ForeignKey(
        OfficeBuilding,
        verbose_name=_("office building"),
        on_delete=models.PROTECT,
        related_name="leases",
    )
    units = models.ManyToManyField(Unit, verbose_name=_("units"), related_name="leases")
    area_m2 = models.DecimalField(
        _("leased area (m²)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    start_date = models.DateField(_("lease start"))
    end_date = models.DateField(_("lease end"), help_text=_("The contract's last day."))
    rent_free_months = models.DecimalField(
        _("rent-free months"),
        max_digits=4,
        decimal_places=1,
        default=Decimal(0),
        validators=NON_NEGATIVE,
    )
    contract_rent = models.DecimalField(
        _("contract rent (CNY/m²/day)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    state = models.CharField(
        _("lease state"), max_length=10, choices=State.choices, default=State.ACTIVE
    )
    ended_on = models.DateField(
        _("last day held"),
        null=True,
        blank=True,
        help_text=_("When the lease is no longer in force: the last day the space was held."),
    )
    renewed_from = models.OneToOneField(
        "self",
        verbose_name=_("renewal of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="renewal",
    )

    objects = LeaseManager()
    audit_parent = "enterprise"

    class Meta:
        verbose_name = _("lease")
        verbose_name_plural = _("leases")
        ordering = ["building", "start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="lease_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(state="active") | Q(ended_on__isnull=False),
                name="lease_ended_on_when_over",
            ),
        ]
        indexes = [
            models.Index(fields=["building", "start_date"], name="lease_building_start"),
            models.Index(fields=["enterprise", "state"], name="lease_enterprise_state"),
            models.Index(fields=["end_date"], name="lease_end"),
            # The lease list's order walks this from today, both ways (``by_term_parts``).
            models.Index(last_day_expression(), models.F("contract_number"), name="lease_last_day"),
        ]

    def __str__(self) -> str:
        return self.contract_number

    def save(self, *args, **kwargs):
        self.org_unit_id = self.building.org_unit_id
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The lease ends before it starts.")
        if self.state != self.State.ACTIVE and self.ended_on is None:
            errors["ended_on"] = _("A lease no longer in force needs its last day.")
        if self.ended_on and self.start_date and self.ended_on < self.start_date - _ONE_DAY:
            errors["ended_on"] = _("The last day held is before the lease started.")
        if self.rent_free_months and self.term_months and self.rent_free_months > self.term_months:
            errors["rent_free_months"] = _("The rent-free period is longer than the lease.")
        if errors:
            raise ValidationError(errors)

    @property
    def last_day(self) -> datetime.date:
        """The last day the space is (or was) held."""
        return self.ended_on or self.end_date

    @property
    def term_months(self) -> Decimal | None:
        """The contract term in months (whole months plus the rest of days / 30)."""
        if not (self.start_date and self.end_date):
            return None
        end = self.end_date + _ONE_DAY
        months = (end.year - self.start_date.year) * 12 + end.month - self.start_date.month
        days = end.day - self.start_date.day
        return Decimal(months) + (Decimal(days) / 30).quantize(Decimal("0.1"))

    @property
    def effective_rent(self) -> Decimal | None:
        """The contract rent net of the rent-free period, CNY/m²/day (有效租金)."""
        term = self.term_months
        if self.contract_rent is None or not term:
            return None
        paying = max(term - (self.rent_free_months or 0), Decimal(0))
        return (self.contract_rent * paying / term).quantize(Decimal("0.01"), ROUND_HALF_UP)


_ONE_DAY = datetime.timedelta(days=1)


def term_status_expression(day: datetime.date) -> models.Case:
    """``Lease.TermStatus`` on ``day`` as a database expression (filters, sorts, annotations):
    ended once its last day has passed (a renewed lease holds its space until its renewal
    starts); ending when in force, its contract ends by ``expiry_horizon(day)`` and no renewal
    is signed; else in force (also a lease signed to start later)."""
    ended = Q(ended_on__lt=day) | Q(ended_on__isnull=True, end_date__lt=day)
    ending = Q(state=Lease.State.ACTIVE, end_date__lte=expiry_horizon(day), renewal__isnull=True)
    return models.Case(
        models.When(ended, then=models.Value(Lease.TermStatus.ENDED)),
        models.When(ending, then=models.Value(Lease.TermStatus.ENDING)),
        default=models.Value(Lease.TermStatus.IN_FORCE),
        output_field=models.CharField(),
    )


def occupied_area(building: OfficeBuilding, day: datetime.date) -> Decimal:
    """The area of ``building`` held by leases on ``day`` (m²)."""
    total = Lease.objects.filter(building=building).held_on(day).aggregate(a=Sum("area_m2"))["a"]
    return total or Decimal(0)


# --- timelines ----------------------------------------------------------------------------------


class MoveOutWarning(models.Model):
    """迁出预警: a sign that an enterprise may leave, with the evidence of the rules that fired
    (``evidence``: a list of {"rule", "text", "values"}) and a risk score (0–100). It is assigned
    to the building's 楼长 or a specialist, followed up (visits, notes) and closed with an
    outcome; each step is a ``WarningEvent``. An enterprise has at most one warning not closed."""

    class State(models.TextChoices):
        OPEN = "open", _("Open (待指派)")
        ASSIGNED = "assigned", _("Assigned (已指派)")
        FOLLOWING_UP = "following_up", _("Following up (跟进中)")
        CLOSED = "closed", _("Closed (已办结)")

    class Outcome(models.TextChoices):
        RETAINED = "retained", _("Retained (已留住)")
        LEFT = "left", _("Left (已迁出)")
        FALSE_ALARM = "false_alarm", _("False alarm (误报)")

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.CASCADE,
        related_name="warnings",
    )
    building = models.ForeignKey(
        OfficeBuilding,
        verbose_name=_("office building"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="warnings",
    )
    raised_on = models.DateField(_("raised on"))
    risk_score = models.DecimalField(
        _("risk score"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("0 to 100: how likely the rules find a move-out."),
    )
    evidence = models.JSONField(_("evidence"), default=list, blank=True)
    state = models.CharField(
        _("warning state"), max_length=12, choices=State.choices, default=State.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedManager()
    scope_lookup = "enterprise__org_unit__path"
    audit_enabled = True
    audit_parent = "enterprise"
    audit_ignore = {"updated_at"}

    class Meta:
        verbose_name = _("move-out warning")
        verbose_name_plural = _("move-out warnings")
        ordering = ["-raised_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=~Q(state="closed"),
                name="warning_one_open_per_enterprise",
            ),
            models.CheckConstraint(
                condition=(Q(state="closed") & ~Q(outcome=""))
                | (~Q(state="closed") & Q(outcome="")),
                name="warning_outcome_iff_closed",
            ),
        ]
        indexes = [models.Index(fields=["state", "raised_on"], name="warning_state_raised")]
        permissions = [("assign_moveoutwarning", _("Can assign move-out warnings"))]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.raised_on:%Y-%m-%d}" if self.enterprise_id else ""

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("economy:moveoutwarning_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state != self.State.CLOSED


class EnterpriseEvent(models.Model):
    """One entry of an enterprise's timeline (企业影像): move-ins and move-outs per building,
    leases signed, renewed and ended, status changes, warnings raised and closed. ``date`` is
    the day it happened (a move-in on the lease's start), ``recorded_at`` when it was written.
    Append-only; written by ``actions.py`` in the transaction of the change."""

    class Kind(models.TextChoices):
        MOVE_IN = "move_in", _("Moved in")
        MOVE_OUT = "move_out", _("Moved out")
        LEASE_SIGNED = "lease_signed", _("Lease signed")
        LEASE_RENEWED = "lease_renewed", _("Lease renewed")
        LEASE_ENDED = "lease_ended", _("Lease ended")
        LEASE_TERMINATED = "lease_terminated", _("Lease terminated early")
        STATUS_CHANGED = "status_changed", _("Business status changed")
        WARNING_RAISED = "warning_raised", _("Move-out warning raised")
        WARNING_CLOSED = "warning_closed", _("Move-out warning closed")

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    date = models.DateField(_("date"))
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    building = models.ForeignKey(
        OfficeBuilding,
        verbose_name=_("office building"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lease = models.ForeignKey(
        Lease,
        verbose_name=_("lease"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    warning = models.ForeignKey(
        MoveOutWarning,
        verbose_name=_("move-out warning"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("actor"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = ScopedManager()
    scope_lookup = "enterprise__org_unit__path"

    class Meta:
        verbose_name = _("enterprise event")
        verbose_name_plural = _("enterprise events")
        ordering = ["date", "recorded_at", "pk"]
        indexes = [
            models.Index(fields=["enterprise", "date"], name="entevent_enterprise_date"),
            models.Index(fields=["kind", "date"], name="entevent_kind_date"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.date} {self.get_kind_display()}"


class WarningEvent(models.Model):
    """One step of a move-out warning's follow-up: raised, updated by the rules, assigned, a
    visit (走访) or a note, closed with its outcome. Append-only."""

    class Action(models.TextChoices):
        RAISED = "raised", _("Raised")
        UPDATED = "updated", _("Evidence updated")
        ASSIGNED = "assigned", _("Assigned")
        VISIT = "visit", _("Visit")
        NOTE = "note", _("Note")
        CLOSED = "closed", pgettext_lazy("move-out warning", "Closed")

    warning = models.ForeignKey(
        MoveOutWarning,
        verbose_name=_("move-out warning"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    time = models.DateTimeField(_("time"), default=timezone.now)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    from_state = models.CharField(
        _("from"), max_length=12, choices=MoveOutWarning.State.choices, blank=True
    )
    to_state = models.CharField(
        _("to"), max_length=12, choices=MoveOutWarning.State.choices, blank=True
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("actor"), max_length=100, blank=True)
    visited_on = models.DateField(_("visited on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = ScopedManager()
    scope_lookup = "warning__enterprise__org_unit__path"

    class Meta:
        verbose_name = _("warning event")
        verbose_name_plural = _("warning events")
        ordering = ["time", "pk"]

    def __str__(self) -> str:
        return f"{self.warning_id} {self.get_action_display()}"


# --- precomputed figures ------------------------------------------------------------------------


class MonthlyFigure(models.Model):
    """The building economy's figures of one month for one scope: a building, a chain, an
    industry (门类 or 大类), or an area — the street, a community, a grid cell (the buildings
    inside it). Computed from the raw rows (leases, units, tax,
    enterprises) by the monthly recomputation and read by dashboards and the API; never
    edited. Areas in m², money in yuan, rates and shares as fractions 0–1.

    ``key`` names the scope's member: the registry building code, the chain code, the section
    letter, the division code, or the area's org-unit code. ``unit_path`` scopes the row (the
    building's grid cell; an area's own unit; the street for chains and industries), so a
    community's users see their community's rows and those of its grid cells and buildings."""

    class Scope(models.TextChoices):
        STREET = "street", _("Street")
        BUILDING = "building", _("Office building")
        CHAIN = "chain", _("Industrial chain")
        SECTION = "section", _("Industry section (门类)")
        DIVISION = "division", _("Industry division (大类)")
        COMMUNITY = "community", _("Community")
        GRID = "grid", _("Grid cell")

    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    key = models.CharField(_("key"), max_length=40)
    month = models.DateField(_("month"), validators=[validate_month])
    building = models.ForeignKey(
        OfficeBuilding,
        verbose_name=_("office building"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="figures",
    )
    unit_path = models.CharField(max_length=255)

    # space, at the month's end
    leasable_area_m2 = models.DecimalField(
        _("leasable area (m²)"), max_digits=14, decimal_places=2, null=True
    )
    occupied_area_m2 = models.DecimalField(
        _("occupied area (m²)"), max_digits=14, decimal_places=2, null=True
    )
    available_area_m2 = models.DecimalField(
        _("available area (m²)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        help_text=_("On the market: vacant and available, or occupied and coming free."),
    )
    units_total = models.PositiveIntegerField(_("units"), null=True)
    units_occupied = models.PositiveIntegerField(_("units occupied"), null=True)
    occupancy_rate = models.FloatField(_("occupancy (area)"), null=True)
    occupancy_rate_by_count = models.FloatField(_("occupancy (units)"), null=True)
    vacancy_rate = models.FloatField(_("vacancy"), null=True)
    net_absorption_m2 = models.DecimalField(
        _("net absorption (m²)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        help_text=_("Occupied area at the month's end minus at its start."),
    )
    leased_new_m2 = models.DecimalField(
        _("newly leased area (m², 去化)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        help_text=_("Area of new leases (renewals excluded) in the month."),
    )
    leased_new_ytd_m2 = models.DecimalField(
        _("newly leased area this year (m²)"), max_digits=14, decimal_places=2, null=True
    )
    # tax
    tax_total = models.DecimalField(
        _("total tax (CNY)"), max_digits=18, decimal_places=2, null=True
    )
    tax_local = models.DecimalField(
        _("locally retained tax (CNY)"), max_digits=18, decimal_places=2, null=True
    )
    tax_total_ytd = models.DecimalField(
        _("total tax this year (CNY)"), max_digits=18, decimal_places=2, null=True
    )
    tax_local_ytd = models.DecimalField(
        _("locally retained tax this year (CNY)"), max_digits=18, decimal_places=2, null=True
    )
    tax_yoy = models.FloatField(
        _("tax year on year"),
        null=True,
        help_text=_("Change of this year's total to date against the same months last year."),
    )
    tax_total_12m = models.DecimalField(
        _("total tax, last 12 months (CNY)"), max_digits=18, decimal_places=2, null=True
    )
    tax_per_m2 = models.DecimalField(
        _("tax per m² (CNY/m²/year, 税收单产)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        help_text=_("The last 12 months' tax over the leasable area."),
    )
    # tenants and industry structure
    tenants = models.PositiveIntegerField(_("tenants"), null=True)
    tenants_local = models.PositiveIntegerField(_("locally registered tenants"), null=True)
    local_registration_rate = models.FloatField(_("local registration rate"), null=True)
    dominant_industry = models.CharField(_("dominant industry"), max_length=4, blank=True)
    dominant_share = models.FloatField(_("dominant industry share"), null=True)
    concentration_hhi = models.FloatField(
        _("industry concentration (HHI)"),
        null=True,
        help_text=_("Herfindahl–Hirschman index of the industries' shares, 0–1."),
    )
    meets_signature_target = models.BooleanField(_("meets its 一楼一品 target"), null=True)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    objects = ScopedManager()
    scope_lookup = "unit_path"

    class Meta:
        verbose_name = _("monthly figure")
        verbose_name_plural = _("monthly figures")
        ordering = ["scope", "key", "month"]
        constraints = [
            models.UniqueConstraint(fields=["scope", "key", "month"], name="figure_scope_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="figure_month_start"),
        ]
        indexes = [
            models.Index(fields=["month", "scope"], name="figure_month_scope"),
            models.Index(fields=["building", "month"], name="figure_building_month"),
        ]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.key} {self.month:%Y-%m}"
