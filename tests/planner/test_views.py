import re

import pytest
from django.conf import settings
from django.core.management import call_command

from catalog.models import CatalogVersion, Plan
from planner.engine.result import from_document
from planner.models import SavedTrip
from planner.templatetags.roamplan import money

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample_catalog(db):
    call_command("import_catalog", str(settings.SAMPLE_CATALOG), verbosity=0)


def trip_data(*, legs=(("France", "10"), ("CH", "3"), ("United Kingdom", "4")), **fields):
    data = {
        "start_date": "2026-06-01",
        "devices": "1",
        "owned": "",
        "min_network": "",
        "esim_only": "on",
        "currency": "EUR",
        "switch_penalty": "0",
        "legs-TOTAL_FORMS": str(len(legs)),
        "legs-INITIAL_FORMS": "0",
    }
    for i, (country, days) in enumerate(legs):
        data.update(
            {
                f"legs-{i}-country": country,
                f"legs-{i}-days": days,
                f"legs-{i}-usage": "normal",
                f"legs-{i}-custom_gb": "",
            }
        )
    data.update(fields)
    return data


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
    assert 'name="switch_penalty" value="1.00"' in html


def test_it_plans_the_example_in_the_currency_chosen_in_the_header(client, sample_catalog):
    client.post("/currency/", {"currency": "USD", "next": "/"})
    response = client.get("/?example=1")
    assert response.context["shown"].result.total.currency == "USD"
    assert 'name="switch_penalty" value="1.10"' in response.content.decode()


@pytest.mark.parametrize(
    ("currency", "penalty"), [("EUR", "1.00"), ("USD", "1.10"), ("GBP", "0.86"), ("CHF", "0.94")]
)
def test_it_counts_about_one_euro_per_extra_esim_when_the_box_is_empty(
    client, sample_catalog, currency, penalty
):
    client.post("/save/", trip_data(currency=currency, switch_penalty=""))
    assert SavedTrip.objects.get().trip["switch_penalty"] == penalty


def test_it_states_the_default_for_an_extra_esim_beside_the_field(client, sample_catalog):
    html = client.get("/").content.decode()
    help_text = re.search(r'id="id_switch_penalty_helptext">(.*?)</p>', html, re.S).group(1)
    assert "about one euro (1.00 EUR) if left empty" in help_text


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


def test_it_adds_a_leg_without_planning(client, sample_catalog):
    response = client.post("/", {**trip_data(), "action": "add"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<form id="trip-form"')
    assert 'name="legs-3-country"' in html
    assert "autofocus" in html
    assert "errorlist" not in html


def test_it_removes_and_moves_legs(client, sample_catalog):
    html = client.post("/", {**trip_data(), "action": "remove:0"}).content.decode()
    assert 'name="legs-2-country"' not in html
    assert re.search(r'name="legs-0-country" value="Switzerland"', html)

    html = client.post("/", {**trip_data(), "action": "up:2"}).content.decode()
    assert re.search(r'name="legs-1-country" value="United Kingdom"', html)
    assert re.search(r'name="legs-2-country" value="Switzerland"', html)


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


def test_it_opens_a_saved_trip_for_editing_with_its_result_shown(client, sample_catalog):
    client.post("/save/", trip_data())
    saved = SavedTrip.objects.get()
    response = client.get(f"/?from={saved.token}")
    html = response.content.decode()
    assert re.search(r'name="legs-2-country" value="United Kingdom"', html)
    assert response.context["shown"].result == from_document(saved.result)
    assert 'data-testid="total"' in html


def test_it_404s_on_an_unknown_link(client, sample_catalog):
    assert client.get("/p/not-a-real-token/").status_code == 404
    assert client.get("/?from=not-a-real-token").status_code == 404


def test_it_remembers_the_currency_chosen_in_the_header(client, sample_catalog):
    response = client.post("/currency/", {"currency": "GBP", "next": "/countries/"})
    assert response.status_code == 302
    assert response["Location"] == "/countries/"
    html = client.get("/").content.decode()
    form_select = re.search(r'<select name="currency" id="id_currency">(.*?)</select>', html, re.S)
    assert re.search(r'<option value="GBP" selected>GBP</option>', form_select.group(1))


def test_it_ignores_an_unknown_currency_and_a_foreign_next(client, sample_catalog):
    response = client.post("/currency/", {"currency": "XXX", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    html = client.get("/").content.decode()
    form_select = re.search(r'<select name="currency" id="id_currency">(.*?)</select>', html, re.S)
    assert re.search(r'<option value="EUR" selected>EUR</option>', form_select.group(1))


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


def test_it_names_the_home_plan_of_a_saved_trip(client, sample_catalog):
    client.post("/save/", trip_data(owned="sfr-5g-130"))
    html = client.get(SavedTrip.objects.get().get_absolute_url()).content.decode()
    assert "SFR Forfait 5G 130 Go" in html
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
    assert "<dt>Bought from before</dt><dd>GigSky, Roamless</dd>" in facts
    assert "<dt>eSIMs</dt><dd>at most 2</dd>" in facts

    html = client.get(f"/?from={saved.token}").content.decode()
    assert re.search(r'name="resident_in" value="France"', html)
    assert re.search(r'name="customer_of" value="roamless"[^>]*checked', html)
    assert not re.search(r'name="customer_of" value="yesim"[^>]*checked', html)
    assert re.search(r'name="max_esims" value="2"', html)


def test_it_writes_a_version_1_trip_when_no_version_2_field_is_used(client, sample_catalog):
    client.post("/save/", trip_data())
    assert not {"resident_in", "customer_of", "max_esims"} & set(SavedTrip.objects.get().trip)


def test_it_offers_only_operators_with_new_customer_offers(client, sample_catalog):
    form = client.get("/").context["form"]
    assert [slug for slug, _name in form.fields["customer_of"].choices] == [
        "gigsky",
        "roamless",
        "yesim",
    ]


def test_it_makes_the_header_follow_the_trips_currency(client, sample_catalog):
    response = client.post("/", trip_data(currency="CHF"), headers={"HX-Request": "true"})
    html = response.content.decode()
    header = re.search(r'<select id="currency-select"[^>]*hx-swap-oob="true">(.*?)</select>', html)
    assert '<option value="CHF" selected>' in header.group(1)
    page = client.get("/countries/FR/").content.decode()
    assert "≈ amounts and prices per GB in CHF" in page


def _fragmenting_trip(**fields):
    # three short stops with only the price counting: the cheapest answer buys
    # several eSIMs, and fewer cost more
    return trip_data(
        legs=(("France", "3"), ("Switzerland", "3"), ("United Kingdom", "2")),
        owned="sfr-5g-130",
        switch_penalty="0",
        **fields,
    )


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


def test_it_gives_the_single_esim_answer_under_a_cap_of_one(client, sample_catalog):
    shown = client.post("/", _fragmenting_trip(max_esims="1")).context["shown"]
    assert len(shown.bought) == 1
    assert shown.choices == []


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
