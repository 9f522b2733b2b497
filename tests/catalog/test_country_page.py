from datetime import date

import pytest
from django.urls import reverse

from catalog.models import Plan
from tests.catalog.factories import (
    add_coverage,
    make_operator,
    make_plan,
    make_promotion,
    make_rates,
    make_version,
)

pytestmark = pytest.mark.django_db

URL = reverse("catalog:country", args=["DE"])


def _names(response) -> list[str]:
    return [plan.name for plan in response.context["page"].object_list]


@pytest.fixture
def rates():
    return make_rates(per_base={"EUR": "1", "USD": "2"})


def test_it_lists_the_offered_plans_covering_the_country(client, rates):
    make_plan(name="Germany 5", countries=("DE",))
    make_plan(name="Austria 5", countries=("AT",))
    make_plan(name="Gone", countries=("DE",), retired_at="2026-01-01T00:00Z")
    response = client.get(URL)
    assert response.status_code == 200
    assert _names(response) == ["Germany 5"]
    assert "<html" in response.text  # the whole page, without JavaScript


def test_it_sorts_by_price_in_the_base_currency(client, rates):
    make_plan(
        name="Ten euros",
        countries=("DE",),
        price="10",
        currency="EUR",
        data_gb="1",
        validity_days=7,
    )
    make_plan(
        name="Twelve dollars",
        countries=("DE",),
        price="12",
        currency="USD",
        data_gb="6",
        validity_days=30,
    )
    make_plan(
        name="Unlimited",
        countries=("DE",),
        price="30",
        currency="EUR",
        data_gb=None,
        validity_days=3,
    )
    assert _names(client.get(URL)) == ["Twelve dollars", "Ten euros", "Unlimited"]
    # 6 EUR for 6 GB, then 10 EUR for 1 GB; unlimited has no price per GB and comes last
    assert _names(client.get(URL, {"sort": "price_per_gb"})) == [
        "Twelve dollars",
        "Ten euros",
        "Unlimited",
    ]
    assert _names(client.get(URL, {"sort": "validity"})) == [
        "Twelve dollars",
        "Ten euros",
        "Unlimited",
    ]


def test_it_filters_5g_hotspot_phone_number_and_scope(client, rates):
    fast = make_plan(name="Fast", countries=("DE",), network="5G", hotspot=True)
    add_coverage(plan=fast, countries=("AT",), network="4G")
    make_plan(name="Fast elsewhere", countries=("AT",), network="5G")
    slow_at = make_plan(name="Fast in Austria only", countries=("DE",), voice=True)
    add_coverage(plan=slow_at, countries=("CZ",), network="5G")
    make_plan(name="Local", countries=("DE",))
    assert _names(client.get(URL, {"five_g": "on"})) == ["Fast"]
    assert _names(client.get(URL, {"hotspot": "on"})) == ["Fast"]
    assert _names(client.get(URL, {"voice": "on"})) == ["Fast in Austria only"]
    assert _names(client.get(URL, {"scope": "local"})) == ["Local"]
    assert set(_names(client.get(URL, {"scope": "regional"}))) == {"Fast", "Fast in Austria only"}


def test_it_sorts_by_data_and_in_both_directions(client, rates):
    make_plan(name="Small", countries=("DE",), data_gb="1", price="3", validity_days=30)
    make_plan(name="Unlimited", countries=("DE",), data_gb=None, price="30", validity_days=1)
    make_plan(name="Big", countries=("DE",), data_gb="20", price="12", validity_days=7)
    # unlimited is the most data
    assert _names(client.get(URL, {"sort": "data"})) == ["Unlimited", "Big", "Small"]
    assert _names(client.get(URL, {"sort": "data", "dir": "asc"})) == ["Small", "Big", "Unlimited"]
    assert _names(client.get(URL, {"dir": "desc"})) == ["Unlimited", "Big", "Small"]
    assert _names(client.get(URL, {"sort": "validity", "dir": "asc"})) == [
        "Unlimited",
        "Big",
        "Small",
    ]
    # no price per GB (unlimited) comes last in both directions
    assert _names(client.get(URL, {"sort": "price_per_gb", "dir": "desc"})) == [
        "Small",
        "Big",
        "Unlimited",
    ]


def test_it_links_the_chosen_column_to_its_reverse(client, rates):
    make_plan(name="Only", countries=("DE",))
    page = client.get(URL, {"sort": "data"}).text
    assert 'aria-sort="descending"' in page
    assert 'href="?sort=data&amp;dir=asc"' in page
    page = client.get(URL, {"sort": "data", "dir": "asc"}).text
    assert 'aria-sort="ascending"' in page
    assert 'href="?sort=data&amp;dir=desc"' in page
    assert 'href="?sort=price"' in page


def test_it_filters_by_operator_and_searches_plan_and_operator_names(client, rates):
    sunny = make_operator(name="Sunny Mobile")
    other = make_operator(name="Blue Telecom")
    make_plan(operator=sunny, name="Germany 5", countries=("DE",))
    make_plan(operator=other, name="Europe Sunny 10", countries=("DE", "AT"))
    make_plan(operator=other, name="Germany 20", countries=("DE",))
    make_plan(operator=make_operator(name="Elsewhere"), name="Austria", countries=("AT",))
    response = client.get(URL, {"operator": sunny.slug})
    assert _names(response) == ["Germany 5"]
    # only operators with a plan here are offered
    assert [c[1] for c in response.context["form"].fields["operator"].choices] == [
        "all operators",
        "Blue Telecom",
        "Sunny Mobile",
    ]
    assert sorted(_names(client.get(URL, {"q": "sunny"}))) == ["Europe Sunny 10", "Germany 5"]
    assert _names(client.get(URL, {"q": " 20 "})) == ["Germany 20"]
    assert _names(client.get(URL, {"q": "sunny", "operator": other.slug})) == ["Europe Sunny 10"]
    assert _names(client.get(URL, {"q": "nothing like it"})) == []


def test_it_shows_amounts_in_the_currency_chosen_in_the_header(client, rates):
    make_plan(name="Ten euros", countries=("DE",), price="10", currency="EUR", data_gb="4")
    client.post("/currency/", {"currency": "USD", "next": "/"})
    page = client.get(URL).text
    assert "≈ $20.00" in page  # 10 EUR at 2 USD per EUR
    assert "$5.00" in page  # per GB
    assert "≈ amounts and prices per GB in USD" in page


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "colour", "scope": "moon", "page": "x"},
        {"sort": "xyz", "page": "-1", "network": "9G"},
        {"page": "99999", "scope": "", "sort": ""},
        {"dir": "sideways", "operator": "nobody", "q": "x" * 500},
    ],
)
def test_it_ignores_a_bad_filter_value_instead_of_failing(client, rates, params):
    make_plan(name="Only", countries=("DE",))
    response = client.get(URL, params)
    assert response.status_code == 200
    assert _names(response) == ["Only"]


def test_it_matches_a_search_literally(client, rates):
    make_plan(name="100% Germany", countries=("DE",))
    make_plan(name="Germany", countries=("DE",))
    assert _names(client.get(URL, {"q": "100%"})) == ["100% Germany"]
    assert _names(client.get(URL, {"q": "_"})) == []


def test_it_answers_htmx_with_the_results_only(client, rates):
    make_plan(name="Germany 5", countries=("DE",))
    response = client.get(URL, {"sort": "validity"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="results"')
    assert "<html" not in response.text
    assert "HX-Request" in response["Vary"]


def test_it_gives_the_whole_page_to_an_htmx_history_restore(client, rates):
    response = client.get(URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in response.text


def test_it_links_sorting_and_pages_for_browsers_without_javascript(client, rates):
    operator = make_operator()
    for i in range(51):
        make_plan(operator=operator, name=f"Plan {i:02}", countries=("DE",))
    page = client.get(URL).text
    assert 'href="?sort=price_per_gb' in page
    assert 'action="/countries/DE/"' in page
    assert 'rel="next" href="?page=2' in page
    assert len(_names(client.get(URL, {"page": "2"}))) == 1


def test_it_labels_sample_data(client, rates):
    make_version(sample=True)
    assert "Sample data" in client.get(URL).text
    make_version(sample=False)
    assert "Sample data" not in client.get(URL).text


def test_it_answers_404_for_an_unknown_country(client):
    assert client.get(reverse("catalog:country", args=["XX"])).status_code == 404


def test_it_accepts_a_lower_case_country_code(client, rates):
    make_plan(name="Germany 5", countries=("DE",))
    assert _names(client.get(reverse("catalog:country", args=["de"]))) == ["Germany 5"]


def _add_plans(n: int) -> None:
    for i in range(n):
        plan = make_plan(
            countries=("DE", "AT"), price=str(i + 1), currency="USD" if i % 2 else "EUR"
        )
        make_promotion(plan=plan, starts=date(2020, 1, 1), ends=date(2030, 1, 1))
        add_coverage(plan=plan, countries=("CZ",), network="5G")


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"sort": "price_per_gb", "five_g": "on", "scope": "regional"},
        {"sort": "validity"},
        {"sort": "data", "dir": "asc", "q": "plan", "operator": "operator-1"},
    ],
)
def test_it_runs_the_same_queries_for_a_small_and_a_large_catalog(queries_of, rates, params):
    # Each catalog change bumps the version, so the first visit after it includes
    # the header's cold load of the catalog (catalog.store.offered_catalog) and
    # counts the plans and lists the operators once for that version (kept in
    # the cache: with the database cache, storing them is queries too); the
    # next visit reads them back.
    _add_plans(5)
    make_version()
    small_first, small = queries_of(URL, params), queries_of(URL, params)
    _add_plans(10)
    make_version()
    assert queries_of(URL, params) == small_first
    assert queries_of(URL, params) == small
    assert small < small_first <= 30
    assert small <= 8


def test_it_lists_countries_with_their_plan_count(client, rates, django_assert_max_num_queries):
    make_plan(countries=("DE", "AT"))
    make_plan(countries=("DE",))
    make_version()
    client.get(reverse("catalog:countries"))  # the header's catalog is loaded once per version
    with django_assert_max_num_queries(8):
        response = client.get(reverse("catalog:countries"))
    assert ("DE", "Germany", 2) in response.context["rows"]
    assert Plan.objects.count() == 2


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "Mobile data plans for Kosovo"),
        ("fr", "Kosovo\xa0: forfaits de données mobiles"),
        ("zh-hans", "科索沃移动数据套餐"),
    ],
)
def test_it_shows_kosovo_in_every_language(client, rates, language, title):
    make_plan(name="Balkans 3", countries=("RS", "XK", "AL"))
    make_plan(name="Serbia 5", countries=("RS",))
    client.cookies["django_language"] = language
    response = client.get(reverse("catalog:country", args=["XK"]))
    assert response.status_code == 200
    assert _names(response) == ["Balkans 3"]
    html = response.text
    assert f'<html lang="{language}">' in html
    assert title in html.split("<h1>")[1].split("</h1>")[0]

    index = client.get(reverse("catalog:countries"))
    name = {"en": "Kosovo", "fr": "Kosovo", "zh-hans": "科索沃"}[language]
    assert ("XK", name, 1) in index.context["rows"]
    assert f'<a href="{reverse("catalog:country", args=["XK"])}">{name}</a>' in index.text


def test_it_sorts_a_daily_cap_by_the_cap_over_the_validity(client, rates):
    # "1 GB a day" for 10 days gives at most 10 GB at high speed: less than a
    # 350 GB plan, more than a 5 GB one; only a plan with no cap at all is the most.
    make_plan(name="Big", countries=("DE",), data_gb="350", price="30", validity_days=30)
    make_plan(name="Small", countries=("DE",), data_gb="5", price="5", validity_days=30)
    make_plan(name="Daily 1", countries=("DE",), data_gb=None, daily_gb="1", validity_days=10)
    make_plan(name="Daily 3", countries=("DE",), data_gb=None, daily_gb="3", validity_days=10)
    make_plan(name="No cap", countries=("DE",), data_gb=None, price="40", validity_days=10)
    # 20 GB in all but at most 1 GB a day for 7 days: 7 GB
    make_plan(name="Both", countries=("DE",), data_gb="20", daily_gb="1", validity_days=7)
    order = ["No cap", "Big", "Daily 3", "Daily 1", "Both", "Small"]
    assert _names(client.get(URL, {"sort": "data"})) == order
    assert _names(client.get(URL, {"sort": "data", "dir": "asc"})) == order[::-1]


def test_the_api_lists_by_the_same_data_rule(client, rates):
    make_plan(name="Big", countries=("DE",), data_gb="350", price="30", validity_days=30)
    make_plan(name="Daily 1", countries=("DE",), data_gb=None, daily_gb="1", validity_days=10)
    rows = client.get("/api/v1/countries/DE/plans", {"sort": "data"}).json()["plans"]
    assert [row["name"] for row in rows] == ["Big", "Daily 1"]


@pytest.mark.parametrize(
    ("language", "residents", "renews", "new"),
    [
        ("en", "residents of France only", "subscription", "new customers only"),
        ("fr", "réservé aux résidents (France)", "abonnement", "nouveaux clients uniquement"),
        ("zh-hans", "仅限法国居民", "订阅", "仅限新用户"),
    ],
)
def test_it_marks_residents_only_subscription_and_new_customer_plans_in_words(
    client, rates, language, residents, renews, new
):
    french = make_operator(country="FR", kind="mno")
    make_plan(
        operator=french, name="Contract", countries=("DE",), residents_only=True, subscription=True
    )
    make_plan(name="First order", countries=("DE",), new_customer_only=True)
    make_plan(name="Plain", countries=("DE",))
    client.cookies["django_language"] = language
    page = client.get(URL).text
    rows = {
        name: row
        for row in page.split("<tr>")[2:]
        for name in ("Contract", "First order", "Plain")
        if f">{name}</a>" in row
    }
    assert residents in rows["Contract"] and renews in rows["Contract"]
    assert new in rows["First order"] and residents not in rows["First order"]
    assert "plan-terms" not in rows["Plain"]


@pytest.mark.parametrize(
    ("language", "names"),
    [
        ("fr", ["Allemagne", "Danemark", "Égypte", "Espagne", "Suisse"]),
        # by pinyin (ai, dan, de, rui, xi), not by code point (丹 < 埃 < 德 < 瑞 < 西)
        ("zh-hans", ["埃及", "丹麦", "德国", "瑞士", "西班牙"]),
    ],
)
def test_the_countries_index_is_in_the_readers_alphabetical_order(client, rates, language, names):
    make_plan(countries=("CH", "ES", "EG", "DK", "DE"))
    client.cookies["django_language"] = language
    rows = client.get(reverse("catalog:countries")).context["rows"]
    assert [name for _code, name, _n in rows] == names


def _operators(response) -> list[str]:
    return [name for slug, name in response.context["form"].fields["operator"].choices if slug]


def test_a_catalog_change_shows_at_once_though_lists_are_kept_per_version(client, rates):
    # The operators, the plan count and the country counts are kept in the cache
    # per catalog version; every change of the catalog is a new version.
    make_plan(name="Germany 5", countries=("DE",), operator=make_operator(name="First"))
    make_version()
    assert _operators(client.get(URL)) == ["First"]
    assert client.get(URL).context["page"].paginator.count == 1
    assert "1 plan" in client.get(reverse("catalog:countries")).text
    make_plan(name="Germany 6", countries=("DE",), operator=make_operator(name="Second"))
    make_version()
    response = client.get(URL)
    assert _operators(response) == ["First", "Second"]
    assert response.context["page"].paginator.count == 2
    assert _names(response) == ["Germany 5", "Germany 6"]
    assert "2 plans" in client.get(reverse("catalog:countries")).text
