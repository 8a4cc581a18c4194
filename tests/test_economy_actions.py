"""楼宇经济 actions: signing, renewing and ending leases, enterprise status, and the move-out
warning workflow. Each writes its timeline in the same transaction, checks role and scope, and
refuses bad input with a clear message before anything changes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from streetbrain.core.audit import audit_context
from streetbrain.core.models import ChangeLogEntry
from streetbrain.economy import actions
from streetbrain.economy.models import (
    Enterprise,
    EnterpriseEvent,
    Lease,
    MoveOutWarning,
    Unit,
    WarningEvent,
)

from .test_economy_models import build_economy

pytestmark = pytest.mark.django_db

d = dt.date


@pytest.fixture
def eco(tree, make_user):
    world = build_economy(tree)
    world["users"] = {
        "specialist": make_user("fm-bld", role="building", unit=tree["street"]),
        "east_specialist": make_user("dc-bld", role="building", unit=tree["east"]),
        "river_specialist": make_user("jc-bld", role="building", unit=tree["river"]),
        "leader": make_user("boss", role="leader", unit=tree["street"]),
    }
    return world


def snapshot() -> tuple:
    """Everything the actions may write, to show that a refused call wrote nothing."""
    return (
        list(Lease.objects.order_by("pk").values_list("pk", "state", "ended_on")),
        list(Unit.objects.order_by("pk").values_list("pk", "status")),
        list(Enterprise.objects.order_by("pk").values_list("pk", "status", "org_unit")),
        EnterpriseEvent.objects.count(),
        list(MoveOutWarning.objects.order_by("pk").values_list("pk", "state", "assignee")),
        WarningEvent.objects.count(),
        ChangeLogEntry.objects.count(),
    )


def kinds(enterprise) -> list[tuple]:
    return list(
        EnterpriseEvent.objects.filter(enterprise=enterprise)
        .order_by("pk")
        .values_list("kind", "date")
    )


def refused(exc_type, func, *args, **kwargs):
    """Call ``func``; it must raise ``exc_type`` and change nothing. Returns the exception."""
    before = snapshot()
    with pytest.raises(exc_type) as info:
        func(*args, **kwargs)
    assert snapshot() == before
    return info.value


def status(unit) -> str:
    unit.refresh_from_db()
    return unit.status


# --- signing ---------------------------------------------------------------------------------


def test_sign_lease_occupies_units_moves_in_and_places_the_enterprise(eco):
    consult = eco["enterprises"]["consult"]  # the street's: no space yet
    u = eco["units"]
    specialist = eco["users"]["specialist"]
    with audit_context(user=specialist, source="api"):
        lease = actions.sign_lease(
            consult,
            [u["e101"], u["e102"]],
            start_date=d(2025, 1, 1),
            end_date=d(2027, 12, 31),
            contract_rent="4.50",
            rent_free_months=3,
            signed_on=d(2024, 12, 10),
            user=specialist,
        )
    assert lease.contract_number == f"{eco['east_tower'].building.code}-20250101-01"
    assert lease.area_m2 == Decimal("200.00")
    assert lease.state == "active" and lease.building == eco["east_tower"]
    assert sorted(lease.units.values_list("code", flat=True)) == ["101", "102"]
    assert lease.effective_rent == Decimal("4.13")
    assert status(u["e101"]) == status(u["e102"]) == "occupied"
    assert status(u["e201"]) == "vacant_available"
    assert kinds(consult) == [("lease_signed", d(2024, 12, 10)), ("move_in", d(2025, 1, 1))]
    event = consult.events.get(kind="move_in")
    assert event.building == eco["east_tower"] and event.lease == lease
    assert event.user == specialist and event.actor_name == "fm-bld"
    consult.refresh_from_db()
    assert consult.org_unit == eco["east_grid"]  # now looked after where its tower is
    # The change log has the lease, its units and the enterprise's move, by the specialist.
    logged = ChangeLogEntry.objects.filter(user=specialist, source="api")
    assert {e.content_type.model for e in logged} == {"lease", "unit", "enterprise"}
    assert logged.filter(content_type__model="unit").count() == 2

    # A second lease in the same tower is not a second move-in.
    actions.sign_lease(
        consult, [u["e201"]], start_date=d(2025, 6, 1), end_date=d(2027, 12, 31), user=specialist
    )
    assert [k for k, _d in kinds(consult)].count("move_in") == 1
    assert Lease.objects.filter(enterprise=consult).count() == 2


def test_double_letting_is_refused_but_pre_letting_is_not(eco):
    u, soft, trade = eco["units"], eco["enterprises"]["soft"], eco["enterprises"]["trade"]
    first = actions.sign_lease(
        soft, [u["e101"]], start_date=d(2024, 1, 1), end_date=d(2025, 12, 31), contract_number="A"
    )
    with translation.override("zh-hans"):
        exc = refused(
            ValidationError,
            actions.sign_lease,
            trade,
            [u["e101"], u["e102"]],
            start_date=d(2025, 6, 1),
            end_date=d(2026, 5, 31),
        )
    assert exc.message_dict == {"units": ["单元 101 已由合同 A 出租，至 2025-12-31。"]}
    # The next tenant may sign for the day after.
    nxt = actions.sign_lease(trade, [u["e101"]], start_date=d(2026, 1, 1), end_date=d(2026, 12, 31))
    assert nxt.start_date == first.end_date + dt.timedelta(days=1)
    assert status(u["e101"]) == "occupied"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"units": []}, "units"),
        ({"units": ["e101", "r101"]}, "units"),
        ({"end_date": d(2024, 12, 31)}, "end_date"),
        ({"rent_free_months": 13}, "rent_free_months"),
        ({"rent_free_months": -1}, "rent_free_months"),
        ({"contract_rent": "abc"}, "contract_rent"),
        ({"contract_rent": "-2"}, "contract_rent"),
        ({"area_m2": "0"}, "area_m2"),
        ({"contract_number": "TAKEN"}, "contract_number"),
        ({"start_date": None}, "start_date"),
        ({"signed_on": d(2023, 6, 1)}, None),  # fine: signed half a year before
        ({"signed_on": d(2026, 1, 1)}, "signed_on"),  # after the contract's last day
    ],
)
def test_sign_lease_bad_input_changes_nothing(eco, change, field):
    u = eco["units"]
    actions.sign_lease(
        eco["enterprises"]["trade"],
        [u["r101"]],
        start_date=d(2024, 1, 1),
        end_date=d(2024, 12, 31),
        contract_number="TAKEN",
    )
    kwargs = {
        "units": ["e101"],
        "start_date": d(2025, 1, 1),
        "end_date": d(2025, 12, 31),
        "contract_rent": "4",
        "rent_free_months": 0,
    }
    kwargs.update(change)
    kwargs["units"] = [u[k] for k in kwargs["units"]]
    soft = eco["enterprises"]["soft"]
    if field is None:
        actions.sign_lease(soft, **kwargs)
        return
    exc = refused(ValidationError, actions.sign_lease, soft, **kwargs)
    assert list(exc.message_dict) == [field]


def test_sign_lease_is_refused_for_deregistered_enterprises_and_roles_and_scopes(eco):
    u, users = eco["units"], eco["users"]
    trade = eco["enterprises"]["trade"]
    Enterprise.objects.filter(pk=eco["enterprises"]["consult"].pk).update(status="deregistered")
    exc = refused(
        ValidationError,
        actions.sign_lease,
        eco["enterprises"]["consult"],
        [u["e101"]],
        start_date=d(2025, 1, 1),
        end_date=d(2025, 12, 31),
    )
    assert list(exc.message_dict) == ["enterprise"]
    term = {"start_date": d(2025, 1, 1), "end_date": d(2025, 12, 31)}
    # The leader sees but does not keep the leases.
    refused(PermissionDenied, actions.sign_lease, trade, [u["r101"]], user=users["leader"], **term)
    # 江城's specialist cannot let 东城's units, nor sign for an enterprise it cannot see.
    refused(
        PermissionDenied,
        actions.sign_lease,
        trade,
        [u["e101"]],
        user=users["river_specialist"],
        **term,
    )
    refused(
        PermissionDenied,
        actions.sign_lease,
        eco["enterprises"]["soft"],
        [u["r101"]],
        user=users["river_specialist"],
        **term,
    )
    lease = actions.sign_lease(trade, [u["r101"]], user=users["river_specialist"], **term)
    assert lease.org_unit == eco["river_grid"]


def test_a_moved_out_enterprise_that_signs_again_is_operating_again(eco):
    trade = eco["enterprises"]["trade"]
    actions.set_enterprise_status(trade, "moved_out", on=d(2024, 12, 31))
    actions.sign_lease(
        trade, [eco["units"]["r101"]], start_date=d(2025, 3, 1), end_date=d(2026, 2, 28)
    )
    trade.refresh_from_db()
    assert trade.status == "active" and trade.status_changed_on == d(2025, 3, 1)
    assert [k for k, _d in kinds(trade)] == [
        "status_changed",
        "status_changed",
        "lease_signed",
        "move_in",
    ]


# --- renewing --------------------------------------------------------------------------------


def test_renewal_continues_the_lease_without_a_move_in(eco):
    u, soft = eco["units"], eco["enterprises"]["soft"]
    old = actions.sign_lease(
        soft,
        [u["e101"], u["e102"]],
        start_date=d(2023, 1, 1),
        end_date=d(2025, 12, 31),
        contract_rent="4.00",
        contract_number="OLD",
    )
    new = actions.renew_lease(old, end_date=d(2028, 12, 31), signed_on=d(2025, 10, 8))
    old.refresh_from_db()
    assert old.state == "renewed" and old.ended_on == d(2025, 12, 31)
    assert new.renewed_from == old and old.renewal == new
    assert new.start_date == d(2026, 1, 1) and new.contract_rent == Decimal("4.00")
    assert new.area_m2 == Decimal("200.00")
    assert [k for k, _d in kinds(soft)] == ["lease_signed", "move_in", "lease_renewed"]
    assert soft.events.get(kind="lease_renewed").data == {
        "renewal_of": "OLD",
        "area_m2": "200.00",
        "area_change_m2": "0.00",
    }
    # Occupancy is continuous across the renewal.
    assert list(
        Lease.objects.held_on(d(2025, 12, 31)).values_list("contract_number", flat=True)
    ) == ["OLD"]
    assert list(Lease.objects.held_on(d(2026, 1, 1))) == [new]


def test_renewal_giving_up_space_frees_it(eco):
    u, soft = eco["units"], eco["enterprises"]["soft"]
    old = actions.sign_lease(
        soft, [u["e101"], u["e102"]], start_date=d(2023, 1, 1), end_date=d(2025, 12, 31)
    )
    new = actions.renew_lease(
        old, end_date=d(2027, 12, 31), units=[u["e102"]], contract_rent="3.80"
    )
    assert new.area_m2 == Decimal("120.00") and new.contract_rent == Decimal("3.80")
    assert status(u["e101"]) == "vacant_available" and status(u["e102"]) == "occupied"
    assert soft.events.get(kind="lease_renewed").data["area_change_m2"] == "-80.00"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"end_date": d(2028, 12, 31), "start_date": d(2026, 1, 2)}, "start_date"),
        ({"end_date": d(2028, 12, 31), "start_date": d(2023, 1, 1)}, "start_date"),
        ({"end_date": d(2025, 12, 31)}, "end_date"),
        ({"end_date": d(2028, 12, 31), "units": ["r101"]}, "units"),
        ({"end_date": d(2028, 12, 31), "units": ["e201"]}, "units"),  # let to someone else
        ({"end_date": d(2028, 12, 31), "contract_number": "OTHER"}, "contract_number"),
    ],
)
def test_renewal_bad_input_changes_nothing(eco, kwargs, field):
    u = eco["units"]
    old = actions.sign_lease(
        eco["enterprises"]["soft"], [u["e101"]], start_date=d(2023, 1, 1), end_date=d(2025, 12, 31)
    )
    actions.sign_lease(
        eco["enterprises"]["trade"],
        [u["e201"]],
        start_date=d(2023, 1, 1),
        end_date=d(2029, 12, 31),
        contract_number="OTHER",
    )
    if "units" in kwargs:
        kwargs = {**kwargs, "units": [u[k] for k in kwargs["units"]]}
    exc = refused(ValidationError, actions.renew_lease, old, **kwargs)
    assert list(exc.message_dict) == [field]


def test_only_a_lease_in_force_is_renewed(eco):
    old = actions.sign_lease(
        eco["enterprises"]["soft"],
        [eco["units"]["e101"]],
        start_date=d(2023, 1, 1),
        end_date=d(2025, 12, 31),
    )
    actions.renew_lease(old, end_date=d(2026, 12, 31))
    exc = refused(ValidationError, actions.renew_lease, old, end_date=d(2027, 12, 31))
    assert list(exc.message_dict) == ["lease"]


# --- ending ----------------------------------------------------------------------------------


def test_ending_early_frees_the_units_and_moves_out(eco):
    u, trade = eco["units"], eco["enterprises"]["trade"]
    lease = actions.sign_lease(
        trade, [u["r101"]], start_date=d(2024, 1, 1), end_date=d(2026, 12, 31)
    )
    actions.end_lease(lease, on=d(2025, 3, 31), note="经营调整")
    lease.refresh_from_db()
    assert lease.state == "terminated" and lease.ended_on == d(2025, 3, 31)
    assert status(u["r101"]) == "vacant_available"
    assert kinds(trade)[-2:] == [("lease_terminated", d(2025, 3, 31)), ("move_out", d(2025, 3, 31))]
    assert trade.events.get(kind="lease_terminated").note == "经营调整"
    trade.refresh_from_db()
    assert trade.status == "active"  # leaving a tower is not leaving the street
    assert trade.org_unit == eco["river_grid"]  # its history stays with 江城


def test_ending_one_of_two_leases_in_a_tower_is_no_move_out(eco):
    u, soft = eco["units"], eco["enterprises"]["soft"]
    a = actions.sign_lease(soft, [u["e101"]], start_date=d(2024, 1, 1), end_date=d(2025, 12, 31))
    actions.sign_lease(soft, [u["e201"]], start_date=d(2024, 6, 1), end_date=d(2026, 5, 31))
    actions.end_lease(a, on=d(2025, 12, 31))
    a.refresh_from_db()
    assert a.state == "ended"
    assert [k for k, _d in kinds(soft)] == [
        "lease_signed",
        "move_in",
        "lease_signed",
        "lease_ended",
    ]


def test_a_pre_let_unit_stays_occupied_when_the_old_lease_ends(eco):
    u = eco["units"]
    old = actions.sign_lease(
        eco["enterprises"]["soft"], [u["e101"]], start_date=d(2024, 1, 1), end_date=d(2025, 6, 30)
    )
    actions.sign_lease(
        eco["enterprises"]["trade"], [u["e101"]], start_date=d(2025, 7, 1), end_date=d(2026, 6, 30)
    )
    actions.end_lease(old, on=d(2025, 6, 30))
    assert status(u["e101"]) == "occupied"


def test_end_lease_bad_input_changes_nothing(eco):
    u = eco["units"]
    lease = actions.sign_lease(
        eco["enterprises"]["soft"], [u["e101"]], start_date=d(2024, 1, 1), end_date=d(2025, 6, 30)
    )
    for on in (d(2023, 12, 31), d(2025, 7, 1), None):
        exc = refused(ValidationError, actions.end_lease, lease, on=on)
        assert list(exc.message_dict) == ["on"]
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    future = actions.sign_lease(
        eco["enterprises"]["soft"], [u["e102"]], start_date=d(2024, 1, 1), end_date=d(2099, 1, 1)
    )
    exc = refused(ValidationError, actions.end_lease, future, on=tomorrow)
    assert list(exc.message_dict) == ["on"]
    actions.end_lease(lease, on=d(2025, 6, 30))
    exc = refused(ValidationError, actions.end_lease, lease, on=d(2025, 6, 30))
    assert list(exc.message_dict) == ["lease"]
    refused(
        PermissionDenied, actions.end_lease, future, on=d(2025, 1, 1), user=eco["users"]["leader"]
    )
    refused(
        PermissionDenied,
        actions.end_lease,
        future,
        on=d(2025, 1, 1),
        user=eco["users"]["river_specialist"],
    )


# --- enterprise status -------------------------------------------------------------------------


def test_status_changes(eco):
    trade = eco["enterprises"]["trade"]
    lease = actions.sign_lease(
        trade, [eco["units"]["r101"]], start_date=d(2024, 1, 1), end_date=d(2025, 12, 31)
    )
    with translation.override("zh-hans"):
        exc = refused(ValidationError, actions.set_enterprise_status, trade, "moved_out")
    assert exc.message_dict["status"] == [
        f"该企业仍有在租合同（{lease.contract_number}），请先办理退租。"
    ]
    actions.end_lease(lease, on=d(2025, 3, 31))
    actions.set_enterprise_status(trade, "moved_out", on=d(2025, 4, 15), note="注册地迁往杭州")
    trade.refresh_from_db()
    assert trade.status == "moved_out" and trade.status_changed_on == d(2025, 4, 15)
    event = trade.events.get(kind="status_changed")
    assert event.data == {"from": "active", "to": "moved_out"} and event.note == "注册地迁往杭州"
    exc = refused(ValidationError, actions.set_enterprise_status, trade, "moved_out")
    assert list(exc.message_dict) == ["status"]
    exc = refused(ValidationError, actions.set_enterprise_status, trade, "closed")
    assert list(exc.message_dict) == ["status"]
    actions.set_enterprise_status(trade, "deregistered", on=d(2025, 9, 1))
    exc = refused(ValidationError, actions.set_enterprise_status, trade, "active")
    assert list(exc.message_dict) == ["status"]
    refused(
        PermissionDenied,
        actions.set_enterprise_status,
        eco["enterprises"]["soft"],
        "moved_out",
        user=eco["users"]["leader"],
    )
    refused(
        PermissionDenied,
        actions.set_enterprise_status,
        eco["enterprises"]["soft"],
        "moved_out",
        user=eco["users"]["river_specialist"],
    )


# --- move-out warnings -------------------------------------------------------------------------

EVIDENCE = [
    {
        "rule": "tax_drop",
        "text": "税收连续两个季度同比下降超过35%",
        "values": {"q1": -0.41, "q2": -0.52},
    },
    {"rule": "lease_expiry", "text": "租约6个月内到期且未续签", "values": {"end": "2025-12-31"}},
]


def test_a_warning_from_raising_to_its_outcome(eco):
    soft, users = eco["enterprises"]["soft"], eco["users"]
    warning = actions.raise_warning(
        soft, risk_score=72, evidence=EVIDENCE, building=eco["east_tower"], raised_on=d(2025, 7, 1)
    )
    assert warning.state == "open" and warning.risk_score == Decimal("72.0")
    assert warning.evidence[0]["values"] == {"q1": -0.41, "q2": -0.52}
    # The rules run again next month: the same warning, updated.
    again = actions.raise_warning(soft, risk_score=80, evidence=EVIDENCE[:1])
    assert again.pk == warning.pk and again.risk_score == Decimal("80.0")
    assert MoveOutWarning.objects.count() == 1

    actions.assign_warning(warning, users["east_specialist"], user=users["leader"], note="请走访")
    actions.record_warning_visit(
        warning,
        visited_on=d(2025, 7, 10),
        note="企业计划缩减面积，仍在谈续租",
        user=users["east_specialist"],
    )
    actions.add_warning_note(warning, note="已协调房东降租", user=users["east_specialist"])
    actions.close_warning(warning, "retained", note="续签三年", user=users["east_specialist"])
    warning.refresh_from_db()
    assert warning.state == "closed" and warning.outcome == "retained"
    assert warning.assignee == users["east_specialist"] and warning.closed_at is not None
    steps = list(warning.events.values_list("action", "from_state", "to_state"))
    assert steps == [
        ("raised", "", "open"),
        ("updated", "open", "open"),
        ("assigned", "open", "assigned"),
        ("visit", "assigned", "following_up"),
        ("note", "following_up", "following_up"),
        ("closed", "following_up", "closed"),
    ]
    assert warning.events.get(action="visit").visited_on == d(2025, 7, 10)
    assert warning.events.get(action="assigned").user == users["leader"]
    assert [k for k, _d in kinds(soft)] == ["warning_raised", "warning_closed"]
    assert soft.events.get(kind="warning_closed").data == {"outcome": "retained"}
    # Audited: the warning's state changes are in the change log, on the enterprise too.
    ct = ContentType.objects.get_for_model(MoveOutWarning)
    assert ChangeLogEntry.objects.filter(content_type=ct, object_id=str(warning.pk)).count() == 5
    # Closed: a new sign is a new warning.
    fresh = actions.raise_warning(soft, risk_score=55, evidence=EVIDENCE[1:])
    assert fresh.pk != warning.pk and fresh.state == "open"


def test_warning_workflow_bad_input_changes_nothing(eco):
    soft, users = eco["enterprises"]["soft"], eco["users"]
    for kwargs, field in (
        ({"risk_score": 101, "evidence": EVIDENCE}, "risk_score"),
        ({"risk_score": -1, "evidence": EVIDENCE}, "risk_score"),
        ({"risk_score": 50, "evidence": []}, "evidence"),
        ({"risk_score": 50, "evidence": [{"rule": "x"}]}, "evidence"),
        ({"risk_score": 50, "evidence": "税收下降"}, "evidence"),
    ):
        exc = refused(ValidationError, actions.raise_warning, soft, **kwargs)
        assert list(exc.message_dict) == [field]
    refused(
        PermissionDenied,
        actions.raise_warning,
        soft,
        risk_score=50,
        evidence=EVIDENCE,
        user=users["leader"],
    )
    warning = actions.raise_warning(soft, risk_score=50, evidence=EVIDENCE, raised_on=d(2025, 7, 1))
    specialist = users["east_specialist"]
    # A visit needs an assignee first; a visit needs a note and a day that has come.
    exc = refused(
        ValidationError,
        actions.record_warning_visit,
        warning,
        visited_on=d(2025, 7, 2),
        note="走访",
        user=specialist,
    )
    assert list(exc.message_dict) == ["warning"]
    # Only someone who may follow it up, in whose area the enterprise is.
    with translation.override("zh-hans"):
        exc = refused(
            ValidationError,
            actions.assign_warning,
            warning,
            users["river_specialist"],
            user=users["leader"],
        )
    assert exc.message_dict == {"assignee": ["jc-bld 无权跟进此预警（角色或责任范围不符）。"]}
    exc = refused(
        ValidationError, actions.assign_warning, warning, users["leader"], user=users["leader"]
    )
    assert list(exc.message_dict) == ["assignee"]
    refused(
        PermissionDenied,
        actions.assign_warning,
        warning,
        specialist,
        user=users["river_specialist"],
    )
    actions.assign_warning(warning, specialist, user=users["leader"])
    exc = refused(
        ValidationError, actions.assign_warning, warning, specialist, user=users["leader"]
    )
    assert list(exc.message_dict) == ["assignee"]
    for kwargs, field in (
        ({"visited_on": d(2025, 7, 2), "note": "  "}, "note"),
        ({"visited_on": d(2025, 6, 30), "note": "走访"}, "visited_on"),
        ({"visited_on": timezone.localdate() + dt.timedelta(days=1), "note": "走访"}, "visited_on"),
        ({"visited_on": None, "note": "走访"}, "visited_on"),
    ):
        exc = refused(
            ValidationError, actions.record_warning_visit, warning, user=specialist, **kwargs
        )
        assert list(exc.message_dict) == [field]
    exc = refused(
        ValidationError, actions.close_warning, warning, "gone", note="x", user=specialist
    )
    assert list(exc.message_dict) == ["outcome"]
    exc = refused(ValidationError, actions.close_warning, warning, "left", note="", user=specialist)
    assert list(exc.message_dict) == ["note"]
    refused(
        PermissionDenied, actions.close_warning, warning, "left", note="x", user=users["leader"]
    )
    refused(
        PermissionDenied,
        actions.close_warning,
        warning,
        "left",
        note="x",
        user=users["river_specialist"],
    )
    actions.close_warning(warning, "false_alarm", note="核实为误报", user=specialist)
    exc = refused(
        ValidationError, actions.close_warning, warning, "left", note="x", user=specialist
    )
    assert list(exc.message_dict) == ["warning"]
    exc = refused(
        ValidationError, actions.assign_warning, warning, specialist, user=users["leader"]
    )
    assert list(exc.message_dict) == ["warning"]
