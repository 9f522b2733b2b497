"""The reproducers of issue 9 on the planner's side: each was a 500 or a traceback."""

import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from catalog.store import forget_catalog
from catalog.store import offered_catalog as load_catalog
from planner.engine.bounds import MAX_JSON_DEPTH, BoundsError, http_url_error, load_json
from planner.engine.trip import TripError, parse_trip
from tests.planner.views.helpers import trip_data

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def sample_catalog(db):
    call_command("import_catalog", str(settings.SAMPLE_CATALOG), verbosity=0)
    forget_catalog()
    yield
    forget_catalog()


def with_empty_stop(**fields) -> dict:
    data = trip_data(legs=(("France", "5"),), **fields)
    # What "Add a stop" then leaving it empty posts: the usage select keeps its default.
    data.update(
        {
            "legs-TOTAL_FORMS": "2",
            "legs-1-country": "",
            "legs-1-days": "",
            "legs-1-until": "",
            "legs-1-usage": "normal",
            "legs-1-custom_gb": "",
        }
    )
    return data


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_it_ignores_an_empty_stop(client, sample_catalog, headers):
    response = client.post("/", with_empty_stop(), headers=headers)
    assert response.status_code == 200
    assert 'data-testid="total"' in response.text


def test_it_marks_an_empty_stop_that_has_a_usage_chosen(client, sample_catalog):
    data = with_empty_stop()
    data["legs-1-usage"] = "heavy"
    response = client.post("/", data, headers=HTMX)
    assert response.status_code == 200
    assert 'data-testid="total"' not in response.text
    assert 'id="id_legs-1-country-errors"' in response.text
    assert "This field is required." in response.text


def test_it_saves_a_trip_with_an_empty_stop(client, sample_catalog):
    response = client.post("/save/", with_empty_stop())
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"start_date": "9999-12-31"}, "start_date"),
        ({"start_date": "0001-01-01"}, "start_date"),
        ({"legs-0-days": "", "legs-0-until": "9999-12-31"}, "legs-0-until"),
    ],
)
def test_it_refuses_extreme_dates_beside_the_field(client, sample_catalog, fields, field):
    response = client.post("/", trip_data(legs=(("France", "1"),), **fields), headers=HTMX)
    assert response.status_code == 200
    errors = response.text.split(f'id="id_{field}-errors"')[1].split("</div>")[0]
    assert "Pick a date between" in errors


def test_it_accepts_the_real_trips_amounts_of_data(client, sample_catalog):
    data = trip_data(legs=(("France", "3"),))
    data.update({"legs-0-usage": "custom", "legs-0-custom_gb": "0.575"})
    response = client.post("/", data)
    assert 'step="any"' in response.text
    assert 'data-testid="total"' in response.text


def write(tmp_path, text: str) -> str:
    path = tmp_path / "trip.json"
    path.write_text(text)
    return str(path)


TRIP = {"start_date": "2026-06-01", "legs": [{"country": "FR", "days": 3, "gb_per_day": "1"}]}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[" * 30_000 + "]" * 30_000, f"nests deeper than {MAX_JSON_DEPTH} levels"),
        ("[" * 100 + "]" * 100, f"nests deeper than {MAX_JSON_DEPTH} levels"),
        (json.dumps({**TRIP, "start_date": "9999-12-31"}), "start_date: must be between"),
        (json.dumps({**TRIP, "switch_penalty": "1E+999999999999999999"}), "switch_penalty"),
        (json.dumps({**TRIP, "": 1}), 'bad trip: "": unknown key(s): ""'),
        ('{"legs": 1, "legs": 2}', 'the trip has the key "legs" twice'),
        ('{"start_date": NaN}', "has NaN, which is not a JSON value"),
        ('{"devices": ' + "9" * 5000 + "}", "a number of more than 18 digits"),
        ("x" * 70_000, "larger than the limit of 64 kB"),
    ],
    ids=[
        "nested",
        "nested-100",
        "year-9999",
        "exponent",
        "empty-key",
        "repeated-key",
        "nan",
        "huge-int",
        "huge-file",
    ],
)
def test_recommend_names_the_problem_in_one_line(sample_catalog, tmp_path, text, message):
    with pytest.raises(CommandError) as info:
        call_command("recommend", write(tmp_path, text), stdout=StringIO())
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_the_engine_bounds_the_switch_penalty_as_the_form_does(sample_catalog):
    with pytest.raises(TripError) as info:
        parse_trip({**TRIP, "switch_penalty": "1000.01"}, load_catalog())
    assert info.value.field == "switch_penalty"
    assert parse_trip({**TRIP, "switch_penalty": "1000"}, load_catalog()).switch_penalty == 1000


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>x</script>",
        "vbscript:msgbox",
        "//example.org/x",
        "/relative",
        "http://",
        "https://exa mple.org",
        "ftp://example.org/",
    ],
)
def test_only_http_urls_pass(url):
    assert http_url_error(url)


@pytest.mark.parametrize("url", ["", "https://example.org/offer?x=1", "http://a.example"])
def test_http_urls_pass(url):
    assert http_url_error(url) is None


def test_load_json_says_which_bound():
    with pytest.raises(BoundsError, match="is 2 kB; the limit is 1 kB"):
        load_json(b"[" + b" " * 2046 + b"]", max_bytes=1024)
    assert load_json('{"a": [1, "2"]}', max_bytes=100) == {"a": [1, "2"]}
