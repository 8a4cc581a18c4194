"""楼宇经济 imports in the layouts the street receives: operators' towers, floors, units (房源表)
and lease ledgers, the enterprise list, the tax bureau's monthly tax and the headcount. All or
nothing, every bad row named by row and column, dry runs, upserts on the credit code, scope,
the command line, and exports that re-import unchanged."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from streetbrain.core import dataio
from streetbrain.core.models import ChangeLogEntry
from streetbrain.economy.dataio_specs import SPECS
from streetbrain.economy.models import (
    Enterprise,
    Floor,
    HeadcountRecord,
    Lease,
    OfficeBuilding,
    TaxRecord,
    Unit,
)
from streetbrain.registry.models import Building

from .test_economy_models import EAST_GRID, RIVER_GRID, build_economy, credit_code

pytestmark = pytest.mark.django_db

EAST_TOWER = f"{EAST_GRID}001"
RIVER_TOWER = f"{RIVER_GRID}001"
TAX_HEADER = ["统一社会信用代码", "企业名称", "所属期", "税收合计", "地方留存"]


def csv_bytes(rows: list[list]) -> bytes:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


def xlsx_bytes(rows: list[list]) -> bytes:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def run(kind, rows, user=None, *, dry_run=False, xlsx=False):
    data = xlsx_bytes(rows) if xlsx else csv_bytes(rows)
    with translation.override("zh-hans"):
        return dataio.run_import(SPECS[kind], data, user, dry_run=dry_run)


def errors_of(report) -> dict[tuple, str]:
    return {(e.row, e.column): e.message for e in report.errors}


@pytest.fixture
def eco(tree, make_user):
    world = build_economy(tree)
    world["street_specialist"] = make_user("fm-bld", role="building", unit=tree["street"])
    world["river_specialist"] = make_user("jc-bld", role="building", unit=tree["river"])
    return world


# --- enterprises ------------------------------------------------------------------------------


ENTERPRISE_HEADER = [
    "统一社会信用代码",
    "企业名称",
    "行业代码",
    "成立日期",
    "注册资本（万元）",
    "属地注册",
    "注册地址",
    "经营状态",
    "所属区域编码",
]


def test_enterprises_are_created_then_updated_on_the_credit_code(eco):
    user = eco["street_specialist"]
    rows = [
        ENTERPRISE_HEADER,
        # lower case and a full-width space, as spreadsheets have them
        [credit_code(10).lower() + "\u3000", "丁科技有限公司", "6513", "2019-05-20", "500", "是",
         "福明路1号", "在营", ""],
        [credit_code(11), "戊商贸有限公司", 5181, "2020/1/2", "", "否", "", "迁出", EAST_GRID],
    ]  # fmt: skip
    report = run("enterprises", rows, user)
    assert report.ok, [str(e) for e in report.errors]
    assert (report.created, report.updated) == (2, 0)
    ding = Enterprise.objects.get(credit_code=credit_code(10))
    assert ding.name == "丁科技有限公司" and ding.industry.code == "6513"
    assert ding.founded_on == dt.date(2019, 5, 20) and ding.registered_capital == Decimal("500")
    assert ding.locally_registered is True and ding.org_unit == eco["street"]  # the user's unit
    assert ding.data_source == "import" and ding.created_by == user
    wu = Enterprise.objects.get(credit_code=credit_code(11))
    assert wu.industry.code == "5181" and wu.status == "moved_out"
    assert wu.locally_registered is False and wu.org_unit == eco["east_grid"]
    # The same file again changes nothing; a changed name and an empty unit cell update the
    # name only (an empty 所属区域编码 keeps where the enterprise is).
    again = run("enterprises", rows, user)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    rows[2][1], rows[2][8] = "戊商贸（宁波）有限公司", ""
    third = run("enterprises", rows, user)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 1)
    wu.refresh_from_db()
    assert wu.name == "戊商贸（宁波）有限公司" and wu.org_unit == eco["east_grid"]


def test_enterprise_rows_with_errors_write_nothing(eco):
    good = credit_code(20)
    wrong_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    rows = [
        ENTERPRISE_HEADER,
        [credit_code(21), "好企业", "6513", "", "", "是", "", "在营", ""],
        [wrong_check, "坏校验位", "6513", "", "", "是", "", "在营", ""],
        [credit_code(22), "坏行业", "9999", "", "", "是", "", "在营", ""],
        [credit_code(23), "坏属地", "6513", "", "", "也许", "", "在营", ""],
        [credit_code(21), "重复", "6513", "", "", "是", "", "在营", ""],
        [credit_code(24), "坏日期", "6513", "2099-01-01", "", "是", "", "倒闭", ""],
        [credit_code(25), "负资本", "6513", "", "-5", "是", "", "在营", ""],
    ]
    before = Enterprise.objects.count()
    report = run("enterprises", rows, eco["street_specialist"])
    errors = errors_of(report)
    assert set(errors) == {
        (3, "统一社会信用代码"),
        (4, "行业代码"),
        (5, "属地注册"),
        (6, "统一社会信用代码"),
        (7, "成立日期"),
        (7, "经营状态"),
        (8, "注册资本（万元）"),
    }
    assert errors[(3, "统一社会信用代码")] == "统一社会信用代码校验码错误。"
    assert errors[(4, "行业代码")] == "不存在所属行业“9999”。"
    assert errors[(5, "属地注册")] == "“也许”不是“是”或“否”。"
    assert errors[(6, "统一社会信用代码")].startswith("重复：第 2 行")
    assert errors[(7, "经营状态")] == "“倒闭”不在可选值中：在营、迁出、注销。"
    assert Enterprise.objects.count() == before
    assert not ChangeLogEntry.objects.filter(source="import").exists()


def test_where_a_new_enterprise_belongs(eco):
    # The tax bureau's names for the columns; no 所属区域编码 column.
    header = ["纳税人识别号", "纳税人名称", "行业代码"]
    report = run("enterprises", [header, [credit_code(30), "己公司", "7241"]], None)
    # Two streets in the tree: a new enterprise needs its unit.
    assert errors_of(report) == {(2, "所属区域编码"): "请填写负责服务该企业的单位编码。"}
    # An empty cell: the importing user's unit.
    header.append("所属区域编码")
    rows = [header, [credit_code(30), "己公司", "7241", ""]]
    assert errors_of(run("enterprises", rows, None)) == {
        (2, "所属区域编码"): "请填写负责服务该企业的单位编码。"
    }
    report = run("enterprises", rows, eco["river_specialist"])
    assert report.ok, [str(e) for e in report.errors]
    assert Enterprise.objects.get(credit_code=credit_code(30)).org_unit == eco["river"]


def test_a_community_cannot_import_into_another(eco):
    rows = [
        ENTERPRISE_HEADER,
        [credit_code(40), "庚公司", "6513", "", "", "是", "", "在营", EAST_GRID],
        [credit_code(1), "甲软件（改名）", "6513", "", "", "是", "", "在营", ""],  # 东城's
    ]
    report = run("enterprises", rows, eco["river_specialist"])
    errors = errors_of(report)
    assert set(errors) == {(2, "所属区域编码"), (3, "统一社会信用代码")}
    assert "不在您的责任范围内" in errors[(2, "所属区域编码")]
    assert Enterprise.objects.get(credit_code=credit_code(1)).name == "甲软件"


# --- towers, floors, units ---------------------------------------------------------------------


def test_office_buildings_and_a_unit_list_that_brings_its_floors(eco, make_user):
    Building.objects.create(
        code=f"{EAST_GRID}002", name="东城二号楼", address="x", kind="mixed",
        org_unit=eco["east_grid"],
    )  # fmt: skip
    Building.objects.create(
        code=f"{EAST_GRID}003", name="东城小区1幢", address="x", kind="residential",
        org_unit=eco["east_grid"],
    )  # fmt: skip
    leader = make_user("dc-lz", unit=eco["east"])
    user = eco["street_specialist"]
    header = ["楼栋编码", "楼宇名称", "楼宇等级", "产权单位", "楼长", "产业链", "主导产业目标",
              "可租面积（平方米）"]  # fmt: skip
    report = run(
        "office-buildings",
        [
            header,
            [f"{EAST_GRID}002", "（随便写）", "乙级", "东城置业", "dc-lz", "数字经济", "i", "5000"],
            [f"{EAST_GRID}003", "", "甲级", "", "", "", "", ""],
            [f"{EAST_GRID}009", "", "甲级", "", "", "", "", ""],
            [EAST_TOWER, "", "超甲级", "", "", "", "99", ""],
        ],
        user,
    )
    errors = errors_of(report)
    assert set(errors) == {(3, "楼栋编码"), (4, "楼栋编码"), (5, "主导产业目标")}
    assert errors[(3, "楼栋编码")] == "只有办公、商业或综合楼宇才能作为楼宇。"
    assert OfficeBuilding.objects.count() == 2
    good = [header, [f"{EAST_GRID}002", "", "乙级", "东城置业", "dc-lz", "数字经济", "i", "5000"]]
    report = run("office-buildings", good, user)
    assert report.ok, [str(e) for e in report.errors]
    tower = OfficeBuilding.objects.get(building__code=f"{EAST_GRID}002")
    assert (tower.grade, tower.owner, tower.leader, tower.chain, tower.signature_industry) == (
        "b", "东城置业", leader, eco["chain"], "I",
    )  # fmt: skip
    assert tower.org_unit == eco["east_grid"] and tower.leasable_area_m2 == Decimal("5000")

    units_header = [
        "楼栋编码",
        "楼层",
        "单元编号",
        "面积（平方米）",
        "租赁状态",
        "挂牌租金（元/平方米/天）",
    ]
    unit_rows = [
        units_header,
        [f"{EAST_GRID}002", "1", "101", "120.5", "空置可租", "3.8"],
        [f"{EAST_GRID}002", "1", "102", "80", "已租", ""],
        [f"{EAST_GRID}002", "B1", "B101", "300", "空置不可租", ""],
        [f"{EAST_GRID}002", "12F", "1201", "220", "在租可招", "4.2"],
    ]
    dry = run("units", unit_rows, user, dry_run=True)
    assert dry.ok and dry.created == 4
    assert not Floor.objects.filter(building=tower).exists()  # a dry run writes nothing
    report = run("units", unit_rows, user)
    assert report.ok, [str(e) for e in report.errors]
    assert list(Floor.objects.filter(building=tower).values_list("number", flat=True)) == [
        -1,
        1,
        12,
    ]
    unit = Unit.objects.get(building=tower, code="1201")
    assert (unit.floor.number, unit.area_m2, unit.status, unit.asking_rent) == (
        12, Decimal("220.00"), "occupied_available", Decimal("4.20"),
    )  # fmt: skip
    assert unit.org_unit == eco["east_grid"] and unit.data_source == "import"
    assert ChangeLogEntry.objects.filter(source="import", content_type__model="floor").count() == 3
    # Again: unchanged; a unit moved to another floor is updated, not added.
    assert run("units", unit_rows, user).unchanged == 4
    unit_rows[4][1] = "11"
    moved = run("units", unit_rows, user)
    assert (moved.created, moved.updated) == (0, 1)
    assert Unit.objects.get(building=tower, code="1201").floor.number == 11


def test_unit_list_errors(eco):
    header = ["楼栋编码", "楼层", "单元编号", "面积（平方米）"]
    report = run(
        "units",
        [
            header,
            [EAST_TOWER, "1", "X1", "10"],  # 东城's tower, for 江城's specialist
            [RIVER_TOWER, "0", "X2", "10"],
            [RIVER_TOWER, "三楼", "X3", "10"],
            [RIVER_TOWER, "3", "X4", "0"],
            [f"{EAST_GRID}999", "3", "X5", "10"],
            [RIVER_TOWER, "3", "X6", "10"],
        ],
        eco["river_specialist"],
    )
    errors = errors_of(report)
    assert set(errors) == {
        (2, "楼栋编码"),
        (3, "楼层"),
        (4, "楼层"),
        (5, "面积（平方米）"),
        (6, "楼栋编码"),
    }
    assert "不在您的责任范围内" in errors[(2, "楼栋编码")]
    assert errors[(3, "楼层")] == "没有第 0 层：地下一层为 −1，首层为 1。"
    assert errors[(4, "楼层")] == "“三楼”不是楼层号。"
    assert errors[(6, "楼栋编码")] == f"不存在楼宇“{EAST_GRID}999”。"
    assert not Unit.objects.filter(code__startswith="X").exists()
    assert not Floor.objects.filter(number=3).exists()


# --- leases -------------------------------------------------------------------------------------


LEASE_HEADER = [
    "合同编号",
    "统一社会信用代码",
    "企业名称",
    "楼栋编码",
    "单元编号",
    "租赁面积（平方米）",
    "起租日期",
    "到期日期",
    "免租期（月）",
    "合同租金（元/平方米/天）",
    "合同状态",
    "实际退租日期",
    "续签原合同编号",
]


def lease_row(number, code, building, units, area, start, end, *, free="", rent="", state="",
              ended="", renews="", name="") -> list:  # fmt: skip
    return [number, code, name, building, units, area, start, end, free, rent, state, ended,
            renews]  # fmt: skip


def test_a_lease_ledger_with_renewals_imports(eco):
    soft, trade = credit_code(1), credit_code(2)
    rows = [
        LEASE_HEADER,
        ["DC-2022-01", soft, "甲软件", EAST_TOWER, "101、102", "200", "2022-01-01", "2024-12-31",
         "3", "4.5", "已续签", "2024-12-31", ""],
        ["DC-2025-01", soft, "", EAST_TOWER, "101,102", "200", "2025-01-01", "2027-12-31",
         "0", "4.8", "在租", "", "DC-2022-01"],
        ["JC-2023-07", trade, "乙贸易", RIVER_TOWER, "101", "150", "2023-07-01", "2026-06-30",
         "", "3.2", "提前退租", "2024-09-30", ""],
    ]  # fmt: skip
    report = run("leases", rows, eco["street_specialist"])
    assert report.ok, [str(e) for e in report.errors]
    assert report.created == 3
    old, new = (
        Lease.objects.get(contract_number="DC-2022-01"),
        Lease.objects.get(contract_number="DC-2025-01"),
    )
    assert new.renewed_from == old and old.state == "renewed"
    assert sorted(new.units.values_list("code", flat=True)) == ["101", "102"]
    assert new.org_unit == eco["east_grid"] and new.building == eco["east_tower"]
    assert old.rent_free_months == Decimal("3.0") and new.contract_rent == Decimal("4.80")
    gone = Lease.objects.get(contract_number="JC-2023-07")
    assert gone.state == "terminated" and gone.ended_on == dt.date(2024, 9, 30)
    assert gone.rent_free_months == 0
    # The ledger is history: the held area follows its dates.
    assert list(Lease.objects.held_on(dt.date(2024, 10, 1))) == [old]
    # Loaded as records: no timeline entries, unit statuses as the unit list says.
    assert not eco["enterprises"]["soft"].events.exists()
    assert Unit.objects.get(pk=eco["units"]["e101"].pk).status == "vacant_available"
    assert run("leases", rows, eco["street_specialist"]).unchanged == 3
    # An export re-imports unchanged.
    exported = dataio.export_rows(SPECS["leases"], Lease.objects.all())
    assert exported[0] == SPECS["leases"].export_headers
    assert exported[1][:6] == [
        "DC-2022-01",
        soft,
        "甲软件",
        EAST_TOWER,
        "101、102",
        Decimal("200.00"),
    ]
    again = dataio.run_import(
        SPECS["leases"], dataio.write_csv(exported), eco["street_specialist"], dry_run=False
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_lease_ledger_errors(eco):
    soft, trade = credit_code(1), credit_code(2)
    Lease.objects.create(
        contract_number="EXIST",
        enterprise=eco["enterprises"]["trade"],
        building=eco["east_tower"],
        area_m2=200,
        start_date=dt.date(2024, 1, 1),
        end_date=dt.date(2025, 12, 31),
    ).units.set([eco["units"]["e201"]])
    e, r = EAST_TOWER, RIVER_TOWER
    rows = [
        LEASE_HEADER,
        lease_row("A", soft, e, "101、999", "80", "2025-01-01", "2025-12-31"),
        lease_row("B", soft, e, "201", "200", "2025-06-01", "2026-05-31"),
        lease_row("C", soft, e, "102", "120", "2025-06-01", "2025-05-31"),
        lease_row("D", soft, e, "102", "120", "2023-01-01", "2023-12-31", state="已到期"),
        lease_row("E", soft, e, "102", "120", "2026-01-01", "2026-12-31", renews="EXIST"),
        lease_row("F", credit_code(99), e, "102", "1", "2027-01-01", "2027-12-31"),
        lease_row("G", trade, r, "101", "150", "2025-01-01", "2025-12-31", free="13"),
        lease_row("H", soft, e, "102", "120", "2030-01-01", "2030-12-31", renews="I"),
        lease_row("I", soft, e, "102", "120", "2029-01-01", "2029-12-31"),
    ]
    report = run("leases", rows, eco["street_specialist"])
    errors = errors_of(report)
    assert errors[(2, "单元编号")] == "东城大厦 没有单元 999（或不在您的责任范围内）。"
    assert errors[(3, "单元编号")] == "单元 201 已由合同 EXIST 出租，至 2025-12-31。"
    assert errors[(4, "到期日期")] == "到期日期早于起租日期。"
    assert errors[(5, "实际退租日期")] == "不再在租的合同须填写实际退租日期。"
    assert errors[(6, "续签原合同编号")] == "所续签的合同 EXIST 属于其他企业或其他楼宇。"
    assert errors[(7, "统一社会信用代码")] == f"不存在企业“{credit_code(99)}”。"
    assert errors[(8, "免租期（月）")] == "免租期长于租期。"
    assert errors[(9, "续签原合同编号")] == "不存在合同“I”（文件中续签合同应列在原合同之后）。"
    assert len(errors) == 8
    assert list(Lease.objects.values_list("contract_number", flat=True)) == ["EXIST"]


# --- tax and headcount --------------------------------------------------------------------------


def test_monthly_tax_in_the_tax_bureaus_layout(eco):
    soft, trade = credit_code(1), credit_code(2)
    rows = [
        TAX_HEADER,
        [soft, "甲软件", "2024-03", "125000.50", "50000.20"],
        [soft, "甲软件", "2024年4月", "98,000", "39200"],
        [soft, "（名称不一致也无妨）", 202405, "-1200", "-480"],  # a refund month
        [trade, "乙贸易", "2024-03-01至2024-03-31", "30000", "12000"],
    ]
    report = run("tax-records", rows, eco["street_specialist"], xlsx=True)
    assert report.ok, [str(e) for e in report.errors]
    assert report.created == 4
    months = list(
        TaxRecord.objects.filter(enterprise__credit_code=soft)
        .order_by("month")
        .values_list("month", "total_tax", "local_tax")
    )
    assert months == [
        (dt.date(2024, 3, 1), Decimal("125000.50"), Decimal("50000.20")),
        (dt.date(2024, 4, 1), Decimal("98000.00"), Decimal("39200.00")),
        (dt.date(2024, 5, 1), Decimal("-1200.00"), Decimal("-480.00")),
    ]
    # The bureau corrects March: upsert on (credit code, month).
    fix = run(
        "tax-records",
        [TAX_HEADER, [soft, "", "2024-03", "126000", "50400"]],
        eco["street_specialist"],
    )
    assert (fix.created, fix.updated) == (0, 1)
    assert (
        TaxRecord.objects.get(enterprise__credit_code=soft, month=dt.date(2024, 3, 1)).total_tax
        == 126000
    )
    # The export is the bureau's layout and re-imports unchanged.
    exported = dataio.export_rows(SPECS["tax-records"], TaxRecord.objects.all())
    assert exported[0] == TAX_HEADER
    assert [soft, "甲软件", "2024-03", Decimal("126000.00"), Decimal("50400.00")] in exported
    assert len(exported) == 5
    again = run("tax-records", exported, eco["street_specialist"])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)


def test_tax_rows_with_errors_write_nothing(eco):
    soft = credit_code(1)
    next_month = (timezone.localdate().replace(day=28) + dt.timedelta(days=5)).strftime("%Y-%m")
    rows = [
        TAX_HEADER,
        [soft, "", "2024-06", "1000", "400"],
        [soft, "", "2024-13", "1000", "400"],
        [soft, "", next_month, "1000", "400"],
        [soft, "", "2024-07", "1000", "1001"],
        [soft, "", "2024/6", "5", "1"],
        [credit_code(98), "", "2024-06", "1", "1"],
        [soft, "", "2024-08", "一千", ""],
    ]
    report = run("tax-records", rows, eco["street_specialist"])
    errors = errors_of(report)
    assert errors[(3, "所属期")] == "“2024-13”不是月份，请写成 2024-03 的格式。"
    assert errors[(4, "所属期")].startswith(f"月份 {next_month} 超出范围")
    assert errors[(5, "地方留存")] == "地方留存不能大于税收合计。"
    assert "2" in errors[(6, "统一社会信用代码")]  # the same enterprise and month as row 2
    assert errors[(7, "统一社会信用代码")] == f"不存在企业“{credit_code(98)}”。"
    assert set(errors) == {
        (3, "所属期"),
        (4, "所属期"),
        (5, "地方留存"),
        (6, "统一社会信用代码"),
        (7, "统一社会信用代码"),
        (8, "税收合计"),
        (8, "地方留存"),
    }
    assert not TaxRecord.objects.exists()


def test_tax_of_another_communitys_enterprise_is_refused(eco):
    rows = [TAX_HEADER, [credit_code(1), "甲软件", "2024-06", "1000", "400"]]
    report = run("tax-records", rows, eco["river_specialist"])
    assert list(errors_of(report)) == [(2, "统一社会信用代码")]
    assert "不在您的责任范围内" in report.errors[0].message
    leader_report = run("tax-records", rows, eco["street_specialist"].__class__.objects.create(
        username="viewer", org_unit=eco["street"]))  # fmt: skip
    assert not leader_report.ok and not TaxRecord.objects.exists()


def test_headcount_import_and_the_command_line(eco, tmp_path, capsys):
    soft = credit_code(1)
    path = tmp_path / "社保人数.csv"
    path.write_bytes(
        csv_bytes(
            [
                ["统一社会信用代码", "企业名称", "月份", "从业人数", "参保人数"],
                [soft, "甲软件", "2024-01", "120", "112"],
                [soft, "甲软件", "2024-02", "118", ""],
            ]
        )
    )
    call_command("import", "headcounts", str(path), "--dry-run")
    assert not HeadcountRecord.objects.exists()
    call_command("import", "headcounts", str(path))
    assert list(
        HeadcountRecord.objects.order_by("month").values_list("month", "headcount", "insured")
    ) == [(dt.date(2024, 1, 1), 120, 112), (dt.date(2024, 2, 1), 118, None)]
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([["统一社会信用代码", "月份", "从业人数"], [soft, "2024-03", "-3"]]))
    with pytest.raises(CommandError) as exc:
        call_command("import", "headcounts", str(bad))
    assert exc.value.returncode == 1
    assert "「从业人数」" in capsys.readouterr().err
    assert HeadcountRecord.objects.count() == 2
