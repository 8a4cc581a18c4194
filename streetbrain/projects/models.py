"""项目为王: the street's key projects (十大项目), the five economic indicators pressed down onto
them, the demolition campaign (拔钉清零) and the metro-7 task force (轨道保驾护航).

Everything hangs off a ``Project`` that belongs to an org unit (the street) and is scoped by it:
a user sees the projects of the units in their subtree and, through the project, its milestones,
indicators, plots, households, hard cases, sites and meetings. The street's five indicators
belong to the street the same way.

Every change goes through ``actions.py``, which writes the project's timeline
(``ProjectEvent``), a household's (``HouseholdEvent``) or a hard case's (``HardCaseStep``) in the
same transaction; the change log records the rows (``audit_enabled``).

Indicator values are either *entered* (monthly reports approved by the project's office) or
*computed* from the platform's own data by a named ``Measure`` that some app declares in its
``extensions.py`` (``core.extension_points.Measure``): the project page never asks for a number
the platform already knows, and the projects app never imports the app that knows it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from streetbrain.core.models import Department, OrgUnit, PlatformModel
from streetbrain.core.protected import mask_phone, normalise_phone, protected_property
from streetbrain.core.scoping import ScopedManager

NON_NEGATIVE = [MinValueValidator(0)]
LON = [MinValueValidator(-180), MaxValueValidator(180)]
LAT = [MinValueValidator(-90), MaxValueValidator(90)]


# Where a row came from: the platform's one choice set (entered, imported, API, demo), so the
# API schema has one enum for it.
Source = PlatformModel.Source


def validate_month(value: dt.date) -> None:
    if value is not None and value.day != 1:
        raise ValidationError(
            _("A month is stored as its first day (%(day)s is not)."), params={"day": value}
        )


class Audited(models.Model):
    """What every row of the app shares: scoped manager, change log, where it came from."""

    data_source = models.CharField(
        _("data source"), max_length=10, choices=Source.choices, default=Source.MANUAL
    )

    objects = ScopedManager()
    audit_enabled = True

    class Meta:
        abstract = True


# --- projects --------------------------------------------------------------------------------


class Project(Audited):
    """A key project (重点项目): who leads it (包案领导), which office answers for it, its dates;
    its light is computed (``status.light_of``), never typed in."""

    class Kind(models.TextChoices):
        ECONOMY = "economy", _("Economy")
        DEMOLITION = "demolition", _("Demolition")
        INFRASTRUCTURE = "infrastructure", _("Infrastructure support")
        COMMUNITY = "community", _("Community")
        PARTY = "party", _("Party building")
        REFORM = "reform", _("Reform")
        DIGITAL = "digital", _("Digital")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    year = models.PositiveIntegerField(_("year"))
    description = models.TextField(_("description"), blank=True)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="+"
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lead leader"),
        on_delete=models.PROTECT,
        related_name="led_projects",
        help_text=_("The leader who answers for the project (包案领导)."),
    )
    office = models.ForeignKey(
        Department,
        verbose_name=_("responsible office"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))

    scope_lookup = "org_unit__path"

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["year", "code"]
        permissions = [
            ("report_project", "Can submit monthly indicator reports"),
            ("approve_project", "Can approve monthly indicator reports"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:project_detail", args=[self.pk])

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end lies before the start.")})


class TaskForceMember(Audited):
    """A member of the project's task force (专班): a user, their department, their role."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    role = models.CharField(_("role"), max_length=40)

    scope_lookup = "project__org_unit__path"

    class Meta:
        verbose_name = _("task force member")
        verbose_name_plural = _("task force members")
        ordering = ["project", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="projects_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.role}"


class Milestone(Audited):
    """A milestone (节点): planned date, and once reached its actual date and evidence."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(_("name"), max_length=80)
    planned_on = models.DateField(_("planned"))
    done_on = models.DateField(_("reached"), null=True, blank=True)
    evidence = models.CharField(_("evidence"), max_length=300, blank=True)

    scope_lookup = "project__org_unit__path"

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["project", "planned_on", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return self.project.get_absolute_url()


class ProjectEvent(models.Model):
    """The project's timeline: every action on it, its milestones, indicators and reports."""

    class Action(models.TextChoices):
        MILESTONE = "milestone", _("Milestone reached")
        REPORT = "report", _("Report submitted")
        APPROVE = "approve", _("Report approved")
        REJECT = "reject", _("Report rejected")
        MEETING = "meeting", _("Meeting held")
        FOLLOW_UP = "follow_up", _("Follow-up done")
        ISSUE = "issue", _("Issue assigned")
        CREATED = "created", _("Created")
        CHANGED = "changed", _("Changed")
        REMOVED = "removed", _("Removed")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    at = models.DateTimeField(_("time"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = ScopedManager()
    scope_lookup = "project__org_unit__path"

    class Meta:
        verbose_name = _("project event")
        verbose_name_plural = _("project events")
        ordering = ["-at", "-pk"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d}"


# --- the street's five indicators ----------------------------------------------------------------


class StreetIndicator(Audited):
    """One of the street's economic indicators (GDP 增速, 规上工业增加值, 限上批零销售额, 固定资产
    投资, 税收) — data, not code: a street tracks what its district asks of it. ``kind`` says
    whether the monthly figure is a year-to-date amount (summed over the year) or a year-to-date
    growth rate in percent."""

    class Kind(models.TextChoices):
        AMOUNT = "amount", _("Amount, year to date")
        RATE = "rate", _("Growth rate, year to date (%)")

    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=40)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    unit = models.CharField(_("unit"), max_length=12)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="+"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    scope_lookup = "org_unit__path"

    class Meta:
        verbose_name = _("street indicator")
        verbose_name_plural = _("street indicators")
        ordering = ["order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "code"], name="projects_indicator_code")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:indicators") + f"#ind-{self.pk}"


class IndicatorTarget(Audited):
    """The year's target and the raised target (再加压) of an indicator."""

    indicator = models.ForeignKey(StreetIndicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveIntegerField(_("year"))
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    raised_target = models.DecimalField(
        _("raised target"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    scope_lookup = "indicator__org_unit__path"

    class Meta:
        verbose_name = _("indicator target")
        verbose_name_plural = _("indicator targets")
        ordering = ["indicator", "year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="projects_target_year")
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year}"


class IndicatorActual(Audited):
    """A month's figure as the statistics bureau reports it: year to date (累计)."""

    indicator = models.ForeignKey(StreetIndicator, on_delete=models.CASCADE, related_name="actuals")
    month = models.DateField(_("month"), validators=[validate_month])
    value = models.DecimalField(_("year to date"), max_digits=14, decimal_places=2)

    scope_lookup = "indicator__org_unit__path"

    class Meta:
        verbose_name = _("indicator actual")
        verbose_name_plural = _("indicator actuals")
        ordering = ["indicator", "month"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "month"], name="projects_actual_month")
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.month:%Y-%m}"


# --- a project's indicators ------------------------------------------------------------------


class ProjectIndicator(Audited):
    """A measurable target of a project (m² demolished, households signed, 去化 m², tax …).
    ``source`` says where its value comes from: *entered* monthly reports, or the ``Measure``
    named ``measure`` computed with ``params`` from the platform's data. ``feeds`` names the
    street indicator it contributes to, if any."""

    class Source(models.TextChoices):
        ENTERED = "entered", _("Entered (monthly reports)")
        COMPUTED = "computed", _("Computed by the platform")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("name"), max_length=60)
    unit = models.CharField(_("unit"), max_length=12, blank=True)
    target = models.DecimalField(
        _("target"), max_digits=14, decimal_places=2, validators=NON_NEGATIVE
    )
    source = models.CharField(
        _("value source"), max_length=10, choices=Source.choices, default=Source.ENTERED
    )
    measure = models.CharField(_("computation"), max_length=60, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    feeds = models.ForeignKey(
        StreetIndicator,
        verbose_name=_("feeds"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contributions",
    )

    scope_lookup = "project__org_unit__path"

    class Meta:
        verbose_name = _("project indicator")
        verbose_name_plural = _("project indicators")
        ordering = ["project", "pk"]

    def __str__(self) -> str:
        return f"{self.project} · {self.name}"

    def clean(self):
        if self.source == self.Source.COMPUTED and not self.measure:
            raise ValidationError({"measure": _("A computed indicator names its computation.")})


class IndicatorReport(Audited):
    """A monthly report (月报) of an entered indicator: the month's amount, a note and an
    attachment; it counts once the project's office approves it."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    indicator = models.ForeignKey(
        ProjectIndicator, on_delete=models.CASCADE, related_name="reports"
    )
    month = models.DateField(_("month"), validators=[validate_month])
    value = models.DecimalField(_("amount this month"), max_digits=14, decimal_places=2)
    note = models.CharField(_("note"), max_length=500, blank=True)
    # The stored file's name in the default storage (a plain string, so the change log records
    # it); served only through the report's scoped attachment page.
    attachment = models.CharField(_("attachment"), max_length=200, blank=True, editable=False)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    scope_lookup = "indicator__project__org_unit__path"

    class Meta:
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        ordering = ["indicator", "month", "pk"]

    def __str__(self) -> str:
        return f"{self.indicator} {self.month:%Y-%m}"


# --- 拔钉清零 ---------------------------------------------------------------------------------


class Stage(models.TextChoices):
    """The stages of a household, in order (see ``data/reference/expropriation.yaml``)."""

    SURVEY = "survey", _("Survey")  # 入户调查
    VALUATION = "valuation", _("Valuation")  # 评估
    SIGNED = "signed", _("Signed")  # 签约
    VACATED = "vacated", _("Vacated")  # 腾空
    DEMOLISHED = "demolished", _("Demolished")  # 拆除
    HANDED_OVER = "handed_over", _("Land handed over")  # 交地


STAGE_ORDER = [s.value for s in Stage]
# Each of our stages and the stage of the regulation (expropriation.yaml) it follows; 交地 is
# the street's own last step.
STAGE_REFERENCE = {
    Stage.SURVEY: "survey_and_freeze",
    Stage.VALUATION: "valuation",
    Stage.SIGNED: "agreement_signing",
    Stage.VACATED: "vacate",
    Stage.DEMOLISHED: "demolition",
    Stage.HANDED_OVER: "",
}


class Plot(Audited):
    """A plot (地块) of the campaign: its outline and its plan (households and m² to clear)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="plots")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=80)
    geometry = models.JSONField(_("outline (GeoJSON, WGS-84)"), null=True, blank=True)
    centroid_lon = models.FloatField(_("longitude"), null=True, blank=True, validators=LON)
    centroid_lat = models.FloatField(_("latitude"), null=True, blank=True, validators=LAT)
    planned_households = models.PositiveIntegerField(_("planned households"), default=0)
    planned_area_m2 = models.DecimalField(
        _("planned area (m²)"), max_digits=12, decimal_places=2, default=Decimal(0)
    )
    target_date = models.DateField(_("to be handed over by"), null=True, blank=True)

    scope_lookup = "project__org_unit__path"

    class Meta:
        verbose_name = _("plot")
        verbose_name_plural = _("plots")
        ordering = ["project", "code"]
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="projects_plot_code")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:plot_detail", args=[self.pk])


class Household(Audited):
    """一户一档: a household or unit on a plot — the owner (a registry resident when known; the
    phone protected like the registry's), the area, whether it is legal, the compensation option
    and valuation, and its stage, moved on only by ``actions.advance_household``."""

    class Option(models.TextChoices):
        MONEY = "money", _("Monetary compensation")  # 货币补偿
        SWAP = "swap", _("Property swap")  # 产权调换

    plot = models.ForeignKey(Plot, on_delete=models.CASCADE, related_name="households")
    number = models.CharField(_("number"), max_length=20)
    owner_name = models.CharField(_("owner"), max_length=60)
    resident = models.ForeignKey(
        "registry.Resident",
        verbose_name=_("resident"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    phone_cipher = models.TextField(editable=False, blank=True)
    phone_digest = models.CharField(max_length=64, editable=False, blank=True, db_index=True)
    phone_masked = models.CharField(_("phone"), max_length=20, editable=False, blank=True)
    area_m2 = models.DecimalField(
        _("area (m²)"), max_digits=10, decimal_places=2, validators=NON_NEGATIVE
    )
    legal = models.BooleanField(_("legal building"), default=True)
    option = models.CharField(
        _("compensation option"), max_length=8, choices=Option.choices, blank=True
    )
    valuation = models.DecimalField(
        _("valuation (CNY)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, blank=True)
    stage_on = models.DateField(_("stage reached"), null=True, blank=True)

    phone = protected_property("phone", normalise=normalise_phone, mask=mask_phone, label="phone")

    scope_lookup = "plot__project__org_unit__path"
    audit_ignore = {"phone_cipher"}
    audit_redact = {"phone_digest"}
    reveal_permission = "projects.reveal_household"

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["plot", "number"]
        permissions = [("reveal_household", "Can reveal protected household data")]
        constraints = [
            models.UniqueConstraint(fields=["plot", "number"], name="projects_household_number")
        ]

    def __str__(self) -> str:
        return f"{self.plot.code}-{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("projects:plot_detail", args=[self.plot_id]) + f"#hh-{self.pk}"


class HouseholdEvent(models.Model):
    """A household's step to a stage: when, by whom, with what evidence."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="events")
    from_stage = models.CharField(max_length=12, blank=True)
    to_stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    on = models.DateField(_("date"))
    evidence = models.CharField(_("evidence"), max_length=300)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("recorded"))

    objects = ScopedManager()
    scope_lookup = "household__plot__project__org_unit__path"

    class Meta:
        verbose_name = _("household step")
        verbose_name_plural = _("household steps")
        ordering = ["on", "pk"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.get_to_stage_display()} {self.on}"


class HardCase(Audited):
    """A hard case (疑难杂症): a household or building that resists, assigned to a leader (包案)
    with a plan and a deadline in working days counted on the case engine's working calendar
    (``core.worktime``); past it, the nightly task escalates it."""

    plot = models.ForeignKey(Plot, on_delete=models.CASCADE, related_name="hard_cases")
    household = models.ForeignKey(
        Household, on_delete=models.SET_NULL, null=True, blank=True, related_name="hard_cases"
    )
    title = models.CharField(_("title"), max_length=80)
    area_m2 = models.DecimalField(
        _("area (m²)"), max_digits=10, decimal_places=2, validators=NON_NEGATIVE
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader"),
        on_delete=models.PROTECT,
        related_name="hard_cases",
    )
    plan = models.TextField(_("plan"))
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    opened_at = models.DateTimeField(_("opened"))
    limit_days = models.PositiveIntegerField(_("time limit (working days)"))
    deadline = models.DateTimeField(_("deadline"))
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    scope_lookup = "plot__project__org_unit__path"

    class Meta:
        verbose_name = _("hard case")
        verbose_name_plural = _("hard cases")
        ordering = ["deadline", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:hardcase_detail", args=[self.pk])


class HardCaseStep(models.Model):
    """A hard case's timeline: meetings, steps, stage changes, escalations."""

    class Kind(models.TextChoices):
        STEP = "step", _("Step")
        MEETING = "meeting", _("Meeting")
        STAGE = "stage", _("Stage reached")
        ESCALATED = "escalated", _("Escalated")
        CLOSED = "closed", _("Closed")

    hard_case = models.ForeignKey(HardCase, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=500)
    data = models.JSONField(default=dict, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("recorded"))

    objects = ScopedManager()
    scope_lookup = "hard_case__plot__project__org_unit__path"

    class Meta:
        verbose_name = _("hard case step")
        verbose_name_plural = _("hard case steps")
        ordering = ["at", "pk"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on}"


class HardCaseNotice(models.Model):
    """A notice to a leader about a hard case (today: it was escalated to them, the project's
    lead leader). The platform's case notifications (``cases.Notification``) are bound to a
    case of the case engine, and a hard case is not one: this is their counterpart here, read
    the same way (a badge in the top bar, a list, opening one marks it read)."""

    class Kind(models.TextChoices):
        ESCALATED = "escalated", _("Escalated to you")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hard_case_notices"
    )
    hard_case = models.ForeignKey(HardCase, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(_("time"), db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = ScopedManager()
    scope_lookup = "hard_case__plot__project__org_unit__path"

    class Meta:
        verbose_name = _("hard case notice")
        verbose_name_plural = _("hard case notices")
        ordering = ["-created_at", "-pk"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.hard_case_id}"

    def get_absolute_url(self) -> str:
        return reverse("projects:notice_open", args=[self.pk])


# --- 轨道保驾护航 --------------------------------------------------------------------------------


class Site(Audited):
    """A station or works site of metro line 7 in the street; the cases within ``radius_m``
    of it belong on the project's page."""

    class Kind(models.TextChoices):
        STATION = "station", _("Station")
        WORKS = "works", _("Works")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    lon = models.FloatField(_("longitude"), validators=LON)
    lat = models.FloatField(_("latitude"), validators=LAT)
    radius_m = models.PositiveIntegerField(_("radius (m)"), default=300)

    scope_lookup = "project__org_unit__path"

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["project", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:site_detail", args=[self.pk])


class SiteIssue(Audited):
    """An issue at a site (占道, 噪音, 管线迁改, 交通): a case of the case engine, given a leader
    and the task force's departments here — the case's own tables are not touched."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="issues")
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="+"
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    departments = models.ManyToManyField(Department, verbose_name=_("departments"), blank=True)

    scope_lookup = "site__project__org_unit__path"

    class Meta:
        verbose_name = _("site issue")
        verbose_name_plural = _("site issues")
        ordering = ["site", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["site", "case"], name="projects_issue_case_once")
        ]

    def __str__(self) -> str:
        return f"{self.site} · {self.case_id}"


class Meeting(Audited):
    """A task-force meeting (专班例会) with its decisions."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField(_("held on"))
    title = models.CharField(_("title"), max_length=80)
    decisions = models.TextField(_("decisions"))

    scope_lookup = "project__org_unit__path"

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_on", "pk"]

    def __str__(self) -> str:
        return self.title


class FollowUp(Audited):
    """A follow-up item of a meeting: who, by when, and when it was done."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="follow_ups")
    item = models.CharField(_("item"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    due_on = models.DateField(_("due"))
    done_on = models.DateField(_("done"), null=True, blank=True)

    scope_lookup = "meeting__project__org_unit__path"

    class Meta:
        verbose_name = _("follow-up item")
        verbose_name_plural = _("follow-up items")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.item

    def get_absolute_url(self) -> str:
        return self.meeting.project.get_absolute_url()
