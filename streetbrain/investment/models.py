"""招商 (investment promotion): the industry whitelist (招商白名单) scored from the street's own
history, the leads (招商线索) and their pipeline, and the parks (电商园区) as carriers beside the
towers.

The whitelist is the street's reference data (``scope_lookup = None``, like the economy's
chains): the factor weights (``WhitelistFactor``) are rows a specialist edits with a reason,
every computation is a ``WhitelistRun`` with one ``WhitelistEntry`` per GB/T 4754 大类 or 中类
holding each factor's value, normalised value, weight and contribution, and a run that is
published gets a version number per year. Pins and exclusions (``IndustryOverride``) carry
their reason. Leads are scoped like the economy's enterprises (the street or a grid cell);
their stage changes only through ``actions.perform``, which writes a ``LeadEvent``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streetbrain.core.identifiers import validate_credit_code
from streetbrain.core.models import PlatformModel
from streetbrain.core.scoping import ScopedManager

NON_NEGATIVE = [MinValueValidator(0)]


# --- the whitelist ----------------------------------------------------------------------------


class Factor(models.TextChoices):
    """The factors an industry is scored on, each read from the economy's data (see
    ``whitelist.compute``)."""

    TAX_PER_M2 = "tax_per_m2", _("Tax per m² occupied")
    TAX_GROWTH = "tax_growth", _("Tax growth on the year before")
    HEADCOUNT_PER_M2 = "headcount_per_m2", _("Headcount per 100 m²")
    STAY = "stay", _("Stay (1 − move-out rate)")
    LOCAL_RATE = "local_rate", _("Local registration rate")
    CHAIN_GAP = "chain_gap", _("Chain gap")


class WhitelistFactor(models.Model):
    """A factor's weight in the whitelist's score. Weights are data: a specialist changes one
    with a reason (the change log keeps it); a weight of 0 leaves the factor out."""

    key = models.CharField(_("factor"), max_length=20, choices=Factor.choices, unique=True)
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    description = models.TextField(_("how it is computed"), blank=True)

    objects = ScopedManager()
    scope_lookup = None  # the street's reference data
    audit_enabled = True

    class Meta:
        verbose_name = _("whitelist factor")
        verbose_name_plural = _("whitelist factors")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.get_key_display()

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("investment:whitelistfactor_edit", args=[self.pk])


class IndustryOverride(models.Model):
    """A specialist's decision on one industry, with its reason: pinned on the whitelist
    whatever its score, or excluded from it. The latest row per code is the one in force;
    ``lifted_at`` ends one."""

    class Kind(models.TextChoices):
        PIN = "pin", _("Pinned")
        EXCLUDE = "exclude", _("Excluded")

    code = models.CharField(_("industry code"), max_length=3)
    kind = models.CharField(_("decision"), max_length=10, choices=Kind.choices)
    reason = models.TextField(_("reason"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("decided at"), default=timezone.now)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)

    objects = ScopedManager()
    scope_lookup = None
    audit_enabled = True

    class Meta:
        verbose_name = _("industry decision")
        verbose_name_plural = _("industry decisions")
        ordering = ["code", "-created_at"]

    def __str__(self) -> str:
        return f"{self.code} {self.get_kind_display()}"


class WhitelistRun(models.Model):
    """One computation of the whitelist, with the weights it used and the data window it read;
    published, it is a version of the yearly whitelist (``year``, ``version``)."""

    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("computed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    first_month = models.DateField(_("from month"))
    last_month = models.DateField(_("to month"))
    weights = models.JSONField(_("weights"), default=dict)
    seconds = models.FloatField(_("seconds"), default=0)
    year = models.PositiveSmallIntegerField(_("whitelist year"), null=True, blank=True)
    version = models.PositiveSmallIntegerField(_("version"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    demo = models.BooleanField(_("demo (synthetic data)"), default=False)

    objects = ScopedManager()
    scope_lookup = None
    audit_enabled = True

    class Meta:
        verbose_name = _("whitelist computation")
        verbose_name_plural = _("whitelist computations")
        ordering = ["-computed_at", "-pk"]
        permissions = [("publish_whitelistrun", "Can publish the whitelist")]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "version"],
                condition=Q(version__isnull=False),
                name="whitelist_year_version",
            )
        ]

    def __str__(self) -> str:
        if self.version:
            return f"{self.year} v{self.version}"
        return f"#{self.pk} {self.computed_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("investment:whitelistrun_detail", args=[self.pk])


class WhitelistEntry(models.Model):
    """One industry (GB/T 4754-2017 大类 or 中类) in a whitelist computation: its score (0–100),
    rank among its level, and ``factors``: per factor its value, normalised value (0–1),
    weight and contribution — everything the page shows to explain the rank."""

    class Level(models.TextChoices):
        DIVISION = "division", _("Division (大类)")
        GROUP = "group", _("Group (中类)")

    run = models.ForeignKey(
        WhitelistRun,
        verbose_name=_("computation"),
        on_delete=models.CASCADE,
        related_name="entries",
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    code = models.CharField(_("industry code"), max_length=3)
    name = models.CharField(_("industry"), max_length=80)
    section = models.CharField(_("section"), max_length=1)
    score = models.FloatField(_("score"))
    rank = models.PositiveIntegerField(_("rank"))
    enterprises = models.PositiveIntegerField(_("enterprises in the street"), default=0)
    area_m2 = models.FloatField(_("area occupied (m²)"), default=0)
    factors = models.JSONField(_("factors"), default=list)
    decision = models.CharField(
        _("decision"), max_length=10, choices=IndustryOverride.Kind.choices, blank=True
    )
    decision_reason = models.TextField(_("reason for the decision"), blank=True)

    objects = ScopedManager()
    scope_lookup = None

    class Meta:
        verbose_name = _("whitelist entry")
        verbose_name_plural = _("whitelist entries")
        ordering = ["run", "level", "rank"]
        constraints = [models.UniqueConstraint(fields=["run", "code"], name="whitelist_entry_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("investment:whitelistentry_detail", args=[self.pk])

    @property
    def listed(self) -> bool:
        """On the published list: not excluded."""
        return self.decision != IndustryOverride.Kind.EXCLUDE


# --- leads --------------------------------------------------------------------------------------


class Stage(models.TextChoices):
    LEAD = "lead", _("Lead (线索)")
    CONTACT = "contact", _("Contact (接洽)")
    INSPECTION = "inspection", _("Site visit (考察)")
    NEGOTIATION = "negotiation", _("Negotiation (洽谈)")
    SIGNED = "signed", _("Signed (签约)")
    LANDED = "landed", _("Landed (落地)")
    LOST = "lost", _("Lost (流失)")


# The stages in the funnel's order; open leads are those still to sign.
FUNNEL = (
    Stage.LEAD,
    Stage.CONTACT,
    Stage.INSPECTION,
    Stage.NEGOTIATION,
    Stage.SIGNED,
    Stage.LANDED,
)
OPEN_STAGES = (Stage.LEAD, Stage.CONTACT, Stage.INSPECTION, Stage.NEGOTIATION)


class Lead(PlatformModel):
    """招商线索: a company the street would like to bring into a tower, what it needs, where it
    came from and who follows it. ``stage`` changes only through ``actions.perform``; a lead that
    signs links to the economy's enterprise and its lease."""

    class Source(models.TextChoices):
        TENANT_REFERRAL = "tenant", _("Tenant referral (以商招商)")
        AGENT = "agent", _("Agent (中介)")
        FAIR = "fair", _("Trade fair (展会)")
        BUILDING = "building", _("Building referral (楼宇推荐)")
        SUPERIOR = "superior", _("Referred from above (上级转办)")
        OTHER = "other", _("Other (其他)")

    name = models.CharField(_("company"), max_length=200, db_index=True)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
        help_text=_("When known; needed to sign."),
    )
    industry = models.ForeignKey(
        "registry.IndustryClass",
        verbose_name=_("industry"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("GB/T 4754-2017 class (小类)."),
    )
    area_min_m2 = models.DecimalField(
        _("area from (m²)"), max_digits=10, decimal_places=2, validators=NON_NEGATIVE
    )
    area_max_m2 = models.DecimalField(
        _("area to (m²)"), max_digits=10, decimal_places=2, validators=NON_NEGATIVE
    )
    rent_budget = models.DecimalField(
        _("rent budget (CNY/m²/day)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    preferred_grade = models.CharField(
        _("preferred grade"),
        max_length=10,
        blank=True,
        choices=[
            ("super_a", _("Super grade A (超甲级)")),
            ("a", _("Grade A (甲级)")),
            ("b", _("Grade B (乙级)")),
            ("c", _("Grade C (丙级)")),
        ],
    )
    preferred_floor_min = models.SmallIntegerField(_("lowest floor wanted"), null=True, blank=True)
    preferred_floor_max = models.SmallIntegerField(_("highest floor wanted"), null=True, blank=True)
    move_in_by = models.DateField(_("move in by"), null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.OTHER
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner (招商专员)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="investment_leads",
    )
    expected_annual_tax = models.DecimalField(
        _("expected annual tax (CNY)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    expected_headcount = models.PositiveIntegerField(_("expected headcount"), null=True, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.LEAD)
    stage_changed_on = models.DateField(_("stage since"), default=timezone.localdate)
    lost_reason = models.TextField(_("why it was lost"), blank=True)
    enterprise = models.ForeignKey(
        "economy.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lease = models.ForeignKey(
        "economy.Lease",
        verbose_name=_("lease"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notes = models.TextField(_("notes"), blank=True)

    url_name = "investment:lead_detail"

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-opened_on", "-pk"]
        indexes = [models.Index(fields=["stage", "opened_on"], name="lead_stage_opened")]
        constraints = [
            models.CheckConstraint(
                condition=Q(area_max_m2__gte=models.F("area_min_m2")), name="lead_area_range"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if (
            self.area_min_m2 is not None
            and self.area_max_m2 is not None
            and self.area_max_m2 < self.area_min_m2
        ):
            raise ValidationError(
                {"area_max_m2": _("The largest area wanted is below the smallest.")}
            )
        if (
            self.preferred_floor_min is not None
            and self.preferred_floor_max is not None
            and self.preferred_floor_max < self.preferred_floor_min
        ):
            raise ValidationError(
                {"preferred_floor_max": _("The highest floor wanted is below the lowest.")}
            )

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    @property
    def area_range(self) -> str:
        return f"{self.area_min_m2:g}–{self.area_max_m2:g}"

    @property
    def area_mid_m2(self) -> Decimal:
        return (self.area_min_m2 + self.area_max_m2) / 2


class LeadEvent(models.Model):
    """One entry of a lead's timeline: a stage change, a visit (a viewing booked or made, with
    the space), a note. Append-only; written by ``actions.py`` in the change's transaction."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Lead opened")
        STAGE = "stage", _("Stage changed")
        VISIT = "visit", _("Visit / viewing")
        NOTE = "note", _("Note")
        SHORTLIST = "shortlist", _("Shortlist sent")

    lead = models.ForeignKey(
        Lead, verbose_name=_("lead"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=12, choices=Kind.choices)
    date = models.DateField(_("date"))
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    from_stage = models.CharField(_("from"), max_length=12, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=12, choices=Stage.choices, blank=True)
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
    scope_lookup = "lead__org_unit__path"

    class Meta:
        verbose_name = _("lead event")
        verbose_name_plural = _("lead events")
        ordering = ["lead", "date", "pk"]
        indexes = [models.Index(fields=["kind", "to_stage", "date"], name="leadevent_stage")]

    def __str__(self) -> str:
        return f"{self.lead} {self.get_kind_display()} {self.date}"


# --- parks --------------------------------------------------------------------------------------


class Park(PlatformModel):
    """电商园区: a park (a carrier beside the towers) on an office building of the economy,
    whose space, tenants and leases are the building's; ``target_level`` is the rank it works
    toward (a provincial park, 省级跨境电商产业园)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    building = models.OneToOneField(
        "economy.OfficeBuilding",
        verbose_name=_("office building"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=40, default="跨境电商产业园")
    target_level = models.CharField(_("target level"), max_length=40, blank=True)
    description = models.TextField(_("description"), blank=True)

    url_name = "investment:park_detail"

    class Meta:
        verbose_name = _("park")
        verbose_name_plural = _("parks")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.org_unit_id = self.building.org_unit_id  # the park lies in its building's grid
        super().save(*args, **kwargs)


class ParkCriterion(models.Model):
    """One criterion of the level a park works toward (e.g. ≥ 100 e-commerce enterprises), its
    target and how the current figure is read (``metric``, see ``parks.current``)."""

    class Metric(models.TextChoices):
        ENTERPRISES = "enterprises", _("E-commerce enterprises")
        TURNOVER = "turnover", _("Cross-border turnover, last 12 months (CNY)")
        AREA = "area", _("Area (m²)")
        OCCUPANCY = "occupancy", _("Occupancy")
        SERVICE_PROVIDERS = "services", _("Service providers")
        MANUAL = "manual", _("Entered by hand")

    park = models.ForeignKey(
        Park, verbose_name=_("park"), on_delete=models.CASCADE, related_name="criteria"
    )
    label = models.CharField(_("criterion"), max_length=100)
    metric = models.CharField(_("figure"), max_length=12, choices=Metric.choices)
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=2)
    manual_value = models.DecimalField(
        _("current value (entered)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    source_note = models.CharField(_("source of the criterion"), max_length=200, blank=True)

    objects = ScopedManager()
    scope_lookup = "park__org_unit__path"
    audit_enabled = True
    audit_parent = "park"

    class Meta:
        verbose_name = _("park criterion")
        verbose_name_plural = _("park criteria")
        ordering = ["park", "pk"]

    def __str__(self) -> str:
        return self.label


class EcommerceMode(models.TextChoices):
    """海关 cross-border e-commerce supervision modes."""

    B2C_DIRECT = "9610", _("9610 direct B2C (跨境电商零售)")
    B2B_DIRECT = "9710", _("9710 B2B direct export")
    B2B_WAREHOUSE = "9810", _("9810 export to overseas warehouse")
    BONDED = "1210", _("1210 bonded import (保税电商)")


class EcommerceProfile(models.Model):
    """An enterprise's cross-border e-commerce mode, kept beside the economy's enterprise
    (the economy's tables are not this app's to change)."""

    enterprise = models.OneToOneField(
        "economy.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    mode = models.CharField(_("e-commerce mode"), max_length=4, choices=EcommerceMode.choices)
    is_service_provider = models.BooleanField(_("service provider"), default=False)
    data_source = models.CharField(
        _("data source"),
        max_length=10,
        choices=PlatformModel.Source.choices,
        default=PlatformModel.Source.MANUAL,
    )

    objects = ScopedManager()
    scope_lookup = "enterprise__org_unit__path"
    audit_enabled = True

    class Meta:
        verbose_name = _("e-commerce profile")
        verbose_name_plural = _("e-commerce profiles")
        ordering = ["enterprise"]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.mode}"


class EcommerceTurnover(models.Model):
    """An enterprise's cross-border import and export turnover in one month (CNY)."""

    enterprise = models.ForeignKey(
        "economy.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    month = models.DateField(_("month"))
    import_cny = models.DecimalField(
        _("import (CNY)"), max_digits=16, decimal_places=2, default=0, validators=NON_NEGATIVE
    )
    export_cny = models.DecimalField(
        _("export (CNY)"), max_digits=16, decimal_places=2, default=0, validators=NON_NEGATIVE
    )

    objects = ScopedManager()
    scope_lookup = "enterprise__org_unit__path"
    audit_enabled = True

    class Meta:
        verbose_name = _("e-commerce turnover")
        verbose_name_plural = _("e-commerce turnover")
        ordering = ["enterprise", "month"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "month"], name="ecom_turnover_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="ecom_turnover_month_start"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.month:%Y-%m}"
