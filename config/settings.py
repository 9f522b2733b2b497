"""Roamplan settings: one module, everything that differs between machines read
from the environment (see README, "Configuration")."""

from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config.env import ConfigError, envbool, envfloat, envint, envlist, envstr, read_env_file
from planner.engine.bounds import DEFAULT_MAX_IMPORT_BYTES, DEFAULT_MAX_REQUEST_BYTES

BASE_DIR = Path(__file__).resolve().parent.parent

# The development settings `dev.py` writes (DEBUG=1 and a key); ROAMPLAN_ENV_FILE
# names another file, or "" for none (the test settings use none).
_env_file = envstr("ROAMPLAN_ENV_FILE", str(BASE_DIR / ".env"))
if _env_file:
    read_env_file(Path(_env_file))

DEBUG = envbool("DEBUG", False)

SECRET_KEY = envstr("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ConfigError("SECRET_KEY must be set when DEBUG is off (README, Configuration)")
    SECRET_KEY = "django-insecure-development-only-never-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_countries",
    # for its Swagger UI files, served from our static files rather than a CDN
    "ninja",
    "django_tasks_db",
    "catalog",
    "planner",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "planner.context_processors.currency",
                "planner.context_processors.release",
            ],
        },
    },
]

# SQLite in the project by default, so a newcomer needs nothing else;
# DATABASE_URL=postgres://... switches to PostgreSQL through psycopg 3.
DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and envbool("DB_POOL", False):
    # psycopg's own pool; it and persistent connections are mutually exclusive.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": envint("DB_POOL_MIN", 2),
        "max_size": envint("DB_POOL_MAX", 10),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )

# The result cache, the single-flight locks and the rate limits live here, so
# every web process and worker must see the same one: Redis in production, and
# without it a table in the database (created by planner's migrations), never
# per-process memory.
REDIS_URL = envstr("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "roamplan_cache",
            # results of a day's trips, locks and counters: far more than the default 300
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }

# Solves run in worker processes (`manage.py db_worker`, see the Procfile),
# queued in the database the app already has. PLANNER_TASKS=immediate solves
# inside the request instead, for a machine that runs no worker.
TASKS = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend"
        if envstr("PLANNER_TASKS", "database") == "immediate"
        else "django_tasks_db.DatabaseBackend",
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = envstr("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

# django-countries lists ISO 3166-1 only; Kosovo's XK is a country wherever ours
# are (planner.engine.countries), so its names, choices and form fields include it.
COUNTRIES_OVERRIDE = {"XK": _("Kosovo")}

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Our pages use no inline script or style; htmx is served from our own static
# files by django-htmx, so 'self' is all the policy needs.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

CSRF_FAILURE_VIEW = "config.views.csrf_failure"

SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
    # Behind a TLS-terminating proxy, the proxy redirects and says so in a header.
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    if envbool("BEHIND_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
}

# Where the shared spec, examples and real data live (never copied in here).
SHARED_DIR = Path(envstr("ROAMPLAN_SHARED_DIR") or BASE_DIR.parent / "shared")
SAMPLE_CATALOG = BASE_DIR / "catalog" / "sample" / "catalog.json"

# Input bounds that depend on the machine (the others are in planner/engine/bounds.py).
# Django refuses a larger request body with a 400 naming the limit (config/views.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("MAX_REQUEST_BYTES", DEFAULT_MAX_REQUEST_BYTES)
CATALOG_IMPORT_MAX_BYTES = envint("MAX_IMPORT_BYTES", DEFAULT_MAX_IMPORT_BYTES)
# An admin import retiring or repricing more than this share of the offered plans
# asks for a second, explicit confirmation.
IMPORT_CONFIRM_PERCENT = envint("IMPORT_CONFIRM_PERCENT", 20)

# How long the engine may search before it returns its best, unproven answer.
# Names the deployed code in the keys of cached page fragments (a git commit,
# say); empty: a digest of the code, templates and translations (context_processors).
RELEASE = envstr("RELEASE", "")

PLANNER_TIME_LIMIT = envfloat("PLANNER_TIME_LIMIT", 10.0)
if PLANNER_TIME_LIMIT <= 0:
    raise ConfigError("PLANNER_TIME_LIMIT must be a positive number of seconds")

# The public JSON API (config/api.py): how long clients and proxies may reuse a
# read before revalidating it by its ETag. Its bodies have the bounds of the trip
# file (MAX_TRIP_BYTES) and of a catalog import (CATALOG_IMPORT_MAX_BYTES).
API_CACHE_SECONDS = envint("API_CACHE_SECONDS", 60)
# Solves one client (IP address) may start, as django-ratelimit reads a rate:
# cache hits and joining a solve already running do not count.
PLANNER_SOLVE_RATE = envstr("PLANNER_SOLVE_RATE", "10/m")
# How long a planner request waits for its queued solve before it answers
# "Planning…" and lets the page poll: short trips come back in one request.
PLANNER_WAIT = float(envstr("PLANNER_WAIT", "1.5"))
# How many web threads of one process may wait for a solve at once (the rest answer at once).
PLANNER_WAITING_THREADS = envint("PLANNER_WAITING_THREADS", 2)
if PLANNER_WAITING_THREADS < 0:
    raise ConfigError("PLANNER_WAITING_THREADS must be 0 (never wait) or more")
# How long a result stays in the cache (it is also keyed by catalog version and day).
PLANNER_RESULT_TTL = envint("PLANNER_RESULT_TTL", 24 * 3600)
