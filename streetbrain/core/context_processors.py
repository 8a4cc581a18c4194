from django.conf import settings

import streetbrain

from . import navigation


def platform(request):
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return {
        "STREETBRAIN_VERSION": streetbrain.__version__,
        "STREETBRAIN_DEMO": settings.STREETBRAIN.get("DEMO", False),
        # Functions: evaluated only by the pages that show the menu and the top bar.
        "NAV_DOMAINS": (lambda: navigation.entries(user, "domains")) if signed_in else list,
        "NAV_ACCOUNT": (lambda: navigation.entries(user, "account")) if signed_in else list,
        "HEADER_LINKS": (lambda: navigation.header_links(user)) if signed_in else list,
    }
