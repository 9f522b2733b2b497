"""The presenter, directly: a result document as the typed page objects the
templates read (amounts as Money and Decimal, days as dates, flags)."""

import copy
from datetime import date
from decimal import Decimal

from planner.engine.result import Money
from planner.presenters import compare, present
from tests.planner.test_result_page import RESULT, _money


def test_it_reads_amounts_and_days_typed():
    page = present(RESULT, None)
    assert page.result.total == Money(Decimal("6.48"), "EUR")
    assert page.trip_year == 2026
    ubigi = page.purchases[1]
    assert ubigi.price == Money(Decimal("6.48"), "EUR")  # in the trip's currency
    assert ubigi.price_listed == Money(Decimal("7.00"), "USD")  # in the plan's
    assert ubigi.activate_on == date(2027, 1, 1) and ubigi.install_by == date(2026, 12, 31)
    assert [(t.date, t.missing_gb) for t in page.timeline][-1] == (date(2027, 1, 2), Decimal(1))
    assert [(s.label, s.amount, s.saving, s.esims) for s in page.savings] == [
        ("local", Money(Decimal("9.40"), "EUR"), Decimal("2.92"), 2)
    ]


def test_its_flags_say_what_a_card_shows():
    page = present(RESULT, None)
    home, ubigi, free = page.purchases
    assert ubigi.shows_listed_price  # €6.48 ($7.00)
    assert not free.shows_listed_price  # free: no "($0.00)"
    assert home.price_listed is None and not home.shows_listed_price
    assert not any(p.has_bonus or p.has_overage for p in page.purchases)
    assert [p.number for p in page.bought] == [2, 3]

    doc = copy.deepcopy(RESULT)
    doc["purchases"][1].update(bonus_gb="0.5", overage=_money("0.01"), overage_gb="0.1")
    ubigi = present(doc, None).purchases[1]
    assert ubigi.has_bonus and ubigi.has_overage


def test_a_warning_is_shown_once_on_the_purchase_it_names():
    page = present(RESULT, None)
    assert [w.code for w in page.purchases[1].warnings] == ["subscription", "ekyc"]
    assert page.purchases[1].warnings[0].details["cancel_by"] == "2027-01-30"
    assert page.warnings == []


def test_it_compares_a_saved_result_with_todays():
    cheaper = copy.deepcopy(RESULT)
    cheaper["total"] = _money("5.00")
    del cheaper["purchases"][2]
    changes = compare(RESULT, cheaper)
    assert changes.difference == Decimal("-1.48")
    assert [p.plan for p in changes.removed] == ["roamless-europe-free-525mb"]
    assert changes.added == [] and not changes.same
