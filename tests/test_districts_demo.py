"""The districts' demo: the 百亿商圈 with its three real anchors (OpenStreetMap names and
outlines), stores, first stores, 24 months of sales and a campaign, all marked as demo, loaded
on the core and registry demo at test scale; reused when loaded; the demo account sees it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.test import Client

from streetbrain.core.audit import audit_context
from streetbrain.core.models import User
from streetbrain.demo import core as core_demo
from streetbrain.demo import districts as districts_demo
from streetbrain.demo import registry as registry_demo
from streetbrain.demo.context import DemoContext
from streetbrain.districts import measures
from streetbrain.districts.models import (
    BusinessDistrict,
    Campaign,
    Complex,
    FirstStore,
    SalesRecord,
    Store,
)

TODAY = dt.date(2026, 11, 18)  # the history: 2024-11 … 2026-10


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        ctx = DemoContext(password="streetbrain-demo")
        with audit_context(source="cli", reason="demo load"):
            core_demo.load(ctx)
            registry_demo.load(ctx, scale=0.02)
            districts_demo.load(ctx, scale=0.02, today=TODAY)
        yield ctx
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_district_its_real_anchors_and_24_months(loaded):
    district = BusinessDistrict.objects.get()
    assert district.sales_target == 10_000_000_000 and district.data_source == "demo"
    assert district.geometry["type"] == "Polygon"
    anchors = Complex.objects.filter(district=district)
    assert set(anchors.values_list("name", flat=True)) == {"宁波阪急", "宁波文化广场", "宏泰广场"}
    assert all(c.osm_name == c.name and c.geometry for c in anchors)
    months = sorted(set(SalesRecord.objects.values_list("month", flat=True)))
    assert (
        len(months) == 24
        and months[0] == dt.date(2024, 11, 1)
        and months[-1] == dt.date(2026, 10, 1)
    )
    for model in (Complex, Store, FirstStore, SalesRecord, Campaign):
        assert not model.objects.exclude(data_source="demo").exists(), model
    assert Store.objects.count() >= 15
    assert FirstStore.objects.filter(opened_on__year=2026).exists()
    campaign = Campaign.objects.get()
    assert campaign.members.exists() and campaign.coupons_redeemed <= campaign.coupons_issued
    result = measures.campaign_result(User.objects.get(username="districts"), campaign)
    assert result["sales"] > 0 and result["before"] > 0 and result["complete"]
    assert any("districts:" in line for line in loaded.log)


@pytest.mark.django_db
def test_the_demo_account_sees_the_year_against_100_yi(loaded):
    user = User.objects.get(username="districts")
    assert user.org_unit.level == "street" and user.groups.filter(name="district_office").exists()
    client = Client()
    client.force_login(user)
    page = client.get("/districts/?year=2026")
    assert page.status_code == 200
    data = page.context["data"]
    assert data["sales"] > 0 and data["yoy"]["months"] == list(range(1, 11))
    assert data["yoy"]["change"] > 0  # the demo grows
    assert data["first_stores"]["count"] == FirstStore.objects.filter(opened_on__year=2026).count()
    districts_demo.load(DemoContext(), scale=0.02, today=TODAY)  # loaded: reused
    assert BusinessDistrict.objects.count() == 1
