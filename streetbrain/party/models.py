"""The party-building office's tables. An organisation (党委 / 党总支 / 党支部) is its own (单建)
or joint (联建: several enterprises of a tower share it), attached to an office tower, an
enterprise, a park, a community or a project; members are protected personal data, the
transient ones (流动党员) flagged, with the enterprise they work for (which finds the coverage
gaps). Alliances (党建联盟) join organisations; activities keep their attendance; each year's
star rating keeps the indicators it came from.

Everything is scoped by the org unit it lies in: an organisation by its tower's grid cell or its
community, a member by the organisation's, an activity through its organisation."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streetbrain.core.identifiers import validate_id_number
from streetbrain.core.models import OrgUnit
from streetbrain.core.protected import mask_id_number, normalise_id_number, protected_property
from streetbrain.core.scoping import ScopedManager


class Organisation(models.Model):
    class Level(models.TextChoices):
        COMMITTEE = "committee", _("Party committee (党委)")
        GENERAL_BRANCH = "general", _("General branch (党总支)")
        BRANCH = "branch", _("Branch (党支部)")

    class Form(models.TextChoices):
        OWN = "own", _("Own (单建)")
        JOINT = "joint", _("Joint (联建)")

    class Attached(models.TextChoices):
        TOWER = "tower", _("Office tower")
        ENTERPRISE = "enterprise", _("Enterprise")
        PARK = "park", _("Park")
        COMMUNITY = "community", _("Community")
        PROJECT = "project", _("Project")

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100, db_index=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    form = models.CharField(_("form"), max_length=6, choices=Form.choices)
    attached_to = models.CharField(_("attached to"), max_length=10, choices=Attached.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    building = models.ForeignKey(
        "economy.OfficeBuilding",
        verbose_name=_("office tower"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    enterprises = models.ManyToManyField(
        "economy.Enterprise", verbose_name=_("enterprises covered"), blank=True, related_name="+"
    )
    place = models.CharField(_("park, community or project"), max_length=100, blank=True)
    secretary = models.CharField(_("secretary"), max_length=40, blank=True)
    founded_on = models.DateField(_("founded"), null=True, blank=True)
    data_source = models.CharField(_("data source"), max_length=10, default="manual")

    objects = ScopedManager()
    scope_lookup = "org_unit__path"
    audit_enabled = True

    class Meta:
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("party:organisation_detail", args=[self.pk])


class PartyMember(models.Model):
    """党员: protected like a resident (ID number encrypted, masked, revealed with a log entry);
    ``transient`` marks 流动党员; ``employer`` is where they work (the coverage gaps)."""

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("party organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        help_text=_("Empty: the membership lies outside the street (e.g. a transient member)."),
    )
    name = models.CharField(_("full name"), max_length=40)
    id_number_cipher = models.TextField(editable=False, blank=True)
    id_number_digest = models.CharField(max_length=64, editable=False, db_index=True)
    id_number_masked = models.CharField(_("ID number"), max_length=18, editable=False)
    transient = models.BooleanField(_("transient member (流动党员)"), default=False)
    employer = models.ForeignKey(
        "economy.Enterprise",
        verbose_name=_("employer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    joined_on = models.DateField(_("joined the party"), null=True, blank=True)
    data_source = models.CharField(_("data source"), max_length=10, default="manual")

    id_number = protected_property(
        "id_number", normalise=normalise_id_number, mask=mask_id_number, label="ID number"
    )
    objects = ScopedManager()
    scope_lookup = "org_unit__path"
    audit_enabled = True
    audit_ignore = {"id_number_cipher"}
    audit_redact = {"id_number_digest"}
    reveal_permission = "party.reveal_partymember"

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        ordering = ["organisation", "name", "pk"]
        permissions = [("reveal_partymember", _("Can reveal party members' ID numbers"))]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("party:partymember_detail", args=[self.pk])

    def set_id_number(self, value: str) -> None:
        """Validate (GB 11643: length, date, check character), then store protected."""
        value = normalise_id_number(value)
        validate_id_number(value)
        self.id_number = value


class Alliance(models.Model):
    """党建联盟: organisations joined around a theme (a tower cluster, 港航物流, 金融保险)."""

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    theme = models.CharField(_("theme"), max_length=200, blank=True)
    organisations = models.ManyToManyField(
        Organisation, verbose_name=_("member organisations"), related_name="alliances"
    )
    founded_on = models.DateField(_("founded"), null=True, blank=True)

    objects = ScopedManager()
    scope_lookup = "org_unit__path"
    audit_enabled = True

    class Meta:
        verbose_name = _("alliance")
        verbose_name_plural = _("alliances")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("party:alliance_detail", args=[self.pk])


class Activity(models.Model):
    """三会一课, 主题党日, 四季党建 …: an organisation's activity and who attended."""

    class Kind(models.TextChoices):
        MEETINGS = "meetings", _("Three meetings and one lesson (三会一课)")
        THEME_DAY = "theme_day", _("Theme party day (主题党日)")
        SEASONS = "seasons", _("Four-season party building (四季党建)")
        ALLIANCE = "alliance", _("Alliance event")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("party organisation"),
        on_delete=models.CASCADE,
        related_name="activities",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    attendees = models.ManyToManyField(
        PartyMember, verbose_name=_("attendees"), blank=True, related_name="activities"
    )

    objects = ScopedManager()
    scope_lookup = "organisation__org_unit__path"
    audit_enabled = True
    audit_parent = "organisation"

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-date", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return self.organisation.get_absolute_url()


class StarIndicator(models.Model):
    """An indicator of the yearly star rating, as data: 0 points at ``bad``, 100 at ``good``."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("indicator"), max_length=60)
    weight = models.DecimalField(_("weight"), max_digits=4, decimal_places=2)
    bad = models.DecimalField(_("0 points at"), max_digits=10, decimal_places=2)
    good = models.DecimalField(_("100 points at"), max_digits=10, decimal_places=2)

    objects = ScopedManager()
    scope_lookup = None
    audit_enabled = True

    class Meta:
        verbose_name = _("star indicator")
        verbose_name_plural = _("star indicators")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class StarRating(models.Model):
    """An organisation's stars (1–5) for a year, with the indicators they came from."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("party organisation"),
        on_delete=models.CASCADE,
        related_name="ratings",
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1)
    stars = models.PositiveSmallIntegerField(_("stars"))
    indicators = models.JSONField(_("indicators"), default=list)
    rated_at = models.DateTimeField(_("rated"), default=timezone.now)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedManager()
    scope_lookup = "organisation__org_unit__path"
    audit_enabled = True
    audit_parent = "organisation"

    class Meta:
        verbose_name = _("star rating")
        verbose_name_plural = _("star ratings")
        ordering = ["organisation", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="party_rating_year")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}: {self.stars}★"

    def get_absolute_url(self) -> str:
        return self.organisation.get_absolute_url()
