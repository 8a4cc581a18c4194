"""Settings shared by every environment. Everything that differs between deployments comes
from the environment (12-factor); see ``.env.example`` for the list."""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent  # the streetbrain package
PROJECT_DIR = BASE_DIR.parent

env = environ.Env()
# A local .env file is optional; real deployments set the variables in the service manager.
environ.Env.read_env(PROJECT_DIR / ".env", overwrite=False)

VAR_DIR = Path(env.str("STREETBRAIN_VAR_DIR", default=str(PROJECT_DIR / "var")))

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "csp",
    "streetbrain.core",
    "streetbrain.registry",
    "streetbrain.cases",
    "streetbrain.cockpit",
    "streetbrain.economy",
    "streetbrain.services",
    "streetbrain.investment",
    "streetbrain.projects",
    "streetbrain.cooperatives",
    "streetbrain.party",
    "streetbrain.community",
    "streetbrain.linkage",
    "streetbrain.districts",
    # The demo district (its loaders and the `demo` command): on top of every app, imported by
    # none of them.
    "streetbrain.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Behind WhiteNoise (static files keep their own headers), in front of everything else:
    # it sees every response Django makes, the refusals of the middlewares included.
    "streetbrain.core.middleware.CacheControlMiddleware",
    "streetbrain.core.middleware.RequestIDMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "streetbrain.core.middleware.AuditContextMiddleware",
    # Axes must come last: it reads the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "streetbrain.urls"
WSGI_APPLICATION = "streetbrain.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "streetbrain.core.context_processors.platform",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# DATABASE_URL picks the database: PostgreSQL in production, an embedded SQLite file by default.
DEFAULT_SQLITE = f"sqlite:///{VAR_DIR / 'streetbrain.sqlite3'}"
DATABASES = {"default": env.db("DATABASE_URL", default=DEFAULT_SQLITE)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes (several gunicorn workers on one file);
    # IMMEDIATE transactions avoid "database is locked" on lock upgrades.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
            ),
            "transaction_mode": "IMMEDIATE",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    # No JIT compilation for the web's and workers' queries: at a district's size the planner
    # turns it on for every aggregate over a million rows and spends 40-55 ms compiling per
    # query that answers in 300 (measured on sb_district, docs/scale-out.md). Set
    # PG_JIT=on to leave the server's setting.
    if env("PG_JIT", default="off") == "off":
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication and security ------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failed logins (django-axes): per user name and address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# 429 with Retry-After: the template for pages, the API's JSON for the API.
AXES_LOCKOUT_CALLABLE = "streetbrain.core.lockout.lockout_response"
AXES_VERBOSE = False

# API tokens (core.ApiToken) work this many days from their creation; then a new one is needed.
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=30)

# Sessions end after two idle hours and when the browser closes (shared office computers).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=2 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # HTMX reads the token from the cookie-free meta tag, not here
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)

# Content security policy: every script and style is served from our own origin (vendored).
# Inline styles stay allowed because ECharts/Leaflet/Swagger UI write style attributes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:", *env.list("CSP_IMG_EXTRA", default=[])],
        "connect-src": [SELF],
        "font-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["streetbrain.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Uploaded import files wait here for their job: personal data, so never under MEDIA_ROOT
# (which a proxy may serve). Web and worker machines must share it.
IMPORT_DIR = Path(env.str("STREETBRAIN_IMPORT_DIR", default=str(VAR_DIR / "imports")))
MEDIA_URL = "/media/"

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # The token first: a request without credentials is answered 401 with
    # "WWW-Authenticate: Token" (a client whose token expired knows to get a new one).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "streetbrain.core.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["streetbrain.core.api.permissions.ScopedModelPermissions"],
    # DRF's parsers, refusing control characters in what they parse (core/text.py).
    "DEFAULT_PARSER_CLASSES": [
        "streetbrain.core.api.parsers.JSONParser",
        "streetbrain.core.api.parsers.FormParser",
        "streetbrain.core.api.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "streetbrain.core.api.pagination.StandardPagination",
    "DEFAULT_SCHEMA_CLASS": "streetbrain.core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "streetbrain.core.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "token": "20/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "StreetBrain API",
    "DESCRIPTION": "街道大脑 REST API. Every list is scoped to the caller's org unit.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets used by several fields (state, from_state, to_state …) get one name each.
    "ENUM_NAME_OVERRIDES": {
        "CaseStateEnum": "streetbrain.cases.models.State",
        "CaseChannelEnum": "streetbrain.cases.models.Channel",
        "TimeUnitEnum": "streetbrain.cases.models.TimeUnit",
        "LeaseStateEnum": "streetbrain.economy.models.Lease.State",
        "WarningStateEnum": "streetbrain.economy.models.MoveOutWarning.State",
        "OutcomeEnum": "streetbrain.economy.models.MoveOutWarning.Outcome",
        "DecisionOutcomeEnum": "streetbrain.linkage.models.Decision.Outcome",
        "IndustryLevelEnum": "streetbrain.investment.models.WhitelistEntry.Level",
        "LeadStageEnum": "streetbrain.investment.models.Stage",
        # The districts' first-store levels and stores' status beside the org units' levels
        # and the shops' status (the same open/closed set): the existing names kept.
        "LevelEnum": "streetbrain.core.models.OrgUnit.Level",
        "FirstStoreLevelEnum": "streetbrain.districts.models.FirstStore.Level",
        "ShopStatusEnum": "streetbrain.registry.models.Shop.Status",
    },
}

# --- Background tasks -----------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# The platform's own periodic tasks; each app adds its own (``PeriodicTask`` in its
# extensions.py: the case engine's deadlines and figures, the economy's nightly run …).
CELERY_BEAT_SCHEDULE = {
    "refresh-key-figures": {"task": "streetbrain.core.tasks.refresh_key_figures", "schedule": 900},
}

# The cache holds the public report page's rate-limit counters, the intake queue's debounce
# key and the API's throttles: every web process must see the same counts, so it is shared —
# Redis in production (production.py: CACHE_URL, by default the Redis of REDIS_URL), the
# database in the demo (demo.py: its SQLite file). In-process (locmem) only here, for tests and
# single-process tools; a per-process cache in production is a system check warning.


def cache_from_env(default: str) -> dict:
    """``CACHE_URL`` (or ``default``) as a cache configuration. The database cache is ours:
    Django's counts wrongly when several processes count at once (``core/cache.py``)."""
    config = env.cache_url("CACHE_URL", default=default)
    if config["BACKEND"] == "django.core.cache.backends.db.DatabaseCache":
        config["BACKEND"] = "streetbrain.core.cache.DatabaseCache"
    return config


CACHES = {"default": cache_from_env("locmemcache://")}

# --- Platform -------------------------------------------------------------------------------
# Protected personal data: encryption keys (first encrypts; all decrypt) and the digest key.
STREETBRAIN_DATA_KEYS = env.list("STREETBRAIN_DATA_KEYS", default=[])
STREETBRAIN_DIGEST_KEY = env.str("STREETBRAIN_DIGEST_KEY", default="")

STREETBRAIN = {
    # The org unit at the top of this deployment (福明街道 for the demo).
    "ROOT_UNIT_CODE": env.str("STREETBRAIN_ROOT_UNIT", default="330212014"),
    "DEMO": False,
}

# --- Cases ----------------------------------------------------------------------------------
# The case classifier (trained by `streetbrain cases classifier train`; the demo trains one).
CASES_CLASSIFIER_MODEL = env.str(
    "CASES_CLASSIFIER_MODEL", default=str(VAR_DIR / "case_classifier.joblib")
)
# Below this confidence a report waits for a human to classify it.
CASES_CLASSIFIER_THRESHOLD = env.float("CASES_CLASSIFIER_THRESHOLD", default=0.5)
# Duplicates (最多报一次): defaults where a class's 立结案标准 does not say.
CASES_DUPLICATE_RADIUS_M = env.int("CASES_DUPLICATE_RADIUS_M", default=250)
CASES_DUPLICATE_WINDOW_DAYS = env.int("CASES_DUPLICATE_WINDOW_DAYS", default=30)
# Cosine similarity of character bigrams a further report must reach to merge.
CASES_DUPLICATE_MIN_SIMILARITY = env.float("CASES_DUPLICATE_MIN_SIMILARITY", default=0.15)
# Classes that count as the same matter for duplicates, e.g. a component problem and its 事项.
CASES_RELATED_CLASSES: dict[str, list[str]] = {
    "matter:06010": ["matter:06042", "matter:06036"],
    "matter:06042": ["matter:06010"],
    "matter:06036": ["matter:06010"],
}
# The limit of a class without a 立结案标准 row.
CASES_DEFAULT_TIME_LIMIT = (1, "work_day")
# Reports not placed in a grid wait in this unit (empty: the root unit).
CASES_HOME_UNIT = env.str("CASES_HOME_UNIT", default="")
# 按时立案 / 按时派遣: from report to 立案 and from 立案 to 派遣.
CASES_REGISTER_LIMIT = (2, "work_hour")
CASES_DISPATCH_LIMIT = (1, "work_hour")
# 综合指标值 (0–100): weights of the indicator scores per kind of row (cases.evaluation). A rate
# scores 100 × rate (100 × (1 − rate) for 返工率 and 延期率); a *_volume scores 100 × count /
# the largest count among the rows of the same role. Indicators without data drop out and
# the remaining weights are rescaled.
CASES_SCORE_WEIGHTS: dict[str, dict[str, float]] = {
    "area": {
        "closing_rate": 30,
        "closed_on_time_rate": 40,
        "rework_rate": 15,
        "extension_rate": 15,
    },
    "department": {
        "closing_rate": 30,
        "closed_on_time_rate": 40,
        "rework_rate": 15,
        "extension_rate": 15,
    },
    # 值班长 = 按时立案 25 % + 准确立案 40 % + 按时结案 35 % (a published implementation)
    "shiftlead": {
        "registered_on_time_rate": 25,
        "accurate_registration_rate": 40,
        "closing_on_time_rate": 35,
    },
    # 派遣员 = 派遣数 20 % + 按时派遣 40 % + 准确派遣 40 % (the same implementation)
    "dispatcher": {
        "dispatch_volume": 20,
        "dispatched_on_time_rate": 40,
        "accurate_dispatch_rate": 40,
    },
    "gridworker": {"report_volume": 30, "valid_report_rate": 40, "field_check_volume": 30},
    "handler": {"handled_on_time_rate": 60, "rework_rate": 40},
}
# The public report page: reports per client address per hour.
CASES_PUBLIC_RATE = env.str("CASES_PUBLIC_RATE", default="10/h")
# How many reverse proxies in front set X-Forwarded-For (0: use the connection's address).
CASES_PUBLIC_TRUSTED_PROXIES = env.int("CASES_PUBLIC_TRUSTED_PROXIES", default=0)
# --- Open311's public feed (GET requests): what anonymous readers see ----------------------------
# Reports of these channels are published (the residents' own: the public page and Open311
# clients); reports of other channels (grid workers, 12345 transfers, phone calls, sensors …)
# only when the case is marked public (the workflow's "publish" step), and without their texts.
OPEN311_PUBLIC_CHANNELS = env.list("OPEN311_PUBLIC_CHANNELS", default=["citizen", "open311"])
# 事项 classes whose place points at a person or a home (私搭乱建, 阳台/屋顶脏乱, 沿街晾挂, 油烟,
# 噪声扰民, 家禽家畜, 无照游商, 流浪乞讨): the feed rounds their coordinates to this many
# decimals (3 ≈ 100 m) and leaves out their address, description and photo link.
OPEN311_SENSITIVE_CLASSES = env.list(
    "OPEN311_SENSITIVE_CLASSES",
    default=["06001", "06005", "06007", "06027", "06028", "06038", "09001", "09003"],
)
OPEN311_SENSITIVE_DECIMALS = env.int("OPEN311_SENSITIVE_DECIMALS", default=3)
# --- Building economy: the street's yearly 去化 target (m² newly leased), shown on its dashboard.
ECONOMY_ABSORPTION_TARGET_M2 = env.int("ECONOMY_ABSORPTION_TARGET_M2", default=80000)
# MQTT broker of the sensors (`streetbrain cases listen-mqtt`).
MQTT_URL = env.str("MQTT_URL", default="mqtt://127.0.0.1:1883")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "streetbrain.core.request_id.RequestIDLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- The one map (一图通览) ----------------------------------------------------------------------
# The base map under the vector layers: "none" (a plain background: works with no tile
# service), "tianditu" (天地图, WGS-84; needs MAP_TIANDITU_KEY), "amap" (高德, GCJ-02: our WGS-84
# vectors are shifted for display) or "xyz" (MAP_XYZ_URL in web mercator, MAP_XYZ_ATTRIBUTION).
MAP_BASEMAP = env.str("MAP_BASEMAP", default="none")
MAP_TIANDITU_KEY = env.str("MAP_TIANDITU_KEY", default="")
MAP_XYZ_URL = env.str("MAP_XYZ_URL", default="")
MAP_XYZ_ATTRIBUTION = env.str("MAP_XYZ_ATTRIBUTION", default="")
# From this zoom on, open cases are drawn one by one; below it, as bins with counts. Likewise
# facilities (as bins below COCKPIT_POINT_ZOOM) and buildings (points below it, outlines above).
COCKPIT_CASE_POINT_ZOOM = env.float("COCKPIT_CASE_POINT_ZOOM", default=16.5)
COCKPIT_POINT_ZOOM = env.float("COCKPIT_POINT_ZOOM", default=16)


def _map_image_hosts() -> list[str]:
    from streetbrain.core.maps import basemaps

    cfg = basemaps.config(
        MAP_BASEMAP,
        tianditu_key=MAP_TIANDITU_KEY,
        xyz_url=MAP_XYZ_URL,
        xyz_attribution=MAP_XYZ_ATTRIBUTION,
    )
    return basemaps.image_hosts(cfg)


CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] += _map_image_hosts()
