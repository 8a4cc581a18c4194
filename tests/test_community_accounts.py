"""Residents' accounts: sign-up by phone (the screen gateway shows the code), verification
against the registry by details or a grid worker's QR code, the staff's confirmation, and
the resident's scope — their household's own rows only."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from streetbrain.community import actions
from streetbrain.community.models import Booking, ResidentAccount, Space
from streetbrain.core.models import ChangeLogEntry

from .community_helpers import jiangcheng_fixture, next_slot, resident_id_tail, verified_account  # noqa: F401
from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_sign_up_needs_the_code_sent_to_the_phone(jiangcheng):
    sent = actions.send_code("139 1234 5678")
    assert sent.sent is False and len(sent.shown_code) == 6  # the demo's screen gateway
    with pytest.raises(ValidationError) as wrong:
        actions.sign_up(
            "13912345678",
            "000000" if sent.shown_code != "000000" else "111111",
            PASSWORD,
            jiangcheng["river"],
        )
    assert "code" in wrong.value.message_dict
    account = actions.sign_up("13912345678", sent.shown_code, PASSWORD, jiangcheng["river"])
    assert account.state == "registered" and account.phone_masked == "139****5678"
    assert "13912345678" not in account.user.username
    with pytest.raises(ValidationError):  # the code is used up
        actions.sign_up("13912345678", sent.shown_code, PASSWORD, jiangcheng["river"])
    with pytest.raises(ValidationError):
        actions.send_code("12345")


def test_a_second_code_within_a_minute_is_refused(jiangcheng):
    actions.send_code("13912345678")
    with pytest.raises(ValidationError):
        actions.send_code("13912345678")


def test_claim_by_details_matches_the_registry_then_the_staff_confirm(jiangcheng):
    zhang = jiangcheng["zhang"]
    sent = actions.send_code("13700000001")
    account = actions.sign_up("13700000001", sent.shown_code, PASSWORD, jiangcheng["river"])
    with pytest.raises(ValidationError):
        actions.claim_by_details(account, "张伟", "999999", jiangcheng["house"])
    with pytest.raises(ValidationError):  # the right number, the wrong house
        actions.claim_by_details(account, "张伟", resident_id_tail(zhang), jiangcheng["house2"])
    account.refresh_from_db()
    assert account.failed_attempts == 2
    actions.claim_by_details(account, "张伟", resident_id_tail(zhang), jiangcheng["house"])
    account.refresh_from_db()
    assert account.state == "pending" and account.household == jiangcheng["household"]
    with pytest.raises(PermissionDenied):  # a grid worker sees the claim, may not confirm
        actions.decide(account, jiangcheng["grid_worker"], approve=True)
    actions.decide(account, jiangcheng["staff"], approve=True, note="checked")
    account.refresh_from_db()
    assert account.state == "verified" and account.decided_by == jiangcheng["staff"]


def test_five_failed_claims_lock_the_account(jiangcheng):
    sent = actions.send_code("13700000002")
    account = actions.sign_up("13700000002", sent.shown_code, PASSWORD, jiangcheng["river"])
    for _ in range(5):
        with pytest.raises(ValidationError):
            actions.claim_by_details(account, "张伟", "000000", jiangcheng["house"])
    with pytest.raises(ValidationError) as locked:
        actions.claim_by_details(
            account, "张伟", resident_id_tail(jiangcheng["zhang"]), jiangcheng["house"]
        )
    assert "Too many" in str(locked.value) or "尝试" in str(locked.value)


def test_claim_by_the_grid_workers_qr_code(jiangcheng):
    token = actions.issue_qr(jiangcheng["zhang"], jiangcheng["grid_worker"])
    with pytest.raises(PermissionDenied):  # the east resident is outside the grid worker's grid
        actions.issue_qr(jiangcheng["east_resident"], jiangcheng["grid_worker"])
    sent = actions.send_code("13700000003")
    account = actions.sign_up("13700000003", sent.shown_code, PASSWORD, jiangcheng["river"])
    with pytest.raises(ValidationError):
        actions.claim_by_qr(account, token[:-2] + "xx")
    actions.claim_by_qr(account, token)
    account.refresh_from_db()
    assert account.state == "pending" and account.method == "qr"
    assert account.resident == jiangcheng["zhang"]


def test_a_verified_resident_sees_only_their_households_rows(jiangcheng):
    zhang = verified_account(jiangcheng, jiangcheng["zhang"], "13700000004")
    li = verified_account(jiangcheng, jiangcheng["li"], "13700000005")
    reading = jiangcheng["spaces"]["阅览室"]
    start = next_slot(reading)
    mine = actions.book(reading, start, zhang.user)
    theirs = actions.book(reading, start.replace(hour=10), li.user)
    user = type(zhang.user).objects.get(pk=zhang.user.pk)
    assert list(Booking.objects.restrict(user)) == [mine]
    assert theirs not in Booking.objects.restrict(user)
    assert Space.objects.restrict(user).count() == 4  # the community's spaces
    assert list(ResidentAccount.objects.restrict(user)) == [zhang]
    assert not Booking.objects.restrict(user, "change").exists()  # residents write via actions
    # No model permission: the registry and every other scoped table stay closed.
    from streetbrain.registry.models import Resident

    assert not Resident.objects.restrict(user).exists()


def test_an_unverified_account_sees_nothing(jiangcheng):
    sent = actions.send_code("13700000006")
    account = actions.sign_up("13700000006", sent.shown_code, PASSWORD, jiangcheng["river"])
    assert not Space.objects.restrict(account.user).exists()
    with pytest.raises(PermissionDenied):
        actions.book(
            jiangcheng["spaces"]["阅览室"], next_slot(jiangcheng["spaces"]["阅览室"]), account.user
        )


def test_the_own_id_number_is_revealed_and_logged(jiangcheng):
    account = verified_account(jiangcheng, jiangcheng["zhang"], "13700000007")
    value = actions.reveal_own_id(account)
    assert value.endswith(resident_id_tail(jiangcheng["zhang"]))
    entry = ChangeLogEntry.objects.filter(action="reveal", object_id=str(jiangcheng["zhang"].pk))
    assert entry.count() == 1 and entry.get().changed_fields == ["id_number"]


def test_staff_see_the_queue_of_their_community_only(jiangcheng, make_user):
    sent = actions.send_code("13700000008")
    account = actions.sign_up("13700000008", sent.shown_code, PASSWORD, jiangcheng["river"])
    actions.claim_by_details(
        account, "张伟", resident_id_tail(jiangcheng["zhang"]), jiangcheng["house"]
    )
    east_staff = make_user("east-staff", role="community", unit=jiangcheng["east"])
    assert ResidentAccount.objects.restrict(jiangcheng["staff"]).filter(pk=account.pk).exists()
    assert not ResidentAccount.objects.restrict(east_staff).exists()
    with pytest.raises(PermissionDenied):
        actions.decide(account, east_staff, approve=True)
