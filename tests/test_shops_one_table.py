"""一表通查: the street shops' table with each shop's licence, inspection and cases."""

from __future__ import annotations

import pytest
from django.test import Client

from streetbrain.cases.intake.actions import submit_report
from streetbrain.cases.intake.pipeline import ReportInput
from streetbrain.registry.models import IndustryClass, Shop

EAST = (121.61, 29.865)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def shops(case_world):
    pharmacy = Shop.objects.create(
        name="东城药店",
        credit_code="91310115MA1K3BTP2B",
        licence_no="JY13302120001234",
        industry=IndustryClass.objects.get(code="5251"),
        address="宁穿路3号",
        operator="李四",
        org_unit=case_world["east_grid"],
        lon=EAST[0],
        lat=EAST[1],
    )
    quiet = Shop.objects.create(
        name="东城面馆",
        credit_code="92330212MA2H7XQK1T",
        industry=IndustryClass.objects.get(code="6210"),
        address="宁穿路5号",
        operator="王五",
        org_unit=case_world["east_grid"],
    )
    open_case = submit_report(
        ReportInput(
            channel="gridworker",
            description="药店门口占道经营，货物堆到人行道上",
            shop=pharmacy,
            requested_class="matter:06010",
        )
    ).case
    return {**case_world, "pharmacy": pharmacy, "quiet": quiet, "case": open_case}


def test_the_table_counts_each_shops_cases_and_shows_its_licence(shops):
    response = client_for(shops["users"]["leader"]).get("/registry/shops/")
    assert response.status_code == 200
    rows = {
        obj.name: dict((c.accessor, v) for c, v in cells) for obj, cells in response.context["rows"]
    }
    assert rows["东城药店"]["open_cases"] == 1 and rows["东城药店"]["all_cases"] == 1
    assert rows["东城药店"]["licence_no"] == "JY13302120001234"
    assert rows["东城面馆"]["open_cases"] == 0


def test_the_table_filters_shops_with_open_cases(shops):
    client = client_for(shops["users"]["leader"])
    names = [o.name for o, _c in client.get("/registry/shops/?has_open_cases=true").context["rows"]]
    assert names == ["东城药店"]
    names = [
        o.name for o, _c in client.get("/registry/shops/?has_open_cases=false").context["rows"]
    ]
    assert names == ["东城面馆"]


def test_a_shop_page_lists_its_cases_and_links_to_the_map(shops):
    client = client_for(shops["users"]["leader"])
    html = client.get(shops["pharmacy"].get_absolute_url()).content.decode()
    assert shops["case"].number in html
    assert "/map/?at=121.610000,29.865000,18&amp;layers=shops,cases" in html
    quiet = client.get(shops["quiet"].get_absolute_url()).content.decode()
    assert 'id="shop-on-map"' not in quiet  # no place, no map link


def test_without_case_permission_the_case_columns_are_left_out(shops, make_user):
    viewer = make_user("shops-only", unit=shops["street"], perms=["registry.view_shop"])
    response = client_for(viewer).get("/registry/shops/")
    accessors = {c.accessor for c, _h in response.context["columns"]}
    assert "open_cases" not in accessors and "licence_no" in accessors
    html = client_for(viewer).get(shops["pharmacy"].get_absolute_url()).content.decode()
    assert shops["case"].number not in html


def test_the_excel_export_carries_the_case_counts_and_re_imports_unchanged(shops):
    import io

    from openpyxl import load_workbook

    from streetbrain.core import dataio
    from streetbrain.registry.dataio_specs import SHOPS

    response = client_for(shops["users"]["leader"]).get("/registry/shops/export/?format=xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    header = list(rows[0])
    assert header[-2:] == ["未结案件数", "案件总数"]
    by_name = {r[header.index("店铺名称")]: r for r in rows[1:]}
    assert by_name["东城药店"][-2:] == (1, 1) and by_name["东城面馆"][-2:] == (0, 0)
    # The file goes back in as it came out: the figures are read, not imported.
    before = list(Shop.objects.order_by("pk").values())
    report = dataio.run_import(SHOPS, response.content, None, dry_run=False)
    assert not report.errors, report.errors
    assert list(Shop.objects.order_by("pk").values()) == before


def test_without_case_permission_the_export_has_no_case_columns(shops, make_user):
    viewer = make_user("shops-export", unit=shops["street"], perms=["registry.view_shop"])
    response = client_for(viewer).get("/registry/shops/export/")
    header = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()[0]
    assert "未结案件数" not in header and "店铺名称" in header
