"""The cooperatives' tables. The province's 浙农经管 keeps the books; here is the street's
management layer on top: who the cooperatives and their shareholders are, what they own
(留用地 above all), one row of figures per year as the province exports them, the grading
(indicators as data, the colour with every indicator's value and contribution, the history),
the plan per cooperative (一社一策) and the red ones' exit with its evidence.

A cooperative is scoped by its community (the former village's land lies there); everything
of a cooperative is scoped through it."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streetbrain.core.identifiers import validate_credit_code, validate_id_number
from streetbrain.core.models import OrgUnit, PlatformModel
from streetbrain.core.protected import mask_id_number, normalise_id_number, protected_property
from streetbrain.core.scoping import ScopedManager

NON_NEGATIVE = [MinValueValidator(0)]
PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


class Colour(models.TextChoices):
    """红黄绿: red — terminate and exit; yellow — develop the 留用地, revive idle assets;
    green — keep pace with policy and the market (the seed's words)."""

    RED = "red", _("Red (exit)")
    YELLOW = "yellow", _("Yellow (develop)")
    GREEN = "green", _("Green (keep pace)")


class Cooperative(PlatformModel):
    """股份经济合作社: a former village's shareholding cooperative, found by its unified social
    credit code (GB 32100). ``colour`` and ``score`` repeat its latest grade (``Grade``) so
    that lists and the API need no join; ``actions.grade`` keeps them in step."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Operating")
        EXITING = "exiting", _("Exiting (终止退出中)")
        DEREGISTERED = "deregistered", _("Deregistered (注销)")

    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The community the former village's land lies in."),
    )
    name = models.CharField(_("name"), max_length=100, db_index=True)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
    )
    former_village = models.CharField(_("former village"), max_length=50)
    chair = models.CharField(_("chair (董事长)"), max_length=40, blank=True)
    founded_on = models.DateField(_("share reform completed"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=14, choices=Status.choices, default=Status.ACTIVE
    )
    colour = models.CharField(_("colour"), max_length=6, choices=Colour.choices, blank=True)
    score = models.DecimalField(
        _("score"), max_digits=5, decimal_places=1, null=True, blank=True, validators=PERCENT
    )

    url_name = "cooperatives:cooperative_detail"

    class Meta:
        verbose_name = _("shareholding cooperative")
        verbose_name_plural = _("shareholding cooperatives")
        ordering = ["name", "pk"]
        permissions = [
            ("grade_cooperative", _("Can grade cooperatives and override their colour")),
            ("exit_cooperative", _("Can advance a cooperative's exit")),
            ("reveal_member", _("Can reveal the ID numbers of cooperative members")),
        ]

    def __str__(self) -> str:
        return self.name


class CooperativePart(models.Model):
    """Something of one cooperative: scoped, audited and shown on its page through it."""

    objects = ScopedManager()
    scope_lookup = "cooperative__org_unit__path"
    audit_enabled = True
    audit_parent = "cooperative"

    class Meta:
        abstract = True

    def get_absolute_url(self) -> str:
        return self.cooperative.get_absolute_url()


class ShareClass(CooperativePart):
    """股种: 人口股, 农龄股, 集体股 … as the cooperative's articles define them."""

    cooperative = models.ForeignKey(
        Cooperative,
        verbose_name=_("cooperative"),
        on_delete=models.CASCADE,
        related_name="share_classes",
    )
    name = models.CharField(_("share class"), max_length=30)
    collective = models.BooleanField(
        _("collective share (集体股)"),
        default=False,
        help_text=_("Held by the cooperative itself, not by a member."),
    )

    class Meta:
        verbose_name = _("share class")
        verbose_name_plural = _("share classes")
        ordering = ["cooperative", "name"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "name"], name="coop_share_class")
        ]

    def __str__(self) -> str:
        return self.name


class Member(CooperativePart):
    """社员股东: a member and the shares they hold. The ID number is protected like a
    resident's (encrypted, masked, revealed with a log entry); where it equals a registry
    resident's, ``resident`` links the two (``actions.link_residents``)."""

    cooperative = models.ForeignKey(
        Cooperative,
        verbose_name=_("cooperative"),
        on_delete=models.CASCADE,
        related_name="members",
    )
    name = models.CharField(_("full name"), max_length=40)
    household_no = models.CharField(_("household number (户号)"), max_length=20, blank=True)
    id_number_cipher = models.TextField(editable=False, blank=True)
    id_number_digest = models.CharField(max_length=64, editable=False, db_index=True)
    id_number_masked = models.CharField(_("ID number"), max_length=18, editable=False)
    share_class = models.ForeignKey(
        ShareClass,
        verbose_name=_("share class"),
        on_delete=models.PROTECT,
        related_name="holders",
    )
    shares = models.DecimalField(
        _("shares"), max_digits=10, decimal_places=2, validators=NON_NEGATIVE
    )
    resident = models.ForeignKey(
        "registry.Resident",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    id_number = protected_property(
        "id_number", normalise=normalise_id_number, mask=mask_id_number, label="ID number"
    )
    audit_ignore = {"id_number_cipher"}
    audit_redact = {"id_number_digest"}
    reveal_permission = "cooperatives.reveal_member"

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["cooperative", "household_no", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cooperative", "id_number_digest"], name="coop_member_once"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cooperatives:member_detail", args=[self.pk])

    def set_id_number(self, value: str) -> None:
        """Validate (GB 11643: length, date, check character), then store protected."""
        value = normalise_id_number(value)
        validate_id_number(value)
        self.id_number = value


class Asset(CooperativePart):
    """A cooperative's asset: land, a building, a 留用地 plot (the land kept back from
    expropriation for the village's own development) with its development status, or a
    financial asset. ``in_use`` says whether it earns (asset utilisation)."""

    class Kind(models.TextChoices):
        LAND = "land", _("Land")
        BUILDING = "building", _("Building")
        RESERVED_LAND = "reserved_land", _("Reserved land (留用地)")
        FINANCIAL = "financial", _("Financial asset")

    class Development(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        PLANNING = "planning", _("In planning")
        APPROVED = "approved", _("Approved")
        BUILDING = "building", _("Under construction")
        OPERATING = "operating", _("Operating")

    cooperative = models.ForeignKey(
        Cooperative,
        verbose_name=_("cooperative"),
        on_delete=models.CASCADE,
        related_name="assets",
    )
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    area_m2 = models.DecimalField(
        _("area (m²)"),
        max_digits=12,
        decimal_places=1,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    book_value = models.DecimalField(
        _("book value (CNY 10,000)"), max_digits=12, decimal_places=2, validators=NON_NEGATIVE
    )
    in_use = models.BooleanField(_("in use (earning)"), default=True)
    development = models.CharField(
        _("development status"),
        max_length=12,
        choices=Development.choices,
        blank=True,
        help_text=_("Reserved land only."),
    )

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        ordering = ["cooperative", "kind", "name", "pk"]

    def __str__(self) -> str:
        return self.name


class AnnualAccount(CooperativePart):
    """One year of a cooperative's books as 浙农经管 exports them (万元 but the distribution,
    in yuan per share), with the year's disputes and the members' survey."""

    cooperative = models.ForeignKey(
        Cooperative,
        verbose_name=_("cooperative"),
        on_delete=models.CASCADE,
        related_name="accounts",
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    income = models.DecimalField(_("total income (CNY 10,000)"), max_digits=12, decimal_places=2)
    net_income = models.DecimalField(_("net income (CNY 10,000)"), max_digits=12, decimal_places=2)
    distribution_per_share = models.DecimalField(
        _("distribution per share (CNY)"),
        max_digits=10,
        decimal_places=2,
        validators=NON_NEGATIVE,
    )
    total_assets = models.DecimalField(
        _("total assets (CNY 10,000)"), max_digits=12, decimal_places=2, validators=NON_NEGATIVE
    )
    liabilities = models.DecimalField(
        _("liabilities (CNY 10,000)"), max_digits=12, decimal_places=2, validators=NON_NEGATIVE
    )
    disputes = models.PositiveIntegerField(_("disputes and petitions"), default=0)
    survey_continue_pct = models.DecimalField(
        _("members wishing to continue (%)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=PERCENT,
        help_text=_("From the members' survey; empty when none was held."),
    )

    class Meta:
        verbose_name = _("annual account")
        verbose_name_plural = _("annual accounts")
        ordering = ["cooperative", "year"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "year"], name="coop_account_year")
        ]

    def __str__(self) -> str:
        return f"{self.cooperative} {self.year}"


# --- grading ------------------------------------------------------------------------------------


class Indicator(models.Model):
    """One grading indicator as data: how it is read (``code``, computed by
    ``grading.MEASURES``), its weight, and the two thresholds its score runs between: 0 points
    at ``bad``, 100 at ``good`` (either may be the larger: a debt ratio is better low).
    The street sets these (条例第十八条: the 街道 sets the debt 警戒线); the province publishes
    no criteria for the colours."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("indicator"), max_length=60)
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    weight = models.DecimalField(
        _("weight"), max_digits=4, decimal_places=2, validators=[MinValueValidator(0)]
    )
    bad = models.DecimalField(_("0 points at"), max_digits=10, decimal_places=2)
    good = models.DecimalField(_("100 points at"), max_digits=10, decimal_places=2)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ScopedManager()
    scope_lookup = None
    audit_enabled = True

    class Meta:
        verbose_name = _("grading indicator")
        verbose_name_plural = _("grading indicators")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class ColourBand(models.Model):
    """The score from which a colour applies (as data, like the indicators): below the
    lowest band's score is red."""

    colour = models.CharField(_("colour"), max_length=6, choices=Colour.choices, unique=True)
    min_score = models.DecimalField(
        _("from score"), max_digits=5, decimal_places=1, validators=PERCENT
    )

    objects = ScopedManager()
    scope_lookup = None
    audit_enabled = True

    class Meta:
        verbose_name = _("colour band")
        verbose_name_plural = _("colour bands")
        ordering = ["-min_score"]

    def __str__(self) -> str:
        return f"{self.get_colour_display()} ≥ {self.min_score}"


class Grade(CooperativePart):
    """One grading of a cooperative (the colour's history): the computed score and colour,
    every indicator's value, points and contribution as they were, and an officer's override
    with its reason. The newest row is the cooperative's colour."""

    cooperative = models.ForeignKey(
        Cooperative,
        verbose_name=_("cooperative"),
        on_delete=models.CASCADE,
        related_name="grades",
    )
    year = models.PositiveSmallIntegerField(_("accounts year"))
    graded_at = models.DateTimeField(_("graded"), default=timezone.now)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1)
    computed_colour = models.CharField(_("computed colour"), max_length=6, choices=Colour.choices)
    colour = models.CharField(_("colour"), max_length=6, choices=Colour.choices)
    indicators = models.JSONField(_("indicators"), default=list)
    override_reason = models.TextField(_("reason for the override"), blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("graded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("grade")
        verbose_name_plural = _("grades")
        ordering = ["cooperative", "-graded_at", "-pk"]
        get_latest_by = "graded_at"

    def __str__(self) -> str:
        return f"{self.cooperative} {self.year}: {self.get_colour_display()}"

    @property
    def overridden(self) -> bool:
        return self.colour != self.computed_colour


# --- 一社一策 and the exit ------------------------------------------------------------------------


class Plan(CooperativePart):
    """一社一策: the plan for one cooperative in a year, its measures followed like a
    project's milestones."""

    cooperative = models.ForeignKey(
        Cooperative,
        verbose_name=_("cooperative"),
        on_delete=models.CASCADE,
        related_name="plans",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    colour = models.CharField(_("for colour"), max_length=6, choices=Colour.choices)
    summary = models.TextField(_("summary"))

    class Meta:
        verbose_name = _("plan (一社一策)")
        verbose_name_plural = _("plans (一社一策)")
        ordering = ["cooperative", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "year"], name="coop_plan_year")
        ]

    def __str__(self) -> str:
        return f"{self.cooperative} {self.year}"


class Measure(models.Model):
    """A measure of a plan: who does it by when, and when it was done."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="measures"
    )
    title = models.CharField(_("measure"), max_length=200)
    owner = models.CharField(_("owner"), max_length=60)
    deadline = models.DateField(_("deadline"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    objects = ScopedManager()
    scope_lookup = "plan__cooperative__org_unit__path"
    audit_enabled = True
    audit_parent = "plan"

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["plan", "deadline", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return self.plan.get_absolute_url()

    def overdue(self, today) -> bool:
        return self.done_on is None and self.deadline < today


class ExitStage(models.TextChoices):
    """Where a red cooperative's exit stands: each stage is reached by one step of
    ``exit.TRANSITIONS`` with its evidence."""

    OPENED = "opened", _("Exit opened")
    RESOLVED = "resolved", _("Members' meeting resolved")
    VALUED = "valued", _("Assets valued")
    SETTLED = "settled", _("Members settled")
    DEREGISTERED = "deregistered", _("Deregistered")


class ExitProcess(CooperativePart):
    """终止退出: a red cooperative's way out, one step at a time: the members' meeting's
    resolution with the required majority, the asset valuation, the settlement to the
    members, the deregistration. The figures of each step are kept here; its evidence on
    the step's event."""

    cooperative = models.OneToOneField(
        Cooperative,
        verbose_name=_("cooperative"),
        on_delete=models.CASCADE,
        related_name="exit_process",
    )
    stage = models.CharField(
        _("stage"), max_length=14, choices=ExitStage.choices, default=ExitStage.OPENED
    )
    opened_on = models.DateField(_("opened"))
    members_due = models.PositiveIntegerField(_("members due to attend"), null=True, blank=True)
    votes_for = models.PositiveIntegerField(_("votes for"), null=True, blank=True)
    resolved_on = models.DateField(_("resolution date"), null=True, blank=True)
    valuation = models.DecimalField(
        _("valuation (CNY 10,000)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    valued_on = models.DateField(_("valuation date"), null=True, blank=True)
    settled_amount = models.DecimalField(
        _("settled to members (CNY 10,000)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
    )
    settled_on = models.DateField(_("settlement date"), null=True, blank=True)
    deregistered_on = models.DateField(_("deregistration date"), null=True, blank=True)

    class Meta:
        verbose_name = _("exit")
        verbose_name_plural = _("exits")
        ordering = ["cooperative"]

    def __str__(self) -> str:
        return f"{self.cooperative}: {self.get_stage_display()}"


class Dispute(CooperativePart):
    """矛盾纠纷 / 信访 about a cooperative (shares, dividends, the 留用地, the exit), filed as a
    case of the case engine (``actions.file_dispute``), which handles it like any other case.
    ``year`` is the year it counts in for the grading's disputes indicator."""

    class Kind(models.TextChoices):
        DISPUTE = "dispute", _("Dispute (矛盾纠纷)")
        PETITION = "petition", _("Petition (信访)")

    cooperative = models.ForeignKey(
        Cooperative,
        verbose_name=_("cooperative"),
        on_delete=models.CASCADE,
        related_name="disputes",
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    filed_on = models.DateField(_("filed"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("dispute or petition")
        verbose_name_plural = _("disputes and petitions")
        ordering = ["cooperative", "-filed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.cooperative}: {self.get_kind_display()} {self.filed_on}"


class CooperativeEvent(models.Model):
    """The cooperative's timeline: gradings, overrides, plans, the exit's steps with their
    evidence (the document's reference: 决议文号, 评估报告号 …). Append-only; written by
    ``actions.py`` and ``exit.py`` in the transaction of the change."""

    class Kind(models.TextChoices):
        GRADED = "graded", _("Graded")
        OVERRIDDEN = "overridden", _("Colour overridden")
        PLAN = "plan", _("Plan recorded")
        PLAN_CHANGED = "plan_changed", _("Plan changed")
        DISPUTE = "dispute", _("Dispute filed as a case")
        MEASURE_DONE = "measure_done", _("Measure done")
        EXIT_OPENED = "exit_opened", _("Exit opened")
        EXIT_STEP = "exit_step", _("Exit step")
        MEMBERS_LINKED = "members_linked", _("Members linked to residents")

    cooperative = models.ForeignKey(
        Cooperative,
        verbose_name=_("cooperative"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    kind = models.CharField(_("event"), max_length=16, choices=Kind.choices)
    step = models.CharField(_("step"), max_length=20, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    evidence = models.CharField(_("evidence"), max_length=200, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    objects = ScopedManager()
    scope_lookup = "cooperative__org_unit__path"

    class Meta:
        verbose_name = _("cooperative event")
        verbose_name_plural = _("cooperative events")
        ordering = ["cooperative", "-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.cooperative}: {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return self.cooperative.get_absolute_url()
