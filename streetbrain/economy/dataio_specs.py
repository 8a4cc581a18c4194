"""Import and export of the building economy, in the layouts the street receives them: the
operators' lists of towers, floors and units (房源表) and their lease ledgers (租赁台账), the
market regulator's enterprise list, the tax bureau's monthly tax (统一社会信用代码, 企业名称,
所属期, 税收合计, 地方留存) and the social-insurance headcount. The credit code is the key of
everything about an enterprise; all or nothing, with row errors, dry run and upsert on the key
(see ``core.dataio``). The headers are data: Chinese and stable, like the registry's.

What an import is and is not: it loads records as the sender keeps them. A lease ledger loads
the leases with their dates and states (the history the monthly figures are computed from);
it does not replay them as move-ins and move-outs on the enterprises' timelines, nor change
the units' letting status (the unit list says that). Changes from now on go through
``economy.actions``, which write the timeline.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from streetbrain.core import dataio
from streetbrain.core.dataio import (
    TAG_SEPARATORS,
    ChoiceField,
    Context,
    DateField,
    DecimalField,
    Field,
    ForeignKeyField,
    ImportSpec,
    IntField,
    TextField,
    cell_text,
)
from streetbrain.core.models import OrgUnit
from streetbrain.core.months import month_start

from .models import (
    Enterprise,
    Floor,
    HeadcountRecord,
    Lease,
    OfficeBuilding,
    TaxRecord,
    Unit,
)

BUILDING_CODE = "楼栋编码"
CREDIT_CODE = "统一社会信用代码"
ENTERPRISE_NAME = "企业名称"
UNITS = "单元编号"

# What tax bureaus and social-insurance offices call the same columns.
for alias, header in (
    ("纳税人识别号", CREDIT_CODE),
    ("纳税人名称", ENTERPRISE_NAME),
    ("税款所属期", "所属期"),
    ("税款所属月份", "所属期"),
):
    dataio.HEADER_ALIASES.setdefault(alias, header)


def normalise_credit_code(text: str) -> str:
    """Full-width characters, spaces and lower case, as spreadsheets have them, made plain."""
    return unicodedata.normalize("NFKC", text).replace(" ", "").upper()


# --- fields of this domain ------------------------------------------------------------------


class ShownField(Field):
    """A column for the reader (the enterprise's name beside its credit code, the tower's name
    beside its code): exported, and ignored on import (the key column decides)."""

    def __init__(self, header: str, path: str):
        super().__init__(header, f"_shown_{path}", required=False)
        self.path = path

    def describe(self):
        return _("For the reader; not imported")

    def differs(self, obj, value):
        return False

    def assign(self, obj, value):
        pass

    def current(self, obj):
        value = obj
        for part in self.path.split("__"):
            value = getattr(value, part, None) if value is not None else None
        return "" if value is None else value

    def display(self, obj, ctx):
        return ""


class YesNoField(Field):
    """是 / 否 (also Y/N, yes/no, true/false, 1/0)."""

    kind = "choice"
    YES = {"是", "y", "yes", "true", "1", "√"}
    NO = {"否", "n", "no", "false", "0", "×"}

    def describe(self):
        return _("是 or 否")

    def parse_one(self, raw, ctx):
        text = unicodedata.normalize("NFKC", cell_text(raw)).strip().casefold()
        if text in self.YES:
            return True
        if text in self.NO:
            return False
        raise ValueError(_("“%(value)s” is neither 是 nor 否.") % {"value": cell_text(raw)})

    def to_cell(self, value):
        return "是" if value else "否"


MONTH_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
COMPACT_MONTH_RE = re.compile(r"^(\d{4})(\d{2})$")


class MonthField(Field):
    """A month (所属期) as 2024-03, 2024/3, 2024年3月, 202403, a date within it (2024-03-01) or
    an Excel date cell; stored as its first day, exported as 2024-03. A month to come is
    refused: no tax or headcount is reported for it yet."""

    kind = "month"

    def describe(self):
        return _("Month, e.g. 2024-03")

    def parse_one(self, raw, ctx):
        if isinstance(raw, datetime.datetime):
            value = raw.date()
        elif isinstance(raw, datetime.date):
            value = raw
        else:
            text = unicodedata.normalize("NFKC", cell_text(raw)).replace(" ", "")
            text = re.split(r"[至~]", text)[0]  # "2024-03-01至2024-03-31": the period's start
            m = MONTH_RE.match(text) or COMPACT_MONTH_RE.match(text) or dataio.DATE_RE.match(text)
            if not m:
                raise ValueError(
                    _("“%(value)s” is not a month; write it as 2024-03.") % {"value": text}
                )
            try:
                value = datetime.date(int(m[1]), int(m[2]), 1)
            except ValueError:
                raise ValueError(
                    _("“%(value)s” is not a month; write it as 2024-03.") % {"value": text}
                ) from None
        value = month_start(value)
        latest = month_start(timezone.localdate())
        if value.year < 2000 or value > latest:
            raise ValueError(
                _("The month %(month)s is out of range (2000-01 to %(max)s).")
                % {"month": f"{value:%Y-%m}", "max": f"{latest:%Y-%m}"}
            )
        return value

    def to_cell(self, value):
        return f"{value:%Y-%m}" if value else ""


class _Default:
    """An empty cell of a column with a default that depends on the run (its user)."""

    def __init__(self, value):
        self.value = value


class HomeUnitField(ForeignKeyField):
    """The org unit that looks after an enterprise, by code: a grid cell, a community or the
    street. Empty for a new enterprise: the importing user's unit, or the street when there is
    one; empty for a known one: unchanged (its leases placed it by its main building)."""

    def __init__(self, header: str):
        super().__init__(
            header,
            "org_unit",
            key="code",
            filter={"level__in": ("street", "community", "grid")},
            required=False,
            hint=gettext_lazy("Code of the grid cell, community or street (empty: yours)"),
        )

    def empty(self, ctx):
        return _Default(default_home_unit(ctx.user))

    def differs(self, obj, value):
        if isinstance(value, _Default):
            return obj.org_unit_id is None
        return super().differs(obj, value)

    def assign(self, obj, value):
        if isinstance(value, _Default):
            if value.value is None:
                raise ValueError(_("Fill in the code of the unit that looks after it."))
            value = value.value
        setattr(obj, self.attr, value)


def default_home_unit(ctx_user=None) -> OrgUnit | None:
    if ctx_user is not None and getattr(ctx_user, "org_unit_id", None):
        return ctx_user.org_unit
    streets = list(OrgUnit.objects.filter(level=OrgUnit.Level.STREET)[:2])
    return streets[0] if len(streets) == 1 else None


class _Ref:
    """A parsed cell that needs the row's other columns to resolve (a floor number, unit
    numbers): it keeps the run's context, whose cache the run's rows share."""

    def __init__(self, value, ctx: Context):
        self.value, self.ctx = value, ctx


class FloorNumberField(IntField):
    """A unit's floor by its number within the unit's building (the 楼栋编码 column before it).
    A floor the building does not have yet is added with its first unit (a unit list is how
    floors become known); the units of one run share it."""

    def __init__(self, header: str):
        super().__init__(header, "floor")

    def describe(self):
        return _("Floor number: 1 is the ground floor, −1 (or B1) is the first below")

    @property
    def required(self) -> bool:
        return True

    def parse_one(self, raw, ctx):
        text = unicodedata.normalize("NFKC", cell_text(raw)).upper().replace(" ", "")
        m = re.fullmatch(r"B(\d+)", text) or re.fullmatch(r"(-?\d+)(?:F|层|楼)?", text)
        if not m:
            raise ValueError(_("“%(value)s” is not a floor number.") % {"value": text})
        number = -int(m[1]) if text.startswith("B") else int(m[1])
        if number == 0:
            raise ValueError(_("There is no floor 0: B1 is −1, the ground is 1."))
        return _Ref(number, ctx)

    def current(self, obj):
        return obj.floor.number if obj.floor_id else None

    def differs(self, obj, value):
        return self.current(obj) != value.value

    def assign(self, obj, value):
        cache = value.ctx.cache.setdefault(self, {})
        if obj.building_id not in cache:
            cache[obj.building_id] = {
                f.number: f for f in Floor.objects.filter(building_id=obj.building_id)
            }
        floors = cache[obj.building_id]
        floor = floors.get(value.value)
        if floor is None:  # saved with its first unit (Unit.save)
            floor = Floor(building=obj.building, number=value.value, org_unit=obj.building.org_unit)
            floors[value.value] = floor
        obj.floor = floor

    def export(self, obj, ctx):
        return (obj.floor.number,)

    def display(self, obj, ctx):
        return str(obj.floor.number) if Unit.floor.is_cached(obj) or obj.floor_id else ""

    @property
    def select_related(self):
        return ["floor"]


class UnitsField(Field):
    """The units of a lease by number (1201、1202), within the lease's building (the 楼栋编码
    column before it)."""

    kind = "names"
    is_m2m = True

    def describe(self):
        return _("Unit numbers separated by 、, e.g. %(example)s") % {"example": "1201、1202"}

    def parse_one(self, raw, ctx):
        codes = [c.strip() for c in TAG_SEPARATORS.split(cell_text(raw)) if c.strip()]
        if not codes:
            raise ValueError(_("A value is required."))
        return _Ref(sorted(set(codes)), ctx)

    def prepare(self, cells_list, ctx):
        codes = {c for cells in cells_list for c in TAG_SEPARATORS.split(cell_text(cells[0]))}
        codes = {c.strip() for c in codes if c.strip()}
        found: dict[tuple, Unit] = {}
        manager = dataio._scoped(Unit, ctx.user, "view")
        for chunk in dataio._chunks(sorted(codes)):
            for unit in manager.filter(code__in=chunk):
                found[(unit.building_id, unit.code)] = unit
        ctx.cache[self] = found

    def _resolve(self, obj, value: _Ref) -> list[Unit]:
        found = value.ctx.cache[self]
        missing = [c for c in value.value if (obj.building_id, c) not in found]
        if missing:
            raise ValueError(
                _("%(building)s has no unit %(units)s (or it is outside your area).")
                % {"building": obj.building, "units": "、".join(missing)}
            )
        return [found[(obj.building_id, c)] for c in value.value]

    def current(self, obj):
        return [] if obj.pk is None else sorted(u.pk for u in obj.units.all())

    def differs(self, obj, value):
        return self.current(obj) != sorted(u.pk for u in self._resolve(obj, value))

    def assign(self, obj, value):
        units = self._resolve(obj, value)
        obj._dataio_m2m = {**getattr(obj, "_dataio_m2m", {}), self.attr: units}

    def export(self, obj, ctx):
        return ("、".join(sorted(u.code for u in obj.units.all())),)

    def display(self, obj, ctx):
        pending = getattr(obj, "_dataio_m2m", {})
        if self.attr in pending:
            return "、".join(sorted(u.code for u in pending[self.attr]))
        return super().display(obj, ctx)


class ContractNumberField(TextField):
    """The lease's contract number (its key); remembers the run's rows by number, so that a
    renewal further down the file can name a lease the file itself brings."""

    def __init__(self, header: str):
        super().__init__(header, "contract_number")

    def parse_one(self, raw, ctx):
        return _Ref(cell_text(raw), ctx)

    def key_value(self, value):
        return value.value

    def differs(self, obj, value):
        return obj.contract_number != value.value

    def assign(self, obj, value):
        obj.contract_number = value.value
        value.ctx.cache.setdefault(ContractNumberField, {})[value.value] = obj


class RenewedLeaseField(ForeignKeyField):
    """The lease a row renews, by contract number: a known lease, or one an earlier row of the
    same file brings (a ledger lists a lease before its renewal)."""

    def __init__(self, header: str):
        super().__init__(
            header,
            "renewed_from",
            key="contract_number",
            hint=gettext_lazy("Contract number of the lease this one renews"),
        )

    def parse(self, cells, ctx):
        found, _visible = ctx.cache[self]
        if self._key_of(cells) not in found:
            return _Ref(self._key_of(cells)[0], ctx)
        return super().parse(cells, ctx)

    def differs(self, obj, value):
        if isinstance(value, _Ref):
            return True
        return super().differs(obj, value)

    def assign(self, obj, value):
        if isinstance(value, _Ref):
            earlier = value.ctx.cache.get(ContractNumberField, {}).get(value.value)
            if earlier is None or earlier is obj:
                raise ValueError(
                    _(
                        "There is no lease “%(value)s” (in a file, a renewal comes after the "
                        "lease it renews)."
                    )
                    % {"value": value.value}
                )
            value = earlier
        setattr(obj, self.attr, value)


def _office(**kw) -> ForeignKeyField:
    return ForeignKeyField(
        BUILDING_CODE,
        "building",
        key="building__code",
        hint=gettext_lazy("17-digit code of the office building in the registry (楼栋编码)"),
        **kw,
    )


def _enterprise() -> ForeignKeyField:
    return ForeignKeyField(
        CREDIT_CODE,
        "enterprise",
        key="credit_code",
        hint=gettext_lazy("18-character unified social credit code of a known enterprise"),
    )


# --- checks across columns ----------------------------------------------------------------------


def _units_of(obj: Lease) -> list[Unit]:
    pending = getattr(obj, "_dataio_m2m", {})
    if "units" in pending:
        return pending["units"]
    return list(obj.units.all()) if obj.pk else []


def _clean_lease(obj: Lease) -> None:
    errors: dict[str, Any] = {}
    if obj.start_date and obj.end_date and obj.end_date >= obj.start_date:
        units = _units_of(obj)
        last = obj.ended_on or obj.end_date
        clash = (
            Lease.objects.filter(units__in=units)
            .exclude(contract_number=obj.contract_number)
            .held_between(obj.start_date, last)
            .order_by("start_date", "pk")
            .first()
        )
        if clash is not None:
            codes = sorted(
                set(clash.units.values_list("code", flat=True)) & {u.code for u in units}
            )
            errors[UNITS] = _(
                "Unit %(unit)s is let under contract %(contract)s until %(until)s."
            ) % {
                "unit": "、".join(codes),
                "contract": clash.contract_number,
                "until": clash.last_day.isoformat(),
            }
    previous = obj.renewed_from
    if previous is not None:
        if previous.contract_number == obj.contract_number:
            errors["续签原合同编号"] = _("A lease cannot renew itself.")
        elif previous.enterprise_id != obj.enterprise_id or previous.building_id != obj.building_id:
            errors["续签原合同编号"] = _(
                "The renewed lease %(contract)s is another enterprise's or in another building."
            ) % {"contract": previous.contract_number}
    if errors:
        raise ValidationError(errors)


# --- the specs ----------------------------------------------------------------------------------

OFFICE_BUILDINGS = ImportSpec(
    model=OfficeBuilding,
    key=("building",),
    fields=[
        ForeignKeyField(
            BUILDING_CODE,
            "building",
            key="code",
            hint=gettext_lazy("17-digit building code of the registry (楼栋编码)"),
        ),
        ShownField("楼宇名称", "building__name"),
        ChoiceField("楼宇等级", "grade"),
        TextField("产权单位", "owner"),
        TextField("运营管理方", "manager"),
        ForeignKeyField(
            "楼长",
            "leader",
            key="username",
            alt_key="display_name",
            hint=gettext_lazy("Account or full name of the building leader (楼长)"),
        ),
        ForeignKeyField(
            "产业链",
            "chain",
            key="code",
            alt_key="name",
            hint=gettext_lazy("Code or name of the industrial chain"),
        ),
        TextField("主导产业目标", "signature_industry", normalise=str.upper),
        DecimalField("主导产业目标占比", "signature_share"),
        DecimalField("可租面积（平方米）", "leasable_area_m2"),
    ],
    inherit={"org_unit": ("building",)},
)

FLOORS = ImportSpec(
    model=Floor,
    key=("building", "number"),
    fields=[
        _office(),
        IntField("楼层", "number"),
        TextField("楼层名称", "label"),
        ChoiceField("楼层用途", "use"),
    ],
    inherit={"org_unit": ("building",)},
)

UNITS_SPEC = ImportSpec(
    model=Unit,
    key=("building", "code"),
    fields=[
        _office(),
        FloorNumberField("楼层"),
        TextField("单元编号", "code"),
        DecimalField("面积（平方米）", "area_m2"),
        ChoiceField("租赁状态", "status"),
        DecimalField("挂牌租金（元/平方米/天）", "asking_rent"),
    ],
    inherit={"org_unit": ("building",)},
    # Saved one by one: a floor first named by a unit is saved with it (Unit.save).
    bulk=False,
)


def _clean_enterprise(obj: Enterprise) -> None:
    # A list without the 所属区域编码 column: new enterprises are the street's until their
    # leases place them.
    if obj.org_unit_id is None:
        unit = default_home_unit()
        if unit is None:
            raise ValidationError(
                {"所属区域编码": _("Fill in the code of the unit that looks after it.")}
            )
        obj.org_unit = unit


ENTERPRISES = ImportSpec(
    model=Enterprise,
    key=("credit_code",),
    fields=[
        TextField(CREDIT_CODE, "credit_code", normalise=normalise_credit_code),
        TextField(ENTERPRISE_NAME, "name"),
        ForeignKeyField(
            "行业代码",
            "industry",
            key="code",
            zero_pad=4,
            hint=gettext_lazy("4-digit GB/T 4754-2017 industry class code"),
        ),
        DateField("成立日期", "founded_on", not_future=True),
        DecimalField("注册资本（万元）", "registered_capital"),
        YesNoField("属地注册", "locally_registered"),
        TextField("注册地址", "registered_address"),
        ChoiceField("经营状态", "status"),
        HomeUnitField("所属区域编码"),
    ],
    clean=_clean_enterprise,
)

LEASES = ImportSpec(
    model=Lease,
    key=("contract_number",),
    fields=[
        ContractNumberField("合同编号"),
        _enterprise(),
        ShownField(ENTERPRISE_NAME, "enterprise__name"),
        _office(),
        UnitsField(UNITS, "units"),
        DecimalField("租赁面积（平方米）", "area_m2"),
        DateField("签约日期", "signed_on", min_year=1980),
        DateField("起租日期", "start_date", min_year=1980),
        DateField("到期日期", "end_date", min_year=1980),
        DecimalField("免租期（月）", "rent_free_months"),
        DecimalField("合同租金（元/平方米/天）", "contract_rent"),
        ChoiceField("合同状态", "state"),
        DateField("实际退租日期", "ended_on", min_year=1980),
        RenewedLeaseField("续签原合同编号"),
    ],
    inherit={"org_unit": ("building",)},
    clean=_clean_lease,
    # Saved row by row, in the file's order: a renewal may name a lease of an earlier row.
    bulk=False,
)

TAX_RECORDS = ImportSpec(
    model=TaxRecord,
    key=("enterprise", "month"),
    fields=[
        _enterprise(),
        ShownField(ENTERPRISE_NAME, "enterprise__name"),
        MonthField("所属期", "month"),
        DecimalField("税收合计", "total_tax"),
        DecimalField("地方留存", "local_tax"),
    ],
)

HEADCOUNTS = ImportSpec(
    model=HeadcountRecord,
    key=("enterprise", "month"),
    fields=[
        _enterprise(),
        ShownField(ENTERPRISE_NAME, "enterprise__name"),
        MonthField("月份", "month"),
        IntField("从业人数", "headcount"),
        IntField("参保人数", "insured"),
    ],
)

SPECS = {
    "office-buildings": OFFICE_BUILDINGS,
    "floors": FLOORS,
    "units": UNITS_SPEC,
    "enterprises": ENTERPRISES,
    "leases": LEASES,
    "tax-records": TAX_RECORDS,
    "headcounts": HEADCOUNTS,
}
