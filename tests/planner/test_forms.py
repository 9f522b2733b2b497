"""The planner's form makes the engine's Trip, and puts each problem beside its field."""

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.http import QueryDict

from catalog.store import offered_catalog as load_catalog
from planner.engine.model import Trip
from planner.forms import TripForm, edit_legs
from tests.planner.views.helpers import trip_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(db):
    call_command("import_catalog", str(settings.SAMPLE_CATALOG), verbosity=0)
    return load_catalog()


def _query(data: dict) -> QueryDict:
    q = QueryDict(mutable=True)
    q.update(data)
    return q


def test_a_valid_form_is_the_engines_trip(catalog):
    form = TripForm(trip_data(), catalog=catalog)
    assert form.is_valid()
    assert isinstance(form.trip, Trip)
    assert [(leg.country, leg.days, leg.gb_per_day) for leg in form.trip.legs] == [
        ("FR", 10, Decimal("1.5")),
        ("CH", 3, Decimal("1.5")),
        ("GB", 4, Decimal("1.5")),
    ]
    assert form.trip.start_date == date(2026, 6, 1)
    assert form.document["legs"][1] == {"country": "CH", "days": 3, "gb_per_day": "1.5"}


def test_an_engine_problem_goes_beside_its_field(catalog):
    form = TripForm(trip_data(), catalog=catalog)
    assert form.is_valid()
    form.add_trip_error("legs[1].gb_per_day", "too much")
    form.add_trip_error("owned[0]", "not a home plan")
    form.add_trip_error("legs", "too many legs")
    assert not form.is_valid() and form.trip is None
    assert form.legs.forms[1].errors == {"custom_gb": ["too much"]}
    assert form.errors["owned"] == ["not a home plan"]
    assert form.non_field_errors() == ["too many legs"]


def test_an_engine_problem_of_a_leg_counts_only_the_filled_legs(catalog):
    # a stop added and left empty is not in the trip document
    data = trip_data(legs=(("France", "3"), ("", ""), ("Belgium", "2")))
    form = TripForm(data, catalog=catalog)
    assert form.is_valid() and len(form.document["legs"]) == 2
    form.add_trip_error("legs[1].days", "no")
    assert form.legs.forms[2].errors == {"days": ["no"]} and not form.legs.forms[1].errors


def test_a_form_with_bad_fields_makes_no_trip(catalog):
    form = TripForm(trip_data(start_date="soon"), catalog=catalog)
    assert not form.is_valid() and form.trip is None and form.document is None
    assert "start_date" in form.errors


@pytest.mark.parametrize(
    ("action", "countries"),
    [
        ("add", ["France", "CH", "United Kingdom", ""]),
        ("remove:0", ["CH", "United Kingdom"]),
        ("up:2", ["France", "United Kingdom", "CH"]),
        ("down:0", ["CH", "France", "United Kingdom"]),
        ("down:2", ["France", "CH", "United Kingdom"]),  # the last cannot go down
        ("remove:9", ["France", "CH", "United Kingdom"]),
        ("nonsense", ["France", "CH", "United Kingdom"]),
    ],
)
def test_edit_legs_returns_the_data_with_the_legs_changed(action, countries):
    edited = edit_legs(_query(trip_data()), action)
    total = int(edited["legs-TOTAL_FORMS"])
    assert [edited.get(f"legs-{i}-country", "") for i in range(total)] == countries
    assert edited["start_date"] == "2026-06-01"


@pytest.mark.parametrize(
    ("language", "figures"),
    [
        ("en", ["0.5 GB", "1.5 GB", "3 GB", "Any network"]),
        ("fr", ["0,5 Go", "1,5 Go", "3 Go", "Tous réseaux"]),
        ("zh-hans", ["每天 0.5 GB", "每天 1.5 GB", "每天 3 GB", "任何网络"]),
    ],
)
def test_a_select_label_starts_with_its_figure_so_a_narrow_box_still_shows_it(
    catalog, language, figures
):
    # Browsers other than Chromium cut a select's text at the box's width (390 px).
    from django.utils import translation

    with translation.override(language):
        form = TripForm(catalog=catalog)
        usage = [str(label) for _key, label in form.legs.forms[0].fields["usage"].choices][:3]
        network = str(form.fields["min_network"].choices[0][1])
    assert [label[: len(f)] for label, f in zip(usage + [network], figures, strict=True)] == figures


@pytest.mark.parametrize(
    "document",
    [
        {
            "start_date": "2026-06-01",
            "legs": [
                {"country": "FR", "days": 3, "gb_per_day": "0.575"},
                {"country": "CH", "days": 2, "gb_per_day": "2"},
            ],
            "devices": 2,
            "sharing": True,
            "min_network": "4G",
            "needs_voice": True,
            "esim_only": False,
            "currency": "USD",
            "switch_penalty": "0.50",
        },
        {"start_date": "2026-07-01", "legs": [{"country": "GB", "days": 5, "gb_per_day": "1"}]},
    ],
)
def test_the_benchmarks_form_post_is_the_same_trip_as_its_document(catalog, document):
    # benchmark --only request and scripts/loadtest.py time what the form gets
    from planner.engine.trip import parse_trip
    from planner.form_post import form_post

    form = TripForm(_query(form_post(document, catalog.rates.base)), catalog=catalog)
    assert form.is_valid(), form.errors
    assert form.trip == parse_trip(document, catalog)
