"""Bad trips are rejected with the field named."""

import pytest

from planner.engine.trip import TripError, parse_trip
from tests.engine.helpers import make_catalog, make_plan

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
        (trip(resident_in="FR"), "resident_in"),
        (trip(resident_in=["FR", "ZZ"]), "resident_in[1]"),
        (trip(resident_in=["FR", "FR"]), "resident_in[1]"),
        (trip(customer_of=["op", "foo"]), "customer_of[1]"),
        (trip(customer_of=[3]), "customer_of[0]"),
        (trip(max_esims=0), "max_esims"),
        (trip(max_esims="2"), "max_esims"),
        (trip(max_esims=True), "max_esims"),
    ],
)
def test_it_names_the_field(data, field):
    with pytest.raises(TripError) as err:
        parse_trip(data, CATALOG)
    assert err.value.field == field
    assert field in str(err.value)


def test_it_parses_the_v2_fields():
    t = parse_trip(trip(resident_in=["FR"], customer_of=["op"], max_esims=2), CATALOG)
    assert (t.resident_in, t.customer_of, t.max_esims) == (("FR",), ("op",), 2)
    plain = parse_trip(trip(max_esims=None), CATALOG)
    assert (plain.resident_in, plain.customer_of, plain.max_esims) == ((), (), None)


def test_it_names_the_unknown_operator():
    with pytest.raises(TripError) as err:
        parse_trip(trip(customer_of=["foo"]), CATALOG)
    assert str(err.value) == "customer_of[0]: no operator 'foo'"
