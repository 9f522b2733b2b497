"""A trip too large to plan at once is a form error on the page, never a 500."""

import pytest
from django.core.management import call_command

from tests.planner.views.helpers import trip_data

pytestmark = pytest.mark.django_db


def test_it_says_the_trip_is_too_large_to_plan_at_once(client, db, settings):
    call_command("import_catalog", str(settings.SAMPLE_CATALOG), verbosity=0)
    settings.PLANNER_TIME_LIMIT = 1.0
    countries = ["France", "Switzerland", "United Kingdom", "Germany", "Italy"]
    legs = tuple((countries[n % len(countries)], "18") for n in range(20))
    response = client.post("/", trip_data(legs=legs, devices="10"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "too large to plan at once" in html
    assert "360 days, 10 devices" in html
