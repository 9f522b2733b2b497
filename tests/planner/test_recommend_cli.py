"""`recommend` run the way a script or a conformance check runs it: a new process
whose stdout must be the result document and nothing else."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

from tests.engine.test_deadline import slow_trip_document

EXAMPLES = settings.SHARED_DIR / "examples"


@pytest.fixture(scope="module")
def manage(tmp_path_factory):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('cli') / 'db.sqlite3'}",
    }

    def run(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert run("migrate", "--no-input").returncode == 0
    return run


def test_it_prints_only_the_result_document_on_stdout(manage):
    example = EXAMPLES / "01-home-plan-fair-use"
    assert manage("import_catalog", str(example / "catalog.json")).returncode == 0
    result = manage("recommend", str(example / "trip.json"), "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["total_base"] == {"amount": "6.23", "currency": "EUR"}


def test_it_exits_non_zero_naming_the_field_of_a_bad_trip(manage, tmp_path):
    trip = tmp_path / "trip.json"
    trip.write_text(
        json.dumps(
            {"start_date": "2026-06-01", "legs": [{"country": "XX", "days": 2, "gb_per_day": "1"}]}
        )
    )
    result = manage("recommend", str(trip), "--json")
    assert result.returncode != 0
    assert result.stdout == ""
    assert "legs[0].country" in result.stderr


def test_a_trip_too_large_to_plan_at_once_is_one_line_and_non_zero(manage, tmp_path):
    assert manage("import_catalog", "catalog/sample/catalog.json").returncode == 0
    trip = tmp_path / "trip.json"
    trip.write_text(json.dumps(slow_trip_document()))
    result = manage("recommend", str(trip), "--json", PLANNER_TIME_LIMIT="1")
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "trip-too-large" in lines[0] and "360 days, 10 devices" in lines[0]
