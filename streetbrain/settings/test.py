"""The test overlay: fast hashing, eager tasks, no manifest for static files."""

from .base import *  # noqa: F403
from .base import STORAGES, STREETBRAIN

SECRET_KEY = "test-only-secret-key-not-for-production"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STREETBRAIN = {**STREETBRAIN, "DEMO": True}
AXES_FAILURE_LIMIT = 5
