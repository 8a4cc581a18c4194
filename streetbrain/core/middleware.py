"""Request id, audit context and cache headers for every request."""

from __future__ import annotations

import uuid

from django.utils.cache import patch_vary_headers

from .audit import audit_context
from .request_id import current_request_id as _request_id


def _incoming_id(request) -> uuid.UUID:
    """Honour a well-formed X-Request-ID from the reverse proxy, else make one."""
    header = request.headers.get("X-Request-ID", "")
    try:
        return uuid.UUID(header)
    except ValueError:
        return uuid.uuid4()


class RequestIDMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.id = _incoming_id(request)
        token = _request_id.set(str(request.id))
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = str(request.id)
        return response


def _source(path: str) -> str:
    if path.startswith("/admin/"):
        return "admin"
    if path.startswith(("/api/", "/open311/")):
        return "api"
    return "web"


def _reason(request, source: str) -> str:
    # Pages send the optional 变更原因 as a form field, API clients as a header (URL-encoded,
    # since HTTP headers cannot carry Chinese text directly).
    from urllib.parse import unquote

    # API bodies are left unread here: the API's parsers own the stream.
    is_form = request.method == "POST" and source in ("web", "admin")
    reason = request.POST.get("_change_reason", "") if is_form else ""
    return (reason or unquote(request.headers.get("X-Change-Reason", ""))).strip()[:500]


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        source = _source(request.path)
        with audit_context(
            request=request,
            source=source,
            request_id=getattr(request, "id", None) or uuid.uuid4(),
            reason=_reason(request, source),
            remote_addr=request.META.get("REMOTE_ADDR"),
        ):
            return self.get_response(request)


# What every response of ours says to caches unless its view declared it public.
PRIVATE = "private, no-store"


class CacheControlMiddleware:
    """No cache keeps what a response of ours holds: the pages, the API, the exports, the
    photos and map layers all may carry personal data, so every response says
    ``Cache-Control: private, no-store`` and ``Vary: Authorization, Cookie``.

    A view may declare its own ``Cache-Control`` (a public resource, identical for everyone);
    it is kept for anonymous requests only: whatever answers a signed-in user (a session or an
    ``Authorization`` header) is never stored, whatever its view said. Static files are served
    by WhiteNoise, in front of this middleware, with their own long-lived headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_vary_headers(response, ("Authorization", "Cookie"))
        declared = response.get("Cache-Control", "")
        if "no-store" in declared:
            return response
        if not declared or _signed_in(request):
            response["Cache-Control"] = PRIVATE
        return response


def _signed_in(request) -> bool:
    # DRF puts the user it authenticated (a token's) on the Django request too.
    if request.headers.get("Authorization"):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)
