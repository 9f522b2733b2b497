import os
import subprocess
import sys

import pytest
from django.conf import settings


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
