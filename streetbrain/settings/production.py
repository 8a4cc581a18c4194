"""Production: everything secret or site-specific must come from the environment."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    REDIS_URL,
    SECRET_KEY,
    STREETBRAIN_DATA_KEYS,
    STREETBRAIN_DIGEST_KEY,
    cache_from_env,
)

if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Put it in the environment (see .env.example); "
        "use `make demo` for a self-configuring demo."
    )

if not STREETBRAIN_DATA_KEYS or not STREETBRAIN_DIGEST_KEY:
    raise ImproperlyConfigured(
        "STREETBRAIN_DATA_KEYS and STREETBRAIN_DIGEST_KEY must be set: they protect personal "
        "data at rest (see .env.example)."
    )

# Every web process must count the public report page's rate limit (and the API's throttles)
# together: the cache is Redis, by default the one Celery uses (its keys carry their own prefix).
# A per-process cache set through CACHE_URL is a system check warning (streetbrain.W010).
CACHES = {"default": cache_from_env(REDIS_URL)}
