"""商圈共生共荣: the street's business districts (百亿商圈), their malls and complexes, the stores
in them, the first-store register (首店), monthly retail sales and the consumption alliance's
campaigns (消费联盟).

Every table is scoped by its own ``org_unit`` (a district by the unit that looks after it —
usually the street —, a mall and its stores by the grid cell they stand in, else the
district's unit), so the platform's one scoping rule (``restrict(user, action)``) holds
without joins. Stores say which registry shop (一表通查) or building-economy enterprise they are
when they are the same legal entity, by credit code or by name (``actions.link_store``).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from streetbrain.core.identifiers import validate_credit_code
from streetbrain.core.models import OrgUnit, PlatformModel
from streetbrain.core.scoping import ScopedManager

NON_NEGATIVE = [MinValueValidator(0)]
TEN_BILLION = Decimal("10000000000")


def validate_month(value: datetime.date) -> None:
    if value is not None and value.day != 1:
        raise ValidationError(
            _("A month is stored as its first day (%(day)s is not).") % {"day": value.isoformat()},
            code="not_month_start",
        )


class DistrictModel(PlatformModel):
    """Like the registry's objects, but the unit may be any level: a district spans grid
    cells and is looked after by the street."""

    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("org unit"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Who looks after it: the grid cell it stands in, else the street."),
    )

    class Meta:
        abstract = True
        ordering = ["pk"]


class Category(models.TextChoices):
    """The trade a store's sales count under: the statistics' 限额以上 thresholds differ by
    it (``thresholds.py``)."""

    RETAIL = "retail", _("Retail (零售)")
    WHOLESALE = "wholesale", _("Wholesale (批发)")
    CATERING = "catering", _("Catering (餐饮)")
    LODGING = "lodging", _("Lodging (住宿)")
    OTHER = "other", _("Other services")


class BusinessDistrict(DistrictModel):
    """商圈: a named area with an outline (WGS-84 GeoJSON) and its yearly targets — retail
    sales (百亿商圈: 10 billion CNY) and the number of first stores to open."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    geometry = models.JSONField(
        _("outline (GeoJSON, WGS-84)"),
        null=True,
        blank=True,
        help_text=_("A Polygon or MultiPolygon."),
    )
    sales_target = models.DecimalField(
        _("annual sales target (CNY)"),
        max_digits=16,
        decimal_places=2,
        default=TEN_BILLION,
        validators=NON_NEGATIVE,
    )
    first_store_target = models.PositiveIntegerField(_("first stores to open a year"), default=0)
    attribution = models.CharField(
        _("source of the outline"),
        max_length=200,
        blank=True,
        help_text=_("e.g. © OpenStreetMap contributors (ODbL) when drawn from OpenStreetMap."),
    )

    url_name = "districts:businessdistrict_detail"

    class Meta:
        verbose_name = _("business district")
        verbose_name_plural = _("business districts")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def target_for(self, year: int) -> DistrictTarget:
        """The year's targets: its own row, else the district's standing targets (unsaved)."""
        found = self.targets.filter(year=year).first()
        return found or DistrictTarget(
            district=self,
            year=year,
            sales_target=self.sales_target,
            first_store_target=self.first_store_target,
            org_unit_id=self.org_unit_id,
        )


def targets_of_year(districts, year: int) -> dict[int, tuple[Decimal, int]]:
    """{district id: (sales target, first-store target)} of ``year`` for ``districts`` in one
    query; a district without its own row for the year has its standing targets."""
    districts = list(districts)
    own = {
        t.district_id: (t.sales_target, t.first_store_target)
        for t in DistrictTarget.objects.filter(district__in=[d.pk for d in districts], year=year)
    }
    return {d.pk: own.get(d.pk, (d.sales_target, d.first_store_target)) for d in districts}


class DistrictTarget(DistrictModel):
    """A district's targets of one year (the sales the 百亿商圈 aims at and the first stores to
    open); years without a row use the district's standing targets."""

    district = models.ForeignKey(
        BusinessDistrict,
        verbose_name=_("business district"),
        on_delete=models.CASCADE,
        related_name="targets",
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1900), MaxValueValidator(2199)]
    )
    sales_target = models.DecimalField(
        _("annual sales target (CNY)"),
        max_digits=16,
        decimal_places=2,
        default=TEN_BILLION,
        validators=NON_NEGATIVE,
    )
    first_store_target = models.PositiveIntegerField(_("first stores to open a year"), default=0)

    url_name = "districts:businessdistrict_detail"
    audit_parent = "district"  # a year's targets show in the district's change log

    class Meta:
        verbose_name = _("district target")
        verbose_name_plural = _("district targets")
        ordering = ["district", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["district", "year"], name="districttarget_one_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.district} · {self.year}"

    def get_absolute_url(self) -> str:
        return reverse(self.url_name, args=[self.district_id])


class Complex(DistrictModel):
    """商业综合体: a mall, department store, complex or shopping street of a district, with
    its outline; the registry building it occupies when there is one."""

    class Kind(models.TextChoices):
        MALL = "mall", _("Shopping mall")
        DEPARTMENT_STORE = "department", _("Department store")
        COMPLEX = "complex", _("Commercial complex")
        STREET = "street", _("Shopping street")

    district = models.ForeignKey(
        BusinessDistrict,
        verbose_name=_("business district"),
        on_delete=models.PROTECT,
        related_name="complexes",
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.MALL)
    operator = models.CharField(_("operator"), max_length=100, blank=True)
    building = models.ForeignKey(
        "registry.Building",
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    geometry = models.JSONField(_("outline (GeoJSON, WGS-84)"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    osm_name = models.CharField(
        _("OpenStreetMap name"),
        max_length=100,
        blank=True,
        help_text=_(
            "Set when the outline is real OpenStreetMap data (© OpenStreetMap contributors, ODbL)."
        ),
    )

    url_name = "districts:complex_detail"

    class Meta:
        verbose_name = _("mall or complex")
        verbose_name_plural = _("malls and complexes")
        ordering = ["district", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="complex_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Store(DistrictModel):
    """门店: a store of a district, in one of its malls or on its streets. ``shop`` and
    ``enterprise`` point to the same legal entity in the registry's shop register and the
    building economy, when there is one."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    district = models.ForeignKey(
        BusinessDistrict,
        verbose_name=_("business district"),
        on_delete=models.PROTECT,
        related_name="stores",
    )
    complex = models.ForeignKey(
        Complex,
        verbose_name=_("mall or complex"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stores",
    )
    code = models.CharField(
        _("store code"),
        max_length=40,
        unique=True,
        help_text=_("The key imports and sales use, e.g. the mall's own store number."),
    )
    name = models.CharField(_("name"), max_length=100, db_index=True)
    brand = models.CharField(_("brand"), max_length=100, blank=True, db_index=True)
    category = models.CharField(
        _("trade"), max_length=10, choices=Category.choices, default=Category.RETAIL
    )
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        db_index=True,
        validators=[validate_credit_code],
    )
    shop = models.ForeignKey(
        "registry.Shop",
        verbose_name=_("shop (一表通查)"),
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
    location = models.CharField(_("floor and unit"), max_length=40, blank=True)
    area_m2 = models.DecimalField(
        _("area (m²)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )

    url_name = "districts:store_detail"

    class Meta:
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        ordering = ["district", "name", "pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.complex_id and self.district_id and self.complex.district_id != self.district_id:
            raise ValidationError({"complex": _("The mall is in another business district.")})


class FirstStore(DistrictModel):
    """首店: a brand's first store at a level (global … city first store, flagship, concept
    store; the definitions in ``data/reference/first_store.yaml``), opened on a day — the
    year it counts for."""

    class Level(models.TextChoices):
        GLOBAL = "global", _("Global first store (全球首店)")
        ASIA = "asia", _("Asia first store (亚洲首店)")
        CHINA = "china", _("National first store (中国首店)")
        REGION = "region", _("Regional first store (华东首店)")
        PROVINCE = "province", _("Provincial first store (浙江首店)")
        CITY = "city", _("City first store (宁波首店)")
        DISTRICT = "district", _("District first store (区级首店)")
        FLAGSHIP = "flagship", _("Flagship store (旗舰店)")
        CONCEPT = "concept", _("Concept store (概念店)")
        NEW_FORMAT = "other_new_format", _("Experience or new-format store (体验店)")

    district = models.ForeignKey(
        BusinessDistrict,
        verbose_name=_("business district"),
        on_delete=models.PROTECT,
        related_name="first_stores",
    )
    complex = models.ForeignKey(
        Complex,
        verbose_name=_("mall or complex"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="first_stores",
    )
    store = models.ForeignKey(
        Store,
        verbose_name=_("store"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="first_store_entries",
    )
    brand = models.CharField(_("brand"), max_length=100, db_index=True)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    opened_on = models.DateField(_("opened on"))
    area_m2 = models.DecimalField(
        _("area (m²)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    note = models.TextField(_("note"), blank=True)

    url_name = "districts:firststore_detail"

    class Meta:
        verbose_name = _("first store")
        verbose_name_plural = _("first stores")
        ordering = ["-opened_on", "brand", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "brand", "level"], name="firststore_unique_brand_level"
            )
        ]

    def __str__(self) -> str:
        return f"{self.brand} · {self.get_level_display()}"

    def clean(self):
        if self.complex_id and self.district_id and self.complex.district_id != self.district_id:
            raise ValidationError({"complex": _("The mall is in another business district.")})


class SalesRecord(models.Model):
    """月度销售额: a store's retail sales in a month — or a mall's, for a mall that reports
    one figure for the stores it does not report one by one (never both for the same sales:
    a district's total is the sum of its rows). Carries its district, trade and unit so that
    every figure of the dashboard is a filter of this table. ``complex`` is set on a mall's
    own figure only; a store's row is in its store's mall."""

    district = models.ForeignKey(
        BusinessDistrict,
        verbose_name=_("business district"),
        on_delete=models.PROTECT,
        related_name="sales",
    )
    complex = models.ForeignKey(
        Complex,
        verbose_name=_("mall (its own figure)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sales",
    )
    store = models.ForeignKey(
        Store,
        verbose_name=_("store"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sales",
    )
    category = models.CharField(
        _("trade"), max_length=10, choices=Category.choices, default=Category.RETAIL
    )
    month = models.DateField(_("month"), validators=[validate_month])
    amount = models.DecimalField(
        _("sales (CNY)"), max_digits=16, decimal_places=2, validators=NON_NEGATIVE
    )
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="+"
    )
    data_source = models.CharField(
        _("data source"),
        max_length=10,
        choices=PlatformModel.Source.choices,
        default=PlatformModel.Source.MANUAL,
    )

    objects = ScopedManager()

    scope_lookup = "org_unit__path"
    audit_enabled = True
    url_name = "districts:salesrecord_detail"

    class Meta:
        verbose_name = _("monthly sales")
        verbose_name_plural = _("monthly sales")
        ordering = ["-month", "district", "store", "complex", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "month"],
                name="sales_unique_store_month",
                condition=models.Q(store__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["complex", "month"],
                name="sales_unique_complex_month",
                condition=models.Q(store__isnull=True),
            ),
        ]
        indexes = [models.Index(fields=["district", "month"], name="sales_district_month")]

    def __str__(self) -> str:
        who = self.store or self.complex or self.district
        return f"{who} {self.month:%Y-%m}"

    def get_absolute_url(self) -> str:
        return reverse(self.url_name, args=[self.pk])

    @property
    def mall(self) -> Complex | None:
        return self.store.complex if self.store_id else self.complex

    def fill_from_parents(self) -> None:
        """The district, mall, trade and unit follow the store (or the mall)."""
        if self.store_id:
            store = self.store
            self.complex_id = None  # a store's mall is the store's: ``mall`` in the figures
            self.district_id = store.district_id
            self.category = store.category
            self.org_unit_id = store.org_unit_id
        elif self.complex_id:
            self.district_id = self.complex.district_id
            self.org_unit_id = self.complex.org_unit_id

    def clean(self):
        if bool(self.store_id) == bool(self.complex_id):
            raise ValidationError(_("Sales belong to a store or to a mall."))


class Campaign(DistrictModel):
    """消费联盟 campaign: the member stores, the coupons issued and redeemed, and its window —
    its sales are the members' sales in the window, against the same window a year before."""

    district = models.ForeignKey(
        BusinessDistrict,
        verbose_name=_("business district"),
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    members = models.ManyToManyField(
        Store, verbose_name=_("member stores"), related_name="campaigns"
    )
    coupons_issued = models.PositiveIntegerField(_("coupons issued"), default=0)
    coupons_redeemed = models.PositiveIntegerField(_("coupons redeemed"), default=0)
    coupon_value = models.DecimalField(
        _("value of the coupons redeemed (CNY)"),
        max_digits=14,
        decimal_places=2,
        default=Decimal(0),
        validators=NON_NEGATIVE,
    )
    note = models.TextField(_("note"), blank=True)

    url_name = "districts:campaign_detail"

    class Meta:
        verbose_name = _("consumption campaign")
        verbose_name_plural = _("consumption campaigns")
        ordering = ["-starts_on", "pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The campaign cannot end before it starts.")
        if self.coupons_redeemed > self.coupons_issued:
            errors["coupons_redeemed"] = _("More coupons redeemed than issued.")
        if errors:
            raise ValidationError(errors)
