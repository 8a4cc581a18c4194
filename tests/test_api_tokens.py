"""API tokens (issue 12, item 8): several named tokens per user, only their digests stored,
expiring after ``API_TOKEN_TTL_DAYS``, listed and revoked by their user (page, API, command
line, admin), audited, and refused while their user is locked out."""

from __future__ import annotations

import datetime as dt
import importlib
import io

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from streetbrain.core.actions import create_api_token, revoke_api_token
from streetbrain.core.models import ApiToken, ChangeLogEntry

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

ME = "/api/core/users/me/"
TOKENS = "/api/core/tokens/"


def _auth(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


@pytest.fixture
def leader(tree, make_user):
    return make_user("leader1", role="leader", unit=tree["street"])


def _age(token: ApiToken, **delta) -> None:
    ApiToken.objects.filter(pk=token.pk).update(created=F("created") - dt.timedelta(**delta))


# --- the token endpoint and what is stored ------------------------------------------------------


def test_the_endpoint_makes_a_named_token_each_time_and_stores_no_key(client, leader):
    first = client.post(
        "/api/auth/token/", {"username": "leader1", "password": PASSWORD, "name": "税收导入"}
    )
    second = client.post("/api/auth/token/", {"username": "leader1", "password": PASSWORD})
    assert first.status_code == second.status_code == 200
    a, b = first.json(), second.json()
    assert a["token"] != b["token"] and a["token"].startswith("sb_")
    assert a["name"] == "税收导入" and b["name"] == "API 登录获取的令牌"
    expires = dt.datetime.fromisoformat(a["expires"])
    expected = timezone.now() + dt.timedelta(days=settings.API_TOKEN_TTL_DAYS)
    assert abs((expires - expected).total_seconds()) < 60
    for body in (a, b):
        assert client.get(ME, **_auth(body["token"])).json()["username"] == "leader1"
    # Neither key is anywhere in the table: its digest and its first characters only.
    rows = list(ApiToken.objects.filter(user=leader).values())
    assert len(rows) == 2
    for body in (a, b):
        assert not any(body["token"] in str(v) for row in rows for v in row.values())
    assert {r["prefix"] for r in rows} == {a["token"][:10], b["token"][:10]}


def test_a_wrong_key_is_refused(client, leader):
    create_api_token(leader, "x")
    response = client.get(ME, **_auth("sb_" + "0" * 40))
    assert response.status_code == 401 and "令牌无效" in response.json()["detail"]


# --- expiry ---------------------------------------------------------------------------------


def test_a_token_expires_after_the_configured_days(client, leader, settings):
    token, key = create_api_token(leader, "script")
    _age(token, days=settings.API_TOKEN_TTL_DAYS, seconds=-30)
    assert client.get(ME, **_auth(key)).status_code == 200
    _age(token, seconds=60)
    response = client.get(ME, **_auth(key))
    assert response.status_code == 401
    assert "已过期" in response.json()["detail"]
    # The setting holds for the tokens already made: shortened, it ends them sooner.
    token2, key2 = create_api_token(leader, "short")
    _age(token2, days=8)
    settings.API_TOKEN_TTL_DAYS = 30
    assert client.get(ME, **_auth(key2)).status_code == 200
    settings.API_TOKEN_TTL_DAYS = 7
    assert client.get(ME, **_auth(key2)).status_code == 401
    assert list(ApiToken.objects.live()) == []


def test_last_used_is_noted_at_most_once_a_minute(client, leader):
    token, key = create_api_token(leader, "script")
    assert token.last_used is None
    client.get(ME, **_auth(key))
    first = ApiToken.objects.get(pk=token.pk).last_used
    assert first is not None
    client.get(ME, **_auth(key))
    assert ApiToken.objects.get(pk=token.pk).last_used == first
    ApiToken.objects.filter(pk=token.pk).update(last_used=first - dt.timedelta(minutes=2))
    client.get(ME, **_auth(key))
    assert ApiToken.objects.get(pk=token.pk).last_used > first
    # noting it is not a change: nothing in the log beyond the token's creation
    ct = ContentType.objects.get_for_model(ApiToken)
    assert not ChangeLogEntry.objects.filter(content_type=ct, action="update").exists()


# --- the lockout ----------------------------------------------------------------------------


def test_a_locked_out_accounts_tokens_stop_working_while_it_is_locked(client, leader):
    from axes.models import AccessAttempt

    _token, key = create_api_token(leader, "script")
    assert client.get(ME, **_auth(key)).status_code == 200
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "leader1", "password": "wrong-guess"})
    locked = client.get(ME, **_auth(key))
    assert locked.status_code == 429
    assert locked["Content-Type"] == "application/json"
    assert "锁定" in locked.json()["detail"]
    cool_off = int(settings.AXES_COOLOFF_TIME * 3600)
    assert cool_off - 5 <= int(locked["Retry-After"]) <= cool_off
    # The lock is axes' own: the user name from the address that failed (a colleague
    # elsewhere cannot be locked out by someone guessing their password).
    assert Client(REMOTE_ADDR="10.9.8.7").get(ME, **_auth(key)).status_code == 200
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(seconds=cool_off))
    assert client.get(ME, **_auth(key)).status_code == 200


# --- the API: list, make, revoke ------------------------------------------------------------


def test_the_api_lists_makes_and_revokes_the_callers_own_tokens(
    api_client, leader, make_user, tree
):
    other = make_user("other", role="leader", unit=tree["street"])
    theirs, their_key = create_api_token(other, "theirs")
    api_client.force_login(leader)
    made = api_client.post(TOKENS, {"name": "sync"}, format="json")
    assert made.status_code == 201
    key = made.json()["token"]
    listed = api_client.get(TOKENS).json()
    assert [t["name"] for t in listed] == ["sync"]
    assert "token" not in listed[0] and "digest" not in listed[0]
    assert listed[0]["prefix"] == key[:10] and listed[0]["expired"] is False
    # another's token: not there, neither to read nor to revoke
    assert api_client.get(f"{TOKENS}{theirs.pk}/").status_code == 404
    assert api_client.delete(f"{TOKENS}{theirs.pk}/").status_code == 404
    assert Client().get(ME, **_auth(their_key)).status_code == 200
    assert api_client.delete(f"{TOKENS}{made.json()['id']}/").status_code == 204
    assert Client().get(ME, **_auth(key)).status_code == 401
    assert api_client.post(TOKENS, {"name": ""}, format="json").status_code == 400


def test_a_token_cannot_make_tokens_but_may_revoke_them(client, leader):
    token, key = create_api_token(leader, "script")
    refused = client.post(
        TOKENS, {"name": "forever"}, content_type="application/json", **_auth(key)
    )
    assert refused.status_code == 403 and "令牌不能" in refused.json()["detail"]
    assert ApiToken.objects.count() == 1
    assert [t["id"] for t in client.get(TOKENS, **_auth(key)).json()] == [token.pk]
    assert client.delete(f"{TOKENS}{token.pk}/", **_auth(key)).status_code == 204
    assert client.get(ME, **_auth(key)).status_code == 401


def test_making_and_revoking_are_in_the_change_log(api_client, leader):
    api_client.force_login(leader)
    made = api_client.post(TOKENS, {"name": "sync"}, format="json").json()
    api_client.delete(f"{TOKENS}{made['id']}/")
    ct = ContentType.objects.get_for_model(ApiToken)
    entries = list(ChangeLogEntry.objects.filter(content_type=ct).order_by("time", "pk"))
    assert [e.action for e in entries] == ["create", "delete"]
    for e in entries:
        assert e.user == leader and e.source == "api" and e.object_id == str(made["id"])
        assert e.related_object_id == str(leader.pk)  # on the user's own log too
        assert e.org_unit_path == leader.org_unit.path
        snapshot = e.postchange or e.prechange
        assert snapshot["name"] == "sync" and snapshot["digest"].startswith("******")
        assert made["token"] not in str(snapshot)


def test_only_the_owner_or_a_superuser_revokes(leader, make_user, tree, admin_user):
    from django.core.exceptions import PermissionDenied

    token, _key = create_api_token(leader, "x")
    with pytest.raises(PermissionDenied):
        revoke_api_token(token, make_user("other", role="leader", unit=tree["street"]))
    assert ApiToken.objects.filter(pk=token.pk).exists()
    revoke_api_token(token, admin_user)
    assert not ApiToken.objects.filter(pk=token.pk).exists()


# --- the page 我的API令牌 -----------------------------------------------------------------------


def test_the_page_makes_a_token_shows_its_key_once_and_revokes_it(client, leader, make_user, tree):
    client.force_login(leader)
    home = client.get("/").content.decode()
    assert f'href="{reverse("api_tokens")}"' in home and "我的API令牌" in home
    page = client.get(reverse("api_tokens"))
    assert page.status_code == 200 and "没有API令牌" in page.content.decode()
    made = client.post(reverse("api_tokens"), {"name": "月度导入"})
    assert made.status_code == 201
    token = ApiToken.objects.get(user=leader)
    key = made.context["key"]
    assert key in made.content.decode() and ApiToken.digest_of(key) == token.digest
    assert made["Cache-Control"] == "private, no-store"
    again = client.get(reverse("api_tokens")).content.decode()
    assert key not in again and "月度导入" in again and token.prefix in again
    assert Client().get(ME, **_auth(key)).status_code == 200
    assert client.post(reverse("api_tokens"), {"name": ""}).status_code == 400
    # another's token cannot be revoked here
    theirs, _ = create_api_token(make_user("other", role="leader", unit=tree["street"]), "t")
    assert client.get(reverse("api_token_revoke", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("api_token_revoke", args=[theirs.pk])).status_code == 404
    confirm = client.get(reverse("api_token_revoke", args=[token.pk]))
    assert confirm.status_code == 200 and "月度导入" in confirm.content.decode()
    revoked = client.post(reverse("api_token_revoke", args=[token.pk]), follow=True)
    assert "已吊销" in revoked.content.decode()
    assert not ApiToken.objects.filter(user=leader).exists()
    assert ApiToken.objects.filter(pk=theirs.pk).exists()
    assert Client().get(ME, **_auth(key)).status_code == 401


def test_the_page_marks_expired_tokens(client, leader):
    token, _key = create_api_token(leader, "old")
    _age(token, days=settings.API_TOKEN_TTL_DAYS + 1)
    client.force_login(leader)
    html = client.get(reverse("api_tokens")).content.decode()
    assert "已过期" in html and "移除" in html


def test_the_page_is_for_signed_in_users_only(client):
    response = client.get(reverse("api_tokens"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- the command line and the admin --------------------------------------------------------


def test_the_command_line_makes_lists_and_revokes(leader):
    out, err = io.StringIO(), io.StringIO()
    call_command("api_token", "create", "leader1", "--name", "etl", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert key.startswith("sb_") and "expires" in err.getvalue()
    assert Client().get(ME, **_auth(key)).status_code == 200
    token = ApiToken.objects.get(user=leader)
    listing = io.StringIO()
    call_command("api_token", "list", "leader1", stdout=listing)
    assert token.prefix in listing.getvalue() and key not in listing.getvalue()
    call_command("api_token", "revoke", str(token.pk), stdout=io.StringIO())
    assert Client().get(ME, **_auth(key)).status_code == 401


def test_the_admin_revokes_through_the_action(client, leader, admin_user):
    token, key = create_api_token(leader, "x")
    client.force_login(admin_user)
    url = reverse("admin:core_apitoken_delete", args=[token.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert Client().get(ME, **_auth(key)).status_code == 401
    assert client.get(reverse("admin:core_apitoken_add")).status_code == 403


# --- DRF's tokens carried over --------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # SQLite's schema editor wants no transaction open
def test_drf_tokens_are_carried_over_and_their_plain_keys_dropped(leader):
    """The data migration: a DRF token's key keeps working as an ApiToken for a full period
    from the upgrade, and the table that held keys in clear is gone."""
    migration = importlib.import_module("streetbrain.core.migrations.0007_api_tokens_from_drf")
    from django.apps import apps

    key = "0123456789abcdef0123456789abcdef01234567"
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {q('authtoken_token')} ({q('key')} varchar(40) PRIMARY KEY, "
            f"{q('created')} timestamp, {q('user_id')} bigint)"
        )
        cursor.execute(
            f"INSERT INTO {q('authtoken_token')} VALUES (%s, %s, %s)",  # noqa: S608
            [key, timezone.now() - dt.timedelta(days=400), leader.pk],
        )
    with connection.schema_editor() as editor:
        migration.carry_over(apps, editor)
    assert "authtoken_token" not in connection.introspection.table_names()
    token = ApiToken.objects.get(user=leader)
    assert token.prefix == key[:8] and not token.expired
    assert Client().get(ME, **_auth(key)).json()["username"] == "leader1"
