"""The API's error shape for answers no API view gives.

The API's clients read JSON: an answer under /api/ that DRF does not make (a URL no route
matches, an exception past DRF's handler, the lockout of the token endpoint) is in the API's
error shape, ``{"detail": …}``, too. A leaf module: the error handlers and the lockout use it.
"""

from __future__ import annotations

from django.http import JsonResponse

API_PREFIX = "/api/"


def api_error(request, status: int, detail) -> JsonResponse | None:
    """The API's error answer to ``request`` if it asked the API, else None (a page's)."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": str(detail)}, status=status)
    return None
