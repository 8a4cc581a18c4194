"""``Authorization: Token <key>``: the API's token authentication on ``core.ApiToken``."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from ..lockout import AccountLocked, seconds_locked
from ..models import ApiToken


class ApiTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, on our tokens: found by the key's digest, refused once
    expired (401) or while the lockout holds the token's user for this client (429 with
    Retry-After, as the token endpoint would refuse their password)."""

    model = ApiToken

    def authenticate(self, request):
        found = super().authenticate(request)
        if found is None:
            return None
        user, token = found
        seconds = seconds_locked(request._request, user.get_username())
        if seconds:
            raise AccountLocked(wait=seconds)
        token.touch()
        return found

    def authenticate_credentials(self, key):
        token = (
            ApiToken.objects.select_related("user").filter(digest=ApiToken.digest_of(key)).first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.expired:
            raise exceptions.AuthenticationFailed(
                _("This token has expired: make a new one (API tokens work %(days)s days).")
                % {"days": settings.API_TOKEN_TTL_DAYS}
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token
