"""The security baseline: argon2, lockout, session expiry, CSRF, security headers, CSP,
DEBUG off and secrets from the environment outside the demo."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db.models import F
from django.test import Client
from django.urls import reverse

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_argon2_is_the_production_hasher():
    from streetbrain.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_login_page_is_chinese(client):
    html = client.get(reverse("login")).content.decode()
    assert 'lang="zh-hans"' in html
    assert "用户名" in html or "登录" in html


def test_login_and_home(client, tree, make_user):
    make_user("leader1", role="leader", unit=tree["street"])
    response = client.post(reverse("login"), {"username": "leader1", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "福明街道" in home.content.decode()


def test_anonymous_is_sent_to_login(client):
    response = client.get("/core/grids/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_lockout_after_repeated_failures(client, tree, make_user):
    make_user("victim", role="leader", unit=tree["street"])
    statuses = [
        client.post(reverse("login"), {"username": "victim", "password": "wrong-guess"}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    # the failures before the limit show the form again; the one reaching it locks
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    locked = client.post(reverse("login"), {"username": "victim", "password": PASSWORD})
    assert locked.status_code == 429
    assert "锁定" in locked.content.decode() or "locked" in locked.content.decode().lower()
    cool_off = int(settings.AXES_COOLOFF_TIME * 3600)
    assert cool_off - 5 <= int(locked["Retry-After"]) <= cool_off
    assert "15 分钟后" in locked.content.decode()
    # the API's token endpoint honours the same lockout, in the API's JSON
    api = Client().post("/api/auth/token/", {"username": "victim", "password": PASSWORD})
    assert api.status_code == 429
    assert api["Content-Type"] == "application/json"
    assert cool_off - 5 <= int(api["Retry-After"]) <= cool_off
    assert "锁定" in api.json()["detail"]


def test_retry_after_counts_down_to_the_end_of_the_cool_off(client, tree, make_user):
    """Retry-After is the time left, not the whole cool-off: once it has passed, the right
    password works again."""
    import datetime as dt

    from axes.models import AccessAttempt

    make_user("victim", role="leader", unit=tree["street"])
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "victim", "password": "wrong-guess"})
    cool_off = dt.timedelta(hours=settings.AXES_COOLOFF_TIME)
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - (cool_off - dt.timedelta(minutes=5))
    )
    api = Client().post("/api/auth/token/", {"username": "victim", "password": PASSWORD})
    # that attempt failed during the lockout: it starts the cool-off again (axes' default)
    assert api.status_code == 429 and int(api["Retry-After"]) > 300
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - (cool_off - dt.timedelta(minutes=5))
    )
    page = client.get(reverse("home"))  # not a login: no attempt recorded
    assert page.status_code == 302
    from django.test import RequestFactory

    from streetbrain.core.lockout import seconds_locked

    request = RequestFactory().get("/")
    assert 295 <= seconds_locked(request, "victim") <= 300
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(minutes=6))
    assert seconds_locked(RequestFactory().get("/"), "victim") == 0
    response = client.post(reverse("login"), {"username": "victim", "password": PASSWORD})
    assert response.status_code == 302


def test_sessions_expire():
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_SAVE_EVERY_REQUEST  # idle timeout, not absolute
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_HTTPONLY


def test_csrf_is_enforced(tree, make_user):
    make_user("c", role="leader", unit=tree["street"])
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "c", "password": PASSWORD})
    assert response.status_code == 403


def test_security_headers_and_csp(client):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Request-ID"]


def test_no_inline_scripts_in_pages(client, tree, make_user):
    """The CSP forbids inline scripts; pages must not rely on any."""
    import re

    user = make_user("l", role="leader", unit=tree["street"])
    client.force_login(user)
    for url in ["/", reverse("core:community_list"), tree["east"].get_absolute_url()]:
        html = client.get(url).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (url, tag)


def _settings_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    env.update(extra)
    return env


def test_production_refuses_to_start_without_secret_key():
    code = "import django; django.setup()"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=_settings_env(DJANGO_SETTINGS_MODULE="streetbrain.settings.production"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_defaults_are_safe():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECRET_KEY == 'k' * 60)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=_settings_env(
            DJANGO_SETTINGS_MODULE="streetbrain.settings.production",
            SECRET_KEY="k" * 60,
            STREETBRAIN_DATA_KEYS="a" * 40,
            STREETBRAIN_DIGEST_KEY="b" * 40,
        ),
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["False", "True", "True", "True"]


def test_demo_generates_its_secret_into_var(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s; print(s.SECRET_KEY)"
    )
    env = _settings_env(
        DJANGO_SETTINGS_MODULE="streetbrain.settings.demo", STREETBRAIN_VAR_DIR=str(tmp_path)
    )
    first = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    second = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert len(first) > 40 and first == second
    secret_file = tmp_path / "django_secret_key.secret"
    assert secret_file.read_text().strip() == first
    assert oct(secret_file.stat().st_mode)[-3:] == "600"


# --- what caches may keep ------------------------------------------------------------------


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def _vary(response) -> set[str]:
    return {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}


def test_signed_in_pages_and_the_api_are_never_stored(client, tree, make_user):
    """Pages and API answers of a signed-in user carry personal data: no cache keeps them,
    and any cache in between keys them on the credentials."""
    client.force_login(make_user("l", role="leader", unit=tree["street"]))
    for url in ("/", reverse("core:community_list"), "/api/core/org-units/", "/api/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "private, no-store", url
        assert {"authorization", "cookie"} <= _vary(response), (url, response["Vary"])


def test_a_views_own_max_age_gives_way_for_a_signed_in_user(client, tree, make_user):
    """The map's layers asked browsers to keep them 30 s: what a signed-in user is shown is
    not kept, whatever its view says."""
    client.force_login(make_user("l", role="leader", unit=tree["street"]))
    response = client.get("/api/map/layers/grids/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_anonymous_answers_are_not_stored_either(client):
    """The login form (its CSRF token), the residents' report page and the Open311 feed:
    no view of them declares itself cacheable, so none is kept."""
    for url in (reverse("login"), "/report/", "/open311/v2/services.json", "/api/auth/token/"):
        response = client.get(url)
        assert response.status_code < 500, url
        assert _no_store(response), (url, response.get("Cache-Control"))
        assert "authorization" in _vary(response), url


def test_static_files_keep_their_own_caching(client):
    response = client.get("/static/streetbrain/app.css")
    assert response.status_code == 200
    assert not _no_store(response) and "max-age" in response["Cache-Control"]


def test_only_anonymous_answers_keep_a_declared_public_policy(rf, tree, make_user):
    """A view may declare a public resource cacheable; the declaration holds for anonymous
    requests and gives way as soon as credentials come with the request."""
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse

    from streetbrain.core.middleware import CacheControlMiddleware

    def public_view(request):
        response = HttpResponse("the same for everyone")
        response["Cache-Control"] = "public, max-age=60"
        return response

    middleware = CacheControlMiddleware(public_view)
    anonymous = rf.get("/x")
    anonymous.user = AnonymousUser()
    assert middleware(anonymous)["Cache-Control"] == "public, max-age=60"
    signed_in = rf.get("/x")
    signed_in.user = make_user("u", role="leader", unit=tree["street"])
    assert middleware(signed_in)["Cache-Control"] == "private, no-store"
    with_token = rf.get("/x", HTTP_AUTHORIZATION="Token abc")
    with_token.user = AnonymousUser()
    assert middleware(with_token)["Cache-Control"] == "private, no-store"
