"""The building economy's REST API under /api/economy/: scoped lists and details, filters,
the enterprise's timeline, the move-out warning's steps through the actions, the monthly
figures, and the OpenAPI schema."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from streetbrain.economy import actions
from streetbrain.economy.models import Lease, MonthlyFigure

from .test_economy_models import build_economy, credit_code

pytestmark = pytest.mark.django_db

d = dt.date
API = "/api/economy"


@pytest.fixture
def eco(tree, make_user):
    world = build_economy(tree)
    u, e = world["units"], world["enterprises"]
    world["leases"] = {
        "soft": actions.sign_lease(
            e["soft"], [u["e101"], u["e102"]], start_date=d(2024, 1, 1), end_date=d(2026, 6, 30),
            contract_rent="4.50", contract_number="DC-1",
        ),
        "trade": actions.sign_lease(
            e["trade"], [u["r101"]], start_date=d(2023, 1, 1), end_date=d(2025, 12, 31),
            contract_number="JC-1",
        ),
    }  # fmt: skip
    world["users"] = {
        "specialist": make_user("fm-bld", role="building", unit=tree["street"]),
        "east_specialist": make_user("dc-bld", role="building", unit=tree["east"]),
        "river_specialist": make_user("jc-bld", role="building", unit=tree["river"]),
        "leader": make_user("boss", role="leader", unit=tree["street"]),
        "nobody": make_user("nobody", unit=tree["street"]),
    }
    return world


def get(client, user, path, **params):
    client.force_authenticate(user)
    return client.get(f"{API}/{path}", params)


def names(response, field="name") -> list:
    assert response.status_code == 200, response.content
    return [r[field] for r in response.json()["results"]]


# --- scope and permission ---------------------------------------------------------------------


def test_a_community_sees_only_its_own_enterprises(api_client, eco):
    users = eco["users"]
    assert names(get(api_client, users["specialist"], "enterprises/")) == [
        "丙咨询",
        "乙贸易",
        "甲软件",
    ]
    assert names(get(api_client, users["river_specialist"], "enterprises/")) == ["乙贸易"]
    soft = eco["enterprises"]["soft"]
    assert get(api_client, users["river_specialist"], f"enterprises/{soft.pk}/").status_code == 404
    assert names(get(api_client, users["river_specialist"], "leases/"), "contract_number") == [
        "JC-1"
    ]
    assert names(get(api_client, users["east_specialist"], "units/"), "code") == [
        "101",
        "102",
        "201",
    ]
    assert names(get(api_client, users["river_specialist"], "buildings/")) == ["江城中心"]


@pytest.mark.parametrize(
    "path", ["buildings/", "units/", "enterprises/", "leases/", "warnings/", "metrics/"]
)
def test_every_list_needs_a_login_and_the_permission(api_client, eco, path):
    assert api_client.get(f"{API}/{path}").status_code in (401, 403)
    assert get(api_client, eco["users"]["nobody"], path).status_code == 403
    assert get(api_client, eco["users"]["leader"], path).status_code == 200


def test_the_api_is_read_only_except_the_warning_steps(api_client, eco):
    api_client.force_authenticate(eco["users"]["specialist"])
    assert api_client.post(f"{API}/enterprises/", {"name": "x"}).status_code == 405
    soft = eco["enterprises"]["soft"]
    assert api_client.patch(f"{API}/enterprises/{soft.pk}/", {"name": "x"}).status_code == 405
    # No role may delete leases: refused before the method is even looked at.
    assert api_client.delete(f"{API}/leases/{eco['leases']['soft'].pk}/").status_code == 403
    assert Lease.objects.count() == 2


# --- lists and filters ------------------------------------------------------------------------


def test_buildings_carry_the_registry_building_and_their_units_area(api_client, eco):
    east = eco["east_tower"]
    east.leader = eco["users"]["east_specialist"]
    east.save()
    body = get(api_client, eco["users"]["leader"], f"buildings/{east.pk}/").json()
    assert body["code"] == east.building.code and body["name"] == "东城大厦"
    assert body["grid"] == "33021201400101" and body["community"] == "330212014001"
    assert body["grade"] == "a" and body["chain"] == "digital"
    assert body["signature_industry"] == "I" and body["signature_share"] == "0.300"
    assert body["units_area_m2"] == "400.00" and body["leasable_area_m2"] is None
    assert (body["leader"], body["leader_name"]) == (east.leader.pk, "dc-bld")
    river = get(api_client, eco["users"]["leader"], "buildings/", grade="a", q="江城").json()
    assert [r["leader_name"] for r in river["results"]] == [""]


def test_unit_and_enterprise_filters(api_client, eco):
    user = eco["users"]["specialist"]
    east = eco["east_tower"]
    vacant = get(api_client, user, "units/", building=east.pk, status="vacant_available")
    assert names(vacant, "code") == ["201"]
    assert names(get(api_client, user, "units/", floor=2), "code") == ["201"]
    assert names(get(api_client, user, "enterprises/", industry="I")) == ["甲软件"]
    assert names(get(api_client, user, "enterprises/", industry="72")) == ["丙咨询"]
    assert names(get(api_client, user, "enterprises/", building=east.pk)) == ["甲软件"]
    assert names(get(api_client, user, "enterprises/", q=credit_code(2))) == ["乙贸易"]
    assert names(get(api_client, user, "enterprises/", unit=eco["river"].pk)) == ["乙贸易"]
    bad = get(api_client, user, "enterprises/", industry="99")
    assert bad.status_code == 400 and "industry" in bad.json()
    body = get(api_client, user, f"enterprises/{eco['enterprises']['soft'].pk}/").json()
    assert (body["credit_code"], body["industry"], body["section"], body["org_unit"]) == (
        credit_code(1),
        "6513",
        "I",
        "33021201400101",
    )


def test_lease_filters(api_client, eco):
    user = eco["users"]["specialist"]
    held = get(api_client, user, "leases/", held_on="2023-06-01")
    assert names(held, "contract_number") == ["JC-1"]
    ending = get(api_client, user, "leases/", ends_before="2025-12-31", state="active")
    assert names(ending, "contract_number") == ["JC-1"]
    body = get(api_client, user, f"leases/{eco['leases']['soft'].pk}/").json()
    assert body["units"] == ["101", "102"] and body["area_m2"] == "200.00"
    assert body["effective_rent"] == "4.50" and body["credit_code"] == credit_code(1)
    assert body["building_code"] == eco["east_tower"].building.code


def test_the_enterprise_timeline(api_client, eco):
    lease = eco["leases"]["trade"]
    actions.end_lease(lease, on=d(2025, 3, 31))
    response = get(
        api_client, eco["users"]["river_specialist"], f"enterprises/{lease.enterprise_id}/events/"
    )
    assert response.status_code == 200
    assert [(e["kind"], e["date"]) for e in response.json()] == [
        ("lease_signed", "2023-01-01"),
        ("move_in", "2023-01-01"),
        ("lease_terminated", "2025-03-31"),
        ("move_out", "2025-03-31"),
    ]
    assert response.json()[1]["building_code"] == eco["river_tower"].building.code


# --- move-out warnings ------------------------------------------------------------------------


EVIDENCE = [{"rule": "lease_expiry", "text": "租约6个月内到期且未续签", "values": {"months": 5}}]


def test_a_warning_handled_through_the_api(api_client, eco):
    users = eco["users"]
    warning = actions.raise_warning(
        eco["enterprises"]["soft"], risk_score=64, evidence=EVIDENCE, raised_on=d(2026, 1, 5)
    )
    url = f"{API}/warnings/{warning.pk}"
    listed = get(api_client, users["east_specialist"], "warnings/", open="true")
    assert names(listed, "enterprise_name") == ["甲软件"]
    # An old row's unknown rule: its key as the label, its stored text, its raw values.
    assert listed.json()["results"][0]["evidence"] == [
        {**EVIDENCE[0], "rule_label": "lease_expiry"}
    ]
    assert names(get(api_client, users["river_specialist"], "warnings/"), "id") == []

    api_client.force_authenticate(users["leader"])
    assigned = api_client.post(f"{url}/assign/", {"assignee": users["east_specialist"].pk})
    assert assigned.status_code == 200, assigned.content
    assert (assigned.json()["state"], assigned.json()["assignee_name"]) == ("assigned", "dc-bld")
    # The leader assigns but does not handle.
    refused = api_client.post(f"{url}/close/", {"outcome": "retained", "note": "x"})
    assert refused.status_code == 403

    api_client.force_authenticate(users["east_specialist"])
    visit = api_client.post(
        f"{url}/visit/", {"visited_on": "2026-01-08", "note": "企业表示暂不迁出"}
    )
    assert visit.status_code == 200 and visit.json()["state"] == "following_up"
    too_early = api_client.post(f"{url}/visit/", {"visited_on": "2026-01-01", "note": "x"})
    assert too_early.status_code == 400 and list(too_early.json()) == ["visited_on"]
    missing = api_client.post(f"{url}/close/", {"outcome": "retained"})
    assert missing.status_code == 400 and list(missing.json()) == ["note"]
    assert api_client.post(f"{url}/note/", {"note": "房东同意减租"}).status_code == 200
    closed = api_client.post(f"{url}/close/", {"outcome": "retained", "note": "续签三年"})
    assert closed.status_code == 200
    assert (closed.json()["state"], closed.json()["outcome"]) == ("closed", "retained")
    again = api_client.post(f"{url}/close/", {"outcome": "left", "note": "x"})
    assert again.status_code == 400 and list(again.json()) == ["warning"]

    steps = api_client.get(f"{url}/events/").json()
    assert [s["action"] for s in steps] == ["raised", "assigned", "visit", "note", "closed"]
    assert steps[2]["visited_on"] == "2026-01-08" and steps[4]["data"] == {"outcome": "retained"}


def test_warning_steps_outside_the_scope_are_not_found(api_client, eco):
    users = eco["users"]
    warning = actions.raise_warning(eco["enterprises"]["soft"], risk_score=50, evidence=EVIDENCE)
    api_client.force_authenticate(users["river_specialist"])
    response = api_client.post(f"{API}/warnings/{warning.pk}/note/", {"note": "x"})
    assert response.status_code == 404
    # An assignee the caller may not see is no valid choice.
    api_client.force_authenticate(users["east_specialist"])
    response = api_client.post(
        f"{API}/warnings/{warning.pk}/assign/", {"assignee": users["river_specialist"].pk}
    )
    assert response.status_code == 400 and list(response.json()) == ["assignee"]
    assert warning.events.count() == 1


# --- monthly figures --------------------------------------------------------------------------


def test_metrics_of_a_building_and_month(api_client, eco):
    east, street = eco["east_tower"], eco["street"]
    for month, occupied in ((d(2025, 2, 1), "300"), (d(2025, 3, 1), "320")):
        MonthlyFigure.objects.create(
            scope="building",
            key=east.building.code,
            building=east,
            month=month,
            unit_path=east.org_unit.path,
            leasable_area_m2=Decimal("400"),
            occupied_area_m2=Decimal(occupied),
            occupancy_rate=float(Decimal(occupied) / 400),
            tax_total=Decimal("1250000.00"),
            dominant_industry="I",
            dominant_share=0.62,
            meets_signature_target=True,
        )
    MonthlyFigure.objects.create(
        scope="street", key=street.code, month=d(2025, 3, 1), unit_path=street.path,
        leased_new_ytd_m2=Decimal("12000"),
    )  # fmt: skip
    user = eco["users"]["leader"]
    response = get(api_client, user, "metrics/", building=east.pk, month="2025-03")
    rows = response.json()["results"]
    assert len(rows) == 1
    row = rows[0]
    assert (row["scope"], row["key"], row["month"]) == (
        "building",
        east.building.code,
        "2025-03-01",
    )
    assert row["occupied_area_m2"] == "320.00" and row["occupancy_rate"] == 0.8
    assert row["dominant_industry"] == "I" and row["meets_signature_target"] is True
    assert "unit_path" not in row
    trend = get(
        api_client, user, "metrics/", building=east.pk, month_from="2025-01", ordering="month"
    )
    assert [r["month"] for r in trend.json()["results"]] == ["2025-02-01", "2025-03-01"]
    street_rows = get(api_client, user, "metrics/", scope="street", month="2025-03-15")
    assert [r["leased_new_ytd_m2"] for r in street_rows.json()["results"]] == ["12000.00"]
    bad = get(api_client, user, "metrics/", month="March")
    assert bad.status_code == 400 and list(bad.json()) == ["month"]
    # 江城's specialist sees neither 东城's tower figures nor the street's.
    assert names(get(api_client, eco["users"]["river_specialist"], "metrics/"), "key") == []


def test_the_schema_documents_the_economy_api(client):
    text = client.get("/api/schema/").content.decode()
    for path in (
        "/api/economy/buildings/",
        "/api/economy/units/",
        "/api/economy/enterprises/{id}/events/",
        "/api/economy/leases/",
        "/api/economy/warnings/{id}/close/",
        "/api/economy/metrics/",
    ):
        assert path in text, path
