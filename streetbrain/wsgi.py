import gc

from django.core.wsgi import get_wsgi_application

from streetbrain.startup import use_settings

use_settings()  # production's, unless DJANGO_SETTINGS_MODULE says otherwise (see startup.py)

application = get_wsgi_application()


def settle() -> None:
    """Import every view and keep what start-up made out of the garbage collector's walks.

    A worker holds about 200,000 objects once the URLconf has imported every app; a full
    collection walks all of them (107 ms on the district bench's machine), and requests that
    allocate much (a map layer, an export) set one off now and then: a page whose median is
    80 ms took 330 ms on one repeat of three. Frozen (``gc.freeze``), those objects are never
    walked again, and workers forked from a master that froze them share their memory pages
    instead of each copying them as a collection touches them (gunicorn's ``serve`` imports
    this module before forking)."""
    from django.urls import get_resolver

    get_resolver().reverse_dict  # noqa: B018 (imports every URLconf and its views)
    gc.collect()
    gc.freeze()


settle()
