import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.catalog.factories import (
    add_coverage,
    make_operator,
    make_plan,
    make_promotion,
    make_rates,
    make_version,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def rates():
    return make_rates()


def _url(plan) -> str:
    return reverse("catalog:plan", args=[plan.slug])


def test_it_shows_coverage_grouped_by_network_with_caps(client):
    plan = make_plan(name="Home", countries=("FR",), network="5G", price="19.99", vat_percent=20)
    add_coverage(
        plan=plan, countries=("DE", "BE"), network="4G", eu_fair_use=True, overage_per_gb=2
    )
    add_coverage(plan=plan, countries=("CH",), network="4G", cap_gb=3)
    response = client.get(_url(plan))
    assert response.status_code == 200
    networks = [network for network, _ in response.context["by_network"]]
    assert networks == ["5G", "4G"]
    page = response.text
    assert "EU fair-use cap" in page
    # 2 × (19.99 / 1.2) / wholesale cap in force today, shown with how it was computed
    assert "excluding VAT" in page
    assert "At most 3 GB" in page
    assert 'href="/countries/CH/"' in page


def test_it_shows_promotions_source_and_verification(client):
    today = timezone.localdate()
    plan = make_plan(
        source_url="https://example.org/offer", verified_on=today - timedelta(days=120)
    )
    make_promotion(
        plan=plan,
        name="Summer",
        discount_percent="20",
        starts=today,
        ends=today + timedelta(days=5),
    )
    make_promotion(
        plan=plan, name="Spring", starts=today - timedelta(days=9), ends=today - timedelta(days=1)
    )
    page = client.get(_url(plan)).text
    assert "20 % off" in page and "10 % off" in page
    assert page.count('class="row-current"') == 1
    assert page.index('class="row-current"') > page.index("10 % off")  # Summer's row
    assert "https://example.org/offer" in page
    assert "over 90 days old" in page


def test_it_says_when_a_plan_is_retired(client):
    plan = make_plan(retired_at=timezone.now())
    response = client.get(_url(plan))
    assert response.status_code == 200
    assert "no longer offered" in response.text


def test_it_labels_sample_data(client):
    plan = make_plan()
    make_version(sample=True)
    assert "Sample data" in client.get(_url(plan)).text


def test_it_answers_404_for_an_unknown_plan(client):
    assert client.get(reverse("catalog:plan", args=["nope"])).status_code == 404


def _plan_with(n: int):
    plan = make_plan(operator=make_operator(), countries=("FR",))
    for i in range(n):
        add_coverage(plan=plan, countries=(["DE", "AT", "CZ", "SK", "PL", "HU"][i],), network="4G")
        make_promotion(plan=plan, starts=date(2026, 1, 1 + 2 * i), ends=date(2026, 1, 2 + 2 * i))
    return plan


def test_it_runs_the_same_queries_however_much_a_plan_holds(queries_of):
    # A new version per measure: both include the header's cold catalog load.
    small_plan = _plan_with(2)
    make_version()
    small = queries_of(_url(small_plan))
    large_plan = _plan_with(6)
    make_version()
    assert queries_of(_url(large_plan)) == small
    assert small <= 20


@pytest.mark.parametrize(
    ("language", "residents", "renews"),
    [
        (
            "en",
            "Only for residents of France: needs a local address, bank account or ID.",
            "A subscription: renews every 30 days until you cancel it.",
        ),
        (
            "fr",
            "Réservé aux résidents du pays de l'opérateur (France)\xa0: il faut une adresse, "
            "un compte bancaire ou une pièce d'identité sur place.",
            "Un abonnement\xa0: renouvelé tous les 30 jours jusqu'à résiliation.",
        ),
        (
            "zh-hans",
            "仅限运营商所在国（法国）的居民购买：需要当地地址、银行账户或身份证件。",
            "订阅套餐：每 30 天自动续订，直到您取消为止。",
        ),
    ],
)
def test_it_says_who_can_buy_a_residents_only_subscription(client, language, residents, renews):
    plan = make_plan(
        operator=make_operator(country="FR", kind="mno"),
        validity_days=30,
        residents_only=True,
        subscription=True,
    )
    client.cookies["django_language"] = language
    page = client.get(_url(plan)).text
    assert residents in page
    assert renews in page


def test_it_says_nothing_of_residence_or_renewal_for_a_plain_plan(client):
    page = client.get(_url(make_plan(operator=make_operator(country="FR")))).text
    assert "residents" not in page
    assert "renews" not in page


def test_it_counts_a_one_day_subscription_in_the_singular(client):
    page = client.get(_url(make_plan(validity_days=1, subscription=True))).text
    assert "A subscription: renews every day until you cancel it." in page


def test_it_shows_the_price_also_in_the_currency_chosen_in_the_header(client):
    # 29 USD at 1.08 USD per EUR, converted as the country page converts: €26.85,
    # and per GB 26.85 / 50 = €0.54
    plan = make_plan(price="29.00", currency="USD", data_gb="50")
    page = client.get(_url(plan)).text
    assert "$29.00" in page and "≈ €26.85" in page
    assert "$0.58" in page and "≈ €0.54" in page
    client.post("/currency/", {"currency": "USD", "next": "/"})
    page = client.get(_url(plan)).text
    assert "$29.00" in page and "≈" not in page


def test_it_writes_dates_as_the_other_pages_do(client):
    plan = make_plan(verified_on=date(2026, 1, 10), available_from=date(2026, 2, 16))
    page = client.get(_url(plan)).text
    assert "verified on Jan 10, 2026" in page
    assert "Feb 16, 2026" in page
    assert "Jan. 10" not in page


@pytest.mark.parametrize(
    ("language", "names"),
    [
        ("en", ["Austria", "Germany", "Spain", "Switzerland", "United Kingdom"]),
        ("fr", ["Allemagne", "Autriche", "Espagne", "Royaume-Uni", "Suisse"]),
        # by pinyin: ao, de, rui, xi, ying
        ("zh-hans", ["奥地利", "德国", "瑞士", "西班牙", "英国"]),
    ],
)
def test_it_lists_the_coverage_by_country_name_in_the_readers_language(client, language, names):
    plan = make_plan(countries=("GB", "CH", "ES", "DE", "AT"))
    client.cookies["django_language"] = language
    page = client.get(_url(plan)).text
    coverage = page.split('class="coverage"')[1].split("</ul>")[0]
    assert re.findall(r'<a href="/countries/[A-Z]{2}/">([^<]+)</a>', coverage) == names


def _promotion_cell(page: str) -> str:
    body = page.split('aria-labelledby="promotions-heading"')[1].split("<tbody>")[1]
    return re.sub(r"[ \t\n]+", " ", body.split("<td>")[1].split("</td>")[0]).strip()


def test_it_keeps_the_staff_notes_off_the_public_page(client):
    note = "Price: USD list price in the esimdb.com snapshot (ons96/esimdb_scraper)."
    page = client.get(_url(make_plan(notes=note))).text
    assert "esimdb" not in page
    assert "ons96" not in page


@pytest.mark.parametrize(
    ("language", "fields", "label"),
    [
        (
            "en",
            {"discount_percent": "100", "new_customer_only": True, "limit": 1},
            "New-customer offer: 100 % off",
        ),
        ("en", {"discount_percent": "15"}, "15 % off"),
        ("en", {"discount_percent": "0", "bonus_gb": 2}, "2 GB extra data"),
        ("en", {"discount_percent": "10", "bonus_gb": 1}, "10 % off and 1 GB extra data"),
        (
            "fr",
            {"discount_percent": "100", "new_customer_only": True},
            "Offre nouveaux clients\u00a0: 100\u00a0% de remise",
        ),
        (
            "zh-hans",
            {"discount_percent": "100", "new_customer_only": True},
            "新客户专享：优惠 100%",
        ),
    ],
)
def test_a_promotion_reads_as_what_it_gives_not_its_source_label(client, language, fields, label):
    plan = make_plan()
    make_promotion(plan=plan, name="esimdb newUserOnly", **fields)
    client.cookies["django_language"] = language
    page = client.get(_url(plan)).text
    assert "newUserOnly" not in page
    assert _promotion_cell(page) == label


@pytest.mark.parametrize(
    ("language", "cap"),
    [
        ("en", "EU fair-use cap: "),
        ("fr", "Plafond d'usage raisonnable UE\u00a0: "),
        ("zh-hans", "欧盟合理使用上限："),
    ],
)
def test_the_fair_use_cap_is_punctuated_in_the_readers_language(client, language, cap):
    plan = make_plan(countries=("FR",), price="19.99", vat_percent=20)
    add_coverage(plan=plan, countries=("DE",), network="4G", eu_fair_use=True)
    client.cookies["django_language"] = language
    page = client.get(_url(plan)).text
    text = page.split('class="fair-use small">')[1].split("</p>")[0]
    assert text.startswith(cap)
