"""事: cases and the reports behind them, their timeline, and the data that drives the workflow
(routing rules, 立结案标准 time limits, sensors, Open311 keys, evaluation figures).

A *report* is what one reporter sent through one channel; a *case* (案卷) is the matter the
street handles. Every report goes through the same intake pipeline (``intake``) and either
opens a case or is attached to an open duplicate (最多报一次). Cases move only through
``workflow.actions``, which writes a ``CaseEvent`` in the same transaction.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from streetbrain.core import filetypes
from streetbrain.core.models import Department, OrgUnit
from streetbrain.core.protected import mask_phone, normalise_phone, protected_property
from streetbrain.core.scoping import ScopedManager

LON = [MinValueValidator(-180.0), MaxValueValidator(180.0)]
LAT = [MinValueValidator(-90.0), MaxValueValidator(90.0)]


class Channel(models.TextChoices):
    GRIDWORKER = "gridworker", _("Grid worker patrol")
    CITIZEN = "citizen", _("Citizen report")
    HOTLINE = "hotline", _("12345 hotline transfer")
    PHONE = "phone", _("Phone call")
    SENSOR = "sensor", _("Sensor or camera alarm")
    OPEN311 = "open311", _("Open311")
    API = "api", _("REST API")
    SUPERIOR = "superior", _("Assigned by a superior")
    MEDIA = "media", _("Media report")


# Reports from these channels are verified on site before they are accepted (待核实).
CHANNELS_NEEDING_VERIFICATION = {
    Channel.CITIZEN,
    Channel.HOTLINE,
    Channel.PHONE,
    Channel.SENSOR,
    Channel.OPEN311,
    Channel.API,
    Channel.MEDIA,
}


class State(models.TextChoices):
    REPORTED = "reported", _("Reported")  # 上报
    VERIFYING = "verifying", _("Awaiting verification")  # 待核实
    ACCEPTED = "accepted", _("Accepted")  # 受理
    REJECTED = "rejected", _("Not accepted")  # 不予受理
    REGISTERED = "registered", _("Registered")  # 立案
    DISPATCHED = "dispatched", _("Dispatched")  # 派遣
    HANDLING = "handling", _("Being handled")  # 处置中
    SUSPENDED = "suspended", _("Suspended")  # 挂账
    HANDLED = "handled", _("Handled, awaiting check")  # 处置完成 → 待核查
    CHECKED = "checked", _("Checked, awaiting closing")  # 核查通过
    CLOSED = "closed", pgettext_lazy("case state", "Closed")  # 结案 (a shop is "closed" too)
    VOID = "void", _("Void")  # 作废


OPEN_STATES = {
    State.REPORTED,
    State.VERIFYING,
    State.ACCEPTED,
    State.REGISTERED,
    State.DISPATCHED,
    State.HANDLING,
    State.SUSPENDED,
    State.HANDLED,
    State.CHECKED,
}
FINAL_STATES = {State.CLOSED, State.REJECTED, State.VOID}
# States in which the handling clock runs (the time limit applies from 立案 until 处置完成).
CLOCK_STATES = {State.REGISTERED, State.DISPATCHED, State.HANDLING}


class TimeUnit(models.TextChoices):
    MINUTE = "minute", _("minutes")
    HOUR = "hour", _("calendar hours")
    DAY = "day", _("calendar days")
    WORK_HOUR = "work_hour", _("working hours")
    WORK_DAY = "work_day", _("working days")


class TimeLimitStandard(models.Model):
    """立结案标准: for a class (and optionally a condition) when to register it, how long handling
    may take, and when it counts as done. The most specific active row applies."""

    component_class = models.ForeignKey(
        "registry.ComponentClass",
        verbose_name=_("class"),
        on_delete=models.CASCADE,
        related_name="time_limits",
    )
    condition = models.CharField(
        _("condition"),
        max_length=100,
        blank=True,
        help_text=_("Empty for the class's default; otherwise e.g. 'stop construction'."),
    )
    filing_condition = models.TextField(_("registration condition (立案条件)"), blank=True)
    limit_amount = models.DecimalField(
        _("handling time limit"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    limit_unit = models.CharField(_("unit"), max_length=10, choices=TimeUnit.choices)
    closing_condition = models.TextField(_("closing condition (结案条件)"), blank=True)
    duplicate_radius_m = models.PositiveIntegerField(
        _("duplicate radius (m)"),
        default=250,
        help_text=_("Reports of this class within this distance of an open case may merge."),
    )
    duplicate_window_days = models.PositiveIntegerField(_("duplicate window (days)"), default=30)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedManager()
    scope_lookup = None
    audit_enabled = True

    class Meta:
        verbose_name = _("time-limit standard")
        verbose_name_plural = _("time-limit standards")
        ordering = ["component_class__kind", "component_class__code", "condition"]
        constraints = [
            models.UniqueConstraint(
                fields=["component_class", "condition"], name="timelimit_class_condition"
            )
        ]

    def __str__(self) -> str:
        suffix = f" ({self.condition})" if self.condition else ""
        unit = self.get_limit_unit_display()
        return f"{self.component_class}{suffix}: {self.limit_amount:g} {unit}"

    def get_absolute_url(self) -> str:
        return reverse("cases:timelimit_list")


class RoutingRule(models.Model):
    """(class, area) → responsible department. A rule with no class matches any class, one with
    no area any place; the most specific matching rule (class, then deepest area, then lowest
    priority number) wins."""

    component_class = models.ForeignKey(
        "registry.ComponentClass",
        verbose_name=_("class"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="routing_rules",
    )
    major_code = models.CharField(
        _("major class code"),
        max_length=2,
        blank=True,
        help_text=_("Matches every class of this major class when no single class is given."),
    )
    area = models.ForeignKey(
        OrgUnit,
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="routing_rules",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="routing_rules",
    )
    priority = models.PositiveSmallIntegerField(_("priority"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ScopedManager()
    scope_lookup = None
    audit_enabled = True

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["priority", "pk"]

    def __str__(self) -> str:
        what = self.component_class or (self.major_code and f"{self.major_code}*") or _("any class")
        where = self.area or _("anywhere")
        return f"{what} @ {where} → {self.department}"

    def get_absolute_url(self) -> str:
        return reverse("cases:routing_list")


class Sensor(models.Model):
    """A sensor or AI camera whose alarms arrive over MQTT on
    ``streetbrain/sensors/<device_id>/alarm``."""

    device_id = models.CharField(_("device id"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=40, blank=True)
    component_class = models.ForeignKey(
        "registry.ComponentClass",
        verbose_name=_("class reported"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lon = models.FloatField(_("longitude"), null=True, blank=True, validators=LON)
    lat = models.FloatField(_("latitude"), null=True, blank=True, validators=LAT)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("grid cell"), null=True, blank=True, on_delete=models.SET_NULL
    )
    merge_window_minutes = models.PositiveIntegerField(
        _("merge window (minutes)"),
        default=60,
        help_text=_("Repeated alarms within this window join the device's open case."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    last_alarm_at = models.DateTimeField(_("last alarm"), null=True, blank=True)

    objects = ScopedManager()
    scope_lookup = "org_unit__path"
    audit_enabled = True
    audit_ignore = {"last_alarm_at"}

    class Meta:
        verbose_name = _("sensor")
        verbose_name_plural = _("sensors")
        ordering = ["device_id"]

    def __str__(self) -> str:
        return f"{self.device_id} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("cases:sensor_list")


class ApiKey(models.Model):
    """An Open311 client's api_key. The key itself is stored only as its HMAC digest."""

    name = models.CharField(_("client name"), max_length=100)
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    key_prefix = models.CharField(_("key prefix"), max_length=8, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acts as"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedManager()
    scope_lookup = None
    audit_enabled = True
    audit_redact = {"key_digest"}

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"


class ServiceAttribute(models.Model):
    """An extra question an Open311 service (a class) asks (service definition attribute)."""

    class Datatype(models.TextChoices):
        STRING = "string", "string"
        NUMBER = "number", "number"
        DATETIME = "datetime", "datetime"
        TEXT = "text", "text"
        SINGLE = "singlevaluelist", "singlevaluelist"
        MULTI = "multivaluelist", "multivaluelist"

    component_class = models.ForeignKey(
        "registry.ComponentClass",
        verbose_name=_("class"),
        on_delete=models.CASCADE,
        related_name="service_attributes",
    )
    code = models.SlugField(_("code"), max_length=40)
    datatype = models.CharField(_("data type"), max_length=20, choices=Datatype.choices)
    required = models.BooleanField(_("required"), default=False)
    variable = models.BooleanField(_("variable"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    description = models.CharField(_("question"), max_length=200)
    datatype_description = models.CharField(_("data type description"), max_length=200, blank=True)
    values = models.JSONField(
        _("values"), default=list, blank=True, help_text=_("A list of {key, name} for lists.")
    )

    objects = ScopedManager()
    scope_lookup = None
    audit_enabled = True

    class Meta:
        verbose_name = _("service attribute")
        verbose_name_plural = _("service attributes")
        ordering = ["component_class", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["component_class", "code"], name="serviceattr_code")
        ]

    def __str__(self) -> str:
        return f"{self.component_class.code}/{self.code}"


class Case(models.Model):
    """案卷: one matter the street handles, however many people reported it."""

    class Light(models.TextChoices):
        GREEN = "green", _("On time")
        YELLOW = "yellow", _("Near the limit")
        RED = "red", _("Overdue")

    number = models.CharField(_("case number"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.REPORTED, db_index=True
    )
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    component_class = models.ForeignKey(
        "registry.ComponentClass",
        verbose_name=_("class"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    class_confidence = models.FloatField(_("classification confidence"), null=True, blank=True)
    class_source = models.CharField(
        _("classified by"),
        max_length=10,
        blank=True,
        choices=[
            ("reporter", _("Reporter")),
            ("model", _("Classifier")),
            ("staff", _("Staff")),
            ("sensor", _("Sensor")),
        ],
    )
    needs_triage = models.BooleanField(
        _("needs triage"), default=False, help_text=_("The classifier was not sure enough.")
    )
    time_limit = models.ForeignKey(
        TimeLimitStandard,
        verbose_name=_("time-limit standard"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Where: the grid cell (or, until placed, the street) scopes the case.
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("grid cell"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    community = models.ForeignKey(
        OrgUnit,
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    placed = models.BooleanField(_("placed in a grid"), default=False)
    lon = models.FloatField(_("longitude"), null=True, blank=True, validators=LON)
    lat = models.FloatField(_("latitude"), null=True, blank=True, validators=LAT)
    address = models.CharField(_("address"), max_length=200, blank=True)
    building = models.ForeignKey(
        "registry.Building",
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    facility = models.ForeignKey(
        "registry.Facility",
        verbose_name=_("facility"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    shop = models.ForeignKey(
        "registry.Shop",
        verbose_name=_("shop"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    sensor = models.ForeignKey(
        Sensor,
        verbose_name=_("sensor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("responsible department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    suggested_department = models.ForeignKey(
        Department,
        verbose_name=_("department by the routing rules"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    report_count = models.PositiveIntegerField(_("reports"), default=1)
    # Published in the public Open311 feed whatever the channels of its reports (the 值班长's
    # decision, through the workflow's publish/unpublish steps).
    public = models.BooleanField(
        _("public"),
        default=False,
        help_text=_(
            "Shown in the public Open311 feed although its reports came through staff "
            "channels (their texts stay inside)."
        ),
    )
    # The clock.
    reported_at = models.DateTimeField(_("reported"), db_index=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    registered_at = models.DateTimeField(_("registered"), null=True, blank=True, db_index=True)
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, db_index=True)
    limit_amount = models.DecimalField(
        _("time limit"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    limit_unit = models.CharField(
        _("time-limit unit"), max_length=10, choices=TimeUnit.choices, blank=True
    )
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True, db_index=True)
    pauses = models.JSONField(
        _("suspensions"), default=list, blank=True, help_text=_("[[from, to|null], …] ISO times")
    )
    extensions = models.JSONField(
        _("approved extensions"), default=list, blank=True, help_text=_("[[amount, unit], …]")
    )
    light = models.CharField(
        _("timeliness"), max_length=6, choices=Light.choices, blank=True, db_index=True
    )
    warned_at = models.DateTimeField(_("expiry warning sent"), null=True, blank=True)
    overdue_flagged_at = models.DateTimeField(_("overdue flagged"), null=True, blank=True)
    closed_on_time = models.BooleanField(_("closed on time"), null=True, blank=True)
    # 按时立案 / 按时派遣 (evaluation/stats.py): within CASES_REGISTER_LIMIT of the report and
    # CASES_DISPATCH_LIMIT of 立案 (first dispatch), in working time; filled by the refresh
    # where still empty.
    registered_on_time = models.BooleanField(_("registered on time"), null=True, blank=True)
    dispatched_on_time = models.BooleanField(_("dispatched on time"), null=True, blank=True)
    # Counters for the evaluation.
    rework_count = models.PositiveSmallIntegerField(_("reworks"), default=0)
    extension_count = models.PositiveSmallIntegerField(_("extensions"), default=0)
    rollback_count = models.PositiveSmallIntegerField(_("dispatch rollbacks"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("reopened"), default=0)
    pending_request = models.CharField(
        _("pending request"),
        max_length=10,
        blank=True,
        choices=[("extension", _("Extension")), ("rollback", _("Rollback"))],
    )
    pending_request_data = models.JSONField(default=dict, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dispatched by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    objects = ScopedManager()

    scope_lookup = "org_unit__path"
    scope_department_lookup = "department"
    audit_enabled = True
    audit_ignore = {"updated_at", "light", "warned_at", "overdue_flagged_at"}

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-reported_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "component_class"], name="case_state_class"),
            models.Index(fields=["department", "state"], name="case_dept_state"),
            # A narrow scope's cursor pages, one unit at a time (core.api.pagination.ByUnit).
            models.Index(fields=["org_unit", "id"], name="case_unit_id"),
            # A deep page of a scope's list in its default order: the keys of the rows skipped
            # read from the index alone, their units' scope joined from it
            # (``core.estimates.read_deferred``).
            models.Index(fields=["reported_at", "id", "org_unit"], name="case_reported_id_unit"),
            # The few cases whose deadline fell before their report (none if the clock is
            # right): the list sorted by deadline from a first day reads them through this
            # instead of every older deadline (``CaseListView.ordered_parts``).
            models.Index(
                fields=["deadline"],
                condition=models.Q(deadline__lt=models.F("reported_at")),
                name="case_deadline_before_report",
            ),
        ]
        permissions = [
            ("accept_case", _("Can accept or reject reports (受理)")),
            ("verify_case", _("Can verify and check cases on site (核实/核查)")),
            ("register_case", _("Can register and close cases (立案/结案)")),
            ("dispatch_case", _("Can dispatch cases (派遣)")),
            ("handle_case", _("Can handle dispatched cases (处置)")),
            ("approve_case", _("Can approve extensions, rollbacks and suspensions")),
            ("reopen_case", _("Can reopen closed cases")),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("cases:case_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def open311_status(self) -> str:
        return "closed" if self.state in FINAL_STATES else "open"


class Report(models.Model):
    """One report from one reporter through one channel; attached to exactly one case."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="reports"
    )
    is_primary = models.BooleanField(_("opened the case"), default=False)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    idempotency_key = models.CharField(
        _("idempotency key"), max_length=200, null=True, blank=True, unique=True
    )
    token = models.UUIDField(_("tracking token"), default=uuid.uuid4, unique=True, editable=False)
    received_at = models.DateTimeField(_("received"), db_index=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    requested_class = models.ForeignKey(
        "registry.ComponentClass",
        verbose_name=_("class chosen by the reporter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    predicted_label = models.CharField(_("predicted class"), max_length=20, blank=True)
    predicted_confidence = models.FloatField(_("confidence"), null=True, blank=True)
    explanation = models.JSONField(_("words behind the prediction"), default=list, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True, validators=LON)
    lat = models.FloatField(_("latitude"), null=True, blank=True, validators=LAT)
    address = models.CharField(_("address"), max_length=200, blank=True)
    address_id = models.CharField(_("address id"), max_length=64, blank=True)
    attributes = models.JSONField(_("answers"), default=dict, blank=True)
    media_url = models.URLField(_("media URL"), max_length=500, blank=True)
    reporter_name = models.CharField(_("reporter"), max_length=60, blank=True)
    email = models.EmailField(_("email"), blank=True)
    device_id = models.CharField(_("device id"), max_length=64, blank=True)
    account_id = models.CharField(_("account id"), max_length=64, blank=True)
    phone_cipher = models.TextField(editable=False, blank=True)
    phone_digest = models.CharField(max_length=64, editable=False, blank=True, db_index=True)
    phone_masked = models.CharField(_("phone"), max_length=20, editable=False, blank=True)
    external_id = models.CharField(
        _("external id"), max_length=64, blank=True, help_text=_("e.g. the 12345 work order")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    api_key = models.ForeignKey(
        ApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    sensor = models.ForeignKey(
        Sensor, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    merge_score = models.FloatField(_("duplicate similarity"), null=True, blank=True)
    split_from = models.ForeignKey(
        Case,
        verbose_name=_("split from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A copy of the case's org unit, written with the report and moved with its case (intake,
    # split, placing): the path a narrow scope's cursor pages read along (``ByUnit``). Who
    # sees a report is still decided by its case (``scope_lookup``).
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("grid cell"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    phone = protected_property("phone", normalise=normalise_phone, mask=mask_phone, label="phone")

    objects = ScopedManager()
    scope_lookup = "case__org_unit__path"
    scope_unit_copy = True  # ``org_unit`` holds the unit the scope reaches through the case
    scope_department_lookup = "case__department"
    audit_enabled = True
    audit_parent = "case"
    audit_ignore = {"phone_cipher", "org_unit"}
    audit_redact = {"phone_digest"}
    reveal_permission = "registry.reveal_personal_data"

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["received_at", "pk"]
        indexes = [
            # A narrow scope's cursor pages, one unit at a time (core.api.pagination.ByUnit).
            models.Index(fields=["org_unit", "id"], name="report_unit_id"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {timezone.localtime(self.received_at):%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("cases:case_detail", args=[self.case_id])

    @property
    def text(self) -> str:
        return "\n".join(t for t in (self.title, self.description) if t)


class IntakeItem(models.Model):
    """收件: a report accepted from a client (Open311) and waiting for the intake pipeline.

    Accepting a report is checking it and one INSERT here, so a burst is answered at once with
    a token (Open311's ``token``: "use this to query the status of the request if
    service_request_id is not immediately available"). The pipeline (``intake.queue``) then
    turns pending items into reports and cases in batches, in order of arrival, and links the
    item to its report. Nothing is lost: an item stays until it is processed, a failed attempt
    leaves it pending for the next run, and the idempotency key is unique here as on reports.
    The reporter's phone is kept as on reports: encrypted, digested and masked."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DONE = "done", _("Processed")
        FAILED = "failed", _("Failed")

    token = models.UUIDField(_("token"), default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    received_at = models.DateTimeField(_("received"))
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    idempotency_key = models.CharField(
        _("idempotency key"), max_length=200, null=True, blank=True, unique=True
    )
    api_key = models.ForeignKey(
        ApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Where the report was placed when it was accepted (a point outside the street is refused
    # then, not later).
    grid = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    building = models.ForeignKey(
        "registry.Building", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    placed_how = models.CharField(max_length=12, blank=True)
    payload = models.JSONField(_("report"), default=dict)
    phone_cipher = models.TextField(editable=False, blank=True)
    phone_digest = models.CharField(max_length=64, editable=False, blank=True)
    phone_masked = models.CharField(_("phone"), max_length=20, editable=False, blank=True)
    report = models.OneToOneField(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="intake_item"
    )
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    phone = protected_property("phone", normalise=normalise_phone, mask=mask_phone, label="phone")

    class Meta:
        verbose_name = _("accepted report")
        verbose_name_plural = _("accepted reports")
        ordering = ["pk"]
        indexes = [
            models.Index(
                fields=["id"],
                condition=models.Q(status="pending"),
                name="cases_intake_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.token} ({self.get_status_display()})"


class CaseEvent(models.Model):
    """One step of a case's timeline: who did what, when, with a note (append-only)."""

    class Action(models.TextChoices):
        REPORT = "report", pgettext_lazy("case action", "Reported")
        MERGE = "merge", pgettext_lazy("case action", "Further report merged")
        SPLIT = "split", pgettext_lazy("case action", "Split into a new case")
        CLASSIFY = "classify", pgettext_lazy("case action", "Classified")
        PLACE = "place", pgettext_lazy("case action", "Placed")
        VERIFY = "verify", pgettext_lazy("case action", "Verified on site")
        ACCEPT = "accept", pgettext_lazy("case action", "Accepted")
        REJECT = "reject", pgettext_lazy("case action", "Not accepted")
        REGISTER = "register", pgettext_lazy("case action", "Registered")
        DISPATCH = "dispatch", pgettext_lazy("case action", "Dispatched")
        REROUTE = "reroute", pgettext_lazy("case action", "Re-dispatched")
        START = "start", pgettext_lazy("case action", "Handling started")
        REQUEST_EXTENSION = "req_ext", pgettext_lazy("case action", "Extension requested")
        APPROVE_EXTENSION = "ext_ok", pgettext_lazy("case action", "Extension approved")
        DENY_EXTENSION = "ext_no", pgettext_lazy("case action", "Extension refused")
        REQUEST_ROLLBACK = "req_back", pgettext_lazy("case action", "Rollback requested")
        APPROVE_ROLLBACK = "back_ok", pgettext_lazy("case action", "Rollback approved")
        DENY_ROLLBACK = "back_no", pgettext_lazy("case action", "Rollback refused")
        SUSPEND = "suspend", pgettext_lazy("case action", "Suspended")
        RESUME = "resume", pgettext_lazy("case action", "Resumed")
        HANDLED = "handled", pgettext_lazy("case action", "Handling completed")
        CHECK_PASS = "check_ok", pgettext_lazy("case action", "Check passed")
        CHECK_FAIL = "check_no", pgettext_lazy("case action", "Check failed: rework")
        CONFIRM = "confirm", pgettext_lazy("case action", "Confirmed by the reporter")
        CLOSE = "close", pgettext_lazy("case action", "Closed")
        REOPEN = "reopen", pgettext_lazy("case action", "Reopened")
        VOID = "void", pgettext_lazy("case action", "Voided")
        WARN = "warn", pgettext_lazy("case action", "Expiry warning")
        OVERDUE = "overdue", pgettext_lazy("case action", "Overdue")
        NOTE = "note", pgettext_lazy("case action", "Note")
        PUBLISH = "publish", pgettext_lazy("case action", "Published")
        UNPUBLISH = "unpublish", pgettext_lazy("case action", "Withdrawn from publication")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    time = models.DateTimeField(_("time"), db_index=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    from_state = models.CharField(_("from"), max_length=12, choices=State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=12, choices=State.choices, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("actor"), max_length=100, blank=True)
    role = models.CharField(_("role"), max_length=20, blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = ScopedManager()
    scope_lookup = "case__org_unit__path"
    scope_department_lookup = "case__department"

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["time", "pk"]
        indexes = [
            # The staff's acts a month's evaluation counts (cases.evaluation.stats
            # ``_staff_counts``: 派遣/改派, 核实/核查, 处置完成, by someone): without it each
            # of its queries read a district's 18.8 M events whole, 1.9 s a month even
            # when nothing matched. Partial: 3.5 M of the 18.8 M rows.
            models.Index(
                fields=["action", "time"],
                name="event_staff_acts",
                # ORed equalities, not ``action__in``: PostgreSQL prints an IN list's index
                # back in a form that, created again (the district loader rebuilds its big
                # tables' indexes from their definitions), prints differently.
                condition=models.Q(user__isnull=False)
                & (
                    models.Q(action="dispatch")
                    | models.Q(action="reroute")
                    | models.Q(action="verify")
                    | models.Q(action="check_ok")
                    | models.Q(action="check_no")
                    | models.Q(action="handled")
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_action_display()}"


def attachment_path(instance, filename: str) -> str:
    """A new name under the extension of the type found in the file (``timeline.attach``
    sets ``content_type`` from the content), never the one the client's file name claims."""
    kind = filetypes.BY_MIME.get(instance.content_type)
    return f"cases/{instance.case_id}/{uuid.uuid4().hex}.{kind.extension if kind else 'bin'}"


class Attachment(models.Model):
    """A photo (or other file) of a report or a timeline step."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        CaseEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = ScopedManager()
    scope_lookup = "case__org_unit__path"
    scope_department_lookup = "case__department"

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.file.name


class TrainingExample(models.Model):
    """A human correction of the classifier, kept as training data."""

    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    predicted_label = models.CharField(max_length=20, blank=True)
    label = models.CharField(max_length=20)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("training example")
        verbose_name_plural = _("training examples")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.label}: {self.text[:30]}"


class Notification(models.Model):
    """A message to a user about a case: about to expire, overdue, dispatched to them."""

    class Kind(models.TextChoices):
        WARN = "warn", _("About to expire")
        OVERDUE = "overdue", _("Overdue")
        DISPATCHED = "dispatched", _("Dispatched to your department")
        REQUEST = "request", _("Request awaiting approval")
        REWORK = "rework", _("Sent back for rework")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_notifications"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    created_at = models.DateTimeField(_("time"), db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.case_id}"


class CaseStat(models.Model):
    """Precomputed evaluation counts (综合评价) of the cases registered (立案) in one month, per
    grid cell × department the case is with (none: not dispatched). Any period and any unit
    sums these rows; ``evaluation.definitions`` defines every count, ``evaluation.stats``
    computes them."""

    month = models.DateField(_("month"))
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    unit_path = models.CharField(max_length=255)
    registered = models.PositiveIntegerField(default=0)  # 立案数
    registered_on_time = models.PositiveIntegerField(default=0)  # 按时立案数
    voided = models.PositiveIntegerField(default=0)  # 作废数
    to_dispatch = models.PositiveIntegerField(default=0)  # 应派遣数
    dispatched_on_time = models.PositiveIntegerField(default=0)  # 按时派遣数
    misdispatched = models.PositiveIntegerField(default=0)  # 误派数 (回退)
    to_handle = models.PositiveIntegerField(default=0)  # 应处置数
    handled = models.PositiveIntegerField(default=0)  # 处置数
    reworked = models.PositiveIntegerField(default=0)  # 返工数
    extended = models.PositiveIntegerField(default=0)  # 延期数
    to_close = models.PositiveIntegerField(default=0)  # 应结案数
    suspended = models.PositiveIntegerField(default=0)  # 缓办数
    closed = models.PositiveIntegerField(default=0)  # 结案数
    closed_on_time = models.PositiveIntegerField(default=0)  # 按期结案数
    computed_at = models.DateTimeField(default=timezone.now, db_index=True)

    # Scoped like the cases they count (core/scoping.scope_q).
    scope_lookup = "unit_path"
    scope_department_lookup = "department"

    class Meta:
        verbose_name = _("evaluation figure")
        verbose_name_plural = _("evaluation figures")
        indexes = [models.Index(fields=["month", "unit_path"], name="casestat_month_path")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.unit_path}"


class StaffStat(models.Model):
    """Precomputed evaluation counts for one month × staff member × role (岗位), counted in the
    month of the act (立案, 结案, 派遣, 上报, 核实/核查, 处置); see ``evaluation.definitions``."""

    month = models.DateField(_("month"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=20)
    # The staff member's unit and department when computed: whose figures a viewer may see.
    unit_path = models.CharField(max_length=255, blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # 值班长
    registered = models.PositiveIntegerField(default=0)
    registered_on_time = models.PositiveIntegerField(default=0)
    registered_voided = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    closed_on_time = models.PositiveIntegerField(default=0)
    # 派遣员
    dispatches = models.PositiveIntegerField(default=0)
    first_dispatches = models.PositiveIntegerField(default=0)
    dispatched_on_time = models.PositiveIntegerField(default=0)
    misdispatched = models.PositiveIntegerField(default=0)
    # 网格员
    reports = models.PositiveIntegerField(default=0)
    reports_registered = models.PositiveIntegerField(default=0)
    verifications = models.PositiveIntegerField(default=0)
    checks = models.PositiveIntegerField(default=0)
    # 处置人员
    handled = models.PositiveIntegerField(default=0)
    handled_on_time = models.PositiveIntegerField(default=0)
    handled_reworked = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now, db_index=True)

    scope_lookup = "unit_path"
    scope_department_lookup = "department"

    class Meta:
        indexes = [models.Index(fields=["month", "role"], name="staffstat_month_role")]
        constraints = [
            models.UniqueConstraint(fields=["month", "user", "role"], name="staffstat_month_user")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.user_id} {self.role}"


class CaseDensity(models.Model):
    """How many cases were reported in one month in one square of about 100 m (a base bin at
    zoom 16) of one grid cell. The map's history layer sums these for any period and zoom
    instead of grouping a year of cases per request; ``density.refresh`` recomputes them
    from the cases (every 15 minutes for the last two months, all months on demand).

    Moved here from the cockpit (issue 11: the cockpit imports no domain app); the table
    was renamed in the move, its rows kept."""

    month = models.DateField(_("month"))
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("grid cell"), on_delete=models.CASCADE, related_name="+"
    )
    bx = models.IntegerField()  # floor(lon / BASE)
    by = models.IntegerField()  # floor(lat / BASE)
    cases = models.PositiveIntegerField(_("cases"))

    class Meta:
        verbose_name = _("case density")
        verbose_name_plural = _("case densities")
        indexes = [models.Index(fields=["month", "bx", "by"], name="cockpit_density_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.bx},{self.by}: {self.cases}"
