"""After the answer: buy links, the calendar file, the result's map, the share box."""

import copy
import json
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from icalendar import Calendar

from catalog.document import parse_catalog
from catalog.importer import import_document
from catalog.models import CatalogVersion, Operator
from planner.models import SavedTrip
from planner.solving import SESSION_PLANNING
from planner.templatetags.roamplan import gb
from tests.catalog.documents import catalog_doc, coverage_entry, operator_doc, plan_doc
from tests.planner.test_result_page import RESULT, TRIP, _text
from tests.planner.views.helpers import trip_data as form_data

pytestmark = pytest.mark.django_db

START = date(2026, 6, 1)


@pytest.fixture
def local_plans(db):
    """One local plan per country, each with another way to start its clock, and
    each valid for just the days of its stop, so each starts on a known day."""
    doc = catalog_doc(
        operators=[
            operator_doc(
                slug="alpha",
                name="Alpha Mobile",
                website="https://alpha.example/",
                plans=[
                    plan_doc(
                        slug="fr-week",
                        name="France Week",
                        price="5",
                        validity_days=3,
                        coverage=[coverage_entry(countries=["FR"], network="5G")],
                        activation="install",
                        buy_url="https://alpha.example/buy/fr-week",
                    ),
                    plan_doc(
                        slug="ch-week",
                        name="Swiss Week",
                        price="6",
                        validity_days=2,
                        coverage=[coverage_entry(countries=["CH"])],
                        activation="purchase",
                    ),
                ],
            ),
            operator_doc(
                slug="beta",
                name="Beta <Roam>",
                plans=[
                    plan_doc(
                        slug="gb-week",
                        name="UK Week",
                        price="7",
                        validity_days=2,
                        coverage=[coverage_entry(countries=["GB"], cap_gb="3")],
                    )
                ],
            ),
        ]
    )
    import_document(parse_catalog(doc))


def trip_data(legs=(("FR", "3"), ("CH", "2"), ("GB", "2"))) -> dict:
    return form_data(legs=legs)


def _saved(client) -> SavedTrip:
    assert client.post("/save/", trip_data()).status_code == 302
    return SavedTrip.objects.get()


def _events(body: bytes) -> list:
    return sorted(Calendar.from_ical(body).walk("VEVENT"), key=lambda e: e.decoded("dtstart"))


# --- where to buy


def test_it_links_each_purchase_to_where_it_is_sold_in_a_new_tab(client, local_plans):
    # a row saved before addresses were checked: it must not become a link
    Operator.objects.filter(slug="beta").update(website="javascript:alert(1)")
    CatalogVersion.bump("an old row")
    html = client.post("/", trip_data()).content.decode()
    links = re.findall(
        r'<a class="button" href="([^"]+)" target="_blank" rel="noopener noreferrer"'
        r' data-testid="buy-link">',
        html,
    )
    # the plan's own page, then the operator's website; a "javascript:" website is no link
    assert links == ["https://alpha.example/buy/fr-week", "https://alpha.example/"]
    assert "Buy it from Alpha Mobile" in html
    assert "javascript:" not in html


def test_it_links_the_plan_page_to_where_it_is_sold(client, local_plans):
    html = client.get("/plans/fr-week/").content.decode()
    assert (
        'href="https://alpha.example/buy/fr-week" target="_blank" rel="noopener noreferrer"' in html
    )


# --- the calendar


def test_it_writes_one_event_per_purchase_on_the_day_to_act(client, local_plans):
    saved = _saved(client)
    response = client.get(f"/p/{saved.token}/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="roamplan-trip.ics"'

    fr, ch, gb = _events(response.content)
    permalink = f"http://testserver/p/{saved.token}/"
    # install: on the day; purchase: on the day; first use: the day before
    assert fr.decoded("dtstart") == START
    assert ch.decoded("dtstart") == START + timedelta(days=3)
    assert gb.decoded("dtstart") == START + timedelta(days=4)
    assert str(fr["summary"]) == "Install France Week (Alpha Mobile)"
    assert str(ch["summary"]) == "Buy Swiss Week (Alpha Mobile)"
    assert str(gb["summary"]) == "Install UK Week (Beta <Roam>)"
    assert str(fr["url"]) == "https://alpha.example/buy/fr-week"
    assert str(gb["url"]) == permalink  # nowhere to buy it: the trip itself

    description = str(fr["description"])
    assert "Install it on Mon, June 1, not before" in description
    # the card's words: "Jun 1 – 3", as CLDR writes a run of days
    assert "Covers: Jun 1\u2009–\u20093 (France)" in description
    assert "Buy it from Alpha Mobile: https://alpha.example/buy/fr-week" in description
    assert permalink in description
    assert "Covers: Jun 6\u2009–\u20097 (United Kingdom)" in str(gb["description"])
    assert "javascript:" not in response.content.decode()

    for event in (fr, ch, gb):
        (alarm,) = event.walk("VALARM")
        # an all-day event starts at midnight: 18:00 the evening before
        assert alarm.decoded("trigger") == timedelta(hours=-6)
        assert str(alarm["action"]) == "DISPLAY"
    assert len({str(e["uid"]) for e in (fr, ch, gb)}) == 3


def test_it_writes_the_calendar_in_the_pages_language(client, local_plans):
    saved = _saved(client)
    client.cookies["django_language"] = "fr"
    fr, ch, _gb = _events(client.get(f"/p/{saved.token}/calendar.ics").content)
    assert str(fr["summary"]).startswith("Installer France Week")
    assert "1 juin" in str(fr["description"])
    assert "Suisse" in str(ch["description"])


def test_it_gives_a_home_plan_no_event(client, local_plans):
    import_document(
        parse_catalog(
            catalog_doc(
                operators=[
                    operator_doc(
                        slug="home",
                        name="Home Telecom",
                        kind="mno",
                        country="FR",
                        plans=[
                            plan_doc(
                                slug="home-fr",
                                price="20",
                                validity_days=30,
                                data_gb="100",
                                voice=True,
                                coverage=[coverage_entry(countries=["FR"])],
                            )
                        ],
                    )
                ]
            )
        )
    )
    response = client.post("/save/", trip_data() | {"owned": "home-fr"})
    saved = SavedTrip.objects.get()
    assert response.status_code == 302
    assert any(p["owned"] for p in saved.result["purchases"])
    events = _events(client.get(f"/p/{saved.token}/calendar.ics").content)
    assert [str(e["summary"]) for e in events] == [
        "Buy Swiss Week (Alpha Mobile)",
        "Install UK Week (Beta <Roam>)",
    ]


def test_it_offers_the_calendar_on_the_result_and_saves_it_to_link_back(client, local_plans):
    html = client.post("/", trip_data()).content.decode()
    trip = _calendar_trip(html)
    assert 'form="calendar-form" class="button-secondary" data-testid="calendar"' in html
    assert trip["legs"][0] == {"country": "FR", "days": 3, "gb_per_day": "1.5"}

    response = client.post("/calendar/", {"trip": json.dumps(trip)})
    assert response.status_code == 200
    saved = SavedTrip.objects.get()
    events = _events(response.content)
    assert len(events) == 3
    assert f"http://testserver/p/{saved.token}/" in str(events[0]["description"])


CALENDAR_FORM = re.compile(
    r'<form id="calendar-form" method="post" action="/calendar/" hidden>.*?'
    r'name="trip" value="([^"]+)"(?:>\s*<input type="hidden" name="esims" value="(\d+)")?',
    re.S,
)


def _calendar_trip(html: str) -> dict:
    """The trip the page's "Add to my calendar" posts (its form is outside the
    result's cached body)."""
    match = CALENDAR_FORM.search(html)
    assert match, "no calendar form"
    return json.loads(match.group(1).replace("&quot;", '"'))


def _calendar_button(html: str) -> bool:
    sentence = "One event per plan on the day to install or buy it"
    button = re.search(r'<(a|button)[^>]*data-testid="calendar"', html)
    # the sentence explains the button: one goes with the other
    assert (sentence in html) == bool(button)
    return bool(button)


def test_it_offers_the_calendar_on_an_edited_saved_trip(client, local_plans):
    saved = _saved(client)
    html = client.get(f"/?from={saved.token}").content.decode()
    assert _calendar_button(html)
    # the result shown is the saved one: its calendar is the saved trip's
    assert f'href="/p/{saved.token}/calendar.ics" download' in html


def test_the_no_javascript_planning_page_offers_the_calendar_and_the_trade_off_note(
    client, local_plans
):
    # the page a queued trip ends on without JavaScript, once its worker is done
    client.post("/", {**trip_data(), "switch_penalty": "2"})
    planning = f"/planning/{client.session[SESSION_PLANNING]}/"
    html = client.get(planning).content.decode()
    assert 'data-testid="total"' in html
    assert _calendar_button(html)
    assert _calendar_trip(html)["switch_penalty"] == "2"
    assert "each extra eSIM counted as €2.00" in html
    # htmx polling the same page gets the same result body (one cached fragment)
    polled = client.get(planning, HTTP_HX_REQUEST="true").content.decode()
    assert _calendar_button(polled)
    assert "each extra eSIM counted as €2.00" in polled


def test_a_cached_result_body_carries_no_one_elses_csrf_token(client, local_plans):
    client.post("/", trip_data())  # fills the result body's cache
    other = Client(enforce_csrf_checks=True)
    other.get("/")
    html = other.post(
        "/", {**trip_data(), "csrfmiddlewaretoken": other.cookies["csrftoken"].value}
    ).content.decode()
    token = re.search(
        r'id="calendar-form".*?name="csrfmiddlewaretoken" value="([^"]+)"', html, re.S
    )
    response = other.post(
        "/calendar/",
        {"trip": json.dumps(_calendar_trip(html)), "csrfmiddlewaretoken": token.group(1)},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"


def test_it_offers_the_saved_calendar_as_a_plain_link(client, local_plans):
    saved = _saved(client)
    html = client.get(saved.get_absolute_url()).content.decode()
    assert f'href="/p/{saved.token}/calendar.ics" download' in html


@pytest.mark.parametrize(
    ("trip", "words"),
    [
        ("", "trip: is not a JSON document"),
        ("{not json", "trip: is not a JSON document"),
        ("[]", "trip: must be an object"),
        ("[" * 5000 + "]" * 5000, "trip: nests deeper than"),
        ("[" * 70_000, "trip: is 68.4 kB; the limit is 64 kB"),
        (
            json.dumps(
                {
                    "start_date": "2026-06-01",
                    "legs": [{"country": "ZZ", "days": 2, "gb_per_day": "1"}],
                }
            ),
            "legs[0].country",
        ),
    ],
)
def test_it_refuses_a_bad_calendar_request_and_saves_nothing(client, local_plans, trip, words):
    response = client.post("/calendar/", {"trip": trip})
    assert response.status_code == 400
    assert words in response.content.decode()
    assert SavedTrip.objects.count() == 0


def test_it_answers_only_post_for_an_unsaved_calendar_and_404_for_an_unknown_trip(
    client, local_plans
):
    assert client.get("/calendar/").status_code == 405
    assert client.get("/p/not-a-trip/calendar.ics").status_code == 404


# --- the map


def test_it_maps_each_country_in_the_colour_of_its_purchase(client, local_plans):
    html = client.post("/", trip_data()).content.decode()
    svg = re.search(r'<svg class="map-svg".*?</svg>', html, re.S).group(0)
    assert 'role="img"' in svg
    assert re.search(
        r'<path class="country p0" d="M[^"]+"><title>France: 1. France Week</title>', svg
    )
    assert "<title>Switzerland: 2. Swiss Week</title>" in svg
    assert "<title>United Kingdom: 3. UK Week</title>" in svg
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    key = re.search(r'<ul class="map-key".*?</ul>', html, re.S).group(0)
    assert [
        re.sub(r"\s+", " ", li).strip() for li in re.findall(r"<strong>(.*?)</strong>", key)
    ] == [
        "France",
        "Switzerland",
        "United Kingdom",
    ]


def test_it_stripes_a_country_served_by_two_purchases(client, local_plans):
    html = client.post(
        "/", trip_data(legs=(("FR", "3"), ("CH", "2"), ("FR", "8")))
    ).content.decode()
    svg = re.search(r'<svg class="map-svg".*?</svg>', html, re.S).group(0)
    assert re.search(r'<pattern id="trip-map-FR".*?<rect class="p0".*?<rect class="p2"', svg)
    assert 'class="country striped" fill="url(#trip-map-FR)"' in svg


def test_it_marks_a_country_no_plan_covers(client, local_plans):
    html = client.post("/", trip_data(legs=(("FR", "3"), ("DE", "2")))).content.decode()
    assert '<path class="country uncovered"' in html
    assert "<title>Germany: not covered</title>" in html


# --- share


def test_it_shares_the_saved_trip_as_a_plain_link_with_buttons_for_script(client, local_plans):
    saved = _saved(client)
    html = client.get(saved.get_absolute_url()).content.decode()
    assert f'<a href="http://testserver/p/{saved.token}/" data-share-url>' in html
    assert re.search(r'<p class="actions share-buttons" hidden>', html)
    assert re.search(r'<script src="/static/js/share\.js" defer></script>', html)


def test_it_offers_the_calendar_of_a_trip_planned_again_not_of_the_stored_one(client, local_plans):
    saved = _saved(client)
    CatalogVersion.bump("a change after the trip was saved")
    html = client.get(saved.get_absolute_url() + "?recompute=1").content.decode()
    assert "calendar.ics" not in html
    assert _calendar_trip(html) == saved.trip
    # the stored result alone keeps its plain link
    html = client.get(saved.get_absolute_url()).content.decode()
    assert f"/p/{saved.token}/calendar.ics" in html


def test_it_answers_a_trip_too_large_to_plan_with_a_400_not_a_500(client, settings):
    call_command("import_catalog", str(settings.SAMPLE_CATALOG), verbosity=0)
    settings.PLANNER_TIME_LIMIT = 1.0
    countries = ["FR", "CH", "GB", "DE", "IT"]
    trip = {
        "start_date": "2026-06-01",
        "devices": 10,
        "legs": [
            {"country": countries[n % len(countries)], "days": 18, "gb_per_day": "1.5"}
            for n in range(20)
        ],
    }
    response = client.post("/calendar/", {"trip": json.dumps(trip)})
    assert response.status_code == 400
    assert "trip: This trip is too large to plan at once (360 days, 10 devices)" in (
        response.content.decode()
    )
    assert SavedTrip.objects.count() == 0


def test_it_lists_a_run_of_one_plans_purchases_as_one_entry(client, local_plans):
    html = client.post("/", trip_data(legs=(("FR", "9"), ("CH", "2")))).content.decode()
    assert "<title>France: 1.–3. France Week</title>" in html
    key = re.search(r'<ul class="map-key".*?</ul>', html, re.S).group(0)
    assert re.search(r"</span>1\.–3\. France Week\s*</li>", key)
    # one colour for the run: France is not striped
    assert 'class="country p0" d=' in html
    assert "trip-map-FR" not in html


# --- the calendar says what the page says (the second screens review, 2)


def _calendar_like_the_page() -> dict:
    """Ubigi 3 GB, installed early (activated Dec 28) but first used Dec 30,
    serving France on Dec 30 and, after a day on the home plan, Jan 1, valid
    into 2027; then a first-order Ubigi offer bought after it."""
    doc = copy.deepcopy(RESULT)
    doc["days"][2]["country"] = "FR"
    paid, free = doc["purchases"][1], doc["purchases"][2]
    paid.update(activate_on="2026-12-28", days=["2026-12-30", "2027-01-01"])
    free.update(operator="ubigi", plan_name="Ubigi free 500 MB", plan="ubigi-free")
    return doc


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "en",
            {
                "when": "it starts when you first use it, on Wed, December 30.",
                "until": "Valid until January 30, 2027.",
                "covers": "Dec 30 and Jan 1, 2027 (France)",
                "first": "Buy it first, before any other purchase from Ubigi in this plan",
            },
        ),
        (
            "fr",
            {
                "when": "mer. 30 décembre",
                "until": "30 janvier 2027",
                "covers": "30 déc. et 1 janv. 2027 (France)",
                "first": "Achetez-le en premier, avant tout autre achat chez Ubigi",
            },
        ),
    ],
)
def test_the_calendar_says_what_the_card_says(client, language, words):
    call_command("import_catalog", str(settings.SAMPLE_CATALOG), verbosity=0)
    saved = SavedTrip.objects.create(
        trip=TRIP, result=_calendar_like_the_page(), catalog_version="test"
    )
    client.cookies["django_language"] = language
    page = _text(client.get(saved.get_absolute_url()).content.decode())
    body = client.get(f"/p/{saved.token}/calendar.ics").content
    paid, free = (str(e["description"]) for e in _events(body))
    for text in (words["when"], words["until"], words["covers"]):
        assert text in page  # the card's words ...
        assert text in paid  # ... are the event's
    assert words["first"] in page
    assert words["first"] in free and words["first"] not in paid
    assert "(France); " not in paid and "(France) ; " not in paid


def _visible_text(html: str) -> str:
    """Visible text: tags dropped, runs of ASCII whitespace as one space (a no-break
    space is kept, it is the French colon's)."""
    return re.sub(r"[ \t\n]+", " ", re.sub(r"<[^>]+>", "", html)).strip()


@pytest.mark.parametrize(
    ("language", "legs", "link", "key"),
    [
        (
            "en",
            ["France: 3 days, {gb} a day", "Switzerland: 2 days, {gb} a day"],
            "Link to this plan: http",
            "France: 1. France Week",
        ),
        (
            "fr",
            ["France\u00a0: 3 jours, {gb} par jour", "Suisse\u00a0: 2 jours, {gb} par jour"],
            "Lien vers ce plan\u00a0: http",
            "France\u00a0: 1. France Week",
        ),
        (
            "zh-hans",
            ["法国：3 天，每天 {gb}", "瑞士：2 天，每天 {gb}"],
            "此方案的链接：http",
            "法国：1. France Week",
        ),
    ],
)
def test_the_saved_trip_is_punctuated_in_the_readers_language(
    client, local_plans, language, legs, link, key
):
    saved = _saved(client)
    client.cookies["django_language"] = language
    html = client.get(saved.get_absolute_url()).content.decode()
    saved_legs = html.split('class="saved-legs"')[1].split("</ol>")[0]
    shown = [_visible_text(li) for li in re.findall(r"<li>(.*?)</li>", saved_legs, re.S)]
    with translation.override(language):
        amount = gb(Decimal("1.5"))  # the one GB rule, whatever its spacing
    assert shown[:2] == [leg.format(gb=amount) for leg in legs]
    assert link in _visible_text(html.split('class="share"')[1].split("</p>")[0])
    map_key = re.search(r'<ul class="map-key".*?</ul>', html, re.S).group(0)
    assert _visible_text(re.findall(r"<li>(.*?)</li>", map_key, re.S)[0]) == key


def test_the_map_key_joins_a_countrys_plans_with_the_readers_comma(client, local_plans):
    client.cookies["django_language"] = "zh-hans"
    html = client.post(
        "/", trip_data(legs=(("FR", "3"), ("CH", "2"), ("FR", "8")))
    ).content.decode()
    map_key = re.search(r'<ul class="map-key".*?</ul>', html, re.S).group(0)
    france = _visible_text(re.findall(r"<li>(.*?)</li>", map_key, re.S)[0])
    assert france.startswith("法国：1. France Week、")
    assert ", " not in france
