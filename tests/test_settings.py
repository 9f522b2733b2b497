import os
import subprocess
import sys

import pytest
from django.conf import settings

ROOT = settings.BASE_DIR


# What the test settings put into the environment must not leak into a
# deployment-like process.
PRINT_SETTINGS = (
    "import config.settings as s; "
    "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.CACHES['default']['BACKEND'],"
    " s.TASKS['default']['BACKEND'])"
)
TEST_ONLY = {
    "SECRET_KEY",
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "PLANNER_TASKS",
    "PLANNER_SOLVE_RATE",
}


def deployment_env(**env: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if k not in TEST_ONLY}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    return {**clean, **env}


def load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    # A fresh interpreter, so the environment is read the way a deployment reads it.
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=ROOT,
        env=deployment_env(**env),
        capture_output=True,
        text=True,
    )


def test_it_refuses_to_start_without_secret_key_when_debug_is_off():
    result = load_settings(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr
    # One clear line, not a traceback.
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_manage_py_says_the_same_in_one_line():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=deployment_env(DEBUG="0"),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Roamplan configuration: SECRET_KEY must be set when DEBUG is off (README, Configuration)"
    )


def test_manage_py_works_after_dev_py_wrote_its_env_file(tmp_path, monkeypatch):
    import dev

    env_file = tmp_path / ".env"
    monkeypatch.setattr(dev, "ENV_FILE", env_file)
    dev.ensure_env_file()
    written = env_file.read_text()
    assert "DEBUG=1" in written and "SECRET_KEY=dev-" in written
    dev.ensure_env_file()  # kept as it is, key and all
    assert env_file.read_text() == written
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=deployment_env(ROAMPLAN_ENV_FILE=str(env_file)),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_the_environment_wins_over_the_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("# comment\nDEBUG=1\nSECRET_KEY=from-the-file\n")
    assert load_settings(ROAMPLAN_ENV_FILE=str(env_file)).stdout.split()[0] == "True"
    result = load_settings(ROAMPLAN_ENV_FILE=str(env_file), DEBUG="0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "False"


def test_it_uses_a_development_key_only_with_debug_on():
    result = load_settings(DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "True"


def test_it_rejects_a_debug_value_it_cannot_read():
    result = load_settings(DEBUG="maybe", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr
    assert "Traceback" not in result.stderr


def test_it_defaults_to_sqlite_a_database_cache_and_the_database_queue():
    # every process of the machine must share the result cache: never local memory
    result = load_settings(SECRET_KEY="x" * 50, DATABASE_URL="", REDIS_URL="")
    assert result.returncode == 0, result.stderr
    _, engine, cache, tasks = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert cache == "django.core.cache.backends.db.DatabaseCache"
    assert tasks == "django_tasks_db.DatabaseBackend"


def test_it_solves_inside_the_request_when_told_there_is_no_worker():
    result = load_settings(SECRET_KEY="x" * 50, PLANNER_TASKS="immediate")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[3] == "django.tasks.backends.immediate.ImmediateBackend"


def test_it_uses_postgresql_and_redis_when_configured():
    result = load_settings(
        SECRET_KEY="x" * 50,
        DATABASE_URL="postgres://app@db.internal:5432/roamplan",
        REDIS_URL="redis://cache.internal:6379/0",
    )
    assert result.returncode == 0, result.stderr
    _, engine, cache, _tasks = result.stdout.split()
    assert engine == "django.db.backends.postgresql"
    assert cache.endswith("RedisCache")


def test_it_passes_the_deployment_checks_under_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=deployment_env(
            DEBUG="0",
            SECRET_KEY="a-long-random-production-like-key-" + "k3y" * 10,
            ALLOWED_HOSTS="roamplan.example.org",
        ),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("value", ["ten", "nan", "inf", "0", "-3"])
def test_it_rejects_a_time_limit_that_is_not_a_positive_number(value):
    result = load_settings(SECRET_KEY="x" * 50, PLANNER_TIME_LIMIT=value)
    assert result.returncode != 0
    assert "PLANNER_TIME_LIMIT must be a" in result.stderr
    assert "Traceback" not in result.stderr


def test_it_reads_a_fractional_time_limit():
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings as s; print(s.PLANNER_TIME_LIMIT)"],
        cwd=ROOT,
        env=deployment_env(SECRET_KEY="x" * 50, PLANNER_TIME_LIMIT="2.5"),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2.5"
