"""AI企服 (enterprise services): 惠企 policies and their versioned clauses, each enterprise's
facts beyond the building brain's, the stored matches of every enterprise against every
clause with their reasons, the notices pushed to eligible enterprises and their follow-up,
enterprise accounts and the requests (诉求) they raise as cases.

Policies and clauses are the street's reference data (not tied to an org unit: every
services user reads the same list). Matches, notices and facts belong to an enterprise and
are scoped like it. A clause is never edited in place once matched: a changed clause is a
new version (``Clause.version``), so last year's matches still name the rule they applied.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streetbrain.core.scoping import ScopedManager
from streetbrain.economy.models import Enterprise


class Source(models.TextChoices):
    REFERENCE = "reference", _("Real policy (with its sources)")
    ENTERED = "manual", _("Entered")
    IMPORT = "import", _("Imported")
    DEMO = "demo", _("Demo (synthetic)")


class Path(models.TextChoices):
    AUTO = "auto", _("No application (免申即享)")
    APPLY = "apply", _("Apply (申报)")
    CONSULT = "consult", _("Consultation (咨询)")


class Verdict(models.TextChoices):
    AUTO = "auto", _("Eligible, no application")
    APPLY = "apply", _("Eligible, apply")
    INELIGIBLE = "ineligible", _("Not eligible")
    UNKNOWN = "unknown", _("Unknown (missing data)")


class Policy(models.Model):
    """惠企政策: one published document. ``sources`` keeps where a real policy was read
    (URL, publisher, date, kind); a demo policy says it is one in ``source``."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=300)
    issuer = models.CharField(_("issuer"), max_length=200, blank=True)
    doc_no = models.CharField(_("document number (文号)"), max_length=200, blank=True)
    level = models.CharField(_("level"), max_length=20, blank=True)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    text = models.TextField(_("full text"), blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    sources = models.JSONField(_("sources"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedManager()
    scope_lookup = None  # the street's reference data
    audit_enabled = True
    url_name = "services:policy_detail"

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse(self.url_name, args=[self.pk])


class Clause(models.Model):
    """A clause of a policy in one version: its benefit, its eligibility conditions as
    structured rules (``rules.py`` documents the format), and its path. ``current`` marks the
    version that is matched now; earlier versions keep their stored matches."""

    policy = models.ForeignKey(
        Policy, verbose_name=_("policy"), on_delete=models.CASCADE, related_name="clauses"
    )
    key = models.CharField(_("clause"), max_length=80)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    current = models.BooleanField(_("current version"), default=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    text = models.TextField(_("text"), blank=True)
    benefit = models.JSONField(_("benefit"), default=dict, blank=True)
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    path = models.CharField(_("path"), max_length=10, choices=Path.choices, default=Path.CONSULT)
    documents = models.TextField(_("documents to submit"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedManager()
    scope_lookup = None  # reference data like its policy
    audit_enabled = True
    audit_parent = "policy"
    url_name = "services:clause_detail"

    class Meta:
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")
        ordering = ["policy", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "key", "version"], name="services_clause_version"
            )
        ]

    def __str__(self) -> str:
        label = self.title or self.key
        return f"{self.policy.title} · {label} (v{self.version})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse(self.url_name, args=[self.pk])


class EnterpriseFacts(models.Model):
    """What the services know of an enterprise beyond the building brain (revenue, assets,
    taxable income, 高新 and 首店 status, …), for the rules. Empty values are unknown, never
    zero: a rule on an unknown value gives an "unknown" verdict."""

    enterprise = models.OneToOneField(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="+"
    )
    annual_revenue_cny = models.DecimalField(
        _("annual revenue (CNY)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    total_assets_cny = models.DecimalField(
        _("total assets (CNY)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    annual_taxable_income_cny = models.DecimalField(
        _("annual taxable income (CNY)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    is_high_tech = models.BooleanField(_("high-tech enterprise (高新)"), null=True, blank=True)
    store_level = models.CharField(_("first store level (首店)"), max_length=20, blank=True)
    extra = models.JSONField(_("other facts"), default=dict, blank=True)
    data_source = models.CharField(_("data source"), max_length=10, default="manual")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedManager()
    scope_lookup = "enterprise__org_unit__path"
    audit_enabled = True
    audit_parent = "enterprise"

    class Meta:
        verbose_name = _("enterprise facts")
        verbose_name_plural = _("enterprise facts")

    def __str__(self) -> str:
        return str(self.enterprise)


class Match(models.Model):
    """The verdict of one enterprise against one clause version, computed by the matching
    task (``actions.recompute_matches``), never on a page view: the conditions met, failed
    and unknown, each with the enterprise's value and the rule, and the estimated amount."""

    # No index of their own: the unique (enterprise, clause) and the (clause, verdict) index
    # lead with them, and every index costs the matching task a write per row.
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    clause = models.ForeignKey(
        Clause,
        verbose_name=_("clause"),
        on_delete=models.CASCADE,
        related_name="matches",
        db_index=False,
    )
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices)
    reasons = models.JSONField(_("reasons"), default=list)
    amount = models.DecimalField(
        _("estimated amount (CNY)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    objects = ScopedManager()
    scope_lookup = "enterprise__org_unit__path"

    class Meta:
        verbose_name = _("policy match")
        verbose_name_plural = _("policy matches")
        ordering = ["enterprise", "clause"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "clause"], name="services_match_one")
        ]
        indexes = [models.Index(fields=["clause", "verdict"], name="services_match_verdict")]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.clause}"


class Notice(models.Model):
    """A clause pushed to an eligible enterprise, followed delivered → read → applied →
    granted/refused (``actions.NOTICE_TRANSITIONS``); every step writes a ``NoticeEvent``."""

    class State(models.TextChoices):
        DELIVERED = "delivered", _("Delivered")
        READ = "read", _("Read")
        APPLIED = "applied", _("Applied")
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="+"
    )
    clause = models.ForeignKey(
        Clause, verbose_name=_("clause"), on_delete=models.PROTECT, related_name="notices"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.DELIVERED
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    message = models.TextField(_("message"), blank=True)
    estimated_amount = models.DecimalField(
        _("estimated amount (CNY)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    granted_amount = models.DecimalField(
        _("granted amount (CNY)"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    granted_on = models.DateField(_("granted on"), null=True, blank=True)
    # The tower where the enterprise held most space when granted (惠企资金 per building).
    building = models.ForeignKey(
        "economy.OfficeBuilding",
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedManager()
    scope_lookup = "enterprise__org_unit__path"
    audit_enabled = True
    url_name = "services:notice_detail"

    class Meta:
        verbose_name = _("policy notice")
        verbose_name_plural = _("policy notices")
        ordering = ["-sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "clause"], name="services_notice_one")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.clause}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse(self.url_name, args=[self.pk])


class NoticeEvent(models.Model):
    """One step of a notice: who moved it from which state to which, when."""

    notice = models.ForeignKey(
        Notice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="events"
    )
    time = models.DateTimeField(_("time"), default=timezone.now)
    from_state = models.CharField(_("from"), max_length=10, blank=True)
    to_state = models.CharField(_("to"), max_length=10)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = ScopedManager()
    scope_lookup = "notice__enterprise__org_unit__path"

    class Meta:
        verbose_name = _("notice event")
        verbose_name_plural = _("notice events")
        ordering = ["notice", "time", "pk"]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.from_state}→{self.to_state}"


class EnterpriseAccount(models.Model):
    """A platform account that speaks for one enterprise (linked by its credit code): it sees
    only that enterprise's matches, notices, applications and requests on /services/me/."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="enterprise_account",
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedManager()
    scope_lookup = "enterprise__org_unit__path"
    audit_enabled = True

    class Meta:
        verbose_name = _("enterprise account")
        verbose_name_plural = _("enterprise accounts")
        permissions = [("use_enterprise_page", _("Can use the enterprise's own page"))]

    def __str__(self) -> str:
        return f"{self.user} → {self.enterprise}"


class EnterpriseRequest(models.Model):
    """诉求: what an enterprise asks of the street (hiring, rent, permits, …), raised as a case
    of the case engine (``case``), which routes it to the responsible department."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=5)
    text = models.TextField(_("request"))
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("raised"), default=timezone.now)

    objects = ScopedManager()
    scope_lookup = "enterprise__org_unit__path"
    audit_enabled = True

    class Meta:
        verbose_name = _("enterprise request")
        verbose_name_plural = _("enterprise requests")
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.text[:30]}"
