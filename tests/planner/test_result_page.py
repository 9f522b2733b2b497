"""A stored result of model v2 shown in the traveller's words (the saved-trip page
renders a stored result document as it is, so each sentence is checked exactly)."""

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command

from planner.engine.result import Money, from_document
from planner.models import SavedTrip
from planner.presenters import choices, present

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample_catalog(db):
    call_command("import_catalog", str(settings.SAMPLE_CATALOG), verbosity=0)


TRIP = {
    "start_date": "2026-12-30",
    "legs": [
        {"country": "FR", "days": 2, "gb_per_day": "1"},
        {"country": "CH", "days": 2, "gb_per_day": "1"},
    ],
    "owned": ["red-by-sfr-100"],
    "currency": "EUR",
    "switch_penalty": "1.00",
}


def _money(amount, currency="EUR"):
    return {"amount": amount, "currency": currency}


def _purchase(plan, name, operator, *, owned=False, days=(), **fields):
    return {
        "plan": plan,
        "plan_name": name,
        "operator": operator,
        "owned": owned,
        "activate_on": days[0],
        "active_until": fields.pop("active_until", days[-1]),
        "devices": [1],
        "list_price": _money("0.00"),
        "price": _money("0.00"),
        "price_listed": None,
        "promotion": None,
        "discount_percent": "0",
        "bonus_gb": "0.0",
        "new_customer": False,
        "residents_only": False,
        "subscription": False,
        "overage": _money("0.00"),
        "overage_gb": "0",
        "data_gb": str(len(days)),
        "included_gb": str(len(days)),
        "allowance_gb": "10",
        "daily_gb": None,
        "caps": [],
        "days": list(days),
        **fields,
    }


RESULT = {
    "total": _money("6.48"),
    "total_base": _money("6.48"),
    "objective_base": "8.48",
    "optimal": True,
    "short_gb": "1",
    "purchases": [
        _purchase(
            "red-by-sfr-100",
            "RED by SFR 100 Go",
            "sfr-fr",
            owned=True,
            days=("2026-12-30", "2026-12-31"),
        ),
        _purchase(
            "ubigi-europe-3gb-30d",
            "Ubigi Europe 3 GB",
            "ubigi",
            days=("2027-01-01",),
            active_until="2027-01-30",
            price=_money("6.48"),
            list_price=_money("6.48"),
            price_listed=_money("7.00", "USD"),
            subscription=True,
        ),
        _purchase(
            "roamless-europe-free-525mb",
            "FREE Europe eSIM 525 MB",
            "roamless",
            days=("2027-01-01",),
            new_customer=True,
            price_listed=_money("0.00", "USD"),
        ),
    ],
    "days": [
        {
            "date": "2026-12-30",
            "country": "FR",
            "need_gb": "1",
            "supply": [{"purchase": 0, "device": 1, "gb": "1", "overage_gb": "0"}],
        },
        {
            "date": "2026-12-31",
            "country": "FR",
            "need_gb": "1",
            "supply": [{"purchase": 0, "device": 1, "gb": "1", "overage_gb": "0"}],
        },
        {
            "date": "2027-01-01",
            "country": "CH",
            "need_gb": "1",
            "supply": [
                {"purchase": 1, "device": 1, "gb": "0.5", "overage_gb": "0"},
                {"purchase": 2, "device": 1, "gb": "0.5", "overage_gb": "0"},
            ],
        },
        {"date": "2027-01-02", "country": "CH", "need_gb": "1", "supply": []},
    ],
    "short": [
        {
            "date": "2027-01-02",
            "country": "CH",
            "device": 1,
            "missing_gb": "1",
            "why": "w",
            "reason": "network",
            "voice": False,
        },
        {
            "date": "2027-01-02",
            "country": "CH",
            "device": None,
            "missing_gb": "0",
            "why": "w",
            "reason": "no-voice-plan",
            "voice": True,
        },
    ],
    "short_days": [
        {
            "date": "2027-01-02",
            "country": "CH",
            "missing_gb": "1",
            "devices": [1],
            "voice": True,
            "reason": "network",
            "why": "only plans on 4G cover CH",
            "details": {"best_network": "4G", "min_network": "5G"},
        },
    ],
    "owned_gaps": [
        {
            "plan": "red-by-sfr-100",
            "country": "CH",
            "first": "2027-01-01",
            "last": "2027-01-02",
            "days": 2,
            "reason": "country-not-covered",
            "covered_by": [1, 2],
        },
    ],
    "baselines": {
        "local_per_country": {
            "esims": 2,
            "total": _money("9.40"),
            "total_base": _money("9.40"),
            "objective_base": "11.40",
            "short_gb": "0",
            "optimal": True,
        },
        "single_plan": None,
    },
    "alternatives": [
        {
            "esims": 1,
            "max_esims": 1,
            "total": _money("12.99"),
            "total_base": _money("12.99"),
            "objective_base": "13.99",
            "short_gb": "0.5",
            "optimal": True,
        },
        {
            "esims": 2,
            "max_esims": None,
            "total": _money("6.48"),
            "total_base": _money("6.48"),
            "objective_base": "8.48",
            "short_gb": "0",
            "optimal": True,
        },
    ],
    "warnings": [
        {
            "code": "subscription",
            "message": "Ubigi Europe 3 GB renews by itself every 30 days until cancelled",
            "plan": "ubigi-europe-3gb-30d",
            "purchases": [1],
            "cancel_by": "2027-01-30",
            "validity_days": "30",
        },
        {"code": "ekyc", "message": "m", "plan": "ubigi-europe-3gb-30d", "purchases": [1]},
        {"code": "ekyc", "message": "m", "plan": "ubigi-europe-3gb-30d", "purchases": [1]},
    ],
    "catalog_version": "test",
}


@pytest.fixture
def saved_page(client, sample_catalog):
    saved = SavedTrip.objects.create(trip=TRIP, result=RESULT, catalog_version="test")
    return client.get(saved.get_absolute_url()).content.decode()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_it_lists_the_trade_off_as_choices_the_recommendation_last():
    row = choices(from_document(RESULT))
    assert [(c.esims, c.total, c.chosen, c.recommended) for c in row] == [
        (1, Money(Decimal("12.99"), "EUR"), False, False),
        (2, Money(Decimal("6.48"), "EUR"), True, True),
    ]
    assert [c.chosen for c in choices(from_document(RESULT), chosen=1)] == [True, False]
    one = {**RESULT, "alternatives": RESULT["alternatives"][-1:]}
    assert choices(from_document(one)) == []


def test_it_links_each_choice_on_the_saved_page(saved_page):
    row = re.search(r'<ul class="choices">(.*?)</ul>', saved_page, re.S).group(1)
    assert _text(row) == "1 eSIM €12.99 0.5 GB not covered 2 eSIMs €6.48 recommended"
    assert 'href="?esims=1"' in row
    assert re.search(r'href="\?esims=2" aria-current="true"', row)
    assert "each extra eSIM counted as €1.00" in saved_page


def test_it_says_when_the_price_alone_ranked_the_trade_off(client, sample_catalog):
    saved = SavedTrip.objects.create(
        trip={**TRIP, "switch_penalty": "0"}, result=RESULT, catalog_version="test"
    )
    html = client.get(saved.get_absolute_url()).content.decode()
    assert "Recommended on the price alone" in html
    assert "counted as €0.00" not in html


def test_it_says_each_baseline_with_its_esims(saved_page):
    savings = _text(re.search(r'<ul class="savings">(.*?)</ul>', saved_page, re.S).group(1))
    assert savings == "One local eSIM per country: €9.40 with 2 eSIMs you save €2.92"


def test_it_says_where_the_home_plan_does_not_reach(saved_page):
    gaps = _text(
        re.search(r'class="notice notice-info owned-gaps">(.*?)</div>', saved_page, re.S).group(1)
    )
    assert gaps == (
        "Where your home plan does not reach Your home plan, RED by SFR 100 Go, "
        "does not cover Switzerland (Jan 1 – 2, 2027): Ubigi and Roamless cover those days."
    )


def test_it_names_a_short_days_condition_once(saved_page):
    short = re.search(r"Days this plan cannot cover</h3>(.*?)</div>", saved_page, re.S).group(1)
    assert _text(short) == (
        "Sat, Jan 2, 2027, Switzerland: 1 GB missing, no phone number. Only plans on 4G cover "
        "Switzerland; you asked for 5G: a lower minimum network would cover it."
    )


def test_it_tells_the_terms_of_each_purchase(saved_page):
    cards = re.findall(r'<article class="card purchase".*?</article>', saved_page, re.S)
    ubigi, roamless = _text(cards[1]), _text(cards[2])
    assert "€6.48 ($7.00)" in ubigi
    assert (
        "subscription It renews by itself every 30 days until you cancel it: cancel it "
        "after the trip, by January 30, 2027." in ubigi
    )
    assert "new customers only" not in ubigi
    assert (
        "new customers only A first-order offer: one per person at Roamless, and only if you "
        "have not bought from Roamless before." in roamless
    )
    assert "subscription" not in roamless
    # a free offer is free in any currency: no "($0.00)" beside it
    assert "$0.00" not in roamless
    # the owned plan has no terms to tell
    assert '<ul class="terms">' not in cards[0]


def test_it_gives_a_warning_once_per_purchase(saved_page):
    cards = re.findall(r'<article class="card purchase".*?</article>', saved_page, re.S)
    assert cards[1].count("identity check") == 1
    # the subscription's terms are said once, in the traveller's language
    assert cards[1].count("renews by itself") == 1
    assert "identity check" not in cards[2]


def test_it_dates_days_of_another_year_with_their_year(saved_page):
    cards = re.findall(r'<article class="card purchase".*?</article>', saved_page, re.S)
    ubigi = _text(cards[1])
    # starts on first use: the first day it supplies data, and the day before to install
    assert (
        "Install it by December 31; it starts when you first use it, on Fri, January 1, 2027."
        in ubigi
    )
    assert "Valid until January 30, 2027." in ubigi
    assert "Dec 30 – 31 (France)" in _text(cards[0])
    rows = saved_page.split('class="timeline"')[1]
    timeline = re.findall(r'<span class="num">(.*?)</span>', rows)
    assert timeline[:4] == ["Wed, Dec 30", "Thu, Dec 31", "Fri, Jan 1, 2027", "Sat, Jan 2, 2027"]


def test_it_reads_a_stored_version_1_result():
    v1 = {
        **RESULT,
        "baselines": {"local_per_country": _money("9.40"), "single_plan": None},
    }
    for key in ("short_days", "owned_gaps", "alternatives"):
        del v1[key]
    shown = present(v1, None)
    assert [(s.label, s.amount, s.esims) for s in shown.savings] == [
        ("local", Money(Decimal("9.40"), "EUR"), None)
    ]
    assert [
        (str(d.date), d.missing_gb, d.devices, d.voice, d.reason) for d in shown.short_days
    ] == [("2027-01-02", 1, [1], True, "network")]
    assert shown.choices == [] and shown.owned_gaps == []


def test_it_says_a_run_of_short_days_once():
    def short(day, country, reason="no-plan"):
        return {
            "date": day,
            "country": country,
            "missing_gb": "1",
            "devices": [1],
            "voice": False,
            "reason": reason,
            "why": "w",
            "details": {},
        }

    rows = [
        short("2027-01-02", "GL"),
        short("2027-01-03", "GL"),
        short("2027-01-04", "GL"),
        short("2027-01-05", "IS", "network"),
        short("2027-01-07", "IS", "network"),
    ]
    shown = present({**RESULT, "short_days": rows}, None)
    assert [(str(s.date), str(s.last), s.country, s.days) for s in shown.short_days] == [
        ("2027-01-02", "2027-01-04", "GL", 3),
        ("2027-01-05", "2027-01-05", "IS", 1),
        ("2027-01-07", "2027-01-07", "IS", 1),
    ]
