from datetime import date

from django.utils import translation

from planner.templatetags.roamplan import country, gb, ldate, money


def test_it_rounds_money_half_up_like_the_engine():
    with translation.override("en"):
        assert money({"amount": "0.125", "currency": "EUR"}) == "€0.13"
        assert money("2.345", "USD") == "$2.35"


def test_it_writes_amounts_and_dates_the_way_each_language_does():
    with translation.override("fr"):
        assert money("1234.5", "EUR").replace("\u202f", " ").replace("\xa0", " ") == "1 234,50 €"
        assert gb("1.5") == "1,5\u202fGo"  # CLDR's French unit, with its narrow space
        assert ldate(date(2026, 12, 9), "MMMd") == "9 déc."
        assert country("CH") == "Suisse"
    with translation.override("zh-hans"):
        assert ldate("2026-12-09", "MMMd") == "12月9日"
        assert country("CH") == "瑞士"


def test_it_shows_nothing_for_what_it_cannot_read():
    assert money("n/a", "EUR") == ""
    assert gb(None) == ""
    assert ldate("not a date") == ""


def test_money_rounds_half_up_to_the_currencys_places():
    from decimal import Decimal

    from planner.display import round_decimal
    from planner.engine.result import Money

    assert round_decimal(Decimal("0.125"), "EUR") == Decimal("0.13")  # Babel alone: 0.12
    assert round_decimal(Decimal("12.5"), "JPY") == Decimal("13")
    with translation.override("en"):
        assert money(Money(Decimal("0.125"), "EUR")) == "€0.13"
        assert money({"amount": "2.345", "currency": "EUR"}) == "€2.35"
        assert money(Decimal("12.5"), "JPY") == "¥13"


def test_a_per_gb_rate_is_shown_as_stated():
    from decimal import Decimal

    from planner.templatetags.roamplan import rate

    with translation.override("en"):
        assert rate({"amount": "0.0125", "currency": "EUR"}) == "€0.0125"
        assert rate(Decimal("2.5"), "EUR") == "€2.50"
    with translation.override("fr"):
        assert rate(Decimal("0.0125"), "EUR") == "0,0125\u00a0€"


def test_gb_rounds_half_up_to_the_step_it_shows_like_money():
    # the 525 MB Roamless offer and a 0.025 GB slice: Babel alone says 0.52 and 0.02
    with translation.override("en"):
        assert gb("0.525") == "0.53 GB"
        assert gb("0.025") == "0.03 GB"
        assert gb("0.015") == "0.02 GB"
        assert gb("1.5") == "1.5 GB"
        assert gb("0.5249") == "0.52 GB"
    with translation.override("fr"):
        assert gb("0.525") == "0,53\u202fGo"
