"""Bad trips are rejected with the field named."""

import pytest

from planner.engine.trip import TripError, parse_trip
from tests.planner.helpers import make_catalog, make_plan

CATALOG = make_catalog(make_plan("home"))


def trip(**over):
    data = {"start_date": "2026-06-01", "legs": [{"country": "FR", "days": 3, "gb_per_day": "1"}]}
    data.update(over)
    return data


def leg(**over):
    return {"country": "FR", "days": 3, "gb_per_day": "1", **over}


def test_it_parses_defaults():
    t = parse_trip(trip(), CATALOG)
    assert t.devices == 1 and t.esim_only and t.currency == "EUR" and t.total_days == 3


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (trip(legs=[]), "legs"),
        (trip(legs=[leg()] * 400), "legs"),
        (trip(legs=[leg(), leg(gb_per_day="-1")]), "legs[1].gb_per_day"),
        (trip(legs=[leg(), leg(), leg(country="XX")]), "legs[2].country"),
        (trip(legs=[leg(days=0)]), "legs[0].days"),
        (trip(legs=[leg(days=200), leg(days=200)]), "legs[1].days"),
        (trip(legs=[leg(gb_per_day=1.5)]), "legs[0].gb_per_day"),
        (trip(legs=[leg(gb_per_day="51")]), "legs[0].gb_per_day"),
        (trip(legs=[leg(colour="red")]), "legs[0].colour"),
        (trip(owned=["nope"]), "owned[0]"),
        (trip(devices=11), "devices"),
        (trip(devices=True), "devices"),
        (trip(min_network="3G"), "min_network"),
        (trip(currency="JPY"), "currency"),
        (trip(switch_penalty="-1"), "switch_penalty"),
        (trip(start_date="June"), "start_date"),
        (trip(sharing="yes"), "sharing"),
        (trip(budget="10"), "budget"),
        ({"legs": [leg()]}, "start_date"),
    ],
)
def test_it_names_the_field(data, field):
    with pytest.raises(TripError) as err:
        parse_trip(data, CATALOG)
    assert err.value.field == field
    assert field in str(err.value)
