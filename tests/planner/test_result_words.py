"""The result page says what is true, in each language's own punctuation
(the screens review of issues 10 and 13): a trip nothing serves, a first-order
offer bought after its operator's paid plan, cards that do not add up to the
total, one working of the fair-use cap, bar widths, dates, devices, days."""

import copy
import re
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from planner import explanations, presenters
from planner.models import SavedTrip
from planner.presenters import present
from tests.planner.test_result_page import RESULT, TRIP, _money, _purchase, _text
from tests.planner.views.helpers import trip_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample_catalog(db):
    call_command("import_catalog", str(settings.SAMPLE_CATALOG), verbosity=0)


def _page(client, result, language="en") -> str:
    saved = SavedTrip.objects.create(trip=TRIP, result=result, catalog_version="test")
    response = client.get(saved.get_absolute_url(), headers={"Accept-Language": language})
    return response.content.decode()


def _cards(html: str) -> list[str]:
    cards = re.findall(r'<article class="card purchase".*?</article>', html, re.S)
    return [_text(c) for c in cards]


def _summary(html: str) -> str:
    return _text(re.search(r'<div class="card summary">.*?</div>', html, re.S).group(0))


# 1: nothing serves the trip


def test_a_trip_no_plan_can_serve_says_so_not_nothing_to_buy(client, sample_catalog):
    data = trip_data(
        legs=(("France", "3"), ("Kosovo", "2"), ("Switzerland", "2")),
        start_date="2026-12-16",
        min_network="5G",
        switch_penalty="",
    )
    html = client.post("/", data).content.decode()
    summary = _summary(html)
    assert "No plan can serve these days: the reasons are below." in summary
    assert "Nothing to buy" not in html and "covers the whole trip" not in html
    assert "proven cheapest" not in summary
    # no "Total for the trip €0.00" over nothing: it would read as a free trip
    assert "Total for the trip" not in summary and "0.00" not in summary
    assert "What to buy and when" not in html  # no heading over nothing
    text = _text(html)
    assert "Days this plan cannot cover" in text
    assert "you asked for 5G" in text  # the short days' reasons say why


def test_the_summary_says_what_the_home_plan_leaves(client, sample_catalog):
    home_only = copy.deepcopy(RESULT)
    home_only["purchases"] = home_only["purchases"][:1]
    for day in home_only["days"][2:]:
        day["supply"] = []
    page = present(home_only, None)
    assert page.summary == "home-short"
    assert "Nothing to buy besides your home plan" in _summary(_page(client, home_only))

    home_only["short_days"] = []
    assert present(home_only, None).summary == "home-covers"
    home_only["purchases"] = home_only["owned_gaps"] = []  # a trip of 0 GB a day
    for day in home_only["days"]:
        day["supply"] = []
    assert present(home_only, None).summary == "nothing"
    assert "Nothing to buy: this trip needs no data." in _summary(_page(client, home_only))
    assert present(RESULT, None).summary == "buy"


# 5: a first-order offer after a paid purchase of its operator


def _first_order_after_paid() -> dict:
    doc = copy.deepcopy(RESULT)
    free = doc["purchases"][2]
    free.update(operator="ubigi", plan_name="Ubigi free 500 MB")
    return doc


def test_a_first_order_offer_says_to_buy_it_before_its_operators_other_purchases(
    client, sample_catalog
):
    page = present(_first_order_after_paid(), None)
    assert [p.buy_first for p in page.purchases] == [False, False, True]
    card = _cards(_page(client, _first_order_after_paid()))[2]
    assert "Buy it first, before any other purchase from Ubigi in this plan" in card
    # alone with its operator, it needs no such word
    assert not any(p.buy_first for p in present(RESULT, None).purchases)


# 6: the cards do not add up to the total


def _spain() -> dict:
    doc = copy.deepcopy(RESULT)
    doc["total"] = doc["total_base"] = _money("7.94")
    doc["purchases"] = [
        _purchase("a", "A", "ubigi", days=("2026-12-30",), price=_money("6.48")),
        *(
            _purchase(f"y{k}", "Yesim 500 MB", "yesim", days=("2026-12-31",), price=_money("0.49"))
            for k in range(3)
        ),
    ]
    for day in doc["days"]:
        day["supply"] = []
    doc["owned_gaps"] = []
    doc["warnings"] = []
    return doc


def test_it_says_why_the_cards_do_not_add_up_to_the_total(client, sample_catalog):
    assert present(_spain(), None).rounded_lines
    assert not present(RESULT, None).rounded_lines  # 0 + 6.48 + 0 = 6.48
    assert "rounded one by one; the total is of the exact amounts" in _page(client, _spain())
    assert 'data-testid="rounding-note"' not in _page(client, RESULT)


# 7: one working of the fair-use cap, on both pages


def test_the_fair_use_working_is_the_same_on_the_result_and_the_plan_page(client, sample_catalog):
    doc = copy.deepcopy(RESULT)
    doc["purchases"][0]["caps"] = [
        {
            "countries": ["CH"],
            "network": "4G",
            "cap_gb": "19.68",
            "included_gb": "1",
            "binds": False,
            "overage_per_gb": None,
            "overage_gb": "0",
            "fair_use": {
                "activation_date": "2026-12-30",
                "listed_price": _money("12.99"),
                "vat_percent": "20",
                "price_excl_vat": "10.825",
                "wholesale_eur_per_gb": "1.10",
                "wholesale_in_force_from": "2026-01-01",
                "wholesale_per_gb": _money("1.10"),
                "cap_gb": "19.68",
            },
        }
    ]
    result = _text(_page(client, doc))
    assert "2 × (€12.99 without 20 % VAT = €10.825) ÷ €1.10 per GB" in result
    plan = _text(client.get("/plans/red-by-sfr-100/").content.decode())
    assert "2 × €10.825 excluding VAT ÷ €1.10 per GB" in plan


# 8: the single plan bought several times


def test_the_single_plan_bought_twice_is_said_so(client, sample_catalog):
    doc = copy.deepcopy(RESULT)
    doc["baselines"]["single_plan"] = {
        **doc["baselines"]["local_per_country"],
        "esims": 2,
        "total": _money("42.57"),
    }
    text = _text(_page(client, doc))
    assert "The single cheapest plan for the whole trip, bought 2 times: €42.57" in text
    assert "€42.57 with 2 eSIMs" not in text


# 12: a bar's width follows its share of the day


def test_a_bars_width_is_its_tenths_of_the_day(client, sample_catalog):
    from planner.presenters import bar_tenths

    assert bar_tenths(Decimal("0.02"), Decimal("1.5")) == 1  # at least one tenth
    assert bar_tenths(Decimal("1.48"), Decimal("1.5")) == 10
    assert bar_tenths(Decimal("0.75"), Decimal("1.5")) == 5
    page = present(RESULT, None)
    assert [[b.tenths for b in d.bars] for d in page.timeline] == [[10], [10], [5, 5], []]
    html = _page(client, RESULT)
    assert 'class="bar p1 w5"' in html and 'class="bar p0 w10"' in html


# 13: punctuation and units of each language


def test_french_and_chinese_write_their_own_colons_units_and_lists(client, sample_catalog):
    french_html = _page(client, RESULT, "fr")
    french = _text(french_html)
    assert "Une eSIM locale par pays : 9,40 €" in french
    bars = re.findall(r'<span class="bar-gb">(.*?)</span>', french_html)
    assert bars and all(b.endswith("\u202fGo") for b in bars)  # "0,5 Go"
    assert "1 Go sur 10 Go" in french  # the card's data too
    short = copy.deepcopy(RESULT)
    short["baselines"]["local_per_country"]["short_gb"] = "0.5"
    chinese = _page(client, short, "zh-hans")
    assert "每个国家一张本地 eSIM：€9.40" in _text(chinese)
    assert "需 2 张 eSIM，0.5 GB 未覆盖" in _text(chinese)  # a Chinese comma
    with translation.override("zh-hans"):
        label = present(RESULT, None).map.rows[1].label
    assert label == "瑞士：2. Ubigi Europe 3 GB、3. FREE Europe eSIM 525 MB和未覆盖"


# 15: the weekday stays when the year is added


def test_a_timeline_date_of_another_year_keeps_its_weekday(client, sample_catalog):
    rows = _page(client, RESULT).split('class="timeline"')[1]
    assert re.findall(r'<span class="num">(.*?)</span>', rows)[2] == "Fri, Jan 1, 2027"


# 19, 20: devices and covered days


def test_a_one_device_trip_has_no_devices_row(client, sample_catalog):
    # RESULT's Jan 1 has two supplies for its one device
    assert present(RESULT, None).devices == 1
    assert not any("Devices" in card for card in _cards(_page(client, RESULT)))
    two = copy.deepcopy(RESULT)
    two["purchases"][1]["devices"] = [1, 2]
    assert present(two, None).devices == 2
    assert "Devices 1 and 2" in _cards(_page(client, two))[1]


def test_covered_days_in_one_country_name_it_once(client, sample_catalog):
    doc = copy.deepcopy(RESULT)
    doc["purchases"][0]["days"] = ["2026-12-30", "2027-01-02"]
    doc["days"][3]["country"] = "FR"
    doc["days"][3]["supply"] = [{"purchase": 0, "device": 1, "gb": "1", "overage_gb": "0"}]
    groups = present(doc, None).purchases[0].covers
    assert [(g.countries, [(r.first, r.last) for r in g.ranges]) for g in groups] == [
        (["FR"], [(date(2026, 12, 30), date(2026, 12, 30)), (date(2027, 1, 2), date(2027, 1, 2))])
    ]
    card = _cards(_page(client, doc))[0]
    assert "Dec 30 and Jan 2, 2027 (France)" in card
    assert card.count("France") == 1


# the same purchase for each device: one card


def _for_two_devices(**differ) -> dict:
    """RESULT with its Ubigi purchase made once more, for device 2: the same
    plan, day, price, days and data (`differ`: what the copy changes)."""
    doc = copy.deepcopy(RESULT)
    copy_of = {**copy.deepcopy(doc["purchases"][1]), "devices": [2], **differ}
    doc["purchases"].insert(2, copy_of)
    for day in doc["days"]:
        for s in day["supply"]:
            if s["purchase"] >= 2:
                s["purchase"] += 1
        extra = [{**s, "purchase": 2, "device": 2} for s in day["supply"] if s["purchase"] == 1]
        day["supply"] += extra
    for w in doc["warnings"]:
        if 1 in w.get("purchases", []):
            w["purchases"] = [*w["purchases"], 2]
    return doc


def test_the_same_purchase_for_each_device_is_one_card(client, sample_catalog):
    page = present(_for_two_devices(), None)
    assert [[p.number for p in c.purchases] for c in page.cards] == [[1], [2, 3], [4]]
    assert page.cards[1].devices == [1, 2] and page.cards[1].last == 3
    # the card's purchases share its colour, in the timeline too; the next card takes the next
    assert [p.colour for p in page.purchases] == ["p0", "p1", "p1", "p2"]
    jan_1 = next(d for d in page.timeline if d.date == date(2027, 1, 1))
    assert [(b.number, b.colour) for b in jan_1.bars] == [(2, "p1"), (3, "p1"), (4, "p2")]
    cards = _cards(_page(client, _for_two_devices()))
    assert len(cards) == 3
    assert cards[1].startswith("2.–3. ") and "2 × €6.48" in cards[1]
    assert "Devices 1 and 2: one for each device, 2 in all" in cards[1]
    assert "the same on each eSIM" in cards[1]
    assert "Buy 3 plans." in _summary(_page(client, _for_two_devices()))


def test_purchases_that_differ_beyond_their_devices_keep_their_own_cards(client, sample_catalog):
    page = present(_for_two_devices(data_gb="0.25"), None)
    assert [[p.number for p in c.purchases] for c in page.cards] == [[1], [2], [3], [4]]
    assert [p.colour for p in page.purchases] == ["p0", "p1", "p2", "p3"]
    cards = _cards(_page(client, _for_two_devices(data_gb="0.25")))
    assert len(cards) == 4 and "×" not in cards[1] and "Devices 2" in cards[2]
    # two copies for the same device are not "one for each device"
    same_device = present(_for_two_devices(devices=[1]), None)
    assert [[p.number for p in c.purchases] for c in same_device.cards] == [[1], [2], [3], [4]]


# the stale badge of an offer never checked


def test_an_offer_never_checked_is_not_said_checked_over_90_days_ago(client, sample_catalog):
    doc = copy.deepcopy(RESULT)
    doc["warnings"].append(
        {"code": "not-verified", "message": "m", "plan": "ubigi-europe-3gb-30d", "purchases": [1]}
    )
    assert present(doc, None).purchases[1].never_verified
    card = _cards(_page(client, doc))[1]
    assert "never checked: confirm the price before you buy" in card
    assert "over 90 days ago" not in card


# one map of texts


def test_the_pages_sentences_for_the_engines_codes_are_in_the_one_map():
    from planner.explanations import PAGE_NOTICE, PAGE_SHORT_DAY, say

    assert not hasattr(presenters, "SHORT_DAY_SENTENCES")
    assert not hasattr(presenters, "NOTICE_SENTENCES")
    assert "network" in explanations.PAGE_TEXTS[PAGE_SHORT_DAY]
    assert "fair-use" in explanations.PAGE_TEXTS[PAGE_NOTICE]
    # a code with no page sentence is said by the document's text, in its variant
    assert say(PAGE_NOTICE, "not-verified", {}, {"plan_name": "X"}) == (
        "X: the offer was never checked; confirm price and terms before buying."
    )
    assert say(PAGE_NOTICE, "daily-cap", {"gb": "1 GB", "kbps": "0"}, {"throttle_kbps": "0"}) == (
        "Slows down after 1 GB a day."
    )
    assert say(PAGE_SHORT_DAY, "no-such-code", {}, {}) == ""


@pytest.mark.parametrize(
    ("language", "joined", "valid"),
    [("zh-hans", "。我们", "。有效期至"), ("en", ". No plan", ". Valid until")],
)
def test_two_sentences_are_joined_as_the_readers_language_joins_them(
    client, sample_catalog, language, joined, valid
):
    html = client.post(
        "/",
        trip_data(legs=(("FR", "3"), ("RS", "2"))),
        headers={"Accept-Language": language},
    ).content.decode()
    visible = re.sub(r"[ \t\n]+", " ", re.sub(r"<[^>]+>", "", html))
    # the short day's amount, then why: no Latin space after a Chinese full stop
    assert joined in visible
    # the card's "when", then its validity
    assert valid in visible


def test_purchases_each_for_several_devices_keep_their_own_cards(client, sample_catalog):
    # devices 1 and 2 on one eSIM, 3 and 4 on another: not "one for each device"
    doc = _for_two_devices(devices=[3, 4])
    doc["purchases"][1]["devices"] = [1, 2]
    page = present(doc, None)
    assert [[p.number for p in c.purchases] for c in page.cards] == [[1], [2], [3], [4]]
