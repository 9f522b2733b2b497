"""A saved trip's page (`views.saved`)."""

import json
import re

import pytest
from icalendar import Calendar

from catalog.models import CatalogVersion, Plan
from planner.engine.result import from_document
from planner.models import SavedTrip
from tests.planner.views.helpers import _fragmenting_trip, trip_data

pytestmark = pytest.mark.django_db


def test_it_offers_to_plan_again_when_the_catalog_changed(client, sample_catalog):
    client.post("/save/", trip_data())
    saved = SavedTrip.objects.get()
    bought = [p["plan"] for p in saved.result["purchases"] if not p["owned"]]
    Plan.objects.filter(slug__in=bought).update(retired_at="2026-11-01T00:00:00Z")
    CatalogVersion.bump("retired the plans of a saved trip")

    html = client.get(saved.get_absolute_url()).content.decode()
    assert "catalog has changed" in html
    assert "?recompute=1" in html

    html = client.get(saved.get_absolute_url() + "?recompute=1").content.decode()
    assert "What changed" in html
    assert "No longer in the plan" in html


def test_it_404s_on_an_unknown_link(client, sample_catalog):
    assert client.get("/p/not-a-real-token/").status_code == 404
    assert client.get("/?from=not-a-real-token").status_code == 404


def test_it_names_the_home_plan_of_a_saved_trip(client, sample_catalog):
    client.post("/save/", trip_data(owned="sfr-5g-130"))
    html = client.get(SavedTrip.objects.get().get_absolute_url()).content.decode()
    assert "SFR Forfait 5G 130 Go" in html
    assert "Sample data" in html


def test_it_shows_the_saved_plan_when_a_chosen_entry_no_longer_plans(client, sample_catalog):
    row = client.post("/", _fragmenting_trip()).context["shown"].choices
    client.post("/save/", _fragmenting_trip(esims=str(row[0].esims)))
    saved = SavedTrip.objects.get()
    # the home plan the trip holds is retired: the trip cannot be planned again
    Plan.objects.filter(slug="sfr-5g-130").update(retired_at="2026-11-01T00:00:00Z")
    CatalogVersion.bump("retired the home plan of a saved trip")
    for url in (f"/p/{saved.token}/?esims={row[0].esims}", f"/?from={saved.token}&esims=1"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.context["shown"].result == from_document(saved.result)


def _ics_events(body: bytes) -> list:
    return list(Calendar.from_ical(body).walk("VEVENT"))


def test_the_calendar_of_a_chosen_trade_off_entry_is_of_that_entry(client, sample_catalog):
    row = client.post("/", _fragmenting_trip()).context["shown"].choices
    fewest = row[0]
    client.post("/save/", _fragmenting_trip(esims=str(fewest.esims)))
    saved = SavedTrip.objects.get()
    assert len(_ics_events(client.get(f"/p/{saved.token}/calendar.ics").content)) == row[-1].esims

    page = client.get(f"/p/{saved.token}/?esims={fewest.esims}")
    url = f"/p/{saved.token}/calendar.ics?esims={fewest.esims}"
    assert f'href="{url}" download' in page.content.decode()
    events = _ics_events(client.get(url).content)
    # one event per purchase the page shows, each linking back to that page
    assert len(events) == len(page.context["shown"].bought) == fewest.esims
    permalink = f"http://testserver/p/{saved.token}/?esims={fewest.esims}"
    assert all(permalink in str(e["description"]) for e in events)
    assert "Change this trip" in page.content.decode()


def test_the_planners_calendar_of_a_chosen_entry_is_of_that_entry(client, sample_catalog):
    row = client.post("/", _fragmenting_trip()).context["shown"].choices
    fewest = row[0]
    html = client.post("/", _fragmenting_trip(esims=str(fewest.esims))).content.decode()
    form = re.search(r'<form id="calendar-form".*?</form>', html, re.S).group(0)
    trip = re.search(r'name="trip" value="([^"]+)"', form).group(1).replace("&quot;", '"')
    assert f'name="esims" value="{fewest.esims}"' in form

    response = client.post("/calendar/", {"trip": trip, "esims": str(fewest.esims)})
    assert response.status_code == 200
    events = _ics_events(response.content)
    assert len(events) == fewest.esims
    saved = SavedTrip.objects.get()
    assert saved.trip == json.loads(trip)
    assert f"http://testserver/p/{saved.token}/?esims={fewest.esims}" in str(
        events[0]["description"]
    )
