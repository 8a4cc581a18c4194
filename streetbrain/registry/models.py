"""人房物: the registry of buildings, houses, households, residents, facilities (管理部件) and
street shops, with the code tables they are classified by. Every object belongs to a grid cell
(its scope) and is audited; personal data is protected (see ``core.protected``)."""

from __future__ import annotations

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from streetbrain.core.identifiers import validate_credit_code, validate_id_number
from streetbrain.core.models import Department, OrgUnit, PlatformModel
from streetbrain.core.protected import (
    mask_id_number,
    mask_phone,
    normalise_id_number,
    normalise_phone,
    protected_property,
)
from streetbrain.core.scoping import ScopedManager

# China's extent: catches swapped or mistyped coordinates (WGS-84 degrees).
LON = [MinValueValidator(73.0), MaxValueValidator(136.0)]
LAT = [MinValueValidator(3.0), MaxValueValidator(54.0)]


# --- code tables (reference data, not scoped) ----------------------------------------------


class ComponentClass(models.Model):
    """GB/T 47678.5-2026 城市运行管理服务平台 管理部件和事项: a 5-digit class, either a component
    (管理部件) or a matter (管理事项); the same code exists in both, so the key is (kind, code)."""

    class Kind(models.TextChoices):
        COMPONENT = "component", _("Component (管理部件)")
        MATTER = "matter", _("Matter (管理事项)")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    major_code = models.CharField(_("major class code"), max_length=2)
    major_name = models.CharField(_("major class"), max_length=40)
    code = models.CharField(_("code"), max_length=5)
    name = models.CharField(_("name"), max_length=60)

    objects = ScopedManager()
    scope_lookup = None

    class Meta:
        verbose_name = _("GB/T 47678.5 class")
        verbose_name_plural = _("GB/T 47678.5 classes")
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="componentclass_kind_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class IndustrySection(models.Model):
    """GB/T 4754-2017 门类 (A–T)."""

    code = models.CharField(_("section"), max_length=1, unique=True)
    name = models.CharField(_("name"), max_length=60)
    divisions = models.CharField(_("divisions"), max_length=10)

    objects = ScopedManager()
    scope_lookup = None

    class Meta:
        verbose_name = _("industry section")
        verbose_name_plural = _("industry sections")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class IndustryClass(models.Model):
    """GB/T 4754-2017 国民经济行业分类 小类 (4 digits) with its 门类, 大类 and 中类 codes."""

    section = models.ForeignKey(
        IndustrySection, verbose_name=_("section"), on_delete=models.PROTECT, related_name="+"
    )
    division = models.CharField(_("division"), max_length=2, db_index=True)
    group = models.CharField(_("group"), max_length=3)
    code = models.CharField(_("code"), max_length=4, unique=True)
    name = models.CharField(_("name"), max_length=80)

    objects = ScopedManager()
    scope_lookup = None

    class Meta:
        verbose_name = _("industry class")
        verbose_name_plural = _("industry classes")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Division(models.Model):
    """NBS 统计用区划代码 down to township level (2022 vintage)."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        COUNTY = "county", _("County / district")
        TOWNSHIP = "township", _("Township / sub-district")

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=60)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent_code = models.CharField(_("parent code"), max_length=12, blank=True, db_index=True)

    objects = ScopedManager()
    scope_lookup = None

    class Meta:
        verbose_name = _("division code")
        verbose_name_plural = _("division codes")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


# --- 人房物 ------------------------------------------------------------------------------------


class Building(PlatformModel):
    """楼栋: a residential, office or other building in a grid cell."""

    class Kind(models.TextChoices):
        RESIDENTIAL = "residential", _("Residential")
        OFFICE = "office", _("Office")
        COMMERCIAL = "commercial", _("Commercial")
        MIXED = "mixed", _("Mixed use")
        PUBLIC = "public", _("Public facility")
        INDUSTRIAL = "industrial", _("Industrial")

    code = models.CharField(
        _("building code"),
        max_length=20,
        unique=True,
        help_text=_("Grid code (14 digits) and a 3-digit sequence."),
    )
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    compound = models.CharField(_("residential compound"), max_length=100, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True, validators=LON)
    lat = models.FloatField(_("latitude"), null=True, blank=True, validators=LAT)
    footprint = models.JSONField(_("footprint (GeoJSON)"), null=True, blank=True)
    floors_above = models.PositiveSmallIntegerField(_("floors above ground"), default=1)
    floors_below = models.PositiveSmallIntegerField(_("floors below ground"), default=0)
    gross_area_m2 = models.DecimalField(
        _("gross floor area (m²)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    year_built = models.PositiveSmallIntegerField(_("year built"), null=True, blank=True)
    property_manager = models.CharField(_("property manager (物业)"), max_length=100, blank=True)

    url_name = "registry:building_detail"
    audit_ignore = {"footprint"}

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class House(PlatformModel):
    """房屋: a dwelling or unit in a building (its grid cell is the building's)."""

    class Use(models.TextChoices):
        OWNER_OCCUPIED = "owner", _("Owner-occupied (自住)")
        RENTED = "rented", _("Rented (出租)")
        VACANT = "vacant", _("Vacant (空置)")
        COMMERCIAL = "commercial", _("Commercial (商用)")

    building = models.ForeignKey(
        Building, verbose_name=_("building"), on_delete=models.PROTECT, related_name="houses"
    )
    number = models.CharField(_("number"), max_length=20, help_text=_("e.g. 2-1502"))
    floor = models.SmallIntegerField(_("floor"))
    area_m2 = models.DecimalField(
        _("area (m²)"), max_digits=9, decimal_places=2, validators=[MinValueValidator(0)]
    )
    use = models.CharField(_("use"), max_length=12, choices=Use.choices)

    url_name = "registry:house_detail"
    audit_parent = "building"

    class Meta:
        verbose_name = _("house")
        verbose_name_plural = _("houses")
        ordering = ["building__code", "number"]
        indexes = [models.Index(fields=["org_unit", "id"], name="house_unit_id")]
        constraints = [
            models.UniqueConstraint(fields=["building", "number"], name="house_building_number")
        ]

    def __str__(self) -> str:
        return f"{self.building.name} {self.number}" if self.building_id else self.number

    def save(self, *args, **kwargs):
        self.org_unit_id = self.building.org_unit_id  # a house lies in its building's grid
        super().save(*args, **kwargs)


class Household(PlatformModel):
    """户: the people registered as living together in a house."""

    class Kind(models.TextChoices):
        FAMILY = "family", _("Family household")
        COLLECTIVE = "collective", _("Collective household")

    code = models.CharField(_("household number"), max_length=20, unique=True)
    house = models.ForeignKey(
        House,
        verbose_name=_("house"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="households",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default="family")

    url_name = "registry:household_detail"
    audit_parent = "house"

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs):
        if self.house_id:
            self.org_unit_id = self.house.org_unit_id  # registered where the house is
        super().save(*args, **kwargs)


class ResidentTag(models.Model):
    """A mark used in grid work: 独居老人, 残疾人, 低保, 重点人员 …"""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=30)
    sensitive = models.BooleanField(
        _("sensitive"), default=False, help_text=_("Shown only to roles that see personal data.")
    )

    objects = ScopedManager()
    scope_lookup = None

    class Meta:
        verbose_name = _("resident tag")
        verbose_name_plural = _("resident tags")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


# Residents by grid cell, then as registered: the order the index on ``org_unit_id`` gives a
# scope directly. By id alone, a street's page 1 read the 765,000 residents registered before
# its own in a district loaded street by street (as districts are: one street's import after
# another) — 370 ms, against 9 ms for this order at any depth (docs/scale-out.md).
RESIDENT_ORDER = ("org_unit_id", "pk")


class Resident(PlatformModel):
    """实有人口: a person living in the street. The ID number and phone are protected: encrypted
    at rest, searchable by exact match, masked for everyone, revealed with a logged action."""

    class Sex(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class Residence(models.TextChoices):
        REGISTERED = "registered", _("Registered (户籍)")
        PERMANENT = "permanent", _("Resident (常住)")
        FLOATING = "floating", _("Floating (流动)")

    class Relation(models.TextChoices):
        HEAD = "head", _("Head of household")
        SPOUSE = "spouse", _("Spouse")
        CHILD = "child", _("Child")
        PARENT = "parent", _("Parent")
        GRANDCHILD = "grandchild", _("Grandchild")
        OTHER = "other", _("Other")

    name = models.CharField(_("full name"), max_length=40, db_index=True)
    id_number_cipher = models.TextField(editable=False, blank=True)
    id_number_digest = models.CharField(max_length=64, editable=False, unique=True)
    id_number_masked = models.CharField(_("ID number"), max_length=18, editable=False)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, editable=False)
    birth_date = models.DateField(_("date of birth"), editable=False)
    phone_cipher = models.TextField(editable=False, blank=True)
    phone_digest = models.CharField(max_length=64, editable=False, blank=True, db_index=True)
    phone_masked = models.CharField(_("phone"), max_length=20, editable=False, blank=True)
    residence = models.CharField(_("residence status"), max_length=12, choices=Residence.choices)
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    relation = models.CharField(
        _("relation to head"), max_length=12, choices=Relation.choices, blank=True
    )
    house = models.ForeignKey(
        House,
        verbose_name=_("house"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="residents",
    )
    tags = models.ManyToManyField(ResidentTag, verbose_name=_("tags"), blank=True)

    id_number = protected_property(
        "id_number", normalise=normalise_id_number, mask=mask_id_number, label="ID number"
    )
    phone = protected_property("phone", normalise=normalise_phone, mask=mask_phone, label="phone")

    url_name = "registry:resident_detail"
    audit_parent = "household"
    audit_ignore = {"id_number_cipher", "phone_cipher"}
    audit_redact = {"id_number_digest", "phone_digest"}
    reveal_permission = "registry.reveal_personal_data"

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["pk"]
        # A narrow scope's cursor pages, one unit at a time (core.api.pagination.ByUnit).
        indexes = [models.Index(fields=["org_unit", "id"], name="resident_unit_id")]
        permissions = [("reveal_personal_data", _("Can reveal ID numbers and phone numbers"))]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.house_id:
            self.org_unit_id = self.house.org_unit_id  # counted where they live
        super().save(*args, **kwargs)

    def set_id_number(self, value: str) -> None:
        """Validate (GB 11643), store protected, and derive sex and birth date."""
        value = normalise_id_number(value)
        validate_id_number(value)
        self.id_number = value
        self.birth_date = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
        self.sex = self.Sex.MALE if int(value[16]) % 2 else self.Sex.FEMALE

    @property
    def tags_display(self) -> str:
        return "、".join(t.name for t in self.tags.all())

    @property
    def age(self) -> int:
        today = datetime.date.today()
        b = self.birth_date
        return today.year - b.year - ((today.month, today.day) < (b.month, b.day))


class Facility(PlatformModel):
    """管理部件: a piece of city infrastructure, classified by GB/T 47678.5 (component kind).
    Object id = county code (6) + class code (5) + serial (6)."""

    class State(models.TextChoices):
        GOOD = "good", _("Good")
        DAMAGED = "damaged", _("Damaged")
        MISSING = "missing", _("Missing")
        DECOMMISSIONED = "decommissioned", _("Decommissioned")

    object_id = models.CharField(_("object id"), max_length=17, unique=True)
    component_class = models.ForeignKey(
        ComponentClass,
        verbose_name=_("class"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": "component"},
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    lon = models.FloatField(_("longitude"), validators=LON)
    lat = models.FloatField(_("latitude"), validators=LAT)
    address = models.CharField(_("address"), max_length=200, blank=True)
    owner = models.ForeignKey(
        Department,
        verbose_name=_("owning department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    maintainer = models.ForeignKey(
        Department,
        verbose_name=_("maintaining department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default="good")
    installed_on = models.DateField(_("installed on"), null=True, blank=True)

    url_name = "registry:facility_detail"

    class Meta:
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        ordering = ["object_id"]

    def __str__(self) -> str:
        return self.name or f"{self.component_class.name} {self.object_id[-6:]}"


class Shop(PlatformModel):
    """沿街店铺: a street-front business, for 一表通查 (one table of all shops)."""

    class Inspection(models.TextChoices):
        NOT_INSPECTED = "none", _("Not inspected")
        PASSED = "passed", _("Passed")
        RECTIFYING = "rectifying", _("Being rectified")
        FAILED = "failed", _("Failed")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=100, db_index=True)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
    )
    licence_no = models.CharField(_("licence number"), max_length=40, blank=True)
    industry = models.ForeignKey(
        IndustryClass,
        verbose_name=_("business type"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    building = models.ForeignKey(
        Building,
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="shops",
    )
    address = models.CharField(_("address"), max_length=200)
    operator = models.CharField(_("operator"), max_length=40)
    phone_cipher = models.TextField(editable=False, blank=True)
    phone_digest = models.CharField(max_length=64, editable=False, blank=True, db_index=True)
    phone_masked = models.CharField(_("phone"), max_length=20, editable=False, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True, validators=LON)
    lat = models.FloatField(_("latitude"), null=True, blank=True, validators=LAT)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default="open")
    inspection = models.CharField(
        _("inspection"), max_length=12, choices=Inspection.choices, default="none"
    )
    inspected_on = models.DateField(_("last inspected"), null=True, blank=True)

    phone = protected_property("phone", normalise=normalise_phone, mask=mask_phone, label="phone")

    url_name = "registry:shop_detail"
    audit_ignore = {"phone_cipher"}
    audit_redact = {"phone_digest"}
    reveal_permission = "registry.reveal_personal_data"

    class Meta:
        verbose_name = _("street shop")
        verbose_name_plural = _("street shops")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Place(models.Model):
    """A named landmark from OpenStreetMap (© OpenStreetMap contributors, ODbL)."""

    class Kind(models.TextChoices):
        COMMERCIAL = "commercial", _("Commercial")
        SCHOOL = "school", _("School")
        HOSPITAL = "hospital", _("Hospital")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    osm_ref = models.CharField(_("OpenStreetMap reference"), max_length=40, unique=True)
    geometry = models.JSONField(_("outline (GeoJSON, WGS-84)"))
    lon = models.FloatField(_("longitude"), validators=LON)
    lat = models.FloatField(_("latitude"), validators=LAT)
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("grid cell"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    attribution = models.CharField(
        _("attribution"), max_length=100, default="© OpenStreetMap contributors (ODbL)"
    )

    objects = ScopedManager()
    scope_lookup = None  # public landmarks

    class Meta:
        verbose_name = _("named place")
        verbose_name_plural = _("named places")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("registry:place_detail", args=[self.pk])
