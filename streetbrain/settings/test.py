"""The test overlay: fast hashing, eager tasks, no manifest for static files."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import STORAGES, STREETBRAIN

SECRET_KEY = "test-only-secret-key-not-for-production"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STREETBRAIN_DATA_KEYS = ["test-data-key-one"]
STREETBRAIN_DIGEST_KEY = "test-digest-key"
CELERY_TASK_ALWAYS_EAGER = True
# The one test with a real worker uses Redis database 15, apart from any real deployment's.
CELERY_BROKER_URL = "redis://127.0.0.1:6379/15"
CELERY_RESULT_BACKEND = CELERY_BROKER_URL
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Demo loads in tests run at 2 % scale (the full scale is measured in bench/).
STREETBRAIN = {**STREETBRAIN, "DEMO": True, "DEMO_SCALE": 0.02}
# A demo load trains the case classifier: never over the developer's var/ model, and not over
# that of another test run going on at the same time.
CASES_CLASSIFIER_MODEL = str(
    Path(tempfile.gettempdir()) / "streetbrain-tests" / f"case_classifier-{os.getpid()}.joblib"
)
AXES_FAILURE_LIMIT = 5
# Tests run in one process and clear the cache between them: in-process, whatever CACHE_URL a
# developer's shell or .env holds (clearing a Redis cache empties its whole database).
# tests/test_shared_cache.py runs several processes on the demo's and on Redis's.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tests serve static files from the finders (no collectstatic run); WhiteNoise must not scan
# an empty STATIC_ROOT at start-up.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# A minimal app that plugs in through the extension points only (tests/exampleapp): the
# tests prove a new app appears everywhere without touching another app.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.exampleapp"]  # noqa: F405
