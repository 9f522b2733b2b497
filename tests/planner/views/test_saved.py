"""A saved trip's page (`views.saved`)."""

import pytest

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
