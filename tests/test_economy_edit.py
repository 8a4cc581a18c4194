"""Correcting the building brain from its pages: the edit pages of towers, enterprises and units
(required reason, audited, scoped, permission-checked), an enterprise's business status through
its action, and the lease steps (签约, 续签, 退租) through the pages giving the same rows and
timeline as the actions; an edit that moves an enterprise's registration raises the
registration warning."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from streetbrain.core.models import ChangeLogEntry
from streetbrain.economy import actions, rules
from streetbrain.economy.models import (
    Enterprise,
    EnterpriseEvent,
    Lease,
    MoveOutWarning,
    OfficeBuilding,
    Unit,
)
from tests.test_economy_models import build_economy, credit_code

pytestmark = pytest.mark.django_db

d = dt.date
REASON = "核对产权证后更正"
HTMX = {"HTTP_HX_REQUEST": "true"}


def zh(message: str, **values) -> str:
    with translation.override("zh-hans"):
        text = gettext(message)
    return text % values if values else text


@pytest.fixture
def eco(tree, make_user, client):
    world = build_economy(tree)
    world["users"] = {
        "specialist": make_user("fm-bld", role="building", unit=tree["street"]),
        "east_specialist": make_user("dc-bld", role="building", unit=tree["east"]),
        "leader": make_user("boss", role="leader", unit=tree["street"]),
    }
    ent, units = world["enterprises"], world["units"]
    world["lease"] = actions.sign_lease(
        ent["soft"],
        [units["e101"], units["e102"]],
        start_date=d(2024, 1, 1),
        end_date=d(2030, 12, 31),
        contract_rent=Decimal("3.50"),
    )
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    return world


def log_entries(obj, action="update"):
    return ChangeLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=str(obj.pk),
        action=action,
    ).order_by("pk")


def enterprise_data(e: Enterprise, **changes) -> dict:
    data = {
        "credit_code": e.credit_code,
        "name": e.name,
        "industry": e.industry_id,
        "founded_on": e.founded_on.isoformat() if e.founded_on else "",
        "registered_capital": "" if e.registered_capital is None else str(e.registered_capital),
        "locally_registered": "on" if e.locally_registered else "",
        "registered_address": e.registered_address,
        "_change_reason": REASON,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not False}


def snapshot(model, pk) -> dict:
    row = model.objects.filter(pk=pk).values().get()
    row.pop("updated_at", None)
    return row


# --- office buildings ------------------------------------------------------------------------


def test_building_edit_saved_audited_and_scoped(eco, client):
    east = eco["east_tower"]
    user = eco["users"]["east_specialist"]
    client.force_login(user)
    url = reverse("economy:officebuilding_edit", args=[east.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    assert list(form.fields) == [
        "grade", "owner", "manager", "leader", "chain", "signature_industry",
        "signature_share", "leasable_area_m2", "_change_reason",
    ]  # fmt: skip
    # the 楼长 is chosen among the users of the building's grid and above that the user sees
    assert user in form.fields["leader"].queryset
    assert eco["users"]["specialist"] not in form.fields["leader"].queryset  # not visible
    response = client.post(
        url,
        {
            "grade": "super_a",
            "owner": "东城置业有限公司",
            "manager": "东城物业运营",
            "leader": user.pk,
            "chain": eco["chain"].pk,
            "signature_industry": "65",
            "signature_share": "0.4",
            "leasable_area_m2": "420",
            "_change_reason": REASON,
        },
    )
    assert response.status_code == 302 and response["Location"] == east.get_absolute_url()
    east.refresh_from_db()
    assert (east.grade, east.owner, east.manager, east.leader, east.signature_industry) == (
        "super_a", "东城置业有限公司", "东城物业运营", user, "65"
    )  # fmt: skip
    assert (east.signature_share, east.leasable_area_m2) == (Decimal("0.400"), Decimal("420"))
    entry = log_entries(east).get()
    assert (entry.user, entry.reason, entry.source) == (user, REASON, "web")
    assert set(entry.changed_fields) >= {"grade", "owner", "leader", "signature_industry"}
    assert (entry.prechange["grade"], entry.postchange["grade"]) == ("a", "super_a")
    # the detail page offers the edit to those who may
    detail = client.get(east.get_absolute_url())
    assert url in detail.content.decode()
    # another community's tower: 404
    river = eco["river_tower"]
    before = snapshot(OfficeBuilding, river.pk)
    other = reverse("economy:officebuilding_edit", args=[river.pk])
    assert client.get(other).status_code == 404
    response = client.post(other, {"grade": "c", "_change_reason": REASON})
    assert response.status_code == 404 and snapshot(OfficeBuilding, river.pk) == before


def test_edit_needs_a_reason_and_good_input(eco, client):
    east = eco["east_tower"]
    client.force_login(eco["users"]["specialist"])
    url = reverse("economy:officebuilding_edit", args=[east.pk])
    before = snapshot(OfficeBuilding, east.pk)
    base = {"grade": "b", "signature_share": "0.3"}
    response = client.post(url, base)
    assert response.status_code == 400
    assert response.context["form"].errors["_change_reason"]
    response = client.post(
        url, {**base, "signature_industry": "99", "signature_share": "1.5", "_change_reason": "x"}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert (
        zh("No GB/T 4754-2017 industry starts with “%(value)s”.", value="99")
        in errors["signature_industry"]
    )
    assert "signature_share" in errors
    assert snapshot(OfficeBuilding, east.pk) == before
    assert not log_entries(east).exists()


@pytest.mark.parametrize(
    "name", ["officebuilding_edit", "enterprise_edit", "unit_edit", "enterprise_status"]
)
def test_a_role_without_the_change_permission_gets_403(eco, client, name):
    obj = {
        "officebuilding_edit": eco["east_tower"],
        "enterprise_edit": eco["enterprises"]["soft"],
        "unit_edit": eco["units"]["e201"],
        "enterprise_status": eco["enterprises"]["soft"],
    }[name]
    model = type(obj)
    before = snapshot(model, obj.pk)
    client.force_login(eco["users"]["leader"])
    url = reverse(f"economy:{name}", args=[obj.pk])
    assert client.get(url).status_code == 403
    response = client.post(
        url, {"grade": "c", "name": "改名", "status": "moved_out", "_change_reason": REASON}
    )
    assert response.status_code == 403 and snapshot(model, obj.pk) == before
    # and the pages offer no edit to them
    page = client.get(obj.get_absolute_url().split("#")[0]).content.decode()
    assert "/edit/" not in page and "/status/" not in page and "/sign/" not in page


# --- enterprises -------------------------------------------------------------------------------


def test_enterprise_edit_saved_and_audited(eco, client):
    soft = eco["enterprises"]["soft"]
    user = eco["users"]["east_specialist"]
    client.force_login(user)
    url = reverse("economy:enterprise_edit", args=[soft.pk])
    form = client.get(url).context["form"]
    assert "status" not in form.fields and "org_unit" not in form.fields
    response = client.post(
        url,
        enterprise_data(
            soft,
            name="甲软件科技",
            # typed as a spreadsheet has it: full width, lower case, spaces
            credit_code=" " + credit_code(1).lower().replace("9", "９") + " ",
            founded_on="2015-03-02",
            registered_capital="500",
            registered_address="鄞州区福明路1号",
        ),
    )
    assert response.status_code == 302
    soft.refresh_from_db()
    assert (soft.name, soft.credit_code, soft.founded_on, soft.registered_capital) == (
        "甲软件科技", credit_code(1), d(2015, 3, 2), Decimal("500")
    )  # fmt: skip
    entry = log_entries(soft).get()
    assert (entry.user, entry.reason) == (user, REASON)
    assert set(entry.changed_fields) - {"updated_at", "updated_by"} == {
        "name", "founded_on", "registered_capital", "registered_address",
    }  # fmt: skip


@pytest.mark.parametrize(
    "code, message",
    [
        (credit_code(1)[:17], "A unified social credit code has 18 characters."),
        (credit_code(1)[:17] + "X", "The check character of the credit code is wrong."),
        (credit_code(2), "An enterprise with this credit code is already registered."),
    ],
)
def test_enterprise_credit_code_checked_like_the_import(eco, client, code, message):
    soft = eco["enterprises"]["soft"]
    if code[17:] == "X" and credit_code(1)[17] == "X":
        code = code[:17] + "0"
    before = snapshot(Enterprise, soft.pk)
    client.force_login(eco["users"]["specialist"])
    response = client.post(
        reverse("economy:enterprise_edit", args=[soft.pk]),
        enterprise_data(soft, credit_code=code),
    )
    assert response.status_code == 400
    assert response.context["form"].errors["credit_code"] == [zh(message)]
    assert snapshot(Enterprise, soft.pk) == before
    assert not log_entries(soft).exists()


def test_enterprise_of_another_scope_is_a_404(eco, client):
    trade = eco["enterprises"]["trade"]  # 江城
    client.force_login(eco["users"]["east_specialist"])
    before = snapshot(Enterprise, trade.pk)
    for name in ("enterprise_edit", "enterprise_status"):
        url = reverse(f"economy:{name}", args=[trade.pk])
        assert client.get(url).status_code == 404
        response = client.post(url, enterprise_data(trade, name="改名", status="moved_out"))
        assert response.status_code == 404
    assert snapshot(Enterprise, trade.pk) == before


def test_status_change_goes_through_the_action(eco, client):
    consult = eco["enterprises"]["consult"]  # no lease: may move out
    user = eco["users"]["specialist"]
    client.force_login(user)
    url = reverse("economy:enterprise_status", args=[consult.pk])
    fragment = client.get(url, **HTMX)
    assert fragment.status_code == 200
    assert "moved_out" in fragment.content.decode() and "<html" not in fragment.content.decode()
    response = client.post(
        url, {"status": "moved_out", "on": "2026-03-31", "note": "迁至杭州"}, **HTMX
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == consult.get_absolute_url()
    consult.refresh_from_db()
    assert (consult.status, consult.status_changed_on) == ("moved_out", d(2026, 3, 31))
    event = EnterpriseEvent.objects.get(enterprise=consult)
    assert (event.kind, event.date, event.note, event.user, event.data) == (
        "status_changed", d(2026, 3, 31), "迁至杭州", user,
        {"from": "active", "to": "moved_out"},
    )  # fmt: skip
    # the change log keeps the note as the reason
    assert log_entries(consult).get().reason == "迁至杭州"


def test_status_change_refused_by_the_action_changes_nothing(eco, client):
    soft = eco["enterprises"]["soft"]  # holds a lease in force
    client.force_login(eco["users"]["specialist"])
    url = reverse("economy:enterprise_status", args=[soft.pk])
    before = snapshot(Enterprise, soft.pk)
    response = client.post(url, {"status": "moved_out", "on": "2026-03-31"})
    assert response.status_code == 400
    expected = zh(
        "The enterprise still holds leases in force (%(contracts)s): end them first.",
        contracts=eco["lease"].contract_number,
    )
    assert response.context["form"].errors["status"] == [expected]
    assert expected in response.content.decode()
    assert snapshot(Enterprise, soft.pk) == before
    assert not EnterpriseEvent.objects.filter(enterprise=soft, kind="status_changed").exists()
    # bad input: a date that is no date
    response = client.post(url, {"status": "moved_out", "on": "31.02.2026"}, **HTMX)
    assert response.status_code == 200 and response.context["form"].errors["on"]
    assert snapshot(Enterprise, soft.pk) == before


# --- the registration rule reads what an edit logged ----------------------------------------


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"locally_registered": False}, "locally_registered"),
        ({"registered_address": "杭州市西湖区文三路1号"}, "registered_address"),
    ],
)
def test_registration_edit_raises_the_registration_warning(eco, client, changes, field):
    soft = eco["enterprises"]["soft"]
    # as an import of long ago left it (no change in the rules' window)
    Enterprise.objects.filter(pk=soft.pk).update(registered_address="鄞州区福明路1号")
    soft.refresh_from_db()
    month = timezone.localdate().replace(day=1)
    assert not [w for w in rules.raise_warnings(month) if w.enterprise_id == soft.pk]
    client.force_login(eco["users"]["specialist"])
    response = client.post(
        reverse("economy:enterprise_edit", args=[soft.pk]), enterprise_data(soft, **changes)
    )
    assert response.status_code == 302
    entry = log_entries(soft).last()
    assert field in entry.changed_fields
    expected = {True: False} if field == "locally_registered" else {}
    if expected:
        assert (entry.prechange[field], entry.postchange[field]) == (True, False)
    # what the nightly task runs
    warnings = [w for w in rules.raise_warnings(month) if w.enterprise_id == soft.pk]
    assert len(warnings) == 1
    warning = MoveOutWarning.objects.get(pk=warnings[0].pk)
    found = [item for item in warning.evidence if item["rule"] == "registration"]
    assert len(found) == 1
    change = found[0]["values"]["changes"][0]
    assert change["field"] == field
    assert change["date"] == timezone.localdate().isoformat()
    assert change["after"] == entry.postchange[field]


# --- units --------------------------------------------------------------------------------------


def test_unit_edit(eco, client):
    unit = eco["units"]["e201"]
    user = eco["users"]["east_specialist"]
    client.force_login(user)
    url = reverse("economy:unit_edit", args=[unit.pk])
    assert list(client.get(url).context["form"].fields) == [
        "area_m2", "status", "asking_rent", "_change_reason",
    ]  # fmt: skip
    data = {"area_m2": "205", "status": "vacant_unavailable", "asking_rent": "4.20"}
    assert client.post(url, data).status_code == 400  # no reason
    response = client.post(url, {**data, "_change_reason": REASON})
    assert response.status_code == 302
    assert response["Location"] == f"{eco['east_tower'].get_absolute_url()}#unit-{unit.pk}"
    unit.refresh_from_db()
    assert (unit.area_m2, unit.status, unit.asking_rent) == (
        Decimal("205"), "vacant_unavailable", Decimal("4.20")
    )  # fmt: skip
    entry = log_entries(unit).get()
    assert (entry.user, entry.reason) == (user, REASON)
    # the unit list and the stacking plan offer the edit
    assert url in client.get(reverse("economy:unit_list")).content.decode()
    assert (
        "/economy/units/{pk}/edit/"
        in client.get(eco["east_tower"].get_absolute_url()).content.decode()
    )
    # another community's unit: 404
    river_unit = eco["units"]["r101"]
    assert client.get(reverse("economy:unit_edit", args=[river_unit.pk])).status_code == 404


def test_unit_status_follows_the_leases(eco, client):
    held, free = eco["units"]["e101"], eco["units"]["e201"]
    client.force_login(eco["users"]["specialist"])
    for unit, status, message in (
        (held, "vacant_available", "A lease holds this unit today: end the lease to free it."),
        (free, "occupied", "No lease holds this unit today: sign a lease to let it."),
    ):
        before = snapshot(Unit, unit.pk)
        response = client.post(
            reverse("economy:unit_edit", args=[unit.pk]),
            {"area_m2": str(unit.area_m2), "status": status, "_change_reason": REASON},
        )
        assert response.status_code == 400
        assert response.context["form"].errors["status"] == [zh(message)]
        assert snapshot(Unit, unit.pk) == before
    # a let unit may come on the market (在租可招), with a new asking rent
    response = client.post(
        reverse("economy:unit_edit", args=[held.pk]),
        {"area_m2": "80", "status": "occupied_available", "asking_rent": "5",
         "_change_reason": REASON},
    )  # fmt: skip
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == "occupied_available"


# --- leases ------------------------------------------------------------------------------------


def lease_rows(lease: Lease) -> dict:
    return {
        "enterprise": lease.enterprise_id,
        "building": lease.building_id,
        "units": sorted(lease.units.values_list("code", flat=True)),
        "area_m2": lease.area_m2,
        "start_date": lease.start_date,
        "end_date": lease.end_date,
        "rent_free_months": lease.rent_free_months,
        "contract_rent": lease.contract_rent,
        "state": lease.state,
        "signed_on": lease.signed_on,
        "data_source": lease.data_source,
    }


def events_of(enterprise) -> list[tuple]:
    return list(
        EnterpriseEvent.objects.filter(enterprise=enterprise)
        .order_by("pk")
        .values_list("kind", "date", "building_id", "note", "data")
    )


def test_sign_a_lease_from_the_building_page(eco, client):
    east, consult = eco["east_tower"], eco["enterprises"]["consult"]
    unit = eco["units"]["e201"]
    user = eco["users"]["specialist"]  # 丙咨询 is the street's (no space yet)
    client.force_login(user)
    page = client.get(east.get_absolute_url()).content.decode()
    url = reverse("economy:officebuilding_sign", args=[east.pk])
    assert url in page
    # a unit of the stacking plan comes chosen; the enterprise is found by a search
    form = client.get(url, {"unit": unit.pk, "q": "丙"}).context["form"]
    assert form.initial["units"] == [str(unit.pk)]
    shown = [value for value, _label in form.fields["enterprise"].widget.choices if value]
    assert shown == [consult.pk]
    offered = {u.code for u in form.fields["units"].queryset}
    assert offered == {"201"}  # the let units 101 and 102 are not offered
    response = client.post(
        url,
        {
            "enterprise": consult.pk, "units": [unit.pk], "start_date": "2026-01-01",
            "end_date": "2028-12-31", "rent_free_months": "3", "contract_rent": "4.5",
            "signed_on": "2025-12-15", "note": "招商引进",
        },
        **HTMX,
    )  # fmt: skip
    assert response.status_code == 200 and response["HX-Redirect"] == east.get_absolute_url()
    lease = Lease.objects.get(enterprise=consult)
    assert lease.contract_number == f"{east.building.code}-20260101-01"
    unit.refresh_from_db()
    consult.refresh_from_db()
    assert unit.status == "occupied" and consult.org_unit == east.org_unit
    # the same rows and timeline as the action itself gives
    twin = Enterprise.objects.create(
        credit_code=credit_code(9), name="丁", industry=consult.industry,
        org_unit=eco["street"],
    )  # fmt: skip
    same = actions.sign_lease(
        twin, [eco["units"]["r101"]], start_date=d(2031, 1, 1), end_date=d(2033, 12, 31),
        rent_free_months=3, contract_rent="4.5", signed_on=d(2030, 12, 15), note="招商引进",
    )  # fmt: skip
    mine, theirs = lease_rows(lease), lease_rows(same)
    for key in ("enterprise", "building", "units", "area_m2", "start_date", "end_date",
                "signed_on"):  # fmt: skip
        mine.pop(key), theirs.pop(key)
    assert mine == theirs
    assert events_of(consult) == [
        ("lease_signed", d(2025, 12, 15), east.pk, "招商引进",
         {"area_m2": "200.00", "units": ["201"]}),
        ("move_in", d(2026, 1, 1), east.pk, "", {}),
    ]  # fmt: skip
    assert [e[0] for e in events_of(twin)] == ["lease_signed", "move_in"]
    assert EnterpriseEvent.objects.filter(enterprise=consult, user=user).count() == 2
    assert log_entries(lease, "create").get().reason == "招商引进"


def test_sign_errors_from_the_action_change_nothing(eco, client):
    east, consult = eco["east_tower"], eco["enterprises"]["consult"]
    held = eco["units"]["e101"]
    client.force_login(eco["users"]["specialist"])
    url = reverse("economy:officebuilding_sign", args=[east.pk])
    leases, events = Lease.objects.count(), EnterpriseEvent.objects.count()
    data = {
        "enterprise": consult.pk, "units": [held.pk], "start_date": "2026-01-01",
        "end_date": "2027-12-31", "rent_free_months": "0",
    }  # fmt: skip
    response = client.post(url, data)  # without JavaScript: the page again, 400
    assert response.status_code == 400
    expected = zh(
        "Unit %(unit)s is let under contract %(contract)s until %(until)s.",
        unit="101", contract=eco["lease"].contract_number, until="2030-12-31",
    )  # fmt: skip
    assert response.context["form"].errors["units"] == [expected]
    assert expected in response.content.decode()
    response = client.post(url, {**data, "units": [eco["units"]["e201"].pk],
                                 "end_date": "2025-12-31"}, **HTMX)  # fmt: skip
    assert response.status_code == 200  # HTMX swaps only 2xx: the form with its errors
    assert response.context["form"].errors["end_date"] == [zh("The lease ends before it starts.")]
    response = client.post(url, {**data, "units": [eco["units"]["e201"].pk],
                                 "rent_free_months": "40"})  # fmt: skip
    assert response.context["form"].errors["rent_free_months"] == [
        zh("The rent-free period is longer than the lease.")
    ]
    response = client.post(url, {**data, "enterprise": "", "units": []})
    assert response.status_code == 400
    assert {"enterprise", "units"} <= set(response.context["form"].errors)
    assert (Lease.objects.count(), EnterpriseEvent.objects.count()) == (leases, events)
    eco["units"]["e201"].refresh_from_db()
    assert eco["units"]["e201"].status == "vacant_available"


def test_sign_is_permission_checked_and_scoped(eco, client):
    river, consult = eco["river_tower"], eco["enterprises"]["consult"]
    data = {
        "enterprise": consult.pk, "units": [eco["units"]["r101"].pk],
        "start_date": "2031-01-01", "end_date": "2032-12-31", "rent_free_months": "0",
    }  # fmt: skip
    url = reverse("economy:officebuilding_sign", args=[river.pk])
    client.force_login(eco["users"]["leader"])
    assert client.get(url).status_code == 403
    assert client.post(url, data).status_code == 403
    client.force_login(eco["users"]["east_specialist"])
    assert client.get(url).status_code == 404
    assert client.post(url, data).status_code == 404
    assert not Lease.objects.filter(enterprise=consult).exists()


def test_renew_a_lease_from_the_lease_list(eco, client):
    lease, soft = eco["lease"], eco["enterprises"]["soft"]
    user = eco["users"]["specialist"]
    client.force_login(user)
    listing = client.get(reverse("economy:lease_list")).content.decode()
    url = reverse("economy:lease_act", args=[lease.pk, "renew"])
    assert url in listing and reverse("economy:lease_act", args=[lease.pk, "end"]) in listing
    response = client.post(
        url,
        {"end_date": "2033-12-31", "rent_free_months": "1", "contract_rent": "",
         "note": "续签三年", "next": reverse("economy:lease_list")},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == reverse("economy:lease_list")
    lease.refresh_from_db()
    renewal = lease.renewal
    assert (lease.state, lease.ended_on) == ("renewed", d(2030, 12, 31))
    assert lease_rows(renewal) == {
        **lease_rows(lease), "state": "active", "start_date": d(2031, 1, 1),
        "end_date": d(2033, 12, 31), "rent_free_months": Decimal("1.0"),
    }  # fmt: skip
    assert events_of(soft)[-1] == (
        "lease_renewed", d(2031, 1, 1), lease.building_id, "续签三年",
        {"renewal_of": lease.contract_number, "area_m2": "200.00", "area_change_m2": "0.00"},
    )  # fmt: skip
    # the old lease is no longer in force: the step says so, and the action refuses
    again = client.get(url)
    assert again.status_code == 409
    assert zh("This lease is no longer in force.") in again.content.decode()
    response = client.post(url, {"end_date": "2035-12-31", "rent_free_months": "0"})
    assert response.status_code == 400
    assert zh("Only a lease in force can be renewed.") in response.content.decode()
    assert Lease.objects.filter(enterprise=soft).count() == 2


def test_end_a_lease_early_from_the_enterprise_page(eco, client):
    lease, soft = eco["lease"], eco["enterprises"]["soft"]
    user = eco["users"]["east_specialist"]
    client.force_login(user)
    page = client.get(soft.get_absolute_url()).content.decode()
    url = reverse("economy:lease_act", args=[lease.pk, "end"])
    assert url in page
    before = snapshot(Lease, lease.pk)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(url, {"on": tomorrow.isoformat()}, **HTMX)
    assert response.status_code == 200
    assert response.context["form"].errors["on"] == [
        zh("A lease can be ended only on a day that has come.")
    ]
    assert snapshot(Lease, lease.pk) == before
    response = client.post(url, {"on": "2025-06-30", "note": "经营困难提前退租"})
    assert response.status_code == 302 and response["Location"] == soft.get_absolute_url()
    lease.refresh_from_db()
    assert (lease.state, lease.ended_on) == ("terminated", d(2025, 6, 30))
    assert events_of(soft)[-2:] == [
        ("lease_terminated", d(2025, 6, 30), lease.building_id, "经营困难提前退租",
         {"area_m2": "200.00"}),
        ("move_out", d(2025, 6, 30), lease.building_id, "", {}),
    ]  # fmt: skip
    assert set(Unit.objects.filter(leases=lease).values_list("status", flat=True)) == {
        "vacant_available"
    }


def test_lease_steps_are_permission_checked_and_scoped(eco, client):
    lease = eco["lease"]  # 东城
    before = snapshot(Lease, lease.pk)
    client.force_login(eco["users"]["leader"])
    for name in ("renew", "end"):
        url = reverse("economy:lease_act", args=[lease.pk, name])
        assert client.get(url).status_code == 403
        assert client.post(url, {"on": "2025-06-30", "end_date": "2033-12-31"}).status_code == 403
    listing = client.get(reverse("economy:lease_list")).content.decode()
    assert "/renew/" not in listing and "/end/" not in listing
    trade_lease = actions.sign_lease(
        eco["enterprises"]["trade"], [eco["units"]["r101"]],
        start_date=d(2024, 1, 1), end_date=d(2029, 12, 31),
    )  # fmt: skip
    client.force_login(eco["users"]["east_specialist"])
    url = reverse("economy:lease_act", args=[trade_lease.pk, "end"])
    assert client.get(url).status_code == 404
    assert client.post(url, {"on": "2025-06-30"}).status_code == 404
    assert client.get(reverse("economy:lease_act", args=[lease.pk, "nope"])).status_code == 404
    trade_lease.refresh_from_db()
    assert trade_lease.state == "active" and snapshot(Lease, lease.pk) == before
