from django.conf import settings

import streetbrain

from .navigation import DOMAINS


def platform(request):
    return {
        "STREETBRAIN_VERSION": streetbrain.__version__,
        "STREETBRAIN_DEMO": settings.STREETBRAIN.get("DEMO", False),
        "NAV_DOMAINS": DOMAINS,
    }
