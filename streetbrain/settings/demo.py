"""The demo: an embedded SQLite database under var/, tasks run eagerly, and secrets generated
once into var/ so that nothing has to be configured by hand."""

import secrets

from .base import *  # noqa: F403
from .base import STREETBRAIN, VAR_DIR, cache_from_env, env


def _generated_secret(name: str, nbytes: int = 48) -> str:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / f"{name}.secret"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(nbytes))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="") or _generated_secret("django_secret_key")
STREETBRAIN_DATA_KEYS = env.list("STREETBRAIN_DATA_KEYS", default=[]) or [
    _generated_secret("data_key")
]
STREETBRAIN_DIGEST_KEY = env.str("STREETBRAIN_DIGEST_KEY", default="") or _generated_secret(
    "digest_key"
)
CELERY_TASK_ALWAYS_EAGER = True
# The demo is served over plain http on the loopback interface.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STREETBRAIN = {**STREETBRAIN, "DEMO": True}
# `make demo` serves with several worker processes: they share the rate limits and the intake
# queue's start signal through a table of the demo's database (created by `migrate`), unless
# CACHE_URL says otherwise.
CACHES = {"default": cache_from_env("dbcache://streetbrain_cache?max_entries=10000")}
