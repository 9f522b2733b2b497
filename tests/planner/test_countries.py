"""One rule for "is this a country code", Kosovo's XK included, in every list we use."""

import subprocess
import sys

import pytest
from babel import Locale
from django.utils import translation
from django_countries import countries

from planner.engine.countries import KOSOVO, country_codes, is_country_code
from planner.engine.trip import TripError, parse_trip
from planner.forms import country_code
from tests.engine.helpers import make_catalog, make_plan


def test_it_counts_the_iso_countries_and_kosovo():
    codes = country_codes()
    assert len(codes) == 250
    assert {"FR", "CH", "GB", "CN", "XK", "RS", "AL"} <= codes
    assert is_country_code(KOSOVO)


@pytest.mark.parametrize(
    "value", ["xk", "XX", "EU", "EZ", "UN", "ZZ", "QO", "XA", "IC", "", None, 1]
)
def test_it_refuses_groupings_reserved_codes_and_non_codes(value):
    assert not is_country_code(value)


def test_it_agrees_with_the_countries_django_lists_for_fields_and_names():
    # CountryField choices, the admin and the pages' names come from django-countries
    # (with COUNTRIES_OVERRIDE adding XK); the check comes from Babel: the same codes.
    assert {code for code, _name in countries} == country_codes()


@pytest.mark.parametrize(
    ("language", "cldr_locale", "name"),
    [("en", "en", "Kosovo"), ("fr", "fr", "Kosovo"), ("zh-hans", "zh_Hans", "科索沃")],
)
def test_it_names_kosovo_in_each_language_as_cldr_does(language, cldr_locale, name):
    with translation.override(language):
        assert countries.name("XK") == name
    assert Locale.parse(cldr_locale).territories["XK"] == name


def test_it_accepts_kosovo_in_a_trip_and_names_the_leg_of_a_bad_code():
    catalog = make_catalog(make_plan("home"))
    legs = [{"country": "RS", "days": 2, "gb_per_day": "1"}]
    legs.append({"country": "XK", "days": 3, "gb_per_day": "1"})
    trip = parse_trip({"start_date": "2026-06-01", "legs": legs}, catalog)
    assert [leg.country for leg in trip.legs] == ["RS", "XK"]
    legs.append({"country": "KS", "days": 1, "gb_per_day": "1"})
    with pytest.raises(TripError) as error:
        parse_trip({"start_date": "2026-06-01", "legs": legs}, catalog)
    assert error.value.field == "legs[2].country"
    assert "'KS'" in error.value.message


def test_it_keeps_the_engine_free_of_django():
    code = (
        "import sys, planner.engine.countries, planner.engine.trip; "
        "print(sorted(m for m in sys.modules if m.split('.')[0].startswith('django')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("language", "typed"), [("en", "Kosovo"), ("fr", "kosovo"), ("zh-hans", "科索沃"), ("en", "xk")]
)
def test_it_lets_the_planner_form_take_kosovo_by_name_or_code(language, typed):
    with translation.override(language):
        assert country_code(typed) == "XK"


@pytest.mark.parametrize(
    ("language", "typed", "code"),
    [
        ("fr", "Tchéquie", "CZ"),  # France's official short name, not django-countries' fr
        ("fr", "republique tcheque", "CZ"),  # no accents
        ("en", "Czech Republic", "CZ"),
        ("en", "U.K.", "GB"),
        ("en", "Scotland", "GB"),
        ("fr", "Etats-Unis", "US"),
        ("en", "Suisse", "CH"),  # a French name on the English page
        ("fr", "瑞士", "CH"),
        ("zh-hans", "Switzerland", "CH"),
        ("en", "  united   KINGDOM ", "GB"),
    ],
)
def test_it_takes_the_names_travellers_type(language, typed, code):
    with translation.override(language):
        assert country_code(typed) == code


@pytest.mark.parametrize("typed", ["Atlantis", "U", "ZZ", "Europe", "", "   "])
def test_it_still_refuses_what_is_no_country(typed):
    with translation.override("en"):
        assert country_code(typed) is None
