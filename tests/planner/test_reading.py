"""The trip and the catalog file read their values by one set of rules
(planner/engine/reading.py): the same bad value is refused by both, with the same
message, naming its field."""

from decimal import Decimal

import pytest

from catalog.document import CatalogError, parse_catalog
from planner.engine import reading
from planner.engine.trip import TripError, parse_trip
from tests.catalog.documents import catalog_doc, operator_doc, plan_doc
from tests.engine.helpers import make_catalog, make_plan

TRIP = {"start_date": "2026-06-01", "legs": [{"country": "FR", "days": 3, "gb_per_day": "1"}]}


def _trip_error(gb_per_day) -> str:
    leg = {**TRIP["legs"][0], "gb_per_day": gb_per_day}
    with pytest.raises(TripError) as info:
        parse_trip({**TRIP, "legs": [leg]}, make_catalog(make_plan()))
    assert info.value.field == "legs[0].gb_per_day"
    return info.value.message


def _catalog_error(price) -> str:
    doc = catalog_doc(operators=[operator_doc(plans=[plan_doc(price=price)])])
    with pytest.raises(CatalogError) as info:
        parse_catalog(doc)
    (problem,) = info.value.problems
    assert problem.field == "price"
    return problem.message


@pytest.mark.parametrize(
    ("value", "says"),
    [
        (2, "must be a decimal written as a JSON string, not 2"),
        (1.5, "must be a decimal written as a JSON string, not 1.5"),
        (True, "must be a decimal written as a JSON string, not True"),
        ("1e3", "'1e3' is not a decimal number such as \"12.50\""),
        (" 2", "' 2' is not a decimal number such as \"12.50\""),
        ("\u0661\u0662", "'\u0661\u0662' is not a decimal number such as \"12.50\""),
        ("NaN", "'NaN' is not a decimal number such as \"12.50\""),
        ("-1", "-1 must be at least 0"),
        ("123456789", "'123456789' is too large"),
    ],
)
def test_a_bad_decimal_is_refused_alike_in_a_trip_and_a_catalog(value, says):
    assert _trip_error(value) == _catalog_error(value) == says


def test_a_good_decimal_reads_alike():
    assert reading.decimal("12.50", "x", places=4) == Decimal("12.50")
    assert parse_trip(TRIP, make_catalog(make_plan())).legs[0].gb_per_day == Decimal(1)


@pytest.mark.parametrize(
    ("value", "says"),
    [
        (True, "must be a whole number, not True"),
        ("3", "must be a whole number, not '3'"),
        (3.0, "must be a whole number, not 3.0"),
        (0, "0 must be at least 1"),
    ],
)
def test_a_bad_whole_number_is_refused_alike(value, says):
    with pytest.raises(TripError) as trip:
        parse_trip({**TRIP, "devices": value}, make_catalog(make_plan()))
    doc = catalog_doc(operators=[operator_doc(plans=[plan_doc(validity_days=value)])])
    with pytest.raises(CatalogError) as catalog:
        parse_catalog(doc)
    assert trip.value.message == catalog.value.problems[0].message == says


def test_an_unknown_key_is_refused_alike():
    with pytest.raises(TripError) as trip:
        parse_trip({**TRIP, "colour": "red"}, make_catalog(make_plan()))
    with pytest.raises(CatalogError) as catalog:
        parse_catalog(catalog_doc(operators=[operator_doc(plans=[plan_doc(colour="red")])]))
    assert (trip.value.field, trip.value.message) == ("colour", "unknown key(s): colour")
    assert (catalog.value.problems[0].field, catalog.value.problems[0].message) == (
        "colour",
        "unknown key(s): colour",
    )
