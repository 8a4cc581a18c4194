"""Core models: the org tree (块), departments (条), users, the change log and key figures."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .roles import role_label
from .scoping import ScopedManager, ScopedQuerySet


class OrgUnit(models.Model):
    """A node of the administrative tree: 市 → 区 → 街道 → 社区 → 单元网格.

    ``path`` is the materialised path of codes ("3302/330212/330212014/"), so a subtree is one
    indexed prefix match: that is what every scope filter uses.
    """

    class Level(models.TextChoices):
        CITY = "city", _("City")
        DISTRICT = "district", _("District")
        STREET = "street", _("Sub-district")
        COMMUNITY = "community", _("Community")
        GRID = "grid", _("Grid cell")

    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        validators=[RegexValidator(r"\A[0-9]{4,14}\Z", _("A division code has 4 to 14 digits."))],
        help_text=_("Statistical division code; grid cells use the 14-digit GB/T 30428.1 code."),
    )
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    legacy_code = models.CharField(
        _("former code"), max_length=20, blank=True, help_text=_("e.g. the 2016 code")
    )
    geometry = models.JSONField(_("outline (GeoJSON, WGS-84)"), null=True, blank=True)
    centroid_lon = models.FloatField(_("centroid longitude"), null=True, blank=True)
    centroid_lat = models.FloatField(_("centroid latitude"), null=True, blank=True)
    area_m2 = models.FloatField(_("area (m²)"), null=True, blank=True)
    illustrative = models.BooleanField(
        _("illustrative outline"),
        default=False,
        help_text=_("The outline is drawn for illustration (示意), not an official boundary."),
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    objects = ScopedManager()

    # A grid worker sees their community and street as context (read-only): breadcrumbs,
    # outlines, names. Writes stay within the subtree.
    scope_lookup = "path"
    scope_include_ancestors = True
    audit_enabled = True
    audit_ignore = {"geometry"}  # large; its changes are summarised, not stored twice

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        ordering = ["path"]
        indexes = [models.Index(fields=["level", "path"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        old_path = self.path
        self.path = (self.parent.path if self.parent_id else "") + f"{self.code}/"
        self.depth = self.path.count("/") - 1
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            # Moving a unit moves its subtree: rewrite the descendants' paths.
            for child in OrgUnit.objects.filter(parent=self):
                child.save()

    def get_absolute_url(self) -> str:
        return reverse("core:orgunit_detail", args=[self.pk])

    def clean(self):
        expected_parent = {
            self.Level.DISTRICT: self.Level.CITY,
            self.Level.STREET: self.Level.DISTRICT,
            self.Level.COMMUNITY: self.Level.STREET,
            self.Level.GRID: self.Level.COMMUNITY,
        }.get(self.level)
        if expected_parent and (self.parent is None or self.parent.level != expected_parent):
            raise ValidationError(
                {
                    "parent": _("A %(level)s must sit under a %(parent)s.")
                    % {
                        "level": self.get_level_display(),
                        "parent": self.Level(expected_parent).label,
                    }
                }
            )
        if self.level == self.Level.GRID and self.parent is not None:
            if len(self.code) != 14 or not self.code.startswith(self.parent.code):
                raise ValidationError(
                    {
                        "code": _(
                            "A grid code has 14 digits: the 12-digit community code and a "
                            "2-digit sequence."
                        )
                    }
                )

    @property
    def area_km2(self) -> float | None:
        return round(self.area_m2 / 1e6, 2) if self.area_m2 is not None else None

    @classmethod
    def home_of(cls, user) -> OrgUnit | None:
        """The unit whose figures a user's pages open on: their own, or for a superuser
        without one, the street."""
        return user.org_unit or cls.objects.filter(level=cls.Level.STREET).first()

    def ancestors(self) -> list[OrgUnit]:
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    def descendants(self) -> models.QuerySet[OrgUnit]:
        return OrgUnit.objects.filter(path__startswith=self.path).exclude(pk=self.pk)

    def contains(self, other: OrgUnit) -> bool:
        return other.path.startswith(self.path)


class Department(models.Model):
    """A functional department (条): 城管, 市场监管, 住建 … that cases are dispatched to."""

    class Kind(models.TextChoices):
        URBAN_MANAGEMENT = "urban", _("Urban management")
        MARKET_REGULATION = "market", _("Market regulation")
        HOUSING = "housing", _("Housing and construction")
        ENVIRONMENT = "environment", _("Ecology and environment")
        FIRE = "fire", _("Fire and rescue")
        PROPERTY = "property", _("Property management")
        COMMUNITY = "community", _("Community")
        PUBLIC_SECURITY = "police", _("Public security")
        TRANSPORT = "transport", _("Transport")
        UTILITIES = "utilities", _("Utilities")
        ECONOMY = "economy", _("Economic development")
        OTHER = "other", _("Other")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("org unit"),
        on_delete=models.PROTECT,
        related_name="departments",
        help_text=_("The unit the department belongs to and serves."),
    )
    phone = models.CharField(_("duty phone"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    objects = ScopedManager()

    # Departments serve the units below them: a grid worker must see the street's 城管.
    scope_lookup = "org_unit__path"
    scope_include_ancestors = True
    audit_enabled = True

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("core:department_detail", args=[self.pk])


class ScopedUserManager(UserManager.from_queryset(ScopedQuerySet)):
    pass


class User(AbstractUser):
    """A platform user: belongs to an org unit (their scope) and optionally a department."""

    display_name = models.CharField(_("full name"), max_length=60, blank=True)
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("org unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("The user sees and changes only what lies in this unit's subtree."),
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("A department user sees the objects dispatched to this department."),
    )

    objects = ScopedUserManager()

    scope_lookup = "org_unit__path"
    audit_enabled = True
    audit_redact = {"password"}
    audit_ignore = {"last_login"}

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.username

    def get_absolute_url(self) -> str:
        return reverse("core:user_detail", args=[self.pk])

    @property
    def role_codes(self) -> list[str]:
        return sorted(g.name for g in self.groups.all())

    @property
    def roles_display(self) -> str:
        labels = [role_label(code) for code in self.role_codes]
        if self.is_superuser:
            labels.insert(0, str(_("System administrator")))
        return "、".join(labels)


class PlatformModel(models.Model):
    """The base of registry objects: who created and last changed it and when, the org unit
    (grid cell) it belongs to and is scoped by, where the record came from, a change log, and
    a deterministic order. Subclasses set ``url_name`` for their detail page."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered")
        IMPORT = "import", _("Imported")
        API = "api", _("API")
        DEMO = "demo", _("Demo (synthetic)")

    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("grid cell"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "grid"},
        help_text=_("The unit grid cell (单元网格) the record belongs to."),
    )
    data_source = models.CharField(
        _("data source"), max_length=10, choices=Source.choices, default=Source.MANUAL
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedManager()

    scope_lookup = "org_unit__path"
    audit_enabled = True
    url_name = ""

    class Meta:
        abstract = True
        ordering = ["pk"]

    def get_absolute_url(self) -> str:
        return reverse(self.url_name, args=[self.pk])

    @property
    def community(self) -> OrgUnit | None:
        return self.org_unit.parent if self.org_unit_id else None


class ChangeLogQuerySet(ScopedQuerySet):
    """The change log is append-only: bulk updates and deletes are refused."""

    def update(self, **kwargs):
        raise PermissionError("change log entries cannot be changed")

    def delete(self):
        raise PermissionError("change log entries cannot be deleted")


class ChangeLogEntry(models.Model):
    """One create, update or delete of an audited object, or a reveal of protected data:
    who, when, through which request and channel, the object before and after, and why."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")
        DELETE = "delete", _("Deleted")
        REVEAL = "reveal", _("Protected data revealed")

    class Source(models.TextChoices):
        WEB = "web", _("Web page")
        API = "api", _("API")
        ADMIN = "admin", _("Admin")
        CLI = "cli", _("Command line")
        IMPORT = "import", _("Import")
        TASK = "task", _("Background task")
        SYSTEM = "system", _("System")

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,  # the log outlives the user it names
    )
    user_name = models.CharField(_("user name"), max_length=150, blank=True)
    request_id = models.UUIDField(_("request id"), null=True, blank=True, db_index=True)
    source = models.CharField(_("channel"), max_length=10, choices=Source.choices)
    remote_addr = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("object type"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    # A child's change also shows on its parent (a house's edit on its building's log).
    related_content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    related_object_id = models.CharField(max_length=64, blank=True)
    org_unit_path = models.CharField(_("org unit path"), max_length=255, blank=True, db_index=True)
    prechange = models.JSONField(_("before"), null=True, blank=True)
    postchange = models.JSONField(_("after"), null=True, blank=True)
    changed_fields = models.JSONField(_("changed fields"), default=list, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    objects = models.Manager.from_queryset(ChangeLogQuerySet)()

    scope_lookup = "org_unit_path"

    class Meta:
        verbose_name = _("change log entry")
        verbose_name_plural = _("change log")
        ordering = ["-time", "-pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            models.Index(fields=["related_content_type", "related_object_id"]),
        ]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("change log entries cannot be changed")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("core:changelog_detail", args=[self.pk])

    def delete(self, *args, **kwargs):
        raise PermissionError("change log entries cannot be deleted")

    @property
    def changed_fields_display(self) -> str:
        return "、".join(self.changed_fields or [])

    def diff(self) -> list[tuple[str, object, object]]:
        before, after = self.prechange or {}, self.postchange or {}
        keys = self.changed_fields or sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys]


class KeyFigure(models.Model):
    """A precomputed figure for an org unit (the home page and dashboards read these, never
    count live). Refreshed by the ``refresh_key_figures`` task."""

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="key_figures")
    key = models.SlugField(max_length=60)
    value = models.FloatField()
    computed_at = models.DateTimeField()

    objects = ScopedManager()
    scope_lookup = "org_unit__path"

    class Meta:
        verbose_name = _("key figure")
        verbose_name_plural = _("key figures")
        ordering = ["org_unit", "key"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "key"], name="keyfigure_unique_unit_key")
        ]

    def __str__(self) -> str:
        return f"{self.org_unit} {self.key}={self.value}"


class ImportJob(models.Model):
    """An import started on a page and run by a background task (导入任务): the page shows its
    progress while it runs and its report when it is done. The uploaded file is kept under
    ``IMPORT_DIR (private)`` until the job no longer needs it (a checked file waits there for its
    confirmation). Not audited itself: the objects it writes are, with the upload's request id.

    Users see their own jobs only (superusers all): :meth:`visible_to`."""

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("import job", "Queued")
        RUNNING = "running", pgettext_lazy("import job", "Running")
        DONE = "done", pgettext_lazy("import job", "Done")
        FAILED = "failed", pgettext_lazy("import job", "Failed")

    spec_key = models.CharField(_("import type"), max_length=40)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="import_jobs",
    )
    # The name of the kept file in IMPORT_DIR (private) (never a path: nothing to traverse).
    file_name = models.CharField(_("stored file"), max_length=40)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    max_rows = models.PositiveIntegerField(_("row limit"), null=True, blank=True)
    # What the change log of the upload's request records, so that the task's entries join it.
    request_id = models.UUIDField(_("request id"), null=True, blank=True)
    remote_addr = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=16, blank=True)
    status = models.CharField(
        _("job status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    done_rows = models.PositiveIntegerField(_("rows checked"), default=0)
    report = models.JSONField(_("report"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "spec_key", "-created_at"])]
        constraints = [
            # A checked file is imported at most once: confirming twice finds this job.
            models.UniqueConstraint(
                fields=["file_name"],
                condition=models.Q(dry_run=False),
                name="importjob_one_real_run_per_file",
            )
        ]

    def __str__(self) -> str:
        return f"{self.spec_key} #{self.pk} ({self.status})"

    @classmethod
    def visible_to(cls, user) -> models.QuerySet:
        """The jobs ``user`` may open: their own; a superuser's: all."""
        if not getattr(user, "is_authenticated", False):
            return cls.objects.none()
        if user.is_superuser:
            return cls.objects.all()
        return cls.objects.filter(user=user)

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def ok(self) -> bool:
        return self.status == self.Status.DONE and bool(self.report) and self.report["ok"]

    @property
    def confirmable(self) -> bool:
        """A checked file that passed and would change something: it can be imported."""
        report = self.report or {}
        return self.dry_run and self.ok and bool(report["created"] or report["updated"])

    @property
    def written(self) -> bool:
        report = self.report or {}
        return not self.dry_run and self.ok and bool(report["created"] or report["updated"])


def api_token_ttl() -> datetime.timedelta:
    """How long an API token works after it was made (``API_TOKEN_TTL_DAYS``)."""
    return datetime.timedelta(days=settings.API_TOKEN_TTL_DAYS)


class ApiTokenQuerySet(models.QuerySet):
    def live(self, now=None) -> ApiTokenQuerySet:
        """The tokens that have not expired yet."""
        return self.filter(created__gt=(now or timezone.now()) - api_token_ttl())


class ApiToken(models.Model):
    """An API token (API令牌) of one user: ``Authorization: Token <key>`` acts as that user.

    A user may hold several, each named for what uses it, and revokes them one by one. The key
    is shown once, when the token is made; only its SHA-256 digest is kept (a random 160-bit
    key needs no salt), and its first characters to tell tokens apart. A token works for
    ``API_TOKEN_TTL_DAYS`` from ``created`` (the setting applies to every token, also those
    already made), not while its user is inactive or locked out (``core.lockout``).
    Creating and revoking go through ``core.actions`` and are in the change log (on the
    user's too); ``last_used`` is not a change and is written at most once a minute."""

    KEY_PREFIX = "sb_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What uses the token, e.g. a sync script.")
    )
    prefix = models.CharField(_("key begins with"), max_length=12, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    # Its change-log entries lie in its user's unit, and show on the user's log.
    scope_lookup = "user__org_unit__path"
    audit_enabled = True
    audit_parent = "user"
    audit_redact = {"digest"}
    audit_ignore = {"last_used"}

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def new_key(cls) -> str:
        return cls.KEY_PREFIX + secrets.token_hex(20)

    @staticmethod
    def digest_of(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def expires(self) -> datetime.datetime:
        return self.created + api_token_ttl()

    @property
    def expired(self) -> bool:
        return timezone.now() >= self.expires

    def touch(self, now=None) -> None:
        """Note its use, at most once a minute (a write per request would cost more than the
        request), without a change-log entry."""
        now = now or timezone.now()
        if self.last_used is None or (now - self.last_used).total_seconds() >= 60:
            ApiToken.objects.filter(pk=self.pk).update(last_used=now)
            self.last_used = now
