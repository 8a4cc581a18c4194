"""Production: everything secret or site-specific must come from the environment."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SECRET_KEY, STREETBRAIN_DATA_KEYS, STREETBRAIN_DIGEST_KEY

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
