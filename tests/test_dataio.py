"""Import and export (最多报一次): all-or-nothing imports with per-row errors in Chinese column
terms, dry runs, idempotent upserts on natural keys, scope, change log, the CLI and the pages,
and exports that re-import unchanged."""

from __future__ import annotations

import csv
import datetime
import io

import openpyxl
import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import include, path
from django.utils import translation

from streetbrain.core import dataio
from streetbrain.core.audit import audit_context
from streetbrain.core.dataio_views import (
    ImportJobView,
    ObjectExportView,
    ObjectImportView,
    upload_dir,
)
from streetbrain.core.identifiers import credit_check_char, id_check_char
from streetbrain.core.models import ChangeLogEntry
from streetbrain.registry.dataio_specs import SPECS
from streetbrain.registry.filtersets import BuildingFilterSet, ResidentFilterSet
from streetbrain.registry.models import (
    Building,
    ComponentClass,
    Facility,
    House,
    Household,
    IndustryClass,
    Resident,
    ResidentTag,
    Shop,
)

EAST_GRID = "33021201400101"
RIVER_GRID = "33021201400201"

# The test module is its own URLconf for the page tests: the project's pages plus the import
# and export views of two types (the registry's urls.py wires them for real).
dataio_patterns = [
    path(
        "buildings/import/",
        ObjectImportView.as_view(spec_key="buildings"),
        name="building_import",
    ),
    path(
        "buildings/import/jobs/<int:pk>/",
        ImportJobView.as_view(spec_key="buildings"),
        name="building_import_job",
    ),
    path(
        "buildings/export/",
        ObjectExportView.as_view(spec_key="buildings", filterset_class=BuildingFilterSet),
        name="building_export",
    ),
    path(
        "residents/export/",
        ObjectExportView.as_view(spec_key="residents", filterset_class=ResidentFilterSet),
        name="resident_export",
    ),
]


def _urlpatterns():
    from streetbrain import urls

    return [path("dataio/", include((dataio_patterns, "dataio"))), *urls.urlpatterns]


def __getattr__(name):  # the URLconf is built lazily: the project's urls import every app
    if name == "urlpatterns":
        return _urlpatterns()
    raise AttributeError(name)


# --- helpers ---------------------------------------------------------------------------------


def id_number(serial: int, *, birth: str = "19800101", area: str = "330212") -> str:
    first17 = f"{area}{birth}{serial:03d}"
    return first17 + id_check_char(first17)


def credit_code(serial: int) -> str:
    first17 = f"91330212MA{serial:07d}"
    return first17 + credit_check_char(first17)


def csv_bytes(rows: list[list], *, encoding: str = "utf-8-sig") -> bytes:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def errors_of(report) -> set[tuple]:
    return {(e.row, e.column) for e in report.errors}


def import_log(model) -> list[ChangeLogEntry]:
    ct = ContentType.objects.get_for_model(model)
    return list(ChangeLogEntry.objects.filter(content_type=ct, source="import"))


@pytest.fixture
def registry(tree, departments):
    """A building, house, household and resident with a tag in 东城社区's first grid; one of
    each in 江城社区; a facility and a shop."""
    east, river = tree["east_grid"], tree["river_grid"]
    b1 = Building.objects.create(
        code=f"{EAST_GRID}001",
        name="东城1号楼",
        address="福明路1号",
        kind="residential",
        org_unit=east,
        compound="东城小区",
        lon=121.605,
        lat=29.865,
        floors_above=18,
        gross_area_m2="12000.50",
        year_built=2005,
    )
    b2 = Building.objects.create(
        code=f"{RIVER_GRID}001",
        name="江城1号楼",
        address="江城路1号",
        kind="office",
        org_unit=river,
    )
    h1 = House.objects.create(
        building=b1, org_unit=east, number="1-1502", floor=15, area_m2="89.5", use="owner"
    )
    h2 = House.objects.create(
        building=b2, org_unit=river, number="101", floor=1, area_m2="60", use="rented"
    )
    hh1 = Household.objects.create(code="HH-E-001", house=h1, org_unit=east)
    Household.objects.create(code="HH-R-001", house=h2, org_unit=river)
    lonely = ResidentTag.objects.create(code="lonely-elder", name="独居老人")
    ResidentTag.objects.create(code="low-income", name="低保")
    r1 = Resident(
        name="张三", residence="registered", household=hh1, relation="head", house=h1, org_unit=east
    )
    r1.set_id_number(id_number(1))
    r1.phone = "13800001234"
    r1.save()
    r1.tags.add(lonely)
    r2 = Resident(name="李四", residence="floating", house=h2, org_unit=river)
    r2.set_id_number(id_number(2, birth="19900215"))
    r2.save()
    cls = ComponentClass.objects.filter(kind="component").order_by("code").first()
    Facility.objects.create(
        object_id=f"330212{cls.code}000001",
        component_class=cls,
        name="井盖",
        lon=121.606,
        lat=29.866,
        org_unit=east,
        owner=departments["urban"],
        maintainer=departments["urban"],
        installed_on=datetime.date(2020, 5, 1),
    )
    industry = IndustryClass.objects.order_by("code").first()
    shop = Shop(
        name="东城便利店",
        credit_code=credit_code(1),
        industry=industry,
        building=b1,
        address="福明路1号底商",
        operator="王五",
        org_unit=east,
        inspected_on=datetime.date(2024, 3, 1),
        inspection="passed",
    )
    shop.phone = "0574-87654321"
    shop.save()
    return {"b1": b1, "b2": b2, "h1": h1, "h2": h2, "hh1": hh1, "r1": r1, "r2": r2, "cls": cls}


@pytest.fixture
def admin(make_user):
    return make_user("root", superuser=True)


@pytest.fixture
def east_worker(make_user, tree):
    return make_user("east-worker", role="gridworker", unit=tree["east"])


RESIDENT_HEADER = ["姓名", "公民身份号码", "联系电话", "人口类型", "网格编码", "标签"]


# --- (a) errors: nothing written, rows and columns named ------------------------------------


def test_bad_rows_write_nothing_and_are_named(registry, admin):
    before = Resident.objects.count()
    bad_checksum = id_number(3)[:-1] + ("0" if id_number(3)[-1] != "0" else "1")
    data = csv_bytes(
        [
            RESIDENT_HEADER,
            ["赵六", id_number(10), "13900000010", "户籍", EAST_GRID, "独居老人"],
            ["钱七", bad_checksum, "", "常住", EAST_GRID, ""],
            ["孙八", id_number(11), "", "流动", "33021201400999", ""],
            ["周九", id_number(10), "", "户籍", EAST_GRID, ""],  # same ID as row 2
        ]
    )
    report = dataio.run_import(SPECS["residents"], data, admin, dry_run=False)
    assert not report.ok
    assert errors_of(report) == {(3, "公民身份号码"), (4, "网格编码"), (5, "公民身份号码")}
    messages = {e.row: e.message for e in report.errors}
    assert "33021201400999" in messages[4]
    assert "2" in messages[5]  # names the row it duplicates
    assert Resident.objects.count() == before
    assert not import_log(Resident)
    assert report.created == report.updated == 0
    # Printed the way the CLI prints them: 第N行「列名」 in Chinese once translated.
    assert "「网格编码」" in str(report.errors[1]) and "4" in str(report.errors[1])


def test_error_messages_follow_the_language(registry, admin):
    data = csv_bytes([RESIDENT_HEADER, ["赵六", id_number(10), "", "户籍", "33021201400999", ""]])
    with translation.override("en"):
        report = dataio.run_import(SPECS["residents"], data, admin, dry_run=True)
    assert report.errors[0].message == "There is no grid cell “33021201400999”."


def test_date_out_of_range_and_bad_values(registry, admin):
    cls = registry["cls"]
    future = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    header = ["部件标识码", "部件小类代码", "经度", "纬度", "网格编码", "安装日期", "部件状态"]
    data = csv_bytes(
        [
            header,
            [f"330212{cls.code}000101", cls.code, "121.61", "29.87", EAST_GRID, future, "good"],
            [
                f"330212{cls.code}000102",
                cls.code,
                "29.87",
                "121.61",
                EAST_GRID,
                "2024/2/30",
                "good",
            ],
            [
                f"330212{cls.code}000103",
                "99999",
                "121.61",
                "29.87",
                EAST_GRID,
                "2024/1/31",
                "kaput",
            ],
            [f"330213{cls.code}000104", cls.code, "121.61", "29.87", EAST_GRID, "", ""],
        ]
    )
    report = dataio.run_import(SPECS["facilities"], data, admin, dry_run=True)
    assert errors_of(report) == {
        (2, "安装日期"),  # in the future
        (3, "经度"),  # swapped with the latitude
        (3, "纬度"),
        (3, "安装日期"),  # 30 February
        (4, "部件小类代码"),
        (4, "部件状态"),
        (5, "部件标识码"),  # county digits do not match the grid's
    }


def test_header_problems_are_reported_before_any_row(registry, admin):
    data = csv_bytes([["楼栋名称", "地址", "颜色"], ["x", "y", "z"]])
    report = dataio.run_import(SPECS["buildings"], data, admin, dry_run=True)
    columns = {e.column for e in report.errors}
    assert {"颜色", "楼栋编码", "楼栋类型", "网格编码"} <= columns
    assert all(e.row == 1 for e in report.errors)


def test_choices_accept_the_chinese_label_the_code_and_the_english_label(tree, admin):
    from streetbrain.core.models import Department

    spec = dataio.ImportSpec(
        model=Department,
        key=("code",),
        fields=[
            dataio.TextField("部门编码", "code"),
            dataio.TextField("部门名称", "name"),
            dataio.ChoiceField("部门类别", "kind"),
            dataio.ForeignKeyField("所属单位", "org_unit"),
        ],
    )
    rows = [["部门编码", "部门名称", "部门类别", "所属单位"]]
    rows += [
        [c, f"部门{c}", kind, "330212014"]
        for c, kind in [("a", "城市管理"), ("b", "urban"), ("c", "Urban Management")]
    ]
    report = dataio.run_import(spec, csv_bytes(rows), admin, dry_run=False)
    assert report.ok, report.errors
    assert set(Department.objects.filter(code__in="abc").values_list("kind", flat=True)) == {
        "urban"
    }
    exported = dataio.export_rows(spec, Department.objects.filter(code="a"))
    assert exported[1] == ["a", "部门a", "城市管理", "330212014"]


# --- (b) dry run, (c) real run and idempotence ------------------------------------------------


BUILDING_HEADER = [
    "楼栋编码",
    "楼栋名称",
    "地址",
    "楼栋类型",
    "网格编码",
    "地上层数",
    "建筑面积（平方米）",
]


def _buildings_file(**changes) -> bytes:
    rows = [
        BUILDING_HEADER,
        [f"{EAST_GRID}002", "东城2号楼", "福明路2号", "residential", EAST_GRID, "6", "3200.5"],
        [f"{EAST_GRID}003", "东城3号楼", "福明路3号", "office", EAST_GRID, "12", ""],
        # the existing building, with its name changed
        [
            f"{EAST_GRID}001",
            changes.get("name", "东城1号楼"),
            "福明路1号",
            "residential",
            EAST_GRID,
            "18",
            "12000.5",
        ],
    ]
    return csv_bytes(rows)


def test_dry_run_writes_nothing_and_previews(registry, admin):
    count = Building.objects.count()
    report = dataio.run_import(
        SPECS["buildings"], _buildings_file(name="东城一号楼"), admin, dry_run=True
    )
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (2, 1, 0)
    assert Building.objects.count() == count
    assert Building.objects.get(code=f"{EAST_GRID}001").name == "东城1号楼"
    assert not ChangeLogEntry.objects.filter(source="import").exists()
    update = next(p for p in report.preview if p.action == "update")
    assert update.row == 4
    assert update.changes == [("楼栋名称", "东城1号楼", "东城一号楼")]
    create = next(p for p in report.preview if p.row == 2)
    assert create.action == "create" and ("网格编码", "", EAST_GRID) in create.changes


def test_import_creates_then_second_run_changes_nothing(registry, admin):
    data = _buildings_file(name="东城一号楼")
    report = dataio.run_import(SPECS["buildings"], data, admin, dry_run=False)
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (2, 1, 0)
    b2 = Building.objects.get(code=f"{EAST_GRID}002")
    assert (b2.name, b2.kind, b2.floors_above, str(b2.gross_area_m2)) == (
        "东城2号楼",
        "residential",
        6,
        "3200.50",
    )
    assert b2.data_source == "import" and b2.created_by == admin
    assert Building.objects.get(code=f"{EAST_GRID}003").floors_below == 0  # model default
    assert Building.objects.get(code=f"{EAST_GRID}001").name == "东城一号楼"
    again = dataio.run_import(SPECS["buildings"], data, admin, dry_run=False)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_partial_columns_update_only_those(registry, admin):
    data = csv_bytes([["楼栋编码", "物业公司"], [f"{EAST_GRID}001", "甬城物业"]])
    # Required columns must be present even for updates: a clear rule beats a silent default.
    report = dataio.run_import(SPECS["buildings"], data, admin, dry_run=True)
    assert {e.column for e in report.errors} >= {"楼栋名称", "网格编码"}
    houses = csv_bytes(
        [
            ["楼栋编码", "房号", "楼层", "面积（平方米）", "房屋用途"],
            [f"{EAST_GRID}001", "1-1502", "15", "89.50", "出租"],
        ]
    )
    report = dataio.run_import(SPECS["houses"], houses, admin, dry_run=False)
    assert report.ok, report.errors
    assert (report.created, report.updated) == (0, 1)
    assert House.objects.get(pk=registry["h1"].pk).use == "rented"


# --- (d) round trip -----------------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(SPECS))
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_reimports_unchanged(registry, admin, key, fmt):
    spec = SPECS[key]
    data = dataio.export_file(spec, spec.model.objects.all(), fmt)
    report = dataio.run_import(spec, data, admin, dry_run=False)
    assert report.ok, [str(e) for e in report.errors]
    assert (report.created, report.updated) == (0, 0)
    assert report.unchanged == spec.model.objects.count() > 0


def test_export_formats(registry):
    spec = SPECS["residents"]
    data = dataio.export_file(spec, Resident.objects.all(), "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == spec.export_headers and rows[0][-1] == "系统编号"
    zhang = next(r for r in rows if r[0] == "张三")
    assert zhang[1] == "330212********" + id_number(1)[-4:]
    assert zhang[2] == "138****1234"
    assert zhang[rows[0].index("标签")] == "独居老人"

    wb = openpyxl.load_workbook(
        io.BytesIO(dataio.export_file(spec, Resident.objects.all(), "xlsx"))
    )
    ws = wb.active
    assert ws["A1"].font.bold
    assert ws.column_dimensions["B"].width >= 18
    id_cell = ws.cell(row=2, column=2)
    assert id_cell.data_type == "s" and id_cell.number_format == "@"

    buildings = openpyxl.load_workbook(
        io.BytesIO(dataio.export_file(SPECS["buildings"], Building.objects.all(), "xlsx"))
    ).active
    code = buildings.cell(row=2, column=1)
    assert code.value == f"{EAST_GRID}001" and code.data_type == "s"  # not 3.30212E+16
    floors = buildings.cell(row=2, column=SPECS["buildings"].headers.index("地上层数") + 1)
    assert floors.value == 18 and floors.data_type == "n"


def test_formula_like_text_is_defused_and_round_trips(registry, admin):
    Building.objects.filter(pk=registry["b1"].pk).update(property_manager="=HYPERLINK(1)")
    spec = SPECS["buildings"]
    data = dataio.export_file(spec, Building.objects.all(), "csv")
    assert b"'=HYPERLINK(1)" in data
    xlsx = dataio.export_file(spec, Building.objects.all(), "xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    col = spec.headers.index("物业公司") + 1
    cell = next(
        ws.cell(row=r, column=col)
        for r in range(2, ws.max_row + 1)
        if ws.cell(row=r, column=col).value
    )
    assert cell.data_type == "s" and cell.value == "=HYPERLINK(1)"
    for blob in (data, xlsx):
        report = dataio.run_import(spec, blob, admin, dry_run=True)
        assert report.ok and report.updated == 0


# --- (e) scope ---------------------------------------------------------------------------------


def test_scoped_user_cannot_import_into_another_community(registry, east_worker):
    data = csv_bytes(
        [
            BUILDING_HEADER,
            [f"{EAST_GRID}009", "东城9号楼", "福明路9号", "residential", EAST_GRID, "6", ""],
            [f"{RIVER_GRID}009", "江城9号楼", "江城路9号", "residential", RIVER_GRID, "6", ""],
        ]
    )
    report = dataio.run_import(SPECS["buildings"], data, east_worker, dry_run=False)
    assert errors_of(report) == {(3, "网格编码")}
    assert "责任" in report.errors[0].message  # "not within your area of responsibility"
    assert not Building.objects.filter(code__endswith="009").exists()


def test_scoped_user_cannot_reference_or_change_another_scopes_objects(registry, east_worker):
    houses = csv_bytes(
        [
            ["楼栋编码", "房号", "楼层", "面积（平方米）", "房屋用途"],
            [f"{EAST_GRID}001", "1-0101", "1", "50", "自住"],
            [f"{RIVER_GRID}001", "102", "1", "50", "自住"],  # another community's building
        ]
    )
    report = dataio.run_import(SPECS["houses"], houses, east_worker, dry_run=False)
    assert errors_of(report) == {(3, "楼栋编码")}
    assert not House.objects.filter(number="1-0101").exists()
    # An existing object of another scope cannot be updated through its key either.
    households = csv_bytes([["户号", "户别"], ["HH-R-001", "collective"]])
    report = dataio.run_import(SPECS["households"], households, east_worker, dry_run=False)
    assert errors_of(report) == {(2, "户号")}


def test_write_is_rechecked_through_the_scope(registry, east_worker):
    """A reference the row may see but not write into (here: a grid looked up without scope)
    is caught when the written rows are re-read through the user's scope: all rolled back."""
    spec = dataio.ImportSpec(
        model=Building,
        key=("code",),
        fields=[
            dataio.TextField("楼栋编码", "code"),
            dataio.TextField("楼栋名称", "name"),
            dataio.TextField("地址", "address"),
            dataio.ChoiceField("楼栋类型", "kind"),
            dataio.ForeignKeyField("网格编码", "org_unit", scoped=False, filter={"level": "grid"}),
        ],
    )
    data = csv_bytes(
        [
            ["楼栋编码", "楼栋名称", "地址", "楼栋类型", "网格编码"],
            [f"{EAST_GRID}011", "a", "a", "residential", EAST_GRID],
            [f"{RIVER_GRID}011", "b", "b", "residential", RIVER_GRID],
        ]
    )
    report = dataio.run_import(spec, data, east_worker, dry_run=False)
    assert errors_of(report) == {(3, "网格编码")}
    assert not Building.objects.filter(code__endswith="011").exists()
    assert not ChangeLogEntry.objects.filter(source="import").exists()


def test_import_needs_the_add_permission(registry, make_user, tree):
    viewer = make_user("viewer", role="leader", unit=tree["street"])
    report = dataio.run_import(SPECS["buildings"], _buildings_file(), viewer, dry_run=True)
    assert errors_of(report) == {(2, "楼栋编码"), (3, "楼栋编码"), (4, "楼栋编码")}


# --- (f) change log -----------------------------------------------------------------------------


def test_change_log_records_imports(registry, admin):
    report = dataio.run_import(
        SPECS["buildings"],
        _buildings_file(name="东城一号楼"),
        admin,
        dry_run=False,
        reason="年度普查",
    )
    entries = import_log(Building)
    assert {(e.action, e.object_repr) for e in entries} == {
        ("create", "东城2号楼"),
        ("create", "东城3号楼"),
        ("update", "东城一号楼"),
    }
    update = next(e for e in entries if e.action == "update")
    assert update.changed_fields == ["name", "updated_at", "updated_by"]
    assert update.prechange["name"] == "东城1号楼" and update.postchange["name"] == "东城一号楼"
    assert all(e.user == admin and e.reason == "年度普查" for e in entries)
    assert all(e.org_unit_path == registry["b1"].org_unit.path for e in entries)
    assert len({e.request_id for e in entries}) == 1 == len({report.request_id})


def test_change_log_of_residents_with_tags_and_protected_values(registry, admin):
    data = csv_bytes(
        [
            [*RESIDENT_HEADER, "户号"],
            ["赵六", id_number(10), "13900000010", "户籍", EAST_GRID, "独居老人、低保", "HH-E-001"],
        ]
    )
    assert dataio.run_import(SPECS["residents"], data, admin, dry_run=False).ok
    entry = import_log(Resident)[0]
    assert entry.action == "create"
    tags = set(ResidentTag.objects.values_list("pk", flat=True))
    assert set(entry.postchange["tags"]) == tags
    assert entry.postchange["id_number_masked"].startswith("330212****")
    assert id_number(10) not in str(entry.postchange)
    assert entry.related_object_id == str(registry["hh1"].pk)  # shows on the household's log
    resident = Resident.objects.get(name="赵六")
    assert (resident.sex, resident.birth_date) == ("F", datetime.date(1980, 1, 1))


def test_object_by_object_saves_are_audited_by_the_signals(registry, admin):
    spec = dataio.ImportSpec(
        model=Household,
        key=("code",),
        fields=[
            dataio.TextField("户号", "code"),
            dataio.ForeignKeyField("网格编码", "org_unit", filter={"level": "grid"}),
        ],
        bulk=False,
    )
    data = csv_bytes([["户号", "网格编码"], ["HH-E-009", EAST_GRID], ["HH-E-001", RIVER_GRID]])
    report = dataio.run_import(spec, data, admin, dry_run=False)
    assert report.ok and (report.created, report.updated) == (1, 1)
    assert {e.action for e in import_log(Household)} == {"create", "update"}


# --- (g) the command line -----------------------------------------------------------------------


def test_cli_dry_run_and_error_exit_code(registry, tmp_path, capsys):
    good = tmp_path / "buildings.csv"
    good.write_bytes(_buildings_file())
    call_command("import", "buildings", str(good), "--dry-run")
    out = capsys.readouterr()
    assert "2" in out.out and not Building.objects.filter(code=f"{EAST_GRID}002").exists()

    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        csv_bytes([BUILDING_HEADER, [f"{EAST_GRID}004", "x", "y", "城堡", EAST_GRID, "", ""]])
    )
    with pytest.raises(CommandError) as exc:
        call_command("import", "buildings", str(bad))
    assert exc.value.returncode == 1
    err = capsys.readouterr().err
    assert "「楼栋类型」" in err and "城堡" in err

    # As `streetbrain import` runs it: the CLI's context names the OS user.
    with audit_context(source="cli", actor_name="cli:tester"):
        call_command("import", "buildings", str(good), "--reason", "普查")
    assert Building.objects.filter(code=f"{EAST_GRID}002").exists()
    entry = import_log(Building)[0]
    assert (entry.user, entry.user_name, entry.reason) == (None, "cli:tester", "普查")


def test_cli_as_user_is_scoped(registry, east_worker, tmp_path, capsys):
    bad = tmp_path / "b.csv"
    bad.write_bytes(
        csv_bytes(
            [BUILDING_HEADER, [f"{RIVER_GRID}005", "x", "y", "residential", RIVER_GRID, "", ""]]
        )
    )
    with pytest.raises(CommandError):
        call_command("import", "buildings", str(bad), "--as", east_worker.username)
    assert "「网格编码」" in capsys.readouterr().err


def test_cli_export_and_reimport(registry, tmp_path, capsys):
    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"residents.{fmt}"
        call_command("export", "residents", str(out))
        call_command("import", "residents", str(out))
        assert "0" in capsys.readouterr().out
    assert not ChangeLogEntry.objects.filter(source="import").exists()
    with pytest.raises(CommandError):
        call_command("import", "castles", str(out))
    call_command("export", "buildings", "-")
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == ",".join(SPECS["buildings"].export_headers) and len(printed) == 3


def test_cli_shows_progress_for_large_files(registry, tmp_path, capsys):
    rows = [["户号", "网格编码"]] + [[f"HH-{i:05d}", EAST_GRID] for i in range(2500)]
    f = tmp_path / "households.csv"
    f.write_bytes(csv_bytes(rows))
    call_command("import", "households", str(f), "--dry-run")
    err = capsys.readouterr().err
    assert "500/2500" in err and "2500/2500" in err


# --- (h) the pages ------------------------------------------------------------------------------


def _login(client, user):
    client.force_login(user)


def _submit(client, url, data, on_commit):
    """Post to the import page: it starts a background job (run eagerly once the request's
    transaction commits) and redirects to the job's page; return that page."""
    with on_commit(execute=True):
        response = client.post(url, data)
    if response.status_code != 302:
        return response
    return client.get(response.url)


@pytest.mark.urls(__name__)
def test_import_page_preview_then_confirm(
    registry, east_worker, client, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.IMPORT_DIR = tmp_path
    _login(client, east_worker)
    url = "/dataio/buildings/import/"
    page = client.get(url)
    assert page.status_code == 200
    assert (
        "楼栋编码" in page.content.decode()
        and 'enctype="multipart/form-data"' in page.content.decode()
    )

    upload = io.BytesIO(_buildings_file(name="东城一号楼"))
    upload.name = "楼栋.csv"
    response = _submit(
        client,
        url,
        {"file": upload, "dry_run": "on", "_change_reason": "核查"},
        django_capture_on_commit_callbacks,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="import-preview"' in html and "东城一号楼" in html and 'name="token"' in html
    assert not Building.objects.filter(code=f"{EAST_GRID}002").exists()
    kept = list(upload_dir().iterdir())
    assert len(kept) == 1 and kept[0].suffix == ".csv"

    token = html.split('name="token" value="')[1].split('"')[0]
    response = _submit(
        client, url, {"token": token, "_change_reason": "核查"}, django_capture_on_commit_callbacks
    )
    assert response.status_code == 200
    assert Building.objects.filter(code=f"{EAST_GRID}002").exists()
    assert Building.objects.get(code=f"{EAST_GRID}001").name == "东城一号楼"
    assert "request_id=" in response.content.decode()
    assert not list(upload_dir().iterdir())  # the kept file is gone
    entries = import_log(Building)
    assert len(entries) == 3 and all(e.reason == "核查" and e.user == east_worker for e in entries)
    # The token is single-use.
    assert client.post(url, {"token": token}).status_code == 400


@pytest.mark.urls(__name__)
def test_import_page_errors_and_tampered_token(
    registry, east_worker, make_user, client, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.IMPORT_DIR = tmp_path
    _login(client, east_worker)
    url = "/dataio/buildings/import/"
    upload = io.BytesIO(
        csv_bytes(
            [BUILDING_HEADER, [f"{RIVER_GRID}007", "x", "y", "residential", RIVER_GRID, "", ""]]
        )
    )
    upload.name = "b.csv"
    response = _submit(client, url, {"file": upload}, django_capture_on_commit_callbacks)
    # The job page of a refused import: its report names the row and column, nothing written.
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["job"].status == "done" and not response.context["job"].ok
    assert 'id="import-errors"' in html and "<td>2</td><td>网格编码</td>" in html
    assert not upload_dir().exists() or not list(upload_dir().iterdir())
    assert client.post(url, {"token": "forged:token"}).status_code == 400
    # Another user's token does not work either.
    upload = io.BytesIO(_buildings_file())
    upload.name = "b.csv"
    html = _submit(
        client, url, {"file": upload, "dry_run": "on"}, django_capture_on_commit_callbacks
    ).content.decode()
    token = html.split('name="token" value="')[1].split('"')[0]
    other = make_user("other-worker", role="gridworker", unit=east_worker.org_unit)
    client.logout()
    _login(client, other)
    assert client.post(url, {"token": token}).status_code == 400
    assert not Building.objects.filter(code=f"{EAST_GRID}002").exists()


@pytest.mark.urls(__name__)
def test_import_page_needs_permission(registry, make_user, tree, client):
    viewer = make_user("viewer", role="leader", unit=tree["street"])
    _login(client, viewer)
    assert client.get("/dataio/buildings/import/").status_code == 403
    client.logout()
    assert client.get("/dataio/buildings/import/").status_code == 302


@pytest.mark.urls(__name__)
def test_export_download(registry, east_worker, client):
    _login(client, east_worker)
    response = client.get("/dataio/buildings/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content)  # CSV is streamed
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    assert f"{EAST_GRID}001" in text and RIVER_GRID not in text  # scoped
    response = client.get("/dataio/buildings/export/", {"format": "xlsx", "q": "不存在"})
    assert response["Content-Type"] == dataio.CONTENT_TYPES["xlsx"]
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert ws.max_row == 1  # filtered to nothing: the header only
    template = client.get("/dataio/buildings/export/", {"template": "1", "format": "xlsx"})
    assert [
        c.value for c in openpyxl.load_workbook(io.BytesIO(template.content)).active[1]
    ] == SPECS["buildings"].headers
    assert client.get("/dataio/buildings/export/", {"format": "pdf"}).status_code == 400


# --- (i) encodings ------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8", "utf-8-sig", "utf-16"])
def test_csv_encodings_are_read(registry, admin, encoding):
    rows = [["户号", "户别", "网格编码"], ["HH-东-002", "collective", EAST_GRID]]
    report = dataio.run_import(
        SPECS["households"], csv_bytes(rows, encoding=encoding), admin, dry_run=False
    )
    assert report.ok, report.errors
    assert Household.objects.get(code="HH-东-002").kind == "collective"


def test_xlsx_cells_typed_by_excel(registry, admin):
    cls = registry["cls"]
    rows = [
        ["部件标识码", "部件小类代码", "经度", "纬度", "网格编码", "安装日期", "主管部门"],
        # Excel made numbers of the codes (dropping the class code's leading zero) and a date
        # cell of the date; the department is given by its name.
        [
            f"330212{cls.code}000201",
            int(cls.code),
            121.61,
            29.87,
            int(EAST_GRID),
            datetime.datetime(2021, 1, 31),
            "城管",
        ],
    ]
    report = dataio.run_import(SPECS["facilities"], xlsx_bytes(rows), admin, dry_run=False)
    assert report.ok, report.errors
    f = Facility.objects.get(object_id=f"330212{cls.code}000201")
    assert f.installed_on == datetime.date(2021, 1, 31) and f.owner.code == "cg"


def test_id_number_mangled_by_excel_is_explained(registry, admin):
    rows = [RESIDENT_HEADER, ["赵六", float(id_number(10)[:17]) * 10, "", "户籍", EAST_GRID, ""]]
    report = dataio.run_import(SPECS["residents"], xlsx_bytes(rows), admin, dry_run=True)
    assert errors_of(report) == {(2, "公民身份号码")}


def test_unreadable_files(admin, db):
    assert (
        "xls"
        in dataio.run_import(
            SPECS["buildings"], b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", admin, dry_run=True
        )
        .errors[0]
        .message
    )
    assert not dataio.run_import(SPECS["buildings"], b"PK\x03\x04broken", admin, dry_run=True).ok
    assert not dataio.run_import(SPECS["buildings"], b"", admin, dry_run=True).ok


# --- (j) protected values -----------------------------------------------------------------------


def test_masked_values_leave_protected_data_unchanged(registry, admin):
    spec = SPECS["residents"]
    r1 = registry["r1"]
    rows = dataio.export_rows(spec, Resident.objects.all())
    header = rows[0]
    zhang = next(r for r in rows if r[0] == "张三")
    assert "*" in zhang[1] and "*" in zhang[2]
    # Change the name; keep the masked ID and phone.
    zhang[0] = "张叁"
    report = dataio.run_import(spec, dataio.write_csv([header, zhang]), admin, dry_run=False)
    assert report.ok, report.errors
    assert report.updated == 1
    r1.refresh_from_db()
    assert r1.name == "张叁"
    from streetbrain.core.protected import reveal_value

    assert reveal_value(r1, "id_number") == id_number(1)
    assert reveal_value(r1, "phone") == "13800001234"
    # A plain phone sets it; a masked value that does not match is refused.
    zhang[2] = "13912345678"
    assert (
        dataio.run_import(spec, dataio.write_csv([header, zhang]), admin, dry_run=False).updated
        == 1
    )
    r1.refresh_from_db()
    assert reveal_value(r1, "phone") == "13912345678"
    zhang[2] = "139****0000"
    report = dataio.run_import(spec, dataio.write_csv([header, zhang]), admin, dry_run=True)
    assert errors_of(report) == {(2, "联系电话")}
    # Without the record id a masked key cannot be matched; a new resident needs the full number.
    report = dataio.run_import(
        spec, dataio.write_csv([header[:-1], zhang[:-1]]), admin, dry_run=True
    )
    assert errors_of(report) == {(2, "公民身份号码")}


def test_plain_id_number_finds_the_resident_by_digest(registry, admin):
    data = csv_bytes([RESIDENT_HEADER, ["张三", id_number(1), "", "户籍", EAST_GRID, "独居老人"]])
    report = dataio.run_import(SPECS["residents"], data, admin, dry_run=False)
    assert report.ok and (report.created, report.updated) == (0, 1)  # the phone was cleared
    assert Resident.objects.get(pk=registry["r1"].pk).phone == ""


def test_reveal_export_needs_the_permission_and_is_logged(registry, east_worker, make_user, tree):
    spec = SPECS["residents"]
    rows = dataio.export_rows(
        spec, Resident.objects.restrict(east_worker, "view"), reveal_for=east_worker
    )
    assert [r[1] for r in rows[1:]] == [id_number(1)]
    reveals = ChangeLogEntry.objects.filter(action="reveal")
    assert [(e.object_id, e.changed_fields) for e in reveals] == [
        (str(registry["r1"].pk), ["id_number", "phone"])
    ]
    # Revealed values re-import unchanged too.
    report = dataio.run_import(spec, dataio.write_csv(rows), east_worker, dry_run=True)
    assert report.ok and (report.created, report.updated, report.unchanged) == (0, 0, 1)
    # A corrected ID number beside the record id would add a second person: refused.
    rows[1][1] = id_number(99)
    report = dataio.run_import(spec, dataio.write_csv(rows), east_worker, dry_run=True)
    assert errors_of(report) == {(2, "公民身份号码")} and "系统编号" in report.errors[0].message
    viewer = make_user("viewer", role="leader", unit=tree["street"])
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        dataio.export_rows(spec, Resident.objects.all(), reveal_for=viewer)


@pytest.mark.urls(__name__)
def test_export_page_masks_unless_revealed(registry, east_worker, client):
    _login(client, east_worker)
    text = b"".join(client.get("/dataio/residents/export/").streaming_content).decode("utf-8-sig")
    assert id_number(1) not in text and "138****1234" in text
    text = client.get("/dataio/residents/export/", {"reveal": "1"}).content.decode("utf-8-sig")
    assert id_number(1) in text and "13800001234" in text
    assert ChangeLogEntry.objects.filter(action="reveal", user=east_worker).count() == 1


# --- volume -------------------------------------------------------------------------------------


def test_ten_thousand_residents(registry, admin):
    rows = [[*RESIDENT_HEADER, "户号"]]
    for i in range(10_000):
        rows.append(
            [
                f"居民{i}",
                id_number(i % 1000, birth=f"19{50 + i // 1000:02d}0101"),
                f"139{i:08d}",
                "常住",
                EAST_GRID,
                "低保" if i % 7 == 0 else "",
                "HH-E-001",
            ]
        )
    data = csv_bytes(rows)
    # Its speed (the bar: 60 s for 10,000 rows) is bench/bench_import.py's, not a timed test's.
    report = dataio.run_import(SPECS["residents"], data, admin, dry_run=False)
    assert report.ok, report.errors[:5]
    assert report.created == 10_000
    assert len(import_log(Resident)) == 10_000
    again = dataio.run_import(SPECS["residents"], data, admin, dry_run=True)
    assert again.unchanged == 10_000


def test_sensitive_tags_are_hidden_from_exports_and_kept_by_imports(registry, make_user, tree):
    """A role without the personal-data permission neither sees 重点人员 in an export nor
    clears it by importing the file back; a role with it sees and sets it."""
    spec = SPECS["residents"]
    r1 = registry["r1"]
    key_person = ResidentTag.objects.create(code="key-person", name="重点人员", sensitive=True)
    r1.tags.add(key_person)
    clerk = make_user(
        "clerk",
        unit=tree["east"],
        perms=[
            "registry.view_resident",
            "registry.change_resident",
            "registry.view_residenttag",
            "registry.view_household",
            "registry.view_house",
            "core.view_orgunit",
        ],
    )
    rows = dataio.export_rows(spec, Resident.objects.restrict(clerk, "view"), user=clerk)
    tags_col = rows[0].index("标签")
    assert [r[tags_col] for r in rows[1:]] == ["独居老人"]
    nohouse = make_user("nohouse", unit=tree["east"], perms=["registry.change_resident"])
    with translation.override("en"):
        hidden = dataio.run_import(spec, dataio.write_csv(rows), nohouse, dry_run=True)
    assert hidden.errors[0].message == "You may not see household records."
    rows[1][tags_col] = "独居老人、低保"
    report = dataio.run_import(spec, dataio.write_csv(rows), clerk, dry_run=False)
    assert report.ok, report.errors
    assert report.preview[0].changes == [("标签", "独居老人", "独居老人、低保")]
    assert set(r1.tags.values_list("name", flat=True)) == {"独居老人", "低保", "重点人员"}
    rows[1][tags_col] = "重点人员"  # not theirs to set
    assert errors_of(dataio.run_import(spec, dataio.write_csv(rows), clerk, dry_run=True)) == {
        (2, "标签")
    }

    worker = make_user("worker", role="gridworker", unit=tree["east"])
    rows = dataio.export_rows(spec, Resident.objects.restrict(worker, "view"), user=worker)
    assert "重点人员" in rows[1][tags_col]
    rows[1][tags_col] = ""
    report = dataio.run_import(spec, dataio.write_csv(rows), worker, dry_run=False)
    assert report.ok and report.updated == 1
    assert not r1.tags.exists()


@pytest.mark.django_db
def test_common_header_synonyms_are_understood(tree, make_user):
    from streetbrain.core.dataio import get_spec, run_import

    user = make_user("imp_alias", role="dataadmin", unit=tree["street"])
    grid = tree["east_grid"].code
    data = (
        "姓名,身份证号码,人口类型,网格,手机号\n"
        f"张三,34052419800101001X,户籍人口,{grid},13800001111\n"
    )
    report = run_import(get_spec("residents"), io.BytesIO(data.encode()), user, dry_run=False)
    assert report.ok, [str(e) for e in report.errors]
    assert report.created == 1
