"""The login lockout (django-axes) as the platform answers it: 429 with ``Retry-After``, the
seconds until the cool-off ends, on the login page (its template) and in the API (its JSON).

Axes decides who is locked: ``AXES_LOCKOUT_PARAMETERS`` (a user name *from an address*, so
that nobody can lock a colleague out from elsewhere) after ``AXES_FAILURE_LIMIT`` failures
within ``AXES_COOLOFF_TIME``. The API's token authentication asks the same question for the
token's user and the request's client, so a token does not open what a password may not.
"""

from __future__ import annotations

import math

from axes.conf import settings  # Django's settings, with axes' defaults filled in
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_credentials, get_failure_limit
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions

from .api_answers import api_error


class AccountLocked(exceptions.Throttled):
    """The API's answer for a locked account: 429, ``Retry-After``, ``{"detail": …}``."""

    default_detail = _("Too many failed logins: this account is locked for now.")
    default_code = "account_locked"


def seconds_locked(request, username: str | None, credentials: dict | None = None) -> int:
    """Seconds until axes lets ``username`` log in from this request's client again; 0 when it
    is not locked. ``request`` is Django's request (DRF's ``request._request``)."""
    credentials = credentials or get_credentials(username)
    if not AxesProxyHandler.is_locked(request, credentials):
        return 0
    cool_off = get_cool_off(request)
    if not cool_off:
        return 0  # no cool-off configured: locked until an administrator unlocks it
    left = _lock_end(request, credentials, cool_off) - timezone.now()
    return max(1, math.ceil(left.total_seconds()))


def _lock_end(request, credentials, cool_off):
    """When the failures counted against these credentials fall below the limit: the oldest
    attempt records leave the cool-off window first (axes counts each record by its latest
    failure). Without the database handler's records, a whole cool-off from now."""
    handler = AxesProxyHandler.get_implementation()
    if not hasattr(handler, "get_user_attempts"):
        return timezone.now() + cool_off
    limit = get_failure_limit(request, credentials)
    ends = []
    for attempts in handler.get_user_attempts(request, credentials):
        rows = sorted(attempts.values_list("attempt_time", "failures_since_start"))
        total = sum(n for _time, n in rows)
        for time, n in rows:
            if total < limit:
                break
            total -= n
            ends.append(time + cool_off)
    return max(ends, default=timezone.now() + cool_off)


def lockout_response(request, original_response=None, credentials=None):
    """``AXES_LOCKOUT_CALLABLE``: the answer to a login refused by the lockout. The API's
    token endpoint answers in the API's JSON, the login pages with their template; both 429
    with ``Retry-After``."""
    username = (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD)
    seconds = seconds_locked(request, username, credentials) or None
    locked = AccountLocked(wait=seconds)
    response = api_error(request, locked.status_code, locked.detail) or render(
        request,
        settings.AXES_LOCKOUT_TEMPLATE,
        {"minutes": math.ceil(seconds / 60) if seconds else None},
        status=429,
    )
    if seconds:
        response["Retry-After"] = str(seconds)
    return response
