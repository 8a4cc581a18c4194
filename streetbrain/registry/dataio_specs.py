"""Import and export of the registry (人房物): the spreadsheet columns of each object type and
its natural key. The column headers are data, not UI text: they stay Chinese and stable, so a
file exported today imports next year whatever language the page is shown in."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from streetbrain.core.dataio import (
    ChoiceField,
    DateField,
    DecimalField,
    FloatField,
    ForeignKeyField,
    ImportSpec,
    IntField,
    ManyToManyField,
    ProtectedField,
    TextField,
)
from streetbrain.core.identifiers import validate_id_number

from .models import Building, Facility, House, Household, Resident, Shop

# The columns several types share, spelled once.
GRID = "网格编码"
BUILDING_CODE = "楼栋编码"
HOUSE_NUMBER = "房号"


def _grid(**kw) -> ForeignKeyField:
    return ForeignKeyField(
        GRID,
        "org_unit",
        key="code",
        filter={"level": "grid"},
        hint=gettext_lazy("14-digit grid cell code (单元网格编码)"),
        **kw,
    )


def _lon() -> FloatField:
    # China's extent: a longitude below 73 or a latitude above 54 is a swapped pair.
    return FloatField("经度", "lon", min_value=73, max_value=136)


def _lat() -> FloatField:
    return FloatField("纬度", "lat", min_value=3, max_value=54)


def _house_ref() -> ForeignKeyField:
    return ForeignKeyField(
        (BUILDING_CODE, HOUSE_NUMBER),
        "house",
        key=("building__code", "number"),
        hint=gettext_lazy("Building code and house number"),
    )


def _phone() -> ProtectedField:
    return ProtectedField("联系电话", "phone", validator=_validate_phone)


def _validate_phone(value: str) -> None:
    if not value.isdigit() or not 5 <= len(value) <= 20:
        raise ValidationError(_("A phone number has 5 to 20 digits."))


def _clean_building(obj: Building) -> None:
    # The help text of Building.code: the grid's 14 digits and a 3-digit sequence.
    if obj.org_unit_id and not (
        len(obj.code) == 17 and obj.code.isdigit() and obj.code.startswith(obj.org_unit.code)
    ):
        raise ValidationError(
            {
                BUILDING_CODE: _(
                    "A building code is the 14-digit code of its grid cell (%(grid)s) and a "
                    "3-digit sequence."
                )
                % {"grid": obj.org_unit.code}
            }
        )


def _clean_facility(obj: Facility) -> None:
    # Object id = county code (6) + GB/T 47678.5 class code (5) + serial (6).
    oid = obj.object_id
    if not (len(oid) == 17 and oid.isdigit()):
        raise ValidationError(
            {
                "部件标识码": _(
                    "An object id has 17 digits: county code (6), class code (5), serial (6)."
                )
            }
        )
    errors = {}
    if obj.component_class_id and oid[6:11] != obj.component_class.code:
        errors["部件标识码"] = _("Digits 7–11 must be the class code %(code)s.") % {
            "code": obj.component_class.code
        }
    if obj.org_unit_id and oid[:6] != obj.org_unit.code[:6]:
        errors.setdefault(
            "部件标识码",
            _("Digits 1–6 must be the county code %(code)s.") % {"code": obj.org_unit.code[:6]},
        )
    if errors:
        raise ValidationError(errors)


BUILDINGS = ImportSpec(
    model=Building,
    key=("code",),
    fields=[
        TextField(BUILDING_CODE, "code"),
        TextField("楼栋名称", "name"),
        TextField("地址", "address"),
        ChoiceField("楼栋类型", "kind"),
        _grid(),
        TextField("所属小区", "compound"),
        _lon(),
        _lat(),
        IntField("地上层数", "floors_above"),
        IntField("地下层数", "floors_below"),
        DecimalField("建筑面积（平方米）", "gross_area_m2"),
        IntField("建成年份", "year_built"),
        TextField("物业公司", "property_manager"),
    ],
    clean=_clean_building,
)

HOUSES = ImportSpec(
    model=House,
    key=("building", "number"),
    fields=[
        ForeignKeyField(BUILDING_CODE, "building", key="code"),
        TextField(HOUSE_NUMBER, "number"),
        IntField("楼层", "floor"),
        DecimalField("面积（平方米）", "area_m2"),
        ChoiceField("房屋用途", "use"),
    ],
    # A house lies in its building's grid cell.
    inherit={"org_unit": ("building",)},
    error_columns={"org_unit": BUILDING_CODE},
)

HOUSEHOLDS = ImportSpec(
    model=Household,
    key=("code",),
    fields=[
        TextField("户号", "code"),
        ChoiceField("户别", "kind"),
        _house_ref(),
        _grid(),
    ],
    inherit={"org_unit": ("house",)},
)

RESIDENTS = ImportSpec(
    model=Resident,
    key=("id_number",),
    fields=[
        TextField("姓名", "name"),
        ProtectedField(
            "公民身份号码",
            "id_number",
            validator=validate_id_number,
            setter="set_id_number",  # validates GB 11643 and derives sex and date of birth
            hint=gettext_lazy("18-character ID number (a masked value leaves it unchanged)"),
        ),
        _phone(),
        ChoiceField("人口类型", "residence"),
        ForeignKeyField("户号", "household", key="code"),
        ChoiceField("与户主关系", "relation"),
        _house_ref(),
        _grid(),
        ManyToManyField(
            "标签",
            "tags",
            key="name",
            alt_key="code",
            # Sensitive tags (重点人员 …) are for the roles that see personal data only.
            restricted={"sensitive": True},
            restricted_permission=Resident.reveal_permission,
        ),
    ],
    inherit={"org_unit": ("house", "household")},
    error_columns={"sex": "公民身份号码", "birth_date": "公民身份号码"},
)

FACILITIES = ImportSpec(
    model=Facility,
    key=("object_id",),
    fields=[
        TextField("部件标识码", "object_id"),
        ForeignKeyField(
            "部件小类代码",
            "component_class",
            key="code",
            filter={"kind": "component"},
            zero_pad=5,
            hint=gettext_lazy("5-digit GB/T 47678.5 component class code"),
        ),
        TextField("部件名称", "name"),
        _lon(),
        _lat(),
        TextField("地址", "address"),
        _grid(),
        ForeignKeyField(
            "主管部门",
            "owner",
            key="code",
            alt_key="name",
            hint=gettext_lazy("Department code or name"),
        ),
        ForeignKeyField(
            "养护部门",
            "maintainer",
            key="code",
            alt_key="name",
            hint=gettext_lazy("Department code or name"),
        ),
        ChoiceField("部件状态", "state"),
        DateField("安装日期", "installed_on", not_future=True),
    ],
    clean=_clean_facility,
)

SHOPS = ImportSpec(
    model=Shop,
    key=("credit_code",),
    fields=[
        TextField("店铺名称", "name"),
        TextField("统一社会信用代码", "credit_code", normalise=str.upper),
        TextField("许可证号", "licence_no"),
        ForeignKeyField(
            "行业代码",
            "industry",
            key="code",
            hint=gettext_lazy("4-digit GB/T 4754-2017 industry class code"),
            zero_pad=4,
        ),
        ForeignKeyField(BUILDING_CODE, "building", key="code"),
        TextField("经营地址", "address"),
        TextField("经营者", "operator"),
        _phone(),
        _lon(),
        _lat(),
        _grid(),
        ChoiceField("经营状态", "status"),
        ChoiceField("检查结果", "inspection"),
        DateField("最近检查日期", "inspected_on", not_future=True),
    ],
    inherit={"org_unit": ("building",)},
    # 一表通查: the case engine adds each shop's cases beside its record (``ListExtra``).
)

SPECS = {
    "buildings": BUILDINGS,
    "houses": HOUSES,
    "households": HOUSEHOLDS,
    "residents": RESIDENTS,
    "facilities": FACILITIES,
    "shops": SHOPS,
}
