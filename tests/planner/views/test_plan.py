"""The form posted (`views.plan`): the result, or the form again with each
problem beside its field."""

import re
from decimal import Decimal

import pytest

from planner.models import SavedTrip
from tests.planner.views.helpers import _fragmenting_trip, trip_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("currency", "penalty"), [("EUR", "3.00"), ("USD", "3.20"), ("GBP", "2.60"), ("CHF", "2.80")]
)
def test_it_counts_about_three_euros_per_extra_esim_when_the_box_is_empty(
    client, sample_catalog, currency, penalty
):
    client.post("/save/", trip_data(currency=currency, switch_penalty=""))
    assert SavedTrip.objects.get().trip["switch_penalty"] == penalty


@pytest.mark.parametrize(
    ("legs", "esims", "total"),
    [
        # at about €1: 7 eSIMs for €7.94, three identical 500 MB day passes on one day
        ((("Spain", "4"),), 1, "14.81"),
        # at about €1: 5 eSIMs for €23.13, three of them on one day
        ((("France", "3"), ("Kosovo", "2")), 2, "27.77"),
    ],
)
def test_the_default_for_an_extra_esim_recommends_few_esims(
    client, sample_catalog, legs, esims, total
):
    response = client.post("/", trip_data(legs=legs, start_date="2026-12-16", switch_penalty=""))
    shown = response.context["shown"]
    assert len(shown.bought) == esims
    assert shown.result.total.amount == Decimal(total)


def test_it_keeps_an_explicit_zero_for_an_extra_esim(client, sample_catalog):
    client.post("/save/", trip_data(switch_penalty="0"))
    assert SavedTrip.objects.get().trip["switch_penalty"] == "0"


def test_it_plans_a_trip_without_javascript(client, sample_catalog):
    response = client.post("/", trip_data())
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    assert "Your plan" in html
    assert 'data-testid="total"' in html
    assert "Day by day" in html
    # seventeen days, each in the timeline
    assert html.count('<li>\n      <span class="num">') == 17


def test_it_answers_htmx_with_the_result_and_the_field_errors_only(client, sample_catalog):
    response = client.post("/", trip_data(), headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<section id="result"')
    assert 'id="id_legs-0-country-errors" class="field-errors" hx-swap-oob="true"' in html


def test_it_puts_each_error_beside_its_field(client, sample_catalog):
    data = trip_data(legs=(("Atlantis", "3"), ("France", "0")))
    response = client.post("/", data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    errors = re.search(r'id="id_legs-0-country-errors"[^>]*>(.*?)</div>', html, re.S).group(1)
    assert "Atlantis" in errors
    errors = re.search(r'id="id_legs-1-days-errors"[^>]*>(.*?)</div>', html, re.S).group(1)
    assert "greater than or equal to 1" in errors
    assert "need a second look" in html


@pytest.mark.parametrize(
    "change",
    [
        {"legs-TOTAL_FORMS": "400"},
        {"legs-TOTAL_FORMS": "many"},
        {"legs-0-custom_gb": "-2", "legs-0-usage": "custom"},
        {"legs-0-usage": "custom"},
        {"start_date": "yesterday"},
        {"devices": "11"},
        {"currency": "XXX"},
        {"owned": "no-such-plan"},
        {"switch_penalty": "-1"},
        {"legs-0-days": "366"},
        {"legs-0-until": "2026-05-01", "legs-0-days": ""},
        {"resident_in": "Atlantis"},
        {"customer_of": "no-such-operator"},
        {"max_esims": "0"},
        {"max_esims": "two"},
    ],
)
def test_it_answers_bad_input_with_the_form_never_a_500(client, sample_catalog, change):
    response = client.post("/", trip_data(**change))
    assert response.status_code == 200
    assert "need a second look" in response.content.decode()
    assert SavedTrip.objects.count() == 0


def test_it_rejects_a_missing_management_form_with_a_message(client, sample_catalog):
    data = trip_data()
    del data["legs-TOTAL_FORMS"]
    response = client.post("/", data)
    assert response.status_code == 200
    assert "need a second look" in response.content.decode()


def test_it_takes_a_leg_by_its_last_day(client, sample_catalog):
    data = trip_data(legs=(("France", ""), ("Belgium", "2")), **{"legs-0-until": "2026-06-05"})
    html = client.post("/", data).content.decode()
    assert "Day by day" in html
    assert html.count('<li>\n      <span class="num">') == 7


@pytest.mark.parametrize("language", ["fr", "zh-hans"])
def test_it_plans_in_every_language(client, sample_catalog, language):
    client.cookies["django_language"] = language
    html = client.get("/?example=1").content.decode()
    # a date box takes ISO dates whatever the language
    assert re.search(r'type="date" name="start_date" value="\d{4}-\d\d-\d\d"', html)
    data = trip_data(legs=(("FR", "3"), ("CH", "2")))
    html = client.post("/", data).content.decode()
    assert 'data-testid="total"' in html
    assert f'<html lang="{language}">' in html


def test_it_labels_results_from_the_sample_catalog(client, sample_catalog):
    html = client.post("/", trip_data()).content.decode()
    assert "Sample data" in html


def test_it_explains_a_short_day_in_the_readers_language(client, sample_catalog):
    client.cookies["django_language"] = "fr"
    html = client.post("/", trip_data(legs=(("FR", "2"), ("GL", "1")))).content.decode()
    assert "Groenland" in html
    assert "no plan in the catalog covers" not in html


def test_it_keeps_where_the_traveller_lives_known_operators_and_the_esim_cap(
    client, sample_catalog
):
    data = trip_data(resident_in="France", customer_of=["roamless", "gigsky"], max_esims="2")
    response = client.post("/save/", data)
    saved = SavedTrip.objects.get()
    assert saved.trip["resident_in"] == ["FR"]
    assert saved.trip["customer_of"] == ["gigsky", "roamless"]
    assert saved.trip["max_esims"] == 2

    html = client.get(response["Location"]).content.decode()
    facts = re.search(r'<dl class="facts small">(.*?)</dl>', html, re.S).group(1)
    assert "<dt>Lives in</dt><dd>France</dd>" in facts
    assert "<dt>Bought from before</dt><dd>GigSky and Roamless</dd>" in facts
    assert "<dt>eSIMs</dt><dd>at most 2</dd>" in facts

    html = client.get(f"/?from={saved.token}").content.decode()
    assert re.search(r'name="resident_in" value="France"', html)
    assert re.search(r'name="customer_of" value="roamless"[^>]*checked', html)
    assert not re.search(r'name="customer_of" value="yesim"[^>]*checked', html)
    assert re.search(r'name="max_esims" value="2"', html)


def test_it_writes_a_version_1_trip_when_no_version_2_field_is_used(client, sample_catalog):
    client.post("/save/", trip_data())
    assert not {"resident_in", "customer_of", "max_esims"} & set(SavedTrip.objects.get().trip)


def test_it_makes_the_header_follow_the_trips_currency(client, sample_catalog):
    response = client.post("/", trip_data(currency="CHF"), headers={"HX-Request": "true"})
    html = response.content.decode()
    header = re.search(r'<select id="currency-select"[^>]*hx-swap-oob="true">(.*?)</select>', html)
    assert '<option value="CHF" selected>' in header.group(1)
    page = client.get("/countries/FR/").content.decode()
    assert "≈ amounts and prices per GB in CHF" in page


def test_it_shows_the_trade_off_and_plans_the_chosen_entry_in_full(client, sample_catalog):
    shown = client.post("/", _fragmenting_trip()).context["shown"]
    row = shown.choices
    assert len(row) >= 2
    assert [c.esims for c in row] == sorted(c.esims for c in row)
    assert row[-1].recommended and row[-1].chosen
    assert len(shown.bought) == row[-1].esims
    # each entry costs less than the one before it
    totals = [c.total.amount for c in row]
    assert totals == sorted(totals, reverse=True) and len(set(totals)) == len(totals)

    fewest = row[0]
    response = client.post("/", _fragmenting_trip(esims=str(fewest.esims)))
    chosen = response.context["shown"]
    assert len(chosen.bought) == fewest.esims
    assert chosen.result.total == fewest.total
    # the row stays the recommendation's, with the choice marked
    assert [(c.esims, c.chosen) for c in chosen.choices] == [
        (c.esims, c.esims == fewest.esims) for c in row
    ]
    html = response.content.decode()
    assert f'<input type="hidden" name="esims" value="{fewest.esims}" form="trip-form">' in html
    assert re.search(rf'name="esims" value="{fewest.esims}"[^>]*aria-pressed="true"', html)


def test_it_answers_htmx_with_the_chosen_entry(client, sample_catalog):
    row = client.post("/", _fragmenting_trip()).context["shown"].choices
    response = client.post(
        "/", _fragmenting_trip(esims=str(row[0].esims)), headers={"HX-Request": "true"}
    )
    assert response.content.decode().lstrip().startswith('<section id="result"')
    assert response.context["shown"].result.total == row[0].total


@pytest.mark.parametrize("esims", ["0", "99", "x", "-1", ""])
def test_it_shows_the_recommendation_for_an_entry_that_is_not_offered(
    client, sample_catalog, esims
):
    plain = client.post("/", _fragmenting_trip()).context["shown"]
    shown = client.post("/", _fragmenting_trip(esims=esims)).context["shown"]
    assert shown.result.total == plain.result.total
    assert shown.choices[-1].chosen


def test_it_gives_the_single_esim_answer_under_a_cap_of_one(client, sample_catalog):
    shown = client.post("/", _fragmenting_trip(max_esims="1")).context["shown"]
    assert len(shown.bought) == 1
    assert shown.choices == []


def test_the_extra_esim_amount_is_written_and_read_as_the_page_language_writes_numbers(
    client, sample_catalog
):
    client.cookies["django_language"] = "fr"
    html = client.get("/").content.decode()
    # a text box, not a number input: that would show the browser's "3.00" on a French page
    assert re.search(r'<input type="text" name="switch_penalty" value="3,00"', html)
    client.post("/save/", trip_data(legs=(("FR", "3"),), switch_penalty="2,50"))
    assert SavedTrip.objects.get().trip["switch_penalty"] == "2.50"
