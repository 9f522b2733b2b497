""" "Save and get a link" (`views.save`)."""

import re

import pytest

from catalog.models import CatalogVersion
from planner.models import SavedTrip
from planner.templatetags.roamplan import money
from tests.planner.views.helpers import _fragmenting_trip, trip_data

pytestmark = pytest.mark.django_db


def test_it_saves_the_trip_under_an_unguessable_link(client, sample_catalog):
    response = client.post("/save/", trip_data())
    assert response.status_code == 302
    saved = SavedTrip.objects.get()
    assert response["Location"] == f"/p/{saved.token}/"
    assert len(saved.token) >= 20
    assert saved.trip["legs"][1] == {"country": "CH", "days": 3, "gb_per_day": "1.5"}
    assert saved.catalog_version == CatalogVersion.current().label

    html = client.get(response["Location"]).content.decode()
    # the page shows the saved total, not any amount in euros
    shown_total = re.search(r'data-testid="total">([^<]+)<', html).group(1)
    assert shown_total == money(saved.result["total"]) == f"€{saved.result['total']['amount']}"
    assert "Switzerland" in html
    assert "catalog has changed" not in html


def test_it_redirects_htmx_to_the_saved_trip(client, sample_catalog):
    response = client.post("/save/", trip_data(), headers={"HX-Request": "true"})
    saved = SavedTrip.objects.get()
    assert response["HX-Redirect"] == f"/p/{saved.token}/"


def test_it_does_not_save_a_bad_trip(client, sample_catalog):
    response = client.post("/save/", trip_data(legs=(("Atlantis", "3"),)))
    assert response.status_code == 200
    assert SavedTrip.objects.count() == 0


def test_it_keeps_the_chosen_entry_in_the_saved_link(client, sample_catalog):
    row = client.post("/", _fragmenting_trip()).context["shown"].choices
    response = client.post("/save/", _fragmenting_trip(esims=str(row[0].esims)))
    saved = SavedTrip.objects.get()
    assert response["Location"] == f"/p/{saved.token}/?esims={row[0].esims}"
    # the trip saved is the traveller's own; the choice is the link's
    assert "max_esims" not in saved.trip
    page = client.get(response["Location"])
    assert page.context["shown"].result.total == row[0].total
    html = page.content.decode()
    assert re.search(rf'href="\?esims={row[0].esims}" aria-current="true"', html)
    assert f"?from={saved.token}&amp;esims={row[0].esims}" in html
    # and without the choice, the recommendation
    page = client.get(saved.get_absolute_url())
    assert page.context["shown"].result.total == row[-1].total
    # "Change this trip" keeps the choice too
    edit = client.get(f"/?from={saved.token}&esims={row[0].esims}")
    assert edit.context["shown"].result.total == row[0].total
