from django.conf import settings

import streetbrain

from .navigation import DOMAINS


def platform(request):
    return {
        "STREETBRAIN_VERSION": streetbrain.__version__,
        "STREETBRAIN_DEMO": settings.STREETBRAIN.get("DEMO", False),
        "NAV_DOMAINS": DOMAINS,
        "UNREAD_NOTIFICATIONS": _unread_notifications(request),
    }


def _unread_notifications(request):
    """The user's unread case notifications for the header badge: counted (one indexed query)
    only when a page shows it; None where there are none to count (anonymous, no cases app)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not hasattr(user, "case_notifications"):
        return None
    cache = {}

    def count() -> int:
        if "n" not in cache:
            cache["n"] = user.case_notifications.filter(read_at__isnull=True).count()
        return cache["n"]

    return count
