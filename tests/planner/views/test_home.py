"""The planner page, GET (`views.home`): empty, the example planned at once,
a saved trip to edit."""

import re

import pytest

from planner.engine.result import from_document
from planner.models import SavedTrip
from tests.planner.views.helpers import trip_data

pytestmark = pytest.mark.django_db


def test_it_shows_the_empty_planner(client, sample_catalog):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="legs-0-country"' in html
    assert "How it works" in html
    assert 'id="country-names"' in html


def test_it_prefills_and_plans_the_example_trip_at_once(client, sample_catalog):
    response = client.get("/?example=1")
    html = response.content.decode()
    assert 'name="legs-3-country"' in html
    assert 'value="Switzerland"' in html
    shown = response.context["shown"]
    assert [day.country for day in shown.timeline] == ["FR"] * 10 + ["CH"] * 3 + ["GB"] * 4 + [
        "FR"
    ] * 5
    assert 'data-testid="total"' in html
    # planned with the form's own default for an extra eSIM, shown in the box
    assert 'name="switch_penalty" value="3.00"' in html


def test_it_plans_the_example_in_the_currency_chosen_in_the_header(client, sample_catalog):
    client.post("/currency/", {"currency": "USD", "next": "/"})
    response = client.get("/?example=1")
    assert response.context["shown"].result.total.currency == "USD"
    assert 'name="switch_penalty" value="3.20"' in response.content.decode()


def test_it_opens_a_saved_trip_for_editing_with_its_result_shown(client, sample_catalog):
    client.post("/save/", trip_data())
    saved = SavedTrip.objects.get()
    response = client.get(f"/?from={saved.token}")
    html = response.content.decode()
    assert re.search(r'name="legs-2-country" value="United Kingdom"', html)
    assert response.context["shown"].result == from_document(saved.result)
    assert 'data-testid="total"' in html


def test_it_offers_only_operators_with_new_customer_offers(client, sample_catalog):
    form = client.get("/").context["form"]
    assert [slug for slug, _name in form.fields["customer_of"].choices] == [
        "gigsky",
        "roamless",
        "yesim",
    ]


def test_it_states_the_default_for_an_extra_esim_beside_the_field(client, sample_catalog):
    html = client.get("/").content.decode()
    help_text = re.search(r'id="id_switch_penalty_helptext">(.*?)</p>', html, re.S).group(1)
    assert "about three euros (€3.00) if left empty" in help_text


@pytest.mark.parametrize(
    ("language", "amount"), [("fr", "3,00\xa0€"), ("zh-hans", "€3.00"), ("en", "€3.00")]
)
def test_it_writes_the_default_for_an_extra_esim_as_the_language_writes_money(
    client, sample_catalog, language, amount
):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    help_text = re.search(r'id="id_switch_penalty_helptext">(.*?)</p>', html, re.S).group(1)
    assert amount in help_text
    assert "3.00 EUR" not in help_text
