"""POST /api/v1/plan: the same answer as `recommend --json`, the same errors."""

import io
import json

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from catalog.store import forget_catalog

pytestmark = pytest.mark.django_db

URL = "/api/v1/plan"
EXAMPLES = sorted(
    p
    for folder in ("examples", "examples-v2")
    for p in (settings.SHARED_DIR / folder).iterdir()
    if p.is_dir()
)
TRIP = {"start_date": "2026-06-01", "legs": [{"country": "FR", "days": 2, "gb_per_day": "1"}]}


@pytest.fixture
def sample_catalog():
    call_command("import_catalog", str(settings.SAMPLE_CATALOG), verbosity=0)


def _post(client, body, **headers):
    text = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL, data=text, content_type="application/json", headers=headers)


def _recommend(path) -> dict:
    out = io.StringIO()
    call_command("recommend", str(path), "--json", stdout=out)
    return json.loads(out.getvalue())


def test_examples_are_found():
    assert len(EXAMPLES) >= 11


@pytest.mark.parametrize("folder", EXAMPLES, ids=lambda p: p.name)
def test_it_answers_what_recommend_prints_for_each_example(client, folder):
    forget_catalog()
    call_command("import_catalog", str(folder / "catalog.json"), verbosity=0)

    response = _post(client, (folder / "trip.json").read_text())

    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    assert response.json() == _recommend(folder / "trip.json")


def test_it_names_the_field_of_a_bad_trip_with_the_command_line_message(
    client, sample_catalog, tmp_path
):
    trip = {**TRIP, "legs": [{"country": "XX", "days": 2, "gb_per_day": "1"}]}
    path = tmp_path / "trip.json"
    path.write_text(json.dumps(trip))
    with pytest.raises(CommandError) as cli:
        call_command("recommend", str(path), "--json")

    response = _post(client, trip)

    assert response.status_code == 400
    assert response.json() == {"error": str(cli.value), "field": "legs[0].country"}


@pytest.mark.parametrize(
    ("trip", "field"),
    [
        ({"legs": TRIP["legs"]}, "start_date"),
        ({**TRIP, "devise": "EUR"}, "devise"),
        ({**TRIP, "devices": True}, "devices"),
        ({**TRIP, "legs": [{"country": "FR", "days": 2, "gb_per_day": 1.5}]}, "legs[0].gb_per_day"),
        ({**TRIP, "owned": ["no-such-plan"]}, "owned[0]"),
        ({**TRIP, "currency": "XYZ"}, "currency"),
        ([TRIP], "trip"),
    ],
)
def test_it_refuses_a_bad_trip_naming_its_field(client, sample_catalog, trip, field):
    response = _post(client, trip)

    assert response.status_code == 400
    assert response.json()["field"] == field
    assert response.json()["error"].startswith(f"bad trip: {field}: ")


@pytest.mark.parametrize(
    "body", ["{", "", b"\xff\xfe", "[" * 30_000, "1" * 5000, '{"a": 1, "a": 2}', "NaN"]
)
def test_it_refuses_a_body_that_is_not_json(client, sample_catalog, body):
    response = _post(client, body)

    assert response.status_code == 400
    assert response.json()["field"] == "body"
    assert response.json()["error"].startswith("the body ")


def test_it_refuses_a_body_over_the_limit_with_413(client, sample_catalog, monkeypatch):
    monkeypatch.setattr("planner.api.MAX_TRIP_BYTES", 100)
    trip = {**TRIP, "owned": ["x" * 200]}

    response = _post(client, trip)

    assert response.status_code == 413
    assert response.json() == {"error": "the body is larger than 100 bytes", "field": "body"}


def test_it_needs_no_csrf_token_nor_session(sample_catalog):
    from django.test import Client

    response = _post(Client(enforce_csrf_checks=True), TRIP)

    assert response.status_code == 200
    assert "sessionid" not in response.cookies


def test_it_answers_405_to_a_get(client):
    assert client.get(URL).status_code == 405


@pytest.mark.parametrize("path", ["/api/v1/nothing", "/api/v2/plan", "/api/"])
def test_it_answers_an_unknown_endpoint_with_a_json_404(client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response.json() == {"error": f"no endpoint {path} (see /api/v1/docs)", "field": None}


def test_it_refuses_a_trip_too_large_to_plan_at_once_with_the_commands_message(
    client, sample_catalog, settings, tmp_path
):
    settings.PLANNER_TIME_LIMIT = 1.0
    countries = ["FR", "CH", "GB", "DE", "IT"]
    legs = [{"country": countries[n % 5], "days": 18, "gb_per_day": "1"} for n in range(20)]
    trip = {**TRIP, "legs": legs, "devices": 10}
    path = tmp_path / "trip.json"
    path.write_text(json.dumps(trip))
    with pytest.raises(CommandError) as cli:
        call_command("recommend", str(path), "--json")

    response = _post(client, trip)

    assert response.status_code == 400
    assert response.json()["field"] == "trip"
    # the same message, but for how many ways to buy a plan were counted in the time
    head, tail = str(cli.value).split(" devices, ")[0], str(cli.value).split(" or more")[1]
    error = response.json()["error"]
    assert error.startswith(head + " devices, ") and error.endswith(" or more" + tail)
    assert "too large to plan at once within 1 s (360 days, 10 devices" in error


# --- through the planner's queue, cache and rate limit


def _wait_until(check, seconds=90.0):
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_it_answers_202_while_queued_then_the_result_at_the_poll_url(
    client, transactional_db, settings, solve_worker, tmp_path
):
    call_command("import_catalog", str(settings.SAMPLE_CATALOG), verbosity=0)
    settings.PLANNER_WAIT = 0
    queued = _post(client, TRIP)
    assert queued.status_code == 202, queued.content
    body = queued.json()
    assert body["status"] == "planning"
    assert body["poll"] == f"/api/v1/plan/{body['token']}"
    assert queued["Location"] == body["poll"]
    assert queued["Retry-After"] == "1"
    assert client.get(body["poll"]).status_code == 202
    assert _post(client, TRIP).status_code == 202, "the same trip joins the queued solve"

    solve_worker()
    done = _wait_until(lambda: (r := client.get(body["poll"])).status_code == 200 and r)
    path = tmp_path / "trip.json"
    path.write_text(json.dumps(TRIP))
    assert done.json() == _recommend(path)
    # and the trip posted again answers from the cache at once
    assert _post(client, TRIP).json() == done.json()


def test_it_answers_a_repeated_trip_from_the_cache(client, sample_catalog, monkeypatch):
    from planner import solving

    calls = []
    real = solving.plan_trip
    monkeypatch.setattr(solving, "plan_trip", lambda *a, **k: calls.append(1) or real(*a, **k))
    first = _post(client, TRIP)
    again = _post(client, {**TRIP, "legs": [{"country": "FR", "days": 2, "gb_per_day": "1.0"}]})
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert len(calls) == 1


def test_it_answers_429_with_retry_after_past_the_rate_limit(client, sample_catalog, settings):
    assert _post(client, TRIP).status_code == 200
    settings.PLANNER_SOLVE_RATE = "1/m"
    # a planned trip costs no solve: still answered
    assert _post(client, TRIP).status_code == 200
    assert _post(client, {**TRIP, "devices": 2}).status_code == 200
    limited = _post(client, {**TRIP, "devices": 3})
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 61
    error = limited.json()
    assert error["field"] is None
    assert error["error"].startswith("too many trips planned from this address")
    assert f"wait {limited['Retry-After']} s" in error["error"]


def test_it_says_at_the_poll_url_why_a_queued_trip_cannot_be_planned(client, sample_catalog):
    from django.core.cache import cache

    from planner import solving

    token = "b" * 64
    cache.set(f"plan:want:{token}", 1)
    cache.set(f"plan:trip:{token}", TRIP)
    solving.solve_trip.call({**TRIP, "owned": ["no-such-plan"]}, token, "2026-05-01")
    response = client.get(f"/api/v1/plan/{token}")
    assert response.status_code == 400
    assert response.json()["field"] == "owned[0]"
    assert response.json()["error"].startswith("bad trip: owned[0]: ")


@pytest.mark.parametrize("token", ["0" * 64, "not-a-token", "A" * 64])
def test_it_answers_404_at_a_poll_url_it_never_gave(client, token):
    response = client.get(f"/api/v1/plan/{token}")
    assert response.status_code == 404
    assert response.json()["field"] == "token"
    assert "post it again" in response.json()["error"]


def test_it_answers_404_when_the_queued_solve_was_lost(client, sample_catalog, settings):
    from django.core.cache import cache

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.PLANNER_WAIT = 0
    token = _post(client, TRIP).json()["token"]
    cache.delete(f"plan:lock:{token}")  # as when its worker died
    response = client.get(f"/api/v1/plan/{token}")
    assert response.status_code == 404
    assert "post the trip again" in response.json()["error"]
