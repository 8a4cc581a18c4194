"""Departments' sheets in staging, their links to the registry, and what a clerk decided.

A delivered sheet is a :class:`Source` (whose department, delivered when, which column meant
what); its rows are :class:`StagedRecord` s — never registry rows. Linking (``actions``) sets
each record's state: linked automatically (probability at or above the upper threshold), new
(below the lower one), or waiting for review in between, with the Splink match weights of each
field kept for the review page's waterfall. A clerk's :class:`Decision` is kept by the pair's
fingerprint, so a re-delivered record is never asked about again. Where a linked record
disagrees with the registry (another phone), a :class:`Conflict` waits for a clerk; the
registry changes only when the clerk adopts the source's value. :class:`FieldLineage` says
which source and delivery confirmed each registry field. :class:`OutboxExport` remembers when a
department last received its outbox: what changed in the registry since then is its queue.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from streetbrain.core.models import OrgUnit
from streetbrain.core.protected import mask_id_number, mask_phone, normalise_phone
from streetbrain.core.protected import protected_property as protected
from streetbrain.core.scoping import ScopedManager

from .normalise import clean_text


class Department(models.TextChoices):
    PUBLIC_SECURITY = "public_security", _("Public security (resident population)")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs")
    MARKET_REGULATOR = "market_regulator", _("Market regulator")
    SOCIAL_INSURANCE = "social_insurance", _("Social insurance")
    TAX = "tax", _("Tax bureau")
    PROPERTY = "property", _("Property management")
    OTHER = "other", _("Other department")


class Kind(models.TextChoices):
    PEOPLE = "people", pgettext_lazy("kind of records", "People")
    ENTERPRISES = "enterprises", pgettext_lazy("kind of records", "Enterprises")


class Source(models.Model):
    """One delivery of one department's sheet, loaded into staging."""

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    department = models.CharField(_("department"), max_length=20, choices=Department.choices)
    kind = models.CharField(_("kind of records"), max_length=12, choices=Kind.choices)
    delivered_on = models.DateField(_("delivered on"))
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    # The sheet's own headers in their order, and header → compared field (engine fields).
    headers = models.JSONField(_("columns"), default=list)
    column_map = models.JSONField(_("column mapping"), default=dict)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    linked = models.PositiveIntegerField(_("linked"), default=0)
    review = models.PositiveIntegerField(_("to review"), default=0)
    new = models.PositiveIntegerField(_("new"), default=0)
    linked_at = models.DateTimeField(_("linked at"), null=True, blank=True)
    # The Splink model trained when the source was linked (settings with m and u): a single
    # record later is scored with it, without training again.
    model = models.JSONField(null=True, blank=True, editable=False)
    is_demo = models.BooleanField(_("demo (synthetic)"), default=False)
    created_at = models.DateTimeField(_("loaded"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("loaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedManager()
    scope_lookup = "org_unit__path"
    audit_enabled = True
    audit_ignore = {"model"}
    url_name = "linkage:source_detail"

    class Meta:
        verbose_name = _("department source")
        verbose_name_plural = _("department sources")
        ordering = ["-delivered_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.delivered_on:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse(self.url_name, args=[self.pk])

    @property
    def link_rate(self) -> float | None:
        """Share of the rows linked (automatically or by a clerk)."""
        return self.linked / self.rows if self.rows else None

    @property
    def link_rate_text(self) -> str:
        from django.utils.formats import number_format

        rate = self.link_rate
        return "—" if rate is None else f"{number_format(rate * 100, 1)} %"


class HouseMatch(models.TextChoices):
    """How a record's address was matched to a registry house (the reason shown with it)."""

    ROOM = "room", _("Same compound, building, unit and room")
    NO_UNIT = "no_unit", _("Same compound, building and room (the sheet gives no unit)")


def _clean_id(value: str) -> str:
    return clean_text(value).upper()


class StagedRecord(models.Model):
    """One row of a source as delivered (personal numbers protected), and its link state."""

    class State(models.TextChoices):
        PENDING = "pending", _("Not linked yet")
        LINKED = "linked", _("Linked")
        REVIEW = "review", _("To review")
        NEW = "new", _("New (not in the registry)")

    class How(models.TextChoices):
        AUTO = "auto", _("Automatically")
        CLERK = "clerk", _("By a clerk")
        DECIDED = "decided", _("By an earlier decision")

    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.CASCADE, related_name="records"
    )
    row = models.PositiveIntegerField(_("row"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    # The row's other cells as delivered (header → text), without the protected numbers.
    values = models.JSONField(_("values"), default=dict)
    id_number_cipher = models.TextField(editable=False, blank=True)
    id_number_digest = models.CharField(max_length=64, editable=False, blank=True)
    id_number_masked = models.CharField(_("ID number"), max_length=24, editable=False, blank=True)
    phone_cipher = models.TextField(editable=False, blank=True)
    phone_digest = models.CharField(max_length=64, editable=False, blank=True)
    phone_masked = models.CharField(_("phone"), max_length=24, editable=False, blank=True)
    fingerprint = models.CharField(max_length=64, editable=False, db_index=True)
    state = models.CharField(
        _("state"), max_length=8, choices=State.choices, default=State.PENDING, db_index=True
    )
    how = models.CharField(_("linked how"), max_length=8, choices=How.choices, blank=True)
    resident = models.ForeignKey(
        "registry.Resident",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    shop = models.ForeignKey(
        "registry.Shop",
        verbose_name=_("shop or enterprise"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    enterprise = models.ForeignKey(
        "economy.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The resident's number as linked, kept when the resident later leaves the registry (the
    # FK above is then cleared): the department's outbox says the person left.
    resident_ref = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    # The registry house the record's address parses to, and how it was matched.
    house = models.ForeignKey(
        "registry.House",
        verbose_name=_("house"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    house_how = models.CharField(
        _("house matched by"), max_length=8, choices=HouseMatch.choices, blank=True
    )
    probability = models.FloatField(_("match probability"), null=True, blank=True)
    weights = models.JSONField(_("field contributions"), default=dict, blank=True)

    id_number = protected("id_number", normalise=_clean_id, mask=mask_id_number, label="ID")
    phone = protected("phone", normalise=normalise_phone, mask=mask_phone, label="phone")

    objects = ScopedManager()
    scope_lookup = "source__org_unit__path"
    audit_enabled = True
    audit_ignore = {"id_number_cipher", "phone_cipher"}
    audit_redact = {"id_number_digest", "phone_digest"}
    reveal_permission = "registry.reveal_personal_data"
    url_name = "linkage:record_detail"

    class Meta:
        verbose_name = _("staged record")
        verbose_name_plural = _("staged records")
        ordering = ["source", "row"]
        constraints = [
            models.UniqueConstraint(fields=["source", "row"], name="linkage_one_row_per_source")
        ]

    def __str__(self) -> str:
        return f"{self.source.name} #{self.row} {self.name}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse(self.url_name, args=[self.pk])

    @property
    def target(self):
        return self.resident or self.enterprise or self.shop


class Decision(models.Model):
    """A clerk's answer for one record fingerprint and one registry object, kept for good."""

    class Outcome(models.TextChoices):
        MATCH = "match", _("Same")
        DIFFERENT = "different", _("Different")

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    fingerprint = models.CharField(max_length=64, db_index=True)
    resident = models.ForeignKey(
        "registry.Resident", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    shop = models.ForeignKey(
        "registry.Shop", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    enterprise = models.ForeignKey(
        "economy.Enterprise", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    outcome = models.CharField(_("decision"), max_length=10, choices=Outcome.choices)
    probability = models.FloatField(_("match probability"), null=True, blank=True)
    record = models.ForeignKey(
        StagedRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    objects = ScopedManager()
    scope_lookup = "org_unit__path"
    audit_enabled = True

    class Meta:
        verbose_name = _("linkage decision")
        verbose_name_plural = _("linkage decisions")
        ordering = ["-decided_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.fingerprint[:8]})"


class FieldLineage(models.Model):
    """Which source (and delivery) confirmed a registry field's value."""

    resident = models.ForeignKey(
        "registry.Resident", on_delete=models.CASCADE, related_name="+", null=True
    )
    shop = models.ForeignKey("registry.Shop", on_delete=models.CASCADE, related_name="+", null=True)
    enterprise = models.ForeignKey(
        "economy.Enterprise", on_delete=models.CASCADE, related_name="+", null=True
    )
    field = models.CharField(_("field"), max_length=20)
    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.CASCADE)
    record = models.ForeignKey(StagedRecord, on_delete=models.CASCADE, related_name="+")
    agrees = models.BooleanField(_("agrees with the registry"))

    objects = ScopedManager()
    scope_lookup = "source__org_unit__path"

    class Meta:
        verbose_name = _("field lineage")
        verbose_name_plural = _("field lineage")
        ordering = ["field", "-source__delivered_on", "pk"]

    def __str__(self) -> str:
        return f"{self.field} ← {self.source_id}"


class Conflict(models.Model):
    """A source disagrees with the registry on a field: listed for a clerk, never applied by
    itself."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        ADOPTED = "adopted", _("Source's value adopted")
        KEPT = "kept", _("Registry's value kept")

    record = models.ForeignKey(
        StagedRecord, verbose_name=_("record"), on_delete=models.CASCADE, related_name="conflicts"
    )
    resident = models.ForeignKey(
        "registry.Resident",
        verbose_name=_("resident"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    field = models.CharField(_("field"), max_length=20)
    registry_value = models.CharField(_("registry's value"), max_length=100, blank=True)
    source_value = models.CharField(_("source's value"), max_length=100, blank=True)
    state = models.CharField(
        _("state"), max_length=8, choices=State.choices, default=State.OPEN, db_index=True
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ScopedManager()
    scope_lookup = "record__source__org_unit__path"
    audit_enabled = True
    url_name = "linkage:conflict_detail"

    class Meta:
        verbose_name = _("conflict")
        verbose_name_plural = _("conflicts")
        ordering = ["state", "-pk"]

    def __str__(self) -> str:
        return f"{self.resident} · {self.field}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse(self.url_name, args=[self.pk])


class OutboxExport(models.Model):
    """A department's outbox taken out: the changes since then are its next outbox."""

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.CharField(_("department"), max_length=20, choices=Department.choices)
    exported_at = models.DateTimeField(_("exported at"), auto_now_add=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager()
    scope_lookup = "org_unit__path"
    audit_enabled = True

    class Meta:
        verbose_name = _("outbox export")
        verbose_name_plural = _("outbox exports")
        ordering = ["-exported_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_department_display()} {self.exported_at:%Y-%m-%d %H:%M}"
