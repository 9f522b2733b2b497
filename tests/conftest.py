import os
import subprocess
import sys

import pytest
from django.conf import settings

# Files whose tests take seconds each (real catalog, solver stress, fuzzing, worker
# processes): `pytest -m "not slow"` is the everyday run; CI runs everything.
SLOW_FILES = {
    "test_real_data.py",
    "test_bruteforce.py",
    "test_fuzz.py",
    "test_api_fuzz.py",
    "test_round_trip_property.py",
    "test_deadline.py",
    "test_views_deadline.py",
    "test_queue.py",
}


@pytest.fixture(scope="session")
def shared_dir():
    return settings.SHARED_DIR


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium: Playwright cannot download a browser on these machines,
    # and without the networking flags Chromium tries to call home at start.
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": ["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
    }


def pytest_collection_modifyitems(config, items):
    # Browser tests run last: Playwright's sync API keeps an event loop running in
    # the test thread from the first browser test on (see pytest_runtest_setup).
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
    for item in items:
        if (
            item.get_closest_marker("browser")
            or item.path.name in SLOW_FILES
            or "shared_dir" in getattr(item, "fixturenames", ())  # the real catalog
            or "too_large" in item.name  # builds a model until the deadline stops it
        ):
            item.add_marker(pytest.mark.slow)


def pytest_runtest_setup(item):
    # From the first browser test on, the test's own ORM calls (and the test
    # database's set-up and flush) run beside Playwright's running event loop;
    # Django refuses that unless told. Only browser tests get this far.
    if item.get_closest_marker("browser"):
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


def _database_url() -> str:
    """The test database as a DATABASE_URL, for a process the test starts."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def database_queue(settings):
    """Solves queued in the database, as in production, instead of in the request."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def solve_worker(transactional_db, database_queue):
    """Starts a real `db_worker` process on the test database (call it; a test
    that queues first and starts the worker after knows nothing ran before)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "PLANNER_TASKS": "database",
        "DATABASE_URL": _database_url(),
    }
    processes = []

    def start() -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "solve_worker", "--no-reload", "--no-startup-delay"]
            + ["--interval", "0.05", "--verbosity", "0"],
            cwd=settings.BASE_DIR,
            env=env,
        )
        processes.append(process)
        return process

    yield start
    for process in processes:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
