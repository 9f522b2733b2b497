"""Settings for the test suite: production settings (DEBUG off) with a throwaway
key, plain-HTTP cookies for the live-server browser tests, and fast hashing."""

import os

# The suite runs on production settings, whatever a developer's .env says.
os.environ.setdefault("ROAMPLAN_ENV_FILE", "")
os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret-8f3b2c0e4d6a4f1b9e7c5a3d1f0e2b4c")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
# Most tests plan inside the request, through the same task code a worker runs;
# tests/planner/test_queue.py switches to the database queue and runs a real
# `db_worker` (which it starts with PLANNER_TASKS=database).
os.environ.setdefault("PLANNER_TASKS", "immediate")
# Tests plan hundreds of trips from one address; test_queue.py tests the limit.
os.environ.setdefault("PLANNER_SOLVE_RATE", "10000/m")

from config.settings import *  # noqa: E402, F403

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not SQLite's in-memory database, so that a worker process started
    # by a test sees the same test database.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "db.sqlite3-test")}  # noqa: F405

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
