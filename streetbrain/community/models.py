"""社区提亮增色: the residents' community platform. Residents' accounts verified against the
registry, the 城市综合服务体's bookable spaces and their bookings.

Two kinds of user read these tables. Staff read them like every other table: the model
permission and their org unit's subtree (``scope_lookup``). A resident has no model
permission at all; ``CommunityQuerySet.restrict`` gives a *verified* resident the rows of
their own household (``resident_lookup``) and the community's public rows (spaces), nothing
else — so one rule serves the pages, the API and the exports."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from streetbrain.core.models import OrgUnit, PlatformModel
from streetbrain.core.protected import mask_phone, normalise_phone, protected_property
from streetbrain.core.scoping import ACTIONS, ScopedQuerySet
from streetbrain.registry.models import House, Household, Resident


def account_of(user):
    """The verified ``ResidentAccount`` of ``user``, or None (cached on the user object)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_community_account"):
        account = (
            ResidentAccount.objects.select_related("household", "house", "org_unit")
            .filter(user=user, state=ResidentAccount.State.VERIFIED)
            .first()
        )
        user._community_account = account
    return user._community_account


class CommunityQuerySet(ScopedQuerySet):
    """Staff: the platform's scope. Verified residents: their household's rows
    (``resident_lookup``) or, for the community's public rows (``resident_public``), the rows
    of their community; residents only ever *view* through this (their writes go through
    ``actions``, which check them)."""

    def restrict(self, user, action: str = "view"):
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        account = account_of(user)
        if (
            account is not None
            and not user.is_superuser
            and not user.has_perm(
                f"{self.model._meta.app_label}.{action}_{self.model._meta.model_name}"
            )
        ):
            if action != "view":
                return self.none()
            if getattr(self.model, "resident_public", False):
                community = account.community_path
                return self.filter(**{f"{self.model.scope_lookup}__startswith": community})
            lookup = getattr(self.model, "resident_lookup", None)
            if lookup is None:
                return self.none()
            return self.filter(**{lookup: account.household_id})
        return super().restrict(user, action)


CommunityManager = models.Manager.from_queryset(CommunityQuerySet)


class CommunityModel(PlatformModel):
    objects = CommunityManager()

    class Meta:
        abstract = True


# --- residents' accounts ----------------------------------------------------------------------


class ResidentAccount(CommunityModel):
    """A resident's account on the community site: a phone number confirmed by a code, then a
    claim to be a person of the registry (name + the last 6 characters of the ID number + the
    house, or a QR code a grid worker showed), confirmed by the community's staff. Until then
    the account sees nothing of the registry. ``org_unit``: the community at sign-up, the
    house's grid cell once verified."""

    class State(models.TextChoices):
        REGISTERED = "registered", _("Phone confirmed, not yet verified")
        PENDING = "pending", _("Waiting for the community's confirmation")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")

    class Method(models.TextChoices):
        DETAILS = "details", _("Name, ID number and house")
        QR = "qr", _("QR code from the grid worker")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="resident_account",
    )
    phone_cipher = models.TextField(editable=False, blank=True)
    phone_digest = models.CharField(max_length=64, editable=False, unique=True)
    phone_masked = models.CharField(_("phone"), max_length=20, editable=False)
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.REGISTERED
    )
    method = models.CharField(_("verified by"), max_length=8, choices=Method.choices, blank=True)
    resident = models.ForeignKey(
        Resident,
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    house = models.ForeignKey(
        House,
        verbose_name=_("house"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    community = models.ForeignKey(
        OrgUnit, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    phone = protected_property("phone", normalise=normalise_phone, mask=mask_phone, label="phone")

    url_name = "community:residentaccount_detail"
    scope_lookup = "org_unit__path"
    resident_lookup = "household_id"
    audit_ignore = {"phone_cipher"}
    audit_redact = {"phone_digest"}
    reveal_permission = "registry.reveal_personal_data"

    class Meta:
        verbose_name = _("resident account")
        verbose_name_plural = _("resident accounts")
        ordering = ["-claimed_at", "pk"]
        permissions = [("verify_residentaccount", _("Can confirm residents' accounts"))]

    def __str__(self) -> str:
        return self.phone_masked

    @property
    def community_path(self) -> str:
        return self.community.path

    def get_absolute_url(self) -> str:
        return reverse("community:residentaccount_detail", args=[self.pk])


class PhoneCode(models.Model):
    """A one-time code sent to a phone (by the SMS gateway): its digest only, valid 10 minutes,
    5 tries. Not personal data beyond the phone's digest."""

    phone_digest = models.CharField(max_length=64, db_index=True)
    code_digest = models.CharField(max_length=64)
    sent_at = models.DateTimeField()
    tries = models.PositiveSmallIntegerField(default=0)
    used = models.BooleanField(default=False)

    objects = CommunityManager()
    scope_lookup = None

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.sent_at:%Y-%m-%d %H:%M}"


# --- 城市综合服务体: spaces and bookings -------------------------------------------------------


class Space(CommunityModel):
    """A bookable space of the 城市综合服务体 (reading room, activity room, court, theatre):
    fixed slots of ``slot_minutes`` from ``opens`` to ``closes`` on the days the working-time
    calendar says it opens, ``capacity`` people, the rules for who may book and how often."""

    class Kind(models.TextChoices):
        READING = "reading", _("Reading room")
        ACTIVITY = "activity", _("Activity room")
        SPORTS = "sports", _("Sports court")
        THEATRE = "theatre", _("Theatre")

    class Days(models.TextChoices):
        DAILY = "daily", _("Every day but public holidays")
        WORKING = "working", _("Working days (calendar)")

    class Who(models.TextChoices):
        RESIDENTS = "residents", _("Verified residents of the community")
        ELDERLY = "elderly", _("Households with a member aged 60 or more")
        STAFF = "staff", _("Booked by the community's staff only")

    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    capacity = models.PositiveSmallIntegerField(_("capacity (people)"))
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"), default=60)
    opens = models.TimeField(_("opens"), default=dt.time(8, 30))
    closes = models.TimeField(_("closes"), default=dt.time(21, 0))
    days = models.CharField(_("open on"), max_length=8, choices=Days.choices, default="daily")
    weekly_limit = models.PositiveSmallIntegerField(_("bookings per household and week"), default=2)
    who = models.CharField(_("who may book"), max_length=10, choices=Who.choices)
    location = models.CharField(_("where"), max_length=100, blank=True)
    checkin_code = models.CharField(max_length=32, unique=True, editable=False)
    active = models.BooleanField(_("bookable"), default=True)

    url_name = "community:space_detail"
    scope_lookup = "org_unit__path"
    resident_public = True

    class Meta:
        verbose_name = _("bookable space")
        verbose_name_plural = _("bookable spaces")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.checkin_code:
            self.checkin_code = secrets.token_urlsafe(16)
        super().save(*args, **kwargs)


class Booking(CommunityModel):
    """One slot of one space for one household. At most one live booking per space and slot
    start: a unique constraint over (space, start) for every state but cancelled, so two
    requests racing for the slot cannot both win (SQLite and PostgreSQL alike)."""

    class State(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CHECKED_IN = "checked_in", _("Checked in")
        NO_SHOW = "no_show", _("No-show")
        CANCELLED = "cancelled", _("Cancelled")

    space = models.ForeignKey(
        Space, verbose_name=_("space"), on_delete=models.PROTECT, related_name="bookings"
    )
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    people = models.PositiveSmallIntegerField(_("people"), default=1)
    purpose = models.CharField(_("purpose"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default="booked")
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)

    url_name = "community:booking_detail"
    scope_lookup = "org_unit__path"
    resident_lookup = "household_id"

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["-start", "space_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["space", "start"],
                condition=~Q(state="cancelled"),
                name="community_booking_one_per_slot",
            ),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="booking_end"),
        ]
        indexes = [models.Index(fields=["household", "start"])]

    def __str__(self) -> str:
        return f"{self.space} {self.start:%Y-%m-%d %H:%M}" if self.space_id else "-"

    def save(self, *args, **kwargs):
        self.org_unit_id = self.space.org_unit_id  # a booking lies where its space is
        super().save(*args, **kwargs)


# --- 未来邻里: activities, sign-ups, the points ledger, notices ---------------------------


class Activity(CommunityModel):
    """A neighbourhood activity (culture, volunteering, for the elderly or children): places
    for ``capacity`` people, then a waiting list; attendance earns ``points`` and, for
    volunteering, ``volunteer_hours`` — written to the ledger when the staff mark it."""

    class Kind(models.TextChoices):
        CULTURE = "culture", _("Culture")
        VOLUNTEER = "volunteer", _("Volunteering")
        ELDERLY = "elderly", _("For the elderly")
        CHILDREN = "children", _("For children")

    title = models.CharField(_("title"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    starts = models.DateTimeField(_("starts"))
    ends = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=100)
    capacity = models.PositiveSmallIntegerField(_("places"))
    points = models.PositiveSmallIntegerField(_("points for taking part"), default=0)
    volunteer_hours = models.DecimalField(
        _("volunteer hours"), max_digits=4, decimal_places=1, default=0
    )
    cancelled = models.BooleanField(_("cancelled"), default=False)

    url_name = "community:activity_detail"
    scope_lookup = "org_unit__path"
    resident_public = True

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-starts", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends__gt=models.F("starts")), name="activity_ends")
        ]

    def __str__(self) -> str:
        return self.title


class Signup(CommunityModel):
    """One household's sign-up for an activity: confirmed while places last, else waiting
    (in order of ``created_at``); the first waiting moves up when a place frees."""

    class State(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")
        ATTENDED = "attended", _("Attended")
        ABSENT = "absent", _("Absent")

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="signups"
    )
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed up by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices)

    url_name = "community:signup_detail"
    scope_lookup = "org_unit__path"
    resident_lookup = "household_id"
    audit_parent = "activity"

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["activity_id", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "household"], name="community_signup_once")
        ]

    def __str__(self) -> str:
        return f"{self.activity} · {self.household}" if self.activity_id else "-"

    def save(self, *args, **kwargs):
        self.org_unit_id = self.activity.org_unit_id
        super().save(*args, **kwargs)


class PointEntry(CommunityModel):
    """邻里积分: one line of a household's ledger — earned (attendance, volunteering) or spent,
    always with its reason; the balance is the sum, never stored."""

    class Kind(models.TextChoices):
        ACTIVITY = "activity", _("Took part in an activity")
        VOLUNTEER = "volunteer", _("Volunteer hours")
        SPENT = "spent", _("Spent")
        ADJUSTED = "adjusted", _("Adjusted by the community")

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    points = models.IntegerField(_("points"))
    hours = models.DecimalField(_("volunteer hours"), max_digits=5, decimal_places=1, default=0)
    reason = models.CharField(_("reason"), max_length=200)
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    url_name = "community:pointentry_detail"
    scope_lookup = "org_unit__path"
    resident_lookup = "household_id"

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "activity", "kind"],
                condition=Q(activity__isnull=False),
                name="community_points_once_per_activity",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="points_have_a_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.points:+d} {self.reason}"


class Notice(CommunityModel):
    """A notice from the community to its residents."""

    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"))
    published = models.DateTimeField(_("published"))

    url_name = "community:notice_detail"
    scope_lookup = "org_unit__path"
    resident_public = True

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-published", "-pk"]

    def __str__(self) -> str:
        return self.title


# --- 未来治理: consultations and the residents' reports ------------------------------------


class Consultation(CommunityModel):
    """议事: a question to the community's households with its options, open for votes between
    ``opens`` and ``closes`` (one vote per verified household), then its result and what the
    community did about it (``outcome``)."""

    question = models.CharField(_("question"), max_length=200)
    background = models.TextField(_("background"), blank=True)
    opens = models.DateTimeField(_("voting opens"))
    closes = models.DateTimeField(_("voting closes"))
    outcome = models.TextField(_("what the community did"), blank=True)

    url_name = "community:consultation_detail"
    scope_lookup = "org_unit__path"
    resident_public = True

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-opens", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes__gt=models.F("opens")), name="consultation_closes"
            )
        ]

    def __str__(self) -> str:
        return self.question


class ConsultationOption(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(_("option"), max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    objects = CommunityManager()
    scope_lookup = "consultation__org_unit__path"
    resident_public = True

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["consultation_id", "position", "pk"]

    def __str__(self) -> str:
        return self.text


class Vote(CommunityModel):
    """One household's vote: the unique constraint holds it to one per consultation."""

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("consultation"), on_delete=models.CASCADE, related_name="votes"
    )
    option = models.ForeignKey(
        ConsultationOption, verbose_name=_("option"), on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="+"
    )

    url_name = "community:vote_detail"
    scope_lookup = "org_unit__path"
    resident_lookup = "household_id"
    audit_parent = "consultation"

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["consultation_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "household"], name="community_one_vote_per_household"
            )
        ]

    def __str__(self) -> str:
        return f"{self.consultation} · {self.household}" if self.consultation_id else "-"


class ResidentReport(CommunityModel):
    """A report a verified resident made from their account: the case engine's report (with
    its tracking token), so the account lists it with where its case stands."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="+"
    )
    report = models.OneToOneField(
        "cases.Report", verbose_name=_("report"), on_delete=models.CASCADE, related_name="+"
    )

    url_name = "community:residentreport_detail"
    scope_lookup = "org_unit__path"
    resident_lookup = "household_id"

    class Meta:
        verbose_name = _("resident's report")
        verbose_name_plural = _("residents' reports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return str(self.report) if self.report_id else "-"


# --- 未来服务: the services catalogue and requests ----------------------------------------------


class Service(CommunityModel):
    """A service of the catalogue (一老一小, certificates, 便民服务) with who may use it — the
    eligibility the registry can answer (an age range, a resident tag such as 独居老人) — and
    its time limit in working days (the working-time calendar)."""

    class Category(models.TextChoices):
        ELDERLY = "elderly", _("For the elderly (一老)")
        CHILDREN = "children", _("For children (一小)")
        CERTIFICATES = "certificates", _("Certificates")
        CONVENIENCE = "convenience", _("Everyday services (便民服务)")

    class Handling(models.TextChoices):
        COMMUNITY = "community", _("A request the community's staff answer")
        CASE = "case", _("A case for the street (repairs, complaints)")
        BOOKING = "booking", _("A booking of a space")

    name = models.CharField(_("name"), max_length=60)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    description = models.TextField(_("description"), blank=True)
    min_age = models.PositiveSmallIntegerField(_("from age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("up to age"), null=True, blank=True)
    tag = models.ForeignKey(
        "registry.ResidentTag",
        verbose_name=_("for residents tagged"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    time_limit_days = models.PositiveSmallIntegerField(_("time limit (working days)"), default=5)
    handling = models.CharField(
        _("a request becomes"), max_length=10, choices=Handling.choices, default="community"
    )
    space = models.ForeignKey(
        Space,
        verbose_name=_("space booked"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("For a service handled as a booking: the space whose slot it books."),
    )

    url_name = "community:service_detail"
    scope_lookup = "org_unit__path"
    resident_public = True

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["category", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(handling="booking") | Q(space__isnull=False),
                name="community_service_booking_has_space",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ServiceRequest(CommunityModel):
    """A household's request for a service, for one member who is eligible, with the
    deadline the time limit gives on the working-time calendar; the staff accept and finish
    it."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ACCEPTED = "accepted", _("Accepted")
        DONE = "done", _("Finished")
        DECLINED = "declined", _("Declined")
        FILED = "filed", _("Filed as a case")
        BOOKED = "booked", _("Booked")

    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.PROTECT, related_name="requests"
    )
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="+"
    )
    resident = models.ForeignKey(
        Resident, verbose_name=_("for"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default="requested")
    deadline = models.DateTimeField(_("deadline"))
    answer = models.CharField(_("answer"), max_length=200, blank=True)
    # What the request became when the service is no matter for the community's desk: the
    # street's case (through its report, so the resident follows the case) or a booking.
    report = models.OneToOneField(
        "cases.Report",
        verbose_name=_("case report"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    booking = models.OneToOneField(
        Booking,
        verbose_name=_("booking"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_request",
    )

    url_name = "community:servicerequest_detail"
    scope_lookup = "org_unit__path"
    resident_lookup = "household_id"

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.service} · {self.resident}" if self.service_id else "-"


# --- 未来治理: residents' proposals -----------------------------------------------------------


class Proposal(CommunityModel):
    """A question a verified resident proposes for consultation (议题征集), with the options
    they suggest (one per line). The community's staff review it: accepted, it becomes a
    ``Consultation`` open for votes; declined, the household reads the reason."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Waiting for review")
        ACCEPTED = "accepted", _("Accepted: put to the vote")
        DECLINED = "declined", _("Declined")

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    question = models.CharField(_("question"), max_length=200)
    background = models.TextField(_("background"), blank=True)
    options = models.TextField(_("suggested options"), help_text=_("One per line."))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default="proposed")
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    consultation = models.OneToOneField(
        Consultation,
        verbose_name=_("consultation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposal",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    url_name = "community:proposal_detail"
    scope_lookup = "org_unit__path"
    resident_lookup = "household_id"

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at", "-pk"]
        permissions = [("review_proposal", _("Can review residents' proposals"))]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="declined") | ~Q(reason=""),
                name="community_proposal_declined_with_reason",
            )
        ]

    def __str__(self) -> str:
        return self.question

    def option_lines(self) -> list[str]:
        return [line.strip() for line in self.options.splitlines() if line.strip()]
