"""Settings for the test suite: production settings (DEBUG off) with a throwaway
key, plain-HTTP cookies for the live-server browser tests, and fast hashing."""

import os

# The suite runs on production settings, whatever a developer's .env says.
os.environ.setdefault("ROAMPLAN_ENV_FILE", "")
os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret-8f3b2c0e4d6a4f1b9e7c5a3d1f0e2b4c")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
# Playwright's sync API runs an event loop in the test thread; the live server
# and the ORM calls of the test itself are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from config.settings import *  # noqa: E402, F403

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files straight from the app folders, as runserver would, without
# needing `collectstatic` before the live-server tests.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
