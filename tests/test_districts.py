"""商圈共生共荣 (streetbrain/districts): the business-district office sees this year's sales
against 100 亿 and the year's first stores; every figure is the sum of the rows it links to;
限额以上 from the thresholds as data; stores linked to the registry's shops and the economy's
enterprises by credit code or name; the sales imports (all or nothing, row errors); the
first-store register; campaigns against the same window a year before; the API; scope."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.utils import timezone, translation

from streetbrain.core import dataio
from streetbrain.core.models import ChangeLogEntry, User
from streetbrain.districts import actions, measures, public, reference
from streetbrain.districts.dataio_specs import SPECS
from streetbrain.districts.models import (
    BusinessDistrict,
    Campaign,
    Category,
    Complex,
    FirstStore,
    SalesRecord,
    Store,
)
from streetbrain.economy.models import Enterprise
from streetbrain.registry.models import IndustryClass, Shop

from .test_economy_models import credit_code

THIS_YEAR = timezone.localdate().year


def csv_bytes(rows: list[list]) -> bytes:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


def run(kind, rows, user=None, *, dry_run=False):
    with translation.override("zh-hans"):
        return dataio.run_import(SPECS[kind], csv_bytes(rows), user, dry_run=dry_run)


def errors_of(report) -> dict[tuple, str]:
    return {(e.row, e.column): e.message for e in report.errors}


@pytest.fixture
def world(tree, make_user):
    """One district at the street with two malls (one in each community's first grid), four
    stores (retail 6 million a year, catering 1.9 million, wholesale, one outside the malls),
    sales for the last two Januaries–Marches, a first store of this year and one of last."""
    street = tree["street"]
    district = BusinessDistrict.objects.create(
        code="bq", name="百亿商圈", org_unit=street, first_store_target=4
    )
    east = Complex.objects.create(
        district=district, name="宁波阪急", org_unit=tree["east_grid"], lon=121.61, lat=29.865
    )
    river = Complex.objects.create(district=district, name="宏泰广场", org_unit=tree["river_grid"])
    stores = {}
    for code, mall, category in (
        ("S1", east, Category.RETAIL),
        ("S2", east, Category.CATERING),
        ("S3", river, Category.WHOLESALE),
        ("S4", None, Category.RETAIL),
    ):
        stores[code] = Store.objects.create(
            district=district,
            complex=mall,
            code=code,
            name=f"门店{code}",
            category=category,
            org_unit=mall.org_unit if mall else street,
        )
    monthly = {"S1": 500_000, "S2": 158_000, "S3": 1_000_000, "S4": 100_000}
    for year in (THIS_YEAR - 1, THIS_YEAR):
        grow = Decimal("1.1") if year == THIS_YEAR else Decimal(1)
        for month in (1, 2, 3):
            for code, amount in monthly.items():
                actions.record_sales(
                    None, store=stores[code], month=dt.date(year, month, 1),
                    amount=Decimal(amount) * grow,
                )  # fmt: skip
            actions.record_sales(
                None, complex=river, month=dt.date(year, month, 1), amount=Decimal(2_000_000) * grow
            )
    # The rest of last year: S1 reaches 12 × 500,000 = 6 million (限额以上 retail ≥ 5 million).
    for month in range(4, 13):
        actions.record_sales(
            None, store=stores["S1"], month=dt.date(THIS_YEAR - 1, month, 1), amount=500_000
        )
    actions.record_first_store(
        None,
        FirstStore(
            district=district, complex=east, brand="甲品牌", level="city",
            opened_on=dt.date(THIS_YEAR, 2, 3),
        ),
    )  # fmt: skip
    actions.record_first_store(
        None,
        FirstStore(
            district=district, brand="乙品牌", level="flagship",
            opened_on=dt.date(THIS_YEAR - 1, 5, 1),
        ),
    )  # fmt: skip
    office = make_user("fm-sqb", role="district_office", unit=street)
    return {
        "tree": tree,
        "district": district,
        "east": east,
        "river": river,
        "stores": stores,
        "office": office,
        "make_user": make_user,
    }


# --- Done when -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_office_sees_this_years_sales_against_100_yi_and_the_years_first_stores(world, client):
    client.force_login(User.objects.get(username="fm-sqb"))
    with translation.override("zh-hans"):
        page = client.get("/districts/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    html = page.content.decode()
    data = page.context["data"]
    # This year's sales: the sum of its rows, against the 100 亿 target.
    expected = SalesRecord.objects.filter(month__year=THIS_YEAR).aggregate(s=Sum("amount"))["s"]
    assert (
        data["sales"]
        == expected
        == Decimal("1.1") * 3 * (500_000 + 158_000 + 1_000_000 + 100_000 + 2_000_000)
    )
    assert data["target"] == Decimal("10000000000")
    assert "100.00 亿元" in html
    assert data["share"] == pytest.approx(float(expected) / 1e10)
    # Year on year over the same months (January–March), not last year's whole year.
    assert data["yoy"]["months"] == [1, 2, 3]
    assert data["yoy"]["change"] == pytest.approx(0.1)
    # The year's first stores against the target: one of this year, last year's not counted.
    assert data["first_stores"]["count"] == 1
    assert data["first_stores"]["target"] == 4
    assert "甲品牌" in html and "乙品牌" not in html
    # The figure links to its rows: the sales list with the same filters sums to it.
    query = parse_qs(urlparse(data["sales_url"]).query)
    assert query == {"district": [str(world["district"].pk)], "year": [str(THIS_YEAR)]}
    listed = client.get(data["sales_url"])
    assert listed.status_code == 200
    assert listed.context["sum"] == expected
    assert listed.context["total"] == 15  # 4 stores and one mall × 3 months


@pytest.mark.django_db
def test_the_api_gives_each_district_its_years_sales_target_and_first_stores(world, client):
    client.force_login(User.objects.get(username="fm-sqb"))
    body = client.get("/api/districts/").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert (
        Decimal(row["sales"])
        == SalesRecord.objects.filter(month__year=THIS_YEAR).aggregate(s=Sum("amount"))["s"]
    )
    assert Decimal(row["target"]) == Decimal("10000000000")
    assert row["first_stores"] == 1 and row["year"] == THIS_YEAR
    last = client.get(f"/api/districts/?year={THIS_YEAR - 1}").json()["results"][0]
    assert last["first_stores"] == 1 and Decimal(last["sales"]) > Decimal(row["sales"])
    assert client.get("/api/districts/?year=20x5").status_code == 400
    page = client.get("/districts/?year=abc", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200 and page.context["year"] == THIS_YEAR
    assert "该年份没有数据" in page.content.decode()
    for path in ("malls", "stores", "first-stores", "sales", "campaigns"):
        answer = client.get(f"/api/districts/{path}/")
        assert answer.status_code == 200, path
        assert "count" in answer.json()
    schema = client.get("/api/schema/").content.decode()
    assert "/api/districts/first-stores/" in schema and "/api/districts/{id}/" in schema


# --- the figures ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_by_trade_and_by_mall_each_link_to_the_rows_they_sum(world, client):
    client.force_login(User.objects.get(username="fm-sqb"))
    data = measures.district_year(world["office"], world["district"], THIS_YEAR)
    assert sum(c["sales"] for c in data["by_category"]) == data["sales"]
    assert sum(c["sales"] for c in data["by_complex"]) == data["sales"]
    by_mall = {c["label"]: c for c in data["by_complex"]}
    # 宏泰广场: its store S3 and its own figure; outside the malls: S4.
    assert by_mall["宏泰广场"]["sales"] == Decimal("1.1") * 3 * 3_000_000
    assert by_mall[""]["sales"] == Decimal("1.1") * 3 * 100_000
    for figure in [*data["by_category"], *data["by_complex"]]:
        assert client.get(figure["url"]).context["sum"] == figure["sales"], figure


@pytest.mark.django_db
def test_above_the_limit_follows_the_thresholds_as_data(world):
    assert reference.threshold("retail") == Decimal(5_000_000)
    assert reference.threshold("wholesale") == Decimal(20_000_000)
    assert reference.threshold("catering") == reference.threshold("lodging") == Decimal(2_000_000)
    assert reference.threshold("other") is None
    rows = {
        r["code"]: r
        for r in measures.store_year_sales(world["office"], world["district"], THIS_YEAR - 1)
    }
    assert rows["S1"]["sales"] == Decimal(6_000_000) and rows["S1"]["above"] is True
    assert rows["S2"]["above"] is False  # catering 3 × 158,000
    assert rows["S3"]["above"] is False  # wholesale needs 20 million
    ids = measures.above_limit_ids(world["office"], world["district"].pk, THIS_YEAR - 1)
    assert ids == {world["stores"]["S1"].pk}


@pytest.mark.django_db
def test_a_campaign_counts_its_members_window_against_the_same_window_a_year_before(world):
    district, stores = world["district"], world["stores"]
    campaign = actions.save_campaign(
        world["office"],
        Campaign(
            district=district, name="消费季", starts_on=dt.date(THIS_YEAR, 2, 15),
            ends_on=dt.date(THIS_YEAR, 3, 31), coupons_issued=100, coupons_redeemed=40,
        ),
        members=[stores["S1"], stores["S2"]],
    )  # fmt: skip
    result = measures.campaign_result(world["office"], campaign)
    days_feb = 29 if THIS_YEAR % 4 == 0 else 28
    share = Decimal(days_feb - 14) / Decimal(days_feb)
    now = (Decimal("1.1") * 658_000 * share + Decimal("1.1") * 658_000).quantize(Decimal("0.01"))
    assert result["sales"] == now
    assert result["members"] == 2 and result["redemption"] == pytest.approx(0.4)
    assert result["change"] == pytest.approx(0.1, abs=0.02)
    with pytest.raises(ValidationError):
        actions.record_coupons(world["office"], campaign, issued=10, redeemed=20)
    with pytest.raises(ValidationError):
        actions.save_campaign(
            world["office"],
            Campaign(district=district, name="x", starts_on=dt.date(THIS_YEAR, 3, 1),
                     ends_on=dt.date(THIS_YEAR, 2, 1)),
        )  # fmt: skip


# --- links to the registry and the economy ------------------------------------------------


@pytest.mark.django_db
def test_a_store_links_to_the_same_shop_and_enterprise_by_credit_code_or_name(world, client):
    tree = world["tree"]
    industry = IndustryClass.objects.filter(code__startswith="52").first()
    code = credit_code(7)
    shop = Shop.objects.create(
        name="甲商店", credit_code=code, industry=industry, address="x路1号", operator="张三",
        org_unit=tree["east_grid"],
    )  # fmt: skip
    enterprise = Enterprise.objects.create(
        name="甲商店", credit_code=code, industry=industry, org_unit=tree["east_grid"]
    )
    store = actions.save_store(
        world["office"],
        Store(district=world["district"], complex=world["east"], code="S9", name="门店九",
              credit_code=code.lower()),
    )  # fmt: skip
    assert (store.shop, store.enterprise, store.credit_code) == (shop, enterprise, code)
    assert store.org_unit == world["east"].org_unit
    by_name = actions.save_store(
        world["office"], Store(district=world["district"], code="S10", name="甲商店")
    )
    assert by_name.shop == shop
    # Through the import too.
    report = run(
        "district-stores",
        [["门店编码", "商圈编码", "商业体", "门店名称", "业态", "统一社会信用代码"],
         ["S11", "bq", "宁波阪急", "门店十一", "零售", code]],
        world["office"],
    )  # fmt: skip
    assert report.ok, report.errors
    imported = Store.objects.get(code="S11")
    assert imported.shop == shop and imported.org_unit == world["east"].org_unit
    # The shop's and the enterprise's pages show the stores that are the same entity.
    client.force_login(world["office"])
    page = client.get(f"/registry/shops/{shop.pk}/").content.decode()
    assert "门店九" in page and "门店十一" in page
    assert "门店九" in client.get(f"/economy/enterprises/{enterprise.pk}/").content.decode()


# --- imports -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_store_sales_import_fills_district_trade_and_unit_and_is_all_or_nothing(world):
    office = world["office"]
    month = f"{THIS_YEAR - 2}-05"
    bad = run(
        "store-sales",
        [["门店编码", "月份", "销售额(元)"], ["S1", month, "120000"], ["S404", month, "5"],
         ["S2", "2020-13", "1"], ["S3", month, "-3"]],
        office,
    )  # fmt: skip
    errors = errors_of(bad)
    assert (3, "门店编码") in errors and (4, "月份") in errors and (5, "销售额(元)") in errors
    assert not SalesRecord.objects.filter(month=dt.date(THIS_YEAR - 2, 5, 1)).exists()
    good = run(
        "store-sales",
        [["门店编码", "月份", "销售额(元)"], ["S1", month, "120000"], ["S2", month, "80000.5"]],
        office,
    )  # fmt: skip
    assert good.ok and good.created == 2
    row = SalesRecord.objects.get(store=world["stores"]["S2"], month=dt.date(THIS_YEAR - 2, 5, 1))
    assert row.district == world["district"] and row.category == "catering"
    assert row.org_unit == world["east"].org_unit and row.data_source == "import"
    again = run(
        "store-sales", [["门店编码", "月份", "销售额(元)"], ["S1", month, "130000"]], office
    )
    assert again.ok and again.updated == 1
    assert ChangeLogEntry.objects.filter(
        content_type__app_label="districts", content_type__model="salesrecord"
    ).exists()


@pytest.mark.django_db
def test_mall_sales_import_and_a_grid_worker_cannot_import(world):
    report = run(
        "mall-sales",
        [["商业体", "月份", "销售额(元)", "业态"],
         ["宏泰广场", f"{THIS_YEAR - 2}-07", "3000000", "零售"]],
        world["office"],
    )  # fmt: skip
    assert report.ok, report.errors
    row = SalesRecord.objects.get(complex=world["river"], month=dt.date(THIS_YEAR - 2, 7, 1))
    assert row.store is None and row.org_unit == world["river"].org_unit
    worker = world["make_user"]("gw-x", role="gridworker", unit=world["tree"]["east_grid"])
    refused = run(
        "mall-sales",
        [["商业体", "月份", "销售额(元)"], ["宁波阪急", f"{THIS_YEAR - 2}-07", "1"]],
        worker,
    )  # fmt: skip
    assert not refused.ok


# --- the first-store register -----------------------------------------------------------------


@pytest.mark.django_db
def test_the_first_store_register_checks_its_mall_and_counts_per_year(world, client):
    other = BusinessDistrict.objects.create(
        code="o", name="别的商圈", org_unit=world["tree"]["street"]
    )
    with pytest.raises(ValidationError):
        actions.record_first_store(
            world["office"],
            FirstStore(district=other, complex=world["east"], brand="丙", level="city",
                       opened_on=dt.date(THIS_YEAR, 1, 1)),
        )  # fmt: skip
    client.force_login(User.objects.get(username="fm-sqb"))
    answer = client.post(
        "/districts/first-stores/add/",
        {"district": world["district"].pk, "brand": "丁品牌", "level": "asia",
         "opened_on": f"{THIS_YEAR}-04-01", "complex": world["river"].pk},
    )  # fmt: skip
    assert answer.status_code == 302
    created = FirstStore.objects.get(brand="丁品牌")
    assert created.org_unit == world["river"].org_unit
    assert measures.first_stores(world["office"], world["district"], THIS_YEAR)["count"] == 2
    bad = client.post(
        "/districts/first-stores/add/",
        {"district": world["district"].pk, "brand": "戊", "level": "nope", "opened_on": "x"},
    )
    assert bad.status_code == 400 and not FirstStore.objects.filter(brand="戊").exists()
    page = client.get(f"/districts/first-stores/?year={THIS_YEAR}")
    assert page.context["total"] == 2
    assert "全球首店" in page.content.decode()  # the levels' definitions with their sources


# --- scope --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_the_districts_people_see_them(world, client):
    make_user = world["make_user"]
    make_user("gw-y", role="gridworker", unit=world["tree"]["east_grid"])
    client.force_login(User.objects.get(username="gw-y"))
    assert client.get("/districts/").status_code == 403
    answer = client.get("/api/districts/")
    assert answer.status_code == 403 or answer.json()["count"] == 0, answer.content
    assert client.get(f"/districts/stores/{world['stores']['S1'].pk}/").status_code == 403
    # A leader of the other street sees none of it.
    make_user("leader-x", role="leader", unit=world["tree"]["other_street"])
    client.force_login(User.objects.get(username="leader-x"))
    assert client.get("/api/districts/").json()["count"] == 0
    assert client.get(f"/districts/districts/{world['district'].pk}/").status_code == 404
    with pytest.raises(PermissionDenied):
        actions.record_sales(
            make_user("gw-z", role="district_office", unit=world["tree"]["east_grid"]),
            store=world["stores"]["S3"], month=dt.date(THIS_YEAR, 1, 1), amount=1,
        )  # fmt: skip


@pytest.mark.django_db
def test_the_year_s_sales_for_other_apps(world):
    figures = public.district_sales(THIS_YEAR)
    assert (
        figures["sales"]
        == SalesRecord.objects.filter(month__year=THIS_YEAR).aggregate(s=Sum("amount"))["s"]
    )
    assert figures["target"] == Decimal("10000000000") and figures["months"] == [1, 2, 3]
    assert public.district_sales(THIS_YEAR, district="none")["sales"] == 0


@pytest.mark.django_db
def test_pages_map_cockpit_and_search(world, client):
    client.force_login(User.objects.get(username="fm-sqb"))
    for path in (
        "/districts/districts/", "/districts/malls/", "/districts/stores/",
        "/districts/campaigns/", f"/districts/malls/{world['east'].pk}/",
        f"/districts/stores/{world['stores']['S1'].pk}/", "/districts/stores/add/",
        "/districts/sales/import/", "/districts/sales/malls/import/", "/cockpit/",
    ):  # fmt: skip
        assert client.get(path).status_code == 200, path
    layer = client.get("/api/map/layers/districts/").json()
    assert layer["type"] == "FeatureCollection"
    found = client.get("/api/search/?q=宁波阪急").json()
    assert "宁波阪急" in str(found)


@pytest.mark.django_db
def test_the_malls_sales_page_import_runs_as_a_job_on_its_own_pages(
    world, client, settings, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.IMPORT_DIR = tmp_path / "imports"
    client.force_login(User.objects.get(username="fm-sqb"))
    data = csv_bytes([["商业体", "月份", "销售额(元)"], ["宁波阪急", f"{THIS_YEAR - 2}-09", "88"]])
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            "/districts/sales/malls/import/",
            {"file": SimpleUploadedFile("mall.csv", data, "text/csv"), "_change_reason": "月报"},
        )
    assert answer.status_code == 302 and "/districts/sales/malls/import/jobs/" in answer.url
    assert client.get(answer.url).status_code == 200
    row = SalesRecord.objects.get(complex=world["east"], month=dt.date(THIS_YEAR - 2, 9, 1))
    assert row.amount == 88


@pytest.mark.django_db
def test_the_office_sets_the_years_targets_and_bad_input_changes_nothing(world, client):
    district = world["district"]
    client.force_login(world["office"])
    url = f"/districts/districts/{district.pk}/edit/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"sales_target": "-1", "first_store_target": "x"})
    assert bad.status_code == 400
    district.refresh_from_db()
    assert district.sales_target == Decimal("10000000000") and district.first_store_target == 4
    assert not district.targets.exists()
    good = client.post(url, {"sales_target": "12000000000", "first_store_target": "15"})
    assert good.status_code == 302
    # this year's own targets; another year keeps the standing ones until it gets its own
    this_year = district.target_for(THIS_YEAR)
    assert this_year.pk and this_year.sales_target == Decimal("12000000000")
    assert this_year.first_store_target == 15
    assert district.target_for(THIS_YEAR + 1).sales_target == Decimal("10000000000")
    client.post(
        url, {"year": THIS_YEAR + 1, "sales_target": "13000000000", "first_store_target": "16"}
    )
    assert district.target_for(THIS_YEAR + 1).first_store_target == 16
    assert district.target_for(THIS_YEAR).first_store_target == 15
    assert measures.street_year(world["office"], THIS_YEAR + 1)[0]["first_store_target"] == 16
    detail = client.get(f"/districts/districts/{district.pk}/").content.decode()
    marker = f'<a href="/districts/districts/{district.pk}/">'
    assert f"{marker}{THIS_YEAR}</a>" in detail and f"{marker}{THIS_YEAR + 1}</a>" in detail
    # audited, on the district's own change log
    assert ChangeLogEntry.objects.filter(
        content_type__model="districttarget", related_object_id=str(district.pk)
    ).exists()
    worker = world["make_user"]("gw-t", role="gridworker", unit=world["tree"]["east_grid"])
    with pytest.raises(PermissionDenied):
        actions.save_district(worker, district)


# --- writes through the API and the mall page -------------------------------------------------


@pytest.mark.django_db
def test_the_api_writes_sales_first_stores_and_campaigns_through_the_actions(world, client):
    client.force_login(world["office"])
    s1, east = world["stores"]["S1"], world["east"]
    # a month's sales: added, then a POST of the same month corrects it, a PATCH too
    url = "/api/districts/sales/"
    month = dt.date(THIS_YEAR - 3, 7, 1)
    r = client.post(url, {"store": s1.pk, "month": month.isoformat(), "amount": "1000.00"})
    assert r.status_code == 201, r.content
    row = SalesRecord.objects.get(store=s1, month=month)
    assert row.district == world["district"] and row.category == Category.RETAIL
    r = client.post(url, {"store": s1.pk, "month": month.isoformat(), "amount": "1200"})
    assert r.status_code == 201 and SalesRecord.objects.filter(store=s1, month=month).count() == 1
    r = client.patch(f"{url}{row.pk}/", {"amount": "1300"}, content_type="application/json")
    row.refresh_from_db()
    assert r.status_code == 200 and row.amount == Decimal("1300.00")
    # bad input: an error in the user's language, nothing changed
    r = client.patch(
        f"{url}{row.pk}/", {"amount": "-5"}, content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )  # fmt: skip
    row.refresh_from_db()
    assert r.status_code == 400 and row.amount == Decimal("1300.00")
    r = client.post(url, {"month": month.isoformat(), "amount": "1"})
    assert r.status_code == 400
    # a first store and a campaign
    r = client.post(
        "/api/districts/first-stores/",
        {"district": world["district"].pk, "brand": "丙品牌", "level": "china",
         "opened_on": f"{THIS_YEAR}-06-01", "complex": east.pk},
    )  # fmt: skip
    assert r.status_code == 201, r.content
    first = FirstStore.objects.get(brand="丙品牌")
    assert first.org_unit == east.org_unit
    r = client.patch(
        f"/api/districts/first-stores/{first.pk}/", {"level": "flagship"},
        content_type="application/json",
    )  # fmt: skip
    first.refresh_from_db()
    assert r.status_code == 200 and first.level == "flagship"
    r = client.post(
        "/api/districts/campaigns/",
        {"district": world["district"].pk, "name": "国庆消费季", "starts_on": f"{THIS_YEAR}-10-01",
         "ends_on": f"{THIS_YEAR}-10-07", "members": [s1.pk, world["stores"]["S2"].pk]},
        content_type="application/json",
    )  # fmt: skip
    assert r.status_code == 201, r.content
    campaign = Campaign.objects.get(name="国庆消费季")
    assert set(campaign.members.values_list("code", flat=True)) == {"S1", "S2"}
    assert ChangeLogEntry.objects.filter(object_id=str(campaign.pk)).exists()
    # a grid worker of 江城 (view only, elsewhere) may write nothing; no DELETE at all
    worker = world["make_user"]("gw-api", role="gridworker", unit=world["tree"]["river_grid"])
    client.force_login(worker)
    r = client.post(url, {"store": s1.pk, "month": month.isoformat(), "amount": "1"})
    assert r.status_code in (403, 400) and row.amount == Decimal("1300.00")
    client.force_login(world["office"])
    assert client.delete(f"{url}{row.pk}/").status_code in (403, 405)
    assert SalesRecord.objects.filter(pk=row.pk).exists()


@pytest.mark.django_db
def test_the_office_adds_a_mall_to_its_district(world, client):
    client.force_login(world["office"])
    assert client.get("/districts/malls/add/").status_code == 200
    bad = client.post(
        "/districts/malls/add/",
        {"district": world["district"].pk, "name": "宁波阪急", "kind": "mall", "lon": "121.6"},
    )
    assert bad.status_code == 400 and Complex.objects.count() == 2
    r = client.post(
        "/districts/malls/add/",
        {"district": world["district"].pk, "name": "来福士广场", "kind": "mall",
         "lon": "121.62", "lat": "29.87"},
    )  # fmt: skip
    assert r.status_code == 302
    mall = Complex.objects.get(name="来福士广场")
    assert mall.district == world["district"] and mall.org_unit == world["district"].org_unit
    assert ChangeLogEntry.objects.filter(object_id=str(mall.pk)).exists()
    worker = world["make_user"]("gw-m", role="gridworker", unit=world["tree"]["east_grid"])
    client.force_login(worker)
    assert client.get("/districts/malls/add/").status_code == 403
    with pytest.raises(PermissionDenied):
        actions.save_complex(worker, Complex(district=world["district"], name="x"))
